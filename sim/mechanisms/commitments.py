"""Asking and committing (MODEL.md 1): i asks a contact j for something; j says yes with its acceptance
and commits to a deadline.

An accepted request is filed in the world's deadline book under the day it falls due; the delivery
mechanism (:mod:`.delivery`) resolves it then. Asking uses the tie, yes or no (:mod:`.fading`).
"""

from __future__ import annotations

import numpy as np

from ..eventlog import EventKind
from ..world import Commitments, World
from . import fading


def request(world: World, day: int) -> None:
    """Everyone asks contacts for favours at their own request rate (Poisson per day)."""
    people, rng = world.population, world.streams.commitments
    requesters = np.repeat(np.arange(people.size), rng.poisson(people.view("request_rate")))
    if requesters.size == 0:
        return
    slots, providers = world.ties.random_contact(requesters, rng)
    ok = providers >= 0
    requesters, providers, slots = requesters[ok], providers[ok], slots[ok]
    times = day + rng.random(len(requesters))
    fading.use(world, slots, times)
    ask(world, requesters, providers, np.full(len(requesters), -1), times)


def ask(world: World, requesters: np.ndarray, providers: np.ndarray, vouchers: np.ndarray,
        times: np.ndarray) -> None:
    """Providers accept by their acceptance; an accepted request becomes a commitment with a deadline.

    ``vouchers`` names who recommended the provider to the requester (-1: nobody), so that the outcome
    can be laid at the voucher's door too.
    """
    if requesters.size == 0:
        return
    people, config, rng = world.population, world.scenario.commitments, world.streams.commitments
    accepted = rng.random(len(requesters)) < people.acceptance[providers]
    declined = ~accepted
    world.log.append(times[declined], EventKind.decline, providers[declined], requesters[declined],
                     vouchers[declined])
    requesters, providers, vouchers, times = (requesters[accepted], providers[accepted],
                                              vouchers[accepted], times[accepted])
    if requesters.size == 0:
        return
    world.log.append(times, EventKind.commit, providers, requesters, vouchers)
    np.add.at(people.load, providers, 1)
    due = times + rng.uniform(config.duration_min, config.duration_max, len(times))
    world.deadlines.file(Commitments(requesters, providers, vouchers, due))
