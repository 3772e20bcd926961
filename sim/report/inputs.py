"""What a report is made from: run folders, sweep and sensitivity folders, and ``trustsim check --json`` files, read and
recognised, with every problem told in one line that names it and where it is.

Only exported files are read (never the engine's state), so anyone holding the files can redraw every
figure. Tables are read lazily with polars and only the columns and rows a figure needs are collected.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, ClassVar

import polars as pl

from ..config import Scenario, from_dict
from ..errors import ScenarioError, UsageError
from ..files import SHA256_HEX, sha256
from ..measures import NETWORK_MEASURES
from ..scenario_events import ScenarioEvent
from .size import check_memory, check_rows

#: The keys every row of ``trustsim check --json`` has that the report reads.
CHECK_KEYS = ("scenario", "id", "statement", "measure", "effect", "ci_low", "ci_high", "direction",
              "min_effect", "holds")
SCANNERS = {".parquet": pl.scan_parquet, ".csv": pl.scan_csv, ".ipc": pl.scan_ipc, ".ndjson": pl.scan_ndjson}


class InputError(UsageError):
    """An input that is missing, unreadable, or not a run, sweep or check output (exit code 2)."""


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def read_json(path: Path) -> Any:
    """A JSON document, or one line saying why it cannot be read."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: broken JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not a text file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except RecursionError:
        raise InputError(f"{path}: JSON nested too deeply") from None


@dataclass
class Folder:
    """An exported folder: its ``manifest.json`` and the tables it lists.

    The manifest is a claim to be checked, never trusted: each table it lists is read only from inside the
    folder (its path resolved, links followed, before it is checked), and only once its bytes have the
    sha256 and its rows the count the manifest gives, so a table edited, truncated or swapped since it was
    written is refused in one line rather than drawn without a word.
    """

    path: Path
    manifest: dict[str, Any]
    _verified: dict[str, Path] = field(default_factory=dict, repr=False)

    def entry(self, name: str) -> tuple[str, str, int]:
        """The manifest's entry for table ``name``: its file name, sha256 and rows (one line if malformed)."""
        where = f"{self.path}/manifest.json"
        entry = self.manifest.get("files", {}).get(name)
        if not isinstance(entry, dict) or not isinstance(entry.get("file"), str):
            raise InputError(f"{where}: lists no {name!r} table")
        digest, rows = entry.get("sha256"), entry.get("rows")
        if not isinstance(digest, str) or not SHA256_HEX.fullmatch(digest):
            raise InputError(f"{where}: gives no sha256 for the {name!r} table, so it cannot be told from "
                             "another file")
        if not isinstance(rows, int) or isinstance(rows, bool) or rows < 0:
            raise InputError(f"{where}: gives no row count for the {name!r} table")
        return entry["file"], digest, rows

    def table_name(self, name: str) -> Path:
        """Table ``name`` as the manifest gives it, for a message (not checked: see :meth:`table_path`)."""
        return self.path / self.entry(name)[0]

    def table_path(self, name: str) -> Path:
        """Where table ``name`` is, inside the folder, once checked against the manifest (see the class)."""
        if name in self._verified:
            return self._verified[name]
        file, digest, rows = self.entry(name)
        path = self.path / file
        inside = self.path.resolve()
        try:
            real = path.resolve()
        except (OSError, RuntimeError):             # a loop of links
            raise InputError(f"{path}: cannot resolve the path (a loop of links?)") from None
        if real == inside or not real.is_relative_to(inside):
            raise InputError(f"{self.path}/manifest.json: the {name!r} table {file!r:.80} lies outside the "
                             "folder; a report reads only the files inside it")
        if not real.exists():
            raise InputError(f"{path}: missing (manifest.json lists it)")
        if not real.is_file():
            raise InputError(f"{path}: not a regular file")
        if real.suffix not in SCANNERS:
            raise InputError(f"{path}: unknown table format {real.suffix!r}")
        if sha256(real) != digest:
            raise InputError(f"{path}: changed since it was written (its sha256 is not the one manifest.json "
                             "gives)")
        counted = self._count(real)
        if counted != rows:
            raise InputError(f"{path}: holds {counted:,} rows where manifest.json says {rows:,}")
        self._verified[name] = real
        return real

    @staticmethod
    def _count(path: Path) -> int:
        try:
            return int(SCANNERS[path.suffix](path).select(pl.len()).collect().item())
        except (pl.exceptions.PolarsError, OSError) as exc:
            raise InputError(f"{path}: cannot read: {_first_line(exc)}") from None

    def scan(self, name: str) -> pl.LazyFrame:
        """The table ``name`` as a lazy frame (so a figure reads only what it needs)."""
        path = self.table_path(name)
        return SCANNERS[path.suffix](path)

    def collect(self, frame: pl.LazyFrame, name: str) -> pl.DataFrame:
        """Collect a query on table ``name``; a damaged or foreign file is one line, not a traceback."""
        try:
            return frame.collect()
        except (pl.exceptions.PolarsError, OSError) as exc:
            raise InputError(f"{self.table_path(name)}: cannot read: {_first_line(exc)}") from None

    def read(self, name: str, columns: list[str] | None = None) -> pl.DataFrame:
        """The table ``name`` (only ``columns``, if given)."""
        frame = self.scan(name)
        return self.collect(frame.select(columns) if columns else frame, name)


