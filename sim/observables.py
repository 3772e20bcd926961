"""What a hypothesis can measure on a finished run: one number per run, named and defined here once.

- every network measure (``mean_trust`` ...) and every per-archetype measure
  (``archetype.overcommitter.reputation``), read on a day (``day``, default: the run's last), as a mean
  over days (``window = [first, last]``), or as the change since a day (``since``);
- the measures below that no daily table holds, each a function of the finished run with its own
  arguments (``args = { of = "overcommitter" }``).

An observable is identified by an :class:`Observable` (name, reading, arguments): plain data, so it
travels to a worker process and keys a cache.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from .eventlog import EventKind
from .measures import ARCHETYPE_COLUMNS, METRICS

if TYPE_CHECKING:
    from .engine import Simulation


@dataclass(frozen=True)
class Observable:
    """One number to read off a run: a measure, when (``day``/``window``/``since``), and its arguments."""

    name: str
    day: int | None = None                 # None: the run's last day
    window: tuple[int, int] | None = None
    since: int | None = None
    args: tuple[tuple[str, Any], ...] = field(default=())
    relative: bool = False                 # with ``since``: the change as a share of the value then

    def key(self) -> str:
        """A stable text key (for caches and tables)."""
        parts = [self.name]
        if self.window is not None:
            parts.append(f"window={self.window[0]}-{self.window[1]}")
        elif self.day is not None:
            parts.append(f"day={self.day}")
        if self.since is not None:
            parts.append(f"since={self.since}")
        if self.relative:
            parts.append("relative")
        parts += [f"{k}={v}" for k, v in self.args]
        return " ".join(parts)

    def describe(self) -> str:
        """How it reads in a table: ``mean_trust (day 365)``."""
        when = (f"days {self.window[0]}-{self.window[1]}" if self.window else
                f"day {self.day}" if self.day is not None else "last day")
        change = "relative change" if self.relative else "change"
        since = f", {change} since day {self.since}" if self.since is not None else ""
        args = ", ".join(f"{k} {v}" for k, v in self.args)
        if DERIVED.get(self.name):
            return f"{self.name} ({args})" if args else self.name
        return f"{self.name} ({when}{since}{', ' + args if args else ''})"


@dataclass(frozen=True)
class Derived:
    """A measure computed from the whole finished run, with the arguments it takes (name -> type)."""

    meaning: str
    args: dict[str, type]
    compute: Callable[..., float]


# ---------------------------------------------------------------- series: network and archetype measures

def _series(sim: Simulation, name: str) -> tuple[np.ndarray, np.ndarray]:
    """(days, values) of a network measure or ``archetype.NAME.COLUMN``."""
    if name in METRICS:
        history = sim.metrics_history()
        return history["day"], history[name]
    _, archetype, column = name.split(".")
    days, table = sim.archetype_history()
    k = sim.scenario.archetype_names().index(archetype)
    return days, table[:, k, ARCHETYPE_COLUMNS.index(column)]


def _at(days: np.ndarray, values: np.ndarray, day: int) -> float:
    found = np.flatnonzero(days == day)
    return float(values[found[0]]) if found.size else float("nan")


def is_series(name: str) -> bool:
    if name in METRICS:
        return True
    parts = name.split(".")
    return len(parts) == 3 and parts[0] == "archetype" and parts[2] in ARCHETYPE_COLUMNS


# ---------------------------------------------------------------- derived measures

def _members(sim: Simulation, archetype: str) -> np.ndarray:
    return sim.population.members(archetype)


def referral_gap(sim: Simulation, of: str) -> float:
    """Mean referral trust placed in those who vouched for ``of`` agents, minus that in those who vouched
    only for others (vouchers of ``of`` themselves left out). Every follower's referral opinion of a
    voucher counts, evidence or not, so with no blame at all the gap is about 0."""
    world = sim.world
    log = world.log.columns()
    targets = _members(sim, of)
    vouch = log["kind"] == EventKind.vouch
    for_them = np.unique(log["actor"][vouch & np.isin(log["target"], targets)])
    vouchers = np.unique(log["actor"][vouch])
    vouchers = vouchers[~np.isin(vouchers, targets)]
    ties, people = world.ties, world.population
    owner, slots = ties.followers_of(vouchers)
    referral = ties.referral_trust(slots, people.base_rate[ties.source[slots]])
    totals = np.bincount(owner, weights=referral, minlength=len(vouchers))
    counts = np.bincount(owner, minlength=len(vouchers))
    held = counts > 0
    mean = totals[held] / counts[held]
    blamed = np.isin(vouchers[held], for_them)
    if not blamed.any() or blamed.all():
        return float("nan")
    return float(mean[blamed].mean() - mean[~blamed].mean())


def blamed_referral_trust(sim: Simulation, of: str) -> float:
    """The referral trust that requesters let down by ``of`` agents on a voucher's word place in that voucher
    at the end of the run: a mean over the (requester, voucher) pairs of every vouch-led commitment an
    ``of`` agent broke. Voucher blame moves exactly this; without it, it is the requester's functional
    trust in the voucher."""
    log = sim.world.log.columns()
    led = (log["kind"] == EventKind.broken) & (log["subject"] >= 0) & np.isin(log["actor"], _members(sim, of))
    if not led.any():
        return float("nan")
    pairs = np.unique(np.column_stack((log["target"][led], log["subject"][led])), axis=0)
    ties = sim.world.ties
    slots = ties.slot_of(pairs[:, 0], pairs[:, 1])
    held = slots >= 0
    if not held.any():
        return float("nan")
    requesters = pairs[held, 0]
    return float(ties.referral_trust(slots[held], sim.population.base_rate[requesters]).mean())


def untie_ratio(sim: Simulation, of: str) -> float:
    """Ties dropped in distrust around each ``of`` agent, over those dropped around each other agent."""
    log = sim.world.log.columns()
    members = _members(sim, of)
    untie = log["kind"] == EventKind.untie
    around = np.isin(log["target"][untie], members).sum()
    others = sim.population.size - len(members)
    rest = untie.sum() - around
    if len(members) == 0 or others == 0 or rest == 0:
        return float("nan")
    return float((around / len(members)) / (rest / others))


def _follows(sim: Simulation, of: str, after: float) -> np.ndarray:
    log = sim.world.log.columns()
    return (log["kind"] == EventKind.follow) & np.isin(log["target"], _members(sim, of)) & (log["time"] >= after)


def follows(sim: Simulation, of: str, after: float) -> float:
    """New followers gained per ``of`` agent from day ``after`` on."""
    members = _members(sim, of)
    return float(_follows(sim, of, after).sum() / len(members)) if len(members) else float("nan")


def first_impression(sim: Simulation, of: str, after: float) -> float:
    """Mean first impression of the new followers of ``of`` agents from day ``after`` on."""
    chosen = _follows(sim, of, after)
    impressions = sim.world.log.columns()["trust_after"][chosen]
    return float(impressions.mean()) if impressions.size else float("nan")


def pitch_impression(sim: Simulation, of: str, after: float) -> float:
    """Mean first impression of ``of`` agents among every stranger their broadcasts reached from day
    ``after`` on, follower or not (each broadcast's mean, as its promote event records it)."""
    log = sim.world.log.columns()
    chosen = ((log["kind"] == EventKind.promote) & np.isin(log["actor"], _members(sim, of))
              & (log["time"] >= after) & ~np.isnan(log["trust_after"]))
    return float(log["trust_after"][chosen].mean()) if chosen.any() else float("nan")


def copied_from(sim: Simulation, of: str, mentor: str) -> float:
    """Share of ``of`` agents that copied the habits (promotion rate and vouch policy) of a ``mentor`` agent
    at least once."""
    members = _members(sim, of)
    if len(members) == 0:
        return float("nan")
    log = sim.world.log.columns()
    copied = (log["kind"] == EventKind.imitate) & np.isin(log["target"], _members(sim, mentor))
    return float(np.isin(members, log["actor"][copied]).mean())


def favours_trend(sim: Simulation, of: str) -> float:
    """Favours ``of`` agents received (requests of theirs that were accepted) per agent per day in the
    second half of the run, minus those in the first half: below 0, they were helped less as time went on."""
    members = _members(sim, of)
    if len(members) == 0 or sim.day < 2:
        return float("nan")
    log = sim.world.log.columns()
    received = (log["kind"] == EventKind.commit) & np.isin(log["target"], members)
    half = sim.day / 2
    late = (received & (log["time"] >= half)).sum()
    early = (received & (log["time"] < half)).sum()
    return float((late - early) / (len(members) * half))


def copied_share(sim: Simulation, of: str) -> float:
    """Share of ``of`` agents that promote themselves at the end (those who started at 0 copied it)."""
    members = _members(sim, of)
    return float((sim.population.promotion_rate[members] > 0).mean()) if len(members) else float("nan")


def recovery_fraction(sim: Simulation, of: str, lapse: int, reform: int, span: int) -> float:
    """Share of the reputation ``of`` agents lost from ``lapse`` to ``reform`` that they regain in the
    ``span`` days after ``reform`` (1: all of it back; below 0.5: less than half)."""
    days, values = _series(sim, f"archetype.{of}.reputation")
    before, trough, later = (_at(days, values, d) for d in (lapse, reform, reform + span))
    lost = before - trough
    return float((later - trough) / lost) if lost > 0 else float("nan")


def median_tie_evidence(sim: Simulation) -> float:
    """Median evidence (r + s, in units of one kept commitment) held on the current ties at the end of
    the run: what trust rests on beyond the prior, whose weight is 2."""
    ties = sim.world.ties
    slots = ties.alive_slots()
    return float(np.median(ties.evidence(slots))) if slots.size else float("nan")


DERIVED: dict[str, Derived] = {
    "referral_gap": Derived(referral_gap.__doc__ or "", {"of": str}, referral_gap),
    "blamed_referral_trust": Derived(blamed_referral_trust.__doc__ or "", {"of": str}, blamed_referral_trust),
    "untie_ratio": Derived(untie_ratio.__doc__ or "", {"of": str}, untie_ratio),
    "follows": Derived(follows.__doc__ or "", {"of": str, "after": float}, follows),
    "first_impression": Derived(first_impression.__doc__ or "", {"of": str, "after": float}, first_impression),
    "pitch_impression": Derived(pitch_impression.__doc__ or "", {"of": str, "after": float}, pitch_impression),
    "favours_trend": Derived(favours_trend.__doc__ or "", {"of": str}, favours_trend),
    "copied_share": Derived(copied_share.__doc__ or "", {"of": str}, copied_share),
    "copied_from": Derived(copied_from.__doc__ or "", {"of": str, "mentor": str}, copied_from),
    "median_tie_evidence": Derived(median_tie_evidence.__doc__ or "", {}, median_tie_evidence),
    "recovery_fraction": Derived(recovery_fraction.__doc__ or "",
                                 {"of": str, "lapse": int, "reform": int, "span": int}, recovery_fraction),
}


def known(name: str) -> bool:
    return is_series(name) or name in DERIVED


def evaluate(sim: Simulation, observable: Observable) -> float:
    """The observable's value on a finished run (NaN where it is undefined)."""
    if observable.name in DERIVED:
        return DERIVED[observable.name].compute(sim, **dict(observable.args))
    days, values = _series(sim, observable.name)
    if observable.window is not None:
        first, last = observable.window
        chosen = (days >= first) & (days <= last) & ~np.isnan(values)
        value = float(values[chosen].mean()) if chosen.any() else math.nan
    else:
        value = _at(days, values, sim.day if observable.day is None else observable.day)
    if observable.since is not None:
        then = _at(days, values, observable.since)
        value = (value - then) / then if observable.relative else value - then
    return value
