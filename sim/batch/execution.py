"""Where a batch's runs execute: a local process pool, or a Dask cluster (an existing scheduler or a
LocalCluster), as an :class:`Executor` says (``--workers``, ``--dask``).

Both executors take the same :class:`Task` list and yield one :class:`Outcome` per task as runs finish,
in whatever order they finish: the caller keeps each result at once and sorts the tables itself. A run
that raises, or whose worker process dies, becomes a failed outcome; the other runs go on.

The work done for a task is a top-level function of plain data (its payload: for a sweep, the run's
scenario dict) returning a few numpy columns: each design names its own (a sweep's run keeps its daily
measures, ``trustsim check`` evaluates hypotheses; a test passes one that fails on purpose). It pickles
by name to a process pool and to a remote Dask worker alike. Results come back to this process, which
keeps them: a remote cluster needs no shared filesystem.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import socket
import threading
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import ClusterError, UsageError
from ..lifetime import end_with
from .runs import PlannedRun

CLUSTER_HINT = "pip install 'trustsim[cluster]'"
TRIM_KEY = "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_"
Work = Callable[[dict[str, Any]], dict[str, np.ndarray]]


@dataclass(frozen=True)
class Task:
    """A run to execute: its plan entry, and the plain data its work function is given."""

    run: PlannedRun
    payload: dict[str, Any]


@dataclass(frozen=True)
class Outcome:
    """A finished task: what its work returned (``result``), or ``error`` (one line) if it failed."""

    run: PlannedRun
    result: dict[str, np.ndarray] | None
    error: str | None = None


def default_workers() -> int:
    """The cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class Executor:
    """Where a batch runs: a local pool of ``workers`` processes (default: the cores), or the Dask scheduler
    at ``dask`` (``local``: a LocalCluster of ``workers`` started for the batch). ``timeout``: how long to
    wait for a scheduler to answer."""

    workers: int | None = None
    dask: str | None = None
    timeout: float = 10.0

    def check(self) -> None:
        """Refuse bad options in one line before anything runs or any folder is claimed."""
        if self.workers is not None and self.workers < 1:
            raise UsageError(f"--workers: must be at least 1, got {self.workers}")
        if self.workers is not None and self.dask not in (None, "local"):
            raise UsageError("--workers: not used with --dask ADDRESS (the cluster has its own workers)")
        if self.dask is not None:
            require_dask(self.dask, self.timeout)

    def size(self, tasks: int) -> int:
        """Workers for ``tasks`` runs: never more than there are runs."""
        return min(self.workers or default_workers(), max(tasks, 1))

    def describe(self, tasks: int) -> dict[str, Any]:
        """What a manifest records of it."""
        return {"kind": "dask" if self.dask else "local", "workers": self.size(tasks), "address": self.dask}

    def outcomes(self, tasks: list[Task], work: Work) -> Iterator[Outcome]:
        """The tasks' outcomes as they finish."""
        return outcomes(tasks, self.size(len(tasks)), self.dask, self.timeout, work)


def describe(exc: BaseException) -> str:
    """An exception as one line: ``Type: message``."""
    if type(exc).__name__ == "KilledWorker":   # Dask's own text runs to a paragraph
        return "worker lost: every Dask worker that tried this run died (KilledWorker)"
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _start_worker(owner: int) -> None:
    """A pool worker leaves Ctrl-C to ``owner``, the process that started the pool, which cancels the batch
    cleanly (no worker tracebacks); and it ends when ``owner`` ends, however that ends. Orphaned by a
    ``kill -9``, workers waited on their queue for good, and kept the forkserver and the resource tracker
    alive with them (each of those ends by itself once no worker holds its pipe)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    end_with(owner)


def _new_pool(workers: int) -> ProcessPoolExecutor:
    """A process pool on ``forkserver`` (safe with numpy and threads; cheap per worker) or ``spawn``.

    As with any such pool, a script that runs a sweep must guard its entry point with
    ``if __name__ == "__main__":`` (workers import the main module).
    """
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    if method == "forkserver":
        # workers start with numpy and sim imported and the compiled kernels ready
        context.set_forkserver_preload(["sim.engine", "sim.batch.execution", "sim.kernels_warm"])
    return ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_start_worker,
                               initargs=(os.getpid(),))


def _stop_pool(pool: ProcessPoolExecutor) -> None:
    """Cancel what has not started and stop the workers now (a run in progress is abandoned)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(timeout=5)


def local_outcomes(tasks: list[Task], workers: int, work: Work) -> Iterator[Outcome]:
    """Run tasks on a local process pool, at most ``workers`` at a time, yielding outcomes as they finish.

    If a worker process dies (killed, out of memory) the pool breaks and every run in flight is lost
    with it; those runs are retried one at a time in a fresh pool, so that a run which kills its worker
    again, alone, is the one reported (``worker lost``) and the others complete.
    """
    pending, suspects = deque(tasks), deque()
    in_flight: dict[Future, tuple[Task, bool]] = {}
    pool = _new_pool(workers)
    try:
        while pending or suspects or in_flight:
            broken = _submit(pool, in_flight, pending, suspects, workers, work)
            done = wait(in_flight, return_when=FIRST_COMPLETED)[0] if in_flight else set()
            lost = []
            for future in done:
                task, alone = in_flight.pop(future)
                error = future.exception()
                if isinstance(error, BrokenProcessPool):
                    lost.append((task, alone))
                elif error is not None:
                    yield Outcome(task.run, None, describe(error))
                else:
                    yield Outcome(task.run, future.result())
            if lost or broken:
                lost += list(in_flight.values())   # the pool is gone: so is every run still in it
                in_flight.clear()
                _stop_pool(pool)
                pool = _new_pool(workers)
                for task, alone in lost:
                    if alone:
                        yield Outcome(task.run, None, "worker lost: the process running it died")
                    else:
                        suspects.append(task)
    finally:
        _stop_pool(pool)


