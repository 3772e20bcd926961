"""The story of a scenario: its hypotheses told as they become visible, in one run beside its controls.

A story plays a scenario and, on the same seed, every run its hypotheses compare it with (another
scenario, or the same one with a mechanism switched off; a threshold is a fixed level and needs no run),
all for the scenario's days, stepped together. After each day it reads every hypothesis's measure on both
sides as though the runs ended that day (:func:`sim.observables.evaluate` on the runs so far, so a
measure of a day not reached yet is not yet defined), and its *gap*: this scenario minus its comparison.

What is told, and when (the definitions a presenter can say out loud):

- a hypothesis **separates** on the day its gap has lain beyond its margin (``min_effect``) in its
  stated direction on :data:`HOLD` consecutive days, and **closes** when it has then lain short of that
  on HOLD consecutive days;
- a ``within`` hypothesis (a claim of *no* difference) **leaves** its band when its gap has lain outside
  ±margin on HOLD consecutive days (this run does not bear it out), and **returns** likewise;
- each scenario event, on its day, in the scenario's own words.

One run on one seed illustrates; it does not test. The end card (:meth:`Story.card`) puts beside what
this run showed each hypothesis's recorded verdict (many paired seeds, ``trustsim check``), and says
plainly which do not hold. The engine side only: the screen that plays it is ``tui.story``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from . import claims, config
from .check import comparison, interval_text
from .config import Scenario
from .engine import Simulation
from .errors import ScenarioError
from .hypotheses import Hypothesis
from .observables import evaluate

HOLD = 7        # consecutive days a gap must hold before it is told: one day's gap is mostly noise

EVENT, SEPARATES, CLOSES, LEAVES, RETURNS = "event", "separates", "closes", "leaves", "returns"


def number(value: float) -> str:
    """A reading as the story says it: three decimals, or a whole number when it is large; n/a when undefined."""
    if not math.isfinite(value):
        return "n/a"
    return f"{value:.3f}" if abs(value) < 100 else f"{value:,.0f}"


class Separation:
    """Follows one hypothesis's gap day by day and says when it separates or closes (see the module)."""

    def __init__(self, hypothesis: Hypothesis, hold: int = HOLD) -> None:
        self.direction, self.margin, self.hold = hypothesis.direction, hypothesis.min_effect, hold
        self.apart = False             # separated (for ``within``: outside its band)
        self.streak = 0                # consecutive days the gap has said the opposite of ``apart``
        self.first: int | None = None  # the first of those days

    def beyond(self, gap: float) -> bool | None:
        """Is this gap beyond the margin the way the hypothesis looks for (None: not defined)?"""
        if not math.isfinite(gap):
            return None
        if self.direction == "higher":
            return gap > self.margin
        if self.direction == "lower":
            return gap < -self.margin
        return abs(gap) > self.margin          # within: outside the band

    def update(self, day: int, gap: float) -> tuple[str, int] | None:
        """Take ``day``'s gap; return (what happened, the day its streak began) when something is told."""
        beyond = self.beyond(gap)
        if beyond is None or beyond == self.apart:
            self.streak, self.first = 0, None
            return None
        if self.streak == 0:
            self.first = day
        self.streak += 1
        if self.streak < self.hold:
            return None
        self.apart, self.streak = not self.apart, 0
        within = self.direction == "within"
        kind = (LEAVES if within else SEPARATES) if self.apart else (RETURNS if within else CLOSES)
        first, self.first = self.first, None
        return kind, first if first is not None else day


@dataclass(frozen=True)
class Strand:
    """One hypothesis as the story follows it: which run is its comparison (None: a fixed level)."""

    hypothesis: Hypothesis
    control: int | None
    against: str                       # the comparison as the screen names it


@dataclass(frozen=True)
class Moment:
    """Something told on ``day``: a scenario event, or a hypothesis (``strand``) separating or closing."""

    day: int
    kind: str
    strand: int                        # index into Story.strands; -1 for a scenario event
    title: str                         # the statement in the scenario's words, or the event's name
    numbers: str = ""                  # the readings behind it, as said on screen

    @property
    def text(self) -> str:
        return f"Day {self.day} · {self.title}" + (f" · {self.numbers}" if self.numbers else "")


