"""The ``trustsim`` console script: everything else is imported inside :func:`main`.

So a Ctrl-C (or a SIGTERM) while the command is still loading numpy (or anything else) ends with one line
and exit code 130 (143), as it does while the command runs, instead of a traceback; one that lands once
the command has finished and kept its work changes nothing.
"""

from __future__ import annotations

import signal
import sys
import threading


def main() -> int:
    from .lifetime import TERMINATED, exit_code, sigterm_as_interrupt

    with sigterm_as_interrupt():
        try:
            from .cli import main as run

            # a command says its own line when it is stopped; one stopped where it does not listen (while
            # it loads) says this one
            code = run()
            _done(signal.SIGINT)
        except KeyboardInterrupt as stop:
            print(f"trustsim: {'terminated' if exit_code(stop) == TERMINATED else 'interrupted'}", file=sys.stderr)
            return exit_code(stop)
    _done(signal.SIGTERM)
    return code


def _done(signum: int) -> None:
    """The command has finished and kept its work: a Ctrl-C or SIGTERM from here on changes nothing. Left
    to the interpreter, one that lands while it shuts down (joining a batch's pool can take a moment)
    would kill the process by the signal, with no line, after the work was done."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signum, signal.SIG_IGN)
