"""Story mode: a scenario played beside its controls, its hypotheses told as they become visible.

``trustsim story SCENARIO`` opens it on its own (:class:`StoryApp`); ``t`` on the dashboard opens it on the
dashboard's scenario (:class:`StoryScreen`), in a terminal and in ``trustsim serve`` alike. What is told,
and when, is the engine's (:mod:`sim.story`); this module plays it.

One thread builds the runs (the spin-up: "settling the network") and steps them together, day by day
(:class:`StoryDriver`); after each day it lets the story read them and pauses on anything told. SimPy is not
thread-safe and a thread that posted to Textual every day would starve its loop, so the screen pulls a copy
of the story ten times a second (:meth:`StoryDriver.view`) and nothing is posted from the thread.

A presenter's keys: ``→`` (or PageDown, as a clicker sends) goes to the next moment, or plays on to it;
``←`` (PageUp) goes back one; ``space`` plays or pauses; ``+``/``-`` change the pace; after the last day
``→`` shows the end card.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from rich.markup import escape
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.geometry import Size
from textual.screen import Screen
from textual.widgets import Footer, Static
from textual.worker import get_current_worker
from textual_plotext.plot import Plot

from sim import Scenario, Simulation
from sim.story import EVENT, CardRow, Moment, Story

from .palette import BROKEN, COMPARE_COLORS, KEPT, LABEL, rgb
from .plots import days_axis, mark_events, thin
from .runner import SPEEDS, speed_label
from .widgets import Chart, Legend

POLL_INTERVAL = 0.1          # the screen reads the story ten times a second
DEFAULT_SPEED = 4            # index into SPEEDS: 10 days a second


@dataclass(frozen=True, eq=False)
class StoryView:
    """A copy of the story as it stands, safe to read on the screen's thread (``eq=False``: each new copy is
    a change, and arrays cannot be compared as a whole)."""

    settling: str                      # what the spin-up is doing ("" once every run is built)
    day: int
    days: int
    playing: bool
    finished: bool
    moments: tuple[Moment, ...]
    mine: np.ndarray                   # [strand, day] readings here
    theirs: np.ndarray                 # [strand, day] on the comparison
    error: str = ""


class StoryDriver:
    """The story's thread: build the runs, then step them together, pausing on each moment told."""

    def __init__(self, story: Story, speed: int = DEFAULT_SPEED) -> None:
        self.story = story
        self.speed = speed
        self.playing = True
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._settling = "settling the network …"
        self._error = ""
        self._sims: list[Simulation] = []

    # ------------------------------------------------------------ called from the screen
    def view(self) -> StoryView:
        story = self.story
        with self._lock:
            day = max(story.day, 0)
            return StoryView(self._settling, story.day, story.days, self.playing and not self.finished,
                             self.finished, tuple(story.moments), story.mine[:, :day + 1].copy(),
                             story.theirs[:, :day + 1].copy(), self._error)

    @property
    def finished(self) -> bool:
        return self.story.day >= self.story.days

    def set_playing(self, playing: bool) -> None:
        self.playing = playing
        self._wake.set()

    def set_speed(self, index: int) -> None:
        self.speed = max(0, min(len(SPEEDS) - 1, index))
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()

    # ------------------------------------------------------------ the thread
    def loop(self, cancelled: Callable[[], bool] = lambda: False) -> None:
        """Build every run, then advance while playing, paced by the speed, until stopped."""
        story = self.story
        runs = len(story.scenarios)

        def settling(run: int, day: int, days: int) -> None:
            if self._stop.is_set() or cancelled():
                raise _Stopped
            self._settling = (f"settling the network: run {run + 1} of {runs} ({story.labels[run]}), "
                              f"day {day:,} of {days:,} before day 0")
        try:
            self._sims = story.build(settling)
        except _Stopped:
            return
        except Exception as exc:  # noqa: BLE001 (told on screen: a run that cannot be built)
            self._error = f"the story could not start: {exc}"
            return
        with self._lock:
            story.observe(self._sims)
            self._settling = ""
        next_day = time.monotonic()
        while not self._stop.is_set() and not cancelled():
            if not self.playing or self.finished:
                self._wake.wait(0.1)
                self._wake.clear()
                next_day = time.monotonic()
                continue
            for sim in self._sims:
                sim.advance(1)
            with self._lock:
                told = story.observe(self._sims)
            if told:
                self.playing = False       # the presenter tells it, then goes on
            speed = SPEEDS[self.speed]
            if speed:
                now = time.monotonic()
                next_day = max(next_day + 1.0 / speed, now - 0.5)
                if next_day > now:
                    self._wake.wait(next_day - now)
                    self._wake.clear()
            else:
                time.sleep(0)              # let the screen's thread have the GIL between days


