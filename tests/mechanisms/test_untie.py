"""Breaking ties (walking away) when trust falls below the bar on enough evidence (sim/mechanisms/untie.py)."""

from __future__ import annotations

import numpy as np
import pytest
from worlds import ids, kinds, tie, world

from sim.mechanisms import untie


@pytest.mark.parametrize("switch", [True, False])
def test_a_distrusted_tie_with_enough_evidence_is_dropped(switch):
    w = world(3, scenario={"trust.untie_threshold": 0.35, "trust.untie_evidence": 4.0, "trust.untie": switch},
              base_rate=0.5)
    doomed = tie(w, 0, 1, negative=6.0)           # trust 1/8, evidence 6
    doubtful = tie(w, 0, 2, negative=2.0)         # trust 1/4, but only 2 units of evidence
    untie.drop_distrusted(w, np.array([doomed, doubtful, -1]), np.array([3.0, 3.0, 3.0]))
    assert w.ties.alive[doomed] == (not switch) and w.ties.alive[doubtful]
    assert w.population.followers[1] == (0 if switch else 1) and w.counters.ties_broken == int(switch)
    assert kinds(w) == (["untie"] if switch else [])
    assert w.ties.known(ids(0), ids(1))[0]        # whoever walked away is no stranger


def test_distrust_is_one_bar():
    w = world(2, scenario={"trust.untie_threshold": 0.4})
    bar = w.scenario.trust.untie_threshold
    assert [untie.distrusted(trust, bar) for trust in (0.39, 0.4)] == [True, False]
