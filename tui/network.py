"""The network drawn in the terminal: ties as braille lines shaded by trust, agents as their archetype's mark
coloured by their reputation (the colours of :mod:`sim.palette`).

:class:`NetworkView` shows either run A's fixed sample (the Network tab) or one agent's neighbourhood (the
inspector). Its ties are read on the simulation thread between two days, one read at a time, each time the
app hands the panes new runs while the view is on screen (never per simulated day); the nodes' colours come
from the runs themselves. Positions come from :class:`~tui.network_layout.Layout`, so a node stays put
while the set of nodes does.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from rich.segment import Segment
from rich.style import Style
from textual import events, on
from textual.color import Color
from textual.geometry import Region
from textual.message import Message
from textual.reactive import var
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Static

from sim.palette import UNKNOWN, archetype_mark, reputation_hex

from .messages import AgentPicked
from .network_layout import Layout, Raster, Ties, neighbourhood, rasterize, read_sample
from .track import Runs
from .widgets import Throttled

if TYPE_CHECKING:
    from sim import Simulation

TIE_STRENGTH = 0.6           # a tie's colour is its trust's colour, this much over the background
SHADES = 20                  # trust is drawn in this many shades


def tie_color(trust: float, background: Color) -> Color:
    """The colour of a tie of this trust: the reputation scale's colour, laid over the background."""
    return background.blend(Color.parse(reputation_hex(trust)), TIE_STRENGTH)


