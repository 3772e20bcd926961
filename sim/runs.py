"""A run's output folder: never overwrite anything by surprise.

``trustsim run --out DIR`` writes into an empty or new folder. With ``--overwrite`` it may replace an
earlier ``trustsim run`` there, entirely: tables the new run does not write (another format, say) are
removed once the new ones are in place, so the manifest always describes every table in the folder. A
folder holding a sweep, or anything that is not a run's own file or a report of it, is refused either way.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from .errors import UsageError


def _listing(names: list[str]) -> str:
    shown = ", ".join(names[:4])
    return shown + (f" and {len(names) - 4} more" if len(names) > 4 else "")


def earlier_run(out: Path) -> set[str] | None:
    """The files of the trustsim run that ``out`` holds (its manifest names them), or None if it holds none."""
    try:
        manifest = json.loads((out / "manifest.json").read_text())
    except (OSError, ValueError):
        return None
    files = manifest.get("files") if isinstance(manifest, dict) else None
    if manifest.get("kind", "run") != "run" or "grid" in manifest or not isinstance(files, dict):
        return None
    names = {entry.get("file") for entry in files.values() if isinstance(entry, dict)}
    return {name for name in names if isinstance(name, str)} | {"manifest.json"}


def prepare_output(out: Path, *, overwrite: bool) -> set[str]:
    """Check ``out`` before a run: empty or new, or (with ``overwrite``) an earlier run; return its files."""
    if not out.is_dir():
        return set()
    present = sorted(p.name for p in out.iterdir())
    if not present:
        return set()
    if not overwrite:
        raise UsageError(f"{out}: is not empty (it holds {_listing(present)}); choose another --out, or add "
                         "--overwrite to replace an earlier trustsim run there")
    if (out / "sweep.json").exists():
        raise UsageError(f"{out}: holds a sweep; --overwrite replaces only an earlier trustsim run")
    previous = earlier_run(out)
    if previous is None:
        raise UsageError(f"{out}: does not hold a trustsim run (no run manifest.json); --overwrite replaces "
                         "only an earlier run")
    previous |= {name for name in present if _is_report(out / name)}     # they describe the earlier run
    foreign = [name for name in present if name not in previous]
    if foreign:
        raise UsageError(f"{out}: holds files that are not the earlier run's ({_listing(foreign)}); "
                         "--overwrite replaces only an earlier run")
    return previous


def remove_stale(out: Path, previous: set[str], written: dict[str, Path]) -> None:
    """After the new run is in place: remove the earlier run's files that it did not write again."""
    kept = {path.name for path in written.values()}
    for name in previous - kept:
        if (out / name).is_dir():
            shutil.rmtree(out / name, ignore_errors=True)
        else:
            (out / name).unlink(missing_ok=True)


def _is_report(folder: Path) -> bool:
    """A report of the run (``trustsim report`` writes ``report/`` into the run folder by default)."""
    try:
        return folder.is_dir() and json.loads((folder / "report.json").read_text()).get("kind") == "report"
    except (OSError, ValueError, AttributeError):
        return False
