"""The ``trustsim`` console script: everything else is imported inside :func:`main`.

So a Ctrl-C (or a SIGTERM) while the command is still loading numpy (or anything else) ends with one line
and exit code 130 (143), as it does once the command runs, instead of a traceback.
"""

from __future__ import annotations

import sys


def main() -> int:
    from .lifetime import TERMINATED, exit_code, sigterm_as_interrupt

    with sigterm_as_interrupt():
        try:
            from .cli import main as run
        except KeyboardInterrupt as stop:
            print(f"trustsim: {'terminated' if exit_code(stop) == TERMINATED else 'interrupted'}", file=sys.stderr)
            return exit_code(stop)
        return run()
