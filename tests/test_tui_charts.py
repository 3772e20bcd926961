"""The live charts as a presenter sees them, read from the rendered screen (Textual's SVG screenshot):
every series of every chart visible in its own colour, each legend in the colours of its lines, one
palette (:mod:`sim.palette`) everywhere, per-day commitments, scenario events marked and announced, and
charts that keep up with the header."""

from __future__ import annotations

import asyncio
import re

import pytest
from screens import colors_in, runs, text_in, until
from test_tui_snapshots import held_on_day, settled_screenshot
from textual.geometry import Region

from sim.palette import ARCHETYPE_COLORS, BROKEN, KEPT, MEASURE_COLORS
from tui.app import TrustApp
from tui.palette import EVENT
from tui.plots import TRUST_LINES
from tui.widgets import Chart, Throttled

SIZES = [(120, 40), (80, 24)]
RUN = {"simulation.agents": 300, "simulation.days": 60, "simulation.seed": 7}


def held(name: str, size: tuple[int, int], day: int, tab: str = "dashboard", **overrides) -> tuple[TrustApp, str, dict]:
    """A screenshot of ``tab`` with the run held on ``day``, and each visible chart's (content, border) regions."""

    async def scenario() -> tuple[TrustApp, str, dict]:
        app = TrustApp(name, {**RUN, **overrides}, play=False)
        async with app.run_test(size=size) as pilot:
            await held_on_day(pilot, app, day)
            app.query_one("#tabs").active = tab
            await pilot.pause(0.3)
            svg = await settled_screenshot(pilot, app)
            regions = {c.id: (c.content_region, c.region) for c in app.screen.query(Chart) if c.region.area}
            regions.update({w: (app.query_one(f"#{w}").region,) * 2 for w in ("feed", "status")})
            return app, svg, regions

    return asyncio.run(scenario())


def legend_colors(svg: str, border) -> dict[str, str]:
    """Each legend entry on a chart's bottom border: its words -> the colour of its swatch or mark."""
    row = [r for r in runs(svg) if r.row == border.bottom - 1 and border.x <= r.column < border.right]
    found, swatch = {}, None
    for run in row:
        words = run.text.strip(" ─╰╯")
        if words in ("━", "●", "▲", "■", "◆", "★", "✚", "▼", "♦", "•"):
            swatch = run.color
        elif swatch is not None and words:
            found[words.lstrip("━●▲■◆★✚▼♦• ").split("  ")[0]] = swatch
            swatch = None
    return found


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_trust_series_is_visible_in_its_legend_colour(size: tuple[int, int]) -> None:
    # baseline: mean, generalized and referral trust sit within a few hundredths of each other
    _, svg, regions = held("baseline", size, 30)
    content, border = regions["trust-chart"]
    drawn = colors_in(svg, content)
    for name, label in TRUST_LINES:
        color = MEASURE_COLORS[name].lower()
        assert color in drawn, f"{label} ({color}) is not drawn on the trust chart at {size}"
    legend = legend_colors(svg, border)
    assert legend == {label: MEASURE_COLORS[name].lower() for name, label in TRUST_LINES}
    # the scale is shown: each panel's own y range, to two decimals
    assert sum(text.count(".") for text in text_in(svg, content)) >= 2 * len(TRUST_LINES)


def test_small_charts_draw_every_line_in_the_colours_of_their_legends() -> None:
    _, svg, regions = held("broken_promises", (120, 40), 30)
    content, border = regions["commit-chart"]
    assert {KEPT.lower(), BROKEN.lower()} <= colors_in(svg, content)
    assert legend_colors(svg, border) == {"kept": KEPT.lower(), "broken": BROKEN.lower()}
    content, border = regions["arch-chart"]
    archetypes = [c.lower() for c in ARCHETYPE_COLORS[:3]]
    assert set(archetypes) <= colors_in(svg, content)
    # every archetype in the legend, in its line's colour (a narrow chart shows the marks alone)
    marks = [r for r in runs(svg) if r.row == border.bottom - 1 and border.x <= r.column < border.right
             and r.text.strip()[:1] in "●▲■"]
    assert [(m.text.strip()[0], m.color) for m in marks] == list(zip("●▲■", archetypes, strict=True))


def header_day(svg: str) -> int:
    top = "".join(r.text for r in runs(svg) if r.row == 0)
    return int(re.search(r"day (\d+)/", top).group(1))


def last_tick(svg: str, content) -> int:
    """The last day on a chart's x axis: the rightmost number on its bottom row."""
    bottom = text_in(svg, content.__class__(content.x, content.bottom - 1, content.width, 1))[0]
    return int(re.findall(r"\d+", bottom)[-1])


