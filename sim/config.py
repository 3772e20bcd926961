"""Scenario configuration: typed, frozen, validated.

A scenario is a TOML file. It is read into plain dicts, dotted ``--set`` overrides are applied to those
dicts, and the result is validated into frozen dataclasses. Every problem is reported as one
:class:`~sim.errors.ScenarioError` line naming the file and the dotted key, so the CLI and the dashboard
can show it without a traceback.

Each section is a frozen dataclass whose fields declare their default, range and meaning; the scenario
events are classes of their own (:mod:`sim.scenario_events`), as are the vouch policies
(:mod:`sim.policies`). Trait distributions are written either as a number (a fixed value) or as
``[low, high]`` (uniform).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from .errors import ScenarioError
from .hypotheses import Hypothesis
from .hypotheses import parse as parse_hypothesis
from .policies import VOUCH_POLICIES
from .population import TRAIT_BOUNDS, TRAITS
from .scenario_events import EVENT_KINDS, ScenarioEvent, parse_event
from .validation import bounded, fail, number, plain_name, reject_unknown, show


def _scenario_dir() -> Path:
    """The shipped scenarios: inside the installed package (a wheel), or the source tree's scenarios/."""
    packaged = Path(__file__).resolve().parent / "scenarios"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parent.parent / "scenarios"


SCENARIO_DIR = _scenario_dir()


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
    spin_up: int = _spec(730, 0, 100_000, doc="days simulated before day 0 and not recorded, so that day 0 is "
                                              "already settled (0: day 0 is the seed graph)")


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
    generalized_learning: float = _spec(1.0, 0.0, 100.0, doc="weight of one outcome in the requester's generalized "
                                        "trust, against its disposition's weight of 2 (0: no learning)")
    untie_threshold: float = _spec(0.35, 0.0, 1.0, doc="trust below which a tie is dropped")
    untie_evidence: float = _spec(4.0, 0.0, 1e6, doc="evidence needed before a tie is dropped")
    untie: bool = _spec(True, doc="switch: the let-down walk away (drop a distrusted tie, and so stop asking)")


@dataclass(frozen=True)
class TiesConfig:
    fade: bool = _spec(True, doc="switch: a tie its source has not used for fade_after days fades (turnover)")
    fade_after: float = _spec(365.0, 0.0, 100_000.0, low_open=True, doc="days without asking before a tie fades")


@dataclass(frozen=True)
class CommitmentConfig:
    duration_min: float = _spec(2.0, 0.0, 1000.0, low_open=True, doc="shortest deadline, days")
    duration_max: float = _spec(10.0, 0.0, 1000.0, low_open=True, doc="longest deadline, days")
    overload: bool = _spec(True, doc="switch: above its capacity a provider delivers less often")


@dataclass(frozen=True)
class VouchingConfig:
    threshold: float = _spec(0.75, 0.0, 1.0, doc="own trust a discerning voucher needs")
    min_dealings: float = _spec(3.0, 0.0, 1e6, doc="direct evidence an experience voucher needs")
    endorsement: float = _spec(0.8, 0.0, 1.0, doc="belief a vouch asserts (a 'yes')")
    tie_threshold: float = _spec(0.6, 0.0, 1.0, doc="first opinion needed to tie to the recommended agent")
    blame: bool = _spec(True, doc="switch: a vouch-led outcome moves the requester's referral evidence "
                                  "about the voucher")
    discounting: bool = _spec(True, doc="switch: a vouch is discounted by the audience's referral opinion "
                                        "of the voucher (off: taken at face value)")
    uncertain_referrals: bool = _spec(True, doc="switch: a recommendation weighs only as much as the evidence "
                                                "behind the audience's trust in its source (an unknown source, "
                                                "or one trusted no more than a stranger, tells nothing)")


@dataclass(frozen=True)
class PromotionConfig:
    reach: int = _spec(10, 0, 100_000, doc="non-followers one broadcast reaches")
    follow_base: float = _spec(0.02, 0.0, 1.0, doc="chance to follow with no social proof")
    social_proof: float = _spec(0.3, 0.0, 1.0, doc="extra follow chance from a large following")
    follower_scale: float = _spec(100.0, 1.0, 1e9, doc="follower count at which social proof saturates")
    enabled: bool = _spec(True, doc="switch: agents broadcast themselves and strangers follow")
    impression_bias: bool = _spec(True, doc="switch: a large following raises a stranger's first impression "
                                            "(by the viewer's popularity bias)")


