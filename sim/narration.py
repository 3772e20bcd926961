"""The run's events in plain words: pick the telling events out of a batch and say each in a sentence.

A day of a 1,000-agent run holds hundreds of events, most of them routine (a kept favour, a follow). What
carries the story is a broken promise that someone had vouched for, a tie dropped in distrust, someone going
public, a recommendation given; scenario events (a reform, a campaign, newcomers) are always told. The
dashboard's feed tells these while the run plays and ``trustsim report`` tells them for its key moments:
both use this one :class:`Narrator`, so they say the same things in the same words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .eventlog import EventKind
from .scenario_events import ScenarioEvent

#: Lower is told first. Kinds not listed (commit, decline, promote, refuse) are never narrated.
PRIORITY: dict[int, int] = {
    EventKind.reform: 0, EventKind.campaign: 0, EventKind.influx: 0,
    EventKind.broken: 1, EventKind.untie: 2, EventKind.renege: 2, EventKind.testify: 3,
    EventKind.vouch: 4, EventKind.kept: 5, EventKind.imitate: 6, EventKind.follow: 7,
}
SCENARIO_KINDS = (EventKind.reform, EventKind.campaign, EventKind.influx)
VOUCHED_BROKEN = -1          # a broken promise that someone had vouched for: the heart of the story
ANNOUNCEMENT = -2            # the kind of a scenario event announced in the scenario's own words
#: The order in which the feed takes turns between kinds of event (the story's beats come up most).
ROTATION: tuple[int, ...] = (VOUCHED_BROKEN, EventKind.vouch, EventKind.broken, EventKind.untie,
                             EventKind.renege, VOUCHED_BROKEN, EventKind.testify, EventKind.kept,
                             EventKind.broken, EventKind.untie, EventKind.imitate, EventKind.follow)


def _trust(value: float) -> str:
    return "?" if value != value else f"{value:.2f}"


@dataclass(frozen=True)
class Sentence:
    """One event in words. Its kind decides its colour on screen, which falls on
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
        elif kind == EventKind.renege:
            said = (f"agent {target}", " called in a favour", f" from {who(actor, archetypes)}, who owed it, and was "
                    "refused", f"{target}'s trust in {actor} {_trust(before)} → {_trust(after)}")
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
