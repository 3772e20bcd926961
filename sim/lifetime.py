"""How a trustsim process ends: nothing left running after any signal.

- :func:`end_with`: a helper process (a dashboard of ``trustsim serve``, a worker of a batch's process
  pool) ends when the process it serves ends, however that one ends (``kill -9`` included), instead of
  living on as an orphan holding its memory;
- :func:`sigterm_as_interrupt`: a command takes SIGTERM as it takes Ctrl-C (it stops its workers, keeps
  what is finished, says so in one line), raising :class:`Terminated`; :func:`exit_code` gives 143 for it,
  130 for Ctrl-C.
"""

from __future__ import annotations

import os
import select
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

#: Exit codes of a command stopped by Ctrl-C and by SIGTERM (128 + the signal's number, as shells report).
INTERRUPTED, TERMINATED = 130, 143
#: How often a watcher without a pidfd looks at the process it serves, in seconds.
POLL = 0.5


class Terminated(KeyboardInterrupt):
    """SIGTERM, taken as Ctrl-C is: everything that cleans up after Ctrl-C cleans up after it too."""


def exit_code(stop: KeyboardInterrupt) -> int:
    """143 for SIGTERM (:class:`Terminated`, or what it became), else 130 (Ctrl-C)."""
    return TERMINATED if isinstance(stop, Terminated) or getattr(stop, "terminated", False) else INTERRUPTED


@contextmanager
def sigterm_as_interrupt(taken: bool = True) -> Iterator[None]:
    """For the block, SIGTERM raises :class:`Terminated` in the main thread (once: a second SIGTERM while
    the first is being cleaned up after is ignored, so the cleanup finishes). ``taken=False`` gives the
    block SIGTERM's default instead, for a command that handles it its own way (the dashboard, the server)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    raised = [False]

    def stop(signum: int, frame: object) -> None:
        if not raised[0]:
            raised[0] = True
            raise Terminated

    previous = signal.signal(signal.SIGTERM, stop if taken else signal.SIG_DFL)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def end_with(owner: int, grace: float = 5.0) -> None:
    """End this process when process ``owner`` ends, however it ends.

    When ``owner`` is this process's parent, the kernel sends SIGTERM the moment it dies (Linux's
    ``PR_SET_PDEATHSIG``). A watcher thread covers the rest: other systems, and an owner that is not the
    parent (a pool worker's parent is the forkserver, which outlives the command that started the pool):
    it waits for the owner's end, sends this process SIGTERM, and ends it outright if it has not ended
    ``grace`` seconds later.
    """
    if owner == os.getppid() and sys.platform.startswith("linux"):
        import ctypes

        try:
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)     # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass

    def watch() -> None:
        _wait_for_end(owner)
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(grace)
        os._exit(1)

    threading.Thread(target=watch, name=f"end-with-{owner}", daemon=True).start()


def _wait_for_end(owner: int) -> None:
    """Return once process ``owner`` has ended (at once if it already has)."""
    parent = owner == os.getppid()
    try:
        handle = os.pidfd_open(owner)            # readable the moment the process ends (Linux 5.3)
    except ProcessLookupError:
        return
    except (AttributeError, OSError):
        handle = None
    if handle is not None:
        try:
            select.select([handle], [], [])
        finally:
            os.close(handle)
        return
    while os.getppid() == owner if parent else _exists(owner):
        time.sleep(POLL)


def _exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
