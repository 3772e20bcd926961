"""The Agent tab: the inspector.

It shows one agent of run A: its traits, its reputation over time, who trusts and distrusts it, and whom
it vouched for and how that went, and (on screens tall enough) its neighbourhood: the agents it has ties
with, drawn as the Network tab draws the sample. The app binds ``agent`` to the agent picked anywhere (a click on the map,
``enter`` on an archetype row, or a number typed here). Reading an agent needs the simulation, so the pane
asks the app (:class:`AgentPane.Inspect`) and the answer comes back as a message from the simulation thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.geometry import Size
from textual.message import Message
from textual.reactive import var
from textual.widgets import Input, Label, Static
from textual_plotext.plot import Plot

from sim.scenario_events import ScenarioEvent

from ..messages import AgentInspected, AgentPicked, InspectionFailed
from ..network import NetworkView
from ..palette import COMPARE_COLORS, glyph, reputation_color, rgb
from ..plots import days_axis, happened, mark_events
from ..widgets import Chart, Legend
from .base import RunPane

REPUTATION_LINE = COMPARE_COLORS[0]
INSPECT_INTERVAL = 1.0       # while the run moves on, the shown agent is read again once a second
DISTRUST_BELOW = 0.5         # an agent whose trust in the inspected one is below this distrusts it
HINT = "Pick an agent: click it on the map, press enter on an archetype row, or type its number above."


def draw_reputation(plt: Plot, shown: tuple[int, np.ndarray, np.ndarray, list[ScenarioEvent]], size: Size) -> Legend:
    """An agent's reputation over time, from (agent, days, reputation, scenario events so far)."""
    agent, days, values, events = shown
    keep = np.isfinite(values)
    if not keep.any():
        return []
    mark_events(plt, events, days[keep], 0.0, 1.0, size.width)
    plt.plot(days[keep].tolist(), values[keep].tolist(), color=rgb(REPUTATION_LINE), marker="braille")
    plt.ylim(0, 1)
    days_axis(plt, days[keep])
    return [(f"agent {agent}", REPUTATION_LINE)]


