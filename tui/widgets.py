"""The dashboard's reusable widgets: the chart, the population map and its legend, the archetype table, the
top bar and the status line.

Each holds what it shows in a reactive that a pane binds to (``data_bind``); its ``watch_`` method decides
how much work a change costs. The chart and the map only redraw when they are visible and changed, and no
more often than their cost allows (:class:`Throttled`), so the screen never takes the engine's CPU away.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from rich.segment import Segment
from rich.style import Style
from textual import events, on
from textual.app import ComposeResult
from textual.content import Content
from textual.geometry import Region, Size
from textual.markup import escape
from textual.reactive import reactive, var
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import DataTable, Footer
from textual.widgets._footer import FooterKey
from textual_plotext import PlotextPlot
from textual_plotext.plot import Plot

from .messages import AgentPicked
from .palette import BROKEN, GLYPHS, UNKNOWN, glyph, reputation_color, reputation_rgb
from .track import Runs

#: A chart's legend: (label, ``#rrggbb`` colour) per line; the line is drawn in exactly that colour.
Legend = list[tuple[str, str]]


class Throttled:
    """Mixin for a widget that redraws only when it is visible and its data changed, at most once per
    ``min_interval`` seconds but never missing two redraws in a row. The shown tab calls :meth:`maybe_refresh` for all of its own on the app's
    redraw tick, so their repaints land together (Textual repaints the box around all changed regions at
    once)."""

    min_interval = 0.3
    dirty = True                 # the data changed since the last refresh
    next_draw = 0.0              # time.monotonic() before which it does not redraw
    painted = False              # it has rendered since the last refresh: the screen shows its latest data
    missed = False               # its budget made it miss the last redraw it was offered

    def mark_dirty(self) -> None:
        self.dirty = True

    def maybe_refresh(self, now: float) -> None:
        """Refresh if something changed and the widget's budget allows; a hidden widget waits. The budget
        may skip one redraw, never two in a row: on a loaded machine a paint lands late, its budget counts
        from then, and the widget fell two redraws behind the header (a CI run saw 12 days)."""
        if self.dirty and self.display and self.region.area:
            if now < self.next_draw and not self.missed:
                self.missed = True
                return
            self.missed = False
            self.dirty = False
            self.painted = False
            self.next_draw = now + self.min_interval
            self.refresh()


class Chart(Throttled, PlotextPlot):
    """A plotext chart drawn by ``draw(plt, data, size)`` from its reactive ``data``. After a redraw it
    waits 40 times as long as that redraw took, at least ``min_interval`` and at most ``max_wait``: a
    chart that is cheap to draw keeps up with every redraw of its pane, and an expensive one misses at
    most one, so it never runs more than a frame behind the header (which shows the same snapshot)."""

    max_wait = 0.6

    data: var[Any] = var(None)

    def __init__(self, draw: Callable[[Plot, Any, Size], Legend], title: str = "", *, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.draw = draw
        self.legend: Legend = []
        self._subtitle = ""
        self.border_title = title

    def watch_data(self) -> None:
        self.mark_dirty()

    def render(self):  # noqa: ANN201 - a Rich renderable, as PlotextPlot.render
        started = time.perf_counter()
        plt = self.plt
        plt.clear_figure()
        legend = self.draw(plt, self.data, Size(max(10, self.size.width), max(4, self.size.height))) \
            if self.data is not None else []
        subtitle = legend_markup(legend, self.size.width - 2)
        if legend != self.legend or subtitle != self._subtitle:
            # plotext's own legend sits on top of the lines; ours goes on the border, which this paint
            # has already read: paint once more to show it
            self.legend = legend
            self.border_subtitle = self._subtitle = subtitle
            self.call_after_refresh(self.refresh)
        else:
            self.painted = True
        result = super().render()
        cost = time.perf_counter() - started
        self.next_draw = time.monotonic() + max(self.min_interval, min(cost * 40, self.max_wait))
        return result


def legend_markup(legend: Legend, width: int) -> str:
    """A chart's legend for its border: each label after a swatch (or its archetype mark) in its line's
    colour. If that is wider than ``width``, the labels keep their first word, and if that is still too wide,
    the longest words are shortened (to no fewer than three letters, the cut marked with …): every mark keeps
    a name to go with it."""

    def entry(label: str, color: str, name: str) -> str:
        if label[:1] in GLYPHS + "•":
            return f"[{color}]{label[0]}[/] {escape(name)}"
        return f"[{color}]━[/] {escape(name)}"

    def names(label: str) -> str:
        return label[2:] if label[:1] in GLYPHS + "•" else label

    def joined(shown: list[str]) -> str:
        return "  ".join(entry(label, color, name) for (label, color), name in zip(legend, shown, strict=True))

    full = [names(label) for label, _ in legend]
    first_words = [name.split(":")[0] if name[:2] in ("A:", "B:") else name.split()[0] if name else name
                   for name in full]
    for shown in (full, first_words):
        if Content.from_markup(joined(shown)).cell_length <= width:
            return joined(shown)
    shown = list(first_words)
    while Content.from_markup(joined(shown)).cell_length > width:
        longest = max(range(len(shown)), key=lambda i: len(shown[i]))
        if len(shown[longest]) <= 4:            # three letters and …: as short as a name gets
            break
        shown[longest] = shown[longest].rstrip("…")[:-1] + "…" if shown[longest].endswith("…") \
            else shown[longest][:-2] + "…"
    return joined(shown)


class PopulationMap(Throttled, Widget, can_focus=True):
    """Every agent of run A (or a fixed sample that fills the pane) as one cell: its archetype's mark,
    coloured by its reputation (red distrusted through yellow to blue trusted, grey nobody knows it yet). Agents are grouped
    by archetype so a group's fall is a patch turning red. Click a cell to inspect that agent."""

    min_interval = 0.4
    runs: var[Runs | None] = var(None)
    selected: var[int] = var(-1)         # the inspected agent, shown reversed

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.archetype = np.empty(0, dtype=np.int16)
        self.reputation = np.empty(0)
        self.cells = np.empty(0, dtype=np.int64)     # agent id shown in each cell, row-major (-1: gap)
        self.cell_width = 1
        self.columns = 1
        self._layout_key: tuple = ()
        self._styles = [Style(color=f"rgb{reputation_rgb(v / 20)}") for v in range(21)]
        self._unknown = Style(color=UNKNOWN)

    def watch_runs(self, runs: Runs | None) -> None:
        if runs is not None:
            agents = runs.snapshot.agents
            self.archetype, self.reputation = agents["archetype"], agents["reputation"]
            self.mark_dirty()

    def watch_selected(self) -> None:
        self.mark_dirty()

    def _layout(self) -> None:
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

    def render_lines(self, crop: Region) -> list[Strip]:
        self._layout()          # first: a new layout changes the border's title, which this paint draws
        self.painted = True
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        cells = self.cells
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
            self.post_message(AgentPicked(int(self.cells[index])))


