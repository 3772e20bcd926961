"""The shell every batch command runs in: execute the runs not done yet, keep each the moment it comes back,
report failures, and stop cleanly on Ctrl-C or SIGTERM.

:func:`execute` is the one loop (sweeps, sensitivity analyses and ``trustsim check`` all run their runs
through it, into a :class:`Store`: a folder of run files, or check's cache). :func:`run_in_folder` is the
whole shell of an analysis that writes a folder (a sweep, a sensitivity analysis): check the options,
resolve the folder, hold it (one writer), claim it, list what is left, execute, leave the folder as it was
if the claim was refused or the cluster could not be used; inside it, :meth:`Ran.write` writes the tables
and the manifest. Everything a design decides (its runs,
their work, its tables) comes in a :class:`FolderBatch`.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TextIO

import numpy as np
import polars as pl

from ..errors import ClusterError, UsageError
from ..exports import versions, write_tables
from ..files import FORMATS, check_writable, discard_created, output_folder, remove_staging
from ..folder import clear_stale, one_writer
from ..lifetime import Terminated
from ..progress import Progress
from . import BatchInterrupted
from .execution import Executor, Task, Work, dask_version
from .folder import RunFiles, claim, remove_stale_tables
from .runs import PlannedRun

Failures = list[tuple[PlannedRun, str]]


class Store(Protocol):
    """Where finished runs are kept as they come back: ``kept`` of the batch's runs so far (those kept
    before this execution included), in ``where`` (None: in memory only)."""

    kept: int

    @property
    def where(self) -> Path | None: ...

    def keep(self, run: PlannedRun, result: dict[str, np.ndarray]) -> None:
        """Keep a run's result (ValueError, KeyError or TypeError: the result is malformed)."""

    def tidy(self) -> None:
        """Remove what an interrupted keep may have left half-written."""


def execute(tasks: list[Task], work: Work, store: Store, executor: Executor, *, what: str, title: str, total: int,
            failed: Callable[[PlannedRun], str], progress: bool = False, log: TextIO | None = None,
            on_kept: Callable[[PlannedRun], None] | None = None,
            cost: Callable[[PlannedRun], float] | None = None) -> Failures:
    """Run the tasks, keeping each result in ``store`` the moment it comes back; the failures, each reported
    on a line ``trustsim: {failed(run)}: {error}``. ``total``: the batch's runs, of which the store holds
    some already. ``cost``: how much work a run is (agent-days, say), when runs differ, so the progress
    bar's estimate of the time left weighs them. Ctrl-C tidies the store and raises
    :class:`BatchInterrupted` (naming ``what``)."""
    log = sys.stderr if log is None else log
    failures: Failures = []
    weigh = cost or (lambda run: 1.0)
    work_total = sum(weigh(task.run) for task in tasks) if cost else 0.0
    with Progress(title, total, "runs", done=store.kept, enabled=progress, work_total=work_total) as bar:
        try:
            if tasks:
                with closing(executor.outcomes(tasks, work)) as finishing:
                    for outcome in finishing:
                        error = (outcome.error or "unknown error") if outcome.result is None else None
                        if error is None:
                            try:
                                store.keep(outcome.run, outcome.result)
                            except (ValueError, KeyError, TypeError) as exc:
                                error = f"the work returned a malformed result: {exc}"
                        if error is None:
                            if on_kept is not None:
                                on_kept(outcome.run)
                            bar.update(advance=1, work=weigh(outcome.run))
                            continue
                        failures.append((outcome.run, error))
                        bar.note(f"trustsim: {failed(outcome.run)}: {error}", log)
                        bar.update(failed=1, work=weigh(outcome.run))
        except KeyboardInterrupt as stop:        # Ctrl-C, or SIGTERM taken as it (sim.lifetime)
            store.tidy()
            raise BatchInterrupted(what, store.kept, total, store.where, isinstance(stop, Terminated)) from None
    return failures


def manifest_versions(dask: bool, *packages: str) -> dict[str, str]:
    """The versions a batch's manifest records: the engine's (:func:`~sim.exports.versions`), then the
    named ``packages`` and, for a run on Dask, distributed."""
    from importlib import metadata

    found = versions()
    for package in packages:
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = "not installed"
    if dask:
        found["distributed"] = dask_version()
    return found


def runs_record(runs: tuple[PlannedRun, ...], finished: set[str], failures: Failures) -> dict[str, Any]:
    """What a manifest says of a batch's runs: planned, finished, missing, and each failure with its error."""
    return {"planned": len(runs), "finished": len(finished),
            "missing": sorted(r.run_id for r in runs if r.run_id not in finished),
            "failed": [{"run_id": r.run_id, "seed": r.seed, "values": dict(r.values), "error": e}
                       for r, e in failures]}