class NetworkView(Throttled, Widget):
    """Run A's network: its fixed sample, or (``neighbourhood=True``) the agent ``centre`` and its ties.
    Click a node to inspect that agent."""

    DEFAULT_CSS = """
    NetworkView {
        border: round $panel-lighten-2;
        border-title-color: $text-muted;
        border-subtitle-color: $text-muted;
        height: 1fr;
    }
    """

    min_interval = 0.3
    runs: var[Runs | None] = var(None)
    centre: var[int] = var(-1)           # the agent whose neighbourhood is drawn (neighbourhood mode)
    selected: var[int] = var(-1)         # the inspected agent, shown reversed
    ties: var[Ties | None] = var(None)   # the latest read

    @dataclass
    class Read(Message):
        """Run ``read`` on run A on the simulation thread; the app posts its answer (or ``Failed``) to ``view``."""

        view: NetworkView
        read: Callable[[Simulation], Message]

    @dataclass
    class Answer(Message):
        ties: Ties
        sim: weakref.ref

    @dataclass
    class Failed(Message):
        error: BaseException

    def __init__(self, *, neighbourhood: bool = False, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.neighbourhood = neighbourhood
        self.layout_ = Layout()
        self.xy = np.empty((0, 2))
        self.raster: Raster | None = None
        self._raster_key: tuple = ()
        self._asking = False
        self._sampled: weakref.ref | None = None     # the run the sample was chosen in
        self._sample: np.ndarray | None = None
        self._styles: dict[int, Style] = {}
        self._background: Color | None = None
        self.border_title = "Neighbourhood: pick an agent" if neighbourhood else "Network"

    # ------------------------------------------------------------------ reading the ties
    def watch_runs(self) -> None:
        self.mark_dirty()                # reputations changed
        self._ask()

    def watch_centre(self, centre: int) -> None:
        if self.neighbourhood:
            self.ties = None
            self._ask()

    def watch_selected(self) -> None:
        self.mark_dirty()

    def on_show(self) -> None:
        self._ask()

    def _ask(self) -> None:
        """Ask for the ties now, unless a read is under way, the view is hidden or there is nothing to read."""
        if self._asking or self.runs is None or not self.is_mounted or not self.region.area:
            return
        if self.neighbourhood:
            if self.centre < 0:
                return
            centre = self.centre

            def read(sim: Simulation) -> Message:
                return NetworkView.Answer(neighbourhood(sim, centre), weakref.ref(sim))
        else:
            sampled, sample = self._sampled, self._sample

            def read(sim: Simulation) -> Message:
                same_run = sampled is not None and sampled() is sim
                return NetworkView.Answer(read_sample(sim, sample if same_run else None), weakref.ref(sim))

        self._asking = True
        self.post_message(self.Read(self, read))

    @on(Answer)
    def _answered(self, answer: Answer) -> None:
        self._asking = False
        if self.neighbourhood and answer.ties.centre != self.centre:
            self._ask()                  # another agent was picked meanwhile
            return
        if not self.neighbourhood:
            self._sampled, self._sample = answer.sim, answer.ties.nodes
        self.ties = answer.ties

    @on(Failed)
    def _failed(self, failed: Failed) -> None:
        self._asking = False
        self.border_subtitle = f"could not read the ties: {failed.error}"

    def watch_ties(self, ties: Ties | None) -> None:
        self.xy = self.layout_.place(ties) if ties is not None else np.empty((0, 2))
        self.border_title = self._title(ties)
        self.border_subtitle = f"day {ties.day}" if ties is not None else ""
        self.mark_dirty()

    def _title(self, ties: Ties | None) -> str:
        if ties is None:
            return "Neighbourhood: pick an agent" if self.neighbourhood else "Network"
        count = f"{ties.count:,} ties"
        if self.neighbourhood:
            return f"Agent {ties.centre}'s neighbourhood: {len(ties.nodes) - 1:,} agents · {count}"
        if len(ties.nodes) == ties.population:
            return f"Network: all {ties.population:,} agents · {count}"
        return f"Network: a fixed sample of {len(ties.nodes):,} of {ties.population:,} agents · {count} among them"

    # ------------------------------------------------------------------ drawing
    def _node_state(self) -> tuple[np.ndarray, np.ndarray]:
        """(archetype, reputation) of each node, from the runs (unknown if they do not hold it yet)."""
        nodes = self.ties.nodes if self.ties is not None else np.empty(0, dtype=np.int64)
        archetype = np.full(len(nodes), -1)
        reputation = np.full(len(nodes), np.nan)
        if self.runs is not None and len(nodes):
            agents = self.runs.snapshot.agents
            known = nodes < len(agents.get("archetype", ()))
            archetype[known] = agents["archetype"][nodes[known]]
            held = nodes < len(agents.get("reputation", ()))
            reputation[held] = agents["reputation"][nodes[held]]
        return archetype, reputation

    def render_lines(self, crop: Region) -> list[Strip]:
        width, height = self.size
        ties = self.ties
        key = (width, height, id(ties))
        if key != self._raster_key:
            self._raster_key = key
            self.raster = (rasterize(self.xy, ties.source, ties.target, ties.trust, width, height)
                           if ties is not None else None)
        background = self.background_colors[1]
        if background != self._background:
            self._background = background
            self._styles = {shade: Style.from_color(tie_color(shade / SHADES, background).rich_color)
                            for shade in range(SHADES + 1)}
        self._nodes_by_row = self._place_nodes()
        self.painted = True
        return super().render_lines(crop)

    def _place_nodes(self) -> dict[int, list[tuple[int, str, Style]]]:
        """Per row: (column, mark, style) of each node on it."""
        rows: dict[int, list[tuple[int, str, Style]]] = {}
        if self.raster is None or self.ties is None:
            return rows
        archetype, reputation = self._node_state()
        for (x, y), agent, kind, value in zip(self.raster.cells.tolist(), self.ties.nodes.tolist(),
                                              archetype.tolist(), reputation.tolist(), strict=True):
            color = reputation_hex(value) if value == value else UNKNOWN
            style = Style(color=color, bold=True, reverse=agent in (self.selected, self.ties.centre))
            rows.setdefault(y, []).append((x, archetype_mark(kind) if kind >= 0 else "?", style))
        for marks in rows.values():
            marks.sort()
        return rows

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        raster = self.raster
        if raster is None or y >= raster.dots.shape[0]:
            return Strip.blank(width)
        dots, trust = raster.dots[y], raster.trust[y]
        shade = np.where(np.isnan(trust), 0, np.clip(np.rint(np.nan_to_num(trust) * SHADES), 0, SHADES)).astype(int)
        marks = dict((x, (mark, style)) for x, mark, style in self._nodes_by_row.get(y, []))
        segments: list[Segment] = []
        for x, (dot, level) in enumerate(zip(dots.tolist(), shade.tolist(), strict=True)):
            if x in marks:
                segments.append(Segment(*marks[x]))
            elif dot:
                segments.append(Segment(chr(0x2800 + dot), self._styles[level]))
            else:
                segments.append(Segment(" "))
        return Strip(Segment.simplify(segments), width)

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or self.raster is None or self.ties is None:
            return
        hit = np.flatnonzero((self.raster.cells[:, 0] == offset.x) & (self.raster.cells[:, 1] == offset.y))
        if len(hit):
            self.post_message(AgentPicked(int(self.ties.nodes[hit[0]])))


class NetworkLegend(Static):
    """What the network's marks, node colours and tie shades mean."""

    DEFAULT_CSS = """
    NetworkLegend {
        height: auto;
        padding: 0 1;
        color: $text-muted;
    }
    """

    runs: var[Runs | None] = var(None)

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._names: tuple[str, ...] | None = None

    def watch_runs(self, runs: Runs | None) -> None:
        names = runs.main.names if runs is not None else ()
        if names != self._names:
            self._names = names
            self.update(network_legend(names, self.background_colors[1]))


def network_legend(names: tuple[str, ...], background: Color) -> str:
    marks = "  ".join(f"{archetype_mark(k)} {name}" for k, name in enumerate(names))
    levels = (0.3, 0.45, 0.55, 0.65, 0.8)
    nodes = "".join(f"[{reputation_hex(v)}]■[/]" for v in levels)
    ties = "".join(f"[{tie_color(v, background).hex}]⠶⠶[/]" for v in levels)
    return f"{marks}   reputation low {nodes} high [{UNKNOWN}]■[/] unknown   ties: trust low {ties} high"