@dataclass
class RunFolder(Folder):
    """A run folder (``trustsim run --out``, or the dashboard's export)."""

    kind: ClassVar[str] = "run"

    label: str = ""
    _cache: dict[str, pl.DataFrame] = field(default_factory=dict, repr=False)

    @cached_property
    def scenario(self) -> Scenario:
        """The resolved scenario the run was made with, rebuilt from the manifest."""
        parameters = self.manifest.get("parameters")
        if not isinstance(parameters, dict):
            raise InputError(f"{self.path}/manifest.json: has no 'parameters' table")
        try:
            return from_dict(parameters, f"{self.path}/manifest.json")
        except ScenarioError as exc:
            raise InputError(str(exc)) from None

    @property
    def events(self) -> tuple[ScenarioEvent, ...]:
        """The scenario events that happened within the run (a shortened run stops before some)."""
        last = self.manifest.get("day", self.scenario.simulation.days)
        return tuple(event for event in self.scenario.events if event.day <= last)

    @cached_property
    def archetypes(self) -> tuple[str, ...]:
        """The archetypes in the scenario's order, which decides their colours and marks.

        Taken from the exported table (its Enum, or the order rows come in a text format): the manifest
        is written with sorted keys, so its archetype tables come alphabetically.
        """
        dtype = self.scan("archetypes").collect_schema().get("archetype")
        if isinstance(dtype, pl.Enum):
            return tuple(dtype.categories.to_list())
        names = self.table("archetypes").get_column("archetype").cast(pl.String).unique(maintain_order=True)
        return tuple(names.to_list())

    @property
    def name(self) -> str:
        """``broken_promises, seed 1``: how figures and the page name the run."""
        return self.label or f"{self.scenario.name}, seed {self.scenario.simulation.seed}"

    def table(self, name: str) -> pl.DataFrame:
        """A whole table, read once."""
        if name not in self._cache:
            self._cache[name] = self.read(name)
        return self._cache[name]


@dataclass
class Sweep(Folder):
    """A sweep folder (``trustsim sweep --out``)."""

    kind: ClassVar[str] = "sweep"

    @property
    def keys(self) -> tuple[str, ...]:
        """The grid's keys, in the sweep's order."""
        return tuple(entry["key"] for entry in self.manifest["grid"])

    @property
    def varying(self) -> tuple[str, ...]:
        """The grid keys that take more than one value (a figure's x axes)."""
        return tuple(entry["key"] for entry in self.manifest["grid"] if len(entry.get("values", [])) > 1)

    @property
    def name(self) -> str:
        return f"sweep of {self.manifest.get('scenario', '?')}"


@dataclass
class Sensitivity(Folder):
    """A sensitivity analysis folder (``trustsim sensitivity --out``)."""

    kind: ClassVar[str] = "sensitivity"

    def has(self, name: str) -> bool:
        return name in self.manifest.get("files", {})

    @property
    def method_words(self) -> str:
        design = self.manifest.get("design", {})
        if self.manifest.get("method") == "morris":
            return f"Morris, {design.get('samples', '?')} trajectories on {design.get('levels', '?')} levels"
        return f"Sobol' (Saltelli), base sample {design.get('samples', '?')}"

    @property
    def name(self) -> str:
        return f"sensitivity of {self.manifest.get('scenario', '?')}"


@dataclass
class Check:
    """The rows of ``trustsim check --json``."""

    kind: ClassVar[str] = "check"
    path: Path
    rows: list[dict[str, Any]]

    @property
    def name(self) -> str:
        scenarios = sorted({row["scenario"] for row in self.rows})
        return f"hypotheses of {', '.join(scenarios)}" if scenarios else "hypotheses"


Input = RunFolder | Sweep | Sensitivity | Check