class MapLegend(Widget):
    """'● steady  ▲ casual  …   reputation: low █████ high  ● unknown': what the map's marks and colours
    mean, on one line if it fits, else on as few as it needs, each broken only between two entries (an
    archetype, or the colour key as a whole): never in the middle of one."""

    runs: var[Runs | None] = var(None)

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._names: tuple[str, ...] | None = None
        self.entries: list[str] = []

    def watch_runs(self, runs: Runs | None) -> None:
        names = runs.main.names if runs is not None else ()
        if names != self._names:
            self._names = names
            self.entries = map_legend(names)
            self.clear_cached_dimensions()
            self.refresh(layout=True)

    def render(self) -> Content:
        return Content.from_markup("\n".join(legend_rows(self.entries, self.size.width)))

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(legend_rows(self.entries, width)) if self.entries else 0


def map_legend(names: Sequence[str]) -> list[str]:
    """The map's legend entries (markup): one per archetype, then the colour key."""
    marks = [f"{glyph(k)} {name}" for k, name in enumerate(names)]
    scale = "".join(f"[rgb{reputation_rgb(v)}]█[/]" for v in (0.3, 0.45, 0.55, 0.65, 0.8))
    return [*marks, f" reputation: low {scale} high  [{UNKNOWN}]● unknown[/]"] if names else []


