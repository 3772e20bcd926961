"""The memory estimate: the instant bound holds every shipped scenario's real counts; the pilot's measurement
holds a larger run's, and lets through a run the bound alone would refuse."""

from __future__ import annotations

import pytest

from sim import Simulation, load_scenario, resources
from sim.config import available
from sim.errors import TrustsimError


def counts(sim: Simulation) -> dict[str, int]:
    world = sim.world
    return {"ties": world.ties.slots, "events": len(world.log), "hearsay": len(world.hearsay) + len(world.told)}


@pytest.mark.parametrize("name", available())
def test_the_bound_holds_every_shipped_scenarios_real_counts(name):
    # newcomers, reforms and imitation included: mentor_mimicry's imitators copy the mentors' promotion
    # rate, and its newcomers' posts reach the hubs' followings
    scenario = load_scenario(name, {"simulation.agents": 300})
    bound = resources.estimate(scenario)
    real = counts(Simulation(scenario).run())
    assert bound.ties >= real["ties"] and bound.events >= real["events"] and bound.hearsay >= real["hearsay"], (
        bound, real)


@pytest.mark.parametrize("name", ["baseline", "mentor_mimicry"])
def test_a_pilot_of_a_quarter_of_the_agents_measures_above_the_real_run(name):
    scenario = load_scenario(name, {"simulation.agents": 2_000})
    found = resources.measured(scenario, pilot_agents=500)
    real = counts(Simulation(scenario).run())
    assert found.pilot == 500
    for what in ("ties", "events", "hearsay"):
        # above the real count, and by no more than the margin and the noise of a smaller sample
        assert real[what] <= getattr(found, what) <= 1.6 * real[what], (what, found, real)
    assert found.bytes < resources.estimate(scenario).bytes


def test_a_run_the_bound_refuses_is_measured_before_it_is_refused(monkeypatch):
    scenario = load_scenario("baseline", {"simulation.agents": 1_000_000})
    bound, found = resources.estimate(scenario), resources.measured(scenario)
    assert found.bytes < 0.75 * bound.bytes
    room = (found.bytes + bound.bytes) / 2 / resources.HEADROOM      # enough for the measured size, not the bound
    monkeypatch.setattr(resources, "available", lambda: int(room))
    assert resources.check_fits(scenario).pilot == resources.PILOT_AGENTS
    monkeypatch.setattr(resources, "available", lambda: int(0.9 * found.bytes / resources.HEADROOM))
    with pytest.raises(resources.TooLarge, match=r"cannot fit in memory: .*measured on a 2,000-agent run"):
        resources.check_fits(scenario, "here")
    assert issubclass(resources.TooLarge, TrustsimError)


def test_a_small_run_is_judged_by_the_bound_alone(monkeypatch):
    scenario = load_scenario("baseline", {"simulation.agents": resources.PILOT_AGENTS})
    monkeypatch.setattr(resources, "measured", lambda _: pytest.fail("a pilot as large as the run is no pilot"))
    monkeypatch.setattr(resources, "available", lambda: 1)
    with pytest.raises(resources.TooLarge, match="cannot fit in memory"):
        resources.check_fits(scenario)
