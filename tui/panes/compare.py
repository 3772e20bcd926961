"""The Compare tab: run A against run B, a second scenario or the same one with other settings, on A's
agents, days and seed. Four measures overlaid, and a table of their latest values and differences.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.reactive import var
from textual.widgets import Button, DataTable, Input, Select, Static

from sim import Scenario, ScenarioError, available, load_scenario

from .. import params
from ..plots import draw_compare
from ..track import Runs
from ..widgets import Chart
from .base import RunPane

#: What B is, by default, for a given A.
COMPARE_PARTNER = {"baseline": "indiscriminate_vouching"}
TABLE_MEASURES = ("mean_trust", "generalized_trust", "referral_trust", "trust_accuracy", "vouch_precision",
                  "promises_broken", "ties_broken")
COUNTS = ("promises_broken", "ties_broken")


#: What the tab says while no B runs.
NO_B = "No B running: pick its scenario and settings above, then [b]Run B[/b] (enter), or press c."


def describe_b(b: Scenario, settings: dict) -> str:
    """'B: baseline · agents 500 · days 60 · seed 1 · asymmetry 8 · forgetting 0.995 (+ trust.x=…)'."""
    knobs = " · ".join(f"{label} {params.current_value(b, key)}" for key, label in params.MAIN_KNOBS)
    own = " ".join(f"{k}={v}" for k, v in settings.items())
    return f"[b]B[/b]: {b.name} · {knobs}" + (f" · B's own: {own}" if own else "")


def partner(name: str) -> str:
    """The scenario B starts as, when A is ``name``."""
    choice = COMPARE_PARTNER.get(name, params.DEFAULT_SCENARIO)
    return choice if choice in available() else name


class ComparePane(RunPane):
    """B's scenario and settings, the overlaid charts and the table."""

    a: var[Scenario | None] = var(None)      # run A's scenario (the app binds it)
    b: var[Scenario | None] = var(None)      # run B's, while comparing (the app binds it: r gives it a new seed)
    field_takes_keys = True                   # the settings field is focused when the tab next opens

    @dataclass
    class Start(Message):
        """Run ``scenario`` as B beside A."""

        scenario: Scenario

    def __init__(self) -> None:
        super().__init__("Compare", id="compare")
        self._settings: dict = {}              # B's own settings, as last typed

    def compose(self) -> ComposeResult:
        with Horizontal(id="compare-bar"):
            yield Select([(n, n) for n in available()], allow_blank=False, id="compare-scenario")
            yield Input(placeholder="e.g. trust.asymmetry=6", id="compare-settings")
            yield Button("Run B", id="compare-run")
        yield Static("", id="compare-error", classes="field-error")
        yield Static("", id="compare-b")
        with Horizontal(classes="chart-row"):
            yield self._chart(["mean_trust"], "Mean trust: A vs B", "cmp-trust")
            yield self._chart(["referral_trust"], "Referral trust: A vs B", "cmp-referral")
        with Horizontal(classes="chart-row secondary"):
            yield self._chart(["trust_accuracy"], "Trust accuracy: A vs B", "cmp-accuracy")
            yield self._chart(["promises_broken"], "Broken promises per day: A vs B", "cmp-broken", daily=True)
        yield DataTable(id="compare-table", cursor_type="none")
        yield Static("", id="compare-more")

    @staticmethod
    def _chart(metrics: list[str], title: str, id: str, daily: bool = False) -> Chart:
        return Chart(draw_compare(metrics, daily), title, id=id).data_bind(data=ComparePane.runs)

    def on_mount(self) -> None:
        self.query_one("#compare-table", DataTable).add_columns("measure", "A", "B", "B − A")

    def on_show(self) -> None:
        """The settings field takes the keys as the tab opens: what a user types here, as the placeholder
        invites, goes into the field, never to the dashboard's one-letter keys (r, s, e ...). Opened by
        ``c``, which starts B at once, the keys stay the dashboard's (``c`` again stops B)."""
        if self.field_takes_keys:
            self.query_one("#compare-settings", Input).focus()
        self.field_takes_keys = True

    def watch_a(self, old: Scenario | None, new: Scenario | None) -> None:
        if new is not None and (old is None or old.name != new.name):
            self.query_one("#compare-scenario", Select).value = partner(new.name)

    def watch_runs(self, runs: Runs | None) -> None:
        if runs is not None and runs.compared is not None and runs.compared.snapshot is not None:
            self._fill_table(runs)
        elif (table := self.query_one("#compare-table", DataTable)).row_count:
            table.clear()           # compare mode off, or a new B not yet started: no old numbers left up

    def b_scenario(self) -> Scenario | None:
        """B as chosen here; None (and the reason shown inline) if it is bad.

        B of A's own scenario starts from A's full settings (whatever A was opened or restarted with) plus
        B's own; another scenario runs on A's agents, days and seed plus B's settings. The pane shows the
        parameters B runs with.
        """
        error = self.query_one("#compare-error", Static)
        try:
            settings = params.parse_settings(self.query_one("#compare-settings", Input).value)
            name = str(self.query_one("#compare-scenario", Select).value)
            if self.a is not None and name == self.a.name:
                b = self.a.with_overrides(settings, "B settings") if settings else self.a
            else:
                a = self.a.simulation if self.a is not None else None
                same = {f"simulation.{k}": getattr(a, k) for k in ("agents", "days", "seed")} if a else {}
                b = load_scenario(name, {**same, **settings})
        except ScenarioError as exc:
            error.update(f"B not started: {exc}")
            error.display = True
            return None
        error.update("")
        error.display = False       # the row is B's description's when there is nothing wrong
        self._settings = settings
        return b

    def watch_b(self, b: Scenario | None) -> None:
        """What B runs with, as it runs now (after r, with its new seed); how to start one when none runs."""
        self.query_one("#compare-b", Static).update(describe_b(b, self._settings) if b is not None else NO_B)
        self.query_one("#compare-table").display = b is not None
        if b is None:
            self.query_one("#compare-more", Static).update("")

    @on(Button.Pressed, "#compare-run")
    @on(Input.Submitted, "#compare-settings")
    def _run_b(self) -> None:
        b = self.b_scenario()
        if b is not None:
            self.screen.set_focus(None)         # the keys go back to the dashboard
            self.post_message(self.Start(b))

    def _fill_table(self, runs: Runs) -> None:
        a, b = runs.main, runs.compared
        assert a.snapshot is not None and b is not None and b.snapshot is not None
        table = self.query_one("#compare-table", DataTable)
        table.clear()
        table.add_row("run", f"A: {a.label}", f"B: {b.label}", f"day {b.snapshot.day}")
        for measure in TABLE_MEASURES:
            va, vb = a.snapshot.metrics[measure], b.snapshot.metrics[measure]
            if measure in COUNTS:
                table.add_row(measure.replace("_", " "), f"{va:,.0f}", f"{vb:,.0f}", f"{vb - va:,.0f}")
            else:
                table.add_row(measure.replace("_", " "), f"{va:.3f}", f"{vb:.3f}", f"{vb - va:+.3f}")
        self.call_after_refresh(self._say_rows_out_of_sight)

    def _say_rows_out_of_sight(self) -> None:
        """On a short screen the table shows only some rows: say how many more there are (it scrolls)."""
        table = self.query_one("#compare-table", DataTable)
        hidden = max(0, table.row_count - (table.scrollable_content_region.height - 1))   # less the header
        more = f"▼ {hidden} more row{'s' * (hidden != 1)}: scroll the table, or use a taller terminal" \
            if hidden and table.display else ""
        self.query_one("#compare-more", Static).update(more)
