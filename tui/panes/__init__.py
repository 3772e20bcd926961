"""The dashboard's tabs, one module each; each pane owns its widgets, its handlers and its reactives.

=============  ==============================================================================
dashboard      run A at a glance: trust chart, small charts, map, archetype table, the feed
population     the population map at full size, with the archetype table
charts         the three charts of run A at full size
agent          the inspector: one agent, read on the simulation thread
scenario       pick a scenario, edit its main knobs, restart (errors shown on their fields)
compare        run B beside A on the same seed: overlaid charts and a table of differences
=============  ==============================================================================
"""

from .agent import AgentPane
from .base import RunPane
from .charts import ChartsPane
from .compare import ComparePane
from .dashboard import DashboardPane
from .population import PopulationPane
from .scenario import FieldRow, ScenarioPane

__all__ = ["AgentPane", "ChartsPane", "ComparePane", "DashboardPane", "FieldRow", "PopulationPane", "RunPane",
           "ScenarioPane"]