def _submit(pool: ProcessPoolExecutor, in_flight: dict[Future, tuple[Task, bool]], pending: deque[Task],
            suspects: deque[Task], workers: int, work: Work) -> bool:
    """Top up the runs in flight (one at a time while suspects are retried); True if the pool is broken."""
    isolating = bool(suspects) or any(alone for _, alone in in_flight.values())
    while (suspects or pending) and len(in_flight) < (1 if isolating else workers):
        alone = bool(suspects)
        source = suspects if alone else pending
        task = source.popleft()
        try:
            future = pool.submit(work, task.payload)
        except BrokenProcessPool:
            source.appendleft(task)
            return True
        in_flight[future] = (task, alone)
        isolating = isolating or alone
    return False


PROTOCOLS = ("tcp", "tls", "inproc", "ucx", "ws", "wss")


def require_dask(address: str = "local", timeout: float = 10.0) -> None:
    """Fail early, before anything runs or any folder is claimed: Dask must be installed, and a
    scheduler's address must name a known protocol and, for TCP, answer (a refused port fails at once)."""
    _dask()
    if address == "local":
        return
    scheme, separator, rest = address.partition("://")
    if not separator or scheme not in PROTOCOLS:
        raise ClusterError(f"--dask {address}: not a scheduler address (expected local, or "
                           f"{'|'.join(PROTOCOLS)}://HOST:PORT, e.g. tcp://head:8786)")
    if scheme != "tcp":
        return
    host, _, port = rest.rpartition(":")
    if not host or not port.isdigit():
        raise ClusterError(f"--dask {address}: expected tcp://HOST:PORT")
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=min(timeout, 5.0)).close()
    except OSError as exc:
        raise ClusterError(f"--dask {address}: cannot reach the Dask scheduler ({describe(exc)})") from None


def _dask() -> Any:
    """The ``distributed`` module, or a one-line ClusterError saying how to install it."""
    try:
        import distributed
    except ImportError:
        raise ClusterError(f"--dask needs Dask's distributed scheduler: {CLUSTER_HINT}") from None
    return distributed


def dask_version() -> str:
    try:
        return str(_dask().__version__)
    except ClusterError:
        return "not installed"


@contextmanager
def _quiet_logger(name: str) -> Iterator[None]:
    """Silence a logger (the in-process scheduler's retries and lost keys) for the duration."""
    logger = logging.getLogger(name)
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


@contextmanager
def _children_ignore_sigint() -> Iterator[None]:
    """Start processes that ignore Ctrl-C (the disposition is inherited), so only this process handles it.

    A terminal's Ctrl-C reaches every process in the foreground group; LocalCluster workers would die
    with tracebacks and leave the cluster hanging. Python keeps an inherited 'ignore' for SIGINT.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _connect(stack: ExitStack, address: str, workers: int, timeout: float) -> Any:
    """A Dask client: on a fresh LocalCluster (``local``) or on the scheduler at ``address``."""
    distributed = _dask()
    if address == "local":
        stack.enter_context(_quiet_logger("distributed"))   # failures are reported per run instead
        import dask
        # Dask's default MALLOC_TRIM_THRESHOLD_=65536 for workers makes every numpy array a fresh mmap:
        # runs were ~1.5x slower than on the local pool. Unset it for the cluster we start.
        with _children_ignore_sigint(), dask.config.set({TRIM_KEY: None}):
            cluster = stack.enter_context(distributed.LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                silence_logs=logging.ERROR))
        return stack.enter_context(distributed.Client(cluster))
    try:
        client = distributed.Client(address, timeout=timeout)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ClusterError(f"--dask {address}: cannot reach the Dask scheduler ({describe(exc)})") from None
    return stack.enter_context(client)


def dask_outcomes(tasks: list[Task], address: str, workers: int, timeout: float, work: Work) -> Iterator[Outcome]:
    """Run tasks on a Dask cluster, yielding outcomes as they finish (``distributed.as_completed``).

    ``pure=False``: two runs with equal arguments must still both run (and never be merged into one).
    A worker lost too often (Dask's ``KilledWorker``) or an exception shows as that run's failure.
    """
    with ExitStack() as stack:
        client = _connect(stack, address, workers, timeout)
        distributed = _dask()
        futures = client.map(work, [t.payload for t in tasks], pure=False)
        owner = {future.key: task for future, task in zip(futures, tasks, strict=True)}
        remaining = set(futures)
        try:
            for future in distributed.as_completed(futures):
                remaining.discard(future)
                task = owner[future.key]
                try:
                    result = future.result()
                except (KeyboardInterrupt, SystemExit, GeneratorExit):
                    raise
                except BaseException as exc:   # the run's own error, KilledWorker, a cancelled future...
                    yield Outcome(task.run, None, describe(exc))
                else:
                    yield Outcome(task.run, result)
                future.release()
        finally:
            if remaining:
                client.cancel(list(remaining))


def outcomes(tasks: list[Task], workers: int, dask: str | None, timeout: float, work: Work) -> Iterator[Outcome]:
    """The tasks' outcomes as they finish: on the local pool, or on the Dask scheduler at ``dask``."""
    if dask is None:
        return local_outcomes(tasks, workers, work)
    return dask_outcomes(tasks, dask, workers, timeout, work)
