"""trustsim's live dashboard: watch broken commitments and careless vouching erode trust, as it happens.

The simulation runs on a worker thread (:class:`tui.runner.Runner`); the screen pulls what it published
ten times a second and redraws only the panes that are visible and changed. Run it with ``trustsim`` (the
default scenario, ``baseline``) or ``trustsim tui SCENARIO``.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import numpy as np
from textual import on
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.reactive import reactive, var
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import (
    Button,
    DataTable,
    Footer,
    Input,
    Label,
    Markdown,
    OptionList,
    Select,
    Static,
    TabbedContent,
    TabPane,
)
from textual.worker import Worker, get_current_worker

from sim import Simulation, config, export
from sim.config import Scenario, ScenarioError

from . import params
from .feed import Narrator
from .runner import SPEEDS, Runner, speed_label
from .widgets import (
    ArchetypeTable,
    Chart,
    Feed,
    PopulationMap,
    Track,
    draw_archetypes,
    draw_commitments,
    draw_compare,
    draw_trust,
    glyph,
    map_legend,
    reputation_rgb,
)

DEFAULT_SCENARIO = "baseline"
POLL_INTERVAL = 0.1          # the screen reads the simulation's frames ten times a second
REDRAW_INTERVAL = 0.5        # while playing, panes other than the top bar redraw twice a second
INSPECT_INTERVAL = 1.0       # the inspector re-reads its agent once a second while the run plays
COMPARE_PARTNER = {"baseline": "indiscriminate_vouching"}   # what compare mode sets against a scenario

HELP = """\
# trustsim dashboard

A network of agents asks each other for favours, promises, keeps or breaks its word, and
**vouches** for others. Each broken promise costs trust (more than a kept one earns), and whoever
vouched for the promise-breaker loses standing too. Watch the measures fall or hold.

| key | does |
|---|---|
| `space` | play / pause |
| `n` | one day forward (pauses) |
| `+` / `-` | faster / slower |
| `r` | restart with a new seed |
| `e` | export the run (parquet tables + manifest) |
| `c` | compare with a second run, side by side, same seed |
| `1`..`6` | dashboard, population, charts, agent, scenario, compare |
| `i` | inspect an agent by number |
| `ctrl+p` | command palette |
| `q` | quit |

**Dashboard**: trust measures over time, commitments kept and broken per day, reputation per
archetype, the population map (one cell per agent, its archetype's mark coloured by reputation:
red distrusted, green trusted), the archetype table, and a feed of telling events.

**Agent**: pick an agent (click it on the map, press `enter` on an archetype row for its most
followed member, or type its number) to see its traits, its reputation over time, who trusts it and
whom it vouched for.

**Scenario**: pick a scenario and change the main knobs; `enter` or *Apply* restarts with them.
A bad value is shown on its field and the current run carries on.