def _check_rows(path: Path, document: Any) -> list[dict[str, Any]]:
    if not isinstance(document, list):
        raise InputError(f"{path}: not the output of `trustsim check --json` (expected a list of rows)")
    for index, row in enumerate(document):
        if not isinstance(row, dict):
            raise InputError(f"{path}: row {index} is not an object")
        missing = [key for key in CHECK_KEYS if key not in row]
        if missing:
            raise InputError(f"{path}: row {index} lacks {', '.join(missing)} "
                             "(not the output of `trustsim check --json`?)")
        wrong = [key for key, kinds in CHECK_TYPES.items() if not isinstance(row[key], kinds)
                 or (bool not in kinds and isinstance(row[key], bool))]
        if wrong:
            raise InputError(f"{path}: row {index}: {wrong[0]} should be "
                             f"{'true or false' if wrong[0] == 'holds' else 'a number' if float in CHECK_TYPES[wrong[0]] else 'text'}, "
                             f"is {row[wrong[0]]!r:.60}")
    if not document:
        raise InputError(f"{path}: holds no hypotheses (an empty list): nothing to report")
    return document


#: What each kind of folder must hold for its figures: per table, the columns read as numbers (any
#: others the figures read are checked for presence), and whether it must have rows. A table that lacks
#: them, holds text where numbers belong, or is empty is refused in one line before anything is drawn.
NUMERIC_RUN = {
    "metrics": ("day", *(m.name for m in NETWORK_MEASURES)),
    "archetypes": ("day", "agents", "reputation", "followers_mean", "promises_kept", "promises_broken"),
    "agents": ("agent", "reputation", "followers"),
    "edges": ("source", "target", "trust"),
    "events": ("time", "actor", "target", "subject", "trust_before", "trust_after"),
}
PRESENT_RUN = {"archetypes": ("archetype",), "agents": ("archetype",), "events": ("kind",)}
NONEMPTY_RUN = ("metrics", "archetypes", "agents")
SENSITIVITY_NUMERIC = {"morris": ("mu", "mu_star", "mu_star_conf", "sigma"), "sobol": ("S1", "S1_conf", "ST", "ST_conf")}


