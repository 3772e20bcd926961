"""A sweep's output directory: which sweep it holds (``sweep.json``), so a rerun resumes it, a rerun with
more grid values or replicates extends it, and anything else is refused rather than mixed in.

:func:`claim` is the rule itself, for any kind of analysis that keeps one file per run in ``runs/``
(``trustsim sensitivity`` uses it too): a folder holds one analysis of one kind, named by its state file.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..files import FORMATS, write_json
from .plan import Plan

STATE_FILE = "sweep.json"
TABLES = ("runs", "metrics", "summary")
RUNS_DIR = "runs"
#: every kind of analysis's state file: a folder holding one of them is never claimed by another kind
STATE_FILES = (STATE_FILE, "sensitivity.json")
LABELS = {"bases": "scenario (the scenario file, --set, --agents/--days, or the trustsim version)",
          "keys": "grid keys", "base_seed": "seed", "layout": "layout (made by an older trustsim)"}


def state(plan: Plan) -> dict[str, Any]:
    """What ``sweep.json`` records: the sweep's identity and, for people, what the latest plan held."""
    return {**plan.identity, "scenarios": list(plan.bases),
            "grid": [{"key": a.key, "values": list(a.values)} for a in plan.axes],
            "replicates": plan.replicates}


def _describe(held: dict[str, Any]) -> str:
    grid = ", ".join(str(entry.get("key", "?")) for entry in held.get("grid", []) if isinstance(entry, dict))
    scenarios = held.get("scenarios") or [held.get("scenario", "?")]
    return (f"scenario {'+'.join(map(str, scenarios))}, grid {grid or 'none'}, seed {held.get('base_seed', '?')}")


def _sweep_differences(held: dict[str, Any], plan: Plan) -> str | None:
    """None when ``held`` is this sweep (perhaps with fewer grid values or replicates), else how it differs."""
    differ = [label for key, label in LABELS.items() if held.get(key) != plan.identity.get(key)]
    return f"{_describe(held)}; differs in {', '.join(differ)}" if differ else None


def claim(out: Path, state_file: str, mine: dict[str, Any], kind: str, tables: Iterable[str],
          differences: Callable[[dict[str, Any]], str | None]) -> bool:
    """Make ``out`` the directory of the analysis whose state is ``mine``; True if it already was.

    ``differences(held)`` is None when the state already there is the same analysis (a resume, or for a
    sweep an extension, whose state is then rewritten), else says what it is and how it differs. A
    different analysis, an unreadable state file, or files like ours that no state file of this kind
    accounts for (a ``trustsim run`` export, another kind of analysis) are refused rather than mixed with
    or overwritten.
    """
    state_path = out / state_file
    if state_path.exists():
        try:
            held = json.loads(state_path.read_text())
        except (OSError, ValueError):
            held = None
        if not isinstance(held, dict):
            raise UsageError(f"{out}: {state_file} is unreadable or damaged; use another --out or empty it")
        how = differences(held)
        if how:
            raise UsageError(f"{out}: holds a different {kind} ({how}); use another --out or empty it")
        write_json(state_path, mine)
        return True
    others = {name for name in STATE_FILES if name != state_file}
    ours = {"manifest.json", RUNS_DIR, *others, *(f"{t}.{f}" for t in tables for f in FORMATS)}
    foreign = sorted(p.name for p in out.iterdir() if p.name in ours)
    if foreign:
        raise UsageError(f"{out}: already holds {', '.join(foreign)} from something other than a {kind}; "
                         "use another --out or empty it")
    write_json(state_path, mine)
    return False


def claim_directory(out: Path, plan: Plan) -> bool:
    """Make ``out`` this sweep's directory; True if it already was (a resume, or an extension).

    The same scenario(s), grid keys and base seed may add grid values or replicates: the runs already
    done are kept and only the new ones run. See :func:`claim`.
    """
    state_path = out / STATE_FILE
    if state_path.exists():
        try:
            held = json.loads(state_path.read_text())
        except (OSError, ValueError):
            held = None
        if isinstance(held, dict) and not isinstance(held.get("grid", []), list):
            raise UsageError(f"{out}: {STATE_FILE} is unreadable or damaged; use another --out or empty it")
    return claim(out, STATE_FILE, state(plan), "sweep", TABLES, lambda held: _sweep_differences(held, plan))


def remove_stale_tables(out: Path, fmt: str, tables: Iterable[str] = TABLES) -> None:
    """Tables of this analysis written earlier in another format would no longer match the manifest."""
    for table in tables:
        for other in FORMATS:
            if other != fmt:
                (out / f"{table}.{other}").unlink(missing_ok=True)