def legend_rows(entries: Sequence[str], width: int) -> list[str]:
    """``entries`` two spaces apart, on as few rows of ``width`` cells as they fit, a row broken only between
    two entries (an entry wider than a row gets a row of its own). Leading spaces of an entry widen the gap
    before it and are dropped at the start of a row."""
    rows: list[str] = []
    row, used = "", 0
    for entry in entries:
        bare = entry.lstrip(" ")
        length = Content.from_markup(bare).cell_length
        gap = 2 + len(entry) - len(bare)
        if row and used + gap + length > width:
            rows.append(row)
            row, used = "", 0
        row, used = (row + " " * gap + bare, used + gap + length) if row else (bare, length)
    return [*rows, row] if row else rows


class ArchetypeTable(DataTable):
    """Agents, reputation, followers and kept / broken commitments per archetype of run A, updated live.
    ``enter`` on a row picks that archetype's most followed member: the face others see."""

    COLUMNS = ("archetype", "agents", "rep.", "followers", "kept / broken, total")

    runs: var[Runs | None] = var(None)

    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.zebra_stripes = True
        for column in self.COLUMNS:
            self.add_column(column, key=column)

    def watch_runs(self) -> None:
        # updating cells costs a layout pass: a hidden table catches up when it is shown
        if self.display and self.region.area:
            self._fill()

    def on_show(self) -> None:
        self._fill()

    def _fill(self) -> None:
        """Update the rows in place (keeps the cursor); rebuilds them if the archetypes changed."""
        if self.runs is None:
            return
        names, archetypes = self.runs.snapshot.archetype_names, self.runs.snapshot.archetypes
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
        broken_text = compact(broken) + (f" ({share:.0%})" if share == share else "")
        return (f"{glyph(k)} {name}", f"{int(a['agents'][k]):,}",
                f"[{reputation_color(reputation)}]{reputation:.2f}[/]" if reputation == reputation else "n/a",
                f"{float(a['followers_mean'][k]):.1f}", f"{compact(kept)} / [{BROKEN}]{broken_text}[/]")

    @on(DataTable.RowSelected)
    def _pick_most_followed(self, event: DataTable.RowSelected) -> None:
        if self.runs is None:
            return
        agents = self.runs.snapshot.agents
        k = list(self.runs.snapshot.archetype_names).index(str(event.row_key.value))
        members = np.flatnonzero(agents["archetype"] == k)
        if len(members):
            self.post_message(AgentPicked(int(members[np.argmax(agents["followers"][members])])))


def compact(count: float) -> str:
    """1,234 or 61.8k or 2.1M: counts that keep a narrow column narrow."""
    if count >= 1e6:
        return f"{count / 1e6:.1f}M"
    if count >= 1e4:
        return f"{count / 1e3:.1f}k"
    return f"{int(count):,}"


class KeysFooter(Footer):
    """The footer of keys, each key tagged with its action (``-key-ACTION``) so the stylesheet can leave the
    less used ones (s, i) off a narrow screen, where they would push ? and q out of sight."""

    def compose(self) -> ComposeResult:
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                widget.add_class(f"-key-{widget.action}")
            yield widget


class TopBar(Widget):
    """The header: app, scenario, day, speed, running or paused. Textual's Header re-lays out the whole
    screen whenever its subtitle changes, which here is every simulated day; this one only repaints."""

    text: reactive[str] = reactive("", layout=False)

    def render(self) -> Content:
        return Content.from_markup(f"[b]trustsim[/b] — {self.text}")


class StatusLine(Widget):
    """The facts and the latest message, on as many lines (up to three) as they need, so a path or an event's
    name is never cut. It redraws without a layout pass (the facts change often) unless its height changes."""

    MAX_LINES = 3
    text: reactive[str] = reactive("", layout=False)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._lines = 1

    def lines(self, width: int) -> int:
        return max(1, min(self.MAX_LINES, len(Content.from_markup(self.text).wrap(max(1, width)))))

    def watch_text(self) -> None:
        lines = self.lines(self.content_region.width or self.app.size.width - 2)
        if lines != self._lines:
            self._lines = lines
            self.refresh(layout=True)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return self.lines(width)

    def render(self) -> Content:
        return Content.from_markup(self.text)
