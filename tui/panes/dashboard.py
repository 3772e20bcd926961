"""The Dashboard tab: everything at a glance.

Trust in the network over time, commitments kept and broken per day, reputation per archetype, the
population map, the archetype table and the feed. On a narrow or short screen only the trust chart, the
table and the feed stay (app.tcss hides the ``secondary`` panes, which have tabs of their own).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.reactive import var

from ..feed import Feed
from ..plots import run_charts
from ..widgets import ArchetypeTable, MapLegend, PopulationMap
from .base import RunPane


class DashboardPane(RunPane):
    """Run A's charts, map, archetype table and feed."""

    inspected: var[int] = var(-1)        # marked on the map

    def __init__(self) -> None:
        super().__init__("Dashboard", id="dashboard")

    def compose(self) -> ComposeResult:
        trust, commitments, archetypes = (chart.data_bind(data=DashboardPane.runs)
                                          for chart in run_charts(""))
        with Horizontal(id="top"):
            with Vertical(id="dashboard-charts"):
                yield trust
                with Horizontal(id="small-charts", classes="secondary"):
                    yield commitments
                    yield archetypes
            with Vertical(id="side"):
                yield PopulationMap(id="map", classes="secondary").data_bind(
                    DashboardPane.runs, selected=DashboardPane.inspected)
                yield MapLegend(id="map-legend", classes="legend secondary").data_bind(DashboardPane.runs)
                yield ArchetypeTable(id="archetypes").data_bind(DashboardPane.runs)
        yield Feed(id="feed").data_bind(DashboardPane.runs)