@dataclass(frozen=True)
class TestimonyConfig:
    probability: float = _spec(0.1, 0.0, 1.0, doc="chance a let-down agent publishes its opinion")
    enabled: bool = _spec(True, doc="switch: testimony of any kind (let-down agents and scenario events)")
    reaches_strangers: bool = _spec(True, doc="switch: followers who do not know the subject take the "
                                              "warning in too")
    first_hand: bool = _spec(True, doc="switch: an author tells only its own dealings with the subject, "
                                       "never what it heard (off: everything its tie holds)")


@dataclass(frozen=True)
class ReciprocityConfig:
    # off unless a scenario turns it on: the other stories were stated, and their verdicts recorded, without it
    enabled: bool = _spec(False, doc="switch: agents remember favours given and received on each tie, ask first "
                                     "those who owe them, hold a refusal from someone who owes them against them, "
                                     "and refuse those they walked away from")
    weight: float = _spec(1.0, 0.0, 100.0, doc="negative evidence a refused favour called in adds, in units of a broken "
                                                "commitment (times trust.asymmetry)")


@dataclass(frozen=True)
class ImitationConfig:
    rate: float = _spec(0.05, 0.0, 1.0, doc="chance per day that an imitating agent looks at a mentor")


@dataclass(frozen=True)
class GlobalTrustConfig:
    pretrusted: tuple[str, ...] = _spec((), doc="archetypes whose day-0 members EigenTrust pre-trusts "
                                                "(none given: the first archetype)")
    alpha: float = _spec(0.15, 0.0, 1.0, doc="EigenTrust's pull toward the pre-trusted agents")


TraitRange = tuple[float, float]


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
class Scenario:
    scenario: ScenarioInfo = ScenarioInfo()
    simulation: SimulationConfig = SimulationConfig()
    network: NetworkConfig = NetworkConfig()
    trust: TrustConfig = TrustConfig()
    ties: TiesConfig = TiesConfig()
    commitments: CommitmentConfig = CommitmentConfig()
    vouching: VouchingConfig = VouchingConfig()
    promotion: PromotionConfig = PromotionConfig()
    testimony: TestimonyConfig = TestimonyConfig()
    reciprocity: ReciprocityConfig = ReciprocityConfig()
    imitation: ImitationConfig = ImitationConfig()
    global_trust: GlobalTrustConfig = GlobalTrustConfig()
    archetypes: tuple[Archetype, ...] = ()
    events: tuple[ScenarioEvent, ...] = ()
    hypotheses: tuple[Hypothesis, ...] = ()

    @property
    def name(self) -> str:
        return self.scenario.name

    def capacity(self) -> int:
        """Every agent the run will ever hold: the starting population and every newcomer."""
        return self.simulation.agents + sum(e.newcomers(self.simulation.agents) for e in self.events)

    def archetype_names(self) -> tuple[str, ...]:
        return tuple(a.name for a in self.archetypes)

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
    "ties": TiesConfig,
    "commitments": CommitmentConfig,
    "vouching": VouchingConfig,
    "promotion": PromotionConfig,
    "testimony": TestimonyConfig,
    "reciprocity": ReciprocityConfig,
    "imitation": ImitationConfig,
    "global_trust": GlobalTrustConfig,
}


# ---------------------------------------------------------------- validation

def _section(cls: type, table: Any, where: str, prefix: str) -> Any:
    if not isinstance(table, dict):
        raise fail(where, prefix.rstrip("."), "must be a table")
    specs = {f.name: f for f in fields(cls)}
    reject_unknown(table, set(specs), where, prefix)
    values: dict[str, Any] = {}
    for name, value in table.items():
        spec = specs[name]
        key = f"{prefix}{name}"
        if spec.type in ("str", str):
            if not isinstance(value, str):
                raise fail(where, key, f"must be a string, got {show(value)}")
            values[name] = value
            continue
        if spec.type in ("bool", bool):
            if not isinstance(value, bool):
                raise fail(where, key, f"must be true or false, got {show(value)}")
            values[name] = value
            continue
        if spec.type == "tuple[str, ...]":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise fail(where, key, f"must be a list of names, got {show(value)}")
            values[name] = tuple(value)
            continue
        checked = number(value, where, key, integer=spec.type in ("int", int))
        values[name] = bounded(checked, where, key, spec.metadata["low"], spec.metadata["high"],
                               spec.metadata["low_open"])
    return cls(**values)


def _trait(value: Any, where: str, key: str, bounds: tuple[float, float]) -> TraitRange:
    if isinstance(value, list):
        if len(value) != 2:
            raise fail(where, key, f"a range must be [low, high], got {show(value)}")
        low, high = (number(v, where, key) for v in value)
        if low > high:
            raise fail(where, key, f"range low {low:g} is above high {high:g}")
    else:
        low = high = number(value, where, key)
    for v in (low, high):
        bounded(v, where, key, *bounds)
    return (low, high)


