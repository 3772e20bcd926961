"""Hypotheses as data: kinds, registration and amendments (sim/hypotheses.py), and the measures that
read the statements they test (sim/observables.py)."""

from __future__ import annotations

import numpy as np
import pytest

from sim import Simulation, config, load_scenario
from sim.errors import ScenarioError
from sim.observables import blamed_referral_trust, copied_from, pitch_impression

BASE = {"id": "h", "statement": "s", "measure": "mean_trust", "direction": "lower", "min_effect": 0.0,
        "seeds": 2, "seed": 1}


def scenario_with(**hypothesis) -> config.Scenario:
    raw = config.to_dict(load_scenario("baseline"), hypotheses=False)
    raw["hypotheses"] = [{**BASE, **hypothesis}]
    return config.from_dict(raw, "<test>")


@pytest.mark.parametrize(("comparison", "kind"), [
    ({"than": 0.5}, "threshold"), ({"compare": "indiscriminate_vouching"}, "comparison"),
    ({"control": {"trust.untie": False}}, "ablation"),
    ({"compare": "baseline", "control": {"trust.untie": False}}, "comparison"),
])
def test_the_kind_follows_from_the_comparison(comparison, kind):
    assert scenario_with(**comparison).hypotheses[0].kind == kind


def test_a_declared_kind_must_agree_with_the_comparison():
    assert scenario_with(than=0.5, kind="threshold").hypotheses[0].kind == "threshold"
    with pytest.raises(ScenarioError, match=r"hypotheses\[0\]\.kind: is 'ablation', but a hypothesis with than is a threshold"):
        scenario_with(than=0.5, kind="ablation")


def test_registration_and_amendments_are_dates_and_sentences():
    import datetime

    h = scenario_with(than=0.5, registered=datetime.date(2026, 11, 22), amendments=[
        {"date": "2026-11-23", "what": "the margin", "why": "because"}]).hypotheses[0]
    assert h.registered == "2026-11-22" and h.amendments[0].date == "2026-11-23"
    for bad, message in [({"registered": "last week"}, "registered: must be a date"),
                         ({"amendments": [{"date": "2026-11-23", "what": "x"}]}, r"amendments\[0\]\.why: is required"),
                         ({"amendments": [{"date": "2026-11-23", "what": "", "why": "y"}]}, "what: must be a sentence"),
                         ({"amendments": {"date": "2026-11-23"}}, "amendments: must be an array")]:
        with pytest.raises(ScenarioError, match=message):
            scenario_with(than=0.5, **bad)


def test_every_shipped_hypothesis_says_when_it_was_registered():
    for name in config.available():
        for h in load_scenario(name).hypotheses:
            assert h.registered, f"{name}: {h.id} has no registered date"
            assert all(a.date >= h.registered for a in h.amendments), f"{name}: {h.id} amended before it was stated"


# ---------------------------------------------------------------- the measures that read the statements

@pytest.fixture(scope="module")
def broken_promises() -> Simulation:
    return Simulation(load_scenario("broken_promises", {"simulation.agents": 400, "simulation.days": 200,
                                                        "simulation.spin_up": 100})).run()


def test_blamed_referral_trust_reads_only_the_let_down_requesters(broken_promises):
    sim = broken_promises
    with_blame = blamed_referral_trust(sim, "overcommitter")
    assert 0 < with_blame < 1
    # the same run's let-down requesters, read without their referral evidence: blame is what moved it
    ties = sim.world.ties
    ties.ref_positive[:] = 0.0
    ties.ref_negative[:] = 0.0
    assert blamed_referral_trust(sim, "overcommitter") > with_blame


def test_pitch_impression_counts_every_stranger_reached(broken_promises):
    sim = broken_promises
    heard = pitch_impression(sim, "overcommitter", 0.0)
    log = sim.world.log.columns()
    followed = log["trust_after"][(log["kind"] == 7) & np.isin(log["target"], sim.population.members("overcommitter"))]
    assert 0 < heard < 1 and followed.size
    assert heard != pytest.approx(followed.mean(), abs=1e-6)       # not the followers alone
    assert np.isnan(pitch_impression(sim, "overcommitter", 10_000.0))


def test_copied_from_counts_copying_from_that_archetype_only():
    import polars as pl

    from sim.exports import agents_frame, events_frame

    sim = Simulation(load_scenario("mentor_mimicry", {"simulation.agents": 300, "simulation.days": 150,
                                                      "simulation.spin_up": 60})).run()
    agents = agents_frame(sim).select("agent", "archetype")
    copies = (events_frame(sim).filter(pl.col("kind") == "imitate")
              .join(agents.rename({"agent": "actor", "archetype": "copier"}), on="actor")
              .join(agents.rename({"agent": "target", "archetype": "model"}), on="target"))
    newcomers = agents.filter(pl.col("archetype") == "newcomer").height
    for mentor in ("mentor", "steady"):
        copiers = copies.filter(pl.col("copier") == "newcomer", pl.col("model") == mentor)["actor"].n_unique()
        assert copied_from(sim, "newcomer", mentor) == pytest.approx(copiers / newcomers)
    assert 0 < copied_from(sim, "newcomer", "mentor") < 1
    off = Simulation(load_scenario("mentor_mimicry", {"simulation.agents": 300, "simulation.days": 150,
                                                      "simulation.spin_up": 60, "imitation.rate": 0.0})).run()
    assert copied_from(off, "newcomer", "mentor") == 0.0               # the switch removes it


#: Words that state an outcome. A scenario's description says what the world is; what it shows is said
#: by its hypotheses and their recorded verdicts (trustsim list, the Scenario tab and reports draw it from
#: them), so a description can never claim what the table refutes.
OUTCOME_WORDS = ("fall", "collapse", "declin", "lower", "higher", "best", "worst", "better", "worse", "stop",
                 "lose", "loses", "recover", "slowly", "track", "erode", "rise", "grow", "stays")


@pytest.mark.parametrize("name", config.available())
def test_a_description_states_the_setup_not_an_outcome(name):
    words = load_scenario(name).scenario.description.lower()
    claimed = [w for w in OUTCOME_WORDS if w in words]
    assert not claimed, f"{name}'s description states an outcome ({', '.join(claimed)}); say it as a hypothesis"


@pytest.mark.parametrize("name", config.available())
def test_a_scenario_with_its_dated_hypotheses_goes_into_json_and_back_into_toml(name):
    """A run's manifest is JSON and holds the scenario whole, hypotheses too: their TOML dates
    (registered, amendments) must reach it as ISO strings, and read back as the same scenario."""
    import json
    import tomllib

    scenario = load_scenario(name)
    document = json.loads(json.dumps(config.to_dict(scenario)))
    assert config.from_dict(document) == scenario
    assert config.from_dict(tomllib.loads(config.to_toml(scenario))) == scenario
