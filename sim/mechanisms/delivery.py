"""Delivering (MODEL.md 1): at the deadline the provider keeps or breaks its commitment.

The chance to keep is the provider's reliability, reduced in proportion when it carries more open
commitments than its capacity (``capacity / load``; switch: ``commitments.overload``). The requester's
functional evidence about the provider moves: +1 positive for a kept commitment, ``trust.asymmetry``
negative units for a broken one, so trust is quick to lose and slow to rebuild (``trust.asymmetry = 1``
makes the two weigh the same). It is first-hand evidence, the only kind a witness tells
(:mod:`.testimony`).

All commitments due on a day are resolved together (the deadline batch). What follows from an outcome
happens in this order: generalized trust learns, vouchers share the outcome, the let-down may testify,
and ties whose trust fell too far break.
"""

from __future__ import annotations

import numpy as np

from ..eventlog import EventKind
from ..world import Commitments, World
from . import generalized_trust, testimony, untie, vouching


def overload_factor(capacity: np.ndarray, load: np.ndarray) -> np.ndarray:
    """1 within capacity; ``capacity / load`` above it (twice the capacity, half the chance to deliver)."""
    return np.minimum(1.0, capacity / np.maximum(load.astype(np.float64), 1.0))


def resolve(world: World, day: int, due: Commitments) -> None:
    """Resolve the commitments due on ``day``: keep or break, update evidence, then the consequences."""
    people, ties, counters, rng = world.population, world.ties, world.counters, world.streams.delivery
    requesters, providers, vouchers, times = due
    chance = people.reliability[providers]
    if world.scenario.commitments.overload:
        chance = chance * overload_factor(people.capacity[providers], people.load[providers])
    kept = rng.random(len(providers)) < chance
    broken = ~kept
    np.add.at(people.load, providers, -1)
    np.add.at(counters.promises_kept, providers[kept], 1)
    np.add.at(counters.promises_broken, providers[broken], 1)

    slots = ties.find(requesters, providers)
    has = slots >= 0
    base = people.base_rate[requesters]
    before = np.full(len(slots), np.nan)
    before[has] = ties.trust(slots[has], base[has])
    asymmetry = world.scenario.trust.asymmetry
    for evidence in (ties.positive, ties.own_positive):    # what the requester saw for itself
        np.add.at(evidence, slots[has & kept], 1.0)
    for evidence in (ties.negative, ties.own_negative):
        np.add.at(evidence, slots[has & broken], asymmetry)
    np.add.at(ties.dealings, slots[has], np.float32(1.0))   # a float64 1.0 takes a 30x slower path
    after = np.full(len(slots), np.nan)
    after[has] = ties.trust(slots[has], base[has])
    for mask, kind in ((kept, EventKind.kept), (broken, EventKind.broken)):
        world.log.append(times[mask], kind, providers[mask], requesters[mask], vouchers[mask],
                         before[mask], after[mask])

    generalized_trust.learn(world, requesters, kept)
    vouching.blame(world, requesters, vouchers, kept)
    # outcomes are stamped with their deadlines; what follows from them happens now, when they land
    now = np.full(len(slots), float(day))
    # the let-down speak up before they walk away: the most disappointed must not fall silent
    speak = testimony.let_down_speak(world, broken)
    testimony.testify(world, requesters[speak], providers[speak], now[speak])
    untie.drop_distrusted(world, slots, now)
