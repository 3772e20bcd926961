"""Exports: polars frames built from columns with stated schemas, written atomically.

Every frame is built from whole numpy columns (never row by row). Writing goes to a hidden staging
folder inside the output directory first; each finished file is then renamed into place and the
manifest comes last, so a reader sees complete files or none, and a failed write leaves nothing behind.
"""

from __future__ import annotations

import errno
import json
import os
import platform
import re
from collections.abc import Callable, Sequence
from functools import partial
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from .config import to_dict
from .errors import ExportError
from .eventlog import KIND_NAMES
from .files import FORMATS, publish, sha256
from .measures import ARCHETYPE_COLUMNS, ARCHETYPE_MEASURES, COUNT_METRICS, METRICS, Sample, global_trust
from .policies import VOUCH_POLICIES
from .population import TRAITS
from .world import Counters

if TYPE_CHECKING:
    from .engine import Simulation

EVENT_KIND = pl.Enum(KIND_NAMES)
VOUCH_POLICY = pl.Enum(VOUCH_POLICIES)


def _nullable_ids(values: np.ndarray) -> pl.Series:
    """Agent ids where -1 stands for 'none'."""
    return pl.Series(values, dtype=pl.Int32).replace(-1, None)


def _nan_to_null(frame: pl.DataFrame) -> pl.DataFrame:
    floats = [name for name, dtype in frame.schema.items() if dtype in (pl.Float32, pl.Float64)]
    return frame.with_columns(pl.col(floats).fill_nan(None)) if floats else frame


def table_schema(table: str, archetypes: Sequence[str]) -> dict[str, pl.DataType]:
    """The stated schema of an exported table: every writer builds it so, and :func:`read_frame` reads it
    back so from any format. ``archetypes`` (the scenario's, in its order) are the categories of its Enum."""
    archetype = pl.Enum(list(archetypes))
    ids = dict.fromkeys(("actor", "target", "subject"), pl.Int32)
    schemas: dict[str, dict[str, Any]] = {
        "metrics": {"day": pl.Int32, **{m: pl.Int64 if m in COUNT_METRICS else pl.Float64 for m in METRICS}},
        "archetypes": {"day": pl.Int32, "archetype": archetype,
                       **{m.name: pl.Int64 if m.count else pl.Float64 for m in ARCHETYPE_MEASURES}},
        "agents": {"agent": pl.Int32, "archetype": archetype, "joined": pl.Float64,
                   **dict.fromkeys(TRAITS, pl.Float64), "vouch_policy": VOUCH_POLICY,
                   **dict.fromkeys((f"{t}_end" for t in TRAITS), pl.Float64), "vouch_policy_end": VOUCH_POLICY,
                   "followers": pl.Int64, "reputation": pl.Float64, "referral_reputation": pl.Float64,
                   "global_trust": pl.Float64, **dict.fromkeys(Counters.PER_AGENT, pl.Int64)},
        "reputations": {"day": pl.Int32, "agent": pl.Int32, "reputation": pl.Float64},
        "events": {"time": pl.Float64, "kind": EVENT_KIND, **ids, "trust_before": pl.Float64,
                   "trust_after": pl.Float64},
        "edges": {"source": pl.Int32, "target": pl.Int32, "created": pl.Float64, "last_used": pl.Float64,
                  **dict.fromkeys(("positive", "negative", "trust", "first_hand_positive", "first_hand_negative",
                                   "referral_positive", "referral_negative", "referral_trust", "favours_given",
                                   "favours_received"), pl.Float64)},
    }
    return schemas[table]


def metrics_frame(sim: Simulation) -> pl.DataFrame:
    """One row per sampled day: ``day`` and every network measure under its MODEL.md name."""
    schema = table_schema("metrics", sim.scenario.archetype_names())
    return _nan_to_null(pl.DataFrame(sim.metrics_history(), schema=schema))


def archetypes_frame(sim: Simulation) -> pl.DataFrame:
    """Per day and archetype: agents, reputation, followers, kept/broken, referral trust."""
    days, table = sim.archetype_history()
    names = sim.scenario.archetype_names()
    k = len(names)
    columns = {
        "day": np.repeat(days, k),
        "archetype": np.tile(np.array(names, dtype=object), len(days)),
        **{c: table[:, :, i].reshape(-1) for i, c in enumerate(ARCHETYPE_COLUMNS)},
    }
    return _nan_to_null(pl.DataFrame(columns, schema=table_schema("archetypes", names)))


def agents_frame(sim: Simulation) -> pl.DataFrame:
    """Every agent: its traits as drawn when it joined, its state at the end of the run (``*_end``), its
    following, reputations, EigenTrust, and its tallies."""
    people, counters = sim.population, sim.world.counters
    n = people.size
    sample = Sample.now(sim.world)
    names = sim.scenario.archetype_names()
    policies = np.array(VOUCH_POLICIES, dtype=object)
    columns = {
        "agent": np.arange(n, dtype=np.int32),
        "archetype": np.array(names, dtype=object)[people.view("archetype")],
        "joined": people.view("joined"),
        **{t: people.drawn[t][:n] for t in TRAITS},
        "vouch_policy": policies[people.drawn_policy[:n]],
        **{f"{t}_end": people.view(t) for t in TRAITS},
        "vouch_policy_end": policies[people.view("vouch_policy")],
        "followers": people.view("followers"),
        "reputation": sample.reputation,
        "referral_reputation": sample.referral_reputation,
        "global_trust": global_trust(sim.world),
        **{c: counters.per_agent(c, n) for c in counters.PER_AGENT},
    }
    return _nan_to_null(pl.DataFrame(columns, schema=table_schema("agents", names)))


