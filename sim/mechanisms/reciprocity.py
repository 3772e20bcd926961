"""Reciprocity (MODEL.md 10): agents remember, per tie, the favours given and received, call them in, and
hold a refusal against whoever owed them. Switch: ``reciprocity.enabled``.

The norm of reciprocity obliges the helped to help those who helped them, and its breach is sanctioned
(Gouldner 1960, "The norm of reciprocity", *American Sociological Review* 25); under direct and indirect
reciprocity, help goes to those who help, and those who only take lose it (Axelrod 1984, *The Evolution
of Cooperation*; Nowak & Sigmund 1998, *Nature* 393; 2005, *Nature* 437). The first case study's third
story puts it in one line: "if you ask a favour, be prepared for that favour to be called in".

- **Favours remembered**: a kept commitment is a favour. The requester's tie to the provider counts it
  ``received``, the provider's tie to the requester (if it has one) ``given``. Favours are remembered as
  long as the tie is: a tie that fades forgets them, as it forgets its evidence.
- **Owed**: on i's tie to j, j owes i while ``given > received``.
- **Called in**: asking, an agent asks first those who owe it: one of its debtors among its live
  contacts, chosen uniformly, when it has any (:func:`debtors_first`, from :mod:`.commitments`).
- **Refused**: a debtor who says no to a favour called in reneges; the requester counts it as
  ``reciprocity.weight`` broken commitments (``weight * trust.asymmetry`` negative units, first-hand), and
  may walk away (:mod:`.untie`). A no from someone who owes nothing moves nothing, as before.
- **Walking away, both ways**: an agent refuses a request from someone it has walked away from (its tie
  to them dropped in distrust): those let down stop helping, not only stop asking (direct reciprocity's
  discriminator, Axelrod 1984; Nowak & Sigmund 1998).

Off, none of this happens and no extra number is drawn: every other stream is as it was.
"""

from __future__ import annotations

import math

import numpy as np

from ..eventlog import EventKind, reserve, write
from ..kernels import kernel
from ..ties import entry, find, key_of, row_range, slot_of, trust
from . import untie


@kernel
def owes(ties, slot: int) -> bool:
    """Whether the target of the tie ``slot`` owes its source a favour (has received more than it gave)."""
    return ties.given[slot] > ties.received[slot]


@kernel
def debtors_first(w, requesters: np.ndarray, slots: np.ndarray, providers: np.ndarray, rng) -> None:
    """Where a requester has live contacts who owe it, ask one of them (uniformly; one draw each, in order)
    instead of the contact drawn at random: ``slots`` and ``providers`` are changed in place."""
    ties, index = w.ties, w.ties.outgoing
    debtors = np.empty(64, dtype=np.int64)
    for i in range(len(requesters)):
        low, high, recent_low, recent_high = row_range(index, requesters[i])
        count = 0
        for pick in range(high - low + recent_high - recent_low):
            slot = entry(index, low, high - low, recent_low, pick)
            if ties.alive[slot] and owes(ties, slot):
                if count == len(debtors):
                    debtors = np.concatenate((debtors, np.empty(count, dtype=np.int64)))
                debtors[count] = slot
                count += 1
        if count > 0:
            chosen = debtors[math.floor(rng.random() * count)]
            slots[i], providers[i] = chosen, ties.target[chosen]


@kernel
def walked_away(ties, source: int, target: int) -> bool:
    """Whether ``source`` dropped its tie to ``target`` in distrust (and has not tied to it again)."""
    slot = slot_of(ties.outgoing, key_of(source, target))
    return slot >= 0 and not ties.alive[slot] and not ties.faded[slot]


@kernel
def refuse_the_shunned(w, requesters: np.ndarray, providers: np.ndarray, accepted: np.ndarray) -> None:
    """A provider says no to a requester it has walked away from (``accepted`` changed in place)."""
    for i in range(len(requesters)):
        if accepted[i] and walked_away(w.ties, providers[i], requesters[i]):
            accepted[i] = False


@kernel
def renege(w, requesters: np.ndarray, providers: np.ndarray, vouchers: np.ndarray, times: np.ndarray,
           declined: np.ndarray) -> np.ndarray:
    """Of the declined requests, those that called in a favour the provider owed: the requester holds it
    against the provider; each is logged as ``renege`` (not ``decline``). Returns which declines reneged."""
    ties, config = w.ties, w.config
    count = len(requesters)
    reneged = np.zeros(count, dtype=np.bool_)
    slots = np.full(count, -1, dtype=np.int64)
    for i in range(count):
        if declined[i]:
            slots[i] = find(ties, requesters[i], providers[i])
            reneged[i] = slots[i] >= 0 and owes(ties, slots[i])
    if not reneged.any():
        return reneged
    weight = config.reciprocity_weight * config.asymmetry
    row = reserve(w.log, reneged.sum(), EventKind.renege)
    for i in np.flatnonzero(reneged):
        slot, base_rate = slots[i], w.people.base_rate[requesters[i]]
        before = trust(ties, slot, base_rate)
        ties.negative[slot] += weight
        ties.own_negative[slot] += weight
        ties.dealings[slot] += np.float32(1.0)
        write(w.log, row, times[i], providers[i], requesters[i], vouchers[i], before, trust(ties, slot, base_rate))
        row += 1
    untie.drop_distrusted(w, slots[reneged], times[reneged])
    return reneged


@kernel
def remember(w, requesters: np.ndarray, providers: np.ndarray, slots: np.ndarray, kept: np.ndarray) -> None:
    """Kept commitments are favours: received on the requester's tie (``slots``, -1: none), given on the
    provider's tie back to the requester, if it has one."""
    ties = w.ties
    for i in range(len(requesters)):
        if not kept[i]:
            continue
        if slots[i] >= 0:
            ties.received[slots[i]] += np.float32(1.0)
        back = find(ties, providers[i], requesters[i])
        if back >= 0:
            ties.given[back] += np.float32(1.0)
