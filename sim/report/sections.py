"""The parts every kind of report page shares: the resolved parameters, the scenario events, the measures'
meanings and the footer. The page modules (:mod:`.build`, :mod:`.compare`, :mod:`.sweep_charts`,
:mod:`.sensitivity_charts`, :mod:`.check_charts`) import them from here."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from ..measures import NETWORK_MEASURES
from .chart import event_text
from .inputs import Input, RunFolder, Sensitivity, Sweep
from .page import Section, table


def flatten(table_: dict[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    """A nested parameter table as (dotted key, value) rows, as `--set` names them."""
    rows: list[tuple[str, str]] = []
    for key, value in table_.items():
        if isinstance(value, dict):
            rows += flatten(value, f"{prefix}{key}.")
        else:
            rows.append((f"{prefix}{key}", as_set(value)))
    return rows


def as_set(value: Any) -> str:
    """A parameter's value as `--set` takes it (a TOML literal): true, not Python's True; a list in brackets."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(as_set(v) for v in value) + "]"
    return str(value)


def parameters_section(run: RunFolder) -> Section:
    """Every resolved parameter of the run (events and hypotheses have their own places)."""
    parameters = {k: v for k, v in run.manifest["parameters"].items() if k not in ("events", "hypotheses")}
    return Section("Parameters", "<p>The fully resolved scenario (any of them can be changed with "
                   "<code>--set KEY=VALUE</code>).</p>" + table(("key", "value"), flatten(parameters)))


def events_section(runs: Sequence[RunFolder]) -> Section:
    rows = [(run.name, f"{event.day:g}", event.kind, event_text(event).partition(": ")[2])
            for run in runs for event in run.events]
    if not rows:
        return Section("Scenario events", "<p>None: nothing was scheduled to happen.</p>")
    return Section("Scenario events", table(("run", "day", "kind", "what"), rows, (False, True)))


def measures_section() -> Section:
    rows = [(m.name, m.meaning, m.unit or "0–1", "yes" if m.cumulative else "") for m in NETWORK_MEASURES]
    return Section("Measures", table(("measure", "meaning", "unit", "running total since day 0"), rows))


def footer(inputs: Sequence[Input]) -> str:
    made = "; ".join(escape(str(i.path)) for i in inputs)
    versions = inputs[0].manifest.get("versions", {}) if isinstance(inputs[0], RunFolder | Sweep | Sensitivity) else {}
    pinned = ", ".join(f"{escape(k)} {escape(str(v))}" for k, v in sorted(versions.items()))
    return (f"Made by <code>trustsim report</code> from {made}. Every figure is drawn from the exported tables "
            "only; its data is beside it as CSV." + (f" Computed with {pinned}." if pinned else ""))
