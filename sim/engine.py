"""The simulation's clock: SimPy drives time; the mechanisms (:mod:`sim.mechanisms`) do each day's work.

Time is in days. Three kinds of SimPy event move the world:

- the *day* process wakes on every whole day and makes one call into compiled code,
  :func:`simulate_day`: the night's pass over every tie reads the network measures (the state at the
  start of that day) and applies the night's forgetting, the day's row of measures is recorded, then
  every agent acts for the day, the mechanisms' kernels in :data:`DAY` order. Each action gets a time
  inside the day; a mechanism acts for all agents at once.
- the *deadline* process wakes at the start of every whole day, with urgent priority, so that outcomes
  land before anything else that day, and resolves the commitments falling due that day together
  (:func:`sim.mechanisms.delivery.resolve_due`, one more compiled call). It stays a SimPy event of its
  own because scenario events come between it and the day: a reform on day 60 changes who keeps the
  promises of day 61, not those of day 60. A day with nothing due resolves nothing and draws nothing.
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
from .history import History, record_day
from .kernels import kernel
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
from .resources import check_fits, estimate
from .scenario_events import ScenarioEvent
from .ties import TieTable
from .world import World

#: What every agent does each day, in this order, each mechanism's kernel acting for everyone at once
#: (ties left unused too long fade first, so that nobody asks a contact it has let go). A mechanism is a
#: kernel ``(world, day)``; a new one is one more entry here, and one more line in :func:`act`.
DAY: tuple[Callable[..., None], ...] = (
    fading.fade, imitation.imitate, promotion.promote, vouching.seek, commitments.request,
)


@kernel
def act(w, day: int) -> None:
    """Every mechanism of :data:`DAY`, in that order. (Written out: a compiled loop over a tuple of kernels
    would call them through function pointers, which numba's cache cannot keep; tests/test_engine.py
    holds the two to the same order.)"""
    fading.fade(w, day)
    imitation.imitate(w, day)
    promotion.promote(w, day)
    vouching.seek(w, day)
    commitments.request(w, day)


@kernel
def simulate_day(w, record, day: int, recording: bool, acting: bool) -> None:
    """One whole day, in one call: the night (read every tie, then forget; trust in strangers forgets too),
    the day's measures (``recording``), then every mechanism of :data:`DAY` in order (``acting``)."""
    factor = forgetting.daily_factor(w, day)
    forgetting.read_then_forget(w, w.sample, factor, recording)
    generalized_trust.forget(w, factor)
    if recording:
        record_day(w, record, day)
    if acting:
        act(w, day)


class _Urgent(simpy.events.Event):
    """An already-triggered event at a given delay, with urgent priority (before anything else then)."""

    def __init__(self, env: simpy.Environment, delay: float) -> None:
        super().__init__(env)
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


def pilot_counts(scenario: Scenario) -> tuple[int, int, int]:
    """A small pilot run of ``scenario`` (:func:`sim.resources.measured`): its tie slots, events and hearsay."""
    world = Simulation(scenario, check_memory=False).run().world
    return world.ties.slots, len(world.log), len(world.hearsay) + len(world.told)


class Simulation:
    """One run of a scenario, advanced step by step. Safe for one driver thread plus reader threads."""

    def __init__(self, scenario: Scenario, spin_up_progress: Callable[[int, int], None] | None = None, *,
                 check_memory: bool = True, exporting: bool = False) -> None:
        """Build the world and spin it up; ``spin_up_progress(done, days)`` is called after each spin-up day
        (it may raise, e.g. KeyboardInterrupt, to abandon the run). ``check_memory=False`` skips the memory
        check (for :func:`pilot_counts`' small pilot run, which is what the check may run); ``exporting``: the
        run's tables will be written when it ends, and the check counts the memory that takes too."""
        # refuse up front a run that cannot fit in memory (measured by a pilot where the bound says it may not)
        size = (check_fits(scenario, count=pilot_counts, exporting=exporting) if check_memory
                else estimate(scenario))
        self.scenario = scenario
        self.days = scenario.simulation.days
        self.lock = threading.RLock()   # held per simulated day; hold it to read several things consistently
        # room for every tie and event the estimate allows (pages are taken only as they are written), so
        # that a large run never copies its tie table or its log to grow them
        self.world = World.build(scenario, log_capacity=int(size.events), tie_capacity=int(size.ties))
        self.history = History(self.world, self.days, self.world.streams.sample)
        self._day = -1
        self._spin_up(scenario.simulation.spin_up, spin_up_progress)
        self.env = simpy.Environment()
        self.env.process(self._deadlines(self.env))      # commitments the spin-up left open resolve too
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
                # with reciprocity: per contact, the favours this agent did it and it did this agent
                "favours": ((ties.target[out_slots].astype(np.int64), ties.given[out_slots].copy(),
                             ties.received[out_slots].copy()) if self.scenario.reciprocity.enabled else None),
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
        world, record = self.world.compiled, self.history.compiled
        while True:
            day = int(round(self.env.now))
            with self.lock:
                simulate_day(world, record, day, True, day < self.days)
            self._day = day
            if day >= self.days:
                return
            yield self.env.timeout(1)

    def _deadlines(self, env: simpy.Environment) -> Iterator[simpy.Event]:
        """At the start of each next whole day, before anything else on it, resolve what falls due."""
        world = self.world.compiled
        while True:
            yield _Urgent(env, 1)
            delivery.resolve_due(world, int(round(env.now)))

    def _spin_up(self, days: int, progress: Callable[[int, int], None] | None) -> None:
        """Days ``-days`` to -1 on a clock of their own: the same days as any other, no scenario events, nothing
        recorded. Commitments due by day 0 resolve within it; those due later carry over to the run."""
        if days <= 0:
            return
        env = simpy.Environment(initial_time=-days)
        world, record = self.world.compiled, self.history.compiled

        def spin() -> Iterator[simpy.Event]:
            for day in range(-days, 0):
                simulate_day(world, record, day, False, True)
                self.world.log.clear()      # nothing of the spin-up is kept, so its events need no room
                if progress is not None:
                    progress(day + days + 1, days)
                yield env.timeout(1)

        env.process(self._deadlines(env))
        env.process(spin())
        env.run(until=0)
        delivery.resolve_due(world, 0)
        self.world.begin_recording()

    def _scenario_event(self, event: ScenarioEvent) -> Iterator[simpy.Event]:
        yield self.env.timeout(event.day)
        apply_event(event, self.world, self.env.now)
