"""Writing files so that a reader never sees half of one, and a failure leaves nothing behind.

Every writer of the project goes through here:

- :func:`write_atomic` writes one file to a hidden temporary name beside it, then renames it into place
  (a rename within a folder is atomic), so the file is either the old one, the new one, or absent;
- :func:`write_json` does that for a JSON document;
- :func:`publish` writes a set of files into a hidden staging folder inside the output directory,
  then renames each into place, the last one (the manifest) last, so that a manifest always describes
  files that are complete.

:func:`output_folder` resolves an output path as typed before anything looks at it (``y/../other`` is
``other``, whether or not ``y`` exists); :func:`check_writable` refuses an unusable output directory before
a long run, and reports which folders it created, so that a run that fails afterwards can take them away
again (:func:`discard_created`).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .errors import ExportError, UsageError

#: The table formats every writer offers (polars writes and reads each).
FORMATS = ("parquet", "csv", "ipc", "ndjson")
#: What a sha256 a manifest gives looks like (64 lower-case hex digits).
SHA256_HEX = re.compile(r"[0-9a-f]{64}")
#: How :func:`publish` names its staging folder inside the output directory.
STAGING = ".trustsim-staging-"


def safe_stem(text: str, limit: int = 100) -> str:
    """``text`` as a file name of its own: anything but letters, digits, ``.``, ``-`` and ``_`` becomes ``_``
    and no leading dot, so a scenario named ``../../escaped`` names a file beside the others, not above them."""
    return re.sub(r"[^\w.-]+", "_", text).lstrip(".")[:limit] or "_"


def sha256(path: Path) -> str:
    """Hex digest of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def output_folder(text: str, option: str = "--out") -> Path:
    """The folder a user named, resolved (symbolic links followed, ``..`` taken away) before it is checked.

    Checked as typed, ``y/../other`` looks new while ``y`` does not exist, and making it would create ``y``
    and write into ``other``; resolved, it is ``other``, and is checked as ``other`` is.
    """
    if not text.strip():
        raise UsageError(f"{option}: the path is empty; give the folder to write to")
    try:
        return Path(text).resolve()
    except (OSError, RuntimeError) as exc:          # a loop of symbolic links
        raise ExportError(f"{text}: cannot resolve the path: {getattr(exc, 'strerror', None) or exc}") from None


def check_writable(out_dir: Path) -> Path | None:
    """Fail early (before a long run) if ``out_dir`` cannot be created or written.

    Returns the outermost directory this call created (``None`` if it existed), so that a run that
    fails afterwards can take it away again with :func:`discard_created`.
    """
    # os.path.exists, unlike Path.exists, answers False for a name the system refuses (too long, say)
    if os.path.exists(out_dir) and not os.path.isdir(out_dir):
        raise ExportError(f"{out_dir}: is a file, not a directory")
    created = None
    for parent in (out_dir, *out_dir.parents):
        if os.path.exists(parent):
            break
        created = parent
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out_dir, prefix=".trustsim-probe-"):
            pass
    except OSError as exc:
        discard_created(created, out_dir)      # a refusal leaves no folder behind either
        raise ExportError(f"{out_dir}: cannot write output directory: {exc.strerror or exc}") from None
    except BaseException:                      # Ctrl-C just after the folder was made
        discard_created(created, out_dir)
        raise
    return created


def discard_created(created: Path | None, out_dir: Path) -> None:
    """Remove the directories :func:`check_writable` created, if they are still empty."""
    if created is None:
        return
    for directory in (out_dir, *out_dir.parents):
        if os.path.isdir(directory):
            try:
                directory.rmdir()
            except OSError:
                return
        if directory == created:
            return


def write_atomic(path: Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(temporary_path)``, then rename the result to ``path``; nothing is left on failure."""
    temp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        write(temp)
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)
    return path


def write_json(path: Path, data: Any) -> Path:
    """Write ``data`` as indented, key-sorted JSON, atomically."""
    text = json.dumps(data, indent=2, sort_keys=True, default=str) + "\n"
    return write_atomic(path, lambda temp: temp.write_text(text, encoding="utf-8"))


def remove_staging(out_dir: Path) -> None:
    """Remove the staging folders of :func:`publish` that a writer killed outright (``kill -9``) left in
    ``out_dir``. Only for a writer that holds ``out_dir`` (:func:`sim.folder.one_writer`), so that none of
    them is another writer's; a link of that name is left alone."""
    for path in out_dir.glob(f"{STAGING}*"):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)


def publish(out_dir: Path, writers: dict[str, Callable[[Path], None]]) -> dict[str, Path]:
    """Write each named file (``writers[name](path)``) in a staging folder, then rename all into ``out_dir``.

    Files are renamed in the order given, so the last (a manifest) lands last. Returns the final paths.
    Any OS error becomes a one-line :class:`~sim.errors.ExportError`; the staging folder never remains.
    """
    check_writable(out_dir)
    staging = Path(tempfile.mkdtemp(dir=out_dir, prefix=STAGING))
    try:
        for name, write in writers.items():
            write(staging / name)
        written = {}
        for name in writers:
            final = out_dir / name
            os.replace(staging / name, final)
            written[name] = final
        return written
    except OSError as exc:
        raise ExportError(f"{out_dir}: export failed: {exc.strerror or exc}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
