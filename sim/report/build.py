"""What each kind of report holds: the page (charts, sections, words) for one run, two runs, a sweep or a
check, put together from the chart modules."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from .check_charts import check_page
from .compare import compare_charts, parameter_differences
from .inputs import Check, Input, InputError, RunFolder, Sensitivity, Sweep
from .moments import moments_section
from .network import network_chart
from .page import Page, Section, table
from .run_charts import run_charts
from .sections import events_section, footer, measures_section, parameters_section
from .sensitivity_charts import sensitivity_page
from .story import checked, hypotheses_section, hypothesis_charts
from .sweep_charts import sweep_page


def run_lead(run: RunFolder) -> str:
    info = run.manifest["parameters"].get("scenario", {})
    simulation = run.scenario.simulation
    agents = run.read("agents", ["agent"]).height
    return (f"{escape(info.get('description', ''))}<br><em>{agents:,} agents, {run.manifest.get('day', simulation.days)} "
            f"days, seed {simulation.seed}.</em>")


def run_page(run: RunFolder) -> Page:
    # it opens with the story: what the scenario claims, what was found, and the moments that show it
    found = checked(run.scenario)
    charts = [*hypothesis_charts(run, found), *run_charts(run), network_chart(run)]
    return Page(f"{run.scenario.name}: a run", run_lead(run), charts,
                before=[hypotheses_section(run, found), moments_section(run)],
                after=[events_section([run]), measures_section(), parameters_section(run)],
                footer=footer([run]))


def compare_page(a: RunFolder, b: RunFolder) -> Page:
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
    if kinds == [RunFolder]:
        return run_page(inputs[0])  # type: ignore[arg-type]
    if kinds == [RunFolder, RunFolder]:
        return compare_page(inputs[0], inputs[1])  # type: ignore[arg-type]
    if kinds == [Sweep]:
        return sweep_page(inputs[0])  # type: ignore[arg-type]
    if kinds == [Sensitivity]:
        return sensitivity_page(inputs[0])  # type: ignore[arg-type]
    if kinds == [Check]:
        return check_page(inputs[0])  # type: ignore[arg-type]
    given = " and ".join(k.kind for k in kinds)
    raise InputError(f"cannot report on {given}: give one run folder, two run folders (A then B), one sweep "
                     "or sensitivity folder, or one `trustsim check --json` file")

