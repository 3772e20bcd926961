"""A sweep's output directory: which sweep it holds (``sweep.json``), so a rerun resumes it and another
sweep is refused rather than mixed in.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..files import FORMATS, write_json
from .plan import Plan, scenario_digest

STATE_FILE = "sweep.json"
TABLES = ("runs", "metrics", "summary")
RUNS_DIR = "runs"


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


def claim_directory(out: Path, plan: Plan) -> bool:
    """Make ``out`` this sweep's directory; True if it already was (a resume).

    A directory holding a different sweep, or sweep-like files that no sweep.json accounts for (a
    ``trustsim run`` export, say), is refused rather than mixed with or overwritten.
    """
    state_path = out / STATE_FILE
    if state_path.exists():
        try:
            held = json.loads(state_path.read_text())
        except (OSError, ValueError):
            raise UsageError(f"{out}: {STATE_FILE} is unreadable; use another --out or empty it") from None
        if not isinstance(held, dict) or held.get("fingerprint") != plan.fingerprint:
            what = _describe(held) if isinstance(held, dict) else "another sweep"
            differ = _differences(held, plan) if isinstance(held, dict) else "fingerprint"
            raise UsageError(f"{out}: holds a different sweep ({what}; differs in {differ}); "
                             "use another --out or empty it")
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
