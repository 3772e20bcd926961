"""The event feed: pick the telling events out of a batch, say them in plain words, show the newest.

A day of a 1,000-agent run holds hundreds of events, most of them routine (a kept favour, a follow). The
feed is meant to be read while the run plays, so it keeps to a few lines a second and prefers the events
that carry the story: a broken promise that someone had vouched for, a tie dropped in distrust, someone
going public, a recommendation given; scenario events (a reform, a campaign, newcomers, a testimony) are
always announced, in the scenario's own words, on the day they happen.
Each sentence keeps its event's kind, and the kind alone decides its colour on screen.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rich.text import Text
from textual.reactive import var
from textual.widget import Widget

from sim import EventKind
from sim.scenario_events import ScenarioEvent

from .palette import ANNOUNCEMENT, KIND_COLORS
from .track import Runs

#: Lower is told first. Kinds not listed (commit, decline, promote, refuse) are never narrated.
PRIORITY: dict[int, int] = {
    EventKind.reform: 0, EventKind.campaign: 0, EventKind.influx: 0,
    EventKind.broken: 1, EventKind.untie: 2, EventKind.testify: 3,
    EventKind.vouch: 4, EventKind.kept: 5, EventKind.imitate: 6, EventKind.follow: 7,
}
SCENARIO_KINDS = (EventKind.reform, EventKind.campaign, EventKind.influx)
VOUCHED_BROKEN = -1          # a broken promise that someone had vouched for: the heart of the story
#: The order in which the feed takes turns between kinds of event (the story's beats come up most).
ROTATION: tuple[int, ...] = (VOUCHED_BROKEN, EventKind.vouch, EventKind.broken, EventKind.untie,
                             VOUCHED_BROKEN, EventKind.testify, EventKind.kept, EventKind.broken,
                             EventKind.untie, EventKind.imitate, EventKind.follow)


def _trust(value: float) -> str:
    return "?" if value != value else f"{value:.2f}"


@dataclass(frozen=True)
class Sentence:
    """One event in words. Its kind decides its colour (:data:`tui.palette.KIND_COLORS`), which falls on
    ``phrase``: the sentence comes in three parts, so nothing has to find the verb in it afterwards."""

    kind: int
    time: float
    before: str
    phrase: str
    after: str

    @property
    def text(self) -> str:
        return self.before + self.phrase + self.after

    def __str__(self) -> str:
        return self.text


class Narrator:
    """Turns event columns into sentences, naming each agent's archetype."""

    def __init__(self, archetype_names: Sequence[str]) -> None:
        self.names = tuple(archetype_names)
        self._turn = 0

    def who(self, agent: int, archetypes: np.ndarray) -> str:
        """'agent 17 (overcommitter)'; without the archetype if the agent is unknown to the snapshot."""
        if 0 <= agent < len(archetypes):
            return f"agent {agent} ({self.names[int(archetypes[agent])]})"
        return f"agent {agent}"

    def sentence(self, events: dict[str, np.ndarray], row: int, archetypes: np.ndarray,
                 count: int = 1) -> Sentence:
        """One event in words, prefixed by its day. ``count`` is the size of a scenario event's batch."""
        kind = int(events["kind"][row])
        actor, target, subject = (int(events[c][row]) for c in ("actor", "target", "subject"))
        before, after = float(events["trust_before"][row]), float(events["trust_after"][row])
        who = self.who
        # (words before the key phrase, the key phrase, words after it, further clauses)
        said: tuple[str, ...]
        if kind == EventKind.broken:
            said = (who(actor, archetypes), " broke a promise", f" to agent {target}",
                    f"{target}'s trust in {actor} {_trust(before)} → {_trust(after)}",
                    *([f"agent {subject} vouched for {actor} and loses standing with {target}"] if subject >= 0 else []))
        elif kind == EventKind.kept:
            said = (who(actor, archetypes), " kept a promise", f" to agent {target}",
                    f"{target}'s trust in {actor} {_trust(before)} → {_trust(after)}",
                    *([f"agent {subject}'s vouch for {actor} pays off with {target}"] if subject >= 0 else []))
        elif kind == EventKind.vouch:
            said = (who(actor, archetypes), " vouched for", f" agent {target} to agent {subject}",
                    f"{subject}'s first opinion of {target}: {_trust(after)}")
        elif kind == EventKind.untie:
            said = (f"agent {actor}", " gave up on", f" {who(target, archetypes)} and dropped the tie",
                    f"trust {_trust(after)}")
        elif kind == EventKind.testify:
            said = (f"agent {actor}", " went public", f" about {who(target, archetypes)}",
                    f"their trust in {target}: {_trust(after)}; followers who know {target} listen")
        elif kind == EventKind.imitate:
            said = (f"agent {actor}", " copies the habits", f" of {who(target, archetypes)}, who has more followers")
        elif kind == EventKind.follow:
            said = (f"agent {actor}", " followed", f" {who(target, archetypes)}", f"first impression {_trust(after)}")
        elif kind == EventKind.reform:
            group = who(actor, archetypes).partition("(")[2].rstrip(")") or "some agents"
            said = ("", "REFORM", f": {count} {group} agents change their ways")
        elif kind == EventKind.campaign:
            said = ("", "CAMPAIGN", ": the platform starts pushing requests for recommendations")
        elif kind == EventKind.influx:
            said = ("", "INFLUX", f": {count} newcomers join the network")
        else:
            said = ("", EventKind(kind).name, f": agent {actor} → agent {target}")
        lead, phrase, rest, *clauses = said
        time = float(events["time"][row])
        after = "".join([rest, *(f" · {clause}" for clause in clauses)])
        # no part starts with a space (the space before the key phrase ends the words before it, the one
        # after it ends the phrase): a run of text that starts with a space is drawn squeezed by some
        # renderers ("agent 66gave up on")
        gap = " " if phrase.startswith(" ") else ""
        tail = " " if after.startswith(" ") else ""
        return Sentence(kind, time, f"day {int(time)} · {lead}{gap}", phrase.strip(" ") + tail, after[len(tail):])

    @staticmethod
    def announce(event: ScenarioEvent) -> Sentence:
        """A scenario event as it happens, in the scenario's own words: 'day 60 · the enthusiasts overcommit'."""
        return Sentence(ANNOUNCEMENT, event.day, f"day {event.day:g} · ", event.describe(), "")

    def pick(self, events: dict[str, np.ndarray], archetypes: np.ndarray, budget: int) -> list[Sentence]:
        """Sentences for the ``budget`` most telling events of a batch (scenario events are announced in
        the scenario's own words instead, by :meth:`announce`).

        The others take turns by kind (:data:`ROTATION`), the latest of a kind first; kinds absent from
        the batch are skipped. The result is in time order.
        """
        kinds = events["kind"]
        if len(kinds) == 0:
            return []
        chosen: list[Sentence] = []
        if budget > 0:
            # take turns between kinds of story, so the feed is not one long list of broken promises
            by_kind = {k: np.flatnonzero(kinds == k) for k in PRIORITY if k not in SCENARIO_KINDS}
            by_kind[VOUCHED_BROKEN] = np.flatnonzero((kinds == EventKind.broken) & (events["subject"] >= 0))
            told: set[int] = set()
            for _ in range(len(ROTATION)):
                if budget <= 0:
                    break
                kind = ROTATION[self._turn % len(ROTATION)]
                self._turn += 1
                rows = [int(r) for r in by_kind.get(kind, [])[::-1] if int(r) not in told]
                if rows:
                    told.add(rows[0])
                    chosen.append(self.sentence(events, rows[0], archetypes))
                    budget -= 1
        chosen.sort(key=lambda sentence: sentence.time)
        return chosen


