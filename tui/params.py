"""The parameter panel's knobs and their validation, kept apart from the widgets so it is easy to test.

A value typed into a field is read as a TOML literal (as ``--set`` does), then the scenario is rebuilt
with it; the engine's own :class:`~sim.config.ScenarioError` says what is wrong, and the message is
pinned to the field whose key it names. Nothing is restarted unless every field is valid.
"""

from __future__ import annotations

from typing import Any

from sim import Scenario, ScenarioError, load_scenario, parse_override
from sim.resources import TooLarge, check_fits

DEFAULT_SCENARIO = "baseline"        # what the dashboard opens on, and B's fallback in compare mode

MAIN_KNOBS: tuple[tuple[str, str], ...] = (
    ("simulation.agents", "agents"),
    ("simulation.days", "days"),
    ("simulation.seed", "seed"),
    ("trust.asymmetry", "asymmetry"),
    ("trust.forgetting", "forgetting"),
)


def knobs(scenario: Scenario) -> list[tuple[str, str]]:
    """(dotted key, label) of every field: the main knobs, then one share per archetype."""
    return [*MAIN_KNOBS, *((f"archetypes.{name}.share", f"share: {name}") for name in scenario.archetype_names())]


def current_value(scenario: Scenario, key: str) -> str:
    """The scenario's value for a dotted key, as the field shows it."""
    section, _, rest = key.partition(".")
    if section == "archetypes":
        name = rest.rsplit(".", 1)[0]
        value: Any = next(a.share for a in scenario.archetypes if a.name == name)
    else:
        value = getattr(getattr(scenario, section), rest)
    return f"{value:g}" if isinstance(value, float) else str(value)


def _problem(message: str, key: str) -> str:
    """The part of an engine message after the key: 'must be >= 2, got 1'."""
    marker = f"{key}: "
    return message.split(marker, 1)[1] if marker in message else message.rsplit(": ", 1)[-1]


def parse_fields(texts: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """Field texts -> (overrides, errors for fields that are empty)."""
    overrides: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for key, text in texts.items():
        if not text.strip():
            errors[key] = "needs a value"
            continue
        overrides[key] = parse_override(f"{key}={text.strip()}")[1]
    return overrides, errors


def validate(name: str, texts: dict[str, str], extra: dict[str, Any] | None = None
             ) -> tuple[Scenario | None, dict[str, str]]:
    """Build scenario ``name`` with the fields' values (plus ``extra`` overrides).

    Returns (scenario, {}) when every value is good, else (None, {key: problem}) with as many problems
    as can be told apart: each main knob is checked on its own, the shares together (they must sum to 1),
    then everything at once (for checks that span keys).
    """
    extra = dict(extra or {})
    overrides, errors = parse_fields(texts)
    shares = {k: v for k, v in overrides.items() if k.startswith("archetypes.")}
    for key, value in overrides.items():
        if key in shares:
            continue
        try:
            load_scenario(name, {**extra, key: value})
        except ScenarioError as exc:
            errors[key] = _problem(str(exc), key)
    if shares:
        try:
            load_scenario(name, {**extra, **shares})
        except ScenarioError as exc:
            named = [k for k in shares if f"{k}:" in str(exc)]
            for key in named or shares:
                errors[key] = _problem(str(exc), key) if named else str(exc).rsplit("archetypes: ", 1)[-1]
    if errors:
        return None, errors
    try:
        scenario = load_scenario(name, {**extra, **overrides})
    except ScenarioError as exc:
        named = [k for k in overrides if f"{k}:" in str(exc)]
        return None, {key: _problem(str(exc), key) for key in named} or {"": str(exc)}
    try:
        # refused here, on the fields, rather than by the simulation thread later (by the instant bound: a
        # pilot run would hold the screen for seconds)
        check_fits(scenario)
    except TooLarge as exc:
        sized = [k for k in ("simulation.days", "simulation.agents") if k in overrides]
        return None, {key: str(exc) for key in sized} or {"": str(exc)}
    return scenario, {}


def parse_settings(text: str) -> dict[str, Any]:
    """'trust.asymmetry=4 trust.forgetting=0.99' -> overrides (raises ScenarioError if malformed)."""
    return dict(parse_override(item) for item in text.replace(",", " ").split())