def reputations_frame(sim: Simulation) -> pl.DataFrame:
    """The tracked agents' reputation day by day (all agents in runs of up to 2,048; a fixed sample in
    larger ones): ``day``, ``agent``, ``reputation``, from the day each agent joined."""
    history, people = sim.history, sim.population
    days = np.asarray(history.days, dtype=np.int32)
    values = (np.vstack(history.tracked_rows) if history.tracked_rows
              else np.empty((0, len(history.tracked)), dtype=np.float32))
    agents = history.tracked
    joined = np.full(len(agents), np.inf)
    exists = agents < people.size
    joined[exists] = people.joined[agents[exists]]
    present = days[:, None] >= joined[None, :]
    rows, cols = np.nonzero(present)
    frame = pl.DataFrame({"day": days[rows], "agent": agents[cols].astype(np.int32),
                          "reputation": values[rows, cols].astype(np.float64)},
                         schema=table_schema("reputations", sim.scenario.archetype_names()))
    return _nan_to_null(frame)


def events_frame(sim: Simulation) -> pl.DataFrame:
    """Every domain event, in time order: time, kind, actor, target, subject, trust before and after.

    Built a column at a time, each gathered into time order once (a stable sort: events at one time keep
    the order they happened in). A million agents' year is about 95 million events, so every transient copy
    of the whole table is gigabytes: no string per event, no frame sorted into a second frame."""
    log = sim.log.columns()
    time = log["time"]
    order = None if bool(np.all(time[1:] >= time[:-1])) else np.argsort(time, kind="stable")

    def ordered(name: str) -> np.ndarray:
        # a copy either way: the frame must not share memory with the log of a run that goes on
        return log[name].copy() if order is None else log[name][order]

    kinds = pl.Series("kind", KIND_NAMES, dtype=EVENT_KIND).gather(ordered("kind"))
    columns = {
        "time": pl.Series("time", ordered("time")),
        "kind": kinds,
        **{name: _nullable_ids(ordered(name)).alias(name) for name in ("actor", "target", "subject")},
        **{name: pl.Series(name, ordered(name).astype(np.float64)).fill_nan(None)
           for name in ("trust_before", "trust_after")},
    }
    return pl.DataFrame(columns, schema=table_schema("events", sim.scenario.archetype_names()))


def edges_frame(sim: Simulation) -> pl.DataFrame:
    """Final ties with their functional and referral evidence and the trust each gives."""
    ties, people = sim.ties, sim.population
    slots = ties.alive_slots()
    base = people.base_rate[ties.source[slots]]
    columns = {
        "source": ties.source[slots], "target": ties.target[slots], "created": ties.created[slots],
        "last_used": ties.used[slots],
        "positive": ties.positive[slots], "negative": ties.negative[slots], "trust": ties.trust(slots, base),
        "first_hand_positive": ties.own_positive[slots], "first_hand_negative": ties.own_negative[slots],
        "referral_positive": ties.ref_positive[slots], "referral_negative": ties.ref_negative[slots],
        "referral_trust": ties.referral_trust(slots, base),
        "favours_given": ties.given[slots], "favours_received": ties.received[slots],
    }
    return pl.DataFrame(columns, schema=table_schema("edges", sim.scenario.archetype_names()))


FRAMES: dict[str, Callable[[Simulation], pl.DataFrame]] = {
    "metrics": metrics_frame, "archetypes": archetypes_frame, "agents": agents_frame,
    "reputations": reputations_frame, "events": events_frame, "edges": edges_frame,
}
TABLES = tuple(FRAMES)


def frame(sim: Simulation, table: str) -> pl.DataFrame:
    """One of the exported tables of ``sim`` as a polars DataFrame, as :func:`export` would write it:
    ``metrics``, ``archetypes``, ``agents``, ``reputations``, ``events`` or ``edges``."""
    if table not in FRAMES:
        raise KeyError(f"no table {table!r} (tables: {', '.join(FRAMES)})")
    with sim.lock:
        return FRAMES[table](sim)


def versions() -> dict[str, str]:
    """The versions of everything that shapes a result: Python and every package the engine computes with."""
    found = {"python": platform.python_version()}
    for package in ("trustsim", "simpy", "numpy", "numba", "polars"):
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = "unknown"
    return found


#: How polars words an I/O failure inside its parquet writer: "underlying IO error: No space left on device
#: (os error 28)", or, when the footer fails, "Invalid thrift: transport error".
_OS_ERROR = re.compile(r"\(os error (\d+)\)")
_IO_FAILURE = re.compile(r"\bIO error\b|transport error", re.IGNORECASE)


