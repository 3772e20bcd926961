"""Scenario configuration: typed, frozen, validated.

A scenario is a TOML file. It is read into plain dicts, dotted ``--set`` overrides are applied to those
dicts, and the result is validated into frozen dataclasses. Every problem is reported as one
:class:`ScenarioError` line naming the file and the dotted key, so the CLI and the dashboard can show it
without a traceback.

Trait distributions are written either as a number (a fixed value) or as ``[low, high]`` (uniform).
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import tomli_w

VOUCH_POLICIES = ("discerning", "experience", "indiscriminate", "never")
EVENT_KINDS = ("reform", "campaign", "influx", "testimony")
SCENARIO_DIR = Path(__file__).resolve().parent.parent / "scenarios"


class ScenarioError(ValueError):
    """A one-line, user-facing problem with a scenario (file, key, what is wrong)."""


def _spec(default: Any, low: float | None = None, high: float | None = None, *, doc: str = "",
          low_open: bool = False) -> Any:
    return field(default=default, metadata={"low": low, "high": high, "doc": doc, "low_open": low_open})


@dataclass(frozen=True)
class ScenarioInfo:
    name: str = _spec("unnamed", doc="scenario name")
    description: str = _spec("", doc="what the scenario shows")
    case_study: str = _spec("", doc="which case study it comes from")


@dataclass(frozen=True)
class SimulationConfig:
    agents: int = _spec(1000, 2, 10_000_000, doc="number of agents at day 0")
    days: int = _spec(365, 1, 100_000, doc="days to simulate")
    seed: int = _spec(1, 0, 2**63 - 1, doc="root seed of the random generator tree")


@dataclass(frozen=True)
class NetworkConfig:
    mean_degree: float = _spec(10.0, 0.0, 1000.0, low_open=True, doc="mean ties an agent starts with")
    degree_exponent: float = _spec(2.5, 2.0, 10.0, low_open=True, doc="power-law exponent of popularity")
    reciprocity: float = _spec(0.4, 0.0, 1.0, doc="chance a seeded tie is returned")
    history: float = _spec(3.0, 0.0, 1000.0, doc="mean past dealings on a seeded tie")


@dataclass(frozen=True)
class TrustConfig:
    asymmetry: float = _spec(3.0, 1.0, 100.0, doc="negative evidence units per broken commitment (kept = 1)")
    forgetting: float = _spec(0.995, 0.0, 1.0, low_open=True, doc="evidence decay factor per day (1 keeps all)")
    generalized_learning: float = _spec(0.02, 0.0, 1.0, doc="how far one experience moves generalized trust")
    untie_threshold: float = _spec(0.35, 0.0, 1.0, doc="trust below which a tie is dropped")
    untie_evidence: float = _spec(4.0, 0.0, 1e6, doc="evidence needed before a tie is dropped")


@dataclass(frozen=True)
class CommitmentConfig:
    duration_min: float = _spec(2.0, 0.0, 1000.0, low_open=True, doc="shortest deadline, days")
    duration_max: float = _spec(10.0, 0.0, 1000.0, low_open=True, doc="longest deadline, days")


@dataclass(frozen=True)
class VouchingConfig:
    threshold: float = _spec(0.75, 0.0, 1.0, doc="own trust a discerning voucher needs")
    min_dealings: float = _spec(3.0, 0.0, 1e6, doc="direct evidence an experience voucher needs")
    endorsement: float = _spec(0.8, 0.0, 1.0, doc="belief a vouch asserts (a 'yes')")
    tie_threshold: float = _spec(0.6, 0.0, 1.0, doc="first opinion needed to tie to the recommended agent")


@dataclass(frozen=True)
class PromotionConfig:
    reach: int = _spec(10, 0, 100_000, doc="non-followers one broadcast reaches")
    follow_base: float = _spec(0.02, 0.0, 1.0, doc="chance to follow with no social proof")
    social_proof: float = _spec(0.3, 0.0, 1.0, doc="extra follow chance from a large following")
    follower_scale: float = _spec(100.0, 1.0, 1e9, doc="follower count at which social proof saturates")


@dataclass(frozen=True)
class TestimonyConfig:
    probability: float = _spec(0.1, 0.0, 1.0, doc="chance a let-down agent publishes its opinion")


@dataclass(frozen=True)
class ImitationConfig:
    rate: float = _spec(0.05, 0.0, 1.0, doc="chance per day that an imitating agent looks at a mentor")


TraitRange = tuple[float, float]

TRAIT_BOUNDS: dict[str, tuple[float, float]] = {
    "reliability": (0.0, 1.0),
    "capacity": (0.0, 1e6),
    "acceptance": (0.0, 1.0),
    "request_rate": (0.0, 100.0),
    "seek_rate": (0.0, 100.0),
    "promotion_rate": (0.0, 100.0),
    "popularity_bias": (0.0, 1.0),
    "imitation": (0.0, 1.0),
    "base_rate": (0.0, 1.0),
}
TRAITS = tuple(TRAIT_BOUNDS)


@dataclass(frozen=True)
class Archetype:
    """A named mix of traits; each trait is (low, high), drawn uniformly per agent."""

    name: str
    share: float
    reliability: TraitRange = (0.9, 0.9)
    capacity: TraitRange = (4.0, 4.0)
    acceptance: TraitRange = (0.7, 0.7)
    request_rate: TraitRange = (0.1, 0.1)
    seek_rate: TraitRange = (0.02, 0.02)
    promotion_rate: TraitRange = (0.0, 0.0)
    popularity_bias: TraitRange = (0.2, 0.2)
    imitation: TraitRange = (0.0, 0.0)
    base_rate: TraitRange = (0.5, 0.5)
    vouch_policy: str = "discerning"


@dataclass(frozen=True)
class ScenarioEvent:
    """Something that happens on a given day: reform, campaign, influx or testimony."""

    day: float
    kind: str
    archetype: str = ""
    traits: tuple[tuple[str, float], ...] = ()   # reform: trait -> new fixed value
    vouch_policy: str = ""                        # reform: new policy ("" keeps it)
    duration: float = 0.0                         # campaign: days
    multiplier: float = 1.0                       # campaign: vouch requests x multiplier
    count: int = 0                                # influx: newcomers
    fraction: float = 0.0                         # influx: newcomers as a share of simulation.agents
    agent: int = -1                               # testimony: who goes public (-1: all of archetype)
    about: str = ""                               # testimony: archetype it speaks about ("" any)


@dataclass(frozen=True)
class Scenario:
    scenario: ScenarioInfo = ScenarioInfo()
    simulation: SimulationConfig = SimulationConfig()
    network: NetworkConfig = NetworkConfig()
    trust: TrustConfig = TrustConfig()
    commitments: CommitmentConfig = CommitmentConfig()
    vouching: VouchingConfig = VouchingConfig()
    promotion: PromotionConfig = PromotionConfig()
    testimony: TestimonyConfig = TestimonyConfig()
    imitation: ImitationConfig = ImitationConfig()
    archetypes: tuple[Archetype, ...] = ()
    events: tuple[ScenarioEvent, ...] = ()

    @property
    def name(self) -> str:
        return self.scenario.name

    def newcomers(self, event: ScenarioEvent) -> int:
        """How many agents an influx event adds (a fixed count, or a share of the starting population)."""
        return event.count or round(event.fraction * self.simulation.agents)

    def archetype_names(self) -> tuple[str, ...]:
        return tuple(a.name for a in self.archetypes)

    def archetype_index(self, name: str) -> int:
        """The position of a (validated) archetype name; agents store this index."""
        return self.archetype_names().index(name)

    def with_overrides(self, overrides: dict[str, Any], where: str = "--set") -> Scenario:
        """A new scenario with dotted-key overrides applied, validated again."""
        raw = to_dict(self)
        apply_overrides(raw, overrides, where)
        return from_dict(raw, where)


_SECTIONS = {
    "scenario": ScenarioInfo,
    "simulation": SimulationConfig,
    "network": NetworkConfig,
    "trust": TrustConfig,
    "commitments": CommitmentConfig,
    "vouching": VouchingConfig,
    "promotion": PromotionConfig,
    "testimony": TestimonyConfig,
    "imitation": ImitationConfig,
}


# ---------------------------------------------------------------- validation helpers

def _fail(where: str, key: str, problem: str) -> ScenarioError:
    return ScenarioError(f"{where}: {key}: {problem}" if key else f"{where}: {problem}")


def _number(value: Any, where: str, key: str, *, integer: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        kind = "an integer" if integer else "a number"
        raise _fail(where, key, f"must be {kind}, got {value!r}")
    if isinstance(value, float) and not math.isfinite(value):
        raise _fail(where, key, f"must be finite, got {value!r}")
    if integer:
        if isinstance(value, float) and not value.is_integer():
            raise _fail(where, key, f"must be an integer, got {value!r}")
        return int(value)
    return float(value)


def _bounded(value: float, where: str, key: str, low: float | None, high: float | None,
             low_open: bool = False) -> float:
    if low is not None and (value < low or (low_open and value == low)):
        relation = ">" if low_open else ">="
        raise _fail(where, key, f"must be {relation} {low:g}, got {value:g}")
    if high is not None and value > high:
        raise _fail(where, key, f"must be <= {high:g}, got {value:g}")
    return value


def _reject_unknown(table: dict[str, Any], allowed: set[str], where: str, prefix: str) -> None:
    for key in table:
        if key not in allowed:
            known = ", ".join(sorted(allowed))
            raise _fail(where, f"{prefix}{key}", f"unknown key (known: {known})")


def _section(cls: type, table: Any, where: str, prefix: str) -> Any:
    if not isinstance(table, dict):
        raise _fail(where, prefix.rstrip("."), "must be a table")
    specs = {f.name: f for f in fields(cls)}
    _reject_unknown(table, set(specs), where, prefix)
    values: dict[str, Any] = {}
    for name, value in table.items():
        spec = specs[name]
        key = f"{prefix}{name}"
        if spec.type in ("str", str):
            if not isinstance(value, str):
                raise _fail(where, key, f"must be a string, got {value!r}")
            values[name] = value
            continue
        number = _number(value, where, key, integer=spec.type in ("int", int))
        values[name] = _bounded(number, where, key, spec.metadata["low"], spec.metadata["high"],
                                spec.metadata["low_open"])
    return cls(**values)


def _trait(value: Any, where: str, key: str, bounds: tuple[float, float]) -> TraitRange:
    if isinstance(value, list):
        if len(value) != 2:
            raise _fail(where, key, f"a range must be [low, high], got {value!r}")
        low, high = (_number(v, where, key) for v in value)
        if low > high:
            raise _fail(where, key, f"range low {low:g} is above high {high:g}")
    else:
        low = high = _number(value, where, key)
    for v in (low, high):
        _bounded(v, where, key, *bounds)
    return (low, high)


def _archetype(name: str, table: Any, where: str) -> Archetype:
    prefix = f"archetypes.{name}."
    if not isinstance(table, dict):
        raise _fail(where, prefix.rstrip("."), "must be a table")
    _reject_unknown(table, {"share", "vouch_policy", *TRAITS}, where, prefix)
    if "share" not in table:
        raise _fail(where, prefix + "share", "is required")
    share = _bounded(_number(table["share"], where, prefix + "share"), where, prefix + "share", 0.0, 1.0)
    policy = table.get("vouch_policy", "discerning")
    if policy not in VOUCH_POLICIES:
        raise _fail(where, prefix + "vouch_policy",
                    f"unknown policy {policy!r} (known: {', '.join(VOUCH_POLICIES)})")
    traits = {t: _trait(table[t], where, prefix + t, TRAIT_BOUNDS[t]) for t in TRAITS if t in table}
    return Archetype(name=name, share=share, vouch_policy=policy, **traits)


def _event(index: int, table: Any, where: str, archetypes: tuple[str, ...], agents: int) -> ScenarioEvent:
    prefix = f"events[{index}]."
    if not isinstance(table, dict):
        raise _fail(where, prefix.rstrip("."), "must be a table")
    allowed = {"day", "kind", "archetype", "traits", "vouch_policy", "duration", "multiplier", "count",
               "fraction", "agent", "about"}
    _reject_unknown(table, allowed, where, prefix)
    kind = table.get("kind")
    if kind not in EVENT_KINDS:
        raise _fail(where, prefix + "kind", f"unknown event kind {kind!r} (known: {', '.join(EVENT_KINDS)})")
    if "day" not in table:
        raise _fail(where, prefix + "day", "is required")
    day = _bounded(_number(table["day"], where, prefix + "day"), where, prefix + "day", 0.0, None)
    for key in ("archetype", "about"):
        name = table.get(key, "")
        if not isinstance(name, str) or (name and name not in archetypes):
            raise _fail(where, prefix + key, f"unknown archetype {name!r} (known: {', '.join(archetypes)})")
    agent = _number(table.get("agent", -1), where, prefix + "agent", integer=True)
    needs_archetype = kind in ("reform", "influx") or (kind == "testimony" and agent < 0)
    if needs_archetype and not table.get("archetype"):
        raise _fail(where, prefix + "archetype", f"a {kind} event needs an archetype")
    traits_table = table.get("traits", {})
    if not isinstance(traits_table, dict):
        raise _fail(where, prefix + "traits", "must be a table of trait = value")
    _reject_unknown(traits_table, set(TRAITS), where, prefix + "traits.")
    traits = tuple(
        (t, _bounded(_number(v, where, f"{prefix}traits.{t}"), where, f"{prefix}traits.{t}", *TRAIT_BOUNDS[t]))
        for t, v in traits_table.items()
    )
    policy = table.get("vouch_policy", "")
    if not isinstance(policy, str) or (policy and policy not in VOUCH_POLICIES):
        raise _fail(where, prefix + "vouch_policy", f"unknown policy {policy!r}")
    if kind == "reform" and not traits and not policy:
        raise _fail(where, prefix + "traits", "a reform event must change at least one trait or the policy")
    numbers = {
        "duration": (0.0, 1e6, False),
        "multiplier": (0.0, 1000.0, False),
        "count": (0, 10_000_000, True),
        "fraction": (0.0, 100.0, False),
        "agent": (-1, None, True),
    }
    values = {}
    for key, (low, high, integer) in numbers.items():
        if key in table:
            number = _number(table[key], where, prefix + key, integer=integer)
            values[key] = _bounded(number, where, prefix + key, low, high)
    if kind == "influx" and (values.get("count", 0) > 0) == (values.get("fraction", 0.0) > 0):
        raise _fail(where, prefix + "count", "an influx event needs exactly one of count > 0 or fraction > 0")
    if kind == "influx" and values.get("fraction", 0.0) > 0 and round(values["fraction"] * agents) < 1:
        raise _fail(where, prefix + "fraction", f"{values['fraction']:g} of {agents} agents is nobody")
    if agent >= agents:
        raise _fail(where, prefix + "agent", f"agent {agent} does not exist (simulation.agents = {agents})")
    if kind == "campaign" and values.get("duration", 0.0) <= 0:
        raise _fail(where, prefix + "duration", "a campaign event needs duration > 0")
    return ScenarioEvent(day=day, kind=kind, archetype=table.get("archetype", ""), traits=traits,
                         vouch_policy=policy, about=table.get("about", ""), **values)


def from_dict(raw: dict[str, Any], where: str = "<scenario>") -> Scenario:
    """Validate a parsed TOML document into a :class:`Scenario`."""
    _reject_unknown(raw, {*_SECTIONS, "archetypes", "events"}, where, "")
    sections = {name: _section(cls, raw.get(name, {}), where, f"{name}.") for name, cls in _SECTIONS.items()}
    archetype_tables = raw.get("archetypes")
    if not isinstance(archetype_tables, dict) or not archetype_tables:
        raise _fail(where, "archetypes", "at least one archetype table is required ([archetypes.NAME])")
    archetypes = tuple(_archetype(name, table, where) for name, table in archetype_tables.items())
    total = sum(a.share for a in archetypes)
    if abs(total - 1.0) > 1e-6:
        raise _fail(where, "archetypes", f"shares must sum to 1, got {total:.6g}")
    events_raw = raw.get("events", [])
    if not isinstance(events_raw, list):
        raise _fail(where, "events", "must be an array of tables ([[events]])")
    names = tuple(a.name for a in archetypes)
    agents = sections["simulation"].agents
    events = tuple(_event(i, e, where, names, agents) for i, e in enumerate(events_raw))
    scenario = Scenario(archetypes=archetypes, events=tuple(sorted(events, key=lambda e: e.day)), **sections)
    c = scenario.commitments
    if c.duration_min > c.duration_max:
        raise _fail(where, "commitments.duration_min",
                    f"{c.duration_min:g} is above commitments.duration_max {c.duration_max:g}")
    return scenario


# ---------------------------------------------------------------- reading, overrides, writing

def parse_toml(text: str, where: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # tomllib says "... (at line 3, column 7)"; keep it on one line.
        raise ScenarioError(f"{where}: invalid TOML: {exc}") from None


def resolve_path(name_or_path: str) -> Path:
    """A scenario name from ``scenarios/`` or a path to a TOML file."""
    candidate = Path(name_or_path)
    if candidate.suffix == ".toml" or candidate.exists() or "/" in name_or_path:
        if candidate.is_dir():
            raise ScenarioError(f"{name_or_path}: is a directory, not a scenario file")
        if not candidate.is_file():
            raise ScenarioError(f"{name_or_path}: no such scenario file")
        return candidate
    path = SCENARIO_DIR / f"{name_or_path}.toml"
    if not path.is_file():
        known = ", ".join(available()) or "none"
        raise ScenarioError(f"unknown scenario {name_or_path!r} (known: {known})")
    return path


def available() -> list[str]:
    """Names of the scenarios shipped in ``scenarios/``."""
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.toml"))


def load(name_or_path: str, overrides: dict[str, Any] | None = None) -> Scenario:
    """Read, override and validate a scenario. Raises :class:`ScenarioError` on any problem."""
    path = resolve_path(name_or_path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{path}: cannot read: {exc.strerror if isinstance(exc, OSError) else exc}") from None
    raw = parse_toml(text, str(path))
    if overrides:
        apply_overrides(raw, overrides, "--set")
    return from_dict(raw, f"{path} with overrides" if overrides else str(path))


def parse_override(text: str) -> tuple[str, Any]:
    """``trust.asymmetry=4`` -> ("trust.asymmetry", 4); values are TOML literals, else strings."""
    key, sep, value = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise ScenarioError(f"--set {text!r}: expected KEY=VALUE")
    return key, parse_literal(value)


def parse_literal(text: str) -> Any:
    """A TOML literal (``4``, ``0.5``, ``true``, ``[0.1, 0.3]``, ``"x"``), else the bare text."""
    text = text.strip()
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def apply_overrides(raw: dict[str, Any], overrides: dict[str, Any], where: str) -> None:
    """Set dotted keys in a raw scenario dict; intermediate tables must exist (typos are caught)."""
    for dotted, value in overrides.items():
        parts = dotted.split(".")
        table = raw
        for depth, part in enumerate(parts[:-1]):
            if part not in table:
                if depth == 0 and part in _SECTIONS:
                    table[part] = {}
                else:
                    raise _fail(where, dotted, f"unknown key {'.'.join(parts[:depth + 1])!r}")
            table = table[part]
            if not isinstance(table, dict):
                raise _fail(where, dotted, f"{'.'.join(parts[:depth + 1])!r} is not a table")
        table[parts[-1]] = value


def _trait_value(value: TraitRange) -> float | list[float]:
    low, high = value
    return low if low == high else [low, high]


def to_dict(scenario: Scenario) -> dict[str, Any]:
    """The fully resolved scenario as plain TOML-ready data (round-trips through :func:`from_dict`)."""
    raw: dict[str, Any] = {}
    for name in _SECTIONS:
        section = getattr(scenario, name)
        raw[name] = {f.name: getattr(section, f.name) for f in fields(section)}
    raw["archetypes"] = {
        a.name: {"share": a.share, "vouch_policy": a.vouch_policy,
                 **{t: _trait_value(getattr(a, t)) for t in TRAITS}}
        for a in scenario.archetypes
    }
    events = []
    for e in scenario.events:
        entry: dict[str, Any] = {"day": e.day, "kind": e.kind}
        defaults = ScenarioEvent(day=0, kind=e.kind)
        for f in fields(e):
            if f.name in ("day", "kind"):
                continue
            value = getattr(e, f.name)
            if value != getattr(defaults, f.name):
                entry[f.name] = dict(value) if f.name == "traits" else value
        events.append(entry)
    if events:
        raw["events"] = events
    return raw


def to_toml(scenario: Scenario) -> str:
    return tomli_w.dumps(to_dict(scenario))


__all__ = [
    "Archetype", "Scenario", "ScenarioError", "ScenarioEvent", "TRAITS", "VOUCH_POLICIES", "available",
    "load", "parse_override", "to_dict", "to_toml",
]
