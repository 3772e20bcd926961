"""The simulation's clock: SimPy drives time; the mechanisms (:mod:`sim.mechanisms`) do each day's work.

Time is in days. Three kinds of SimPy event move the world:

- the *day* process wakes on every whole day, samples the network measures (the state at the start of
  that day, read in the same pass that applies the night's forgetting), then lets every agent act for
  the day, in :data:`DAY` order. Each action gets a time inside the day; all of a day's actions are
  drawn and applied as arrays.
- a *deadline* event per whole day on which commitments fall due (scheduled with urgent priority, so
  outcomes land before anything else that day) resolves that day's commitments together
  (:func:`sim.mechanisms.delivery.resolve`);
- one process per *scenario event* (reform, campaign, influx, testimony) fires on its day.

Before day 0 the run *spins up* (``simulation.spin_up`` days, MODEL.md "A steady state"): the same days
on a clock of its own, from day ``-spin_up`` to day -1, with no scenario events and nothing recorded, so
that day 0 is a network already settled: its trust, its ties and the evidence behind them where the
model's own dynamics keep them (Law & Kelton's warm-up period; Grimm et al.'s ODD "initialization").
What the spin-up leaves is the world at day 0; its event log and tallies start empty there, and
commitments still open carry over.

Within a day each mechanism sees what the earlier ones changed: a tie made by a promotion can be asked
for a favour the same day. Outcomes are stamped with their deadlines; what follows from them (testimony,
broken ties) is stamped with the whole day on which they land. Randomness comes from one ``numpy``
generator tree rooted at the scenario's seed, consumed in a fixed order, so a seed reproduces a run
exactly, however the run is chunked into :meth:`Simulation.advance` calls.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
import simpy
from simpy.events import URGENT

from .config import Scenario
from .event_effects import apply as apply_event
from .eventlog import EventKind, EventLog
from .history import History
from .measures import Sample
from .mechanisms import (
    commitments,
    delivery,
    fading,
    forgetting,
    generalized_trust,
    imitation,
    promotion,
    vouching,
)
from .policies import POLICIES
from .population import TRAITS, Population
from .resources import check_fits
from .scenario_events import ScenarioEvent
from .ties import TieTable
from .world import World

#: What every agent does each day, in this order, each mechanism drawn for everyone at once (ties left
#: unused too long fade first, so that nobody asks a contact it has let go).
DAY: tuple[Callable[[World, int], None], ...] = (
    fading.fade, imitation.imitate, promotion.promote, vouching.seek, commitments.request,
)


class _Deadline(simpy.events.Event):
    """An already-triggered event at a given delay, with urgent priority."""

    def __init__(self, env: simpy.Environment, delay: float, callback: Callable) -> None:
        self.env = env
        self.callbacks = [callback]
        self._ok = True
        self._value = None
        env.schedule(self, URGENT, delay)


@dataclass(frozen=True)
class Snapshot:
    """What a reader (the dashboard) needs now, copied under the lock; never the whole history."""

    scenario: str
    seed: int
    day: int
    days: int
    finished: bool
    metrics: dict[str, float]
    archetype_names: tuple[str, ...]
    archetypes: dict[str, np.ndarray]        # column -> one value per archetype
    events: dict[str, np.ndarray]            # the most recent events, columnar
    events_total: int
    agents: dict[str, np.ndarray] = field(default_factory=dict)   # per-agent state, if asked for


class Simulation:
    """One run of a scenario, advanced step by step. Safe for one driver thread plus reader threads."""

    def __init__(self, scenario: Scenario, spin_up_progress: Callable[[int, int], None] | None = None) -> None:
        """Build the world and spin it up; ``spin_up_progress(done, days)`` is called after each spin-up day
        (it may raise, e.g. KeyboardInterrupt, to abandon the run)."""
        check_fits(scenario)          # refuse up front a run that cannot fit in memory
        self.scenario = scenario
        self.days = scenario.simulation.days
        self.lock = threading.RLock()   # held per simulated day; hold it to read several things consistently
        self.world = World.build(scenario)
        self.history = History(self.world.population.allocated, len(scenario.archetypes),
                               self.world.streams.sample)
        self._day = -1
        self._spin_up(scenario.simulation.spin_up, spin_up_progress)
        self.env = simpy.Environment()
        self.world.deadlines.on_new_day = self._schedule_deadline
        for due in self.world.deadlines.days():     # commitments the spin-up left open
            self._schedule_deadline(due)
        for event in scenario.events:
            self.env.process(self._scenario_event(event))
        self.env.process(self._days())
        self.env.run(until=0.5)

    # ================================================================== the world, for readers
    @property
    def population(self) -> Population:
        return self.world.population

    @property
    def ties(self) -> TieTable:
        return self.world.ties

    @property
    def log(self) -> EventLog:
        return self.world.log

    @property
    def tracked(self) -> np.ndarray:
        """Agents whose reputation is kept day by day (sorted ids)."""
        return self.history.tracked

    # ================================================================== public API
    @property
    def day(self) -> int:
        """The last whole day simulated (its measures are sampled, its actions done)."""
        return self._day

    @property
    def finished(self) -> bool:
        return self._day >= self.days

    @property
    def events_total(self) -> int:
        """Events logged so far (a reader can ask for only those it has not seen: ``snapshot(recent_events=...)``)."""
        return len(self.world.log)

    def advance(self, days: int = 1) -> int:
        """Simulate ``days`` more whole days (not past the scenario's end); returns the new day."""
        target = min(self._day + max(int(days), 0), self.days)
        while self._day < target:
            with self.lock:
                self.env.run(until=self._day + 1.5)
        return self._day

    def run(self, progress: Callable[[int, int], None] | None = None) -> Simulation:
        """Simulate to the end, calling ``progress(day, days)`` after each day."""
        while not self.finished:
            self.advance(1)
            if progress is not None:
                progress(self._day, self.days)
        return self

    def snapshot(self, recent_events: int = 50, agents: bool = False) -> Snapshot:
        """The current day, latest measures, per-archetype figures, recent events (and per-agent state)."""
        with self.lock:
            agent_state = self._agent_state() if agents else {}
            return Snapshot(
                scenario=self.scenario.name,
                seed=self.scenario.simulation.seed,
                day=self._day,
                days=self.days,
                finished=self.finished,
                metrics=self.history.latest(),
                archetype_names=self.scenario.archetype_names(),
                archetypes=self.history.latest_archetypes(),
                events=self.world.log.tail(recent_events),
                events_total=len(self.world.log),
                agents=agent_state,
            )

    def metrics_history(self, start: int = 0) -> dict[str, np.ndarray]:
        """Daily measures from sample index ``start`` on (copies only the new rows): ``day`` + METRICS."""
        with self.lock:
            return self.history.metrics(start)

    def archetype_history(self, start: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """(days, array[day, archetype, column]) from sample index ``start`` on."""
        with self.lock:
            return self.history.archetype_history(start)

    def reputation_history(self, agent: int) -> tuple[np.ndarray, np.ndarray]:
        """(days, reputation) of a tracked agent; empty arrays for an agent that is not tracked."""
        with self.lock:
            return self.history.reputation_of(agent)

    def ties_of(self, agents: Sequence[int] | np.ndarray, *, among: bool = False) -> dict[str, np.ndarray]:
        """The live ties from or to any of ``agents`` (only those between two of them, with ``among``), as
        columns ``source``, ``target``, ``trust`` (the source's functional trust in the target) and
        ``evidence`` (what that trust rests on), ordered by (source, target). Copies: safe to keep."""
        with self.lock:
            ties, people = self.world.ties, self.world.population
            agents = np.unique(np.asarray(agents, dtype=np.int64))
            agents = agents[(agents >= 0) & (agents < people.size)]
            slots = ties.contacts_of(agents)[1]
            if among:
                slots = slots[np.isin(ties.target[slots], agents)]
            else:
                slots = np.unique(np.concatenate((slots, ties.followers_of(agents)[1])))
            source, target = ties.source[slots], ties.target[slots]
            order = np.lexsort((target, source))
            slots, source, target = slots[order], source[order], target[order]
            return {"source": source.astype(np.int64), "target": target.astype(np.int64),
                    "trust": ties.trust(slots, people.view("base_rate")[source]),
                    "evidence": ties.evidence(slots)}

    def agent(self, agent: int) -> dict:
        """Everything the inspector shows about one agent (raises IndexError for an unknown id)."""
        with self.lock:
            world = self.world
            people, ties, counters = world.population, world.ties, world.counters
            if not 0 <= agent < people.size:
                raise IndexError(f"no agent {agent} (agents are 0..{people.size - 1})")
            base = people.view("base_rate")
            in_slots = ties.followers_of(np.array([agent]))[1]
            out_slots = ties.contacts_of(np.array([agent]))[1]
            trusters = ties.source[in_slots]
            log = world.log.columns()
            vouched = (log["kind"] == EventKind.vouch) & (log["actor"] == agent)
            outcome = np.isin(log["kind"], (EventKind.kept, EventKind.broken)) & (log["subject"] == agent)
            reputation = self.history.reputation
            return {
                "agent": agent,
                "archetype": self.scenario.archetypes[people.archetype[agent]].name,
                "traits": {t: float(getattr(people, t)[agent]) for t in TRAITS},
                "vouch_policy": POLICIES[people.vouch_policy[agent]].name,
                "followers": int(people.followers[agent]),
                "following": len(out_slots),
                "reputation": float(reputation[agent]) if agent < len(reputation) else float("nan"),
                **{name: int(getattr(counters, name)[agent]) for name in counters.PER_AGENT},
                "trusted_by": (trusters, ties.trust(in_slots, base[trusters])),
                "vouched_for": log["target"][vouched],
                "vouch_outcomes": (log["actor"][outcome], log["kind"][outcome] == EventKind.kept),
            }

    def _agent_state(self) -> dict[str, np.ndarray]:
        people, counters = self.world.population, self.world.counters
        return {
            "archetype": people.view("archetype").copy(),
            "reputation": self.history.reputation.copy(),
            "reliability": people.view("reliability").copy(),
            "followers": people.view("followers").copy(),
            "promises_kept": counters.per_agent("promises_kept", people.size).copy(),
            "promises_broken": counters.per_agent("promises_broken", people.size).copy(),
        }

    # ================================================================== processes
    def _days(self) -> Iterator[simpy.Event]:
        yield self.env.timeout(0)   # let scenario events of day 0 go first, as on every other day
        while True:
            day = int(round(self.env.now))
            with self.lock:
                self.history.record(day, Sample(self.world, self._night(day)))
            self._day = day
            if day >= self.days:
                return
            self._act(day)
            yield self.env.timeout(1)

    def _night(self, day: int) -> forgetting.TieSums:
        """Read the network as it stands at the start of ``day``, then let the night's forgetting pass."""
        factor = forgetting.daily_factor(self.world, day)
        sums = forgetting.read_then_forget(self.world, factor)
        generalized_trust.forget(self.world, factor)
        return sums

    def _act(self, day: int) -> None:
        for mechanism in DAY:
            mechanism(self.world, day)

    def _spin_up(self, days: int, progress: Callable[[int, int], None] | None) -> None:
        """Days ``-days`` to -1 on a clock of their own: the same days as any other, no scenario events, nothing
        recorded. Commitments due by day 0 resolve within it; those due later carry over to the run."""
        if days <= 0:
            return
        env = simpy.Environment(initial_time=-days)
        world = self.world

        def spin() -> Iterator[simpy.Event]:
            for day in range(-days, 0):
                self._night(day)
                self._act(day)
                if progress is not None:
                    progress(day + days + 1, days)
                yield env.timeout(1)

        world.deadlines.on_new_day = lambda due: _Deadline(
            env, due - env.now, lambda _event: delivery.resolve(world, due, world.deadlines.pop(due)))
        env.process(spin())
        env.run(until=0)
        if 0 in world.deadlines.days():
            delivery.resolve(world, 0, world.deadlines.pop(0))
        world.begin_recording()

    def _scenario_event(self, event: ScenarioEvent) -> Iterator[simpy.Event]:
        yield self.env.timeout(event.day)
        apply_event(event, self.world, self.env.now)

    def _schedule_deadline(self, day: int) -> None:
        """The deadline book opened a new due day: resolve it then, before anything else that day."""
        _Deadline(self.env, day - self.env.now,
                  lambda _event: delivery.resolve(self.world, day, self.world.deadlines.pop(day)))
