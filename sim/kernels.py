"""Compiled code: how a plain Python loop becomes a numba kernel, and the few loops every store shares.

A simulated day is one call into compiled code (:mod:`sim.engine`): the day kernel runs each mechanism's
kernel in turn, and each kernel is written beside the docstring of the mechanism it implements
(:mod:`sim.mechanisms`), the stores beside theirs (:mod:`sim.ties`, :mod:`sim.eventlog`, ...). The state
they act on is laid out in :mod:`sim.kernels_state`.

A kernel is a plain Python function marked with :func:`kernel`. It is compiled by numba on its first
call (``njit(cache=True, nogil=True)``): ``import sim``, and the commands that never simulate
(``trustsim --help``, ``list``, ``show``), do not pay numba's half a second. A kernel may call another
kernel by its name, as plain Python would. ``kernel.python`` is the function itself, uncompiled: the
same formula applied to numpy arrays (e.g. :func:`sim.trust.expectation`).

All kernels are plain sequential loops (no fastmath, no parallel reductions), so results are bit-for-bit
the same on every run, and where a kernel replaces a numpy expression it does the same floating-point
operations in the same order (:func:`pairwise_sum` is numpy's own summation). ``nogil`` lets a reader
thread (the dashboard's screen) run while a day is computed.

The compiled code is cached on disk, so only the first run on a machine compiles (about a minute).
numba's cache tracks each kernel's own source file only, not the kernels it calls in other modules; so
the cache lives in a folder named after a fingerprint of every module that holds kernels
(:data:`KERNEL_MODULES`), and a change to any of them compiles everything afresh.
"""

from __future__ import annotations

import functools
import hashlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROW_SHIFT = 32   # a key is (first << 32) | second

#: Every module (relative to the package) that defines kernels: the cache is keyed on their sources.
KERNEL_MODULES = (
    "kernels.py", "kernels_state.py", "trust.py", "policies.py", "population.py", "ties.py", "ledger.py",
    "eventlog.py", "world.py", "measures.py", "history.py", "engine.py", "mechanisms/*.py",
)
_PACKAGE = Path(__file__).resolve().parent
_loaded: list[Any] = []


def _fingerprint() -> str:
    digest = hashlib.sha256()
    for pattern in KERNEL_MODULES:
        for path in sorted(_PACKAGE.glob(pattern)):
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _cache_dir() -> str:
    """Where compiled kernels are kept: beside the package if it is writable, else in the user's cache."""
    name = f"kernels-{_fingerprint()}"
    for base in (_PACKAGE / "__pycache__",
                 Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "trustsim",
                 Path(tempfile.gettempdir()) / "trustsim-cache"):
        try:
            base.mkdir(parents=True, exist_ok=True)
            if os.access(base, os.W_OK):
                return str(base / name)
        except OSError:
            continue
    return ""


def numba() -> Any:
    """numba, imported and set up on first use: the kernel cache, and kernels callable from kernels."""
    if _loaded:
        return _loaded[0]
    import numba as loaded
    from numba.core import config
    from numba.core.typing.typeof import typeof_impl

    if not os.environ.get("NUMBA_CACHE_DIR"):
        config.CACHE_DIR = _cache_dir()

    @typeof_impl.register(_Kernel)
    def _typeof_kernel(value: _Kernel, context: Any) -> Any:
        # a kernel named inside another kernel is typed as its compiled dispatcher
        return typeof_impl(value.dispatcher, context)

    _loaded.append(loaded)
    return loaded


class Compiled:
    """Something with a compiled twin (``.compiled``) that kernels act on: the world and its stores.

    A kernel called from Python with one of these as its first argument is given its twin, so that a
    mechanism's kernel can be called on a :class:`sim.world.World` as it is (a test, a scenario event).
    """

    compiled: Any


class _Kernel:
    """A function compiled by numba on its first call (``njit(cache=True, nogil=True)``)."""

    def __init__(self, function: Callable[..., Any]) -> None:
        self.python = function
        self._dispatcher: Any = None
        functools.update_wrapper(self, function)

    @property
    def dispatcher(self) -> Any:
        if self._dispatcher is None:
            self._dispatcher = numba().njit(cache=True, nogil=True, error_model="numpy")(self.python)
        return self._dispatcher

    @property
    def signatures(self) -> list:
        """The argument types compiled so far (none before the first call)."""
        return [] if self._dispatcher is None else self._dispatcher.signatures

    def __call__(self, *args: Any) -> Any:
        if args and isinstance(args[0], Compiled):
            return self.dispatcher(args[0].compiled, *args[1:])
        return self.dispatcher(*args)


def kernel(function: Callable[..., Any]) -> _Kernel:
    """Mark a plain loop as a compiled kernel (compiled lazily, see :class:`_Kernel`)."""
    return _Kernel(function)


def ids(values: Any) -> np.ndarray:
    """Agent ids or slots from Python, as kernels take them: int64, contiguous and writeable (a read-only
    array would be compiled for apart)."""
    return np.require(np.atleast_1d(values), np.int64, ["C", "W"])


def column(values: Any, count: int, dtype: Any = np.float64) -> np.ndarray:
    """``count`` values from Python (a scalar repeated), as kernels take them (see :func:`ids`)."""
    return np.require(np.broadcast_to(np.asarray(values, dtype=dtype), (count,)), dtype, ["C", "W"])


# ---------------------------------------------------------------- growth

