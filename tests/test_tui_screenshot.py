"""The screenshot key: the screen saved as SVG, to a path the user is shown, never over an earlier file."""

from __future__ import annotations

import asyncio
import time
import xml.etree.ElementTree as ET
from pathlib import Path

from tui.app import TrustApp
from tui.screenshot import picture_name, save_svg


def test_save_svg_never_replaces_a_file(tmp_path: Path) -> None:
    stem = picture_name("broken promises", 7, 30, "network")
    assert stem == "broken_promises-seed7-day30-network"
    first = save_svg("<svg>1</svg>", tmp_path / "new", stem)
    second = save_svg("<svg>2</svg>", tmp_path / "new", stem)
    assert first.name == f"{stem}.svg" and second.name == f"{stem}-2.svg"
    assert first.read_text() == "<svg>1</svg>" and second.read_text() == "<svg>2</svg>"


def test_the_s_key_saves_the_screen_and_says_where(tmp_path: Path) -> None:
    earlier = tmp_path / "broken_promises-seed7-day2-dashboard.svg"
    earlier.write_text("an earlier picture")

    async def scenario() -> None:
        app = TrustApp("broken_promises", {"simulation.agents": 200, "simulation.days": 30,
                                           "simulation.seed": 7}, play=False, export_dir=tmp_path)
        async with app.run_test(size=(120, 40)) as pilot:
            for day in (1, 2):
                await pilot.press("n")
                deadline = time.monotonic() + 10
                while app.runs is None or app.runs.snapshot.day != day:
                    assert time.monotonic() < deadline
                    await pilot.pause(0.05)
            await pilot.press("s")
            await pilot.press("s")
            saved = sorted(tmp_path.glob("*.svg"))
            assert [p.name for p in saved] == ["broken_promises-seed7-day2-dashboard-2.svg",
                                               "broken_promises-seed7-day2-dashboard-3.svg",
                                               "broken_promises-seed7-day2-dashboard.svg"]
            assert earlier.read_text() == "an earlier picture"
            assert str(saved[1]) in app.status
            root = ET.fromstring(saved[0].read_text())
            assert root.tag.endswith("svg")
            text = "".join(root.itertext()).replace("\xa0", " ")
            assert "day 2/30" in text and "Dashboard" in text

    asyncio.run(scenario())
