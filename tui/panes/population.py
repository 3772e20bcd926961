"""The Population tab: the map of every agent (or a fixed sample) at full size, with the archetype table."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.reactive import var

from ..widgets import ArchetypeTable, MapLegend, PopulationMap
from .base import RunPane


class PopulationPane(RunPane):
    """Run A's population: one cell per agent, its archetype's mark coloured by its reputation."""

    inspected: var[int] = var(-1)        # marked on the map

    def __init__(self) -> None:
        super().__init__("Population", id="population")

    def compose(self) -> ComposeResult:
        yield PopulationMap(id="map-big").data_bind(PopulationPane.runs, selected=PopulationPane.inspected)
        yield MapLegend(id="map-legend-big", classes="legend").data_bind(PopulationPane.runs)
        yield ArchetypeTable(id="archetypes-big").data_bind(PopulationPane.runs)
