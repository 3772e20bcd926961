"""Generalized trust learns (MODEL.md, traits): an agent's trust in strangers (its base rate) is an
opinion about people in general, held on the evidence of its own dealings.

It is the beta expectation of the outcomes the agent has seen as a requester, with its disposition (the
``base_rate`` trait it joined with) as the prior, weighted 2 as every prior in the model is:

    a = (2 d + g K) / (2 + g K + g k B)

with K the commitments kept to it and B those broken, each weighted ``trust.generalized_learning`` (g)
and B ``trust.asymmetry`` (k) times as hard, and both forgotten by λ = ``trust.forgetting`` per day like
every other piece of evidence (Jøsang & Ismail 2002, the beta reputation system with forgetting, applied
to "strangers" as a class; Yamagishi & Yamagishi 1994 on generalized trust learned from experience). A
network where promises break thus "pollutes the sites and intoxicates new entrants": first impressions
of everyone fall. ``trust.generalized_learning = 0`` switches the learning off (a = d).

It settles where the evidence does: with a share p of outcomes kept, a → p / (p + k (1 - p)) as the
experience outweighs the disposition, within about 1 / (1 - λ) days (200 at λ = 0.995). The spin-up
(``simulation.spin_up``) lets it settle before day 0. (Before version 0.3 it moved by a fixed share per
outcome and never forgot; it had the same fixed point, reached three times more slowly.)
"""

from __future__ import annotations

import numpy as np

from ..trust import PRIOR_WEIGHT
from ..world import World


def _settle(world: World, agents: np.ndarray | slice) -> None:
    """Recompute the base rates of ``agents`` from their disposition and what they have seen."""
    people, config = world.population, world.scenario.trust
    weight = config.generalized_learning
    kept = weight * people.seen_kept[agents]
    broken = weight * config.asymmetry * people.seen_broken[agents]
    people.base_rate[agents] = ((PRIOR_WEIGHT * people.disposition[agents] + kept)
                                / (PRIOR_WEIGHT + kept + broken))


def learn(world: World, requesters: np.ndarray, kept: np.ndarray) -> None:
    """Each requester has seen the outcomes of its commitments (``kept`` per commitment)."""
    if world.scenario.trust.generalized_learning == 0 or requesters.size == 0:
        return
    people = world.population
    n = people.size
    people.seen_kept[:n] += np.bincount(requesters[kept], minlength=n)
    people.seen_broken[:n] += np.bincount(requesters[~kept], minlength=n)
    _settle(world, np.unique(requesters))


def forget(world: World, factor: float) -> None:
    """A night passes: what everyone has seen fades by ``factor`` (λ), and their base rates follow."""
    if factor == 1.0 or world.scenario.trust.generalized_learning == 0:
        return
    people = world.population
    n = people.size
    people.seen_kept[:n] *= factor
    people.seen_broken[:n] *= factor
    _settle(world, slice(0, n))
