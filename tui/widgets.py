"""The dashboard's panes: charts, the population map, the archetype table, the feed.

Each pane is a view over a :class:`Track` (the history of one run, as the screen has received it). Panes
only redraw when they are visible and something changed, and the plotext charts limit how often they
redraw by what a redraw costs, so the screen never takes the engine's CPU away.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable, Sequence

import numpy as np
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import DataTable
from textual_plotext import PlotextPlot
from textual_plotext.plot import Plot

from sim import ARCHETYPE_COLUMNS, METRICS, Scenario

from .feed import Sentence
from .palette import KIND_COLORS
from .runner import Frame

GLYPHS = "●▲■◆★✚▼♦"
LINE_COLORS = ("green", "cyan", "magenta", "orange", "blue", "yellow", "red", "white")
TRUST_LINES = (("mean_trust", "mean", "green"), ("generalized_trust", "generalized", "cyan"),
               ("referral_trust", "referral", "magenta"), ("trust_accuracy", "accuracy", "orange"))


RICH_COLORS = {"orange": "dark_orange"}


def glyph(index: int) -> str:
    return GLYPHS[index % len(GLYPHS)]


def reputation_rgb(value: float) -> tuple[int, int, int]:
    """Red (distrusted) through amber to green (trusted); 0.3 and below is fully red, 0.8 up fully green."""
    t = min(1.0, max(0.0, (value - 0.3) / 0.5))
    if t < 0.5:
        return 220, int(60 + 300 * t), 60
    return int(220 - 340 * (t - 0.5)), 210, int(60 + 40 * (t - 0.5))


class Track:
    """One run's history as received by the screen: daily measures, archetype rows, the latest snapshot."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.names = scenario.archetype_names()
        self.metrics: dict[str, np.ndarray] = {m: np.empty(0) for m in ("day", *METRICS)}
        self.archetype_days = np.empty(0, dtype=np.int32)
        self.archetype_rows = np.empty((0, len(self.names), len(ARCHETYPE_COLUMNS)))
        self.snapshot = None

    @property
    def label(self) -> str:
        return self.scenario.name

    def add(self, frame: Frame) -> None:
        self.snapshot = frame.snapshot
        if len(frame.metrics["day"]):
            self.metrics = {k: np.concatenate((v, frame.metrics[k])) for k, v in self.metrics.items()}
            self.archetype_days = np.concatenate((self.archetype_days, frame.archetype_days))
            self.archetype_rows = np.concatenate((self.archetype_rows, frame.archetype_rows))

    def series(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        return self.metrics["day"], self.metrics[name]

    def daily(self, name: str, window: int = 7) -> tuple[np.ndarray, np.ndarray]:
        """A cumulative count as a per-day rate, smoothed over ``window`` days."""
        days, total = self.series(name)
        if len(total) < 2:
            return days[:0], total[:0]
        per_day = np.diff(total)
        kernel = np.ones(min(window, len(per_day))) / min(window, len(per_day))
        smooth = np.convolve(per_day, kernel, mode="full")[: len(per_day)]
        counts = np.minimum(np.arange(1, len(per_day) + 1), len(kernel))
        smooth = smooth * len(kernel) / counts
        return days[1:], smooth


def thin(x: np.ndarray, y: np.ndarray, points: int) -> tuple[list[float], list[float]]:
    """At most ``points`` evenly spaced points (always keeping the last), NaN dropped, as lists."""
    if len(x) > points > 0:
        picks = np.unique(np.concatenate((np.linspace(0, len(x) - 1, points).astype(int), [len(x) - 1])))
        x, y = x[picks], y[picks]
    keep = np.isfinite(y)
    return x[keep].tolist(), y[keep].tolist()


class Chart(PlotextPlot):
    """A plotext chart that draws itself from a callback, only when visible and changed, and no more
    often than its cost allows: after a redraw it waits 40 times as long as that redraw took (at most 3 s)."""

    def __init__(self, draw: Callable[[Plot, int], list[tuple[str, str]]], title: str = "", *,
                 min_interval: float = 0.3, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.draw = draw
        self.legend: list[tuple[str, str]] = []
        self.chart_title = title
        self.min_interval = min_interval
        self.dirty = True
        self.next_draw = 0.0
        self.border_title = title

    def mark_dirty(self) -> None:
        self.dirty = True

    def maybe_refresh(self, now: float) -> None:
        """Refresh if something changed and the chart's budget allows; a hidden chart waits."""
        if self.dirty and now >= self.next_draw and self.display and self.region.area:
            self.dirty = False
            self.refresh()

    def render(self):  # noqa: ANN201 - a Rich renderable, as PlotextPlot.render
        started = time.perf_counter()
        plt = self.plt
        plt.clear_figure()
        legend = self.draw(plt, max(10, self.size.width)) or []
        if legend != self.legend:
            # plotext's own legend sits on top of the lines; ours goes on the border
            self.legend = legend
            self.border_subtitle = "  ".join(
                f"[{RICH_COLORS.get(c, c)}]{label[0]}[/]{label[1:]}" if label[:1] in GLYPHS + "•"
                else f"[{RICH_COLORS.get(c, c)}]━[/] {label}" for label, c in legend)
        result = super().render()
        cost = time.perf_counter() - started
        self.next_draw = time.monotonic() + max(self.min_interval, min(cost * 40, 3.0))
        return result


def draw_trust(track_source: Callable[[], Sequence[Track]]) -> Callable[[Plot, int], list[tuple[str, str]]]:
    """The network measures of the main run: mean, generalized, referral trust and trust accuracy."""

    def draw(plt: Plot, width: int) -> list[tuple[str, str]]:
        tracks = track_source()
        if not tracks:
            return []
        track = tracks[0]
        low = 0.0
        for name, _, color in TRUST_LINES:
            x, y = thin(*track.series(name), width * 2)
            if x:
                plt.plot(x, y, color=color, marker="braille")
                low = min(low, min(y))
        # 0..1 unless trust accuracy (a rank correlation) goes negative
        plt.ylim(low if low >= 0 else max(-1.0, low - 0.05), 1.0)
        _days_axis(plt, track)
        return [(label, color) for _, label, color in TRUST_LINES]

    return draw


def draw_commitments(track_source: Callable[[], Sequence[Track]]) -> Callable[[Plot, int], list[tuple[str, str]]]:
    """Kept and broken commitments per day (7-day mean)."""

    def draw(plt: Plot, width: int) -> list[tuple[str, str]]:
        tracks = track_source()
        if not tracks:
            return []
        lines = (("promises_kept", "kept", "green"), ("promises_broken", "broken", "red"))
        for name, _, color in lines:
            x, y = thin(*tracks[0].daily(name), width * 2)
            if x:
                plt.plot(x, y, color=color, marker="braille")
        _days_axis(plt, tracks[0])
        return [(label, color) for _, label, color in lines]

    return draw


def draw_archetypes(track_source: Callable[[], Sequence[Track]]) -> Callable[[Plot, int], list[tuple[str, str]]]:
    """One reputation line per archetype."""
    column = ARCHETYPE_COLUMNS.index("reputation")

    def draw(plt: Plot, width: int) -> list[tuple[str, str]]:
        tracks = track_source()
        if not tracks:
            return []
        track = tracks[0]
        for k in range(len(track.names)):
            x, y = thin(track.archetype_days, track.archetype_rows[:, k, column], width * 2)
            if x:
                plt.plot(x, y, color=LINE_COLORS[k % len(LINE_COLORS)], marker="braille")
        plt.ylim(0.0, 1.0)
        _days_axis(plt, track)
        return [(f"{glyph(k)} {name}", LINE_COLORS[k % len(LINE_COLORS)]) for k, name in enumerate(track.names)]

    return draw


def draw_compare(track_source: Callable[[], Sequence[Track]], metrics: Sequence[str],
                 daily: bool = False) -> Callable[[Plot, int], list[tuple[str, str]]]:
    """The same measure(s) of runs A and B, overlaid (A solid braille, B dotted)."""

    def draw(plt: Plot, width: int) -> list[tuple[str, str]]:
        tracks = track_source()
        legend = []
        low, high = math.inf, -math.inf
        for t, track in enumerate(tracks[:2]):
            for m, metric in enumerate(metrics):
                series = track.daily(metric) if daily else track.series(metric)
                x, y = thin(*series, width * 2)
                if x:
                    color = ("green", "red", "cyan", "magenta")[m * 2 + t] if len(metrics) > 1 else \
                        ("cyan", "orange")[t]
                    name = metric.replace("promises_", "").replace("_", " ")
                    label = f"{'AB'[t]} {name}" if len(metrics) > 1 else f"{'AB'[t]}: {track.label}"
                    plt.plot(x, y, color=color, marker="braille" if t == 0 else "dot")
                    legend.append((label, color) if t == 0 else ("• " + label, color))
                    low, high = min(low, min(y)), max(high, max(y))
        if not daily and high >= low:
            # at least 0.2 of trust on the axis, so a hair's difference does not look like a gulf
            middle, span = (low + high) / 2, max(high - low, 0.2)
            plt.ylim(middle - span * 0.55, middle + span * 0.55)
        if tracks:
            _days_axis(plt, tracks[0])
        return legend

    return draw


def _days_axis(plt: Plot, track: Track) -> None:
    """Integer day ticks. (plotext's ``xlim`` clips lines wrongly, so the axis grows with the run.)"""
    last = int(track.metrics["day"][-1]) if len(track.metrics["day"]) else 1
    plt.xticks(sorted({0, last // 2, last}))


class PopulationMap(Widget, can_focus=True):
    """Every agent (or a fixed sample that fills the pane) as one cell: its archetype's mark, coloured by
    its reputation (red distrusted, green trusted, grey nobody knows it yet). Agents are grouped by
    archetype so a group's fall is a patch turning red. Click a cell to inspect that agent."""

    class AgentPicked(Message):
        """The user picked an agent on the map."""

        def __init__(self, agent: int) -> None:
            super().__init__()
            self.agent = agent

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.archetype = np.empty(0, dtype=np.int16)
        self.reputation = np.empty(0)
        self.selected = -1
        self.cells = np.empty(0, dtype=np.int64)     # agent id shown in each cell, row-major (-1: gap)
        self.cell_width = 1
        self.columns = 1
        self._layout_key: tuple = ()
        self._styles = [Style(color=f"rgb{reputation_rgb(v / 20)}") for v in range(21)]
        self._unknown = Style(color="grey42")
        self.dirty = True
        self.next_draw = 0.0

    def show(self, archetype: np.ndarray, reputation: np.ndarray) -> None:
        self.archetype, self.reputation = archetype, reputation
        self.dirty = True

    def maybe_refresh(self, now: float) -> None:
        if self.dirty and now >= self.next_draw and self.display and self.region.area:
            self.dirty = False
            self.next_draw = now + 0.4
            self.refresh()

    def _layout(self) -> np.ndarray:
        """Which agent each cell shows (-1 for a gap), recomputed when the pane or population changes.

        Every agent gets a cell if they fit, else a fixed sample does. When there is room, cells are two
        characters wide and each archetype starts on a new row, so the groups read as blocks.
        """
        width, height = self.size.width, self.size.height
        n = len(self.archetype)
        key = (width, height, n)
        if key != self._layout_key:
            self._layout_key = key
            capacity = max(0, width * height)
            chosen = np.arange(n)
            if n > capacity:
                # a fixed sample: the same agents stay in the same cells while the run plays
                chosen = np.sort(np.random.default_rng(0).choice(n, capacity, replace=False))
            kinds = self.archetype[chosen]
            chosen = chosen[np.lexsort((chosen, kinds))]
            kinds = self.archetype[chosen]
            self.cell_width = 2 if 2 * len(chosen) <= capacity else 1
            columns = max(1, width // self.cell_width)
            groups = [chosen[kinds == k] for k in np.unique(kinds)]
            rows_needed = sum(math.ceil(len(g) / columns) for g in groups)
            if rows_needed <= height:
                # each archetype on rows of its own
                padded = [np.concatenate((g, np.full(-len(g) % columns, -1))) for g in groups]
                cells = np.concatenate(padded) if padded else chosen
            else:
                cells = chosen
            self.cells = cells
            self.columns = columns
            self.border_title = (f"Population: all {n:,} agents" if len(chosen) == n
                                 else f"Population: a fixed sample of {len(chosen):,} of {n:,} agents")
        return self.cells

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        cells = self._layout()
        row = cells[y * self.columns:(y + 1) * self.columns]
        if len(row) == 0:
            return Strip.blank(width)
        known = row >= 0
        reputation = np.full(len(row), np.nan)
        if len(self.reputation) >= len(self.archetype):
            reputation[known] = self.reputation[row[known]]
        buckets = np.where(np.isnan(reputation), -1, np.clip(np.nan_to_num(reputation) * 20, 0, 20).astype(int))
        kinds = np.where(known, self.archetype[np.maximum(row, 0)], -1)
        pad = " " * (self.cell_width - 1)
        segments: list[Segment] = []
        for agent, bucket, kind in zip(row.tolist(), buckets.tolist(), kinds.tolist(), strict=True):
            if agent < 0:
                segments.append(Segment(" " * self.cell_width))
                continue
            style = self._unknown if bucket < 0 else self._styles[bucket]
            if agent == self.selected:
                style = style + Style(reverse=True)
            segments.append(Segment(glyph(kind) + pad, style))
        used = len(row) * self.cell_width
        segments.append(Segment(" " * max(0, width - used)))
        return Strip(Segment.simplify(segments), width)

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        index = offset.y * self.columns + offset.x // self.cell_width
        if 0 <= index < len(self.cells) and self.cells[index] >= 0:
            self.post_message(self.AgentPicked(int(self.cells[index])))


def map_legend(names: Sequence[str]) -> str:
    """'● steady  ▲ casual  …   reputation: low ■ ■ ■ high'."""
    marks = "  ".join(f"{glyph(k)} {name}" for k, name in enumerate(names))
    scale = " ".join(f"[rgb{reputation_rgb(v)}]■[/]" for v in (0.3, 0.45, 0.55, 0.65, 0.8))
    return f"{marks}   reputation: low {scale} high  [grey42]● unknown[/]"


class ArchetypeTable(DataTable):
    """Agents, reputation, followers and kept / broken commitments per archetype, updated live."""

    COLUMNS = ("archetype", "agents", "rep.", "followers", "kept / broken")

    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.zebra_stripes = True
        for column in self.COLUMNS:
            self.add_column(column, key=column)

    def show(self, names: Sequence[str], archetypes: dict[str, np.ndarray]) -> None:
        """Update the rows in place (keeps the cursor); rebuilds them if the archetypes changed."""
        keys = [str(row.value) for row in self.rows]
        if keys != list(names):
            self.clear()
            for k, name in enumerate(names):
                self.add_row(*self._cells(k, name, archetypes), key=name)
            return
        for k, name in enumerate(names):
            row = self.get_row(name)
            for column, old, value in zip(self.COLUMNS, row, self._cells(k, name, archetypes), strict=True):
                if value != old:
                    self.update_cell(name, column, value, update_width=len(str(value)) > len(str(old)))

    @staticmethod
    def _cells(k: int, name: str, a: dict[str, np.ndarray]) -> tuple[str, ...]:
        kept, broken = float(a["promises_kept"][k]), float(a["promises_broken"][k])
        reputation = float(a["reputation"][k])
        share = broken / (kept + broken) if kept + broken else math.nan
        color = f"rgb{reputation_rgb(reputation)}" if reputation == reputation else "grey42"
        broken_text = compact(broken) + (f" ({share:.0%})" if share == share else "")
        return (f"{glyph(k)} {name}", f"{int(a['agents'][k]):,}",
                f"[{color}]{reputation:.2f}[/]" if reputation == reputation else "n/a",
                f"{float(a['followers_mean'][k]):.1f}", f"{compact(kept)} / [red]{broken_text}[/]")


def compact(count: float) -> str:
    """1,234 or 61.8k or 2.1M: counts that keep a narrow column narrow."""
    if count >= 1e6:
        return f"{count / 1e6:.1f}M"
    if count >= 1e4:
        return f"{count / 1e3:.1f}k"
    return f"{int(count):,}"


class Feed(Widget):
    """The newest lines of the event feed, bottom-aligned, wrapped to the pane's width.

    Unlike a RichLog it never changes size or scrolls, so a new line repaints this pane alone
    instead of laying out the whole screen again (which, several times a second, costs the engine
    real speed).
    """

    def __init__(self, *, keep: int = 200, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.lines: deque[Text] = deque(maxlen=keep)

    def write(self, sentence: Sentence) -> None:
        """Add a sentence, its key phrase coloured by the event's kind."""
        color = KIND_COLORS.get(sentence.kind)
        self.lines.append(Text.assemble(sentence.before, (sentence.phrase, f"bold {color}" if color else ""),
                                        sentence.after))
        self.refresh()

    def clear(self) -> None:
        self.lines.clear()
        self.refresh()

    def render(self) -> Text:
        width, height = max(1, self.size.width), max(1, self.size.height)
        shown: list[Text] = []
        used = 0
        for line in reversed(self.lines):
            rows = max(1, math.ceil(line.cell_len / width))
            if used + rows > height and shown:
                break
            shown.append(line)
            used += rows
        return Text("\n").join(reversed(shown))