def test_the_charts_keep_up_with_the_header() -> None:
    """While playing, every screenshot's trust chart ends where the header's last redraw or the one before
    has it end (they are drawn from the same snapshot, and a chart's budget may skip one redraw, never
    two), however loaded the machine: counted in redraws, not in days, which a slow loop stretches."""

    async def scenario() -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
        app = TrustApp("baseline", {**RUN, "simulation.days": 200})
        redrawn: list[tuple[int, int]] = []      # after each redraw: the header's day, the chart's last day
        redraw = app._redraw

        def recorded(now: float) -> None:
            redraw(now)
            if app.runs is not None:
                shown = (app.day, int(app.runs.main.metrics["day"][-1]))
                if not redrawn or redrawn[-1] != shown:
                    redrawn.append(shown)

        app._redraw = recorded
        seen = []
        async with app.run_test(size=(120, 40)) as pilot:
            await until(pilot, lambda: app.day >= 12)
            chart = app.query_one("#trust-chart", Chart)
            for _ in range(12):
                await pilot.pause(0.37)
                svg = app.export_screenshot()
                seen.append(((header_day(svg), last_tick(svg, chart.content_region)), redrawn[-2:]))
        return seen, redrawn

    seen, redrawn = asyncio.run(scenario())
    assert seen[-1][0][0] >= 40                      # it played
    assert len(redrawn) >= 8                         # ... through many redraws
    # (a chart reads its run's series as it paints, and they may have grown a day or so past its redraw)
    behind = [shown for shown, last_two in seen
              if shown[0] != last_two[-1][0] or not last_two[0][1] <= shown[1] <= last_two[-1][1]]
    assert not behind, f"a chart more than one redraw behind the header: {behind} in {seen}; redraws {redrawn}"


def test_a_chart_whose_budget_has_not_run_out_misses_one_redraw_never_two() -> None:
    """On a loaded machine a paint lands late and its budget counts from then: the chart missed two redraws
    in a row and ran two behind the header. Its budget may skip one; at the next it draws."""

    class Widget(Throttled):
        display, region = True, Region(0, 0, 10, 5)
        refreshed = 0

        def refresh(self) -> None:
            self.refreshed += 1

    widget = Widget()
    widget.next_draw = 100.0                         # a budget far from spent
    widget.maybe_refresh(1.0)
    assert widget.refreshed == 0                     # this redraw is missed
    widget.maybe_refresh(1.5)
    assert widget.refreshed == 1                     # ... but not the next
    widget.next_draw = 100.0
    widget.mark_dirty()
    widget.maybe_refresh(2.0)
    assert widget.refreshed == 1                     # and the budget counts again after a draw
    widget.maybe_refresh(2.5)
    assert widget.refreshed == 2
    widget.maybe_refresh(3.0)
    assert widget.refreshed == 2                     # nothing changed: nothing to draw


def test_a_reform_is_marked_on_every_time_chart_and_announced_in_its_own_words() -> None:
    # repentance: day 60, "the enthusiasts overcommit"
    app, svg, regions = held("repentance", (120, 40), 60, **{"simulation.days": 200})
    for chart in ("trust-chart", "commit-chart", "arch-chart"):
        content, _ = regions[chart]
        assert EVENT.lower() in colors_in(svg, content), f"no event line on {chart}"
        # its name whole where it fits, else its kind: never a name cut short
        rows = text_in(svg, content)
        assert any("the enthusiasts overcommit" in row or "reform" in row for row in rows), \
            f"the line on {chart} has no name"
        assert not any("…" in row for row in rows), f"a name cut short on {chart}"
    feed = regions["feed"][0]
    assert any("day 60 · the enthusiasts overcommit" in row for row in text_in(svg, feed))
    assert "day 60 · the enthusiasts overcommit" in text_in(svg, regions["status"][0])[0]


def test_a_campaign_is_marked_where_it_begins_and_announced_on_the_status_line() -> None:
    # indiscriminate_vouching: from day 30, "the platform pushes 'would you recommend this person?'"; a line
    # where it begins (no shaded texture over the lines), named whole or by its kind, never cut short
    app, svg, regions = held("indiscriminate_vouching", (120, 40), 34)
    for chart in ("trust-chart", "commit-chart", "arch-chart"):
        content, _ = regions[chart]
        assert EVENT.lower() in colors_in(svg, content), f"no campaign line on {chart}"
        rows = text_in(svg, content)
        assert any("campaign" in row or "would you recommend this person?'" in row for row in rows)
        assert not any("…" in row or "░" in row for row in rows), f"a cut name or a texture on {chart}"
    status = regions["status"][0]
    assert "day 30 · the platform pushes 'would you recommend this person?'" in text_in(svg, status)[0]
