"""A sweep's output directory: which sweep it holds (``sweep.json``), so a rerun resumes it and another
sweep is refused rather than mixed in.

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
from .plan import Plan, scenario_digest

STATE_FILE = "sweep.json"
TABLES = ("runs", "metrics", "summary")
RUNS_DIR = "runs"
#: every kind of analysis's state file: a folder holding one of them is never claimed by another kind
STATE_FILES = (STATE_FILE, "sensitivity.json")


def state(plan: Plan) -> dict[str, Any]:
    """What ``sweep.json`` records: the fingerprint and, for people, what it is made of."""
    return {"fingerprint": plan.fingerprint, "scenario": plan.base.name,
            "scenario_sha256": scenario_digest(plan.base),
            "grid": [{"key": a.key, "values": list(a.values)} for a in plan.axes],
            "replicates": plan.replicates, "base_seed": plan.base_seed, "runs": len(plan.runs)}


def _describe(held: dict[str, Any]) -> str:
    grid = ", ".join(entry.get("key", "?") for entry in held.get("grid", []))
    return (f"scenario {held.get('scenario', '?')}, grid {grid or '?'}, {held.get('replicates', '?')} "
            f"replicates, seed {held.get('base_seed', '?')}")


def _differences(held: dict[str, Any], plan: Plan) -> str:
    """Which part of the sweep identity differs from the one a directory holds (for the refusal)."""
    mine = json.loads(json.dumps(state(plan), default=str))
    labels = {"scenario": "scenario", "grid": "grid", "replicates": "replicates", "base_seed": "seed",
              "scenario_sha256": "resolved scenario (the scenario file, --set, --agents/--days, or the "
                                 "trustsim version)"}
    differ = [label for key, label in labels.items() if held.get(key) != mine[key]]
    return ", ".join(differ) or "fingerprint"


def claim(out: Path, state_file: str, mine: dict[str, Any], kind: str, tables: Iterable[str],
          explain: Callable[[dict[str, Any]], str]) -> bool:
    """Make ``out`` the directory of the analysis whose state (with its ``fingerprint``) is ``mine``; True
    if it already was (a resume).

    A directory holding a different analysis (``explain(held)`` says which, and how it differs), or files
    like ours that no state file of this kind accounts for (a ``trustsim run`` export, another kind of
    analysis), is refused rather than mixed with or overwritten.
    """
    state_path = out / state_file
    if state_path.exists():
        try:
            held = json.loads(state_path.read_text())
        except (OSError, ValueError):
            raise UsageError(f"{out}: {state_file} is unreadable; use another --out or empty it") from None
        if not isinstance(held, dict) or held.get("fingerprint") != mine["fingerprint"]:
            what = explain(held) if isinstance(held, dict) else f"another {kind}; differs in fingerprint"
            raise UsageError(f"{out}: holds a different {kind} ({what}); use another --out or empty it")
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
    """Make ``out`` this sweep's directory; True if it already was (a resume). See :func:`claim`."""
    return claim(out, STATE_FILE, state(plan), "sweep", TABLES,
                 lambda held: f"{_describe(held)}; differs in {_differences(held, plan)}")


def remove_stale_tables(out: Path, fmt: str, tables: Iterable[str] = TABLES) -> None:
    """Tables of this analysis written earlier in another format would no longer match the manifest."""
    for table in tables:
        for other in FORMATS:
            if other != fmt:
                (out / f"{table}.{other}").unlink(missing_ok=True)
