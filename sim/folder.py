"""One writer per folder: a lock held by whoever writes a run (and later a sweep) into an output folder.

Two commands writing into one folder at once would each believe the folder theirs, and the last would
silently replace the first. So a writer holds ``FOLDER/.trustsim.lock`` for its whole life::

    with one_writer(out):          # raises FolderBusy (one line, exit code 2) if another process holds it
        ...check what the folder holds, write into it...

The lock is :func:`fcntl.flock` on that file: the kernel lets it go when the holding process ends, however it
ends (kill -9 included), so a stale lock never blocks anyone. On a clean exit the holder also removes the
file, so a finished folder holds only what was written into it; a file left by a killed writer is ignored
by :func:`entries` and taken over by the next writer. Each :func:`one_writer` opens the file afresh, so a
second holder in the same process is refused as well.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import ExportError, FolderBusy

#: The lock file's name inside the folder it guards; listings of an output folder leave it out.
LOCK_NAME = ".trustsim.lock"


def entries(folder: Path) -> list[str]:
    """The names ``folder`` holds, sorted, less the lock file (which is no one's output)."""
    return sorted(name for name in os.listdir(folder) if name != LOCK_NAME)


@contextmanager
def one_writer(folder: Path) -> Iterator[Path]:
    """Hold ``folder``'s writer lock for the block (``folder`` must exist); yield the lock file's path.

    Raises :class:`~sim.errors.FolderBusy` at once if another holder has it (never waits), and
    :class:`~sim.errors.ExportError` if the lock file cannot be made (an unwritable folder, or a lock
    file that is a symbolic link: it is never followed).
    """
    path = folder / LOCK_NAME
    descriptor = _acquire(folder, path)
    try:
        yield path
    finally:
        _release(descriptor, path)


def clear_stale(folder: Path) -> None:
    """Remove ``folder``'s lock file if no one holds it (left by a writer killed, or interrupted while taking
    it), so that a folder a refused or interrupted command made can be taken away, empty."""
    if os.path.lexists(folder / LOCK_NAME):
        try:
            with one_writer(folder):
                pass
        except (FolderBusy, ExportError):
            pass


def _acquire(folder: Path, path: Path) -> int:
    import fcntl

    while True:
        try:
            descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            raise ExportError(f"{folder}: cannot lock the folder for writing: {exc.strerror or exc}") from None
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = _holder(descriptor)
            os.close(descriptor)
            raise FolderBusy(f"{folder}: another trustsim{holder} is writing into this folder; wait for it "
                             "to finish, or choose another folder") from None
        except BaseException:               # Ctrl-C: the file may stay, held by no one (see clear_stale)
            os.close(descriptor)
            raise
        try:
            # The holder before us removes the file as it lets go: a lock on a file no longer at `path`
            # guards nothing, so take the lock again on the file that is there now.
            if _same_file(descriptor, path):
                os.ftruncate(descriptor, 0)
                os.write(descriptor, f"{os.getpid()}\n".encode())
                return descriptor
        except BaseException:
            os.close(descriptor)
            raise
        os.close(descriptor)


def _release(descriptor: int, path: Path) -> None:
    try:
        if _same_file(descriptor, path):
            path.unlink()                   # while still holding it, so no one can take a lock on it after
    finally:
        os.close(descriptor)


def _same_file(descriptor: int, path: Path) -> bool:
    try:
        there = os.stat(path, follow_symlinks=False)
    except OSError:
        return False
    held = os.fstat(descriptor)
    return (there.st_dev, there.st_ino) == (held.st_dev, held.st_ino)


def _holder(descriptor: int) -> str:
    """`` (process 1234)``: who holds the lock, as it wrote itself into the file (empty if unreadable)."""
    try:
        text = os.pread(descriptor, 32, 0).decode("ascii").strip()
    except (OSError, UnicodeDecodeError):
        return ""
    return f" (process {text})" if text.isdigit() else ""
