"""Scenario events: each reads and checks its own table (sim/scenario_events.py), and what each does to a
world (sim/event_effects.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent / "mechanisms"))
from worlds import ids, kinds, tie, world  # noqa: E402

from sim import event_effects as effects  # noqa: E402
from sim import scenario_events as events  # noqa: E402
from sim.errors import ScenarioError  # noqa: E402
from sim.policies import POLICY_CODE  # noqa: E402


def test_a_reform_changes_an_archetypes_traits_and_policy():
    w = world(3, reliability=0.5)
    effects.apply(events.Reform(day=4, archetype="plain", traits=(("reliability", 0.95), ("acceptance", 0.2)),
                                vouch_policy="never"), w, 4.0)
    np.testing.assert_array_equal(w.population.reliability[:3], 0.95)
    np.testing.assert_array_equal(w.population.acceptance[:3], 0.2)
    assert set(w.population.vouch_policy[:3]) == {POLICY_CODE["never"]} and kinds(w) == ["reform"] * 3


def test_a_campaign_pushes_vouch_requests_for_its_duration():
    w = world(2)
    effects.apply(events.Campaign(day=10, duration=30, multiplier=4), w, 10.0)
    assert w.campaigns == [(40.0, 4.0)] and kinds(w) == ["campaign"]


def test_an_influx_adds_newcomers_who_follow_the_hubs():
    w = world(20, scenario={"network.mean_degree": 3.0,
                            "events": [{"day": 5, "kind": "influx", "archetype": "plain", "count": 30}]})
    w.tie(np.arange(1, 20), np.zeros(19, dtype=np.int64), 0.0, 0.0, 0.0)   # agent 0 is the hub
    effects.apply(events.Influx(day=5, archetype="plain", count=30), w, 5.0)
    assert w.population.size == 50 and (w.population.joined[20:50] == 5.0).all()
    follow_hub = w.ties.find(np.arange(20, 50), np.zeros(30, dtype=np.int64)) >= 0
    assert follow_hub.mean() > 0.6            # the hub holds half the weight; at random it would be 1 in 20
    assert kinds(w).count("influx") == 30


def test_a_testimony_event_publishes_what_an_agent_saw_of_its_contacts():
    w = world(4)
    tie(w, 0, 1, negative=6.0, dealings=2.0, first_hand=True)   # agent 0 was let down by 1 ...
    tie(w, 0, 3, negative=6.0)                                 # ... and only heard bad things of 3
    slot = tie(w, 2, 1)
    heard_slot = tie(w, 2, 3)
    tie(w, 2, 0, positive=4.0)
    effects.apply(events.Testimony(day=3, agent=0), w, 3.0)
    assert kinds(w) == ["testify"] and w.ties.negative[slot] > 0
    assert w.ties.negative[heard_slot] == 0                    # evidence counted once: no hearsay retold


@pytest.mark.parametrize(("table", "message"), [
    ({"day": 1, "kind": "reform", "archetype": "plain"}, "must change at least one trait"),
    ({"day": 1, "kind": "reform", "archetype": "plain", "traits": {"reliability": 2}}, "traits.reliability: must be at most 1"),
    ({"day": 1, "kind": "campaign", "multiplier": 2}, "needs duration > 0"),
    ({"day": 1, "kind": "campaign", "duration": 5, "archetype": "plain"}, "events[0].archetype: unknown key"),
    ({"day": 1, "kind": "influx", "archetype": "plain"}, "exactly one of count > 0 or fraction > 0"),
    ({"day": 1, "kind": "testimony", "agent": 99}, "agent 99 does not exist"),
    ({"day": 1, "kind": "testimony"}, "needs an archetype (or an agent)"),
    ({"kind": "campaign", "duration": 3}, "events[0].day: is required"),
    ({"day": 1, "kind": "party"}, "unknown event kind 'party'"),
])
def test_each_event_checks_its_own_table(table, message):
    with pytest.raises(ScenarioError, match=message.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[").replace("]", r"\]")):
        events.parse_event(0, table, "x.toml", ("plain",), 10)


def test_each_event_writes_back_what_it_read():
    for table in ({"day": 2.0, "kind": "influx", "archetype": "plain", "fraction": 0.5},
                  {"day": 1.0, "kind": "testimony", "agent": 3, "about": "plain"}):
        assert events.parse_event(0, table, "x", ("plain",), 10).to_table() == table
    assert ids(1).tolist() == [1]


@pytest.mark.parametrize("kind", [[], {}, ["reform"], 3, None])
def test_an_event_kind_that_is_not_a_name_is_one_line(kind):
    """An empty list as the kind was a TypeError (unhashable) instead of a one-line refusal (found by the
    mutated-file fuzz test)."""
    with pytest.raises(ScenarioError, match=r"events\[0\]\.kind: unknown event kind"):
        events.parse_event(0, {"kind": kind, "day": 5}, "x.toml", ("steady",), 100)
