"""The Network tab: run A's ties drawn as links among a fixed sample of its agents (all of them in a small run)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.reactive import var

from ..network import NetworkLegend, NetworkView
from .base import RunPane


class NetworkPane(RunPane):
    """The sample's ties as lines shaded by trust; each agent its archetype's mark, coloured by reputation."""

    inspected: var[int] = var(-1)        # shown reversed

    def __init__(self) -> None:
        super().__init__("Network", id="network")

    def compose(self) -> ComposeResult:
        yield NetworkView(id="network-view").data_bind(NetworkPane.runs, selected=NetworkPane.inspected)
        yield NetworkLegend(id="network-legend").data_bind(NetworkPane.runs)
