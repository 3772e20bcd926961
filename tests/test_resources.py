"""The memory estimate: the instant bound holds the real counts of every shipped scenario and of hostile
ones; the pilot's measurement holds a larger run's, and lets through a run the bound alone would refuse."""

from __future__ import annotations

import pytest

from sim import Simulation, load_scenario, resources
from sim.config import available
from sim.engine import pilot_counts
from sim.errors import TrustsimError

# scenarios written to break the bound (each was above it once: a review found them). Two more it found are
# known gaps, named in sim/resources.py: promises broken by overload alone, a testimony after heavy vouching
HOSTILE = {
    # overlapping campaigns multiply their multipliers
    "campaigns": 'extends = "indiscriminate_vouching"\n' + 3 * (
        '[[events]]\nday = 0\nkind = "campaign"\nduration = 365\nmultiplier = 10.0\n'),
    # one recorded day, its rows all written by the scenario's events
    "reforms": 'extends = "baseline"\n[simulation]\ndays = 1\n' + "".join(
        f'[[events]]\nday = 0\nkind = "reform"\narchetype = "steady"\ntraits = {{ reliability = 0.9{i} }}\n'
        for i in range(5)),
    "influx": 'extends = "baseline"\n[simulation]\ndays = 1\n'
              '[[events]]\nday = 0\nkind = "influx"\narchetype = "steady"\nfraction = 5.0\n',
}


def counts(sim: Simulation) -> dict[str, int]:
    world = sim.world
    return {"ties": world.ties.slots, "events": len(world.log), "hearsay": len(world.hearsay) + len(world.told)}


def assert_bounded(scenario, each: bool = True) -> None:
    """The bound's memory holds the real run's (its counts at the same bytes each); ``each``: so does every
    count of the bound (tie slots, events, hearsay)."""
    bound = resources.estimate(scenario)
    real = counts(Simulation(scenario).run())
    size = resources._bytes(bound.agents, real["ties"], real["events"], real["hearsay"], scenario.simulation.days, 0)
    assert bound.bytes >= size, (bound, real)
    if each:
        assert bound.ties >= real["ties"] and bound.events >= real["events"] and bound.hearsay >= real["hearsay"], (
            bound, real)


@pytest.mark.parametrize("name", available())
def test_the_bound_holds_every_shipped_scenarios_real_counts(name):
    # newcomers, reforms and imitation included: mentor_mimicry's imitators copy the mentors' promotion
    # rate, and its newcomers' posts reach the hubs' followings
    assert_bounded(load_scenario(name, {"simulation.agents": 300}))


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_the_bound_holds_hostile_scenarios_real_counts(name, tmp_path):
    path = tmp_path / f"{name}.toml"
    path.write_text(HOSTILE[name])
    # in memory, not count by count: a campaign's piled-up ties reach more hearsay than the bound counts,
    # but its ties and events are bounded many times over
    assert_bounded(load_scenario(str(path), {"simulation.agents": 300}), each=name != "campaigns")


# promoters whose followings, in a small pilot, run out of strangers to win (hearsay per agent grows with N)
HUBS = 'extends = "baseline"\n[promotion]\nreach = 20\nfollow_base = 0.1\n[archetypes.flaky]\npromotion_rate = 1.0\n'


@pytest.mark.parametrize("name", ["baseline", "mentor_mimicry", "hubs"])
def test_a_pilot_of_a_quarter_of_the_agents_measures_above_the_real_run(name, tmp_path):
    """Above the real counts always, and never above the bound. Where counts grow in proportion to the agents
    (baseline's tie slots and events) it is close: no more than the margin and a small sample's noise above. Where they grow faster
    (hubs whose followings a small network caps), the growth from the smaller pilot to the larger is carried
    on, which may overshoot (the growth slows in larger networks): that errs on the side of refusing."""
    if name == "hubs":
        (tmp_path / "hubs.toml").write_text(HUBS)
        name = str(tmp_path / "hubs.toml")
    scenario = load_scenario(name, {"simulation.agents": 2_000})
    found = resources.measured(scenario, pilot_counts, pilot_agents=500)
    real = counts(Simulation(scenario).run())
    bound = resources.estimate(scenario)
    assert found.pilot == 500
    for what in ("ties", "events", "hearsay"):
        assert real[what] <= getattr(found, what) <= getattr(bound, what), (what, found, real)
        if name == "baseline" and what != "hearsay":    # (between pilots this small, its hearsay per agent grows)
            assert getattr(found, what) <= 1.6 * real[what], (what, found, real)
    assert found.bytes < bound.bytes


