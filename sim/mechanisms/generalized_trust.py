"""Generalized trust learns (MODEL.md, traits): an agent's trust in strangers (its base rate) moves with
its experience.

Each kept commitment pulls the requester's base rate a share ``trust.generalized_learning`` of the way
toward 1; each broken one pulls it toward 0, ``trust.asymmetry`` times as hard. A network where promises
break thus "pollutes the sites and intoxicates new entrants": first impressions of everyone fall.
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
