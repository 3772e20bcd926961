"""Breaking ties (MODEL.md 5), and with it avoidance: when i's trust in j falls below
``trust.untie_threshold`` with at least ``trust.untie_evidence`` units of evidence, i drops the tie.

Walking away is how the let-down stop asking in this model: a request goes to a live contact, so a
dropped provider is never asked again, and never shows that it has changed. The broken tie keeps its
evidence (whoever walked away still holds an opinion and is no stranger). Switch: ``trust.untie``.
"""

from __future__ import annotations

import numpy as np

from ..eventlog import EventKind
from ..world import World


def distrusted(trust: np.ndarray, world: World) -> np.ndarray:
    """Where trust is below the distrust bar (``trust.untie_threshold``), the one bar of the model for
    walking away, ignoring a vouch from a recommender, and refusing to follow."""
    return trust < world.scenario.trust.untie_threshold


def drop_distrusted(world: World, slots: np.ndarray, times: np.ndarray) -> None:
    """Of the given tie slots (-1: none), drop the live ones now distrusted on enough evidence."""
    ties, config = world.ties, world.scenario.trust
    if not config.untie:
        return
    live = slots >= 0
    live[live] = ties.alive[slots[live]]
    slots, times = slots[live], times[live]
    if slots.size == 0:
        return
    sources = ties.source[slots]
    trust = ties.trust(slots, world.population.base_rate[sources])
    drop = distrusted(trust, world) & (ties.evidence(slots) >= config.untie_evidence)
    if not drop.any():
        return
    slots, times, trust = slots[drop], times[drop], trust[drop]
    slots, first = np.unique(slots, return_index=True)
    times, trust = times[first], trust[first]
    world.untie(slots)
    world.log.append(times, EventKind.untie, ties.source[slots], ties.target[slots], trust_after=trust)
