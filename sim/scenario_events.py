"""Scenario events (MODEL.md 7): things that happen on a given day, each a small frozen class that reads
and checks its own ``[[events]]`` table. What each one does to the world is :mod:`sim.event_effects`:
reading a scenario imports no mechanism and no world.

- :class:`Reform`: an archetype's traits (or vouch policy) change: repentance, or a lapse;
- :class:`Campaign`: a platform pushes vouch requests (× ``multiplier``) for ``duration`` days;
- :class:`Influx`: newcomers of an archetype join and follow the hubs;
- :class:`Testimony`: a named agent, or every member of an archetype, goes public about its contacts.

Every table has ``day`` (when, in days from the start), ``kind``, and optionally ``label``: what the
dashboard's feed, its charts and the reports call it, in the scenario's own words ("the enthusiasts
overcommit"). The other keys are the class's own, and a key another kind uses is refused, so a typo
never passes silently.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any, ClassVar

from .policies import VOUCH_POLICIES
from .population import TRAIT_BOUNDS
from .validation import bounded, fail, number, reject_unknown, show


@dataclass(frozen=True)
class Context:
    """What an event's table is checked against: where it is, and the scenario around it."""

    where: str
    prefix: str                      # "events[3]."
    archetypes: tuple[str, ...]
    agents: int                      # simulation.agents

    def number(self, table: dict[str, Any], key: str, default: float, low: float | None, high: float | None,
               *, integer: bool = False) -> float:
        """``table[key]`` checked as a number within [low, high], or ``default`` when absent."""
        if key not in table:
            return default
        dotted = self.prefix + key
        return bounded(number(table[key], self.where, dotted, integer=integer), self.where, dotted, low, high)

    def archetype(self, table: dict[str, Any], key: str, *, required: str = "") -> str:
        """An archetype name (``""`` if absent and not ``required``, which then says why it is needed)."""
        name = table.get(key, "")
        if not isinstance(name, str) or (name and name not in self.archetypes):
            raise fail(self.where, self.prefix + key,
                       f"unknown archetype {show(name)} (known: {', '.join(self.archetypes)})")
        if required and not name:
            raise fail(self.where, self.prefix + key, required)
        return name

    def policy(self, table: dict[str, Any]) -> str:
        policy = table.get("vouch_policy", "")
        if not isinstance(policy, str) or (policy and policy not in VOUCH_POLICIES):
            raise fail(self.where, self.prefix + "vouch_policy",
                       f"unknown policy {show(policy)} (known: {', '.join(VOUCH_POLICIES)})")
        return policy


@dataclass(frozen=True)
class ScenarioEvent:
    """Base class: ``day`` and the class's ``kind``; subclasses add their own keys as fields."""

    kind: ClassVar[str] = ""
    day: float
    label: str = ""

    @classmethod
    def parse(cls, day: float, table: dict[str, Any], context: Context) -> ScenarioEvent:
        raise NotImplementedError

    def describe(self) -> str:
        """What it is called: its ``label``, or a plain description of what it does."""
        return self.label or self.summary()

    def summary(self) -> str:
        raise NotImplementedError

    @property
    def end(self) -> float:
        """When its effect ends (the same day, for all but a campaign)."""
        return self.day

    def newcomers(self, agents: int) -> int:
        """Agents this event adds to a population that starts with ``agents``."""
        return 0

    def to_table(self) -> dict[str, Any]:
        """The event as a TOML table: day, kind, and every key that differs from its default."""
        entry: dict[str, Any] = {"day": self.day, "kind": self.kind}
        for spec in fields(self):
            value = getattr(self, spec.name)
            if spec.name != "day" and value != spec.default:
                entry[spec.name] = dict(value) if spec.name == "traits" else value
        return entry

    @classmethod
    def keys(cls) -> set[str]:
        return {spec.name for spec in fields(cls)} | {"kind"}


@dataclass(frozen=True)
class Reform(ScenarioEvent):
    """Every member of ``archetype`` takes new fixed trait values (and, if given, a new vouch policy)."""

    kind: ClassVar[str] = "reform"
    archetype: str = ""
    traits: tuple[tuple[str, float], ...] = ()
    vouch_policy: str = ""

    @classmethod
    def parse(cls, day: float, table: dict[str, Any], context: Context) -> Reform:
        archetype = context.archetype(table, "archetype", required="a reform event needs an archetype")
        traits_table = table.get("traits", {})
        if not isinstance(traits_table, dict):
            raise fail(context.where, context.prefix + "traits", "must be a table of trait = value")
        reject_unknown(traits_table, set(TRAIT_BOUNDS), context.where, context.prefix + "traits.")
        traits = Context(context.where, context.prefix + "traits.", context.archetypes, context.agents)
        changed = tuple((t, traits.number(traits_table, t, 0.0, *TRAIT_BOUNDS[t])) for t in traits_table)
        policy = context.policy(table)
        if not changed and not policy:
            raise fail(context.where, context.prefix + "traits",
                       "a reform event must change at least one trait or the policy")
        return cls(day=day, archetype=archetype, traits=changed, vouch_policy=policy)

    def summary(self) -> str:
        changes = ", ".join(f"{trait.replace('_', ' ')} {value:g}" for trait, value in self.traits)
        policy = f"{', ' if changes else ''}vouch policy {self.vouch_policy}" if self.vouch_policy else ""
        return f"the {self.archetype} change: {changes}{policy}"


