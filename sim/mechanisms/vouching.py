"""Vouching (MODEL.md 2): a seeker k asks a contact v to recommend k to t, one of v's followers who does
not know k; v answers by its vouch policy (:mod:`sim.policies`).

A "yes" is an opinion with belief ``vouching.endorsement``. The audience t discounts it by its referral
opinion of v (:mod:`.transitivity`), adds any hearsay it holds about k, and combines the two with its own
base rate into a first opinion of k. If that reaches ``vouching.tie_threshold``, and t does not distrust
v as a recommender, t ties to k (the opinion enters the tie as pseudo-evidence) and asks k for a
commitment at once.

When that commitment is kept or broken, t's referral evidence about v moves too (:func:`blame`; switch
``vouching.blame``): whoever vouched shares the outcome. A platform campaign multiplies how often agents
seek vouches.
"""

from __future__ import annotations

import numpy as np

from ..eventlog import EventKind, reserve, write
from ..kernels import kernel
from ..ledger import read_one
from ..policies import vouches
from ..ties import find, known, random_ends, trust
from ..totals import VOUCH_BROKEN, VOUCH_KEPT
from ..trust import beta_mean
from ..world import make_ties
from . import commitments, transitivity, untie


@kernel
def campaign_multiplier(w, day: int) -> float:
    """How much running campaigns multiply vouch requests on ``day`` (1 with none)."""
    multiplier = 1.0
    for i in range(w.campaign_count[0]):
        if day < w.campaigns[i, 0]:
            multiplier *= w.campaigns[i, 1]
    return multiplier


@kernel
def seek(w, day: int) -> None:
    """Seekers ask a contact to recommend them to one of that contact's followers who does not know them."""
    people, ties, config, rng = w.people, w.ties, w.config, w.vouching
    agents = people.size[0]
    rate = people.seek_rate[:agents] * campaign_multiplier(w, day)
    # most agents never seek; a rate of 0 draws nothing from the generator, so skipping them keeps
    # the random stream exactly as it would be
    candidates = np.flatnonzero(rate)
    asks = np.empty(len(candidates), dtype=np.int64)
    for i in range(len(candidates)):
        asks[i] = rng.poisson(rate[candidates[i]])
    seekers = np.repeat(candidates, asks)
    if len(seekers) == 0:
        return
    _, vouchers = random_ends(ties, seekers, True, rng)
    referral_slot, audience = random_ends(ties, np.maximum(vouchers, 0), False, rng)
    ok = (vouchers >= 0) & (audience >= 0) & (audience != seekers)
    seekers, vouchers, audience, referral_slot = seekers[ok], vouchers[ok], audience[ok], referral_slot[ok]
    strangers = np.empty(len(seekers), dtype=np.bool_)
    for i in range(len(seekers)):
        strangers[i] = not known(ties, audience[i], seekers[i])
    seekers, vouchers, audience, referral_slot = (seekers[strangers], vouchers[strangers], audience[strangers],
                                                  referral_slot[strangers])
    count = len(seekers)
    if count == 0:
        return
    times = np.empty(count)
    for i in range(count):
        times[i] = day + rng.random()
    yes = answer(w, vouchers, seekers)
    row = reserve(w.log, count - yes.sum(), EventKind.refuse)
    for i in np.flatnonzero(~yes):
        write(w.log, row, times[i], vouchers[i], seekers[i], audience[i])
        row += 1
    seekers, vouchers, audience, referral_slot, times = (seekers[yes], vouchers[yes], audience[yes],
                                                         referral_slot[yes], times[yes])
    count = len(seekers)
    if count == 0:
        return
    for i in range(count):
        w.tallies.vouches_given[vouchers[i]] += 1
        w.tallies.vouched_reliability[vouchers[i]] += people.reliability[seekers[i]]
    first_opinion, positive, negative, believed = endorse(w, audience, seekers, referral_slot)
    row = reserve(w.log, count, EventKind.vouch)
    for i in range(count):
        write(w.log, row + i, times[i], vouchers[i], seekers[i], audience[i], people.base_rate[audience[i]],
              first_opinion[i])
    convinced = believed & (first_opinion >= config.tie_threshold)
    audience, seekers, vouchers, times = audience[convinced], seekers[convinced], vouchers[convinced], times[convinced]
    created = make_ties(w, audience, seekers, positive[convinced], negative[convinced], float(day),
                        np.zeros(len(audience), dtype=np.float32), False)
    commitments.ask(w, audience[created], seekers[created], vouchers[created], times[created])


