"""Vouching: transitivity into a first opinion, the tie decision, and voucher blame
(sim/mechanisms/vouching.py, sim/mechanisms/transitivity.py)."""

from __future__ import annotations

import numpy as np
import pytest
from worlds import ids, kinds, tie, world

from sim.mechanisms import vouching

SEEKER, VOUCHER, AUDIENCE = 0, 1, 2


def three(policy: str = "discerning", **scenario) -> tuple:
    """A seeker who follows a voucher, who is followed by an audience that does not know the seeker."""
    w = world(3, scenario={"vouching.endorsement": 0.8, **scenario}, policy=policy, base_rate=0.5, seek_rate=0.0)
    tie(w, SEEKER, VOUCHER)
    referral_slot = tie(w, AUDIENCE, VOUCHER, positive=6.0)       # the audience trusts the voucher to deliver
    return w, referral_slot


def first_opinion(w, referral_slot) -> tuple[float, bool]:
    opinion, _, _, believed = vouching.endorse(w, ids(AUDIENCE), ids(SEEKER), np.array([referral_slot]))
    return float(opinion[0]), bool(believed[0])


def test_an_untested_recommender_is_believed_as_far_as_it_has_been_seen_to_deliver():
    w, slot = three()
    belief = 6.0 / 8.0                                             # the functional opinion's belief, r / (r + s + 2)
    assert first_opinion(w, slot) == (pytest.approx(belief * 0.8 + 0.5 * (1 - belief * 0.8)), True)


@pytest.mark.parametrize("uncertain", [True, False])
def test_a_vouch_from_someone_the_audience_knows_nothing_about(uncertain):
    """The second case study: "do you know this person?" asked of someone who does not. An unknown voucher
    leaves the audience at its prior (no tie); switched off, the prior's share counts as belief."""
    w = world(3, scenario={"vouching.endorsement": 0.8, "vouching.uncertain_referrals": uncertain},
              base_rate=0.6, seek_rate=0.0)
    tie(w, SEEKER, VOUCHER)
    slot = tie(w, AUDIENCE, VOUCHER)                              # follows the voucher, knows nothing of it
    opinion, believed = first_opinion(w, slot)
    if uncertain:
        assert opinion == pytest.approx(0.6)                       # the prior, nothing more
    else:
        assert opinion == pytest.approx(0.6 * 0.8 + 0.6 * (1 - 0.6 * 0.8)) and opinion > 0.75


def test_referral_evidence_moves_how_far_a_vouch_is_believed():
    good, slot = three()
    good.ties.ref_positive[slot] = 5.0
    bad, slot_bad = three()
    bad.ties.ref_negative[slot_bad] = 9.0
    untested, slot_untested = three()
    assert first_opinion(good, slot)[0] > first_opinion(untested, slot_untested)[0] > first_opinion(bad, slot_bad)[0]


def test_a_vouch_from_a_distrusted_recommender_is_not_believed_whatever_the_base_rate():
    w, slot = three()
    w.ties.ref_negative[slot] = 30.0
    w.population.base_rate[AUDIENCE] = 0.9                         # trusts strangers a lot
    _, believed = first_opinion(w, slot)
    assert not believed


def test_without_discounting_a_vouch_is_taken_at_face_value():
    w, slot = three(**{"vouching.discounting": False})
    w.ties.ref_negative[slot] = 30.0
    assert first_opinion(w, slot) == (pytest.approx(0.8 + 0.5 * 0.2), True)


def test_hearsay_about_the_seeker_enters_the_first_opinion():
    w, slot = three()
    clean = first_opinion(w, slot)[0]
    w.hearsay.add(ids(AUDIENCE), ids(SEEKER), np.array([0.0]), np.array([4.0]), w.nights)
    assert first_opinion(w, slot)[0] < clean - 0.1


def test_a_convinced_audience_ties_to_the_seeker_and_asks_at_once():
    w, _ = three(policy="indiscriminate")
    w.population.seek_rate[SEEKER] = 50.0                         # seeks many times: some will reach the audience
    vouching.seek(w, 0)
    assert w.ties.find(ids(AUDIENCE), ids(SEEKER))[0] >= 0
    assert "vouch" in kinds(w)
    log = w.log.columns()
    commit = np.flatnonzero(log["kind"] == 0)[0]
    assert (log["actor"][commit], log["target"][commit], log["subject"][commit]) == (SEEKER, AUDIENCE, VOUCHER)


@pytest.mark.parametrize("blame", [True, False])
def test_whoever_vouched_shares_the_outcome(blame):
    w, _ = three(**{"vouching.blame": blame, "trust.asymmetry": 3.0})
    slot = w.ties.find(ids(AUDIENCE), ids(VOUCHER))[0]
    vouching.blame(w, ids(AUDIENCE, AUDIENCE, AUDIENCE), ids(VOUCHER, VOUCHER, -1), np.array([True, False, False]))
    assert (w.ties.ref_positive[slot], w.ties.ref_negative[slot]) == ((1.0, 3.0) if blame else (0.0, 0.0))
    # vouch precision counts vouch-led outcomes, blame or not
    assert (w.counters.vouch_kept, w.counters.vouch_broken, w.counters.vouches_failed[VOUCHER]) == (1, 1, 1)


def test_a_campaign_multiplies_vouch_requests_while_it_runs():
    w = world(2)
    w.campaigns.append((40.0, 4.0))
    assert vouching.campaign_multiplier(w, 39) == 4.0 and vouching.campaign_multiplier(w, 40) == 1.0
