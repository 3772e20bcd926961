"""Trust primitives for the simulation: beta reputation, subjective logic and EigenTrust.

* Beta reputation (Jøsang & Ismail, "The Beta Reputation System", 2002): an agent's
  record of ``r`` positive and ``s`` negative interactions is a Beta(r + 2a, s + 2(1 - a))
  distribution whose mean is the expected trustworthiness.
* Subjective logic (Jøsang, "Subjective Logic", 2016): the same evidence seen as an opinion
  (belief, disbelief, uncertainty, base rate), which makes "how much do we know" explicit and
  lets a recommendation be discounted by how far the recommender is trusted.
* EigenTrust (Kamvar, Schlosser & Garcia-Molina, WWW 2003): global trust as the stationary
  vector of normalised local trust, anchored on pre-trusted agents so that collusion rings
  cannot inflate each other's score.

Everything is numpy-vectorised; the only Python-level loop is the EigenTrust power iteration. The
formulas the simulation applies one tie at a time are kernels (:mod:`sim.kernels`): :func:`beta_mean`,
:func:`discount_weighted` and :func:`to_evidence` are each written once, compiled for the day's loops
and applied as they are (``.python``) to numpy arrays by :func:`expectation`, :func:`discount_arrays`
and :func:`evidence_from_opinion`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .kernels import kernel

FloatArray = NDArray[np.float64]

#: Weight of the non-informative prior in the beta / subjective-logic mapping (W = 2).
PRIOR_WEIGHT = 2.0
#: Smallest uncertainty used when mapping opinions back to evidence (avoids division by zero).
_MIN_UNCERTAINTY = 1e-12


@kernel
def beta_mean(positive: float, negative: float, base_rate: float) -> float:
    """(r + 2a) / (r + s + 2): the mean of the Beta posterior (see :func:`expectation`)."""
    return (positive + PRIOR_WEIGHT * base_rate) / (positive + negative + PRIOR_WEIGHT)


@kernel
def discount_weighted(weight: float, belief: float, disbelief: float) -> tuple[float, float, float]:
    """A recommendation's (belief, disbelief) scaled by ``weight``, the rest uncertainty: (b, d, u)."""
    b = weight * belief
    d = weight * disbelief
    return b, d, 1.0 - b - d


@kernel
def to_evidence(belief: float, disbelief: float, uncertainty: float) -> tuple[float, float]:
    """r = 2b/u, s = 2d/u, with u clipped to 1e-12 (see :func:`evidence_from_opinion`)."""
    u = np.maximum(uncertainty, _MIN_UNCERTAINTY)
    return PRIOR_WEIGHT * belief / u, PRIOR_WEIGHT * disbelief / u


def expectation(positive: ArrayLike, negative: ArrayLike, base_rate: ArrayLike = 0.5) -> float | FloatArray:
    """Expected trustworthiness (r + 2a) / (r + s + 2) of a beta reputation (Jøsang & Ismail 2002).

    Why: it is the mean of the Beta posterior, so with no evidence it falls back to the base
    rate and it moves towards the observed success ratio as evidence accumulates. Accepts
    scalars (returns a float) or arrays (broadcast, returns an ndarray).
    """
    result = beta_mean.python(np.asarray(positive, dtype=np.float64), np.asarray(negative, dtype=np.float64),
                              np.asarray(base_rate, dtype=np.float64))
    return float(result) if result.ndim == 0 else result