@kernel
def grown(array: np.ndarray, used: int, needed: int) -> np.ndarray:
    """``array`` itself if it holds ``needed`` entries, else a copy of its first ``used`` entries in an
    array at least twice as long (amortised O(1) per entry; the rest is left unset)."""
    if needed <= len(array):
        return array
    bigger = np.empty(max(needed, 2 * len(array), 16), dtype=array.dtype)
    bigger[:used] = array[:used]
    return bigger


# ---------------------------------------------------------------- numpy's own arithmetic

@kernel
def pairwise_sum(values: np.ndarray, start: int, count: int) -> float:
    """numpy's float64 ``sum`` of ``values[start:start + count]``, bit for bit: pairwise summation with
    eight accumulators in blocks of up to 128 (numpy's ``pairwise_sum_DOUBLE``), from 0.0."""
    return 0.0 + _pairwise(values, start, count)


@kernel
def _pairwise(values: np.ndarray, start: int, count: int) -> float:
    """numpy's recursion (halves, each cut at a multiple of 8, down to blocks of up to 128), walked with a
    stack of its own: a compiled function that calls itself cannot be cached."""
    if count <= 128:
        return _block(values, start, count)
    starts = np.empty(64, dtype=np.int64)
    counts = np.empty(64, dtype=np.int64)
    stages = np.zeros(64, dtype=np.int64)
    partial = np.empty(64)
    frames, results = 1, 0
    starts[0], counts[0], stages[0] = start, count, 0
    while frames:
        top = frames - 1
        at, size = starts[top], counts[top]
        if size <= 128:
            partial[results] = _block(values, at, size)
            results += 1
            frames -= 1
            continue
        half = size // 2
        half -= half % 8
        if stages[top] == 0:
            stages[top] = 1
            starts[frames], counts[frames], stages[frames] = at, half, 0
            frames += 1
        elif stages[top] == 1:
            stages[top] = 2
            starts[frames], counts[frames], stages[frames] = at + half, size - half, 0
            frames += 1
        else:
            results -= 1
            partial[results - 1] = partial[results - 1] + partial[results]
            frames -= 1
    return partial[0]


@kernel
def _block(values: np.ndarray, start: int, count: int) -> float:
    if count < 8:
        total = 0.0
        for i in range(start, start + count):
            total += values[i]
        return total
    r0, r1, r2, r3 = values[start], values[start + 1], values[start + 2], values[start + 3]
    r4, r5, r6, r7 = values[start + 4], values[start + 5], values[start + 6], values[start + 7]
    i = 8
    while i < count - count % 8:
        at = start + i
        r0 += values[at]
        r1 += values[at + 1]
        r2 += values[at + 2]
        r3 += values[at + 3]
        r4 += values[at + 4]
        r5 += values[at + 5]
        r6 += values[at + 6]
        r7 += values[at + 7]
        i += 8
    total = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < count:
        total += values[start + i]
        i += 1
    return total


@kernel
def argsort_reals(values: np.ndarray) -> np.ndarray:
    """An argsort of floats (no NaN) for ranking: a bucket sort over [min, max], about eight values a bucket,
    each then sorted by insertion (or by a comparison sort, if it is crowded). Equal values may come in any
    order. Two or three times faster than numba's comparison sort from ten thousand values on."""
    count = len(values)
    if count < 64:
        return np.argsort(values)
    low, high = values.min(), values.max()
    if not high > low:
        return np.arange(count)
    buckets = max(count // 8, 1)
    scale = buckets / (high - low)
    bucket = np.empty(count, dtype=np.int32)
    starts = np.zeros(buckets + 1, dtype=np.int64)
    for i in range(count):
        bucket[i] = min(int((values[i] - low) * scale), buckets - 1)   # monotone in the value
        starts[bucket[i] + 1] += 1
    for b in range(buckets):
        starts[b + 1] += starts[b]
    order = np.empty(count, dtype=np.int64)
    filled = starts[:-1].copy()
    for i in range(count):
        order[filled[bucket[i]]] = i
        filled[bucket[i]] += 1
    for b in range(buckets):
        first, end = starts[b], starts[b + 1]
        if end - first > 64:
            crowded = order[first:end].copy()
            order[first:end] = crowded[np.argsort(values[crowded])]
            continue
        for i in range(first + 1, end):
            at, value = order[i], values[order[i]]
            j = i - 1
            while j >= first and values[order[j]] > value:
                order[j + 1] = order[j]
                j -= 1
            order[j + 1] = at
    return order


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


@kernel
def first_of_each(keys: np.ndarray) -> np.ndarray:
    """Positions of the first occurrence of each distinct key, in the order they occur (as
    ``np.unique(keys, return_index=True)`` then sorted)."""
    order = np.argsort(keys, kind="mergesort")
    first = np.zeros(len(keys), dtype=np.bool_)
    for i in range(len(order)):
        if i == 0 or keys[order[i]] != keys[order[i - 1]]:
            first[order[i]] = True
    return np.flatnonzero(first)


@kernel
def unique_sorted(values: np.ndarray) -> np.ndarray:
    """The distinct values, ascending (``np.unique``)."""
    if len(values) == 0:
        return values[:0].copy()
    ordered = np.sort(values)
    keep = np.ones(len(ordered), dtype=np.bool_)
    for i in range(1, len(ordered)):
        keep[i] = ordered[i] != ordered[i - 1]
    return ordered[keep]