Press `escape` to close this help.
"""


class HelpScreen(ModalScreen[None]):
    """What the dashboard shows and its keys."""

    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Markdown(HELP)


class FieldRow(Horizontal):
    """A labelled input with its inline error underneath."""

    def __init__(self, key: str, label: str, value: str) -> None:
        super().__init__(classes="field")
        self.key = key
        self.label_text = label
        self.value = value

    def compose(self) -> ComposeResult:
        yield Label(self.label_text, classes="field-label")
        with Vertical(classes="field-body"):
            yield Input(self.value, classes="field-input")
            yield Static("", classes="field-error")

    @property
    def text(self) -> str:
        return self.query_one(Input).value

    def show_error(self, message: str) -> None:
        error = self.query_one(".field-error", Static)
        error.update(message)
        error.display = bool(message)
        self.query_one(Input).set_class(bool(message), "-invalid")


class TopBar(Widget):
    """The header: app, scenario, day, speed, running or paused. Textual's Header re-lays out the whole
    screen whenever its subtitle changes, which here is every simulated day; this one only repaints."""

    text: reactive[str] = reactive("", layout=False)

    def render(self) -> Content:
        return Content.from_markup(f"[b]trustsim[/b] — {self.text}")


class StatusLine(Widget):
    """One line of facts and the latest message; redraws without a layout pass (it changes often)."""

    text: reactive[str] = reactive("", layout=False)

    def render(self) -> Content:
        return Content.from_markup(self.text)


class TrustApp(App[int]):
    """The dashboard."""

    CSS_PATH = "app.tcss"
    TITLE = "trustsim"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (34, "-tall")]
    BINDINGS = [
        Binding("space", "toggle_play", "Play"),
        Binding("n", "step", "Step"),
        Binding("plus,equals_sign", "faster", "Faster", key_display="+"),
        Binding("minus", "slower", "Slower", key_display="-"),
        Binding("r", "restart", "Reseed"),
        Binding("e", "export", "Export"),
        Binding("c", "compare", "Compare"),
        Binding("question_mark,f1", "help", "Help", key_display="?"),
        Binding("q", "quit", "Quit"),
        Binding("i", "inspect", "Inspect agent", show=False),
        *(Binding(str(n), f"show_tab('{tab}')", title, show=False)
          for n, (tab, title) in enumerate((("dashboard", "Dashboard"), ("population", "Population"),
                                            ("charts-tab", "Charts"), ("agent", "Agent"),
                                            ("scenario", "Scenario"), ("compare", "Compare")), 1)),
    ]

    # `var`, not `reactive`: a reactive on the App repaints the whole screen when it changes, and the day
    # changes up to ten times a second; the watchers repaint just what shows them.
    day: var[int] = var(0)
    playing: var[bool] = var(True)
    speed: var[int] = var(4)
    seed: var[int] = var(1)
    finished: var[bool] = var(False)
    comparing: var[bool] = var(False)
    inspected: var[int] = var(-1)
    status: var[str] = var("")

    def __init__(self, scenario_name: str = DEFAULT_SCENARIO, overrides: dict[str, Any] | None = None, *,
                 play: bool = True, speed: int | None = None, export_dir: str | Path | None = None) -> None:
        super().__init__()
        self.scenario_name = scenario_name
        self.extra = dict(overrides or {})       # --set overrides the panel does not show
        self.scenario: Scenario = config.load(scenario_name, self.extra)
        self.compare_scenario: Scenario | None = None
        self.export_dir = Path(export_dir) if export_dir else Path.cwd() / "trustsim-exports"
        self.runner = Runner([Simulation(self.scenario)], playing=play)
        if speed is not None:
            self.runner.set_speed(speed)
        self.tracks: list[Track] = [Track(self.scenario)]
        self.generation = 0
        self.narrator = Narrator(self.scenario.archetype_names())
        self.sim_worker: Worker | None = None
        self._feed_credit = 2.0
        self._inspect_future: Future | None = None
        self._inspect_due = 0.0
        self._pending: list[tuple[Future, Any]] = []
        self._slow_due = 0.0
        self._form_for = scenario_name   # the scenario the parameter form shows
        self.headline = ""           # what the top bar says (not App.sub_title: setting that repaints everything)
        self._changed = False
        self._unnarrated: list[dict[str, np.ndarray]] = []
        self._topbar: TopBar | None = None
        self._status: StatusLine | None = None
        self.set_reactive(TrustApp.playing, play)
        self.set_reactive(TrustApp.seed, self.scenario.simulation.seed)
        self.set_reactive(TrustApp.speed, self.runner.speed)

    # ================================================================== the screen
    def compose(self) -> ComposeResult:
        source = self._main_tracks
        yield TopBar(id="topbar")
        with TabbedContent(id="tabs"):
            with TabPane("Dashboard", id="dashboard"):
                with Horizontal(id="top"):
                    with Vertical(id="charts"):
                        yield Chart(draw_trust(source), "Trust in the network", id="trust-chart")
                        with Horizontal(id="small-charts", classes="secondary"):
                            yield Chart(draw_commitments(source), "Commitments per day", id="commit-chart")
                            yield Chart(draw_archetypes(source), "Archetype reputation", id="arch-chart")
                    with Vertical(id="side"):
                        yield PopulationMap(id="map", classes="secondary")
                        yield Static(id="map-legend", classes="legend secondary")
                        yield ArchetypeTable(id="archetypes")
                yield Feed(id="feed")
            with TabPane("Population", id="population"):
                yield PopulationMap(id="map-big")
                yield Static(id="map-legend-big", classes="legend")
                yield ArchetypeTable(id="archetypes-big")
            with TabPane("Charts", id="charts-tab"):
                yield Chart(draw_trust(source), "Trust in the network", id="trust-chart-big")
                with Horizontal(classes="chart-row"):
                    yield Chart(draw_commitments(source), "Commitments per day", id="commit-chart-big")
                    yield Chart(draw_archetypes(source), "Archetype reputation", id="arch-chart-big")
            with TabPane("Agent", id="agent"):
                with Horizontal(id="agent-bar"):
                    yield Label("Agent number", classes="field-label")
                    yield Input(placeholder="e.g. 17, then enter", id="agent-input", type="integer")
                    yield Static("", id="agent-error", classes="field-error")
                yield Static("Pick an agent: click it on the map, press enter on an archetype row, "
                             "or type its number above.", id="agent-info")
                with Horizontal(id="agent-body"):
                    yield Chart(self._draw_agent, "Reputation over time", id="agent-chart")
                    yield Static("", id="agent-relations")
            with TabPane("Scenario", id="scenario"):
                with Horizontal(id="scenario-body"):
                    with Vertical(id="scenario-left"):
                        yield OptionList(*config.available(), id="scenario-list")
                        yield Static("", id="scenario-description")
                    with VerticalScroll(id="parameters"):
                        yield Static("", id="form-error", classes="field-error")
                        yield Vertical(id="fields")
                        yield Button("Apply and restart (enter)", id="apply", variant="primary")
            with TabPane("Compare", id="compare"):
                with Horizontal(id="compare-bar"):
                    yield Select([(n, n) for n in config.available()], allow_blank=False,
                                 value=self._partner(self.scenario_name), id="compare-scenario")
                    yield Input(placeholder="B settings, e.g. trust.asymmetry=6", id="compare-settings")
                    yield Button("Run B", id="compare-run")
                yield Static("", id="compare-error", classes="field-error")
                with Horizontal(classes="chart-row"):
                    yield Chart(draw_compare(self._all_tracks, ["mean_trust"]), "Mean trust: A vs B",
                                id="cmp-trust")
                    yield Chart(draw_compare(self._all_tracks, ["referral_trust"]), "Referral trust: A vs B",
                                id="cmp-referral")
                with Horizontal(classes="chart-row secondary"):
                    yield Chart(draw_compare(self._all_tracks, ["trust_accuracy"]), "Trust accuracy: A vs B",
                                id="cmp-accuracy")
                    yield Chart(draw_compare(self._all_tracks, ["promises_broken"], daily=True),
                                "Broken promises per day: A vs B", id="cmp-broken")
                yield DataTable(id="compare-table", cursor_type="none")
        yield StatusLine(id="status")
        yield Footer(compact=True, show_command_palette=False)

    def _main_tracks(self) -> list[Track]:
        return self.tracks[:1]

    def _all_tracks(self) -> list[Track]:
        return self.tracks

    @staticmethod
    def _partner(name: str) -> str:
        partner = COMPARE_PARTNER.get(name, DEFAULT_SCENARIO)
        return partner if partner in config.available() else name

    def on_mount(self) -> None:
        self._fill_form(self.scenario_name, self.scenario)
        self.query_one("#scenario-list", OptionList).highlighted = config.available().index(self.scenario_name) \
            if self.scenario_name in config.available() else None
        table = self.query_one("#compare-table", DataTable)
        table.add_columns("measure", "A", "B", "B − A")
        # the panes the 10 Hz poll touches, looked up once (a DOM query per tick costs real time)
        self._charts = list(self.query(Chart))
        self._maps = list(self.query(PopulationMap))
        self._tables = list(self.query(ArchetypeTable))
        self._feed = self.query_one("#feed", Feed)
        self._topbar = self.query_one(TopBar)
        self._status = self.query_one(StatusLine)
        self._tabs = self.query_one("#tabs", TabbedContent)
        self._set_legends()
        self._update_header()
        self.sim_worker = self.run_worker(self._drive, thread=True, name="simulation", group="simulation")
        self._poll_timer = self.set_interval(POLL_INTERVAL, self.poll)

    def _drive(self) -> None:
        """The simulation thread: advance and publish until the app stops it."""
        worker = get_current_worker()
        self.runner.loop(lambda: worker.is_cancelled)

    # ================================================================== pulling frames
    def poll(self) -> None:
        """Drain what the simulation published, then redraw what is visible and changed (10 Hz)."""
        if self.runner.stopped or not self.is_running:
            return
        frames = []
        while not self.runner.frames.empty():
            frames.append(self.runner.frames.get_nowait())
        self._finish_commands()
        if frames:
            self._take(frames)
        now = time.monotonic()
        # Only the top bar changes on every tick. Everything else is redrawn together a couple of times a
        # second while playing: Textual repaints the box around all changed regions, so panes redrawn on
        # different ticks would each cost a repaint of nearly the whole screen.
        if now >= self._slow_due or not self.playing:
            self._slow_due = now + REDRAW_INTERVAL
            self._redraw(now)
        if self.inspected >= 0 and self._inspect_future is None and now >= self._inspect_due \
                and self._tabs.active == "agent":
            self._request_inspection()

    def _take(self, frames: list) -> None:
        """Add the frames to the runs' histories and move the day on."""
        for frame in frames:
            if frame.generation != self.generation:
                if frame.generation < self.generation:
                    continue
                self.generation = frame.generation
                sims = self.runner.sims
                self.tracks = [Track(s.scenario) for s in sims]
                self.narrator = Narrator(self.tracks[0].names)
                self._unnarrated.clear()
                self._set_legends()
            if frame.index < len(self.tracks):
                self.tracks[frame.index].add(frame)
                if frame.index == 0 and len(frame.snapshot.events["kind"]):
                    self._unnarrated.append(frame.snapshot.events)
                    del self._unnarrated[:-8]
                self._changed = True
        snapshot = self.tracks[0].snapshot
        if snapshot is None:
            return
        self.day = snapshot.day
        self.finished = snapshot.finished
        self.seed = snapshot.seed
        if not self.runner.playing and self.playing:
            self.playing = False

    def _redraw(self, now: float) -> None:
        """Map, table, charts, feed and status line, from the latest frames."""
        snapshot = self.tracks[0].snapshot
        if self._changed and snapshot is not None:
            self._changed = False
            agents = snapshot.agents
            for population in self._maps:
                population.show(agents["archetype"], agents["reputation"])
            for table in self._tables:
                if table.display and table.region.area:
                    table.show(snapshot.archetype_names, snapshot.archetypes)
            for chart in self._charts:
                chart.mark_dirty()
            self._narrate(self._unnarrated, agents["archetype"])
            self._unnarrated.clear()
            if len(self.tracks) > 1:
                self._fill_compare_table()
            self._show_status()
        for chart in self._charts:
            chart.maybe_refresh(now)
        for population in self._maps:
            population.maybe_refresh(now)

    def _narrate(self, batches: list[dict[str, np.ndarray]], archetypes: np.ndarray) -> None:
        self._feed_credit = min(4.0, self._feed_credit + 1.5)
        batches = [b for b in batches if len(b["kind"])]
        if not batches:
            return
        events = {k: np.concatenate([b[k] for b in batches]) for k in batches[0]}
        budget = int(self._feed_credit)
        lines = self.narrator.pick(events, archetypes, budget)
        for line in lines:
            self._feed.write(line)
        self._feed_credit -= min(budget, len(lines))

    def _set_legends(self) -> None:
        legend = map_legend(self.tracks[0].names)
        for static in self.query(".legend").results(Static):
            static.update(legend)

    def _fill_compare_table(self) -> None:
        table = self.query_one("#compare-table", DataTable)
        a, b = self.tracks[0], self.tracks[1]
        if a.snapshot is None or b.snapshot is None:
            return
        table.clear()
        table.add_row("run", f"A: {a.label}", f"B: {b.label}", f"day {b.snapshot.day}")
        for metric in ("mean_trust", "generalized_trust", "referral_trust", "trust_accuracy", "vouch_precision",
                       "promises_broken", "ties_broken"):
            va, vb = a.snapshot.metrics[metric], b.snapshot.metrics[metric]
            counts = metric in ("promises_broken", "ties_broken")
            fmt = (lambda v: f"{v:,.0f}") if counts else (lambda v: f"{v:.3f}")
            table.add_row(metric.replace("_", " "), fmt(va), fmt(vb), fmt(vb - va) if counts else f"{vb - va:+.3f}")

    # ================================================================== header and status
    def _update_header(self) -> None:
        state = "finished" if self.finished else ("▶ playing" if self.playing else "❚❚ paused")
        compare = f" vs {self.compare_scenario.name}" if self.comparing and self.compare_scenario else ""
        self.headline = (f"{state} · day {self.day}/{self.scenario.simulation.days} · {speed_label(self.speed)}"
                         f" · {self.scenario.name}{compare}")
        if self._topbar is not None:
            self._topbar.text = self.headline.replace("[", r"\[")

    def _show_status(self) -> None:
        snapshot = self.tracks[0].snapshot
        facts = f"seed {self.seed}"
        if snapshot is not None:
            facts += f" · {len(snapshot.agents.get('archetype', ())):,} agents · {snapshot.events_total:,} events"
        if self._status is not None:
            self._status.text = f"[b]{facts}[/b]" + (f" · {self.status}" if self.status else "")

    def watch_day(self) -> None:
        self._update_header()

    def watch_playing(self) -> None:
        self._update_header()

    def watch_speed(self) -> None:
        self._update_header()

    def watch_finished(self, finished: bool) -> None:
        self._update_header()
        if finished:
            self.status = "The run is finished: r restarts it with a new seed, e exports it."

    def watch_seed(self) -> None:
        self._update_header()

    def watch_comparing(self) -> None:
        self._update_header()

    def watch_status(self) -> None:
        self._show_status()

    # ================================================================== actions (keys, palette)
    def action_toggle_play(self) -> None:
        """Play or pause; playing a finished run does nothing (restart it instead)."""
        playing = not self.playing and not self.finished
        self.runner.set_playing(playing)
        self.playing = playing

    def action_step(self) -> None:
        """One day forward, then hold."""
        self.runner.step(1)
        self.playing = False
        self._feed_credit = 4.0

    def action_faster(self) -> None:
        self.runner.set_speed(self.speed + 1)
        self.speed = self.runner.speed

    def action_slower(self) -> None:
        self.runner.set_speed(self.speed - 1)
        self.speed = self.runner.speed

    def action_restart(self) -> None:
        """Start the same scenario again with the next seed (and the compared run with it)."""
        seed = self.scenario.simulation.seed + 1
        scenario = self.scenario.with_overrides({"simulation.seed": seed})
        compare = self.compare_scenario.with_overrides({"simulation.seed": seed}) if self.comparing \
            and self.compare_scenario else None
        self._start(scenario, compare)
        self._fill_form(self.scenario_name, scenario)
        self.status = f"Restarted {scenario.name} with seed {seed}."

    def action_export(self) -> None:
        """Write the engine's tables for the current run; the simulation thread does it between days."""
        sim = self.runner.sims[0]
        stem = self.export_dir / f"{self.scenario.name}-seed{self.scenario.simulation.seed}"

        def write() -> tuple[Path, dict]:
            # named on the simulation thread, so the folder's day is the day the tables hold
            out = stem.with_name(f"{stem.name}-day{sim.day}")
            return out, export(sim, out, "parquet")

        self.status = f"Exporting under {self.export_dir} …"
        self._submit(write, ("export", self.export_dir))

    def action_compare(self) -> None:
        """Start (or stop) compare mode with the B run set on the Compare tab."""
        if self.comparing:
            sim = self.runner.sims[0]
            self.runner.submit(lambda: self.runner.replace([sim]))
            self.comparing = False
            self.compare_scenario = None
            self.status = "Compare mode off."
            return
        self.query_one("#tabs", TabbedContent).active = "compare"
        self._run_compare()

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    def action_inspect(self) -> None:
        self.query_one("#tabs", TabbedContent).active = "agent"
        self.query_one("#agent-input", Input).focus()

    def action_show_tab(self, tab: str) -> None:
        self.query_one("#tabs", TabbedContent).active = tab

    async def action_quit(self) -> None:
        """Stop the simulation thread, then leave."""
        self.runner.stop()
        self.exit(0)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Play / pause", "Play or pause the simulation (space)", self.action_toggle_play)
        yield SystemCommand("Step one day", "Advance exactly one day and hold (n)", self.action_step)
        yield SystemCommand("Faster", "Simulate more days per second (+)", self.action_faster)
        yield SystemCommand("Slower", "Simulate fewer days per second (-)", self.action_slower)
        yield SystemCommand("Restart with a new seed", "Same scenario, next seed (r)", self.action_restart)
        yield SystemCommand("Export the run", f"Parquet tables under {self.export_dir} (e)", self.action_export)
        yield SystemCommand("Compare", "Run a second scenario or setting side by side (c)", self.action_compare)
        yield SystemCommand("Inspect an agent", "Pick an agent by number (i)", self.action_inspect)
        yield SystemCommand("Dashboard help", "What the screen shows and its keys (?)", self.action_help)

    def on_unmount(self) -> None:
        self.runner.stop()
        self._poll_timer.stop()

    # ================================================================== starting runs
    def _start(self, scenario: Scenario, compare: Scenario | None = None) -> None:
        """Replace the run(s): built on the simulation thread, then played from day 0."""
        self.scenario = scenario
        self.compare_scenario = compare
        self.comparing = compare is not None
        runner = self.runner

        def build() -> None:
            sims = [Simulation(scenario)] + ([Simulation(compare)] if compare is not None else [])
            runner.replace(sims)
            runner.set_playing(True)

        runner.submit(build)
        self.playing = True
        self.finished = False
        self.query_one("#feed", Feed).clear()

    def _run_compare(self) -> None:
        name = str(self.query_one("#compare-scenario", Select).value)
        error = self.query_one("#compare-error", Static)
        try:
            settings = params.parse_settings(self.query_one("#compare-settings", Input).value)
            same = {k: getattr(self.scenario.simulation, k.split(".")[1])
                    for k in ("simulation.agents", "simulation.days", "simulation.seed")}
            compare = config.load(name, {**same, **settings})
        except ScenarioError as exc:
            error.update(f"B not started: {exc}")
            return
        error.update("")
        sim = self.runner.sims[0]
        runner = self.runner

        def add_b() -> None:
            runner.replace([sim, Simulation(compare)])

        runner.submit(add_b)
        self.compare_scenario = compare
        self.comparing = True
        self.status = f"Comparing A: {self.scenario.name} with B: {compare.name} (seed {self.seed}); c stops."

    def _submit(self, command: Any, tag: Any) -> None:
        self._pending.append((self.runner.submit(command), tag))

    def _finish_commands(self) -> None:
        for future, tag in [p for p in self._pending if p[0].done()]:
            self._pending.remove((future, tag))
            if tag[0] == "export":
                if future.exception() is not None:
                    self.status = f"Export failed: {future.exception()}"
                    self.notify(str(future.exception()), severity="error")
                else:
                    out, written = future.result()
                    self.status = f"Exported {len(written)} files to {out}"
                    self.notify(f"{len(written)} files in {out}", title="Exported")
        future = self._inspect_future
        if future is not None and future.done():
            self._inspect_future = None
            self._inspect_due = time.monotonic() + INSPECT_INTERVAL
            if future.exception() is None:
                self._show_agent(*future.result())
            else:
                self.query_one("#agent-error", Static).update(str(future.exception()).strip("'\""))

    # ================================================================== the scenario panel
    def _fill_form(self, name: str, scenario: Scenario) -> None:
        self._form_for = name
        self.query_one("#scenario-description", Static).update(
            f"[b]{name}[/b]\n{scenario.scenario.description}\n\n[dim]{scenario.scenario.case_study}[/dim]")
        fields = self.query_one("#fields", Vertical)
        fields.remove_children()
        fields.mount_all([FieldRow(key, label, params.current_value(scenario, key))
                          for key, label in params.knobs(scenario)])
        self.query_one("#form-error", Static).update("")

    @on(OptionList.OptionHighlighted, "#scenario-list")
    def _scenario_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        name = str(event.option.prompt)
        if self._form_for == name:
            return
        try:
            scenario = self.scenario if name == self.scenario_name else config.load(name)
        except ScenarioError as exc:
            self.query_one("#form-error", Static).update(str(exc))
            return
        self._fill_form(name, scenario)

    @on(Button.Pressed, "#apply")
    @on(Input.Submitted, ".field-input")
    @on(OptionList.OptionSelected, "#scenario-list")
    def apply_parameters(self) -> None:
        """Validate every field; restart with them only if all are good, else show each error inline."""
        name = self._form_for
        rows = list(self.query(FieldRow))
        extra = self.extra if name == self.scenario_name else {}
        texts = {row.key: row.text for row in rows}
        scenario, errors = params.validate(name, texts, {k: v for k, v in extra.items() if k not in texts})
        for row in rows:
            row.show_error(errors.get(row.key, ""))
        general = self.query_one("#form-error", Static)
        general.update(f"[red]{errors['']}[/]" if "" in errors else "")
        if scenario is None:
            self.status = "Not restarted: fix the field marked in red (the current run carries on)."
            return
        if name != self.scenario_name:
            self.extra = {}
        self.scenario_name = name
        self._start(scenario, None)
        self.status = f"Started {name} with {scenario.simulation.agents:,} agents, seed {scenario.simulation.seed}."
        self.query_one("#compare-scenario", Select).value = self._partner(name)

    # ================================================================== compare panel
    @on(Button.Pressed, "#compare-run")
    @on(Input.Submitted, "#compare-settings")
    def _compare_pressed(self) -> None:
        self._run_compare()

    # ================================================================== the inspector
    @on(PopulationMap.AgentPicked)
    def _picked_on_map(self, event: PopulationMap.AgentPicked) -> None:
        self.inspected = event.agent
        self.set_focus(None)
        self.query_one("#tabs", TabbedContent).active = "agent"

    @on(DataTable.RowSelected, "ArchetypeTable")
    def _picked_archetype(self, event: DataTable.RowSelected) -> None:
        """An archetype row picks that archetype's most followed member: the face others see."""
        snapshot = self.tracks[0].snapshot
        if snapshot is None:
            return
        k = list(snapshot.archetype_names).index(str(event.row_key.value))
        members = np.flatnonzero(snapshot.agents["archetype"] == k)
        if len(members):
            self.inspected = int(members[np.argmax(snapshot.agents["followers"][members])])
            self.set_focus(None)     # a focused widget on the old tab would pull that tab back
            self.query_one("#tabs", TabbedContent).active = "agent"

    @on(Input.Submitted, "#agent-input")
    def _picked_by_number(self, event: Input.Submitted) -> None:
        error = self.query_one("#agent-error", Static)
        try:
            agent = int(event.value)
        except ValueError:
            error.update("type an agent number")
            return
        size = self.runner.sims[0].population.size
        if not 0 <= agent < size:
            error.update(f"no agent {agent} (0..{size - 1})")
            return
        error.update("")
        self.inspected = agent
        self.set_focus(None)         # give the keys back to the dashboard (space, n, q …)

    def watch_inspected(self, agent: int) -> None:
        if agent < 0:
            return
        self.query_one("#agent-input", Input).value = str(agent)
        for population in self.query(PopulationMap):
            population.selected = agent
            population.dirty = True
        self._inspect_due = 0.0
        self._request_inspection()

    def _request_inspection(self) -> None:
        if self._inspect_future is not None or self.inspected < 0:
            return
        sim, agent = self.runner.sims[0], self.inspected
        self._inspect_future = self.runner.submit(lambda: (sim.agent(agent), sim.reputation_history(agent)))

    _agent_history: tuple[np.ndarray, np.ndarray] = (np.empty(0), np.empty(0))

    def _draw_agent(self, plt: Any, width: int) -> list[tuple[str, str]]:
        days, values = self._agent_history
        keep = np.isfinite(values)
        if keep.any():
            plt.plot(days[keep].tolist(), values[keep].tolist(), color="cyan", marker="braille")
            plt.ylim(0, 1)
            last = int(days[keep][-1])
            plt.xticks(sorted({int(days[keep][0]), last // 2, last}))
            return [(f"agent {self.inspected}", "cyan")]
        return []

    def _show_agent(self, info: dict, history: tuple[np.ndarray, np.ndarray]) -> None:
        self._agent_history = history
        self.query_one("#agent-chart", Chart).mark_dirty()
        names = self.tracks[0].names
        k = names.index(info["archetype"]) if info["archetype"] in names else 0
        reputation = info["reputation"]
        colour = f"rgb{reputation_rgb(reputation)}" if reputation == reputation else "grey42"
        traits = "  ".join(f"{t.replace('_', ' ')} [b]{v:.2f}[/b]" for t, v in info["traits"].items())
        kept, broken = info["promises_kept"], info["promises_broken"]
        self.query_one("#agent-info", Static).update(
            f"[b]agent {info['agent']}[/b] {glyph(k)} {info['archetype']} · vouches: {info['vouch_policy']} · "
            f"reputation [{colour}][b]{reputation:.2f}[/b][/] · {info['followers']} followers · "
            f"follows {info['following']} · promises kept {kept} / broken {broken}")
        trusters, trust = info["trusted_by"]
        order = np.argsort(-trust)
        most = ", ".join(f"{int(trusters[i])} ({trust[i]:.2f})" for i in order[:6]) or "nobody"
        low = [i for i in order[::-1] if trust[i] < 0.5][:6]
        least = ", ".join(f"{int(trusters[i])} ({trust[i]:.2f})" for i in low) or "nobody"
        vouched = np.unique(info["vouched_for"])
        actors, kept_mask = info["vouch_outcomes"]
        went = (f"{int(kept_mask.sum())} kept, {int((~kept_mask).sum())} broken"
                if len(kept_mask) else "no commitment has come due yet")
        vouched_text = ", ".join(map(str, vouched[:10].tolist())) + (" …" if len(vouched) > 10 else "")
        self.query_one("#agent-relations", Static).update(
            f"[dim]{traits}[/dim]\n\n"
            f"[b]Trusted by[/b] {len(trusters)} agents\n most: {most}\n"
            f"[b]Distrusted by[/b] (trust < 0.5)\n {least}\n\n"
            f"[b]Vouched for[/b] {len(vouched)} agents: {vouched_text or 'none'}\n"
            f"[b]How that went[/b]: {went}; {info['vouches_failed']} of {info['vouches_given']} vouches failed")


def main(scenario: str | None = None, overrides: dict[str, Any] | None = None) -> int:
    """Open the dashboard on ``scenario`` (default ``baseline``) with ``--set`` style overrides.

    An unknown scenario or a bad override raises :class:`~sim.config.ScenarioError` before the screen
    opens (the CLI turns it into exit code 2). Returns the app's exit code.
    """
    name = scenario or DEFAULT_SCENARIO
    config.load(name, overrides or {})          # fail before taking over the terminal
    app = TrustApp(name, overrides or {})
    result = app.run()
    return int(result or 0) if app.return_code in (None, 0) else int(app.return_code)


__all__ = ["SPEEDS", "TrustApp", "main"]
