"""The help screen (``?``): what the dashboard shows and its keys."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

HELP = """\
# trustsim dashboard

A network of agents asks each other for favours, promises, keeps or breaks its word, and
**vouches** for others. Each broken promise costs trust (more than a kept one earns), and whoever
vouched for the promise-breaker loses standing too. Watch the measures fall or hold.

| key | does |
|---|---|
| `space` | play / pause (the footer names what it will do) |
| `n` | one day forward (pauses) |
| `+` / `-` | faster / slower |
| `r` | restart with a new seed |
| `e` | export the run (parquet tables + manifest) |
| `c` | compare with a second run (same agents, days and seed), overlaid on the same charts; `c` again stops |
| `s` | save the screen as an SVG picture (under `trustsim-exports/`; never replaces one) |
| `1`..`7` | dashboard, population, charts, agent, scenario, compare, network |
| `i` | inspect an agent by number |
| `t` | story mode: the scenario beside its controls, each hypothesis told as it shows (→ next, ← back) |
| `ctrl+p` | command palette |
| `q` | quit |

**Dashboard**: trust measures over time, commitments kept and broken per day, reputation per
archetype, the population map (one cell per agent, its archetype's mark coloured by reputation:
red distrusted through yellow to blue trusted, grey not yet known), the archetype table, and a feed of telling events.

**Agent**: pick an agent (click it on the map, press `enter` on an archetype row for its most
followed member, or type its number) to see its traits, its reputation over time, who trusts it and
whom it vouched for.

**Network**: the ties themselves, among a fixed sample of up to 60 agents (all of a small run): each
agent is its archetype's mark coloured by its reputation, each tie a dotted line shaded by the trust
it carries. Click an agent to inspect it; the **Agent** tab draws its neighbourhood the same way.

**Scenario**: pick a scenario and change the main knobs; `enter` or *Apply* restarts with them.
A bad value is shown on its field and the current run carries on.

Press `escape` to close this help.
"""


class HelpScreen(ModalScreen[None]):
    """What the dashboard shows and its keys."""

    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Markdown(HELP)