class _Stopped(Exception):
    """The screen closed while the runs were still settling."""


def draw_strand(plt: Plot, shown: tuple[StoryView, Story, int, int], size: Size) -> Legend:
    """One hypothesis's measure here and on its comparison, day by day, the moment's day marked."""
    view, story, index, moment_day = shown
    days = np.arange(view.mine.shape[1])
    strand = story.strands[index]
    here, there = COMPARE_COLORS[0], COMPARE_COLORS[1]
    lines = [(thin(days, view.mine[index], size.width * 2), here, "braille"),
             (thin(days, view.theirs[index], size.width * 2), there, "dot")]
    values = [v for (_, y), _, _ in lines for v in y]
    if not values:
        days_axis(plt, days)
        return []
    low, high = min(values), max(values)
    pad = max(high - low, 1e-3) * 0.15
    low, top = low - pad, high + pad
    plt.ylim(low, top)
    events = [e for e in story.scenario.events if e.day <= days[-1]]
    mark_events(plt, events, days, low, top, size.width)
    if 0 <= moment_day <= days[-1]:
        plt.vline(moment_day, rgb(LABEL))
    for (x, y), color, marker in lines:
        if x:
            plt.plot(x, y, color=rgb(color), marker=marker)
    days_axis(plt, days)
    against = "level" if strand.control is None else story.labels[strand.control]
    return [(story.scenario.name, here), ("• " + against, there)]


class Card(VerticalScroll, can_focus=False):
    """The end card; it never takes focus, so the presenter's arrow keys stay the story's (↑/↓ scroll it)."""


