"""Reading a rendered dashboard: Textual's SVG screenshot as cells of text with their colours.

The tests of what a person sees (every line of a chart visible, legends matching lines, events marked)
read the picture itself, not the widgets' state: ``export_screenshot()`` draws exactly what the terminal
shows, colours included.
"""

from __future__ import annotations

import html
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from textual.geometry import Region

from tui.widgets import Throttled

CELL_WIDTH, LINE_HEIGHT, FIRST_BASELINE = 12.2, 24.4, 20.0      # Rich's SVG export at its default font size


@dataclass(frozen=True)
class Run:
    """One run of same-styled text on the screen: where it starts (cells), its text and colour."""

    row: int
    column: int
    text: str
    color: str          # "#rrggbb", lower case

    def cells(self) -> range:
        return range(self.column, self.column + len(self.text))


def runs(svg: str) -> list[Run]:
    fills = dict(re.findall(r"\.(terminal-\d+-r\d+) \{ fill: (#[0-9a-fA-F]+)", svg))
    found = re.findall(r'<text class="([^"]+)" x="([\d.]+)" y="([\d.]+)"[^>]*>([^<]*)</text>', svg)
    return [Run(round((float(y) - FIRST_BASELINE) / LINE_HEIGHT), round(float(x) / CELL_WIDTH),
                html.unescape(text).replace("\xa0", " "), fills.get(cls, "").lower())
            for cls, x, y, text in found]


def colors_in(svg: str, region: Region) -> set[str]:
    """The colours of every visible (non-blank) character inside ``region`` (screen cells)."""
    found = set()
    for run in runs(svg):
        if region.y <= run.row < region.bottom and run.text.strip():
            for offset, char in enumerate(run.text):
                if char.strip() and region.x <= run.column + offset < region.right:
                    found.add(run.color)
                    break
    return found


def text_in(svg: str, region: Region) -> list[str]:
    """The text of each row of ``region``, as the screen shows it."""
    rows = [[" "] * region.width for _ in range(region.height)]
    for run in runs(svg):
        if region.y <= run.row < region.bottom:
            for offset, char in enumerate(run.text):
                column = run.column + offset - region.x
                if 0 <= column < region.width:
                    rows[run.row - region.y][column] = char
    return ["".join(row) for row in rows]


def drawn(app) -> bool:
    """Every chart and map on screen shows its latest data: none has news to draw, and each has painted
    since its last refresh."""
    return all(not w.dirty and w.painted for w in app.screen.query("*") if isinstance(w, Throttled) and w.region.area)


async def until(pilot, predicate: Callable[[], bool], timeout: float = 20.0) -> None:
    """Let the app run until ``predicate()`` holds (fails the test after ``timeout`` seconds)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the dashboard")
        await pilot.pause(0.05)
