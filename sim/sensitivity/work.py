"""What one run of a sensitivity analysis does, in a worker process: the work function of its tasks.

A task's payload is plain data: the run's fully resolved scenario (seed included) and the observables
a hypothesis reads (:class:`~sim.observables.Observable`, frozen plain data that pickles by value). The
result is two numpy columns: ``measures``, the final value of every network measure in
:data:`~sim.measures.METRICS` order (NaN where undefined), and ``observed``, one value per observable.

Any function of the same payload returning the same two columns can stand in for :func:`measure`
(``run_sensitivity(work=...)``): the tests check the machinery on functions with known indices that way.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..config import from_dict
from ..engine import Simulation
from ..measures import METRICS
from ..observables import evaluate


def measure(payload: dict[str, Any]) -> dict[str, np.ndarray]:
    """Worker: run the payload's scenario to its end; its final measures and the observables' values."""
    sim = Simulation(from_dict(payload["scenario"], "<sensitivity>")).run()
    history = sim.metrics_history()
    finals = np.array([history[m][-1] for m in METRICS], dtype=np.float64)
    observed = np.array([evaluate(sim, o) for o in payload["observables"]], dtype=np.float64)
    return {"measures": finals, "observed": observed}