class StoryScreen(Screen[None]):
    """The story of one scenario: caption, chart, the hypotheses so far, and the end card."""

    CSS_PATH = "story.tcss"
    BINDINGS = [
        Binding("right,pagedown", "next", "Next", key_display="→"),
        Binding("left,pageup", "previous", "Back", key_display="←"),
        Binding("space", "toggle_play", "Play/pause"),
        Binding("plus,equals_sign", "faster", "Faster", key_display="+"),
        Binding("minus", "slower", "Slower", key_display="-"),
        Binding("q,escape", "leave", "Leave"),
        Binding("up", "scroll_card(-1)", "Scroll", show=False),
        Binding("down", "scroll_card(1)", "Scroll", show=False),
    ]

    def __init__(self, scenario: Scenario, speed: int = DEFAULT_SPEED) -> None:
        super().__init__(classes="story")       # the dashboard holds its own keys back while it shows
        self.story = Story(scenario)
        self.driver = StoryDriver(self.story, speed)
        self.cursor = -1              # the moment shown (-1: none yet)
        self.card_shown = False
        self.view: StoryView | None = None
        self._seen = 0                # moments the screen has taken in
        self._said: dict[str, str] = {}    # what each Static shows
        self._charted: tuple = ()     # what the chart was last given (day, strand, moment's day, size)

    def compose(self) -> ComposeResult:
        yield Static(id="story-head")
        with Vertical(id="story-body"):
            yield Static(id="story-caption")
            with Horizontal(id="story-main"):
                yield Chart(draw_strand, id="story-chart")
                yield Static(id="story-strands")
        with Card(id="story-card"):
            yield Static(id="story-card-text")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#story-card").display = False
        self.run_worker(self._drive, thread=True, name="story", group="story", exit_on_error=False)
        self.set_interval(POLL_INTERVAL, self.poll)
        self.poll()

    def _drive(self) -> None:
        worker = get_current_worker()
        self.driver.loop(lambda: worker.is_cancelled)

    def on_unmount(self) -> None:
        self.driver.stop()

    # ------------------------------------------------------------ what the screen shows
    def poll(self) -> None:
        view = self.driver.view()
        self.view = view
        if len(view.moments) > self._seen:
            # something new was told (the run paused on it): show the first of it
            self.cursor, self._seen = self._seen, len(view.moments)
            self.card_shown = False
        self._show(view)

    def _show(self, view: StoryView) -> None:
        story = self.story
        self.query_one("#story-main").display = not (view.error or view.settling)
        if view.error or view.settling:
            self._say("#story-head", f"[b]story · {escape(story.scenario.name)}[/b] · {escape(view.error or view.settling)}")
            self._say("#story-caption", self._intro())
            return
        state = "finished" if view.finished else ("▶ playing" if view.playing else "❚❚ paused")
        told = f"moment {self.cursor + 1}/{len(view.moments)}" if self.cursor >= 0 else "no moment yet"
        self._say("#story-head", f"[b]{escape(story.scenario.name)}[/b] · {state} · day {view.day}/{view.days} · "
                  f"{told} · {speed_label(self.driver.speed)} · seed {story.scenario.simulation.seed}")
        self.query_one("#story-body").display = not self.card_shown
        self.query_one("#story-card").display = self.card_shown
        if self.card_shown:
            self._say("#story-card-text", card_markup(story.card(), story, view))
            return
        moment = view.moments[self.cursor] if self.cursor >= 0 else None
        self._say("#story-caption", self._caption(moment, view))
        index = self._strand_shown(view)
        chart = self.query_one("#story-chart", Chart)
        if chart.border_title != (title := escape(story.measure(index))):
            chart.border_title = title
        shown = (view.day, index, moment.day if moment is not None else -1, chart.size)
        if shown != self._charted:          # a new copy of the same day is no news: the chart can settle
            self._charted = shown
            chart.data = (view, story, index, shown[2])
        chart.maybe_refresh(time.monotonic())
        self._say("#story-strands", self._strands(view, index))

    def _say(self, where: str, text: str) -> None:
        """Show ``text`` in a Static, only if it changed: an update re-lays out the screen, and the chart
        beside it would redraw ten times a second for nothing."""
        if self._said.get(where) != text:
            self._said[where] = text
            self.query_one(where, Static).update(text)

    def _intro(self) -> str:
        story = self.story
        said = "\n".join(f"  • {escape(s.hypothesis.statement)}" for s in story.strands)
        return (f"[b]{escape(story.scenario.name)}[/b] makes {len(story.strands)} claims, played here beside "
                f"{len(story.scenarios) - 1} comparison run(s) on the same seed:\n{said}")

    def _caption(self, moment: Moment | None, view: StoryView) -> str:
        if moment is None:
            return (f"{self._intro()}\n[dim]Each is told when its measure separates from its comparison: "
                    f"the gap beyond its margin on {self.story.hold} days in a row. → plays on.[/dim]")
        if moment.kind == EVENT:
            return f"[b]Day {moment.day}: {escape(moment.title)}[/b]\n[dim]a scenario event · → plays on[/dim]"
        strand = self.story.strands[moment.strand]
        color = KEPT if moment.kind in ("separates", "returns") else BROKEN
        return (f"[b]Day {moment.day}: {escape(moment.title)}[/b]\n"
                f"[{color}]{moment.kind}[/] ({strand.hypothesis.kind}) · {escape(moment.numbers)}")

    def _strand_shown(self, view: StoryView) -> int:
        """The hypothesis whose chart is in front: the moment's, or for an event the last one told before it."""
        for moment in reversed(view.moments[:self.cursor + 1]):
            if moment.strand >= 0:
                return moment.strand
        return 0

    def _strands(self, view: StoryView, shown: int) -> str:
        lines = ["[b]The claims[/b] [dim]● apart ◐ closed ○ not yet[/dim]"]
        told: dict[int, Moment] = {}
        for moment in view.moments[:max(self._seen, 0)]:
            if moment.strand >= 0:
                told[moment.strand] = moment
        for index, strand in enumerate(self.story.strands):
            last = told.get(index)
            mark = "○" if last is None else ("●" if last.kind in ("separates", "leaves") else "◐")
            when = "" if last is None else f" [dim]day {last.day}[/dim]"
            line = f"{mark} {escape(strand.hypothesis.id)}{when}"
            lines.append(f"[reverse]{line}[/reverse]" if index == shown else line)
        return "\n".join(lines)

    # ------------------------------------------------------------ keys
    def action_next(self) -> None:
        view = self.view
        if view is None or view.settling or view.error:
            return
        if self.card_shown:
            return
        if self.cursor < len(view.moments) - 1:
            self.cursor += 1
        elif view.finished:
            self.card_shown = True
        else:
            self.driver.set_playing(True)
        self._show(self.driver.view())

    def action_previous(self) -> None:
        if self.card_shown:
            self.card_shown = False
        elif self.cursor > 0:
            self.cursor -= 1
        if self.view is not None:
            self._show(self.view)

    def action_scroll_card(self, lines: int) -> None:
        self.query_one("#story-card", Card).scroll_relative(y=lines, animate=False)

    def action_toggle_play(self) -> None:
        self.driver.set_playing(not self.driver.playing)

    def action_faster(self) -> None:
        self.driver.set_speed(self.driver.speed + 1)

    def action_slower(self) -> None:
        self.driver.set_speed(self.driver.speed - 1)

    def action_leave(self) -> None:
        self.driver.stop()
        if isinstance(self.app, StoryApp):
            self.app.exit(0)
        else:
            self.dismiss(None)


