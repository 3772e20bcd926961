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

from .. import policies
from ..eventlog import EventKind
from ..trust import expectation
from ..world import World
from . import commitments, transitivity, untie


def campaign_multiplier(world: World, day: int) -> float:
    """How much running campaigns multiply vouch requests on ``day`` (1 with none)."""
    multiplier = 1.0
    for end, factor in world.campaigns:
        if day < end:
            multiplier *= factor
    return multiplier


def seek(world: World, day: int) -> None:
    """Seekers ask a contact to recommend them to one of that contact's followers who does not know them."""
    people, ties, config, rng = world.population, world.ties, world.scenario.vouching, world.streams.vouching
    rate = people.view("seek_rate") * campaign_multiplier(world, day)
    # most agents never seek; a rate of 0 draws nothing from the generator, so skipping them keeps
    # the random stream exactly as it would be
    candidates = np.flatnonzero(rate)
    seekers = np.repeat(candidates, rng.poisson(rate[candidates]))
    if seekers.size == 0:
        return
    _, vouchers = ties.random_contact(seekers, rng)
    referral_slot, audience = ties.random_follower(np.maximum(vouchers, 0), rng)
    ok = (vouchers >= 0) & (audience >= 0) & (audience != seekers)
    seekers, vouchers, audience, referral_slot = seekers[ok], vouchers[ok], audience[ok], referral_slot[ok]
    strangers = ~ties.known(audience, seekers)
    seekers, vouchers, audience, referral_slot = (seekers[strangers], vouchers[strangers],
                                                  audience[strangers], referral_slot[strangers])
    if seekers.size == 0:
        return
    times = day + rng.random(len(seekers))
    yes = answer(world, vouchers, seekers)
    no = ~yes
    world.log.append(times[no], EventKind.refuse, vouchers[no], seekers[no], audience[no])
    seekers, vouchers, audience, referral_slot, times = (seekers[yes], vouchers[yes], audience[yes],
                                                         referral_slot[yes], times[yes])
    if seekers.size == 0:
        return
    np.add.at(world.counters.vouches_given, vouchers, 1)
    np.add.at(world.counters.vouched_reliability, vouchers, people.reliability[seekers])
    first_opinion, positive, negative, believed = endorse(world, audience, seekers, referral_slot)
    world.log.append(times, EventKind.vouch, vouchers, seekers, audience, people.base_rate[audience],
                     first_opinion)
    convinced = believed & (first_opinion >= config.tie_threshold)
    audience, seekers, vouchers, times = (audience[convinced], seekers[convinced], vouchers[convinced],
                                          times[convinced])
    created = world.tie(audience, seekers, positive[convinced], negative[convinced], day)
    commitments.ask(world, audience[created], seekers[created], vouchers[created], times[created])


def answer(world: World, vouchers: np.ndarray, seekers: np.ndarray) -> np.ndarray:
    """Each voucher's yes or no under its own policy, from its own view of the seeker.

    That view is its evidence if it has a tie to the seeker, else its base rate (a first impression).
    """
    people, ties = world.population, world.ties
    own_slot = ties.find(vouchers, seekers)
    has = own_slot >= 0
    own_trust = people.base_rate[vouchers].copy()
    own_trust[has] = ties.trust(own_slot[has], people.base_rate[vouchers[has]])
    dealings = np.zeros(len(seekers))
    dealings[has] = ties.dealings[own_slot[has]]
    return policies.decide(people.vouch_policy[vouchers], own_trust, dealings, world.scenario.vouching)


def endorse(world: World, audience: np.ndarray, seekers: np.ndarray,
            referral_slot: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Transitivity: each audience's first opinion of the recommended seeker, from the voucher's "yes".

    ``referral_slot`` is the audience's tie to the voucher. Returns (first opinion, positive and negative
    evidence behind it, whether the audience believes the voucher at all): the vouch discounted by the
    audience's referral opinion of the voucher, plus any hearsay about the seeker, over the audience's
    base rate. A voucher the audience distrusts as a recommender is not believed.
    """
    weight = transitivity.referral_weight(world, referral_slot)
    positive, negative = transitivity.discounted_evidence(weight, world.scenario.vouching.endorsement, 0.0)
    heard_positive, heard_negative = world.hearsay.read(audience, seekers, world.nights)
    positive, negative = positive + heard_positive, negative + heard_negative
    opinion = expectation(positive, negative, world.population.base_rate[audience])
    believed = ~untie.distrusted(transitivity.referral_trust(world, referral_slot), world)
    return opinion, positive, negative, believed


def blame(world: World, requesters: np.ndarray, vouchers: np.ndarray, kept: np.ndarray) -> None:
    """Whoever vouched shares the outcome: the requester's referral evidence about the voucher moves
    (+1 for a kept commitment, ``trust.asymmetry`` negative units for a broken one).

    The tallies behind ``vouch_precision`` count every vouch-led outcome, blame or not.
    """
    led = vouchers >= 0
    if not led.any():
        return
    counters, ties = world.counters, world.ties
    requesters, vouchers, kept = requesters[led], vouchers[led], kept[led]
    counters.vouch_kept += int(kept.sum())
    counters.vouch_broken += int((~kept).sum())
    np.add.at(counters.vouches_failed, vouchers[~kept], 1)
    if not world.scenario.vouching.blame:
        return
    slots = ties.find(requesters, vouchers)
    has = slots >= 0
    np.add.at(ties.ref_positive, slots[has & kept], 1.0)
    np.add.at(ties.ref_negative, slots[has & ~kept], world.scenario.trust.asymmetry)
