"""What one run of a sweep does, in a worker process: the work function of its tasks.

A task's payload is the run's fully resolved scenario as plain data (seed included); the result is its
daily measures as numpy columns. Any function of the same payload returning the same columns can stand in
for :func:`run_one` (``run_sweep(work=...)``): the tests inject failures that way.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..config import from_dict
from ..engine import Simulation


def run_one(scenario: dict[str, Any]) -> dict[str, np.ndarray]:
    """Worker: rebuild the scenario, run it to the end, return ``day`` + every measure as numpy columns."""
    return Simulation(from_dict(scenario, "<sweep>")).run().metrics_history()
