"""The network in the terminal: the sample, the layout, the braille ties, and the Network tab and the
inspector's neighbourhood as they appear on a rendered screen (Textual's SVG screenshot)."""

from __future__ import annotations

import asyncio
import html
import re

import numpy as np
import pytest
from screens import drawn as all_drawn
from screens import until

from sim import Simulation, load_scenario
from sim.palette import archetype_mark, reputation_hex
from tui.app import TrustApp
from tui.messages import AgentPicked
from tui.network import NetworkView
from tui.network_layout import (
    BRAILLE_BITS,
    SAMPLE_SIZE,
    Layout,
    Ties,
    neighbourhood,
    rasterize,
    read_sample,
    snowball,
)

RUN = {"simulation.agents": 300, "simulation.days": 60, "simulation.seed": 7}


@pytest.fixture(scope="module")
def big_run() -> Simulation:
    sim = Simulation(load_scenario("broken_promises", {"simulation.agents": 2000, "simulation.days": 30}))
    sim.advance(10)
    return sim


# ---------------------------------------------------------------------- sample, layout, raster
def test_the_sample_is_fixed_connected_and_all_of_a_small_run(big_run) -> None:
    sample = snowball(big_run)
    assert len(sample) == SAMPLE_SIZE == len(np.unique(sample)) and np.all(np.diff(sample) > 0)
    np.testing.assert_array_equal(sample, snowball(big_run))        # the same sample every time it is asked
    ties = read_sample(big_run, sample)
    assert ties.count >= SAMPLE_SIZE - 1                            # a snowball: its ties hold it together
    assert np.isin(ties.nodes[ties.source], sample).all()
    small = Simulation(load_scenario("broken_promises", {"simulation.agents": 40, "simulation.days": 5}))
    np.testing.assert_array_equal(snowball(small), np.arange(40))


def test_a_neighbourhood_is_the_agent_and_those_it_has_ties_with(big_run) -> None:
    ties = neighbourhood(big_run, 17)
    mine = big_run.ties_of([17])
    expected = np.union1d(np.union1d(mine["source"], mine["target"]), [17])
    np.testing.assert_array_equal(ties.nodes, expected)
    assert ties.centre == 17
    assert len(neighbourhood(big_run, 17, limit=3).nodes) == min(4, len(expected))


@pytest.fixture
def spring_layouts(monkeypatch) -> list[int]:
    """One entry per spring layout networkx computes (the costly step the layout avoids repeating)."""
    import networkx

    calls: list[int] = []
    original = networkx.spring_layout

    def counted(graph, *args, **kwargs):
        calls.append(graph.number_of_nodes())
        return original(graph, *args, **kwargs)

    monkeypatch.setattr(networkx, "spring_layout", counted)
    return calls


def test_the_layout_holds_while_the_nodes_do_and_keeps_the_placed_ones(big_run, spring_layouts) -> None:
    layout = Layout()
    ties = read_sample(big_run, snowball(big_run))
    first = layout.place(ties).copy()
    assert first.shape == (SAMPLE_SIZE, 2) and (first >= 0).all() and (first <= 1).all()
    fewer = Ties(ties.nodes, ties.source[::2], ties.target[::2], ties.trust[::2], ties.day + 1, ties.population)
    np.testing.assert_array_equal(layout.place(fewer), first)        # ties changed, nodes did not: same picture
    assert len(spring_layouts) == 1
    grown = np.union1d(ties.nodes, [ties.nodes.max() + 1, ties.nodes.max() + 2])
    where = np.searchsorted(grown, ties.nodes)
    more = Ties(grown, where[ties.source], where[ties.target], ties.trust, ties.day, ties.population)
    again = layout.place(more)
    np.testing.assert_array_equal(again[where], first)               # the nodes already placed stay put
    assert len(spring_layouts) == 2
    np.testing.assert_allclose(Layout().place(ties), first)          # seeded: the same on every run


def test_a_tie_is_a_braille_line_between_its_nodes_cells() -> None:
    xy = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    raster = rasterize(xy, np.array([0]), np.array([1]), np.array([0.9]), 10, 4)
    assert raster.cells.tolist() == [[0, 0], [9, 0], [0, 3]]
    assert (raster.dots[0, 1:9] == BRAILLE_BITS[2].sum()).all()      # a row of dots through the middle
    assert raster.dots[1:].sum() == 0 and np.allclose(raster.trust[0, 1:9], 0.9)
    crowded = rasterize(np.full((3, 2), 0.5), np.empty(0, int), np.empty(0, int), np.empty(0), 10, 4)
    assert len({tuple(c) for c in crowded.cells.tolist()}) == 3       # nodes on one spot get cells of their own


