"""Tie turnover: a tie its source has not used for ties.fade_after days fades, and is forgotten
(sim/mechanisms/fading.py)."""

from __future__ import annotations

import numpy as np
import pytest
from worlds import ids, kinds, tie, world

from sim.mechanisms import commitments, fading


def three(**scenario):
    w = world(3, scenario={"ties.fade_after": 30.0, **scenario}, request_rate=0.0)
    used = tie(w, 0, 1, positive=3.0, dealings=2.0, first_hand=True)
    unused = tie(w, 0, 2, positive=3.0, dealings=2.0, first_hand=True)
    return w, used, unused


def test_an_unused_tie_fades_and_a_used_one_stays():
    w, used, unused = three()
    fading.use(w, np.array([used]), np.array([25.0]))
    fading.fade(w, 30)
    assert w.ties.alive[used] and w.ties.alive[unused]            # 30 days is not yet more than 30
    fading.fade(w, 31)
    assert w.ties.alive[used] and not w.ties.alive[unused]
    assert kinds(w) == ["fade"] and w.counters.ties_faded == 1 and w.counters.ties_broken == 0
    assert w.population.followers[2] == 0 and w.population.followers[1] == 1


def test_asking_uses_a_tie():
    w, used, unused = three(**{"archetypes.plain.request_rate": 0.0})
    w.population.request_rate[0] = 50.0                           # agent 0 asks every contact, many times
    commitments.request(w, 20)
    assert w.ties.used[used] >= 20 and w.ties.used[unused] >= 20


def test_a_faded_tie_is_forgotten_a_broken_one_is_not():
    w, used, unused = three()
    w.untie(np.array([used]))                                      # walked away in distrust
    fading.fade(w, 31)                                             # the other fades
    assert w.ties.known(ids(0, 0), ids(1, 2)).tolist() == [True, False]
    assert w.tie(ids(0), ids(2), 0.0, 0.0, 40.0).tolist() == [True]   # strangers again: a new tie can form


def test_switched_off_nothing_fades():
    w, used, unused = three(**{"ties.fade": False})
    fading.fade(w, 1000)
    assert w.ties.alive[used] and w.ties.alive[unused] and kinds(w) == []


@pytest.mark.parametrize("fade", [True, False])
def test_a_faded_tie_leaves_reputation(fade):
    from sim.measures import Sample

    w, used, unused = three(**{"ties.fade": fade})
    fading.fade(w, 31)
    reputation = Sample.now(w).reputation
    assert np.isnan(reputation[2]) == fade                         # nobody holds an opinion of 2 any more
