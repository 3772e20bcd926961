"""A run's output folder: never overwrite anything by surprise, never remove anything that is not ours.

``trustsim run --out DIR`` writes into an empty or new folder. With ``--overwrite`` it may replace an
earlier ``trustsim run`` there, entirely: tables the new run does not write (another format, say) are
removed once the new ones are in place, so the manifest always describes every table in the folder. A
folder holding a sweep, or anything that is not a run's own file or a report of it, is refused either way.

The earlier run's ``manifest.json`` is read as a claim to be checked, never trusted: it may only name
files a run writes (``metrics.parquet``, ``events.csv`` … plain names, so nothing outside the folder),
each must be a regular file (not a link) still holding the bytes whose sha256 the manifest gives, and
anything else (a broken manifest, a path, a link, a changed file) refuses the overwrite in one line with
nothing removed. The folder is held by :func:`~sim.folder.one_writer` from the check to the last write.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import UsageError
from .files import FORMATS, SHA256_HEX, check_writable, discard_created, sha256
from .folder import clear_stale, entries, one_writer

MANIFEST = "manifest.json"
_ONLY_RUNS = "--overwrite replaces only an earlier trustsim run"


@dataclass(frozen=True)
class EarlierRun:
    """What an earlier run left in a folder that is ours to replace: its tables (file name -> the sha256
    its manifest gives) and the reports drawn from it (folder names)."""

    tables: dict[str, str]
    reports: tuple[str, ...]


def _listing(names: list[str]) -> str:
    shown = ", ".join(names[:4])
    return shown + (f" and {len(names) - 4} more" if len(names) > 4 else "")


def run_file_names() -> frozenset[str]:
    """Every table file a run writes, in any format: the only names a run's manifest may give."""
    from .exports import TABLES

    return frozenset(f"{table}.{fmt}" for table in TABLES for fmt in FORMATS)


def _regular_file(path: Path) -> bool:
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def earlier_run(out: Path, present: list[str]) -> EarlierRun:
    """The run whose ``manifest.json`` ``out`` holds, checked against the folder; else one line why not."""
    manifest_path = out / MANIFEST

    def refuse(problem: str) -> UsageError:
        return UsageError(f"{manifest_path}: {problem}; {_ONLY_RUNS}")

    if MANIFEST not in present:
        raise UsageError(f"{out}: does not hold a trustsim run (no run manifest.json); {_ONLY_RUNS}")
    if not _regular_file(manifest_path):
        raise refuse("is not a regular file")
    try:
        manifest: Any = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        raise refuse("is not valid JSON") from None
    if not isinstance(manifest, dict):
        raise refuse("is not a run's manifest (not a JSON object)")
    if manifest.get("kind", "run") != "run" or "grid" in manifest:
        raise refuse("describes a sweep or another kind of output, not a run")
    files = manifest.get("files")
    if not isinstance(files, dict):
        raise refuse("has no table of files")
    allowed = run_file_names()
    tables: dict[str, str] = {}
    for key, entry in files.items():
        name = entry.get("file") if isinstance(entry, dict) else None
        digest = entry.get("sha256") if isinstance(entry, dict) else None
        if not isinstance(name, str) or name not in allowed:
            shown = json.dumps(name)[:60] if isinstance(name, str) else "no file name"
            raise refuse(f"the entry {json.dumps(key)[:40]} of files gives {shown}, not a table a run writes")
        if not isinstance(digest, str) or not SHA256_HEX.fullmatch(digest):
            raise refuse(f"the entry {json.dumps(key)[:40]} of files gives no sha256 for {name}")
        tables[name] = digest
    for name in sorted(set(tables) & set(present)):
        if not _regular_file(out / name):
            raise UsageError(f"{out / name}: is not a regular file; {_ONLY_RUNS}")
        if sha256(out / name) != tables[name]:
            raise UsageError(f"{out / name}: changed since the earlier run wrote it (its sha256 is not the "
                             f"manifest's); {_ONLY_RUNS}")
    reports = tuple(name for name in present if _is_report(out / name))
    return EarlierRun(tables, reports)


def prepare_output(out: Path, *, overwrite: bool) -> EarlierRun | None:
    """Check ``out`` before a run: empty or new (None), or (with ``overwrite``) an earlier run to replace."""
    if not out.is_dir():
        return None
    present = entries(out)
    if not present:
        return None
    if not overwrite:
        raise UsageError(f"{out}: is not empty (it holds {_listing(present)}); choose another --out, or add "
                         "--overwrite to replace an earlier trustsim run there")
    if "sweep.json" in present:
        raise UsageError(f"{out}: holds a sweep; {_ONLY_RUNS}")
    earlier = earlier_run(out, present)
    foreign = [name for name in present if name not in {MANIFEST, *earlier.tables, *earlier.reports}]
    if foreign:
        raise UsageError(f"{out}: holds files that are not the earlier run's ({_listing(foreign)}); "
                         f"{_ONLY_RUNS}")
    return earlier


@contextmanager
def run_folder(out: Path, *, overwrite: bool) -> Iterator[EarlierRun | None]:
    """Make ``out`` if need be, hold it (one writer), check it, and yield the earlier run to replace.

    If the block fails (or the check refuses), the folders this made are taken away again, empty.
    """
    created = check_writable(out)
    try:
        with one_writer(out):
            yield prepare_output(out, overwrite=overwrite)
    except BaseException:
        if created is not None:             # a refused, failed or interrupted run leaves nothing behind
            clear_stale(out)
            discard_created(created, out)
        raise


def remove_stale(out: Path, earlier: EarlierRun | None, written: dict[str, Path]) -> list[str]:
    """After the new run is in place: remove the earlier run's files that it did not write again.

    Only a regular file still holding the bytes the earlier manifest gave, or a report folder, is
    removed; returns the names left in place because they changed since they were checked.
    """
    if earlier is None:
        return []
    kept = {path.name for path in written.values()}
    changed = []
    for name in sorted(set(earlier.tables) - kept):
        path = out / name
        if not os.path.lexists(path):
            continue
        if _regular_file(path) and sha256(path) == earlier.tables[name]:
            path.unlink()
        else:
            changed.append(name)
    for name in earlier.reports:
        if name not in kept and _is_report(out / name):
            shutil.rmtree(out / name)
    return changed


def _is_report(folder: Path) -> bool:
    """A report of the run (``trustsim report`` writes ``report/`` into the run folder by default)."""
    try:
        if folder.is_symlink() or not folder.is_dir() or not _regular_file(folder / "report.json"):
            return False
        return json.loads((folder / "report.json").read_text()).get("kind") == "report"
    except (OSError, ValueError, AttributeError, RecursionError):
        return False