class Feed(Widget):
    """The newest sentences about run A, bottom-aligned, wrapped to the pane's width.

    It tells the news of every :class:`~tui.track.Runs` it is given. While the run plays it keeps to a few
    sentences a second (a credit earned per redraw); when the run is paused, as after a one-day step, each
    Runs gets the full budget. Unlike a RichLog it never changes size or scrolls, so a new line repaints
    this pane alone instead of laying out the whole screen again (which, several times a second, costs the
    engine real speed).
    """

    BUDGET = 4.0         # most sentences told at once, besides scenario events
    EARNED = 1.5         # sentences earned per redraw while playing (two redraws a second)

    runs: var[Runs | None] = var(None)

    def __init__(self, *, keep: int = 200, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.lines: deque[Text] = deque(maxlen=keep)
        self.narrator = Narrator(())
        self._generation = -1
        self._credit = 2.0

    def watch_runs(self, runs: Runs | None) -> None:
        if runs is None:
            return
        if runs.generation != self._generation:
            self._generation = runs.generation
            self.narrator = Narrator(runs.main.names)
        self._credit = min(self.BUDGET, self._credit + self.EARNED) if runs.playing else self.BUDGET
        for event in runs.announcements:
            self.write(self.narrator.announce(event))
        batches = [b for b in runs.news if len(b["kind"])]
        if not batches:
            return
        events = {k: np.concatenate([b[k] for b in batches]) for k in batches[0]}
        budget = int(self._credit)
        told = self.narrator.pick(events, runs.snapshot.agents["archetype"], budget)
        for sentence in told:
            self.write(sentence)
        self._credit -= min(budget, len(told))

    def write(self, sentence: Sentence) -> None:
        """Add a sentence, its key phrase coloured by the event's kind."""
        color = KIND_COLORS.get(sentence.kind)
        # colour alone, not bold: a bold run is drawn a little wider by some renderers and overlaps its neighbour
        self.lines.append(Text.assemble(sentence.before, (sentence.phrase, color or ""),
                                        sentence.after))
        self.refresh()

    def clear(self) -> None:
        self.lines.clear()
        self.refresh()

    def render(self) -> Text:
        width, height = max(1, self.size.width), max(1, self.size.height)
        shown: list[Text] = []
        used = 0
        for line in reversed(self.lines):
            rows = max(1, math.ceil(line.cell_len / width))
            if used + rows > height and shown:
                break
            shown.append(line)
            used += rows
        return Text("\n").join(reversed(shown))