def card_markup(rows: list[CardRow], story: Story, view: StoryView) -> str:
    """The end card: every hypothesis, what this run showed, and its recorded verdict, plainly."""
    held = sum(row.holds is True for row in rows)
    failed = sum(row.holds is False for row in rows)
    missing = sum(row.holds is None for row in rows)
    lines = [f"[b]{escape(story.scenario.name)}: what it claims, and what was found[/b]",
             f"{held} hold, {failed} do not hold, {missing} have no recorded verdict for the claim as stated "
             f"(recorded: `trustsim check`, many paired seeds; this story is one run on seed "
             f"{story.scenario.simulation.seed}, to day {view.day}).", ""]
    for row in rows:
        if row.holds is None:
            verdict = "[b]no recorded verdict[/b]"
        elif row.holds:
            verdict = f"[b {KEPT}]{escape(row.verdict)}[/]"
        else:
            verdict = f"[b {BROKEN}]DOES NOT HOLD[/]" + (f" ({escape(row.verdict)})" if row.verdict != "does not hold" else "")
        lines.append(f"{verdict} · [b]{escape(row.statement)}[/b] [dim]({row.kind})[/dim]")
        lines.append(f"    recorded: {escape(row.recorded)}")
        lines.append(f"    this run: {escape(row.shown)}")
    lines.append("")
    lines.append("[dim]↑/↓ scroll · ← back to the moments · q leaves[/dim]")
    return "\n".join(lines)


class StoryApp(App[int]):
    """``trustsim story SCENARIO``: the story screen on its own."""

    TITLE = "trustsim story"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (34, "-tall")]

    def __init__(self, scenario: Scenario, speed: int = DEFAULT_SPEED) -> None:
        super().__init__()
        self.scenario = scenario
        self.speed = speed

    def on_mount(self) -> None:
        self.push_screen(StoryScreen(self.scenario, self.speed))


def main(scenario: Scenario) -> int:
    """Open the story of ``scenario`` (checked by the caller: it states hypotheses); returns the exit code."""
    app = StoryApp(scenario)
    result = app.run()
    return int(result or 0) if app.return_code in (None, 0) else int(app.return_code)


__all__ = ["StoryApp", "StoryDriver", "StoryScreen", "main"]