def _archetype(name: str, table: Any, where: str) -> Archetype:
    prefix = f"archetypes.{plain_name(name, where, 'archetypes')}."
    if not isinstance(table, dict):
        raise fail(where, prefix.rstrip("."), "must be a table")
    reject_unknown(table, {"share", "vouch_policy", *TRAITS}, where, prefix)
    if "share" not in table:
        raise fail(where, prefix + "share", "is required")
    share = bounded(number(table["share"], where, prefix + "share"), where, prefix + "share", 0.0, 1.0)
    policy = table.get("vouch_policy", "discerning")
    if policy not in VOUCH_POLICIES:
        raise fail(where, prefix + "vouch_policy",
                   f"unknown policy {show(policy)} (known: {', '.join(VOUCH_POLICIES)})")
    traits = {t: _trait(table[t], where, prefix + t, TRAIT_BOUNDS[t]) for t in TRAITS if t in table}
    return Archetype(name=name, share=share, vouch_policy=policy, **traits)


def from_dict(raw: dict[str, Any], where: str = "<scenario>") -> Scenario:
    """Validate a parsed TOML document into a :class:`Scenario`."""
    reject_unknown(raw, {*_SECTIONS, "archetypes", "events", "hypotheses"}, where, "")
    sections = {name: _section(cls, raw.get(name, {}), where, f"{name}.") for name, cls in _SECTIONS.items()}
    plain_name(sections["scenario"].name, where, "scenario.name")
    archetype_tables = raw.get("archetypes")
    if not isinstance(archetype_tables, dict) or not archetype_tables:
        raise fail(where, "archetypes", "at least one archetype table is required ([archetypes.NAME])")
    archetypes = tuple(_archetype(name, table, where) for name, table in archetype_tables.items())
    total = sum(a.share for a in archetypes)
    if abs(total - 1.0) > 1e-6:
        raise fail(where, "archetypes", f"shares must sum to 1, got {total:.6g}")
    events_raw = raw.get("events", [])
    if not isinstance(events_raw, list):
        raise fail(where, "events", "must be an array of tables ([[events]])")
    names = tuple(a.name for a in archetypes)
    for name in sections["global_trust"].pretrusted:
        if name not in names:
            raise fail(where, "global_trust.pretrusted", f"unknown archetype {show(name)} (known: {', '.join(names)})")
    agents = sections["simulation"].agents
    events = tuple(parse_event(i, e, where, names, agents) for i, e in enumerate(events_raw))
    hypotheses_raw = raw.get("hypotheses", [])
    if not isinstance(hypotheses_raw, list):
        raise fail(where, "hypotheses", "must be an array of tables ([[hypotheses]])")
    hypotheses = tuple(parse_hypothesis(i, h, where, names) for i, h in enumerate(hypotheses_raw))
    ids = [h.id for h in hypotheses]
    for i, hypothesis_id in enumerate(ids):
        if hypothesis_id in ids[:i]:
            raise fail(where, f"hypotheses[{i}].id", f"{show(hypothesis_id)} is used twice")
    scenario = Scenario(archetypes=archetypes, events=tuple(sorted(events, key=lambda e: e.day)),
                        hypotheses=hypotheses, **sections)
    c = scenario.commitments
    if c.duration_min > c.duration_max:
        raise fail(where, "commitments.duration_min",
                   f"{c.duration_min:g} is above commitments.duration_max {c.duration_max:g}")
    _check_controls(scenario, where)
    return scenario


def _check_controls(scenario: Scenario, where: str) -> None:
    """A control that changes this scenario must name its keys and values rightly, now rather than when
    ``trustsim check`` gets to it (one comparing with another scenario is checked against that one then)."""
    for index, hypothesis in enumerate(scenario.hypotheses):
        if hypothesis.control and not hypothesis.compare:
            raw = to_dict(scenario, hypotheses=False)
            apply_overrides(raw, dict(hypothesis.control), f"{where}: hypotheses[{index}].control")
            from_dict(raw, f"{where}: hypotheses[{index}].control")


# ---------------------------------------------------------------- reading, overrides, writing

#: No scenario value is nested more than a few levels; anything deeper is refused before it reaches code
#: that recurses (validation, ``show``'s TOML writer), whose limit depends on how deep the caller's stack is.
MAX_NESTING = 32
#: A scenario may extend one that extends another, and so on, this many levels deep (reading is recursive).
MAX_EXTENDS = 32