def test_a_pilot_holds_about_its_agents_newcomers_included():
    """An influx of millions into a network of 20,000 makes a pilot of 2,000 in all, not one of millions."""
    scenario = load_scenario("mentor_mimicry", {"simulation.agents": 20_000,
                                                "events": [{"day": 60, "kind": "influx", "archetype": "newcomer",
                                                            "count": 4_000_000}]})
    pilot = resources._pilot(scenario, resources.PILOT_AGENTS)
    assert abs(pilot.capacity() - resources.PILOT_AGENTS) <= 2
    assert pilot.simulation.agents == 10 and pilot.events[0].count == 1990


def test_a_run_the_bound_refuses_is_measured_before_it_is_refused(monkeypatch):
    scenario = load_scenario("baseline", {"simulation.agents": 1_000_000})
    bound, found = resources.estimate(scenario), resources.measured(scenario, pilot_counts)
    assert found.bytes < 0.75 * bound.bytes
    room = (found.bytes + bound.bytes) / 2 / resources.HEADROOM      # enough for the measured size, not the bound
    monkeypatch.setattr(resources, "available", lambda: int(room))
    assert resources.check_fits(scenario, count=pilot_counts).pilot == resources.PILOT_AGENTS
    monkeypatch.setattr(resources, "available", lambda: int(0.9 * found.bytes / resources.HEADROOM))
    with pytest.raises(resources.TooLarge, match=r"cannot fit in memory: .*measured on a 2,000-agent run"):
        resources.check_fits(scenario, "here", count=pilot_counts)
    assert issubclass(resources.TooLarge, TrustsimError)


def test_a_run_not_ten_times_the_pilot_is_judged_by_the_bound_alone(monkeypatch):
    scenario = load_scenario("baseline", {"simulation.agents": resources.PILOT_SMALLER * resources.PILOT_AGENTS - 1})
    monkeypatch.setattr(resources, "measured", lambda *_: pytest.fail("a pilot nearly as large as the run is no pilot"))
    monkeypatch.setattr(resources, "available", lambda: int(resources.estimate(scenario).bytes))
    with pytest.raises(resources.TooLarge, match="cannot fit in memory"):
        resources.check_fits(scenario, count=pilot_counts)


def test_the_dashboards_fields_are_judged_by_the_bound_alone(monkeypatch):
    """A pilot takes seconds: on a key press the screen would freeze for them."""
    from tui.params import validate

    scenario = load_scenario("baseline", {"simulation.agents": 1_000_000})
    monkeypatch.setattr(resources, "measured", lambda *_: pytest.fail("a pilot ran on the screen's thread"))
    monkeypatch.setattr(resources, "available", lambda: int(resources.estimate(scenario).bytes))
    made, errors = validate("baseline", {"simulation.agents": "1000000"})
    assert made is None and "cannot fit in memory" in errors["simulation.agents"]


def test_a_run_whose_tables_cannot_be_written_is_refused_before_it_starts(monkeypatch, tmp_path, capsys):
    """Writing a run's tables takes memory too (a million agents' events table is about as large as the
    run): a run that fits but whose tables would not is refused up front with --out, and runs without."""
    from sim.cli import main

    args = ["run", "baseline", "--agents", "3000", "--days", "5", "--quiet"]
    scenario = load_scenario("baseline", {"simulation.agents": 3000, "simulation.days": 5})
    bound = resources.estimate(scenario)
    room = (bound.bytes + resources.export_bytes(bound) / 2) / resources.HEADROOM   # the run fits, its tables not
    monkeypatch.setattr(resources, "available", lambda: int(room))
    resources.check_fits(scenario)
    with pytest.raises(resources.TooLarge, match=r"cannot fit in memory: .*, and writing its tables about \d+ MiB"):
        resources.check_fits(scenario, exporting=True)
    out = tmp_path / "run"
    assert main([*args, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "cannot fit in memory" in err and "writing its tables" in err and err.count("\n") == 1, err
    assert not out.exists()
    assert main(args) == 0


@pytest.mark.parametrize("name", ["baseline", "mentor_mimicry"])
def test_the_check_counts_more_than_the_largest_table_takes(name):
    """The tables are built and written one at a time: the largest (with the events' time order) is what
    writing them adds to the run, and :func:`resources.export_bytes` holds it."""
    from sim.exports import TABLES, frame

    scenario = load_scenario(name, {"simulation.agents": 2000, "simulation.days": 120})
    sim = Simulation(scenario).run()
    real = counts(sim)
    size = resources.Estimate(resources.estimate(scenario).agents, real["ties"], real["events"], real["hearsay"], 0)
    taken = {table: frame(sim, table).estimated_size() + (8 * real["events"] if table == "events" else 0)
             for table in TABLES}
    assert resources.export_bytes(size) >= max(taken.values()), taken
