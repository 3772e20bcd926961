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
from typing import TYPE_CHECKING, Any

from .config import SCENARIO_DIR

if TYPE_CHECKING:
    from .config import Scenario
    from .hypotheses import Hypothesis

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


def for_hypothesis(scenario: Scenario, hypothesis: Hypothesis) -> tuple[dict[str, Any] | None, str]:
    """The recorded row of ``hypothesis`` as ``scenario`` states it, or None and why there is none.

    A row counts only for the shipped scenario of that name (its world as shipped; its size and length
    may differ, the verdict is at the registered ones) and for the hypothesis as it is stated now: the
    same statement, measure, comparison, direction and margin. Anything else would lend a verdict to a
    claim that was never checked.
    """
    from . import config
    from .check import compared_with

    name = scenario.name
    if name not in config.available():
        return None, "no recorded verdict (a scenario of your own): `trustsim check` on its file tests it"
    if shipped(scenario) is None:
        return None, f"no recorded verdict: this {name} differs from the shipped one; `trustsim check` tests it"
    row = next((r for r in of(name) if r["id"] == hypothesis.id), None)
    if row is None:
        return None, f"not recorded yet: `trustsim check {name}` tests it"
    stated = (hypothesis.statement, hypothesis.observable.describe(), compared_with(hypothesis),
              hypothesis.direction, hypothesis.min_effect)
    if (row["statement"], row["measure"], row["control"], row["direction"], row["min_effect"]) != stated:
        return None, (f"recorded only for an earlier form of it (another measure, comparison or margin): "
                      f"`trustsim check {name}` tests it as it is now")
    return row, ""


def shipped(scenario: Scenario) -> Scenario | None:
    """The shipped scenario of that name, if ``scenario`` is it but for its size, length and seed (the
    ``simulation`` table): the one its recorded verdicts and ``trustsim check NAME`` are about."""
    from . import config

    if scenario.name not in config.available():
        return None
    original = config.load(scenario.name)
    theirs, mine = config.to_dict(original, hypotheses=False), config.to_dict(scenario, hypotheses=False)
    same = {k: v for k, v in theirs.items() if k != "simulation"} == {k: v for k, v in mine.items() if k != "simulation"}
    return original if same else None