def _nesting(value: Any) -> int:
    """How deeply arrays and tables nest in ``value`` (0 for a plain value), counted without recursion."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        deepest = max(deepest, depth + 1)
        if deepest > MAX_NESTING:
            break
        stack.extend((child, depth + 1) for child in children)
    return deepest


def parse_toml(text: str, where: str) -> dict[str, Any]:
    """A TOML document as plain data, or one line saying why it is not one."""
    try:
        data = tomllib.loads(text)
        if _nesting(data) > MAX_NESTING:
            raise RecursionError
        return data
    except tomllib.TOMLDecodeError as exc:
        # tomllib says "... (at line 3, column 7)"; keep it on one line.
        raise ScenarioError(f"{where}: invalid TOML: {exc}") from None
    except ValueError as exc:          # an integer of more than 4,300 digits
        raise ScenarioError(f"{where}: invalid TOML: {str(exc).split(':')[0].lower()}") from None
    except RecursionError:
        raise ScenarioError(f"{where}: invalid TOML: arrays or tables nested too deeply "
                            f"(more than {MAX_NESTING} levels, tables included)") from None


def resolve_path(name_or_path: str, relative_to: Path | None = None) -> Path:
    """A scenario name from ``scenarios/`` or a path to a TOML file (relative to ``relative_to``, if given)."""
    candidate = Path(name_or_path)
    if relative_to is not None and not candidate.is_absolute() and (candidate.suffix == ".toml" or "/" in name_or_path):
        candidate = relative_to / candidate
    if candidate.suffix == ".toml" or candidate.exists() or "/" in name_or_path:
        if candidate.is_dir():
            raise ScenarioError(f"{name_or_path}: is a directory, not a scenario file")
        if not candidate.is_file():
            raise ScenarioError(f"{name_or_path}: no such scenario file")
        return candidate
    path = SCENARIO_DIR / f"{name_or_path}.toml"
    if not path.is_file():
        known = ", ".join(available()) or "none"
        raise ScenarioError(f"unknown scenario {show(name_or_path)} (known: {known})")
    return path


def available() -> list[str]:
    """Names of the scenarios shipped in ``scenarios/``."""
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.toml"))


def read_raw(path: Path, chain: tuple[Path, ...] = ()) -> dict[str, Any]:
    """A scenario file as plain data, with what it ``extends`` merged in under it.

    ``extends = "baseline"`` (a scenario name, or a path relative to this file) starts from that
    scenario: this file's tables are merged over it key by key (an archetype's keys too), an array it
    gives (``events``) replaces the base's, and the base's ``hypotheses`` are not inherited (they are
    claims about the base). Without a ``[scenario] name`` of its own, it is named after its file; without
    a ``description`` of its own, it says which scenario it extends and what it changes (the base's
    description would describe the base).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{path}: cannot read: {exc.strerror if isinstance(exc, OSError) else exc}") from None
    raw = parse_toml(text, str(path))
    base_name = raw.pop("extends", None)
    if base_name is None:
        return raw
    if not isinstance(base_name, str):
        raise ScenarioError(f"{path}: extends: must be a scenario name or a path, got {show(base_name)}")
    base_path = resolve_path(base_name, relative_to=path.parent).resolve()
    if base_path in (*chain, path.resolve()):
        raise ScenarioError(f"{path}: extends: {show(base_name)} leads back to itself")
    if len(chain) >= MAX_EXTENDS:
        raise ScenarioError(f"{chain[0]}: extends: a chain of more than {MAX_EXTENDS} scenarios (stopped at "
                            f"{path})")
    base = read_raw(base_path, (*chain, path.resolve()))
    base.pop("hypotheses", None)
    base_scenario = base.get("scenario", {}) if isinstance(base.get("scenario"), dict) else {}
    merged = _merge(base, raw)
    own = raw.get("scenario", {}) if isinstance(raw.get("scenario"), dict) else {}
    if isinstance(merged.setdefault("scenario", {}), dict):
        merged["scenario"] = dict(merged["scenario"])          # this file's, not the base's table
        if "name" not in own:
            merged["scenario"]["name"] = path.stem
        if "description" not in own:
            base_label = str(base_scenario.get("name", base_path.stem))
            merged["scenario"]["description"] = extends_description(base_label, raw)
    return merged


