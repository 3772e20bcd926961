"""The Charts tab: the Dashboard's three charts of run A at full size."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal

from ..plots import run_charts
from .base import RunPane


class ChartsPane(RunPane):
    """Trust in the network on top; commitments per day and reputation per archetype beneath."""

    def __init__(self) -> None:
        super().__init__("Charts", id="charts")

    def compose(self) -> ComposeResult:
        trust, commitments, archetypes = (chart.data_bind(data=ChartsPane.runs)
                                          for chart in run_charts("-big"))
        yield trust
        with Horizontal(classes="chart-row"):
            yield commitments
            yield archetypes
