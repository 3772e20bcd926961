"""Delivering: keep or break at the deadline, overload, asymmetric evidence (sim/mechanisms/delivery.py)."""

from __future__ import annotations

import numpy as np
import pytest
from worlds import ids, kinds, tie, world

from sim.mechanisms import delivery
from sim.world import Commitments


def due(requesters, providers, vouchers=None) -> Commitments:
    requesters, providers = np.asarray(requesters), np.asarray(providers)
    vouchers = np.full(len(requesters), -1) if vouchers is None else np.asarray(vouchers)
    return Commitments(requesters, providers, vouchers, np.full(len(requesters), 5.0))


@pytest.mark.parametrize(("asymmetry", "reliability", "positive", "negative"),
                         [(3.0, 1.0, 1.0, 0.0), (3.0, 0.0, 0.0, 3.0), (1.0, 0.0, 0.0, 1.0)])
def test_a_kept_promise_adds_one_and_a_broken_one_adds_asymmetry(asymmetry, reliability, positive, negative):
    w = world(2, scenario={"trust.asymmetry": asymmetry, "trust.untie": False, "testimony.enabled": False},
              reliability=reliability)
    slot = tie(w, 0, 1)
    w.population.load[1] = 1
    delivery.resolve(w, 5, *due([0], [1]))
    assert (w.ties.positive[slot], w.ties.negative[slot], w.ties.dealings[slot]) == (positive, negative, 1.0)
    assert w.population.load[1] == 0
    assert w.counters.promises_kept[1] == positive and w.counters.promises_broken[1] == (reliability == 0)


def test_overload_makes_a_provider_above_capacity_break_in_proportion():
    """400 providers carrying four commitments each with capacity 1: each is kept with chance 1/4."""
    providers = 400
    for overload, expected in ((True, 0.25), (False, 1.0)):
        w = world(2 * providers, scenario={"commitments.overload": overload, "trust.untie": False,
                                           "testimony.enabled": False}, reliability=1.0, capacity=1.0)
        requesters = np.arange(providers)
        provider_ids = np.arange(providers, 2 * providers)
        w.tie(requesters, provider_ids, 0.0, 0.0, 0.0)
        w.population.load[provider_ids] = 4
        delivery.resolve(w, 5, *due(np.repeat(requesters, 4), np.repeat(provider_ids, 4)))
        kept = w.counters.promises_kept[provider_ids].sum() / (4 * providers)
        assert kept == pytest.approx(expected, abs=0.04), overload


def test_outcomes_are_logged_with_trust_before_and_after():
    w = world(2, scenario={"trust.untie": False, "testimony.enabled": False}, reliability=0.0)
    tie(w, 0, 1, positive=2.0)
    delivery.resolve(w, 5, *due([0], [1]))
    log = w.log.columns()
    assert log["kind"][0] == 3 and log["actor"][0] == 1 and log["target"][0] == 0
    assert log["trust_before"][0] == pytest.approx((2 + 1.0) / 4)        # (r + 2a) / (r + s + 2), a = 0.5
    assert log["trust_after"][0] == pytest.approx((2 + 1.0) / 7)


def test_a_let_down_requester_can_testify_and_walk_away():
    w = world(3, scenario={"testimony.probability": 1.0}, reliability=0.0)
    tie(w, 0, 1, negative=3.0)          # already doubtful: one more broken promise drops the tie
    tie(w, 2, 0, positive=5.0)          # agent 2 follows the let-down requester
    tie(w, 2, 1)                        # ... and knows the provider
    delivery.resolve(w, 5, *due([0], [1]))
    assert "testify" in kinds(w)
    assert w.ties.negative[w.ties.find(ids(2), ids(1))[0]] > 0   # the follower heard about it
    assert w.ties.find(ids(0), ids(1))[0] == -1                    # and the requester walked away
    assert w.counters.ties_broken == 1
