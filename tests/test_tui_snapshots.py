"""The dashboard's layout, pinned: SVG screenshots at 80×24 and 120×40 compared with stored files.

Each picture is a fixed run (broken_promises, 300 agents, seed 7) stepped one day at a time to day 30 and
held there, so it is the same on every machine and every run: the feed tells the full budget for each step
(the run is paused), and the test waits until the frame of day 30 has reached the panes and every visible
chart and map has drawn it, then until two screenshots in a row agree.

To regenerate the stored pictures after a deliberate change to the layout, run

    TRUSTSIM_UPDATE_SNAPSHOTS=1 python -m pytest tests/test_tui_snapshots.py

then look at them (drawn by Chromium: ``chromium --headless --screenshot=X.png file://$PWD/tests/snapshots/X.svg``;
rsvg-convert misdraws them) before committing them. A
failing test leaves the picture it took in pytest's temporary folder and names it in the message.
"""

from __future__ import annotations

import asyncio
import difflib
import html
import os
import re
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from screens import drawn, until

from tui.app import TrustApp

SNAPSHOTS = Path(__file__).with_name("snapshots")
UPDATE = os.environ.get("TRUSTSIM_UPDATE_SNAPSHOTS") == "1"
RUN = {"simulation.agents": 300, "simulation.days": 60, "simulation.seed": 7}
DAY = 30
SIZES = [(80, 24), (120, 40)]




async def held_on_day(pilot, app: TrustApp, day: int) -> None:
    """Step to ``day`` one day at a time, each day's frame handed to the panes before the next step."""
    await until(pilot, lambda: app.runs is not None)
    for next_day in range(1, day + 1):
        await pilot.press("n")
        await until(pilot, lambda d=next_day: app.runs.snapshot.day == d)


async def settled_screenshot(pilot, app: TrustApp) -> str:
    """The screen once every pane has drawn the held day and two screenshots in a row agree."""
    await until(pilot, lambda: drawn(app))
    await pilot.wait_for_scheduled_animations()
    previous = ""
    for _ in range(20):
        await pilot.pause(0.2)
        svg = app.export_screenshot()
        if svg == previous:
            return svg
        previous = svg
    raise AssertionError("the screen did not settle")


def screen_text(svg: str) -> list[str]:
    """The SVG's text runs with their colours, one per line: a readable diff when a picture changes."""
    fills = dict(re.findall(r"\.(terminal-\d+-r\d+) \{ fill: (#[0-9a-f]+)", svg))
    runs = re.findall(r'<text class="([^"]+)" x="([\d.]+)" y="([\d.]+)"[^>]*>([^<]*)</text>', svg)
    return [f"y={y} x={x} {fills.get(cls, '')} {html.unescape(text)}" for cls, x, y, text in runs]


def check(svg: str, name: str, tmp_path: Path) -> None:
    stored = SNAPSHOTS / name
    if UPDATE or not stored.exists():
        if not UPDATE:
            pytest.fail(f"no stored picture {stored}; make it with TRUSTSIM_UPDATE_SNAPSHOTS=1")
        SNAPSHOTS.mkdir(exist_ok=True)
        stored.write_text(svg, encoding="utf-8")
        return
    expected = stored.read_text(encoding="utf-8")
    if svg != expected:
        taken = tmp_path / name
        taken.write_text(svg, encoding="utf-8")
        diff = "\n".join(list(difflib.unified_diff(screen_text(expected), screen_text(svg), "stored", "taken",
                                                   lineterm="", n=0))[:40])
        pytest.fail(f"{name} changed; the new picture is {taken}. If the change is meant, regenerate with "
                    f"TRUSTSIM_UPDATE_SNAPSHOTS=1.\n{diff}")


def snapshot(size: tuple[int, int], show: Callable[[object, TrustApp], Awaitable[None]]) -> str:
    async def scenario() -> str:
        app = TrustApp("broken_promises", dict(RUN), play=False)
        async with app.run_test(size=size) as pilot:
            await held_on_day(pilot, app, DAY)
            await show(pilot, app)
            return await settled_screenshot(pilot, app)

    return asyncio.run(scenario())


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_dashboard_layout(size: tuple[int, int], tmp_path: Path) -> None:
    async def dashboard(pilot, app: TrustApp) -> None:
        assert app.query_one("#tabs").active == "dashboard"

    check(snapshot(size, dashboard), f"dashboard-{size[0]}x{size[1]}.svg", tmp_path)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_agent_layout(size: tuple[int, int], tmp_path: Path) -> None:
    async def agent_17(pilot, app: TrustApp) -> None:
        await pilot.press("i", "1", "7", "enter")
        await until(pilot, lambda: "agent 17" in str(app.query_one("#agent-info").render()))

    check(snapshot(size, agent_17), f"agent-{size[0]}x{size[1]}.svg", tmp_path)
