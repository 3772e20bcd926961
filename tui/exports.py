"""Where the ``e`` key's exports go: a folder of its own under ``./trustsim-exports/`` in a terminal, and the
visitor's own browser under ``trustsim serve``.

A folder's name says what it holds (``broken_promises-seed1-day120``) and is made safe first: a scenario
named ``../../escaped`` must not write above the export folder. Under ``serve``, every visitor's ``e`` would
otherwise write a few megabytes into the server's working folder, without limit and out of the visitor's
sight; so there the tables and manifest are packed as a zip, in a file that has no name on disk (it goes
when it is closed, or when the process ends however it ends), and handed to the browser as a download.
"""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path
from typing import IO, TYPE_CHECKING

from sim import export
from sim.files import safe_stem

if TYPE_CHECKING:
    from sim import Simulation


def run_stem(sim: Simulation) -> str:
    """``broken_promises-seed1-day120``: the run, its seed and the day its tables hold, safe as a file name."""
    return f"{safe_stem(sim.scenario.name)}-seed{sim.scenario.simulation.seed}-day{sim.day}"


def new_folder(parent: Path, name: str) -> Path:
    """Create and return ``parent/name``, or ``name-2``, ``name-3``, ... : the first that did not exist."""
    parent.mkdir(parents=True, exist_ok=True)
    for n in range(1, 10_000):
        folder = parent / (name if n == 1 else f"{name}-{n}")
        if folder.parent != parent:                   # a name is one path segment, never a path
            raise ValueError(f"{name!r}: not a folder name")
        try:
            folder.mkdir()
        except FileExistsError:
            continue
        return folder
    raise FileExistsError(f"{parent / name}: too many exports of this run")


def packed(sim: Simulation) -> IO[bytes]:
    """The run's tables (parquet) and manifest as a zip, in an unnamed temporary file read from its start.

    The tables are written to a temporary folder first (as :func:`sim.export` writes any folder), which is
    gone when this returns.
    """
    archive = tempfile.TemporaryFile()
    try:
        with tempfile.TemporaryDirectory(prefix="trustsim-export-") as folder:
            written = export(sim, folder, "parquet")
            with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as zipped:   # parquet is compressed
                for path in written.values():
                    zipped.write(path, f"{run_stem(sim)}/{path.name}")
    except BaseException:
        archive.close()
        raise
    archive.seek(0)
    return archive