# ---------------------------------------------------------------------- on screen


async def step_to(pilot, app: TrustApp, day: int) -> None:
    await until(pilot, lambda: app.runs is not None)
    for next_day in range(app.runs.snapshot.day + 1, day + 1):
        await pilot.press("n")
        await until(pilot, lambda d=next_day: app.runs.snapshot.day == d)


async def drawn(pilot, app: TrustApp, view: NetworkView, day: int) -> str:
    """The screenshot once ``view`` shows the ties of ``day`` and everything on screen has drawn."""
    await until(pilot, lambda: view.ties is not None and view.ties.day == day)
    await until(pilot, lambda: all_drawn(app))
    await pilot.pause(0.2)
    return app.export_screenshot()


def text_runs(svg: str) -> list[tuple[str, str]]:
    """(fill colour, text) of each run of text in a Textual SVG screenshot."""
    fills = dict(re.findall(r"\.(terminal-\d+-r\d+) \{ fill: (#[0-9a-f]+)", svg))
    runs = re.findall(r'<text class="([^"]+)"[^>]*>([^<]*)</text>', svg)
    return [(fills.get(cls.split()[0], ""), html.unescape(text).replace("\xa0", " ")) for cls, text in runs]


def check_nodes_drawn(svg: str, view: NetworkView) -> None:
    """Each node's archetype mark is on screen in its reputation's colour; ties show as braille."""
    agents = view.runs.snapshot.agents
    runs = text_runs(svg)
    for agent in view.ties.nodes.tolist():
        mark = archetype_mark(int(agents["archetype"][agent]))
        reputation = float(agents["reputation"][agent])
        reversed_ = agent in (view.selected, view.ties.centre)         # its colour is the cell's background
        colour = reputation_hex(reputation) if reputation == reputation and not reversed_ else None
        assert any(mark in text and (colour is None or fill == colour) for fill, text in runs), \
            f"agent {agent}: no {mark} in {colour}"
    assert sum(1 for _, text in runs for ch in text if 0x2800 < ord(ch) <= 0x28FF) > 50


@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_network_tab_draws_the_sample_and_holds_its_layout(size: tuple[int, int], spring_layouts) -> None:
    async def scenario() -> None:
        app = TrustApp("broken_promises", dict(RUN), play=False)
        async with app.run_test(size=size) as pilot:
            await step_to(pilot, app, 8)
            await pilot.press("7")
            view = app.query_one("#network-view", NetworkView)
            svg = await drawn(pilot, app, view, 8)
            assert "Network: a fixed sample of 60 of 300 agents" in html.unescape(svg).replace("\xa0", " ")
            check_nodes_drawn(svg, view)
            nodes, xy, cells = view.ties.nodes, view.xy.copy(), view.raster.cells.copy()
            legend = "".join(text for _, text in text_runs(svg))
            assert all(f"{archetype_mark(k)} {name}" in legend for k, name in enumerate(app.runs.main.names))
            await step_to(pilot, app, 9)                  # the next frame: new ties read, the same sample
            await drawn(pilot, app, view, 9)
            np.testing.assert_array_equal(view.ties.nodes, nodes)
            np.testing.assert_array_equal(view.xy, xy)
            np.testing.assert_array_equal(view.raster.cells, cells)
            assert len(spring_layouts) == 1

    asyncio.run(scenario())


def test_the_inspector_draws_the_agents_neighbourhood() -> None:
    async def scenario() -> None:
        app = TrustApp("broken_promises", dict(RUN), play=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await step_to(pilot, app, 10)
            app.post_message(AgentPicked(17))
            view = app.query_one("#agent-network", NetworkView)
            svg = await drawn(pilot, app, view, 10)
            assert view.ties.centre == 17 and 17 in view.ties.nodes.tolist() and len(view.ties.nodes) > 1
            assert "Agent 17's neighbourhood" in html.unescape(svg).replace("\xa0", " ")
            check_nodes_drawn(svg, view)
            app.post_message(AgentPicked(18))
            await until(pilot, lambda: view.ties is not None and view.ties.centre == 18)

    asyncio.run(scenario())


def test_network_reads_wait_while_the_tab_is_hidden() -> None:
    async def scenario() -> None:
        app = TrustApp("broken_promises", dict(RUN), play=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await step_to(pilot, app, 3)
            await pilot.pause(0.5)
            assert app.query_one("#network-view", NetworkView).ties is None      # never shown: never read

    asyncio.run(scenario())
