"""Work functions that fail on purpose, for the sweep tests (injected with ``run_sweep(work=...)``).

They pickle by name into the sweep's worker processes, which import this module (pytest puts the tests
folder on the path, and the workers inherit it). Which runs fail is decided by their grid point and
seed (replicate r runs on ``derive_seeds(1, 2)[r]`` at every point of the test sweep, base seed 1).
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from sim.batch.runs import derive_seeds
from sim.sweep.work import run_one

SEEDS = derive_seeds(1, 2)
RAISES = (1, 0.8, SEEDS[0])     # trust.asymmetry, vouching.threshold, seed: the run raises
DIES = (3, 0.5, SEEDS[1])       # ... the worker process running it dies (as the OOM killer would)


def fail_two_runs(scenario: dict[str, Any]) -> dict[str, np.ndarray]:
    """As ``run_one``, except for the two runs named above."""
    point = (scenario["trust"]["asymmetry"], scenario["vouching"]["threshold"], scenario["simulation"]["seed"])
    if point == DIES:
        os._exit(3)
    if point == RAISES:
        raise RuntimeError("failure injected by the test")
    return run_one(scenario)
