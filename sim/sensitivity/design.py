"""The sampling design: Morris trajectories or Saltelli's Sobol' sample, drawn by SALib, and its seeds.

- ``morris``: ``--samples`` N trajectories on a grid of ``--levels`` L (even, default 4); each has D + 1
  points (D parameters), one parameter moving by L / (2 (L - 1)) of its range at each step, so
  N (D + 1) points in all.
- ``sobol``: Saltelli's extension of the Sobol' sequence (scrambled); N must be a power of two (the
  sequence's balance needs it), giving N (D + 2) points, or N (2 D + 2) with ``--second-order`` (S2).

Seeds: the sampler and the bootstrap of the confidence intervals each get a child of
``SeedSequence(BASE)`` that no run can get (children 2**31 and 2**31 + 1; runs use children 0 to R - 1),
so the same ``--seed`` gives the same sample and the same intervals, whatever the replicate count.

SALib is imported only here and in :mod:`.indices`, when an analysis runs; :func:`require_salib` says in
one line how to install it. The checks of :func:`make_design` need no SALib.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import ScenarioError, UsageError
from .space import Parameter

METHODS = ("morris", "sobol")
DEFAULT_SAMPLES = {"morris": 10, "sobol": 64}
DEFAULT_LEVELS = 4
DEFAULT_REPLICATES = 3        # runs per sample point (their mean is the response)
NUM_RESAMPLES = 1000          # bootstrap resamples behind each confidence interval
CONFIDENCE = 0.95
SAMPLER_CHILD = 2**31         # SeedSequence(BASE) child the sampler uses
ANALYSIS_CHILD = 2**31 + 1    # ... and the one the bootstrap uses
#: Morris is run on 4 to 10 levels in the literature; SALib draws levels / 2 values for each trajectory, so
#: a billion levels took minutes and gigabytes before a run started
MAX_LEVELS = 1_000
SALIB_HINT = "pip install 'trustsim[sensitivity]' (from a clone: pip install '.[sensitivity]')"


@dataclass(frozen=True)
class Design:
    """How the box is sampled: the method, N, Morris's levels and whether Sobol' S2 is asked for."""

    method: str
    samples: int
    levels: int | None = None          # Morris only
    second_order: bool = False         # Sobol' only

    def size(self, parameters: int) -> int:
        """How many sample points the design has for ``parameters`` parameters."""
        if self.method == "morris":
            return self.samples * (parameters + 1)
        return self.samples * (2 * parameters + 2 if self.second_order else parameters + 2)

    def describe(self) -> str:
        if self.method == "morris":
            return f"Morris, {self.samples} trajectories on {self.levels} levels"
        return f"Sobol' (Saltelli), N = {self.samples}{', with second-order indices' if self.second_order else ''}"


def require_salib() -> None:
    """Fail early, before anything runs, if SALib is not installed."""
    try:
        import SALib  # noqa: F401
    except ImportError:
        raise UsageError(f"sensitivity analysis needs SALib: {SALIB_HINT}") from None


def make_design(method: str, samples: int | None = None, levels: int | None = None,
                second_order: bool = False) -> Design:
    """Check the method's options (one-line errors) and fill in the defaults."""
    if method not in METHODS:
        raise UsageError(f"--method: unknown method {method!r} (known: {', '.join(METHODS)})")
    count = DEFAULT_SAMPLES[method] if samples is None else samples
    if method == "morris":
        if second_order:
            raise UsageError("--second-order: Sobol' only (Morris gives mu_star and sigma)")
        levels = DEFAULT_LEVELS if levels is None else levels
        if levels < 2 or levels % 2 or levels > MAX_LEVELS:
            raise ScenarioError(f"--levels: must be an even number from 2 to {MAX_LEVELS:,} (an odd number biases "
                                f"Morris's sample, and SALib draws levels / 2 grid values for every "
                                f"trajectory), got {levels:,}")
        if count < 2:
            raise ScenarioError(f"--samples: Morris needs at least 2 trajectories (sigma needs two), got {count}")
        return Design("morris", count, levels, False)
    if levels is not None:
        raise UsageError("--levels: Morris only (a Sobol' sample has no levels)")
    if count < 2 or count & (count - 1):
        raise ScenarioError(f"--samples: Saltelli's Sobol' sample needs a power of two (2, 4, ... 64, 128, "
                            f"...), got {count}")
    return Design("sobol", count, None, second_order)


def check_integer_levels(design: Design, params: tuple[Parameter, ...]) -> None:
    """Morris divides each change of a measure by the fixed step of its grid, so every level of an integer
    key must itself be an integer: rounded levels would move by other steps than the one divided by, and
    the key's mu* would be wrong (1.5 where the effect is 1, say). That holds when HIGH - LOW is a multiple
    of levels - 1."""
    if design.method != "morris" or design.levels is None:
        return
    steps = design.levels - 1
    for param in params:
        width = param.high - param.low
        if param.integer and width % steps:
            low, high = int(param.low), int(param.high)
            nearest = low + steps * max(1, round(width / steps))
            raise ScenarioError(f"--param {param.text!r}: {param.key} takes integers, and Morris on {design.levels} "
                                f"levels needs HIGH - LOW to be a multiple of {steps} so that every level is a "
                                f"whole number (e.g. {low}:{nearest}), got {high - low}")


def child_seed(base_seed: int, child: int) -> int:
    """Child ``child`` of ``SeedSequence(base_seed)`` as a positive integer below 2**63."""
    state = np.random.SeedSequence(base_seed, spawn_key=(child,)).generate_state(1, np.uint64)[0]
    return int(state >> np.uint64(1)) or 1     # 0 would make SALib's Sobol' bootstrap unseeded


def problem(params: tuple[Parameter, ...]) -> dict[str, Any]:
    """SALib's problem definition: names and bounds, in ``--param`` order."""
    return {"num_vars": len(params), "names": [p.key for p in params],
            "bounds": [[p.low, p.high] for p in params]}


def sample(design: Design, params: tuple[Parameter, ...], seed: int) -> np.ndarray:
    """The design's points as SALib draws them (one row per point, one column per parameter)."""
    require_salib()
    if design.method == "morris":
        from SALib.sample import morris

        return morris.sample(problem(params), design.samples, num_levels=design.levels, seed=seed)
    from SALib.sample import sobol

    return sobol.sample(problem(params), design.samples, calc_second_order=design.second_order, seed=seed)
