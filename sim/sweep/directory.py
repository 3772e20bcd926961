"""A sweep's output directory: which sweep it holds (``sweep.json``), so a rerun resumes it, a rerun with
more grid values or replicates extends it, and anything else is refused rather than mixed in.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..files import FORMATS, write_json
from .plan import Plan

STATE_FILE = "sweep.json"
TABLES = ("runs", "metrics", "summary")
RUNS_DIR = "runs"
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


def claim_directory(out: Path, plan: Plan) -> bool:
    """Make ``out`` this sweep's directory; True if it already was (a resume, or an extension).

    The same scenario(s), grid keys and base seed may add grid values or replicates: the runs already
    done are kept and only the new ones run. A directory holding another sweep, an unreadable
    ``sweep.json``, or sweep-like files that no ``sweep.json`` accounts for (a ``trustsim run`` export,
    say), is refused.
    """
    state_path = out / STATE_FILE
    if state_path.exists():
        try:
            held = json.loads(state_path.read_text())
        except (OSError, ValueError):
            held = None
        if not isinstance(held, dict) or not isinstance(held.get("grid", []), list):
            raise UsageError(f"{out}: {STATE_FILE} is unreadable or damaged; use another --out or empty it")
        differ = [label for key, label in LABELS.items() if held.get(key) != plan.identity.get(key)]
        if differ:
            raise UsageError(f"{out}: holds a different sweep ({_describe(held)}; differs in "
                             f"{', '.join(differ)}); use another --out or empty it")
        write_json(state_path, state(plan))
        return True
    ours = {"manifest.json", RUNS_DIR, *(f"{t}.{f}" for t in TABLES for f in FORMATS)}
    foreign = sorted(p.name for p in out.iterdir() if p.name in ours)
    if foreign:
        raise UsageError(f"{out}: already holds {', '.join(foreign)} from something other than a sweep; "
                         "use another --out or empty it")
    write_json(state_path, state(plan))
    return False


def remove_stale_tables(out: Path, fmt: str) -> None:
    """Tables of this sweep written earlier in another format would no longer match the manifest."""
    for table in TABLES:
        for other in FORMATS:
            if other != fmt:
                (out / f"{table}.{other}").unlink(missing_ok=True)
