"""The spin-up: days -spin_up to -1 are simulated and not recorded, so that day 0 is already settled
(sim/engine.py, MODEL.md "A steady state")."""

from __future__ import annotations

import numpy as np
import pytest

from sim import Simulation, frame, load_scenario


def run(spin_up: int, days: int = 20, **overrides) -> Simulation:
    return Simulation(load_scenario("baseline", {"simulation.agents": 300, "simulation.days": days,
                                                 "simulation.spin_up": spin_up, **overrides}))


def test_day_zero_is_the_world_after_the_spin_up_and_nothing_of_it_is_recorded():
    sim = run(200)
    assert sim.day == 0 and (sim.log.columns()["time"] >= 0).all()   # day 0's own actions only
    assert sim.world.counters.ties_broken == 0 and sim.world.counters.ties_faded == 0
    created = sim.world.ties.created[: sim.world.ties.slots]
    assert created.min() == -200 and (created > -200).any()      # the seed graph, then ties made since
    cold = run(0)
    assert sim.metrics_history()["evidence_weight"][0] != cold.metrics_history()["evidence_weight"][0]
    sim.run()
    assert (frame(sim, "events")["time"] >= 0).all()               # outcomes due by day 0 stayed in it


def test_a_spun_up_run_is_the_same_however_it_is_chunked():
    whole = run(60, days=30).run()
    stepped = run(60, days=30)
    while not stepped.finished:
        stepped.advance(7)
    for name in ("metrics", "events", "edges"):
        assert frame(whole, name).equals(frame(stepped, name))


def test_scenario_events_wait_for_day_zero():
    sim = Simulation(load_scenario("mentor_mimicry", {"simulation.agents": 300, "simulation.days": 80,
                                                     "simulation.spin_up": 100}))
    influx = next(e for e in sim.scenario.events if e.kind == "influx")
    assert sim.population.size == 300
    sim.advance(int(influx.day) + 1)
    assert sim.population.size > 300


@pytest.mark.parametrize("spin_up", [0, 365])
def test_spin_up_settles_generalized_trust(spin_up):
    """From the seed graph, trust in strangers falls for a year as agents learn what strangers are like;
    after a year's spin-up it has already settled by day 0. (A test of the switch: with spin_up = 0 the
    drift is there.)"""
    sim = run(spin_up, days=120).run()
    series = sim.metrics_history()["generalized_trust"]
    drift = abs(series[-1] - series[0])
    assert (drift < 0.02) if spin_up else (drift > 0.03)
    assert np.isfinite(series).all()
