"""Delivering (MODEL.md 1): at the deadline the provider keeps or breaks its commitment.

The chance to keep is the provider's reliability, reduced in proportion when it carries more open
commitments than its capacity (``capacity / load``; switch: ``commitments.overload``). The requester's
functional evidence about the provider moves: +1 positive for a kept commitment, ``trust.asymmetry``
negative units for a broken one, so trust is quick to lose and slow to rebuild (``trust.asymmetry = 1``
makes the two weigh the same). It is first-hand evidence, the only kind a witness tells
(:mod:`.testimony`).

All commitments due on a day are resolved together (the deadline batch), at that day's deadline, before
anything else happens that day (:mod:`sim.engine`). What follows from an outcome happens in this order:
generalized trust learns, vouchers share the outcome, the let-down may testify, and ties whose trust
fell too far break.
"""

from __future__ import annotations

import numpy as np

from ..eventlog import EventKind, reserve, write
from ..kernels import kernel
from ..ties import find, trust
from ..world import pop
from . import generalized_trust, reciprocity, testimony, untie, vouching


@kernel
def overload_factor(capacity: float, load: float) -> float:
    """1 within capacity; ``capacity / load`` above it (twice the capacity, half the chance to deliver)."""
    return np.minimum(1.0, capacity / np.maximum(float(load), 1.0))


@kernel
def resolve_due(w, day: int) -> None:
    """The deadline of ``day``: resolve every commitment that falls due on it."""
    requesters, providers, vouchers, due = pop(w.book, day)
    resolve(w, day, requesters, providers, vouchers, due)


@kernel
def resolve(w, day: int, requesters: np.ndarray, providers: np.ndarray, vouchers: np.ndarray,
            due: np.ndarray) -> None:
    """Resolve commitments due on ``day``: keep or break, update evidence, then the consequences."""
    people, ties, tallies, config, rng = w.people, w.ties, w.tallies, w.config, w.delivery
    count = len(providers)
    chance = people.reliability[providers]
    if config.overload:                       # every load as it stood before any of these is resolved
        for i in range(count):
            chance[i] = chance[i] * overload_factor(people.capacity[providers[i]], people.load[providers[i]])
    kept = np.empty(count, dtype=np.bool_)
    for i in range(count):
        kept[i] = rng.random() < chance[i]
    slots = np.empty(count, dtype=np.int64)
    before, after = np.full(count, np.nan), np.full(count, np.nan)
    for i in range(count):
        provider = providers[i]
        people.load[provider] -= 1
        if kept[i]:
            tallies.promises_kept[provider] += 1
        else:
            tallies.promises_broken[provider] += 1
        slots[i] = find(ties, requesters[i], provider)
        if slots[i] >= 0:
            before[i] = trust(ties, slots[i], people.base_rate[requesters[i]])
    for i in range(count):                    # what the requester saw for itself
        slot = slots[i]
        if slot < 0:
            continue
        if kept[i]:
            ties.positive[slot] += 1.0
            ties.own_positive[slot] += 1.0
        else:
            ties.negative[slot] += config.asymmetry
            ties.own_negative[slot] += config.asymmetry
        ties.dealings[slot] += np.float32(1.0)
    for i in range(count):
        if slots[i] >= 0:
            after[i] = trust(ties, slots[i], people.base_rate[requesters[i]])
    broken = ~kept
    for outcome, mask in ((EventKind.kept, kept), (EventKind.broken, broken)):
        row = reserve(w.log, mask.sum(), outcome)
        for i in np.flatnonzero(mask):
            write(w.log, row, due[i], providers[i], requesters[i], vouchers[i], before[i], after[i])
            row += 1

    if config.reciprocity:
        reciprocity.remember(w, requesters, providers, slots, kept)
    generalized_trust.learn(w, requesters, kept)
    vouching.blame(w, requesters, vouchers, kept)
    # outcomes are stamped with their deadlines; what follows from them happens now, when they land
    now = np.full(count, float(day))
    # the let-down speak up before they walk away: the most disappointed must not fall silent
    speak = testimony.let_down_speak(w, broken)
    testimony.testify(w, requesters[speak], providers[speak], now[speak])
    untie.drop_distrusted(w, slots, now)
