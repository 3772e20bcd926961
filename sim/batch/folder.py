"""A batch's output folder: which analysis it holds, and one file per finished run.

:func:`claim` is the rule for every kind of analysis that keeps its runs in a folder (a sweep, a
sensitivity analysis): a folder holds one analysis of one kind, named by its state file, so a rerun
resumes it and anything else is refused rather than mixed in.

Each finished run is kept in ``DIR/runs/<run_id>.parquet`` the moment it comes back (:class:`RunFiles`),
written to a hidden temporary file next to it and then renamed, so a file there is always complete; the
tables are rebuilt from those files.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from ..errors import UsageError
from ..files import FORMATS, write_atomic, write_json
from ..measures import COUNT_METRICS, METRICS
from .runs import PlannedRun

RUNS_DIR = "runs"
#: every kind of analysis's state file: a folder holding one of them is never claimed by another kind
STATE_FILES = ("sweep.json", "sensitivity.json")
#: every network measure as a table column: counts as Int64, the rest Float64
METRIC_SCHEMA: dict[str, pl.DataType] = {m: pl.Int64() if m in COUNT_METRICS else pl.Float64() for m in METRICS}


def claim(out: Path, state_file: str, mine: dict[str, Any], kind: str, tables: Iterable[str],
          differences: Callable[[dict[str, Any]], str | None]) -> bool:
    """Make ``out`` the directory of the analysis whose state is ``mine``; True if it already was.

    ``differences(held)`` is None when the state already there is the same analysis (a resume, or for a
    sweep an extension, whose state is then rewritten), else says what it is and how it differs (a
    ValueError: the state is not one it can read, as is a state file that is not a JSON object). A
    different analysis, an unreadable state file, or files like ours that no state file of this kind
    accounts for (a ``trustsim run`` export, another kind of analysis) are refused rather than mixed with
    or overwritten.
    """
    state_path = out / state_file
    if state_path.exists():
        try:
            held = json.loads(state_path.read_text())
        except (OSError, ValueError):
            held = None
        try:
            if not isinstance(held, dict):
                raise ValueError(state_file)
            how = differences(held)
        except ValueError:
            raise UsageError(f"{out}: {state_file} is unreadable or damaged; use another --out or empty it") from None
        if how:
            raise UsageError(f"{out}: holds a different {kind} ({how}); use another --out or empty it")
        write_json(state_path, mine)
        return True
    others = {name for name in STATE_FILES if name != state_file}
    ours = {"manifest.json", RUNS_DIR, *others, *(f"{t}.{f}" for t in tables for f in FORMATS)}
    foreign = sorted(p.name for p in out.iterdir() if p.name in ours)
    if foreign:
        raise UsageError(f"{out}: already holds {', '.join(foreign)} from something other than a {kind}; "
                         "use another --out or empty it")
    write_json(state_path, mine)
    return False


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
        final.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(final, frame.write_parquet)
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