@kernel
def answer(w, vouchers: np.ndarray, seekers: np.ndarray) -> np.ndarray:
    """Each voucher's yes or no under its own policy, from its own view of the seeker.

    That view is its evidence if it has a tie to the seeker, else its base rate (a first impression).
    """
    people, ties, config = w.people, w.ties, w.config
    yes = np.empty(len(vouchers), dtype=np.bool_)
    for i in range(len(vouchers)):
        voucher = vouchers[i]
        own_slot = find(ties, voucher, seekers[i])
        own_trust, dealings = people.base_rate[voucher], 0.0
        if own_slot >= 0:
            own_trust = trust(ties, own_slot, people.base_rate[voucher])
            dealings = ties.dealings[own_slot]
        yes[i] = vouches(people.vouch_policy[voucher], own_trust, dealings, config.vouch_threshold,
                         config.min_dealings)
    return yes


@kernel
def endorse(w, audience: np.ndarray, seekers: np.ndarray,
            referral_slot: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Transitivity: each audience's first opinion of the recommended seeker, from the voucher's "yes".

    ``referral_slot`` is the audience's tie to the voucher. Returns (first opinion, positive and negative
    evidence behind it, whether the audience believes the voucher at all): the vouch discounted by the
    audience's referral opinion of the voucher, plus any hearsay about the seeker, over the audience's
    base rate. A voucher the audience distrusts as a recommender is not believed.
    """
    config = w.config
    count = len(audience)
    opinion, positive, negative = np.empty(count), np.empty(count), np.empty(count)
    believed = np.empty(count, dtype=np.bool_)
    for i in range(count):
        weight = transitivity.weight(w, referral_slot[i])
        vouched_positive, vouched_negative = transitivity.discounted(weight, config.endorsement, 0.0)
        heard_positive, heard_negative = read_one(w.hearsay, audience[i], seekers[i], w.nights[0])
        positive[i], negative[i] = vouched_positive + heard_positive, vouched_negative + heard_negative
        opinion[i] = beta_mean(positive[i], negative[i], w.people.base_rate[audience[i]])
        believed[i] = not untie.distrusted(transitivity.trust_in(w, referral_slot[i]), config.untie_threshold)
    return opinion, positive, negative, believed


@kernel
def blame(w, requesters: np.ndarray, vouchers: np.ndarray, kept: np.ndarray) -> None:
    """Whoever vouched shares the outcome: the requester's referral evidence about the voucher moves
    (+1 for a kept commitment, ``trust.asymmetry`` negative units for a broken one).

    The tallies behind ``vouch_precision`` count every vouch-led outcome, blame or not.
    """
    tallies, ties, config = w.tallies, w.ties, w.config
    for i in range(len(vouchers)):
        if vouchers[i] < 0:
            continue
        if kept[i]:
            tallies.totals[VOUCH_KEPT] += 1
        else:
            tallies.totals[VOUCH_BROKEN] += 1
            tallies.vouches_failed[vouchers[i]] += 1
        if not config.blame:
            continue
        slot = find(ties, requesters[i], vouchers[i])
        if slot >= 0:
            if kept[i]:
                ties.ref_positive[slot] += 1.0
            else:
                ties.ref_negative[slot] += config.asymmetry