@dataclass(frozen=True)
class CardRow:
    """One hypothesis on the end card: what this run showed, and what the recorded check found."""

    id: str
    statement: str
    kind: str
    shown: str                         # what this run showed
    recorded: str                      # the recorded effect with its interval, or why there is none
    verdict: str                       # "holds", "does not hold", ... or "" when none is recorded
    holds: bool | None                 # None: no recorded verdict


class Story:
    """A scenario's hypotheses, the runs that show them, and what has been told so far."""

    def __init__(self, scenario: Scenario, hold: int = HOLD) -> None:
        if not scenario.hypotheses:
            raise ScenarioError(f"{scenario.name}: states no hypotheses, so it has no story to tell "
                                "(a scenario states them in [[hypotheses]]; `trustsim list` shows those that do)")
        self.scenario, self.hold = scenario, hold
        self.days = scenario.simulation.days
        simulation = scenario.simulation
        # every side runs the same agents, days, spin-up and seed: their difference is the comparison's alone
        shared = {"simulation.days": simulation.days, "simulation.agents": simulation.agents,
                  "simulation.seed": simulation.seed, "simulation.spin_up": simulation.spin_up}
        self.scenarios: list[Scenario] = [scenario]
        self.labels: list[str] = [scenario.name]
        known: dict[str, int] = {}
        strands = []
        for index, hypothesis in enumerate(scenario.hypotheses):
            where = f"{scenario.name}: hypotheses[{index}] ({hypothesis.id})"
            compared = comparison(scenario, hypothesis, shared, where)
            if compared is None:
                strands.append(Strand(hypothesis, None, "the level"))
                continue
            key = json.dumps(config.to_dict(compared, hypotheses=False), default=str)
            overrides = " ".join(hypothesis.overrides)
            against = (f"in {hypothesis.compare}" + (f" with {overrides}" if overrides else "") if hypothesis.compare
                       else f"with {overrides}")
            if key not in known:
                known[key] = len(self.scenarios)
                self.scenarios.append(compared)
                self.labels.append(against.removeprefix("in "))
            strands.append(Strand(hypothesis, known[key], against))
        self.strands: tuple[Strand, ...] = tuple(strands)
        size = self.days + 1
        self.mine = np.full((len(strands), size), np.nan)       # each strand's reading here, by day
        self.theirs = np.full((len(strands), size), np.nan)     # and on its comparison
        self.day = -1                                            # the last day observed
        self.moments: list[Moment] = []
        self._separations = [Separation(s.hypothesis, hold) for s in strands]
        self._told_events: set[int] = set()

    # ---------------------------------------------------------------- the runs
    def build(self, progress: Callable[[int, int, int], None] | None = None) -> list[Simulation]:
        """Build and spin up every run (this scenario first); ``progress(run, day, days)`` after each
        spin-up day of each run."""
        sims = []
        for index, scenario in enumerate(self.scenarios):
            def told(day: int, days: int, index: int = index) -> None:
                if progress is not None:
                    progress(index, day, days)
            sims.append(Simulation(scenario, spin_up_progress=told))
        return sims

    def observe(self, sims: Sequence[Simulation]) -> list[Moment]:
        """Read every hypothesis on the runs as they stand (all on the same day) and tell what is new."""
        day = sims[0].day
        if any(sim.day != day for sim in sims):
            raise ValueError(f"the runs of a story must be on the same day, got {[sim.day for sim in sims]}")
        if day <= self.day:
            return []
        self.day = day
        told = [Moment(int(day), EVENT, -1, event.describe()) for k, event in enumerate(self.scenario.events)
                if event.day <= day and k not in self._told_events]
        self._told_events.update(k for k, event in enumerate(self.scenario.events) if event.day <= day)
        for index, strand in enumerate(self.strands):
            hypothesis = strand.hypothesis
            mine = evaluate(sims[0], hypothesis.observable)
            theirs = hypothesis.than if strand.control is None else evaluate(sims[strand.control], hypothesis.observable)
            self.mine[index, day], self.theirs[index, day] = mine, theirs
            change = self._separations[index].update(day, mine - theirs)
            if change is not None:
                told.append(self._moment(index, day, *change))
        self.moments.extend(told)
        return told

    # ---------------------------------------------------------------- what is said
    def measure(self, index: int) -> str:
        """The strand's measure as read on the day shown: ``mean_trust (today)``."""
        return self.strands[index].hypothesis.observable.describe().replace("last day", "today")

    def reading(self, index: int, day: int) -> str:
        """The numbers of one strand on ``day``: both readings, the gap, and the margin."""
        hypothesis = self.strands[index].hypothesis
        gap = self.mine[index, day] - self.theirs[index, day]
        if not math.isfinite(gap):
            return f"{self.measure(index)}: not defined yet"
        if hypothesis.direction == "within":
            said = f"{number(abs(gap))} {'above' if gap >= 0 else 'below'}, margin ±{hypothesis.min_effect:g}"
        else:
            said = f"{number(abs(gap))} {'higher' if gap >= 0 else 'lower'}, margin {hypothesis.min_effect:g}"
        return f"{self.measure(index)}: {self.both(index, day)} ({said})"

    def both(self, index: int, day: int) -> str:
        """The two readings of one strand on ``day``: ``0.466 here, 0.617 in baseline``."""
        strand = self.strands[index]
        mine, theirs = self.mine[index, day], self.theirs[index, day]
        theirs_said = (f"against the level {number(theirs)}" if strand.control is None
                       else f"{number(theirs)} {strand.against}")
        return f"{number(mine)} here, {theirs_said}"

    def _moment(self, index: int, day: int, kind: str, first: int) -> Moment:
        since = f" since day {first}" if first < day else ""
        what = {SEPARATES: f"beyond the margin{since}", CLOSES: f"back within the margin{since}",
                LEAVES: f"outside the band{since}: this run does not bear it out",
                RETURNS: f"back inside the band{since}"}[kind]
        return Moment(day, kind, index, self.strands[index].hypothesis.statement,
                      f"{self.reading(index, day)}: {what}")

    def separated_on(self, index: int) -> int | None:
        """The day the strand first separated (for ``within``: left its band), if it did."""
        return next((m.day for m in self.moments if m.strand == index and m.kind in (SEPARATES, LEAVES)), None)

    def card(self) -> list[CardRow]:
        """Every hypothesis: what this run showed by its last day, and its recorded verdict."""
        rows = []
        for index, strand in enumerate(self.strands):
            hypothesis = strand.hypothesis
            day = max(self.day, 0)
            first = self.separated_on(index)
            apart = self._separations[index].apart
            if not math.isfinite(self.mine[index, day] - self.theirs[index, day]):
                shown = f"not defined by day {day} in this run"
            elif hypothesis.direction == "within":
                shown = (f"left its band on day {first}" + ("" if apart else ", then came back") if first is not None
                         else "stayed inside its band")
            else:
                shown = (f"separated on day {first}" + ("" if apart else ", then closed") if first is not None
                         else "never separated")
            if hypothesis.horizon and hypothesis.horizon > self.days:
                shown += f" (it is judged at day {hypothesis.horizon:,}; the story ends at day {self.days:,})"
            shown = f"{shown}; on day {day}: {self.both(index, day)}" if self.day >= 0 else shown
            row, why = claims.for_hypothesis(self.scenario, hypothesis)
            if row is None:
                rows.append(CardRow(hypothesis.id, hypothesis.statement, hypothesis.kind, shown, why, "", None))
            else:
                size = f" of {row['agents']:,} agents" if row.get("agents") else ""
                recorded = f"effect {interval_text(row)} over {row['paired']} paired runs{size}"
                rows.append(CardRow(hypothesis.id, hypothesis.statement, hypothesis.kind, shown, recorded,
                                    claims.verdict(row), bool(row["holds"])))
        return rows


__all__ = ["CLOSES", "EVENT", "HOLD", "LEAVES", "RETURNS", "SEPARATES", "CardRow", "Moment", "Separation", "Story",
           "Strand", "number"]