def discount_arrays(
    referral_expectation: ArrayLike, belief: ArrayLike, disbelief: ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Jøsang's subjective-logic trust discounting of recommendations (belief b', disbelief d') by the
    projected probability P = b + a*u of trust in their source: b = P*b', d = P*d', u = 1 - b - d.

    Why: advice from a partly trusted recommender is believed only in proportion to that trust; the
    rest becomes uncertainty. The engine discounts many recommendations at once; P may be a scalar or
    an array and broadcasts against the opinion components. The base rate is unchanged and not needed
    here. (tests/subjective_logic.py states the same for one opinion, as the reference it is tested
    against.)
    """
    return discount_weighted.python(np.asarray(referral_expectation, dtype=np.float64),
                                    np.asarray(belief, dtype=np.float64), np.asarray(disbelief, dtype=np.float64))


def evidence_from_opinion(
    belief: ArrayLike, disbelief: ArrayLike, uncertainty: ArrayLike
) -> tuple[FloatArray, FloatArray]:
    """The evidence of opinions (inverse of the beta mapping b, d, u = r, s, 2 over r + s + 2): r = 2b/u,
    s = 2d/u.

    Why: lets the engine turn arrays of opinions back into evidence counts. Uncertainty must be
    positive; it is clipped to 1e-12 so a (near-)dogmatic opinion yields huge but finite evidence.
    """
    return to_evidence.python(np.asarray(belief, dtype=np.float64), np.asarray(disbelief, dtype=np.float64),
                              np.asarray(uncertainty, dtype=np.float64))


def eigentrust(
    n: int,
    sources: ArrayLike,
    targets: ArrayLike,
    weights: ArrayLike,
    pretrusted: ArrayLike,
    alpha: float = 0.5,
    tol: float = 1e-10,
    max_iter: int = 1000,
) -> FloatArray:
    """Global trust vector of ``n`` agents by EigenTrust (Kamvar et al. 2003).

    Local trust is given per edge (``sources[k]`` trusts ``targets[k]`` with ``weights[k]``;
    duplicate pairs add up) and normalised per source row. Iterates
    t <- (1 - alpha) * C^T t + alpha * p from t = p, where p is ``pretrusted`` normalised and
    rows without outgoing trust hand their mass to p. Stops when the L1 change is below ``tol``
    or after ``max_iter`` steps. Why: the stationary vector aggregates everyone's opinions,
    and the pull towards pre-trusted agents keeps a closed collusion ring from owning the
    mass. Costs O(edges) per iteration (bincount), never an n x n matrix.
    """
    if n < 0:
        raise ValueError(f"n must be non-negative, got {n}")
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f"alpha must be in [0, 1], got {alpha}")
    src = np.asarray(sources)
    dst = np.asarray(targets)
    w = np.asarray(weights, dtype=np.float64)
    if src.ndim != 1 or dst.ndim != 1 or w.ndim != 1:
        raise ValueError("sources, targets and weights must be 1-D arrays")
    if not len(src) == len(dst) == len(w):
        raise ValueError(f"sources, targets and weights differ in length: {len(src)}, {len(dst)}, {len(w)}")
    if src.size and not (np.issubdtype(src.dtype, np.integer) and np.issubdtype(dst.dtype, np.integer)):
        raise ValueError("sources and targets must be integer agent indices")
    if src.size and (min(src.min(), dst.min()) < 0 or max(src.max(), dst.max()) >= n):
        raise ValueError(f"agent indices must lie in [0, {n})")
    if not np.isfinite(w).all() or (w < 0).any():
        raise ValueError("weights must be finite and non-negative")
    p = np.asarray(pretrusted, dtype=np.float64)
    if p.shape != (n,):
        raise ValueError(f"pretrusted must have length {n}, got shape {p.shape}")
    if n == 0:
        return np.zeros(0)
    if not np.isfinite(p).all() or (p < 0).any():
        raise ValueError("pretrusted must be finite and non-negative")
    if p.sum() <= 0:
        raise ValueError("pretrusted must have a positive sum")
    p = p / p.sum()

    src = src.astype(np.intp)
    dst = dst.astype(np.intp)
    row_sum = np.bincount(src, weights=w, minlength=n)
    dangling = np.flatnonzero(row_sum == 0)
    # Edges leaving an all-zero row have weight 0; divide by 1 there instead of 0.
    src_sum = row_sum[src]
    c = w / np.where(src_sum > 0, src_sum, 1.0)

    t = p.copy()
    for _ in range(max_iter):
        flow = np.bincount(dst, weights=c * t[src], minlength=n) + t[dangling].sum() * p
        t_next = (1.0 - alpha) * flow + alpha * p
        change = np.abs(t_next - t).sum()
        t = t_next
        if change < tol:
            break
    return t
