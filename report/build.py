"""What each kind of report holds: the page (charts, sections, words) for one run, two runs, a sweep or a
check, put together from the chart modules."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from sim.measures import NETWORK_MEASURES

from .chart import event_text, words
from .inputs import Check, Input, InputError, Run, Sensitivity, Sweep
from .moments import key_moments
from .network import network_chart
from .page import Page, Section, table
from .run_charts import run_charts


def flatten(table_: dict[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    """A nested parameter table as (dotted key, value) rows, as `--set` names them."""
    rows: list[tuple[str, str]] = []
    for key, value in table_.items():
        if isinstance(value, dict):
            rows += flatten(value, f"{prefix}{key}.")
        else:
            rows.append((f"{prefix}{key}", ", ".join(map(str, value)) if isinstance(value, list) else str(value)))
    return rows


def parameters_section(run: Run) -> Section:
    """Every resolved parameter of the run (events and hypotheses have their own places)."""
    parameters = {k: v for k, v in run.manifest["parameters"].items() if k not in ("events", "hypotheses")}
    return Section("Parameters", "<p>The fully resolved scenario (any of them can be changed with "
                   "<code>--set KEY=VALUE</code>).</p>" + table(("key", "value"), flatten(parameters)))


def events_section(runs: Sequence[Run]) -> Section:
    rows = [(run.name, f"{event.day:g}", event.kind, event_text(event).partition(": ")[2])
            for run in runs for event in run.events]
    if not rows:
        return Section("Scenario events", "<p>None: nothing was scheduled to happen.</p>")
    return Section("Scenario events", table(("run", "day", "kind", "what"), rows, (False, True)))


def measures_section() -> Section:
    rows = [(m.name, m.meaning, m.unit or "0–1", "yes" if m.cumulative else "") for m in NETWORK_MEASURES]
    return Section("Measures", table(("measure", "meaning", "unit", "running total since day 0"), rows))


def moments_section(run: Run) -> Section:
    """The largest falls of trust, each with the feed's sentences for what happened then."""
    moments = key_moments(run)
    if not moments:
        return Section("Key moments", "<p>Trust never fell over a week in this run.</p>")
    items = []
    for moment in moments:
        around = f" Scheduled then: {escape('; '.join(moment.events))}." if moment.events else ""
        said = "".join(f"<li>{escape(s)}</li>" for s in moment.sentences)
        items.append(f"<li><strong>{escape(moment.headline)}</strong>.{around}<ul>{said}</ul></li>")
    return Section("Key moments", "<p>The weeks in which a trust measure fell most (no two within a week "
                   "of each other), with what happened then in the dashboard feed's words.</p>"
                   f'<ol class="moments">{"".join(items)}</ol>')


def run_lead(run: Run) -> str:
    info = run.manifest["parameters"].get("scenario", {})
    simulation = run.scenario.simulation
    agents = run.read("agents", ["agent"]).height
    return (f"{escape(info.get('description', ''))}<br><em>{agents:,} agents, {run.manifest.get('day', simulation.days)} "
            f"days, seed {simulation.seed}.</em>")


def footer(inputs: Sequence[Input]) -> str:
    made = "; ".join(escape(str(i.path)) for i in inputs)
    versions = inputs[0].manifest.get("versions", {}) if isinstance(inputs[0], Run | Sweep | Sensitivity) else {}
    pinned = ", ".join(f"{escape(k)} {escape(str(v))}" for k, v in sorted(versions.items()))
    return (f"Made by <code>trustsim report</code> from {made}. Every figure is drawn from the exported tables "
            "only; its data is beside it as CSV." + (f" Computed with {pinned}." if pinned else ""))


def run_page(run: Run) -> Page:
    charts = [*run_charts(run), network_chart(run)]
    return Page(f"{run.scenario.name}: a run", run_lead(run), charts, before=[moments_section(run)],
                after=[events_section([run]), measures_section(), parameters_section(run)],
                footer=footer([run]))


def compare_page(a: Run, b: Run) -> Page:
    from .compare import compare_charts, parameter_differences

    if a.name == b.name:         # the same scenario and seed, other settings: name them by folder
        a.label, b.label = f"{a.name} ({a.path.name})", f"{b.name} ({b.path.name})"
    differences = parameter_differences(a, b)
    params = (table(("key", "A", "B"), differences) if differences
              else "<p>None: A and B were made with the same parameters.</p>")
    lead = (f"A: {escape(a.name)} ({escape(str(a.path))}).<br>B: {escape(b.name)} ({escape(str(b.path))}).<br>"
            "The same figures overlaid, A in blue (solid) and B in orange (dashed), and their difference.")
    return Page(f"{a.scenario.name} against {b.scenario.name}", lead, compare_charts(a, b),
                before=[Section("Where the parameters differ", params)],
                after=[events_section([a, b]), measures_section()], footer=footer([a, b]))


def page_for(inputs: Sequence[Input]) -> Page:
    """The page for what was given: one run, two runs, one sweep, or one check output."""
    kinds = [type(i) for i in inputs]
    if kinds == [Run]:
        return run_page(inputs[0])  # type: ignore[arg-type]
    if kinds == [Run, Run]:
        return compare_page(inputs[0], inputs[1])  # type: ignore[arg-type]
    if kinds == [Sweep]:
        from .sweep_charts import sweep_page

        return sweep_page(inputs[0])  # type: ignore[arg-type]
    if kinds == [Sensitivity]:
        from .sensitivity_charts import sensitivity_page

        return sensitivity_page(inputs[0])  # type: ignore[arg-type]
    if kinds == [Check]:
        from .check_charts import check_page

        return check_page(inputs[0])  # type: ignore[arg-type]
    given = " and ".join(words(k.__name__.lower()) for k in kinds)
    raise InputError(f"cannot report on {given}: give one run folder, two run folders (A then B), one sweep "
                     "or sensitivity folder, or one `trustsim check --json` file")

