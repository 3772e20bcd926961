"""trustsim's live dashboard: watch broken commitments and careless vouching erode trust, as it happens.

The simulation runs on a worker thread (:class:`tui.runner.Runner`). Ten times a second the app takes what
it published; a couple of times a second while playing (every tick when paused) it hands the panes a new
:class:`~tui.track.Runs`, each pane (``tui/panes/``) draws it, and the top bar shows its day. The app itself keeps the keys, the top
bar and status line, and starts and replaces runs. Run it with ``trustsim`` (the default scenario,
``baseline``) or ``trustsim tui SCENARIO``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from functools import partial
from pathlib import Path
from typing import Any

from textual import events, on
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.markup import escape
from textual.message import Message
from textual.message_pump import MessagePump
from textual.reactive import var
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import TabbedContent
from textual.worker import get_current_worker

from sim import Scenario, export, load_scenario
from sim.errors import ScenarioError

from .exports import new_folder, packed, run_stem
from .feed import Feed
from .help import HelpScreen
from .messages import (
    AgentInspected,
    AgentPicked,
    ExportDone,
    ExportFailed,
    ExportPacked,
    InspectionFailed,
    Status,
)
from .network import NetworkView
from .panes import AgentPane, ChartsPane, ComparePane, DashboardPane, PopulationPane, RunPane, ScenarioPane
from .panes.network import NetworkPane
from .params import DEFAULT_SCENARIO
from .runner import SPEEDS, Runner, speed_label
from .screenshot import picture_name, save_svg
from .track import Received, Runs, Track
from .widgets import KeysFooter, StatusLine, TopBar

POLL_INTERVAL = 0.1          # the screen reads the simulation's frames ten times a second
REDRAW_INTERVAL = 0.5        # while playing, the panes get new runs twice a second
TABS = (("dashboard", "Dashboard"), ("population", "Population"), ("charts", "Charts"), ("agent", "Agent"),
        ("scenario", "Scenario"), ("compare", "Compare"), ("network", "Network"))


def shown(path: Path) -> str:
    """A path as the status line says it: relative to the working folder when it is inside it (shorter,
    and what a user types next), else in full."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


