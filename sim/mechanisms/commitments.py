"""Asking and committing (MODEL.md 1): i asks a contact j for something; j says yes with its acceptance
and commits to a deadline.

An accepted request is filed in the world's deadline book under the day it falls due; the delivery
mechanism (:mod:`.delivery`) resolves it then. Asking uses the tie, yes or no (:mod:`.fading`). With
reciprocity (:mod:`.reciprocity`), those who owe the asker are asked first, and a no from one of them is
held against them.
"""

from __future__ import annotations

import numpy as np

from ..eventlog import EventKind, reserve, write
from ..kernels import kernel
from ..ties import random_ends
from ..world import file
from . import fading, reciprocity


@kernel
def request(w, day: int) -> None:
    """Everyone asks contacts for favours at their own request rate (Poisson per day)."""
    people, rng = w.people, w.commitments
    agents = people.size[0]
    asks = np.empty(agents, dtype=np.int64)
    for agent in range(agents):
        asks[agent] = rng.poisson(people.request_rate[agent])
    requesters = np.repeat(np.arange(agents), asks)
    if len(requesters) == 0:
        return
    slots, providers = random_ends(w.ties, requesters, True, rng)
    if w.config.reciprocity:
        reciprocity.debtors_first(w, requesters, slots, providers, rng)
    ok = providers >= 0
    requesters, providers, slots = requesters[ok], providers[ok], slots[ok]
    times = np.empty(len(requesters))
    for i in range(len(times)):
        times[i] = day + rng.random()
    fading.use(w, slots, times)
    ask(w, requesters, providers, np.full(len(requesters), -1, dtype=np.int64), times)


@kernel
def ask(w, requesters: np.ndarray, providers: np.ndarray, vouchers: np.ndarray, times: np.ndarray) -> None:
    """Providers accept by their acceptance; an accepted request becomes a commitment with a deadline.

    ``vouchers`` names who recommended the provider to the requester (-1: nobody), so that the outcome
    can be laid at the voucher's door too.
    """
    count = len(requesters)
    if count == 0:
        return
    people, config, rng, log = w.people, w.config, w.commitments, w.log
    accepted = np.empty(count, dtype=np.bool_)
    for i in range(count):
        accepted[i] = rng.random() < people.acceptance[providers[i]]
    if config.reciprocity:
        reciprocity.refuse_the_shunned(w, requesters, providers, accepted)
    declined = ~accepted
    if config.reciprocity:                    # a debtor's no is logged as a renege, not a decline
        declined &= ~reciprocity.renege(w, requesters, providers, vouchers, times, declined)
    row = reserve(log, declined.sum(), EventKind.decline)
    for i in np.flatnonzero(declined):
        write(log, row, times[i], providers[i], requesters[i], vouchers[i])
        row += 1
    requesters, providers, vouchers, times = (requesters[accepted], providers[accepted], vouchers[accepted],
                                              times[accepted])
    count = len(requesters)
    if count == 0:
        return
    row = reserve(log, count, EventKind.commit)
    for i in range(count):
        write(log, row + i, times[i], providers[i], requesters[i], vouchers[i])
        people.load[providers[i]] += 1
    due = np.empty(count)
    for i in range(count):
        due[i] = times[i] + rng.uniform(config.duration_min, config.duration_max)
    file(w.book, requesters, providers, vouchers, due)