@dataclass(frozen=True)
class Campaign(ScenarioEvent):
    """A platform pushes vouch requests: agents seek vouches ``multiplier`` times as often for ``duration`` days."""

    kind: ClassVar[str] = "campaign"
    duration: float = 0.0
    multiplier: float = 1.0

    @classmethod
    def parse(cls, day: float, table: dict[str, Any], context: Context) -> Campaign:
        duration = context.number(table, "duration", 0.0, 0.0, 1e6)
        if duration <= 0:
            raise fail(context.where, context.prefix + "duration", "a campaign event needs duration > 0")
        return cls(day=day, duration=duration, multiplier=context.number(table, "multiplier", 1.0, 0.0, 1000.0))

    def summary(self) -> str:
        return f"a campaign pushes vouch requests x{self.multiplier:g} for {self.duration:g} days"

    @property
    def end(self) -> float:
        return self.day + self.duration


@dataclass(frozen=True)
class Influx(ScenarioEvent):
    """Newcomers of ``archetype`` join (``count`` of them, or ``fraction`` × the starting population) and
    follow agents in proportion to their following: they find the hubs."""

    kind: ClassVar[str] = "influx"
    archetype: str = ""
    count: int = 0
    fraction: float = 0.0

    @classmethod
    def parse(cls, day: float, table: dict[str, Any], context: Context) -> Influx:
        archetype = context.archetype(table, "archetype", required="an influx event needs an archetype")
        count = int(context.number(table, "count", 0, 0, 10_000_000, integer=True))
        fraction = context.number(table, "fraction", 0.0, 0.0, 100.0)
        if (count > 0) == (fraction > 0):
            raise fail(context.where, context.prefix + "count",
                       "an influx event needs exactly one of count > 0 or fraction > 0")
        if fraction > 0 and round(fraction * context.agents) < 1:
            raise fail(context.where, context.prefix + "fraction", f"{fraction:g} of {context.agents} agents is nobody")
        return cls(day=day, archetype=archetype, count=count, fraction=fraction)

    def newcomers(self, agents: int) -> int:
        return self.count or round(self.fraction * agents)

    def summary(self) -> str:
        size = f"{self.count:,}" if self.count else f"{self.fraction:g} x the starting population of"
        return f"{size} {self.archetype} newcomers join"


@dataclass(frozen=True)
class Testimony(ScenarioEvent):
    """``agent`` (or, with agent -1, every member of ``archetype``) publishes its opinion of each of its
    contacts (only those of archetype ``about``, if given) to its followers."""

    kind: ClassVar[str] = "testimony"
    archetype: str = ""
    agent: int = -1
    about: str = ""

    @classmethod
    def parse(cls, day: float, table: dict[str, Any], context: Context) -> Testimony:
        agent = int(context.number(table, "agent", -1, -1, None, integer=True))
        if agent >= context.agents:
            raise fail(context.where, context.prefix + "agent",
                       f"agent {agent} does not exist (simulation.agents = {context.agents})")
        needs = "a testimony event needs an archetype (or an agent)" if agent < 0 else ""
        archetype = context.archetype(table, "archetype", required=needs)
        return cls(day=day, archetype=archetype, agent=agent, about=context.archetype(table, "about"))

    def summary(self) -> str:
        who = f"agent {self.agent}" if self.agent >= 0 else f"the {self.archetype}"
        return f"{who} go{'es' if self.agent >= 0 else ''} public" + (f" about the {self.about}" if self.about else "")


EVENT_TYPES: dict[str, type[ScenarioEvent]] = {cls.kind: cls for cls in (Reform, Campaign, Influx, Testimony)}
EVENT_KINDS: tuple[str, ...] = tuple(EVENT_TYPES)


def parse_event(index: int, table: Any, where: str, archetypes: tuple[str, ...], agents: int) -> ScenarioEvent:
    """The ``index``-th ``[[events]]`` table as its event class, checked (one-line ScenarioError if not)."""
    prefix = f"events[{index}]."
    if not isinstance(table, dict):
        raise fail(where, prefix.rstrip("."), "must be a table")
    kind = table.get("kind")
    if not isinstance(kind, str) or kind not in EVENT_TYPES:      # a list or a table is no kind (nor hashable)
        raise fail(where, prefix + "kind", f"unknown event kind {show(kind)} (known: {', '.join(EVENT_KINDS)})")
    cls = EVENT_TYPES[kind]
    reject_unknown(table, cls.keys(), where, prefix)
    if "day" not in table:
        raise fail(where, prefix + "day", "is required")
    day = bounded(number(table["day"], where, prefix + "day"), where, prefix + "day", 0.0, None)
    label = table.get("label", "")
    if not isinstance(label, str):
        raise fail(where, prefix + "label", f"must be a string, got {show(label)}")
    return replace(cls.parse(day, table, Context(where, prefix, archetypes, agents)), label=label)
