"""Confidence intervals without scipy: the exact Student's t quantile for integer degrees of freedom, and
the paired effect of two sides run on the same seeds.

The t CDF for an integer number of degrees of freedom has a closed form (Abramowitz & Stegun 26.7.3-4),
which :func:`t_quantile` inverts by bisection. The sweeps' summaries use it, and :func:`paired_effect`,
which judges a hypothesis for ``trustsim check`` and at every point of a sensitivity analysis alike.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

CONFIDENCE = 0.95


def t_two_sided_coverage(t: float, dof: int) -> float:
    """P(|T| < t) for Student's t with integer ``dof`` (A&S 26.7.3 odd / 26.7.4 even, exact)."""
    theta = math.atan(t / math.sqrt(dof))
    c2 = math.cos(theta) ** 2
    if dof % 2 == 1:
        total, term = 0.0, math.cos(theta)
        for k in range(1, (dof - 1) // 2 + 1):     # cos + 2/3 cos^3 + (2*4)/(3*5) cos^5 + ...
            total += term
            term *= c2 * (2 * k) / (2 * k + 1)
        return 2.0 / math.pi * (theta + math.sin(theta) * total) if dof > 1 else 2.0 * theta / math.pi
    total, term = 0.0, 1.0
    for k in range(1, dof // 2 + 1):               # 1 + 1/2 cos^2 + (1*3)/(2*4) cos^4 + ...
        total += term
        term *= c2 * (2 * k - 1) / (2 * k)
    return math.sin(theta) * total


@lru_cache(maxsize=256)
def t_quantile(dof: int, confidence: float = CONFIDENCE) -> float:
    """The t such that P(|T| < t) = ``confidence`` (e.g. 12.706 for dof 1, 2.262 for dof 9 at 95%)."""
    if dof < 1:
        raise ValueError(f"degrees of freedom must be >= 1, got {dof}")
    low, high = 0.0, 1.0
    while t_two_sided_coverage(high, dof) < confidence:
        high *= 2.0
    for _ in range(200):
        mid = (low + high) / 2.0
        if t_two_sided_coverage(mid, dof) < confidence:
            low = mid
        else:
            high = mid
        if high - low < 1e-13 * high:
            break
    return (low + high) / 2.0


@dataclass(frozen=True)
class PairedEffect:
    """The effect of one side against the other, seed by seed: the sides' means over the seeds where both
    are defined (``paired`` of them), the mean difference and its 95% Student's t interval (NaN with
    fewer than two pairs)."""

    value: float
    control_value: float
    effect: float
    ci_low: float
    ci_high: float
    paired: int


def paired_effect(mine: np.ndarray, theirs: np.ndarray) -> PairedEffect:
    """``mine[i]`` and ``theirs[i]`` were run on the same seed ``i`` (NaN: undefined, and left out)."""
    paired = np.isfinite(mine) & np.isfinite(theirs)
    differences = mine[paired] - theirs[paired]
    n = len(differences)
    effect = float(differences.mean()) if n else math.nan
    if n >= 2:
        half = t_quantile(n - 1) * float(differences.std(ddof=1)) / math.sqrt(n)
        low, high = effect - half, effect + half
    else:
        low = high = math.nan
    return PairedEffect(_mean(mine[paired]), _mean(theirs[paired]), effect, low, high, n)


def _mean(values: np.ndarray) -> float:
    return float(values.mean()) if len(values) else math.nan
