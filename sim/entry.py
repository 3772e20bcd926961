"""The ``trustsim`` console script: everything else is imported inside :func:`main`.

So a Ctrl-C while the command is still loading numpy (or anything else) ends with one line and exit code
130, as it does once the command runs, instead of a traceback.
"""

from __future__ import annotations

import sys


def main() -> int:
    try:
        from .cli import main as run
    except KeyboardInterrupt:
        print("trustsim: interrupted", file=sys.stderr)
        return 130
    return run()