@dataclass(frozen=True)
class FolderBatch:
    """What a design that writes a folder hands the shell.

    ``kind`` names it in messages ("holds a different sweep", "sweep interrupted"), ``title`` on the
    progress bar. The folder is claimed with ``state`` in ``state_file`` (``differences(held)``: see
    :func:`~.folder.claim`) for ``tables``. Each run executes ``work(payload(run))``, is kept by
    ``frame`` (:class:`~.folder.RunFiles`), and a failure is named by ``failed(run)``.
    """

    kind: str
    title: str
    state_file: str
    state: dict[str, Any]
    tables: tuple[str, ...]
    differences: Callable[[dict[str, Any]], str | None]
    runs: tuple[PlannedRun, ...]
    payload: Callable[[PlannedRun], dict[str, Any]]
    work: Work
    frame: Callable[[PlannedRun, dict[str, np.ndarray]], pl.DataFrame]
    schema: dict[str, pl.DataType]
    failed: Callable[[PlannedRun], str]
    one_row: bool = False


@dataclass
class Ran:
    """What :func:`run_in_folder` did: every run kept so far (by id), the failures, the runs run now and
    those already done, and how the executor ran them (as the manifest records it)."""

    out: Path
    fmt: str
    tables: tuple[str, ...]
    finished: dict[str, pl.DataFrame]
    failures: Failures
    ran: int
    skipped: int
    executor: dict[str, Any]
    started: float = field(default_factory=time.monotonic)

    def runs_record(self, runs: tuple[PlannedRun, ...]) -> dict[str, Any]:
        return runs_record(runs, set(self.finished), self.failures)

    def write(self, tables: dict[str, pl.DataFrame], manifest: dict[str, Any]) -> dict[str, Path]:
        """Write the tables and then the manifest, atomically; tables left in another format go."""
        written = write_tables(tables, self.out, self.fmt, manifest)
        remove_stale_tables(self.out, self.fmt, self.tables)
        return written

    @property
    def seconds(self) -> float:
        return time.monotonic() - self.started


@contextmanager
def run_in_folder(batch: FolderBatch, out: str | Path, executor: Executor, *, fmt: str = "parquet",
                  progress: bool = False, log: TextIO | None = None,
                  on_kept: Callable[[PlannedRun], None] | None = None) -> Iterator[Ran]:
    """Run (or resume) ``batch`` into ``out`` and yield what ran, for the caller to write its tables with
    :meth:`Ran.write` inside the block; everything is checked before anything is claimed or run.

    ``out`` is resolved before it is checked (``z/../other`` is ``other``, and no ``z/`` is made). The
    folder is held by one writer (:func:`~sim.folder.one_writer`) from the claim to the last write, so a
    second command on it meanwhile is refused in one line. ``on_kept`` is called after each run is safely
    on disk. A folder this call made is taken away again if the claim is refused or a cluster could not
    be used; an interrupted or failed batch keeps its runs, to be resumed.
    """
    if fmt not in FORMATS:
        raise UsageError(f"--format: unknown format {fmt!r} (known: {', '.join(FORMATS)})")
    out = output_folder(str(out))
    executor.check()
    created = check_writable(out)
    claimed = resumed = False
    try:
        with one_writer(out):
            resumed = claim(out, batch.state_file, batch.state, batch.kind, batch.differences)
            claimed = True
            yield _execute_in(out, batch, executor, fmt, progress, log, on_kept)
    except ClusterError:
        if claimed and not resumed and not RunFiles(out, batch.frame, batch.schema).load(batch.runs):
            (out / batch.state_file).unlink(missing_ok=True)   # the scheduler could not be used: as it was
            claimed = False
        raise
    finally:
        if created is not None and not claimed:     # a refused claim leaves no folder behind, not even z/
            clear_stale(out)
            discard_created(created, out)


def _execute_in(out: Path, batch: FolderBatch, executor: Executor, fmt: str, progress: bool, log: TextIO | None,
                on_kept: Callable[[PlannedRun], None] | None) -> Ran:
    """Execute the runs of ``batch`` not yet kept in ``out`` (claimed, and held by this process)."""
    files = RunFiles(out, batch.frame, batch.schema, batch.one_row)
    files.tidy()
    remove_staging(out)          # tables half-published by a batch killed outright
    started = time.monotonic()
    finished = files.load(batch.runs)
    todo = [Task(r, batch.payload(r)) for r in batch.runs if r.run_id not in finished]
    failures = execute(todo, batch.work, files, executor, what=batch.kind, title=batch.title,
                       total=len(batch.runs), failed=batch.failed, progress=progress, log=log, on_kept=on_kept)
    return Ran(out, fmt, batch.tables, files.load(batch.runs), failures, ran=len(todo),
               skipped=len(batch.runs) - len(todo), executor=executor.describe(len(todo)), started=started)
