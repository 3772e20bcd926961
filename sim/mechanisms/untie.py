"""Breaking ties (MODEL.md 5), and with it avoidance: when i's trust in j falls below
``trust.untie_threshold`` with at least ``trust.untie_evidence`` units of evidence, i drops the tie.

Walking away is how the let-down stop asking in this model: a request goes to a live contact, so a
dropped provider is never asked again, and never shows that it has changed. The broken tie keeps its
evidence (whoever walked away still holds an opinion and is no stranger). Switch: ``trust.untie``.
"""

from __future__ import annotations

import numpy as np

from ..eventlog import EventKind, reserve, write
from ..kernels import kernel
from ..ties import trust
from ..world import break_ties


@kernel
def distrusted(trust: float, bar: float) -> bool:
    """Whether trust is below the distrust bar (``trust.untie_threshold``), the one bar of the model for
    walking away, ignoring a vouch from a recommender, and refusing to follow."""
    return trust < bar


@kernel
def drop_distrusted(w, slots: np.ndarray, times: np.ndarray) -> None:
    """Of the given tie slots (-1: none), drop the live ones now distrusted on enough evidence."""
    ties, config = w.ties, w.config
    if not config.untie:
        return
    count = len(slots)
    drop = np.zeros(count, dtype=np.bool_)
    held = np.empty(count)
    for i in range(count):
        slot = slots[i]
        if slot < 0 or not ties.alive[slot]:
            continue
        held[i] = trust(ties, slot, w.people.base_rate[ties.source[slot]])
        drop[i] = (distrusted(held[i], config.untie_threshold)
                   and ties.positive[slot] + ties.negative[slot] >= config.untie_evidence)
    if not drop.any():
        return
    slots, times, held = slots[drop], times[drop], held[drop]
    order = np.argsort(slots, kind="mergesort")       # each slot once, ascending, at its first mention
    first = np.ones(len(order), dtype=np.bool_)
    for i in range(1, len(order)):
        first[i] = slots[order[i]] != slots[order[i - 1]]
    order = order[first]
    dropped = break_ties(w, slots[order])
    row = reserve(w.log, len(dropped), EventKind.untie)
    for i in range(len(dropped)):
        at = order[i]
        write(w.log, row + i, times[at], ties.source[slots[at]], ties.target[slots[at]], -1, np.nan, held[at])