class TrustApp(App[int]):
    """The dashboard: the keys, the 10 Hz pull from the simulation thread, and the panes it feeds."""

    CSS_PATH = "app.tcss"
    TITLE = "trustsim"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (34, "-tall")]
    BINDINGS = [
        # one key, two names: the footer says what space will do now (check_action shows one of them)
        Binding("space", "pause", "Pause"),
        Binding("space", "play", "Play"),
        Binding("n", "step", "Step"),
        Binding("plus,equals_sign", "faster", "Faster", key_display="+"),
        Binding("minus", "slower", "Slower", key_display="-"),
        Binding("r", "restart", "Reseed"),
        Binding("e", "export", "Export"),
        Binding("c", "compare", "Compare"),
        Binding("t", "story", "Story", show=False),         # ? lists it
        Binding("s", "save_screen", "Screenshot"),          # s and i: not on the footer below 110 columns
        Binding("i", "inspect", "Inspect"),                 # (KeysFooter; ? lists every key)
        Binding("question_mark,f1", "help", "Help", key_display="?"),
        Binding("q", "quit", "Quit"),
        Binding("escape", "leave_field", "Leave the field", show=False),
        *(Binding(str(n), f"show_tab('{tab}')", title, show=False) for n, (tab, title) in enumerate(TABS, 1)),
    ]

    # `var`, not `reactive`: a reactive on the App repaints the whole screen when it changes, and the day
    # changes up to ten times a second; the watchers repaint just what shows them.
    day: var[int] = var(0)
    playing: var[bool] = var(True)
    speed: var[int] = var(4)
    seed: var[int] = var(1)
    finished: var[bool] = var(False)
    scenario: var[Scenario | None] = var(None)              # run A's
    compare_scenario: var[Scenario | None] = var(None)      # run B's, in compare mode
    inspected: var[int] = var(-1)
    status: var[str] = var("")
    settling: var[str] = var("")                            # how far a new run's spin-up has got ("" when none is)
    headline: var[str] = var("")                            # what the top bar says (computed)
    runs: var[Runs | None] = var(None)                      # what the panes draw (bound to each of them)

    def __init__(self, scenario_name: str = DEFAULT_SCENARIO, overrides: dict[str, Any] | None = None, *,
                 play: bool = True, speed: int | None = None, export_dir: str | Path | None = None) -> None:
        super().__init__()
        self._opened_with = (scenario_name, dict(overrides or {}))     # for the Scenario tab's form
        scenario = load_scenario(scenario_name, overrides or {})
        self.export_dir = Path(export_dir) if export_dir else Path.cwd() / "trustsim-exports"
        self.runner = Runner([], playing=play)         # the run is built on the simulation thread (on_mount)
        self._first = scenario
        if speed is not None:
            self.runner.set_speed(speed)
        self.received = Received()
        self._redraw_due = 0.0
        self._poll_timer: Timer | None = None
        self._topbar: TopBar | None = None
        self._status: StatusLine | None = None
        self._packing = False                   # an export on its way to the browser (one at a time)
        self.set_reactive(TrustApp.scenario, scenario)
        self.set_reactive(TrustApp.playing, play)
        self.set_reactive(TrustApp.seed, scenario.simulation.seed)
        self.set_reactive(TrustApp.speed, self.runner.speed)

    def compose(self) -> ComposeResult:
        yield TopBar(id="topbar")
        with TabbedContent(id="tabs"):
            yield DashboardPane().data_bind(TrustApp.runs, TrustApp.inspected)
            yield PopulationPane().data_bind(TrustApp.runs, TrustApp.inspected)
            yield ChartsPane().data_bind(TrustApp.runs)
            yield AgentPane().data_bind(TrustApp.runs, agent=TrustApp.inspected)
            yield ScenarioPane(*self._opened_with).data_bind(running=TrustApp.scenario)
            yield ComparePane().data_bind(TrustApp.runs, a=TrustApp.scenario, b=TrustApp.compare_scenario)
            yield NetworkPane().data_bind(TrustApp.runs, TrustApp.inspected)
        yield StatusLine(id="status")
        yield KeysFooter(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        # looked up once: the 10 Hz poll touches them (a DOM query per tick costs real time)
        self._tabs = self.query_one("#tabs", TabbedContent)
        self._topbar = self.query_one(TopBar)
        self._status = self.query_one(StatusLine)
        self._topbar.text = self.headline.replace("[", r"\[")
        self.run_worker(self._drive, thread=True, name="simulation", group="simulation")
        # the spin-up takes seconds: the screen is up, and says so, while the first run settles
        self.runner.start([self._first], playing=self.playing).add_done_callback(self._tell_if_failed)
        self._poll_timer = self.set_interval(POLL_INTERVAL, self.poll)

    def _drive(self) -> None:
        """The simulation thread: advance and publish until the app stops it."""
        worker = get_current_worker()
        self.runner.loop(lambda: worker.is_cancelled)

    @property
    def tracks(self) -> list[Track]:
        """The runs as received so far: A, and B in compare mode."""
        return self.received.tracks

    @property
    def comparing(self) -> bool:
        return self.compare_scenario is not None

    # ================================================================== frames in, panes out
    def poll(self) -> None:
        """Take what the simulation published; hand the panes new runs when a redraw is due (10 Hz)."""
        if self.runner.stopped or not self.is_running:
            return
        settling = self.runner.settling
        self.settling = f"{settling[0]:,} of {settling[1]:,} days" if settling is not None else ""
        frames = self.runner.drain()
        if frames:
            self.received.take(frames)
            if not self.runner.playing and self.playing:
                self.playing = False
        now = time.monotonic()
        # Everything is redrawn together a couple of times a second while playing: Textual repaints the
        # box around all changed regions, so panes redrawn on different ticks would each cost a repaint of
        # nearly the whole screen. The top bar shows the day of the very snapshot the panes draw, so the
        # charts never run behind the header. A new run (after `r` or a new scenario) is handed over at
        # once: no pane may go on showing the run it replaced.
        new_run = self.runs is not None and self.runs.generation != self.received.generation
        if now >= self._redraw_due or not self.playing or new_run:
            self._redraw(now)

    def _redraw(self, now: float) -> None:
        """Hand the panes what was received since the last redraw, and let the shown tab draw it."""
        self._redraw_due = now + REDRAW_INTERVAL
        if self.received.changed and self.received.snapshot is not None:
            self.runs = runs = self.received.runs(self.playing)
            snapshot = runs.snapshot
            self.day, self.finished, self.seed = snapshot.day, snapshot.finished, snapshot.seed
            if runs.announcements:
                # on every tab, in the scenario's own words
                self.status = " · ".join(f"day {e.day:g} · {e.describe()}" for e in runs.announcements)
            self._show_status()
        pane = self._tabs.active_pane
        if isinstance(pane, RunPane):
            pane.redraw(now)

    @on(TabbedContent.TabActivated, "#tabs")
    def _tab_shown(self) -> None:
        """A tab that appears shows the latest frame received, not the one of the last redraw (up to half a
        second older); its tables fill from it as they appear (ArchetypeTable.on_show)."""
        if self._poll_timer is not None and not self.runner.stopped:      # mounted, not quitting
            self._redraw(time.monotonic())

    # ================================================================== top bar and status line
    def compute_headline(self) -> str:
        state = "finished" if self.finished else ("▶ playing" if self.playing else "❚❚ paused")
        compare = f" vs {self.compare_scenario.name}" if self.compare_scenario is not None else ""
        days = self.scenario.simulation.days if self.scenario is not None else 0
        name = self.scenario.name if self.scenario is not None else ""
        if self.settling.startswith("0 of "):
            # nothing settled yet: the world is being built, and a machine's first run compiles the engine's
            # kernels first (minutes, once): say so, rather than a count that stands still at 0
            return f"building the world… (a first run on this machine also compiles the engine: minutes) · {name}{compare}"
        if self.settling:
            # a new run spins up before day 0 (seconds of work): say so, rather than a frozen screen
            return f"settling the network… {self.settling} before day 0 · {name}{compare}"
        return f"{state} · day {self.day}/{days} · {speed_label(self.speed)} · {name}{compare}"

    def watch_headline(self, headline: str) -> None:
        if self._topbar is not None:
            self._topbar.text = headline.replace("[", r"\[")

    def watch_finished(self, finished: bool) -> None:
        self._refresh_keys()
        if finished:
            self.status = "The run is finished: r restarts it with a new seed, e exports it."

    def watch_status(self) -> None:
        self._show_status()

    def _show_status(self) -> None:
        snapshot = self.received.snapshot
        facts = f"seed {self.seed}"
        if snapshot is not None:
            facts += f" · {len(snapshot.agents.get('archetype', ())):,} agents · {snapshot.events_total:,} events"
        if self._status is not None:
            self._status.text = f"[b]{facts}[/b]" + (f" · {escape(self.status)}" if self.status else "")

    # ================================================================== actions (keys, palette)
    def action_toggle_play(self) -> None:
        """Play or pause; playing a finished run does nothing (restart it instead)."""
        playing = not self.playing and not self.finished
        self.runner.set_playing(playing)
        self.playing = playing

    def action_play(self) -> None:
        if not self.playing:
            self.action_toggle_play()

    def action_pause(self) -> None:
        if self.playing:
            self.action_toggle_play()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """While the story is told (its own screen, its own runs) the dashboard's keys neither fire nor show
        (``r`` or ``n`` would move the run beneath it). Space is Pause while playing and Play while paused
        (the other name is hidden); a finished run shows Play, greyed out: r restarts it."""
        if self.screen.has_class("story") and action not in ("quit", "help", "command_palette"):
            return False
        if action == "pause":
            return True if self.playing else False
        if action == "play":
            return False if self.playing else (None if self.finished else True)
        return True

    def watch_playing(self) -> None:
        self._refresh_keys()

    def _refresh_keys(self) -> None:
        """Show the keys that now apply; none while the app closes (no screen is left to show them on)."""
        if self.screen_stack:
            self.refresh_bindings()

    def action_step(self) -> None:
        """One day forward, then hold."""
        self.runner.step(1)
        self.playing = False

    def action_faster(self) -> None:
        self.runner.set_speed(self.speed + 1)
        self.speed = self.runner.speed

    def action_slower(self) -> None:
        self.runner.set_speed(self.speed - 1)
        self.speed = self.runner.speed

    def action_restart(self) -> None:
        """Start the same scenario again with the next seed (and the compared run with it)."""
        assert self.scenario is not None
        seed = {"simulation.seed": self.scenario.simulation.seed + 1}
        compare = self.compare_scenario.with_overrides(seed) if self.compare_scenario is not None else None
        self._start(self.scenario.with_overrides(seed), compare)
        self.status = f"Restarted {self.scenario.name} with seed {seed['simulation.seed']}."

    def action_export(self) -> None:
        """Write the engine's tables for run A; the simulation thread does it between two days. In a browser
        (``trustsim serve``) they go to the visitor as a download, and nothing stays on the server."""
        runner, folder = self.runner, self.export_dir
        if self.is_web:
            if self._packing:
                self.status = "An export is already on its way to the browser."
                return
            self._packing = True
            self.status = "Packing the tables for the browser …"
            self._on_sim_thread(lambda: ExportPacked(f"{run_stem(runner.main)}.zip", packed(runner.main)),
                                ExportFailed, answer=self)
            return

        def write() -> ExportDone:
            sim = runner.main
            # named on the simulation thread, so the folder's day is the day the tables hold; a folder of
            # its own each time (-2, -3, ...): a run with other settings never replaces an earlier export
            out = new_folder(folder, run_stem(sim))
            return ExportDone(out, export(sim, out, "parquet"))

        self.status = f"Exporting under {shown(folder)} …"
        self._on_sim_thread(write, ExportFailed, answer=self)

    def action_save_screen(self) -> None:
        """Save the screen as it is now as an SVG under the export folder (in a browser: download it)."""
        tab = self._tabs.active or "screen"
        name = picture_name(self.scenario.name if self.scenario else "trustsim", self.seed, self.day, tab)
        if self.is_web:
            self.deliver_screenshot(f"{name}.svg")
            self.status = f"Screenshot {name}.svg sent to the browser."
            return
        try:
            path = save_svg(self.export_screenshot(), self.export_dir, name)
        except OSError as error:
            self.status = f"Screenshot failed: {error}"
            self.notify(str(error), severity="error")
            return
        self.status = f"Screenshot saved to {shown(path)}"
        self.notify(str(path), title="Screenshot saved")

    def action_compare(self) -> None:
        """Start (or stop) compare mode with the B run set on the Compare tab."""
        if self.comparing:
            self.runner.compare_with(None)
            self.compare_scenario = None
            self.status = "Compare mode off."
            return
        pane = self.query_one(ComparePane)
        b = pane.b_scenario()
        # B starts at once: the keys stay the dashboard's (the field takes them when the tab next opens)
        pane.field_takes_keys = b is None or self._tabs.active == "compare"
        self._tabs.active = "compare"
        if b is not None:
            self._compare(b)

    def action_story(self) -> None:
        """Tell the running scenario's hypotheses (story mode, :mod:`tui.story`); the dashboard's run pauses."""
        assert self.scenario is not None
        from .story import StoryScreen

        try:
            screen = StoryScreen(self.scenario)
        except ScenarioError as error:            # no hypotheses, or a comparison that cannot be built
            self.status = f"No story: {error}"
            return
        self.runner.set_playing(False)
        self.playing = False
        self.push_screen(screen)

    def action_leave_field(self) -> None:
        """Escape: the keys leave the focused field (or table) and are the app's again."""
        self.set_focus(None)

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    def action_inspect(self) -> None:
        self._tabs.active = "agent"
        self.query_one(AgentPane).ask_for_number()

    def action_show_tab(self, tab: str) -> None:
        self._tabs.active = tab

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
        where = "downloaded by the browser" if self.is_web else f"under {self.export_dir}"
        yield SystemCommand("Export the run", f"Parquet tables {where} (e)", self.action_export)
        yield SystemCommand("Save a screenshot", f"The screen as SVG {where} (s)", self.action_save_screen)
        yield SystemCommand("Compare", "Run a second scenario or setting on the same charts (c)", self.action_compare)
        yield SystemCommand("Inspect an agent", "Pick an agent by number (i)", self.action_inspect)
        yield SystemCommand("Tell the story", "Play the scenario beside its controls and tell its hypotheses (t)",
                            self.action_story)
        yield SystemCommand("Dashboard help", "What the screen shows and its keys (?)", self.action_help)

    # ================================================================== starting runs
    def _start(self, scenario: Scenario, compare: Scenario | None = None) -> None:
        """Replace the run(s) with new ones played from day 0 (built on the simulation thread).

        Not once the app is closing: a scenario applied just before a quit can reach the app after its
        screens are gone and its simulation thread stopped, and a run started then would never be seen."""
        if self.runner.stopped or not self.screen_stack:
            return
        started = self.runner.start([scenario, *([compare] if compare is not None else [])])
        started.add_done_callback(self._tell_if_failed)
        self.scenario = scenario
        self.compare_scenario = compare
        self.playing = True
        self.finished = False
        self.query_one(Feed).clear()            # the old run's story is over

    def _tell_if_failed(self, done: Future) -> None:
        """A run that could not be built (called on the simulation thread): say so, instead of silence."""
        error = done.exception()
        if error is not None:
            self.call_from_thread(self._start_failed, error)

    def _start_failed(self, error: BaseException) -> None:
        self.playing = False
        self.status = f"The run could not start: {error}"
        self.notify(str(error), title="Not started", severity="error")

    def _compare(self, b: Scenario) -> None:
        """Run ``b`` beside run A, which carries on."""
        assert self.scenario is not None
        self.runner.compare_with(b)
        self.compare_scenario = b
        self.status = f"Comparing A: {self.scenario.name} with B: {b.name} (seed {self.seed}); c stops."

    def _on_sim_thread(self, command: Callable[[], Message], failed: Callable[[BaseException], Message], *,
                       answer: MessagePump) -> None:
        """Run ``command`` on the simulation thread between two days, and post the message it returns (or
        ``failed(error)``) to ``answer``. Posting is thread-safe, so nothing here waits on a Future."""

        def reply(future: Future) -> None:
            error = future.exception()
            answer.post_message(failed(error) if error is not None else future.result())

        self.runner.submit(command).add_done_callback(reply)

    # ================================================================== what panes and the simulation say
    @on(ScenarioPane.Apply)
    def _apply(self, event: ScenarioPane.Apply) -> None:
        scenario = event.scenario
        self._start(scenario)
        self.status = f"Started {event.name} with {scenario.simulation.agents:,} agents, seed {scenario.simulation.seed}."

    @on(ComparePane.Start)
    def _compare_requested(self, event: ComparePane.Start) -> None:
        self._compare(event.scenario)

    @on(AgentPicked)
    def _agent_picked(self, event: AgentPicked) -> None:
        self.inspected = event.agent
        self.set_focus(None)    # the keys go back to the dashboard, and a focused widget would pull its tab back
        self._tabs.active = "agent"

    @on(AgentPane.Inspect)
    def _inspect(self, request: AgentPane.Inspect) -> None:
        runner, agent = self.runner, request.agent

        def read() -> AgentInspected:
            sim = runner.main
            return AgentInspected(agent, sim.agent(agent), sim.reputation_history(agent))

        self._on_sim_thread(read, lambda error: InspectionFailed(agent, error), answer=request.pane)

    @on(NetworkView.Read)
    def _read_network(self, request: NetworkView.Read) -> None:
        runner = self.runner
        self._on_sim_thread(lambda: request.read(runner.main), NetworkView.Failed, answer=request.view)

    @on(Status)
    def _say(self, event: Status) -> None:
        self.status = event.text

    @on(ExportDone)
    def _exported(self, done: ExportDone) -> None:
        self.status = f"Exported {len(done.written)} files to {shown(done.folder)}; drawing its report …"
        self.notify(f"{len(done.written)} files in {done.folder}", title="Exported")
        self.run_worker(partial(self._write_report, done.folder), thread=True, group="report",
                        description=f"report of {done.folder}")

    def _write_report(self, folder: Path) -> None:
        """The report of an export, drawn from its files (as `trustsim report` would) on a thread of its own:
        a few seconds of matplotlib that neither the screen nor the simulation waits for."""
        from sim import report

        try:
            html = report.write([folder])
        except Exception as exc:  # noqa: BLE001 (any failure is told on screen; the export itself stands)
            self.call_from_thread(self._report_failed, folder, exc)
        else:
            self.call_from_thread(self._report_written, html)

    def _report_written(self, html: Path) -> None:
        self.status = f"Report written: {shown(html)}"
        self.notify(str(html), title="Report")

    def _report_failed(self, folder: Path, error: BaseException) -> None:
        self.status = f"The export in {shown(folder)} stands, but its report failed: {error}"
        self.notify(str(error), title="Report failed", severity="error")

    @on(ExportPacked)
    def _packed(self, done: ExportPacked) -> None:
        self.deliver_binary(done.archive, save_filename=done.name, mime_type="application/zip", name="export")
        self.status = f"Sending {done.name} to the browser (the tables and manifest; `trustsim report` draws them) …"

    @on(events.DeliveryComplete)
    def _delivered(self, delivered: events.DeliveryComplete) -> None:
        if delivered.name == "export":
            self._packing = False
            self.status = "The export was downloaded by the browser; nothing was kept on the server."

    @on(events.DeliveryFailed)
    def _not_delivered(self, failed: events.DeliveryFailed) -> None:
        if failed.name == "export":
            self._packing = False
            self.status = f"The export did not reach the browser: {failed.exception}"

    @on(ExportFailed)
    def _export_failed(self, failed: ExportFailed) -> None:
        self._packing = False
        self.status = f"Export failed: {failed.error}"
        self.notify(str(failed.error), severity="error")

    def on_unmount(self) -> None:
        self.runner.stop()
        if self._poll_timer is not None:
            self._poll_timer.stop()


def main(scenario: str | None = None, overrides: dict[str, Any] | None = None) -> int:
    """Open the dashboard on ``scenario`` (default ``baseline``) with ``--set`` style overrides.

    An unknown scenario or a bad override raises :class:`~sim.ScenarioError` before the screen opens (the
    CLI turns it into exit code 2). Returns the app's exit code.
    """
    name = scenario or DEFAULT_SCENARIO
    load_scenario(name, overrides or {})          # fail before taking over the terminal
    app = TrustApp(name, overrides or {})
    result = app.run()
    return int(result or 0) if app.return_code in (None, 0) else int(app.return_code)


__all__ = ["SPEEDS", "TrustApp", "main"]
