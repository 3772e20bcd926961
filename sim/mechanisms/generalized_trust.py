"""Generalized trust learns (MODEL.md, traits): an agent's trust in strangers (its base rate) moves with
its experience.

Each kept commitment pulls the requester's base rate a share ``trust.generalized_learning`` of the way
toward 1; each broken one pulls it toward 0, ``trust.asymmetry`` times as hard. A network where promises
break thus "pollutes the sites and intoxicates new entrants": first impressions of everyone fall.
``trust.generalized_learning = 0`` switches the learning off.

Generalized trust settles where the pulls balance. With a share p of outcomes kept, rate g and
asymmetry k: p g (1 - a) = (1 - p) a (1 - (1 - g)^k), so a* = p g / (p g + (1 - p)(1 - (1 - g)^k)). In
``baseline`` about 77% of outcomes are kept, g = 0.02 and k = 3, so a* is about 0.53, below the 0.55
to 0.75 its agents start with: baseline's generalized trust drifts down toward it (0.65 at day 0, 0.59
at day 365, 0.53 by day 1,500 on seed 3).
"""

from __future__ import annotations

import numpy as np

from ..world import World


def learn(world: World, requesters: np.ndarray, kept: np.ndarray) -> None:
    """Move each requester's base rate by the outcomes it saw (``kept`` per commitment)."""
    config, people = world.scenario.trust, world.population
    keep_rate = 1.0 - config.generalized_learning
    n = people.size
    kept_count = np.bincount(requesters[kept], minlength=n)
    broken_count = np.bincount(requesters[~kept], minlength=n)
    touched = np.flatnonzero(kept_count + broken_count)
    base = people.base_rate[touched]
    base = 1.0 - (1.0 - base) * keep_rate ** kept_count[touched]
    base = base * keep_rate ** (config.asymmetry * broken_count[touched])
    people.base_rate[touched] = base
