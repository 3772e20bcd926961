"""Work functions that fail on purpose, for the sweep tests (injected with ``run_sweep(work=...)``).

They pickle by name into the sweep's worker processes, which import this module (pytest puts the tests
folder on the path, and the workers inherit it). Which runs fail is decided by their seed: the test
sweep's base seed is 1 and it has 4 grid points x 2 replicates, so run ``p{point}-r{replicate}`` has
``SEEDS[point * 2 + replicate]``.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from sim.sweep.execution import run_one
from sim.sweep.plan import derive_seeds

SEEDS = derive_seeds(1, 8)
RAISES = {SEEDS[1 * 2 + 0]}      # p001-r000: the run raises
DIES = {SEEDS[2 * 2 + 1]}        # p002-r001: the worker process running it dies


def fail_two_runs(scenario: dict[str, Any]) -> dict[str, np.ndarray]:
    """As ``run_one``, except that p001-r000 raises and p002-r001 kills its worker (as the OOM killer would)."""
    seed = scenario["simulation"]["seed"]
    if seed in DIES:
        os._exit(3)
    if seed in RAISES:
        raise RuntimeError("failure injected by the test")
    return run_one(scenario)
