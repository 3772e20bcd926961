"""Each pane as it appears: read from the rendered screen (Textual's SVG screenshot), not the widgets' state.

A tab not shown while the run moved on (it finished, was paused, or was restarted with ``r``) must show the
current run's current frame the moment it appears, not an empty table or the previous run.
"""

from __future__ import annotations

import asyncio

import pytest
from rich.text import Text
from screens import text_in, until
from textual.widgets import Input

from sim import Snapshot
from tui.app import TrustApp
from tui.panes import FieldRow, ScenarioPane
from tui.panes.agent import DISTRUST_BELOW
from tui.runner import SPEEDS
from tui.widgets import ArchetypeTable, legend_rows, map_legend

SIZE = (120, 40)
SHORT_RUN = {"simulation.agents": 300, "simulation.days": 20}


def table_rows(app: TrustApp, selector: str) -> list[str]:
    """The archetype table's rows as the screen shows them (words single-spaced), without its header."""
    table = app.query_one(selector, ArchetypeTable)
    assert table.region.area, f"{selector} is not on screen"
    lines = text_in(app.export_screenshot(), table.content_region)
    return [" ".join(line.split()) for line in lines[1:] if line.strip()]


def expected_rows(snapshot: Snapshot) -> list[str]:
    """What the table must show for ``snapshot``: one row per archetype, in words."""
    return [" ".join(" ".join(Text.from_markup(cell).plain for cell in
                              ArchetypeTable._cells(k, name, snapshot.archetypes)).split())
            for k, name in enumerate(snapshot.archetype_names)]


@pytest.mark.parametrize("held", ["finished", "paused"])
@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_a_tab_first_shown_after_the_run_stopped_shows_its_last_frame(held: str, size: tuple[int, int]) -> None:
    async def scenario() -> None:
        app = TrustApp("broken_promises", dict(SHORT_RUN), play=True)
        async with app.run_test(size=size) as pilot:
            if held == "finished":
                await until(pilot, lambda: app.finished)
            else:
                await until(pilot, lambda: app.day >= 5)
                await pilot.press("space")
                await pilot.pause(0.5)          # the frame of the day it paused on arrives
            assert app.query_one("#tabs").active == "dashboard"
            await pilot.press("2")              # the Population tab, never shown before
            await pilot.pause(0.1)
            last = app.received.snapshot
            assert last is not None and last.day == app.day
            assert table_rows(app, "#archetypes-big") == expected_rows(last)

    asyncio.run(scenario())


def test_the_dashboard_shows_the_new_run_after_a_restart_on_another_tab() -> None:
    async def scenario() -> None:
        app = TrustApp("broken_promises", dict(SHORT_RUN), play=True)
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: app.finished)
            old = app.received.snapshot
            await pilot.press("2")
            for _ in range(len(SPEEDS)):
                await pilot.press("minus")      # the slowest speed: the new run holds its first days
            assert SPEEDS[app.speed] == 0.5
            generation = app.received.generation
            await pilot.press("r")
            await until(pilot, lambda: app.received.generation == generation + 1)   # the new run's first frame
            new = app.received.snapshot
            await pilot.press("1")              # read at once: the next redraw would hide a stale table
            await until(pilot, lambda: app.query_one("#archetypes").region.area > 0)
            assert new is not None and new is not old and app.received.snapshot is new
            shown = table_rows(app, "#archetypes")
            assert shown == expected_rows(new), f"day {new.day} of the new run; the old run's day 20 was " \
                                                f"{expected_rows(old)}"

    asyncio.run(scenario())


# ---------------------------------------------------------------- the map's legend
def plain(markup: str) -> str:
    return Text.from_markup(markup).plain


@pytest.mark.parametrize("width", range(8, 121))
def test_the_map_legend_breaks_only_between_entries(width: int) -> None:
    entries = [plain(e) for e in map_legend(("careful", "nice", "casual", "flaky"))]
    rows = [plain(r) for r in legend_rows(map_legend(("careful", "nice", "casual", "flaky")), width)]
    for entry in entries:
        assert sum(entry.strip() in row for row in rows) == 1, f"{entry!r} not whole on one row of {rows}"
    assert all(len(row) <= width or row.strip() in (e.strip() for e in entries) for row in rows)
    if sum(len(e) + 2 for e in entries) + 1 <= width:
        assert len(rows) == 1


@pytest.mark.parametrize("name", ["broken_promises", "integrity"])
@pytest.mark.parametrize(("size", "tab", "legend", "most_rows"),
                         [((120, 40), "dashboard", "#map-legend", 2), ((120, 40), "population", "#map-legend-big", 1),
                          ((80, 24), "population", "#map-legend-big", 1)],
                         ids=["120x40-dashboard", "120x40-population", "80x24-population"])
def test_the_map_legend_on_screen_keeps_each_entry_whole(name: str, size: tuple[int, int], tab: str, legend: str,
                                                          most_rows: int) -> None:
    async def scenario() -> tuple[list[str], list[str]]:
        app = TrustApp(name, dict(SHORT_RUN), play=False)
        async with app.run_test(size=size) as pilot:
            await until(pilot, lambda: app.runs is not None)
            app.query_one("#tabs").active = tab
            await pilot.pause(0.3)
            widget = app.query_one(legend)
            rows = [row for row in text_in(app.export_screenshot(), widget.content_region) if row.strip()]
            return rows, [plain(e).strip() for e in map_legend(app.runs.main.names)]

    rows, entries = asyncio.run(scenario())
    assert 1 <= len(rows) <= most_rows, rows
    for entry in entries:
        assert any(entry in row for row in rows), f"{entry!r} is broken across rows: {rows}"


