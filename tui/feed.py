"""The event feed: the newest sentences about the run, as :class:`sim.narration.Narrator` tells them.

The feed is meant to be read while the run plays, so it keeps to a few lines a second; which events it
tells, and in what words, is the narrator's (the report tells its key moments with the same one). Scenario
events (a reform, a campaign, newcomers, a testimony) are always announced, in the scenario's own words, on
the day they happen. Each sentence keeps its event's kind, and the kind alone decides its colour on screen.
"""

from __future__ import annotations

import math
from collections import deque

import numpy as np
from rich.text import Text
from textual.reactive import var
from textual.widget import Widget

from sim.narration import Narrator, Sentence

from .palette import KIND_COLORS
from .track import Runs


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
