"""Exports: polars frames built from columns with stated schemas, written atomically.

Every frame is built from whole numpy columns (never row by row). Writing goes to a hidden staging
folder inside the output directory first; each finished file is then renamed into place and the
manifest comes last, so a reader sees complete files or none, and a failed write leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import tempfile
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from .config import TRAITS, VOUCH_POLICIES, to_dict
from .events import KIND_NAMES
from .metrics import ARCHETYPE_COLUMNS, COUNT_METRICS, METRICS, reputations
from .trust import eigentrust

if TYPE_CHECKING:
    from .engine import Simulation

FORMATS = ("parquet", "csv", "ipc", "ndjson")
TABLES = ("metrics", "archetypes", "agents", "events", "edges")
EVENT_KIND = pl.Enum(KIND_NAMES)
VOUCH_POLICY = pl.Enum(VOUCH_POLICIES)


class ExportError(OSError):
    """An output directory that cannot be written (one line, for the CLI)."""


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
    integer = {"agents", "promises_kept", "promises_broken"}
    schema = {"day": pl.Int32, "archetype": pl.Enum(names),
              **{c: pl.Int64 if c in integer else pl.Float64 for c in ARCHETYPE_COLUMNS}}
    return _nan_to_null(pl.DataFrame(columns, schema=schema))


def global_trust(sim: Simulation) -> np.ndarray:
    """EigenTrust over functional evidence (satisfactory minus unsatisfactory, floored at 0), uniform pretrust."""
    ties, n = sim.ties, sim.population.size
    slots = ties.alive_slots()
    local = np.maximum(ties.positive[slots] - ties.negative[slots], 0.0)
    return eigentrust(n, ties.source[slots], ties.target[slots], local, np.ones(n))


def agents_frame(sim: Simulation) -> pl.DataFrame:
    """Final state of every agent: traits, following, reputation, EigenTrust, promises and vouches."""
    people = sim.population
    n = people.size
    reputation, referral = reputations(sim)
    names = sim.scenario.archetype_names()
    columns = {
        "agent": np.arange(n, dtype=np.int32),
        "archetype": np.array(names, dtype=object)[people.view("archetype")],
        **{t: people.view(t) for t in TRAITS},
        "vouch_policy": np.array(VOUCH_POLICIES, dtype=object)[people.view("vouch_policy")],
        "joined": people.view("joined"),
        "followers": people.view("followers"),
        "reputation": reputation,
        "referral_reputation": referral,
        "global_trust": global_trust(sim),
        **{c: people.view(c) for c in ("promises_kept", "promises_broken", "vouches_given", "vouches_failed")},
    }
    schema = {"agent": pl.Int32, "archetype": pl.Enum(names), **dict.fromkeys(TRAITS, pl.Float64),
              "vouch_policy": VOUCH_POLICY, "joined": pl.Float64, "followers": pl.Int64,
              "reputation": pl.Float64, "referral_reputation": pl.Float64, "global_trust": pl.Float64,
              "promises_kept": pl.Int64, "promises_broken": pl.Int64, "vouches_given": pl.Int64,
              "vouches_failed": pl.Int64}
    return _nan_to_null(pl.DataFrame(columns, schema=schema))


def events_frame(sim: Simulation) -> pl.DataFrame:
    """Every domain event, in time order: time, kind, actor, target, subject, trust before and after."""
    log = sim.log.columns()
    frame = pl.DataFrame({
        "time": pl.Series(log["time"], dtype=pl.Float64),
        "kind": pl.Series(np.array(KIND_NAMES, dtype=object)[log["kind"]], dtype=EVENT_KIND),
        "actor": _nullable_ids(log["actor"]),
        "target": _nullable_ids(log["target"]),
        "subject": _nullable_ids(log["subject"]),
        "trust_before": pl.Series(log["trust_before"], dtype=pl.Float32),
        "trust_after": pl.Series(log["trust_after"], dtype=pl.Float32),
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
    "events": events_frame, "edges": edges_frame,
}


def versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for package in ("trustsim", "simpy", "numpy", "polars"):
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


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_writable(out_dir: Path) -> Path | None:
    """Fail early (before a long run) if ``out_dir`` cannot be created or written.

    Returns the outermost directory this call created (``None`` if it existed), so that a run that
    fails afterwards can take it away again with :func:`discard_created`.
    """
    if out_dir.exists() and not out_dir.is_dir():
        raise ExportError(f"{out_dir}: is a file, not a directory")
    created = None
    for parent in (out_dir, *out_dir.parents):
        if parent.exists():
            break
        created = parent
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out_dir, prefix=".trustsim-probe-"):
            pass
    except OSError as exc:
        raise ExportError(f"{out_dir}: cannot write output directory: {exc.strerror or exc}") from None
    return created


def discard_created(created: Path | None, out_dir: Path) -> None:
    """Remove the directories :func:`check_writable` created, if they are still empty."""
    if created is None:
        return
    for directory in (out_dir, *out_dir.parents):
        try:
            directory.rmdir()
        except OSError:
            return
        if directory == created:
            return


def write_tables(frames: dict[str, pl.DataFrame], out_dir: Path, fmt: str,
                 manifest: dict) -> dict[str, Path]:
    """Write every frame and then ``manifest.json`` atomically; returns the final paths."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r} (known: {', '.join(FORMATS)})")
    check_writable(out_dir)
    staging = Path(tempfile.mkdtemp(dir=out_dir, prefix=".trustsim-staging-"))
    try:
        files = {}
        for name, frame in frames.items():
            staged = staging / f"{name}.{fmt}"
            write_frame(frame, staged, fmt)
            files[name] = {"file": staged.name, "rows": frame.height, "sha256": sha256(staged)}
        manifest = {**manifest, "format": fmt, "files": files}
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
        written = {}
        for name in [*frames, "manifest"]:
            staged = staging / (f"{name}.{fmt}" if name != "manifest" else "manifest.json")
            final = out_dir / staged.name
            os.replace(staged, final)
            written[name] = final
        return written
    except OSError as exc:
        raise ExportError(f"{out_dir}: export failed: {exc.strerror or exc}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def export(sim: Simulation, out_dir: str | Path, fmt: str = "parquet") -> dict[str, Path]:
    """Write metrics, archetypes, agents, events, edges and manifest.json for a finished (or paused) run."""
    with sim.lock:   # a consistent picture even while another thread drives the run
        frames = {name: build(sim) for name, build in FRAMES.items()}
        day = sim.day
    scenario = sim.scenario
    manifest = {
        "scenario": scenario.name,
        "seed": scenario.simulation.seed,
        "day": day,
        "parameters": to_dict(scenario),
        "versions": versions(),
    }
    return write_tables(frames, Path(out_dir), fmt, manifest)
