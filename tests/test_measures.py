"""Network measures against hand-computed values."""

from __future__ import annotations

import numpy as np
import pytest

from sim.measures import gini, rank_average, spearman


def test_rank_average_gives_ties_their_mean_rank():
    assert rank_average(np.array([10.0, 20.0, 20.0, 5.0])).tolist() == [1.0, 2.5, 2.5, 0.0]


def test_spearman_hand_values():
    assert spearman(np.array([1.0, 2, 3, 4]), np.array([10.0, 20, 30, 40])) == pytest.approx(1.0)
    assert spearman(np.array([1.0, 2, 3, 4]), np.array([4.0, 3, 2, 1])) == pytest.approx(-1.0)
    # ranks x = 0,1,2,3 ; y = 1,0,3,2 -> centred dot = (-1.5)(-0.5)+(-0.5)(-1.5)+(0.5)(1.5)+(1.5)(0.5) = 3 ; var = 5
    assert spearman(np.array([1.0, 2, 3, 4]), np.array([2.0, 1, 4, 3])) == pytest.approx(0.6)
    assert np.isnan(spearman(np.array([1.0, 1, 1]), np.array([1.0, 2, 3])))


def test_gini_hand_values():
    assert gini(np.array([5, 5, 5, 5])) == 0.0
    # one of four holds everything: (2*4 - 4 - 1) * x / (4 * x) = 3/4
    assert gini(np.array([0, 0, 0, 8])) == pytest.approx(0.75)
    assert gini(np.array([0, 0])) == 0.0