# ---------------------------------------------------------------- the inspector
@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_agent_field_shows_its_whole_hint(size: tuple[int, int]) -> None:
    async def scenario() -> None:
        app = TrustApp("broken_promises", dict(SHORT_RUN), play=False)
        async with app.run_test(size=size) as pilot:
            await pilot.press("4")
            await pilot.pause(0.2)
            field = app.query_one("#agent-input", Input)
            shown = text_in(app.export_screenshot(), field.region)
            assert any(field.placeholder in row for row in shown), shown

    asyncio.run(scenario())


def test_trusted_by_counts_only_those_not_listed_as_distrusting() -> None:
    async def scenario() -> None:
        app = TrustApp("broken_promises", {**SHORT_RUN, "simulation.seed": 7}, play=False)
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: app.runs is not None)
            app.runner.step(10)
            await until(pilot, lambda: app.day == 10)
            info = await asyncio.wrap_future(app.runner.submit(lambda: app.runner.main.agent(17)))
            await pilot.press("i", "1", "7", "enter")
            await until(pilot, lambda: "Trusted by" in str(app.query_one("#agent-relations").render()))
            relations = app.query_one("#agent-relations")
            shown = " ".join(" ".join(text_in(app.export_screenshot(), relations.content_region)).split())
            _, trust = info["trusted_by"]
            trusting, distrusting = int((trust >= DISTRUST_BELOW).sum()), int((trust < DISTRUST_BELOW).sum())
            assert distrusting, "agent 17 should have someone who distrusts it on day 10 (seed 7)"
            assert f"Trusted by {trusting} agent" in shown, shown
            assert f"Distrusted by {distrusting} agent" in shown, shown

    asyncio.run(scenario())


# ---------------------------------------------------------------- the Scenario tab
def field_rows(app: TrustApp) -> dict[str, int]:
    """Each field's input: the screen row it is drawn on."""
    return {row.key: row.query_one(Input).region.y for row in app.query(FieldRow)}


@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_an_error_on_the_scenario_tab_moves_no_field(size: tuple[int, int]) -> None:
    async def scenario() -> None:
        app = TrustApp("broken_promises", dict(SHORT_RUN), play=False)
        async with app.run_test(size=size) as pilot:
            await pilot.press("5")
            await pilot.pause(0.2)
            agents = next(r for r in app.query(FieldRow) if r.key == "simulation.agents")
            agents.scroll_visible(top=True, animate=False)          # at 80x24 the fields are below the fold
            await pilot.pause(0.2)
            before = field_rows(app)
            pane = app.query_one(ScenarioPane).region
            assert pane.y <= before["simulation.agents"] < pane.bottom - 2, before
            agents.query_one(Input).value = "1"
            app.query_one(ScenarioPane).apply()
            await pilot.pause(0.3)
            assert agents.query_one(".field-error").display
            assert field_rows(app) == before                        # nothing moved under the mouse
            box = agents.query_one(Input).region
            under = text_in(app.export_screenshot(), box._replace(y=box.y + 1, height=1))[0]
            assert "must be at least 2, got 1" in under              # shown on the row kept under its field
            agents.query_one(Input).value = "150"
            app.query_one(ScenarioPane).apply()                     # and gone again: still nothing moves
            await until(pilot, lambda: app.status.startswith("Started broken_promises with 150 agents"))
            assert not agents.query_one(".field-error").display
            assert field_rows(app) == before

    asyncio.run(scenario())


def hint_line(app: TrustApp) -> str:
    pane = app.query_one(ScenarioPane)
    return text_in(app.export_screenshot(), pane.region._replace(y=pane.region.bottom - 1, height=1))[0].strip()


def test_at_80x24_the_scenario_tab_says_its_fields_are_below_and_scrolls_to_them() -> None:
    async def scenario() -> None:
        app = TrustApp("broken_promises", dict(SHORT_RUN), play=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("5")
            await pilot.pause(0.3)
            apply = app.query_one("#apply")
            assert apply.region.bottom > app.query_one(ScenarioPane).region.bottom or not apply.region.area
            assert hint_line(app).startswith("▼ more below")
            await pilot.press("tab", "tab", "tab")                  # past the tabs and the list, into a field
            await pilot.pause(0.3)
            assert isinstance(app.focused, Input) and app.focused.region.area
            app.query_one("#scenario-body").scroll_end(animate=False)
            await pilot.pause(0.3)
            assert hint_line(app).startswith("▲ more above")
            # on screen now (a click off it would fail); the status line it fills may take a second line
            # at 80 columns, and the hint follows what that leaves in sight
            await pilot.click("#apply")

    asyncio.run(scenario())


def test_at_120x40_the_whole_scenario_tab_shows_with_no_hint() -> None:
    async def scenario() -> None:
        app = TrustApp("integrity", dict(SHORT_RUN), play=False)            # four archetypes: nine fields
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("5")
            await pilot.pause(0.3)
            pane = app.query_one(ScenarioPane).region
            apply = app.query_one("#apply").region
            assert apply.area and apply.bottom <= pane.bottom
            assert not app.query_one("#scroll-hint").display

    asyncio.run(scenario())
