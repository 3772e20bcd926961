"""A batch's output folder: which analysis it holds, and one file per finished run.

:func:`claim` is the rule for every kind of analysis that keeps its runs in a folder (a sweep, a
sensitivity analysis): a folder holds one analysis of one kind, named by its state file, so a rerun
resumes it; a new analysis takes only an empty folder, and anything else is refused rather than mixed in.
The caller holds the folder's writer lock (:func:`sim.folder.one_writer`) from the claim to the last
write, so two identical commands on one folder never both run everything.

Each finished run is kept in ``DIR/runs/<run_id>.parquet`` the moment it comes back (:class:`RunFiles`),
written to a hidden temporary file next to it and then renamed, so a file there is always complete; the
tables are rebuilt from those files.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from ..errors import ExportError, UsageError
from ..exports import write_frame
from ..files import FORMATS, write_atomic, write_json
from ..folder import entries
from ..measures import COUNT_METRICS, METRICS
from .runs import PlannedRun

RUNS_DIR = "runs"
#: every kind of analysis's state file: what a folder holding one is said to hold when another kind is refused
STATE_FILES = ("sweep.json", "sensitivity.json")
#: every network measure as a table column: counts as Int64, the rest Float64
METRIC_SCHEMA: dict[str, pl.DataType] = {m: pl.Int64() if m in COUNT_METRICS else pl.Float64() for m in METRICS}


def claim(out: Path, state_file: str, mine: dict[str, Any], kind: str,
          differences: Callable[[dict[str, Any]], str | None]) -> bool:
    """Make ``out`` the directory of the analysis whose state is ``mine``; True if it already was.

    ``differences(held)`` is None when the state already there is the same analysis (a resume, or for a
    sweep an extension, whose state is then rewritten), else says what it is and how it differs (a
    ValueError: the state is not one it can read, as is a state file that is not a JSON object). A
    different analysis, an unreadable state file, a folder of its runs that is not a real folder (a link
    would send every run file, and every removal of a damaged one, elsewhere), or a folder that holds
    anything without a state file of this kind (a ``trustsim run`` export, another kind of analysis,
    someone's files) is refused rather than mixed with or overwritten.
    """
    state_path = out / state_file
    present = entries(out)
    if state_file not in present:
        if present:
            held = [name for name in STATE_FILES if name in present] or present     # another analysis: say so
            raise UsageError(f"{out}: already holds {_listing(held)} from something other than a {kind}; "
                             "use another --out or empty it")
        _write_state(state_path, mine)
        return False
    try:
        held = json.loads(state_path.read_text())
    except (OSError, ValueError, RecursionError):
        held = None
    try:
        if not isinstance(held, dict):
            raise ValueError(state_file)
        how = differences(held)
    except ValueError:
        raise UsageError(f"{out}: {state_file} is unreadable or damaged; use another --out or empty it") from None
    if how:
        raise UsageError(f"{out}: holds a different {kind} ({how}); use another --out or empty it")
    runs = out / RUNS_DIR
    if os.path.lexists(runs) and (runs.is_symlink() or not runs.is_dir()):
        raise UsageError(f"{runs}: is not a folder of this {kind}'s runs (a link or a file); use another --out")
    _write_state(state_path, mine)
    return True


def _listing(names: list[str]) -> str:
    return ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")


def _write_state(path: Path, state: dict[str, Any]) -> None:
    try:
        write_json(path, state)
    except OSError as exc:
        raise ExportError(f"{path}: cannot write: {exc.strerror or exc}") from None


def remove_stale_tables(out: Path, fmt: str, tables: Iterable[str]) -> None:
    """Tables of this analysis written earlier in another format would no longer match the manifest."""
    for table in tables:
        for other in FORMATS:
            if other != fmt:
                (out / f"{table}.{other}").unlink(missing_ok=True)


class RunFiles:
    """The finished runs of a batch in ``DIR/runs/``, one parquet file each.

    ``frame(run, result)`` turns what a run's work returned into its file's frame, of ``schema`` (one row
    per run if ``one_row``, else one per day); it raises ValueError, KeyError or TypeError on a result it
    cannot use. ``kept``: how many of the batch's runs are on disk (as of the last :meth:`load`, and every
    :meth:`keep` since).
    """

    def __init__(self, out: Path, frame: Callable[[PlannedRun, dict[str, np.ndarray]], pl.DataFrame],
                 schema: dict[str, pl.DataType], one_row: bool = False) -> None:
        self.out, self.frame, self.schema, self.one_row = out, frame, schema, one_row
        self.kept = 0

    @property
    def where(self) -> Path:
        return self.out / RUNS_DIR

    def path(self, run_id: str) -> Path:
        return self.where / f"{run_id}.parquet"

    def keep(self, run: PlannedRun, result: dict[str, np.ndarray]) -> None:
        """Keep a finished run atomically: temp file in ``DIR/runs/``, then rename (never a partial file)."""
        frame = self.frame(run, result)
        final = self.path(run.run_id)
        try:
            final.parent.mkdir(parents=True, exist_ok=True)
            # through the exports' writer, so a full disk is an OSError (one line), never polars' own error
            write_atomic(final, lambda path: write_frame(frame, path, "parquet"))
        except OSError as exc:
            raise ExportError(f"{final.parent}: cannot keep run {run.run_id}: {exc.strerror or exc}") from None
        self.kept += 1

    def tidy(self) -> None:
        """Remove temp files a killed batch may have left in ``DIR/runs/`` (never a finished run)."""
        if self.where.is_dir():
            for temp in self.where.glob(".*.tmp"):
                temp.unlink(missing_ok=True)

    def load(self, runs: Iterable[PlannedRun]) -> dict[str, pl.DataFrame]:
        """The given runs already kept, by run id.

        An unreadable file, or one whose schema, rows, seed or run id do not match its run, is dropped so
        that the run is done again.
        """
        finished = {}
        for run in runs:
            path = self.path(run.run_id)
            if not path.is_file():
                continue
            try:
                frame = pl.read_parquet(path)
            except Exception:   # a damaged file (e.g. a disk problem): run it again
                path.unlink(missing_ok=True)
                continue
            if (dict(frame.schema) != self.schema or frame.height == 0 or (self.one_row and frame.height != 1)
                    or frame["seed"].unique().to_list() != [run.seed]
                    or frame["run_id"].unique().to_list() != [run.run_id]):
                path.unlink(missing_ok=True)
                continue
            finished[run.run_id] = frame
        self.kept = len(finished)
        return finished
