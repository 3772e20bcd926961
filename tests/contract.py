"""What every command promises a user, as helpers the property-based tests share.

Bad input is refused in one line with exit code 2 (:func:`refused_in_one_line`); the commands run in this
process (:func:`cli_run`); the examples are the same on every run (:func:`fuzz`); and :func:`tree` takes a
picture of a folder (every entry, every file's bytes, every link's target) so a test can say that nothing
in it was created, changed or removed.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
from pathlib import Path

from hypothesis import HealthCheck, settings

from sim import cli


def fuzz(examples: int) -> settings:
    """Derandomized (the same examples every run), no example database, no deadline (runs are real)."""
    return settings(derandomize=True, deadline=None, database=None, max_examples=examples,
                    suppress_health_check=list(HealthCheck))


def cli_run(*args: str) -> tuple[int, str, str]:
    """``trustsim ARGS`` in this process: (exit code, stdout, stderr). An exception escaping is a failure."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(list(args))
    return code, out.getvalue(), err.getvalue()


def refused_in_one_line(code: int, out: str, err: str) -> bool:
    return code == 2 and err.startswith("trustsim: ") and err.count("\n") == 1 and "Traceback" not in err


def tree(root: Path) -> dict[str, str]:
    """Everything under ``root`` (links not followed): relative path -> what it is and holds."""
    found = {}
    for folder, names, files in os.walk(root):
        for name in names + files:
            path = Path(folder, name)
            key = str(path.relative_to(root))
            if path.is_symlink():
                found[key] = f"link to {os.readlink(path)}"
            elif path.is_dir():
                found[key] = "folder"
            else:
                found[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found
