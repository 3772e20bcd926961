"""The compiled loops: where numpy would need many passes, or many cache misses, per tie or agent.

Everything else in the engine is numpy batches. These touch every tie or every agent, or probe millions
of keys, every simulated day; written as numpy they dominated a day's cost (about 50 of 100 ms at
100,000 agents):

- :func:`sample_ties` reads every tie once for the daily measures (trust, reputation, referral trust)
  and applies that day's forgetting in the same pass. As numpy it took a dozen array passes.
- :func:`locate_in_rows` finds (first, second) keys in a sorted index by searching only the first
  agent's row, a handful of entries, instead of bisecting millions (about 20 cache misses a probe).
- :func:`average_ranks` turns a sort order into Spearman's average ranks in one pass (six as numpy).

All are plain sequential loops (no fastmath, no parallel reduction), so results are bit-for-bit the
same on every run; ``nogil`` lets a reader thread (the dashboard) run while a day is computed.
``cache=True`` keeps the compiled code beside the module, so only the first run on a machine compiles.

numba itself is imported on the first call of a kernel, not with this module: ``import sim`` and the
commands that never simulate (``trustsim --help``, ``list``, ``show``) do not pay its half a second.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

ROW_SHIFT = 32   # a key is (first << 32) | second


class _Kernel:
    """A function compiled by numba on its first call (``njit(cache=True, nogil=True)``)."""

    def __init__(self, function: Callable[..., Any]) -> None:
        self.python = function
        self.compiled: Callable[..., Any] | None = None
        self.__doc__ = function.__doc__
        self.__name__ = function.__name__

    @property
    def signatures(self) -> list:
        """The argument types compiled so far (none before the first call)."""
        return [] if self.compiled is None else self.compiled.signatures

    def __call__(self, *args: Any) -> Any:
        compiled = self.compiled
        if compiled is None:
            import numba

            compiled = self.compiled = numba.njit(cache=True, nogil=True)(self.python)
        return compiled(*args)


def kernel(function: Callable[..., Any]) -> _Kernel:
    """Mark a plain loop as a compiled kernel (compiled lazily, see :class:`_Kernel`)."""
    return _Kernel(function)


@kernel
def locate_in_rows(keys: np.ndarray, row_start: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """Position of each query in sorted ``keys``, or -1 where absent.

    ``row_start[a]`` is the position of the first key whose first half is ``a`` (length rows + 1);
    agents past the end of ``row_start`` have no keys.
    """
    rows = len(row_start) - 1
    found = np.full(len(queries), -1, dtype=np.int64)
    for i in range(len(queries)):
        query = queries[i]
        row = query >> ROW_SHIFT
        if row >= rows:
            continue
        low, end = row_start[row], row_start[row + 1]
        high = end
        while low < high:
            middle = (low + high) >> 1
            if keys[middle] < query:
                low = middle + 1
            else:
                high = middle
        if low < end and keys[low] == query:
            found[i] = low
    return found


@kernel
def sample_ties(source: np.ndarray, target: np.ndarray, alive: np.ndarray, faded: np.ndarray,
                dealings: np.ndarray, positive: np.ndarray, negative: np.ndarray, ref_positive: np.ndarray,
                ref_negative: np.ndarray, own_positive: np.ndarray, own_negative: np.ndarray,
                base_rate: np.ndarray, agents: int, forget: float):
    """One pass over every tie slot: the daily trust measures, then that day's forgetting.

    Returns ``(trust_sum, live_ties, weight_sum, referral_sum, referral_live, reputation_total,
    reputation_held, referral_total, referral_held)``:

    - functional trust E = (r + 2a) / (r + s + 2) summed over live ties (``mean_trust``), and the weight
      of evidence in it, (r + s) / (r + s + 2), summed over live ties (``evidence_weight``);
    - per agent, the functional trust placed in it, summed over everyone who holds an opinion: a live
      tie, or a former one with real dealings that did not fade (reputation);
    - referral trust E' = (r' + 2E) / (r' + s' + 2) over ties that carry referral evidence (its base rate
      is the functional trust on the same tie), per agent and summed over live ones.

    The measures see the evidence as it was at the start of the day; ``forget`` (λ) is applied after, to
    every kind of evidence a tie holds (functional, referral, and the first-hand part of the functional).
    """
    reputation_total = np.zeros(agents)
    reputation_held = np.zeros(agents)
    referral_total = np.zeros(agents)
    referral_held = np.zeros(agents)
    trust_sum = 0.0
    weight_sum = 0.0
    live_ties = 0
    referral_sum = 0.0
    referral_live = 0
    for slot in range(len(source)):
        good, bad = positive[slot], negative[slot]
        ref_good, ref_bad = ref_positive[slot], ref_negative[slot]
        trusted = target[slot]
        live = alive[slot]
        trust = (good + 2.0 * base_rate[source[slot]]) / (good + bad + 2.0)
        if live:
            trust_sum += trust
            weight_sum += (good + bad) / (good + bad + 2.0)
            live_ties += 1
        if live or (dealings[slot] > 0 and not faded[slot]):
            reputation_total[trusted] += trust
            reputation_held[trusted] += 1.0
        if ref_good + ref_bad > 1e-9:
            referral = (ref_good + 2.0 * trust) / (ref_good + ref_bad + 2.0)
            referral_total[trusted] += referral
            referral_held[trusted] += 1.0
            if live:
                referral_sum += referral
                referral_live += 1
        if forget != 1.0:
            positive[slot] = good * forget
            negative[slot] = bad * forget
            ref_positive[slot] = ref_good * forget
            ref_negative[slot] = ref_bad * forget
            own_positive[slot] *= forget
            own_negative[slot] *= forget
    return (trust_sum, live_ties, weight_sum, referral_sum, referral_live,
            reputation_total, reputation_held, referral_total, referral_held)


@kernel
def average_ranks(values: np.ndarray, order: np.ndarray) -> np.ndarray:
    """0-based ranks of ``values`` (``order`` is an argsort of them), equal values sharing their average."""
    count = len(values)
    ranks = np.empty(count)
    start = 0
    while start < count:
        end = start + 1
        while end < count and values[order[end]] == values[order[start]]:
            end += 1
        average = (start + end - 1) / 2.0
        for position in range(start, end):
            ranks[order[position]] = average
        start = end
    return ranks


def warm_up() -> None:
    """Compile (or load from the cache) both kernels for the argument types the engine passes them.

    A process that forks workers (the sweep's forkserver) calls this first, so that every worker starts
    with the kernels ready instead of loading them on its first simulated day.
    """
    keys = np.zeros(1, dtype=np.int64)
    locate_in_rows(keys, np.zeros(2, dtype=np.int64), keys)
    ids, evidence, flags = np.zeros(1, dtype=np.int32), np.zeros(1), np.zeros(1, dtype=bool)
    sample_ties(ids, ids, flags, flags, np.zeros(1, dtype=np.float32),
                evidence, evidence, evidence, evidence, evidence, evidence, np.zeros(1), 1, 1.0)
    average_ranks(evidence, keys)
