"""The simulation: SimPy drives time, numpy does each day's work in batches.

Time is in days. Three kinds of SimPy event move the world:

- the *day* process wakes on every whole day, samples the network measures (the state at the start of
  that day), then lets every agent act for the day: imitate, promote, seek vouches, ask for favours.
  Each action gets a time inside the day; all of a day's actions are drawn and applied as arrays.
- a *deadline* event per whole day on which commitments fall due (scheduled with urgent priority, so
  outcomes land before anything else that day) resolves that day's commitments together;
- one process per *scenario event* (reform, campaign, influx, testimony) fires on its day.

Within a day the behaviours run in a fixed order (imitate, promote, vouch, ask), each drawn for every
agent at once, and each sees what the earlier ones changed: a tie made by a promotion can be asked for
a favour the same day. Outcomes are stamped with their deadlines; what follows from them (testimony,
broken ties) is stamped with the whole day on which they land. Randomness comes from one ``numpy``
generator tree rooted at the scenario's seed, consumed in a fixed order, so a seed reproduces a run
exactly, however the run is chunked into :meth:`Simulation.advance` calls.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import simpy
from simpy.events import URGENT

from . import policies
from .config import TRAITS, Scenario, ScenarioEvent
from .events import EventKind, EventLog
from .metrics import ARCHETYPE_COLUMNS, METRICS, TrustView, archetype_measures, network_measures
from .network import choose_targets, pareto_fitness, past_dealings, seed_ties
from .population import Population, initial_archetypes
from .ties import TieTable
from .trust import discount_arrays, evidence_from_opinion

TRACKED_AGENTS = 2048   # agents whose reputation is kept day by day (all of them in small runs)


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

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.days = scenario.simulation.days
        root = np.random.SeedSequence(scenario.simulation.seed)
        setup_seed, network_seed, dynamics_seed, sample_seed = root.spawn(4)
        self.rng = np.random.Generator(np.random.PCG64(dynamics_seed))
        self.lock = threading.RLock()   # held per simulated day; hold it to read several things consistently
        self.population = Population(scenario)
        self.ties = TieTable(capacity=max(1024, int(scenario.simulation.agents * scenario.network.mean_degree * 1.5)))
        self.log = EventLog()
        self.env = simpy.Environment()
        self.ties_broken = 0
        self.vouch_kept = 0
        self.vouch_broken = 0
        self._pending: dict[int, list[tuple[np.ndarray, ...]]] = {}
        self._campaigns: list[tuple[float, float]] = []
        self._metric_days: list[int] = []
        self._metric_rows: list[np.ndarray] = []
        self._archetype_rows: list[np.ndarray] = []
        self._tracked_rows: list[np.ndarray] = []
        self._reputation = np.empty(0)
        self._day = -1

        self._populate(np.random.Generator(np.random.PCG64(setup_seed)),
                       np.random.Generator(np.random.PCG64(network_seed)))
        capacity = len(self.population.archetype)
        sampler = np.random.Generator(np.random.PCG64(sample_seed))
        self.tracked = np.sort(sampler.choice(capacity, size=min(capacity, TRACKED_AGENTS), replace=False))
        for event in scenario.events:
            self.env.process(self._scenario_event(event))
        self.env.process(self._days())
        self.env.run(until=0.5)

    # ================================================================== public API
    @property
    def day(self) -> int:
        """The last whole day simulated (its measures are sampled, its actions done)."""
        return self._day

    @property
    def finished(self) -> bool:
        return self._day >= self.days

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
            latest = self._metric_rows[-1]
            archetype_rows = self._archetype_rows[-1]
            agent_state = {}
            if agents:
                people = self.population
                agent_state = {
                    "archetype": people.view("archetype").copy(),
                    "reputation": self._reputation.copy(),
                    "reliability": people.view("reliability").copy(),
                    "followers": people.view("followers").copy(),
                    "promises_kept": people.view("promises_kept").copy(),
                    "promises_broken": people.view("promises_broken").copy(),
                }
            return Snapshot(
                scenario=self.scenario.name,
                seed=self.scenario.simulation.seed,
                day=self._day,
                days=self.days,
                finished=self.finished,
                metrics=dict(zip(METRICS, latest.tolist(), strict=True)),
                archetype_names=self.scenario.archetype_names(),
                archetypes={c: archetype_rows[:, i].copy() for i, c in enumerate(ARCHETYPE_COLUMNS)},
                events=self.log.tail(recent_events),
                events_total=len(self.log),
                agents=agent_state,
            )

    def metrics_history(self, start: int = 0) -> dict[str, np.ndarray]:
        """Daily measures from sample index ``start`` on (copies only the new rows): ``day`` + METRICS."""
        with self.lock:
            rows = self._metric_rows[start:]
            days = self._metric_days[start:]
        table = np.vstack(rows) if rows else np.empty((0, len(METRICS)))
        return {"day": np.asarray(days, dtype=np.int32), **{m: table[:, i] for i, m in enumerate(METRICS)}}

    def archetype_history(self, start: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """(days, array[day, archetype, column]) from sample index ``start`` on."""
        with self.lock:
            rows = self._archetype_rows[start:]
            days = self._metric_days[start:]
        k = len(self.scenario.archetypes)
        stacked = np.stack(rows) if rows else np.empty((0, k, len(ARCHETYPE_COLUMNS)))
        return np.asarray(days, dtype=np.int32), stacked

    def reputation_history(self, agent: int) -> tuple[np.ndarray, np.ndarray]:
        """(days, reputation) of a tracked agent; empty arrays for an agent that is not tracked."""
        with self.lock:
            where = np.searchsorted(self.tracked, agent)
            if where >= len(self.tracked) or self.tracked[where] != agent:
                return np.empty(0, dtype=np.int32), np.empty(0)
            values = np.array([row[where] for row in self._tracked_rows], dtype=np.float64)
            return np.asarray(self._metric_days, dtype=np.int32), values

    def agent(self, agent: int) -> dict:
        """Everything the inspector shows about one agent (raises IndexError for an unknown id)."""
        with self.lock:
            people, ties = self.population, self.ties
            if not 0 <= agent < people.size:
                raise IndexError(f"no agent {agent} (agents are 0..{people.size - 1})")
            base = people.view("base_rate")
            in_slots = ties.followers_of(np.array([agent]))[1]
            out_slots = ties.contacts_of(np.array([agent]))[1]
            trusters = ties.source[in_slots]
            log = self.log.columns()
            vouched = (log["kind"] == EventKind.vouch) & (log["actor"] == agent)
            outcome = np.isin(log["kind"], (EventKind.kept, EventKind.broken)) & (log["subject"] == agent)
            return {
                "agent": agent,
                "archetype": self.scenario.archetypes[people.archetype[agent]].name,
                "traits": {t: float(getattr(people, t)[agent]) for t in TRAITS},
                "vouch_policy": policies.POLICIES[people.vouch_policy[agent]].name,
                "followers": int(people.followers[agent]),
                "following": len(out_slots),
                "reputation": float(self._reputation[agent]) if agent < len(self._reputation) else float("nan"),
                "promises_kept": int(people.promises_kept[agent]),
                "promises_broken": int(people.promises_broken[agent]),
                "vouches_given": int(people.vouches_given[agent]),
                "vouches_failed": int(people.vouches_failed[agent]),
                "trusted_by": (trusters, ties.trust(in_slots, base[trusters])),
                "vouched_for": log["target"][vouched],
                "vouch_outcomes": (log["actor"][outcome], log["kind"][outcome] == EventKind.kept),
            }

    # ================================================================== set-up
    def _populate(self, setup: np.random.Generator, network: np.random.Generator) -> None:
        scenario = self.scenario
        ids = self.population.add(initial_archetypes(scenario, setup), setup)
        fitness = pareto_fitness(len(ids), scenario.network.degree_exponent, network)
        sources, targets = seed_ties(ids, fitness, scenario.network, network)
        positive, negative, dealings = past_dealings(self.population.reliability[targets],
                                                     scenario.network.history, scenario.trust.asymmetry, network)
        self._tie(sources, targets, positive, negative, 0.0, dealings)

    # ================================================================== processes
    def _days(self):
        yield self.env.timeout(0)   # let scenario events of day 0 go first, as on every other day
        while True:
            day = int(round(self.env.now))
            last = day >= self.days
            # the day's forgetting rides on the sample's pass over every tie, after the sample reads it
            self._sample(day, forget=1.0 if last else self.scenario.trust.forgetting)
            self._day = day
            if last:
                return
            self._act(day)
            yield self.env.timeout(1)

    def _scenario_event(self, event: ScenarioEvent):
        yield self.env.timeout(event.day)
        handler = {"reform": self._reform, "campaign": self._campaign, "influx": self._influx,
                   "testimony": self._testimony}[event.kind]
        handler(event)

    def _act(self, day: int) -> None:
        self._imitate(day)
        self._promote(day)
        self._vouch(day)
        self._request(day)

    # ================================================================== measures
    def _sample(self, day: int, forget: float) -> None:
        """Record the measures of the day's start, then let every tie forget by ``forget`` (λ)."""
        with self.lock:
            view = TrustView(self, forget=forget)
            measures = network_measures(self, view)
            self._metric_rows.append(np.array([measures[m] for m in METRICS]))
            self._archetype_rows.append(archetype_measures(self, view))
            self._metric_days.append(day)
            tracked = np.full(len(self.tracked), np.nan, dtype=np.float32)
            known = self.tracked < len(view.reputation)
            tracked[known] = view.reputation[self.tracked[known]]
            self._tracked_rows.append(tracked)
            self._reputation = view.reputation

    # ================================================================== ties
    def _tie(self, sources: np.ndarray, targets: np.ndarray, positive: np.ndarray | float,
             negative: np.ndarray | float, time: float, dealings: np.ndarray | float = 0.0) -> np.ndarray:
        created = self.ties.add(sources, targets, positive, negative, time, dealings)
        np.add.at(self.population.followers, np.asarray(targets)[created], 1)
        return created

    def _untie_if_distrusted(self, slots: np.ndarray, times: np.ndarray) -> None:
        """Drop ties whose trust fell below the threshold once there is enough evidence."""
        trust_config = self.scenario.trust
        live = (slots >= 0)
        live[live] = self.ties.alive[slots[live]]
        slots, times = slots[live], times[live]
        if slots.size == 0:
            return
        sources = self.ties.source[slots]
        trust = self.ties.trust(slots, self.population.base_rate[sources])
        drop = (trust < trust_config.untie_threshold) & (self.ties.evidence(slots) >= trust_config.untie_evidence)
        if not drop.any():
            return
        slots, times, trust = slots[drop], times[drop], trust[drop]
        slots, first = np.unique(slots, return_index=True)
        times, trust = times[first], trust[first]
        removed = self.ties.remove(slots)
        np.add.at(self.population.followers, self.ties.target[removed], -1)
        self.ties_broken += len(removed)
        self.log.append(times, EventKind.untie, self.ties.source[slots], self.ties.target[slots],
                        trust_after=trust)

    # ================================================================== behaviours
    def _imitate(self, day: int) -> None:
        """Agents with imitation look at someone they follow and copy a more-followed one's habits."""
        people = self.population
        chance = people.view("imitation") * self.scenario.imitation.rate
        if not chance.any():
            return
        looking = np.flatnonzero(self.rng.random(people.size) < chance)
        _, mentors = self.ties.random_contact(looking, self.rng)
        ok = mentors >= 0
        looking, mentors = looking[ok], mentors[ok]
        better = people.followers[mentors] > people.followers[looking]
        looking, mentors = looking[better], mentors[better]
        if looking.size == 0:
            return
        people.promotion_rate[looking] = people.promotion_rate[mentors]
        people.vouch_policy[looking] = people.vouch_policy[mentors]
        self.log.append(day + self.rng.random(len(looking)), EventKind.imitate, looking, mentors)

    def _social_proof(self, agents: np.ndarray) -> np.ndarray:
        """0..1: how impressive an agent's following looks (log scale, saturating)."""
        scale = self.scenario.promotion.follower_scale
        return np.minimum(1.0, np.log1p(self.population.followers[agents]) / np.log1p(scale))

    def _first_impression(self, viewers: np.ndarray, viewed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """A stranger's first trust in an agent, raised by its follower count: (trust, positive evidence)."""
        people = self.population
        base = people.base_rate[viewers]
        trust = base + people.popularity_bias[viewers] * self._social_proof(viewed) * (1.0 - base)
        # the pseudo-evidence that gives that expectation with the viewer's base rate
        positive = 2.0 * (trust - base) / np.maximum(1.0 - trust, 1e-9)
        return trust, positive

    def _promote(self, day: int) -> None:
        """Self-promotion: broadcasts reach non-followers, who follow on social proof and then ask."""
        people, config = self.population, self.scenario.promotion
        broadcasts = self.rng.poisson(people.view("promotion_rate"))
        promoters = np.repeat(np.arange(people.size), broadcasts)
        if promoters.size == 0:
            return
        times = day + self.rng.random(len(promoters))
        self.log.append(times, EventKind.promote, promoters)
        sources = np.repeat(promoters, config.reach)
        times = np.repeat(times, config.reach)
        audience = self.rng.integers(0, people.size, len(sources))
        reached = (audience != sources) & ~self.ties.known(audience, sources)
        chance = config.follow_base + config.social_proof * people.popularity_bias[audience] * self._social_proof(sources)
        follows = reached & (self.rng.random(len(sources)) < chance)
        audience, sources, times = audience[follows], sources[follows], times[follows]
        trust, positive = self._first_impression(audience, sources)
        created = self._tie(audience, sources, positive, 0.0, day)
        audience, sources, times, trust = audience[created], sources[created], times[created], trust[created]
        self.log.append(times, EventKind.follow, audience, sources,
                        trust_before=people.base_rate[audience], trust_after=trust)
        # "Followers then ask i for things": a follow is for what the promoter offers, so a new follower
        # asks at once, as a vouch-led tie does; an unreliable self-promoter breaks many promises at once
        self._ask(audience, sources, np.full(len(audience), -1), times)

    def _campaign_multiplier(self, day: int) -> float:
        multiplier = 1.0
        for end, factor in self._campaigns:
            if day < end:
                multiplier *= factor
        return multiplier

    def _vouch(self, day: int) -> None:
        """Seekers ask a contact to recommend them to one of that contact's followers who does not know them."""
        people, ties, config = self.population, self.ties, self.scenario.vouching
        rate = people.view("seek_rate") * self._campaign_multiplier(day)
        # most agents never seek; a rate of 0 draws nothing from the generator, so skipping them keeps
        # the random stream exactly as it would be
        candidates = np.flatnonzero(rate)
        seekers = np.repeat(candidates, self.rng.poisson(rate[candidates]))
        if seekers.size == 0:
            return
        _, vouchers = ties.random_contact(seekers, self.rng)
        referral_slot, audience = ties.random_follower(np.maximum(vouchers, 0), self.rng)
        ok = (vouchers >= 0) & (audience >= 0) & (audience != seekers)
        seekers, vouchers, audience, referral_slot = seekers[ok], vouchers[ok], audience[ok], referral_slot[ok]
        strangers = ~ties.known(audience, seekers)
        seekers, vouchers, audience, referral_slot = (seekers[strangers], vouchers[strangers],
                                                      audience[strangers], referral_slot[strangers])
        if seekers.size == 0:
            return
        times = day + self.rng.random(len(seekers))
        # the voucher's own view of the seeker: its evidence if it has a tie, else its base rate
        own_slot = ties.find(vouchers, seekers)
        has = own_slot >= 0
        own_trust = people.base_rate[vouchers].copy()
        own_trust[has] = ties.trust(own_slot[has], people.base_rate[vouchers[has]])
        dealings = np.zeros(len(seekers))
        dealings[has] = ties.dealings[own_slot[has]]
        yes = policies.decide(people.vouch_policy[vouchers], own_trust, dealings, config)
        no = ~yes
        self.log.append(times[no], EventKind.refuse, vouchers[no], seekers[no], audience[no])
        seekers, vouchers, audience, referral_slot, times = (seekers[yes], vouchers[yes], audience[yes],
                                                             referral_slot[yes], times[yes])
        if seekers.size == 0:
            return
        np.add.at(people.vouches_given, vouchers, 1)
        # transitivity: the audience discounts the endorsement by its referral trust in the voucher
        base = people.base_rate[audience]
        referral = ties.referral_trust(referral_slot, base)
        belief, disbelief, uncertainty = discount_arrays(referral, config.endorsement, 0.0)
        first_opinion = belief + base * uncertainty
        positive, negative = evidence_from_opinion(belief, disbelief, uncertainty)
        self.log.append(times, EventKind.vouch, vouchers, seekers, audience, base, first_opinion)
        convinced = first_opinion >= config.tie_threshold
        audience, seekers, vouchers, times = (audience[convinced], seekers[convinced], vouchers[convinced],
                                              times[convinced])
        created = self._tie(audience, seekers, positive[convinced], negative[convinced], day)
        self._ask(audience[created], seekers[created], vouchers[created], times[created])

    def _request(self, day: int) -> None:
        """Everyone asks contacts for favours at their own request rate."""
        people = self.population
        requesters = np.repeat(np.arange(people.size), self.rng.poisson(people.view("request_rate")))
        if requesters.size == 0:
            return
        _, providers = self.ties.random_contact(requesters, self.rng)
        ok = providers >= 0
        requesters, providers = requesters[ok], providers[ok]
        times = day + self.rng.random(len(requesters))
        self._ask(requesters, providers, np.full(len(requesters), -1), times)

    def _ask(self, requesters: np.ndarray, providers: np.ndarray, vouchers: np.ndarray,
             times: np.ndarray) -> None:
        """Providers accept by their acceptance; an accepted request becomes a commitment with a deadline."""
        if requesters.size == 0:
            return
        people, config = self.population, self.scenario.commitments
        accepted = self.rng.random(len(requesters)) < people.acceptance[providers]
        declined = ~accepted
        self.log.append(times[declined], EventKind.decline, providers[declined], requesters[declined],
                        vouchers[declined])
        requesters, providers, vouchers, times = (requesters[accepted], providers[accepted],
                                                  vouchers[accepted], times[accepted])
        if requesters.size == 0:
            return
        self.log.append(times, EventKind.commit, providers, requesters, vouchers)
        np.add.at(people.load, providers, 1)
        due = times + self.rng.uniform(config.duration_min, config.duration_max, len(times))
        self._schedule(requesters, providers, vouchers, due)

    def _schedule(self, requesters: np.ndarray, providers: np.ndarray, vouchers: np.ndarray,
                  due: np.ndarray) -> None:
        """File commitments under the whole day they fall due; one SimPy deadline event per such day."""
        due_day = np.ceil(due).astype(np.int64)
        order = np.argsort(due_day, kind="stable")
        due_day = due_day[order]
        # sorted once, so each day's batch is a slice (a view), not four gathers
        columns = tuple(column[order] for column in (requesters, providers, vouchers, due))
        starts = np.flatnonzero(np.concatenate(([True], due_day[1:] != due_day[:-1])))
        ends = np.append(starts[1:], len(due_day))
        for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
            day = int(due_day[start])
            batch = tuple(column[start:end] for column in columns)
            if day not in self._pending:
                self._pending[day] = []
                _Deadline(self.env, day - self.env.now, lambda _event, day=day: self._resolve(day))
            self._pending[day].append(batch)

    def _resolve(self, day: int) -> None:
        """Deadlines: each provider keeps or breaks, with reliability reduced above capacity."""
        people, ties, trust_config = self.population, self.ties, self.scenario.trust
        requesters, providers, vouchers, times = (np.concatenate(c) for c in zip(*self._pending.pop(day),
                                                                                strict=True))
        load = people.load[providers].astype(np.float64)
        overload = np.minimum(1.0, people.capacity[providers] / np.maximum(load, 1.0))
        kept = self.rng.random(len(providers)) < people.reliability[providers] * overload
        broken = ~kept
        np.add.at(people.load, providers, -1)
        np.add.at(people.promises_kept, providers[kept], 1)
        np.add.at(people.promises_broken, providers[broken], 1)

        asymmetry = trust_config.asymmetry
        slots = ties.find(requesters, providers)
        has = slots >= 0
        base = people.base_rate[requesters]
        before = np.full(len(slots), np.nan)
        before[has] = ties.trust(slots[has], base[has])
        np.add.at(ties.positive, slots[has & kept], 1.0)
        np.add.at(ties.negative, slots[has & broken], asymmetry)
        np.add.at(ties.dealings, slots[has], np.float32(1.0))   # a float64 1.0 takes a 30x slower path
        after = np.full(len(slots), np.nan)
        after[has] = ties.trust(slots[has], base[has])
        for mask, kind in ((kept, EventKind.kept), (broken, EventKind.broken)):
            self.log.append(times[mask], kind, providers[mask], requesters[mask], vouchers[mask],
                            before[mask], after[mask])

        self._learn_generalized_trust(requesters, kept)
        self._blame_vouchers(requesters, vouchers, kept)
        # outcomes are stamped with their deadlines; what follows from them happens now, when they land
        now = np.full(len(slots), float(day))
        # the let-down speak up before they walk away: the most disappointed must not fall silent
        speak = broken & (self.rng.random(len(broken)) < self.scenario.testimony.probability)
        self._testify(requesters[speak], providers[speak], now[speak])
        self._untie_if_distrusted(slots, now)

    def _learn_generalized_trust(self, requesters: np.ndarray, kept: np.ndarray) -> None:
        """Each outcome pulls the requester's base rate toward 1 (kept) or 0 (broken, ``asymmetry`` times)."""
        config, people = self.scenario.trust, self.population
        keep_rate = 1.0 - config.generalized_learning
        n = people.size
        kept_count = np.bincount(requesters[kept], minlength=n)
        broken_count = np.bincount(requesters[~kept], minlength=n)
        touched = np.flatnonzero(kept_count + broken_count)
        base = people.base_rate[touched]
        base = 1.0 - (1.0 - base) * keep_rate ** kept_count[touched]
        base = base * keep_rate ** (config.asymmetry * broken_count[touched])
        people.base_rate[touched] = base

    def _blame_vouchers(self, requesters: np.ndarray, vouchers: np.ndarray, kept: np.ndarray) -> None:
        """Whoever vouched shares the outcome: the requester's referral evidence about the voucher moves."""
        led = vouchers >= 0
        if not led.any():
            return
        requesters, vouchers, kept = requesters[led], vouchers[led], kept[led]
        self.vouch_kept += int(kept.sum())
        self.vouch_broken += int((~kept).sum())
        np.add.at(self.population.vouches_failed, vouchers[~kept], 1)
        slots = self.ties.find(requesters, vouchers)
        has = slots >= 0
        np.add.at(self.ties.ref_positive, slots[has & kept], 1.0)
        np.add.at(self.ties.ref_negative, slots[has & ~kept], self.scenario.trust.asymmetry)

    def _testify(self, authors: np.ndarray, subjects: np.ndarray, times: np.ndarray) -> None:
        """Authors publish their opinion of subjects; followers who know the subject take it in,
        discounted by their referral trust in the author (the blog post)."""
        ties, people = self.ties, self.population
        author_slot = ties.find(authors, subjects)
        has = author_slot >= 0
        authors, subjects, times, author_slot = authors[has], subjects[has], times[has], author_slot[has]
        if authors.size == 0:
            return
        positive, negative = ties.positive[author_slot], ties.negative[author_slot]
        total = positive + negative + 2.0
        belief, disbelief = positive / total, negative / total
        opinion = ties.trust(author_slot, people.base_rate[authors])
        self.log.append(times, EventKind.testify, authors, subjects, trust_after=opinion)
        owner, follower_slot = ties.followers_of(authors)
        followers = ties.source[follower_slot]
        heard_slot = ties.find(followers, subjects[owner])
        knows = heard_slot >= 0
        owner, follower_slot, followers, heard_slot = (owner[knows], follower_slot[knows], followers[knows],
                                                       heard_slot[knows])
        referral = ties.referral_trust(follower_slot, people.base_rate[followers])
        b, d, u = discount_arrays(referral, belief[owner], disbelief[owner])
        add_positive, add_negative = evidence_from_opinion(b, d, u)
        np.add.at(ties.positive, heard_slot, add_positive)
        np.add.at(ties.negative, heard_slot, add_negative)
        self._untie_if_distrusted(heard_slot, times[owner])

    # ================================================================== scenario events
    def _reform(self, event: ScenarioEvent) -> None:
        members = self.population.members(event.archetype)
        for trait, value in event.traits:
            getattr(self.population, trait)[members] = value
        self.population.traits_changed()
        if event.vouch_policy:
            self.population.vouch_policy[members] = policies.POLICY_CODE[event.vouch_policy]
        self.log.append(self.env.now, EventKind.reform, members)

    def _campaign(self, event: ScenarioEvent) -> None:
        self._campaigns.append((event.day + event.duration, event.multiplier))
        self.log.append(self.env.now, EventKind.campaign, -1)

    def _influx(self, event: ScenarioEvent) -> None:
        """Newcomers join and follow agents in proportion to their following (they find the hubs)."""
        people = self.population
        index = self.scenario.archetype_index(event.archetype)
        existing = people.size
        count = self.scenario.newcomers(event)
        newcomers = people.add(np.full(count, index, dtype=np.int16), self.rng, self.env.now)
        degree = self.rng.poisson(self.scenario.network.mean_degree, count)
        sources = np.repeat(newcomers, degree)
        targets = choose_targets(people.followers[:existing] + 1.0, len(sources), self.rng)
        _, positive = self._first_impression(sources, targets)
        self._tie(sources, targets, positive, 0.0, self.env.now)
        self.log.append(self.env.now, EventKind.influx, newcomers)

    def _testimony(self, event: ScenarioEvent) -> None:
        """A named agent (or every member of an archetype) goes public about its contacts."""
        authors = np.array([event.agent]) if event.agent >= 0 else self.population.members(event.archetype)
        owner, slots = self.ties.contacts_of(authors)
        subjects = self.ties.target[slots]
        if event.about:
            about = self.scenario.archetype_index(event.about)
            chosen = self.population.archetype[subjects] == about
            owner, subjects = owner[chosen], subjects[chosen]
        self._testify(authors[owner], subjects, np.full(len(subjects), self.env.now))