def extends_description(base_name: str, raw: dict[str, Any], most: int = 6) -> str:
    """What a scenario that extends ``base_name`` without a description of its own is: the base's name and
    the settings this file changes (``Extends baseline: simulation.agents, promotion.reach.``), never the
    base's own description, which describes a different scenario."""
    changed = [key for key in _keys(raw) if key not in ("scenario.name", "scenario.description", "hypotheses")]
    if not changed:
        return f"Extends {base_name}, unchanged."
    shown = ", ".join(changed[:most]) + (f" and {len(changed) - most} more" if len(changed) > most else "")
    return f"Extends {base_name}: {shown}."


def _keys(table: dict[str, Any], prefix: str = "") -> list[str]:
    """The dotted keys a TOML table sets, in file order (an array, such as ``events``, is one key)."""
    keys = []
    for key, value in table.items():
        if isinstance(value, dict) and value:
            keys += _keys(value, f"{prefix}{key}.")
        else:
            keys.append(f"{prefix}{key}")
    return keys


def _merge(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    """``top`` over ``base``: tables merge key by key, anything else in ``top`` replaces."""
    merged = dict(base)
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def load(name_or_path: str, overrides: dict[str, Any] | None = None) -> Scenario:
    """Read, override and validate a scenario. Raises :class:`ScenarioError` on any problem."""
    path = resolve_path(name_or_path)
    raw = read_raw(path)
    if overrides:
        apply_overrides(raw, overrides, "--set")
    return from_dict(raw, f"{path} with overrides" if overrides else str(path))


def parse_override(text: str) -> tuple[str, Any]:
    """``trust.asymmetry=4`` -> ("trust.asymmetry", 4); values are TOML literals, else strings."""
    key, sep, value = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise ScenarioError(f"--set {show(text)}: expected KEY=VALUE")
    return key, parse_literal(value)


def parse_literal(text: str) -> Any:
    """A TOML literal (``4``, ``0.5``, ``true``, ``[0.1, 0.3]``, ``"x"``), else the bare text."""
    text = text.strip()
    try:
        value = tomllib.loads(f"v = {text}")["v"]
        if _nesting(value) > MAX_NESTING:
            raise RecursionError
        return value
    except tomllib.TOMLDecodeError:
        return text
    except ValueError:
        raise ScenarioError(f"{show(text)}: an integer of more than 4,300 digits") from None
    except RecursionError:
        raise ScenarioError(f"{show(text)}: nested too deeply (more than {MAX_NESTING} levels)") from None


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
                    raise fail(where, dotted, f"unknown key {show('.'.join(parts[:depth + 1]))}")
            table = table[part]
            if not isinstance(table, dict):
                raise fail(where, dotted, f"{show('.'.join(parts[:depth + 1]))} is not a table")
        table[parts[-1]] = value


def _plain(value: Any) -> Any:
    """A section value as TOML data (tuples become arrays)."""
    return list(value) if isinstance(value, tuple) else value


def _trait_value(value: TraitRange) -> float | list[float]:
    low, high = value
    return low if low == high else [low, high]


def to_dict(scenario: Scenario, hypotheses: bool = True) -> dict[str, Any]:
    """The fully resolved scenario as plain TOML-ready data (round-trips through :func:`from_dict`).

    ``hypotheses=False`` leaves out what the scenario claims, keeping only what shapes a run (the
    identity of a run or a sweep).
    """
    raw: dict[str, Any] = {}
    for name in _SECTIONS:
        section = getattr(scenario, name)
        raw[name] = {f.name: _plain(getattr(section, f.name)) for f in fields(section)}
    raw["archetypes"] = {
        a.name: {"share": a.share, "vouch_policy": a.vouch_policy,
                 **{t: _trait_value(getattr(a, t)) for t in TRAITS}}
        for a in scenario.archetypes
    }
    events = [e.to_table() for e in scenario.events]
    if events:
        raw["events"] = events
    if hypotheses and scenario.hypotheses:
        raw["hypotheses"] = [dict(h.table) for h in scenario.hypotheses]
    return raw


def to_toml(scenario: Scenario) -> str:
    """The fully resolved scenario as TOML (``trustsim show``)."""
    import tomli_w  # only `show` writes TOML

    # Every string tomli_w writes is a basic string, where \uXXXX is the same character: so no control or
    # format character of a description reaches a terminal raw, and the TOML still reproduces the run.
    return "".join(c if c.isprintable() or c == "\n" else f"\\u{ord(c):04X}" if ord(c) < 0x10000
                   else f"\\U{ord(c):08X}" for c in tomli_w.dumps(to_dict(scenario)))


__all__ = [
    "EVENT_KINDS", "Archetype", "Scenario", "ScenarioError", "ScenarioEvent", "TRAITS", "VOUCH_POLICIES",
    "available", "load", "parse_override", "to_dict", "to_toml",
]
