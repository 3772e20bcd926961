"""Promotion and following: social proof, first impressions, new followers who ask
(sim/mechanisms/promotion.py)."""

from __future__ import annotations

import numpy as np
import pytest
from worlds import ids, kinds, world

from sim.mechanisms import promotion


def followed(w, agent: int, followers: int) -> None:
    w.population.followers[agent] = followers


@pytest.mark.parametrize("bias_switch", [True, False])
def test_a_large_following_raises_a_first_impression_by_the_viewers_popularity_bias(bias_switch):
    w = world(3, scenario={"promotion.follower_scale": 100.0, "promotion.impression_bias": bias_switch},
              base_rate=0.5)
    w.population.popularity_bias[:3] = [0.0, 0.5, 1.0]
    followed(w, 2, 100)                                             # saturated social proof
    trust, positive = promotion.first_impression(w, ids(0, 1, 1), ids(2, 2, 0))
    if bias_switch:
        np.testing.assert_allclose(trust, [0.5, 0.75, 0.5])         # a + bias * proof * (1 - a)
        np.testing.assert_allclose((positive + 1.0) / (positive + 2.0), trust)   # the pseudo-evidence agrees
    else:
        np.testing.assert_allclose(trust, [0.5, 0.5, 0.5])
        assert not positive.any()


def test_social_proof_grows_with_followers_and_saturates():
    w = world(4, scenario={"promotion.follower_scale": 100.0})
    w.population.followers[:4] = [0, 9, 100, 10_000]
    proof = promotion.social_proof(w, ids(0, 1, 2, 3))
    assert proof[0] == 0 and 0 < proof[1] < proof[2] == proof[3] == 1.0


def promoter_world(**scenario):
    w = world(200, scenario={"promotion.reach": 50, "promotion.follow_base": 1.0, **scenario},
              popularity_bias=0.5, acceptance=1.0)
    w.population.promotion_rate[0] = 5.0
    return w


@pytest.mark.parametrize("enabled", [True, False])
def test_strangers_reached_by_a_broadcast_follow_and_ask_at_once(enabled):
    w = promoter_world(**{"promotion.enabled": enabled})
    promotion.promote(w, 0)
    if not enabled:
        assert w.population.followers[0] == 0 and len(w.log) == 0
        return
    followers = w.population.followers[0]
    assert followers > 50
    logged = kinds(w)
    assert logged.count("follow") == followers and logged.count("commit") == followers   # acceptance 1
    assert w.population.load[0] == followers


def test_a_forewarned_stranger_thinks_less_of_the_promoter_and_one_who_distrusts_it_does_not_follow():
    clean = promoter_world()
    promotion.promote(clean, 0)
    warned = promoter_world()
    strangers = np.arange(1, 200)
    warned.hearsay.add(strangers, np.zeros(199, dtype=np.int64), np.zeros(199), np.full(199, 0.5), 0)
    promotion.promote(warned, 0)
    follows = lambda w: w.log.columns()["trust_after"][w.log.columns()["kind"] == 7]   # noqa: E731
    assert len(follows(warned)) > 50
    assert follows(warned).max() < follows(clean).min() - 0.05     # (0 + 2a) / (0.5 + 2) against a
    distrusting = promoter_world()
    distrusting.hearsay.add(strangers, np.zeros(199, dtype=np.int64), np.zeros(199), np.full(199, 10.0), 0)
    promotion.promote(distrusting, 0)
    assert distrusting.population.followers[0] == 0


def test_every_stranger_who_heard_the_pitch_counts_in_its_first_impression_followers_or_not():
    """The promote event records the mean first impression of all the strangers a broadcast reached: a
    warning that keeps some from following still shows there (no selection by who followed)."""
    pitch = lambda w: w.log.columns()["trust_after"][w.log.columns()["kind"] == 6]   # noqa: E731
    strangers = np.arange(1, 200)
    distrusting = promoter_world()
    distrusting.hearsay.add(strangers, np.zeros(199, dtype=np.int64), np.zeros(199), np.full(199, 10.0), 0)
    promotion.promote(distrusting, 0)
    clean = promoter_world()
    promotion.promote(clean, 0)
    assert distrusting.population.followers[0] == 0                 # nobody followed ...
    heard = pitch(distrusting)
    assert len(heard) > 0 and np.isfinite(heard).all()              # ... yet every broadcast was heard
    assert heard.max() < pitch(clean).min() - 0.2                   # and thought less of
