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


def test_the_daily_row_is_each_measure_computed_on_its_own():
    """The day's compiled call writes every measure in one go (:func:`network_row`, written out by hand):
    each column must be the measure of that name, computed alone."""
    from sim import Simulation, load_scenario
    from sim.measures import ARCHETYPE_MEASURES, NETWORK_MEASURES, archetype_table, network_row

    sim = Simulation(load_scenario("broken_promises", {"simulation.agents": 200, "simulation.days": 30})).run()
    world = sim.world.compiled
    row = np.zeros(len(NETWORK_MEASURES))
    network_row(world, row)
    alone = [m.compute(world) for m in NETWORK_MEASURES]
    np.testing.assert_array_equal(row, alone)
    assert row.tolist()[:1] == [sim.metrics_history()["mean_trust"][-1]]
    table = np.zeros((len(sim.scenario.archetypes), len(ARCHETYPE_MEASURES)))
    archetype_table(world, table)
    np.testing.assert_array_equal(table, np.column_stack([m.compute(world) for m in ARCHETYPE_MEASURES]))