def _require(folder: Folder, table: str, numeric: Sequence[str] = (), present: Sequence[str] = (),
             nonempty: bool = False) -> None:
    """Refuse a table that cannot be drawn from (see :data:`NUMERIC_RUN`)."""
    path = folder.table_path(table)
    try:
        schema = folder.scan(table).collect_schema()
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise InputError(f"{path}: cannot read: {_first_line(exc)}") from None
    missing = [c for c in (*numeric, *present) if c not in schema]
    if missing:
        raise InputError(f"{path}: lacks the column{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
    text = [c for c in numeric if not schema[c].is_numeric() and schema[c] != pl.Null]
    if text:
        raise InputError(f"{path}: {', '.join(text)} should hold numbers, holds {schema[text[0]]}")
    if nonempty and folder.collect(folder.scan(table).select(pl.len()), table).item() == 0:
        raise InputError(f"{path}: has no rows")


#: The manifest entries the report reads, and what each must be: a manifest edited to hold, say, a list
#: of files was an AttributeError traceback.
MANIFEST_SHAPES: dict[str, type] = {"files": dict, "versions": dict, "runs": dict, "design": dict,
                                    "parameters": dict, "grid": list, "params": list, "hypothesis": dict}
#: What each value of a row of ``trustsim check --json`` must be (``holds: "yes"`` was a traceback).
CHECK_TYPES: dict[str, tuple[type, ...]] = {
    "scenario": (str,), "id": (str,), "statement": (str,), "measure": (str,), "direction": (str,),
    "effect": (int, float), "ci_low": (int, float), "ci_high": (int, float), "min_effect": (int, float),
    "holds": (bool,)}
#: Columns that must hold whole numbers (a day of ``inf`` was a traceback), and text (an integer kind).
WHOLE_RUN = {"metrics": ("day",), "archetypes": ("day",)}
TEXT_RUN = {"events": ("kind",), "agents": ("archetype",), "archetypes": ("archetype",)}


def _manifest_shape(folder: Folder) -> None:
    """Refuse a manifest whose entries are not what a trustsim writer makes, before anything reads them."""
    where = f"{folder.path}/manifest.json"
    for key, kind in MANIFEST_SHAPES.items():
        value = folder.manifest.get(key)
        if value is not None and not isinstance(value, kind):
            raise InputError(f"{where}: {key!r} should be {'an object' if kind is dict else 'a list'}, "
                             f"is {type(value).__name__}")
    for key in ("grid", "params"):
        for index, entry in enumerate(folder.manifest.get(key) or []):
            if not isinstance(entry, dict) or not isinstance(entry.get("key"), str):
                raise InputError(f"{where}: {key} entry {index} should be an object with a 'key', is {entry!r:.60}")
    for index, entry in enumerate(folder.manifest.get("grid") or []):
        if not isinstance(entry.get("values", []), list):
            raise InputError(f"{where}: grid entry {index} ({entry['key']}): 'values' should be a list")


def _run_values(run: RunFolder) -> None:
    """Whole numbers where days are, text where names are, every agent's archetype in the archetypes table
    (the figures colour by it), and each tie once."""
    for table, columns in WHOLE_RUN.items():
        schema = run.scan(table).collect_schema()
        for column in columns:
            if not schema[column].is_integer():
                raise InputError(f"{run.table_path(table)}: {column} should hold whole numbers, holds {schema[column]}")
    for table, columns in TEXT_RUN.items():
        schema = run.scan(table).collect_schema()
        for column in columns:
            if schema[column] not in (pl.String, pl.Null) and not isinstance(schema[column], pl.Enum | pl.Categorical):
                raise InputError(f"{run.table_path(table)}: {column} should hold text, holds {schema[column]}")
    known = set(run.archetypes)
    used = run.collect(run.scan("agents").select(pl.col("archetype").cast(pl.String).unique()), "agents")
    unknown = sorted(set(used.get_column("archetype").drop_nulls().to_list()) - known)
    if unknown:
        raise InputError(f"{run.table_path('agents')}: archetype {unknown[0]!r} is not in the archetypes table")
    # each tie once: else the ties among the network picture's sample are bounded by nothing (ten million
    # copies of a few hundred ties took five minutes and 5 GB to draw)
    twice = run.collect(run.scan("edges").select("source", "target")
                        .filter(pl.struct("source", "target").is_duplicated()).head(1), "edges")
    if twice.height:
        raise InputError(f"{run.table_path('edges')}: holds the tie {twice['source'][0]} -> {twice['target'][0]} "
                         "more than once; a run writes each tie once")


def _validate(found: Input) -> Input:
    if not isinstance(found, Check):
        _manifest_shape(found)
        check_rows(found)            # before any table is read
        check_memory([found])
    if isinstance(found, RunFolder):
        for table, columns in NUMERIC_RUN.items():
            _require(found, table, columns, PRESENT_RUN.get(table, ()), table in NONEMPTY_RUN)
        _run_values(found)
    elif isinstance(found, Sweep):
        _require(found, "summary", ("replicates",), found.keys, nonempty=True)
    elif isinstance(found, Sensitivity):
        method = found.manifest.get("method")
        if method not in SENSITIVITY_NUMERIC:
            raise InputError(f"{found.path}/manifest.json: unknown method {method!r}")
        _require(found, "indices", SENSITIVITY_NUMERIC[method], ("measure", "parameter"))
    return found


def load(path: str | Path) -> Input:
    """Recognise what ``path`` holds (a run, sweep or sensitivity folder, or a check JSON file) and check
    that its tables can be drawn from."""
    return _validate(_load(path))


def _load(path: str | Path) -> Input:
    """Recognise what ``path`` holds: a run folder, a sweep folder or a check JSON file."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file or folder")
    if path.is_file():
        if path.name == "manifest.json":
            return _load(path.parent)
        return Check(path, _check_rows(path, read_json(path)))
    manifest_path = path / "manifest.json"
    if (path / "report.json").is_file() and not manifest_path.exists():
        raise InputError(f"{path}: is a report; give the run, sweep or check output it was made from")
    if not manifest_path.is_file():
        raise InputError(f"{path}: not a run, sweep, sensitivity or check output (no manifest.json)")
    try:
        outside = manifest_path.resolve().parent != path.resolve()
    except (OSError, RuntimeError):                 # a loop of links
        raise InputError(f"{manifest_path}: cannot resolve the path (a loop of links?)") from None
    if outside:
        raise InputError(f"{manifest_path}: a link to a file outside the folder; a report reads only the files "
                         "inside it")
    manifest = read_json(manifest_path)
    if not isinstance(manifest, dict):
        raise InputError(f"{manifest_path}: not a trustsim manifest")
    if manifest.get("kind") == "run":
        return RunFolder(path, manifest)
    if isinstance(manifest.get("grid"), list) and "fingerprint" in manifest:
        return Sweep(path, manifest)
    if manifest.get("kind") == "sensitivity" and isinstance(manifest.get("params"), list):
        return Sensitivity(path, manifest)
    raise InputError(f"{path}: manifest.json is not a run's, a sweep's or a sensitivity analysis's")
