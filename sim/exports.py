"""Exports: polars frames built from columns with stated schemas, written atomically.

Every frame is built from whole numpy columns (never row by row). Writing goes to a hidden staging
folder inside the output directory first; each finished file is then renamed into place and the
manifest comes last, so a reader sees complete files or none, and a failed write leaves nothing behind.
"""

from __future__ import annotations

import json
import platform
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from .config import to_dict
from .errors import ExportError
from .eventlog import KIND_NAMES
from .files import FORMATS, publish, sha256
from .measures import ARCHETYPE_COLUMNS, ARCHETYPE_MEASURES, COUNT_METRICS, METRICS, Sample, global_trust
from .policies import VOUCH_POLICIES
from .population import TRAITS

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


def metrics_frame(sim: Simulation) -> pl.DataFrame:
    """One row per sampled day: ``day`` and every network measure under its MODEL.md name."""
    history = sim.metrics_history()
    schema = {"day": pl.Int32, **{m: pl.Int64 if m in COUNT_METRICS else pl.Float64 for m in METRICS}}
    return _nan_to_null(pl.DataFrame(history, schema=schema))


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
    schema = {"day": pl.Int32, "archetype": pl.Enum(names),
              **{m.name: pl.Int64 if m.count else pl.Float64 for m in ARCHETYPE_MEASURES}}
    return _nan_to_null(pl.DataFrame(columns, schema=schema))


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
    schema = {"agent": pl.Int32, "archetype": pl.Enum(names), "joined": pl.Float64,
              **dict.fromkeys(TRAITS, pl.Float64), "vouch_policy": VOUCH_POLICY,
              **dict.fromkeys((f"{t}_end" for t in TRAITS), pl.Float64), "vouch_policy_end": VOUCH_POLICY,
              "followers": pl.Int64, "reputation": pl.Float64, "referral_reputation": pl.Float64,
              "global_trust": pl.Float64, **dict.fromkeys(counters.PER_AGENT, pl.Int64)}
    return _nan_to_null(pl.DataFrame(columns, schema=schema))


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
                         schema={"day": pl.Int32, "agent": pl.Int32, "reputation": pl.Float64})
    return _nan_to_null(frame)


def events_frame(sim: Simulation) -> pl.DataFrame:
    """Every domain event, in time order: time, kind, actor, target, subject, trust before and after."""
    log = sim.log.columns()
    frame = pl.DataFrame({
        "time": pl.Series(log["time"], dtype=pl.Float64),
        "kind": pl.Series(np.array(KIND_NAMES, dtype=object)[log["kind"]], dtype=EVENT_KIND),
        "actor": _nullable_ids(log["actor"]),
        "target": _nullable_ids(log["target"]),
        "subject": _nullable_ids(log["subject"]),
        "trust_before": pl.Series(log["trust_before"], dtype=pl.Float64),
        "trust_after": pl.Series(log["trust_after"], dtype=pl.Float64),
    })
    return _nan_to_null(frame).sort("time", maintain_order=True)


def edges_frame(sim: Simulation) -> pl.DataFrame:
    """Final ties with their functional and referral evidence and the trust each gives."""
    ties, people = sim.ties, sim.population
    slots = ties.alive_slots()
    base = people.base_rate[ties.source[slots]]
    columns = {
        "source": ties.source[slots], "target": ties.target[slots], "created": ties.created[slots],
        "positive": ties.positive[slots], "negative": ties.negative[slots], "trust": ties.trust(slots, base),
        "referral_positive": ties.ref_positive[slots], "referral_negative": ties.ref_negative[slots],
        "referral_trust": ties.referral_trust(slots, base),
    }
    schema = {"source": pl.Int32, "target": pl.Int32, "created": pl.Float64,
              **dict.fromkeys(("positive", "negative", "trust", "referral_positive", "referral_negative",
                               "referral_trust"), pl.Float64)}
    return pl.DataFrame(columns, schema=schema)


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


def write_frame(frame: pl.DataFrame, path: Path, fmt: str) -> None:
    writer = {"parquet": frame.write_parquet, "csv": frame.write_csv, "ipc": frame.write_ipc,
              "ndjson": frame.write_ndjson}[fmt]
    writer(path)


def read_frame(path: str | Path) -> pl.DataFrame:
    """Read back a table written by :func:`write_tables` (whatever its format)."""
    path = Path(path)
    reader = {".parquet": pl.read_parquet, ".csv": pl.read_csv, ".ipc": pl.read_ipc,
              ".ndjson": pl.read_ndjson}[path.suffix]
    return reader(path)


def write_tables(frames: dict[str, pl.DataFrame], out_dir: Path, fmt: str,
                 manifest: dict) -> dict[str, Path]:
    """Write every frame and then ``manifest.json`` (with each file's rows and sha256), atomically.

    Returns the final paths by table name (and ``"manifest"``).
    """
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r} (known: {', '.join(FORMATS)})")
    files: dict[str, dict] = {}

    def table_writer(name: str, frame: pl.DataFrame) -> Callable[[Path], None]:
        def write(path: Path) -> None:
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
    with sim.lock:   # a consistent picture even while another thread drives the run
        frames = {name: build(sim) for name, build in FRAMES.items()}
        day = sim.day
    scenario = sim.scenario
    manifest = {
        "kind": "run",
        "scenario": scenario.name,
        "seed": scenario.simulation.seed,
        "day": day,
        "command": command,
        "parameters": to_dict(scenario),
        "versions": versions(),
    }
    return write_tables(frames, Path(out_dir), fmt, manifest)
