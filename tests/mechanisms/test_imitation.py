"""Imitation: copying the habits of a more-followed agent one follows (sim/mechanisms/imitation.py)."""

from __future__ import annotations

import pytest
from worlds import kinds, tie, world

from sim.mechanisms import imitation
from sim.policies import POLICY_CODE


@pytest.mark.parametrize("rate", [1.0, 0.0])
def test_a_follower_copies_a_more_followed_mentors_promotion_and_policy(rate):
    w = world(3, scenario={"imitation.rate": rate}, imitation=1.0, promotion_rate=0.0)
    tie(w, 0, 1)                      # 0 follows the mentor 1
    tie(w, 2, 1)                      # the mentor has two followers, 0 has none
    w.population.promotion_rate[1] = 0.5
    w.population.vouch_policy[1] = POLICY_CODE["indiscriminate"]
    imitation.imitate(w, 0)
    copied = w.population.promotion_rate[0] == 0.5
    assert copied == bool(rate)
    assert (w.population.vouch_policy[0] == POLICY_CODE["indiscriminate"]) == bool(rate)
    assert kinds(w).count("imitate") == (2 if rate else 0)   # agent 2 copies too


def test_nobody_copies_a_less_followed_agent():
    w = world(3, scenario={"imitation.rate": 1.0}, imitation=1.0)
    tie(w, 0, 1)
    tie(w, 1, 0)
    tie(w, 2, 0)                      # 0 has two followers, 1 has one: 1 copies 0, 0 does not copy 1
    w.population.promotion_rate[:2] = [0.3, 0.7]
    imitation.imitate(w, 0)
    assert w.population.promotion_rate[:2].tolist() == [0.3, 0.3]
