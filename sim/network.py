"""The seed social graph: heavy-tailed popularity, some reciprocity, and a little shared history.

Each agent gets a Pareto "fitness"; agents choose whom to follow in proportion to it, so follower counts
are heavy-tailed (a few hubs, many with a handful), as on real platforms. Each tie is returned with
probability ``reciprocity``. Seeded ties come with a few past dealings drawn from the provider's true
reliability, so the network does not start in a state where nobody knows anything about anybody.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .config import NetworkConfig


def pareto_fitness(count: int, exponent: float, rng: np.random.Generator) -> np.ndarray:
    """Weights whose tail falls like x^-exponent (exponent > 2 keeps the mean finite)."""
    return (1.0 - rng.random(count)) ** (-1.0 / (exponent - 1.0))


def choose_targets(fitness: np.ndarray, count: int, rng: np.random.Generator) -> np.ndarray:
    """``count`` agents drawn in proportion to fitness (inverse-CDF sampling, O(count log n))."""
    cumulative = np.cumsum(fitness)
    return np.minimum(np.searchsorted(cumulative, rng.random(count) * cumulative[-1], side="right"),
                      len(fitness) - 1)


def seed_ties(agents: np.ndarray, fitness: np.ndarray, config: NetworkConfig,
              rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Directed ties (source, target) among ``agents`` with the configured mean degree."""
    out_mean = config.mean_degree / (1.0 + config.reciprocity)
    degree = rng.poisson(out_mean, len(agents))
    sources = np.repeat(agents, degree)
    targets = agents[choose_targets(fitness, len(sources), rng)]
    returned = rng.random(len(sources)) < config.reciprocity
    sources, targets = (np.concatenate([sources, targets[returned]]),
                        np.concatenate([targets, sources[returned]]))
    keep = sources != targets
    return sources[keep], targets[keep]


def past_dealings(reliability: np.ndarray, mean_dealings: float, asymmetry: float,
                  rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Evidence from a short shared past with each provider: (positive, negative, dealings)."""
    dealings = rng.poisson(mean_dealings, len(reliability))
    kept = rng.binomial(dealings, reliability)
    return kept.astype(np.float64), (dealings - kept) * asymmetry, dealings
