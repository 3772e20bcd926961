"""The recorded verdicts: what ``make claims`` found for every hypothesis of every shipped scenario.

They ship beside the scenarios (``scenarios/claims.json``, installed as ``sim/scenarios/claims.json``), so
that what a scenario is said to show, in ``trustsim list``, on the dashboard's Scenario tab, in a run's
report and in the story mode, is drawn from its hypotheses and their verdicts, never from its prose: a
description says what the world is; only a verdict says what it shows. A scenario of the user's own has
no recorded verdicts until ``trustsim check`` is run on it.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from .config import SCENARIO_DIR

CLAIMS_FILE = SCENARIO_DIR / "claims.json"


@cache
def recorded() -> tuple[dict[str, Any], ...]:
    """Every recorded row (as ``trustsim check --json`` writes them), in the scenarios' order."""
    try:
        return tuple(json.loads(CLAIMS_FILE.read_text()))
    except (OSError, ValueError):
        return ()


def of(scenario: str) -> list[dict[str, Any]]:
    """The recorded rows of one scenario (none for a scenario that was not checked by ``make claims``)."""
    return [row for row in recorded() if row["scenario"] == scenario]


def verdict(row: dict[str, Any]) -> str:
    """``holds``, ``holds at the defaults only``, ``holds, on the margin`` or ``does not hold``."""
    if not row["holds"]:
        return "does not hold"
    said = "holds at the defaults only" if row.get("robustness") == "holds at the defaults only" else "holds"
    return said + (", on the margin" if row.get("on_margin") else "")


def summary(scenario: str) -> str:
    """One sentence: how many of its claims hold, or that none are recorded."""
    rows = of(scenario)
    if not rows:
        return f"No recorded verdicts: run `trustsim check {scenario}` to test its hypotheses."
    held = sum(row["holds"] for row in rows)
    causes = sum(row["holds"] and row.get("kind") == "ablation" for row in rows)
    return (f"{held} of its {len(rows)} claims hold ({causes} of them shown to be caused by the mechanism "
            f"named, by ablation); `trustsim check {scenario}` runs them again.")


def lines(scenario: str) -> list[str]:
    """Each claim with its verdict and kind: ``holds (ablation): Overload causes it: ...``."""
    return [f"{verdict(row)} ({row.get('kind', 'unknown kind')}): {row['statement']}" for row in of(scenario)]