class AgentPane(RunPane):
    """One agent, read again while the run moves on and this tab is shown."""

    agent: var[int] = var(-1)

    @dataclass
    class Inspect(Message):
        """Read ``agent`` from run A; the app answers ``pane`` with AgentInspected or InspectionFailed."""

        pane: AgentPane
        agent: int

    def __init__(self) -> None:
        super().__init__("Agent", id="agent")
        self._asking = False
        self._asked_at: tuple[int, int] = (-1, -1)      # the (generation, day) shown when last asked

    def compose(self) -> ComposeResult:
        with Horizontal(id="agent-bar"):
            yield Label("Agent number", classes="field-label")
            yield Input(placeholder="e.g. 17, then enter", id="agent-input", type="integer")
            yield Static("", id="agent-error", classes="field-error")
        yield Static(HINT, id="agent-info")
        with Horizontal(id="agent-body"):
            yield Chart(draw_reputation, "Reputation over time", id="agent-chart")
            with Vertical(id="agent-side"):
                yield Static("", id="agent-relations")
                yield NetworkView(neighbourhood=True, id="agent-network").data_bind(AgentPane.runs,
                                                                                   centre=AgentPane.agent)

    def on_mount(self) -> None:
        self.set_interval(INSPECT_INTERVAL, self._read_again)

    def on_show(self) -> None:
        self._read_again()          # the agent as the current frame has it, not as the tab last showed it

    def watch_agent(self, agent: int) -> None:
        if agent >= 0:
            self.query_one("#agent-input", Input).value = str(agent)
            self._ask()

    def ask_for_number(self) -> None:
        """Put the keys in the agent number field."""
        self.query_one("#agent-input", Input).focus()

    @on(Input.Submitted, "#agent-input")
    def _typed(self, event: Input.Submitted) -> None:
        error = self.query_one("#agent-error", Static)
        try:
            agent = int(event.value)
        except ValueError:
            error.update("type an agent number")
            return
        size = len(self.runs.snapshot.agents["archetype"]) if self.runs is not None else 0
        if not 0 <= agent < size:
            error.update(f"no agent {agent} (0..{size - 1})")
            return
        error.update("")
        self.post_message(AgentPicked(agent))

    def _read_again(self) -> None:
        if self.display and self.runs is not None and self._asked_at != self._now():
            self._ask()

    def _now(self) -> tuple[int, int]:
        return (self.runs.generation, self.runs.snapshot.day) if self.runs is not None else (-1, -1)

    def _ask(self) -> None:
        if self.agent >= 0 and not self._asking:
            self._asking = True
            self._asked_at = self._now()
            self.post_message(self.Inspect(self, self.agent))

    @on(InspectionFailed)
    def _failed(self, message: InspectionFailed) -> None:
        self._asking = False
        self.query_one("#agent-error", Static).update(str(message.error).strip("'\""))

    @on(AgentInspected)
    def _inspected(self, message: AgentInspected) -> None:
        self._asking = False
        if message.agent != self.agent:         # another agent was picked meanwhile
            self._ask()
            return
        events = happened(self.runs.main) if self.runs is not None else []
        self.query_one("#agent-chart", Chart).data = (message.agent, *message.history, events)
        self.query_one("#agent-info", Static).update(self._summary(message.info))
        self.query_one("#agent-relations", Static).update(self._relations(message.info))

    def _summary(self, info: dict[str, Any]) -> str:
        names = self.runs.main.names if self.runs is not None else ()
        k = names.index(info["archetype"]) if info["archetype"] in names else 0
        reputation = info["reputation"]
        return (f"[b]agent {info['agent']}[/b] {glyph(k)} {info['archetype']} · vouches: {info['vouch_policy']} · "
                f"reputation [{reputation_color(reputation)}][b]{reputation:.2f}[/b][/] · "
                f"{info['followers']} followers · follows {info['following']} · "
                f"promises kept {info['promises_kept']} / broken {info['promises_broken']}")

    @staticmethod
    def _relations(info: dict[str, Any]) -> str:
        traits = "  ".join(f"{t.replace('_', ' ')} [b]{v:.2f}[/b]" for t, v in info["traits"].items())
        trusters, trust = info["trusted_by"]
        order = np.argsort(-trust)
        # each agent with an opinion of this one is on one side of the threshold: trusting or distrusting
        high = [i for i in order if trust[i] >= DISTRUST_BELOW]
        low = [i for i in order[::-1] if trust[i] < DISTRUST_BELOW]
        most = ", ".join(f"{int(trusters[i])} ({trust[i]:.2f})" for i in high[:6]) or "nobody"
        least = ", ".join(f"{int(trusters[i])} ({trust[i]:.2f})" for i in low[:6]) or "nobody"
        vouched = np.unique(info["vouched_for"])
        _, kept = info["vouch_outcomes"]
        went = (f"{int(kept.sum())} kept, {int((~kept).sum())} broken" if len(kept)
                else "no commitment has come due yet")
        vouched_text = ", ".join(map(str, vouched[:10].tolist())) + (" …" if len(vouched) > 10 else "")
        return (f"[dim]{traits}[/dim]\n\n"
                f"[b]Trusted by[/b] {agents(len(high))}\n most: {most}\n"
                f"[b]Distrusted by[/b] {agents(len(low))} (trust < {DISTRUST_BELOW:g})\n least: {least}\n\n"
                f"[b]Vouched for[/b] {agents(len(vouched))}: {vouched_text or 'none'}\n"
                f"[b]How that went[/b]: {went}; {info['vouches_failed']} of {info['vouches_given']} vouches failed"
                + favours(info["favours"]))


def favours(per_contact: tuple[np.ndarray, np.ndarray, np.ndarray] | None) -> str:
    """With reciprocity, the favours on each of the agent's ties (given / received), debtors first."""
    if per_contact is None:
        return ""
    contacts, given, received = per_contact
    owed = given - received
    order = np.lexsort((contacts, -owed))
    shown = [i for i in order if given[i] or received[i]]
    listed = ", ".join(f"{int(contacts[i])} ({given[i]:g}/{received[i]:g})" for i in shown[:8]) or "none yet"
    return (f"\n\n[b]Favours[/b] given/received per contact: {listed}{' …' if len(shown) > 8 else ''}\n"
            f" owed by {agents(int((owed > 0).sum()))} · owes {agents(int((owed < 0).sum()))}")


def agents(count: int) -> str:
    """'1 agent', '7 agents'."""
    return f"{count} agent" + ("" if count == 1 else "s")
