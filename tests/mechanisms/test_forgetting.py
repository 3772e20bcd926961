"""Forgetting: evidence decays by λ each night, after the day's sample has read it
(sim/mechanisms/forgetting.py, sim/ledger.py)."""

from __future__ import annotations

import numpy as np
import pytest
from worlds import ids, tie, world

from sim.mechanisms import forgetting


@pytest.mark.parametrize("forget", [0.9, 1.0])
def test_evidence_decays_by_lambda_after_being_read(forget):
    w = world(2, scenario={"trust.forgetting": forget})
    slot = tie(w, 0, 1, positive=4.0, negative=2.0)
    w.ties.ref_positive[slot], w.ties.ref_negative[slot] = 1.0, 3.0
    sums = forgetting.tie_sums(w, forgetting.daily_factor(w, 0))
    assert sums.trust_sum == pytest.approx((4 + 1) / 8)           # read before forgetting
    evidence = [w.ties.positive[slot], w.ties.negative[slot], w.ties.ref_positive[slot], w.ties.ref_negative[slot]]
    np.testing.assert_allclose(evidence, np.array([4.0, 2.0, 1.0, 3.0]) * forget)
    assert w.nights == (1 if forget != 1.0 else 0)


def test_nothing_is_forgotten_after_the_last_day():
    w = world(2, scenario={"trust.forgetting": 0.9})
    assert forgetting.daily_factor(w, w.scenario.simulation.days) == 1.0
    assert forgetting.daily_factor(w, w.scenario.simulation.days - 1) == 0.9


def test_hearsay_fades_at_the_rate_of_tie_evidence():
    w = world(3, scenario={"trust.forgetting": 0.9})
    slot = tie(w, 0, 1, negative=5.0)
    w.hearsay.add(ids(2), ids(1), np.array([0.0]), np.array([5.0]), w.nights)
    for day in range(4):
        forgetting.tie_sums(w, forgetting.daily_factor(w, day))
    _, heard = w.hearsay.read(ids(2), ids(1), w.nights)
    assert heard[0] == pytest.approx(w.ties.negative[slot]) == pytest.approx(5.0 * 0.9 ** 4)
