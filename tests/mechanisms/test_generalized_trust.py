"""Generalized trust learns from outcomes (sim/mechanisms/generalized_trust.py)."""

from __future__ import annotations

import numpy as np
import pytest
from worlds import ids, world

from sim.mechanisms import generalized_trust


def test_a_kept_promise_raises_trust_in_strangers_and_a_broken_one_lowers_it_harder():
    w = world(3, scenario={"trust.generalized_learning": 0.1, "trust.asymmetry": 3.0}, base_rate=0.5)
    generalized_trust.learn(w, ids(0, 1, 1), np.array([True, False, False]))
    base = w.population.base_rate
    assert base[0] == pytest.approx(1 - 0.5 * 0.9)                 # pulled toward 1 by 10%
    assert base[1] == pytest.approx(0.5 * 0.9 ** (3 * 2))          # two broken, three times as hard each
    assert base[2] == 0.5                                            # saw nothing


def test_no_learning_when_switched_off():
    w = world(2, scenario={"trust.generalized_learning": 0.0}, base_rate=0.6)
    generalized_trust.learn(w, ids(0, 1), np.array([True, False]))
    np.testing.assert_array_equal(w.population.base_rate[:2], [0.6, 0.6])