def write_frame(frame: pl.DataFrame, path: Path, fmt: str) -> None:
    """Write ``frame`` to ``path``; a failed write (a full disk, say) raises :class:`OSError` in every format.

    polars raises OSError from its CSV, IPC and NDJSON writers but a ComputeError from its parquet writer,
    which would otherwise escape as a traceback instead of one line.
    """
    writer = {"parquet": frame.write_parquet, "csv": frame.write_csv, "ipc": frame.write_ipc,
              "ndjson": frame.write_ndjson}[fmt]
    try:
        writer(path)
    except pl.exceptions.ComputeError as exc:
        message = str(exc)
        if (found := _OS_ERROR.search(message)) is not None:
            code = int(found.group(1))
            raise OSError(code, os.strerror(code)) from None
        if _IO_FAILURE.search(message):
            raise OSError(errno.EIO, f"the {fmt} writer failed ({message})") from None
        raise


def read_frame(path: str | Path, archetypes: Sequence[str] | None = None) -> pl.DataFrame:
    """Read back a table written by :func:`write_tables`, with the same schema whatever its format.

    Parquet and IPC files keep their schema; CSV and NDJSON keep none (an Int32 would come back Int64, an
    Enum a String, a column of nulls a String), so a table of a run is read as :func:`table_schema` states
    it. Its archetype names (the Enum's categories, in the scenario's order) are ``archetypes``, else the
    ones of the ``manifest.json`` beside the file, else those in the file in the order they first appear.
    """
    path = Path(path)
    reader = {".parquet": pl.read_parquet, ".csv": pl.read_csv, ".ipc": pl.read_ipc,
              ".ndjson": pl.read_ndjson}[path.suffix]
    if path.suffix in (".parquet", ".ipc") or path.stem not in FRAMES:
        return reader(path)
    names = list(archetypes) if archetypes is not None else _manifest_archetypes(path.parent)
    if names is None:
        found = reader(path, schema_overrides={"archetype": pl.String}) if path.suffix == ".csv" else reader(path)
        names = found["archetype"].drop_nulls().unique(maintain_order=True).cast(pl.String).to_list() \
            if "archetype" in found.columns else []
    return reader(path, schema_overrides=table_schema(path.stem, names))


def _manifest_archetypes(folder: Path) -> list[str] | None:
    """The archetype names, in order, of the run whose manifest.json ``folder`` holds (None if none)."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        names = list(manifest["parameters"]["archetypes"])
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, RecursionError):
        return None
    return names if all(isinstance(name, str) for name in names) else None


def write_tables(frames: dict[str, pl.DataFrame | Callable[[], pl.DataFrame]], out_dir: Path, fmt: str,
                 manifest: dict) -> dict[str, Path]:
    """Write every frame and then ``manifest.json`` (with each file's rows and sha256), atomically.

    A frame may be given as the function that builds it: it is then built just before it is written and
    let go just after, so that only one table is held at a time (a run's events can be gigabytes).
    Returns the final paths by table name (and ``"manifest"``).
    """
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r} (known: {', '.join(FORMATS)})")
    files: dict[str, dict] = {}

    def table_writer(name: str, table: pl.DataFrame | Callable[[], pl.DataFrame]) -> Callable[[Path], None]:
        def write(path: Path) -> None:
            frame = table() if callable(table) else table
            write_frame(frame, path, fmt)
            files[name] = {"file": path.name, "rows": frame.height, "sha256": sha256(path)}
        return write

    def write_manifest(path: Path) -> None:
        document = {**manifest, "format": fmt, "files": files}
        # keys in the scenario's own order: the order of its archetypes shapes the run
        path.write_text(json.dumps(document, indent=2) + "\n")

    writers = {f"{name}.{fmt}": table_writer(name, frame) for name, frame in frames.items()}
    written = publish(out_dir, {**writers, "manifest.json": write_manifest})
    return {name: written[f"{name}.{fmt}"] for name in frames} | {"manifest": written["manifest.json"]}


def export(sim: Simulation, out_dir: str | Path, fmt: str = "parquet",
           command: list[str] | None = None) -> dict[str, Path]:
    """Write every table of :data:`FRAMES` and ``manifest.json`` for a finished (or paused) run.

    The manifest holds what repeats the run: the fully resolved scenario (seed included), the day the
    tables stop at, the versions of everything that computed them, and ``command``, the command line
    that made them (None from the library).
    """
    scenario = sim.scenario
    # the lock held throughout: a consistent picture even while another thread drives the run, and each
    # table built as it is written, so that only one is held at a time
    with sim.lock:
        manifest = {
            "kind": "run",
            "scenario": scenario.name,
            "seed": scenario.simulation.seed,
            "day": sim.day,
            "command": command,
            "parameters": to_dict(scenario),
            "versions": versions(),
        }
        builders = {name: partial(build, sim) for name, build in FRAMES.items()}
        return write_tables(builders, Path(out_dir), fmt, manifest)
