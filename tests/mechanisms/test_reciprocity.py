"""Reciprocity: favours remembered, called in, refused and held against the debtor (sim/mechanisms/reciprocity.py).

Each test runs with the switch on and off: off, the mechanism must leave no trace.
"""

from __future__ import annotations

import numpy as np
import pytest
from worlds import ids, kinds, tie, world

from sim.mechanisms import commitments, delivery
from sim.world import Commitments

SWITCH = [True, False]


def test_reciprocity_is_off_unless_a_scenario_turns_it_on():
    assert not world(2).scenario.reciprocity.enabled


@pytest.mark.parametrize("on", SWITCH)
def test_a_kept_commitment_is_a_favour_remembered_on_both_ties(on):
    w = world(2, scenario={"reciprocity.enabled": on, "trust.untie": False, "testimony.enabled": False},
              reliability=1.0)
    asked, back = tie(w, 0, 1), tie(w, 1, 0)
    w.population.load[1] = 2
    delivery.resolve(w, 5, *Commitments(ids(0, 0), ids(1, 1), ids(-1, -1), np.full(2, 5.0)))
    favours = 2.0 if on else 0.0
    assert (w.ties.received[asked], w.ties.given[asked]) == (favours, 0.0)    # 0 was helped by 1 twice ...
    assert (w.ties.given[back], w.ties.received[back]) == (favours, 0.0)      # ... and 1 remembers helping 0


@pytest.mark.parametrize("on", SWITCH)
def test_an_agent_asks_those_who_owe_it_first(on):
    w = world(21, scenario={"reciprocity.enabled": on}, request_rate=3.0, acceptance=1.0)
    slots = [tie(w, 0, contact) for contact in range(1, 21)]
    w.ties.given[slots[6]] = 2.0                          # 0 helped agent 7 twice, and 7 never returned it
    commitments.request(w, 0)
    log = w.log.columns()
    asked = log["actor"][log["kind"] == 0]                # commits: actor is the provider
    assert len(asked) > 0
    if on:
        assert set(asked.tolist()) == {7}
    else:
        assert len(set(asked.tolist())) > 1               # uniformly over twenty contacts


@pytest.mark.parametrize("on", SWITCH)
@pytest.mark.parametrize("weight", [1.0, 0.5])
def test_a_debtor_who_refuses_a_favour_called_in_reneges_and_it_counts_against_it(on, weight):
    w = world(2, scenario={"reciprocity.enabled": on, "reciprocity.weight": weight, "trust.asymmetry": 3.0,
                           "trust.untie": False}, acceptance=0.0)
    slot = tie(w, 0, 1, positive=2.0)
    w.ties.given[slot], w.ties.received[slot] = 3.0, 1.0     # 1 owes 0
    commitments.ask(w, ids(0), ids(1), ids(-1), np.array([4.5]))
    if on:
        assert kinds(w) == ["renege"]
        assert w.ties.negative[slot] == w.ties.own_negative[slot] == 3.0 * weight
        log = w.log.columns()
        assert (log["actor"][0], log["target"][0]) == (1, 0)
        assert log["trust_after"][0] < log["trust_before"][0]
    else:
        assert kinds(w) == ["decline"] and w.ties.negative[slot] == 0.0


def test_a_no_from_someone_who_owes_nothing_moves_nothing():
    w = world(2, scenario={"reciprocity.enabled": True}, acceptance=0.0)
    slot = tie(w, 0, 1, positive=2.0)
    w.ties.given[slot], w.ties.received[slot] = 1.0, 1.0     # square
    commitments.ask(w, ids(0), ids(1), ids(-1), np.array([4.5]))
    assert kinds(w) == ["decline"] and w.ties.negative[slot] == 0.0


@pytest.mark.parametrize("on", SWITCH)
def test_refused_favours_add_up_to_walking_away(on):
    w = world(2, scenario={"reciprocity.enabled": on, "trust.asymmetry": 3.0, "trust.untie_evidence": 4.0},
              acceptance=0.0)
    slot = tie(w, 0, 1, positive=1.0, first_hand=True)
    w.ties.given[slot] = 5.0
    commitments.ask(w, ids(0, 0), ids(1, 1), ids(-1, -1), np.array([4.2, 4.6]))
    assert bool(w.ties.alive[slot]) is not on
    assert ("untie" in kinds(w)) is on


@pytest.mark.parametrize("on", SWITCH)
def test_those_let_down_stop_helping_whom_they_walked_away_from(on):
    w = world(2, scenario={"reciprocity.enabled": on}, acceptance=1.0)
    tie(w, 0, 1)
    gone = tie(w, 1, 0, negative=9.0)
    w.untie(np.array([gone]))                                 # 1 dropped 0 in distrust
    commitments.ask(w, ids(0), ids(1), ids(-1), np.array([4.5]))
    assert kinds(w)[-1] == ("decline" if on else "commit")


def test_a_tie_made_again_after_walking_away_starts_square():
    w = world(2, scenario={"reciprocity.enabled": True})
    slot = tie(w, 0, 1)
    w.ties.given[slot] = 4.0
    w.untie(np.array([slot]))
    again = tie(w, 0, 1)
    assert again != slot and w.ties.given[again] == 0.0 and w.ties.received[again] == 0.0


def test_a_renege_is_told_in_words():
    from sim.eventlog import EventKind
    from sim.narration import Narrator

    events = {"kind": np.array([EventKind.renege]), "time": np.array([12.5]), "actor": np.array([40]),
              "target": np.array([12]), "subject": np.array([-1]), "trust_before": np.array([0.71]),
              "trust_after": np.array([0.52])}
    text = Narrator(["steady", "taker"]).sentence(events, 0, np.array([0] * 41 + [1])).text
    assert text == ("day 12 · agent 12 called in a favour from agent 40 (steady), who owed it, and was refused"
                    " · 12's trust in 40 0.71 → 0.52")


def test_one_sided_runs_with_favours_in_its_log_its_edges_and_its_inspector():
    from sim import Simulation, load_scenario
    from sim.exports import edges_frame, events_frame

    small = {"simulation.agents": 200, "simulation.days": 60, "simulation.spin_up": 30}
    sim = Simulation(load_scenario("one_sided", small)).run()
    assert events_frame(sim)["kind"].cast(str).to_list().count("renege") > 0
    edges = edges_frame(sim)
    assert edges["favours_given"].sum() > 0 and edges["favours_received"].sum() > 0
    contacts, given, received = sim.agent(int(edges["source"][0]))["favours"]
    assert len(contacts) == len(given) == len(received) > 0
    off = Simulation(load_scenario("one_sided", {**small, "reciprocity.enabled": False})).run()
    assert "renege" not in events_frame(off)["kind"].cast(str).to_list()
    assert edges_frame(off)["favours_given"].sum() == 0 and off.agent(0)["favours"] is None
