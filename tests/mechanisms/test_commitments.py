"""Asking and committing: acceptance, deadlines, load (sim/mechanisms/commitments.py)."""

from __future__ import annotations

import numpy as np
import pytest
from worlds import ids, kinds, tie, world

from sim.mechanisms import commitments


@pytest.mark.parametrize("acceptance", [1.0, 0.0])
def test_a_provider_accepts_by_its_acceptance_and_commits_to_a_deadline(acceptance):
    w = world(2, scenario={"commitments.duration_min": 2.0, "commitments.duration_max": 3.0},
              acceptance=acceptance)
    commitments.ask(w, ids(0, 0), ids(1, 1), ids(-1, -1), np.array([5.2, 5.7]))
    opened = w.deadlines.days()
    if acceptance:
        assert kinds(w) == ["commit", "commit"] and w.population.load[1] == 2
        assert set(opened) <= {8, 9} and opened                   # due 2 to 3 days later, on a whole day
        assert sum(len(w.deadlines.pop(day).providers) for day in opened) == 2
    else:
        assert kinds(w) == ["decline", "decline"] and w.population.load[1] == 0 and not opened


def test_requests_go_to_live_contacts_at_the_request_rate():
    w = world(50, request_rate=2.0, acceptance=1.0)
    for agent in range(49):
        tie(w, agent, agent + 1)
    commitments.request(w, 0)
    log = w.log.columns()
    commits = log["kind"] == 0
    assert np.all(log["actor"][commits] == log["target"][commits] + 1)   # each asked its only contact
    assert 49 * 2 * 0.7 < commits.sum() < 49 * 2 * 1.3                   # Poisson(2) each; the last has none
