"""The parameter box: ``--param KEY=LOW:HIGH`` parsed, checked against the scenario, and applied to it.

Every check is made here, before anything is sampled or run, and fails as one
:class:`~sim.errors.ScenarioError` line:

- the key must exist in the scenario and hold a number: a switch (``true``/``false``), a text value
  (a vouch policy) or a list of names cannot be sampled; a trait written as a range (``[0.3, 0.55]``)
  can, and is then fixed at the sampled value for every agent of the archetype, as ``--set`` would;
- LOW < HIGH, both within the key's own bounds;
- an integer key (``simulation.agents``, ``promotion.reach``) takes integer bounds; sampled values are
  rounded to the nearest integer, halves up, and run and recorded as integers;
- ``archetypes.NAME.share``: NAME must be an archetype; the shares of the archetypes not sampled are
  rescaled in proportion so that all shares still sum to 1, so at least one of them must have a share
  to rescale, and the sampled shares' HIGHs together may not exceed 1.

This module is pure (no SALib, no polars): the command line builds its parser without it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..config import Scenario, to_dict
from ..errors import ScenarioError

if TYPE_CHECKING:
    import numpy as np

SEED_KEY = "simulation.seed"
WHERE = "--param"


@dataclass(frozen=True)
class Parameter:
    """One sampled key: its range, whether it takes integers, and the option as typed."""

    key: str
    low: float
    high: float
    integer: bool
    text: str

    def value(self, x: float) -> float | int:
        """The value a run uses for the sampled ``x``: ``x`` itself, or rounded (halves up) for an integer key."""
        return int(math.floor(x + 0.5)) if self.integer else float(x)

    def normalized(self, value: np.ndarray) -> np.ndarray:
        """Where each value lies in the range: 0 at LOW, 1 at HIGH."""
        return (value - self.low) / (self.high - self.low)


def parse_param(item: str) -> tuple[str, float, float]:
    """``trust.asymmetry=1:5`` -> ("trust.asymmetry", 1.0, 5.0); the syntax and LOW < HIGH only."""
    key, sep, rest = item.partition("=")
    key = key.strip()
    low_text, colon, high_text = rest.partition(":")
    if not sep or not key or not colon:
        raise ScenarioError(f"{WHERE} {item!r}: expected KEY=LOW:HIGH")
    bounds = []
    for text in (low_text, high_text):
        try:
            bound = float(text)
        except ValueError:
            raise ScenarioError(f"{WHERE} {item!r}: {text.strip() or 'an empty bound'!r} is not a number "
                                "(expected KEY=LOW:HIGH)") from None
        if not math.isfinite(bound):
            raise ScenarioError(f"{WHERE} {item!r}: bounds must be finite numbers")
        bounds.append(bound)
    low, high = bounds
    if low >= high:
        raise ScenarioError(f"{WHERE} {item!r}: LOW must be below HIGH, got {low:g} >= {high:g}")
    return key, low, high


def _lookup(raw: dict[str, Any], key: str) -> tuple[bool, Any]:
    """(found, value) of a dotted key in a resolved scenario dict."""
    node: Any = raw
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return False, None
        node = node[part]
    return True, node


def _kind(value: Any) -> str:
    """What a resolved value is, for the message that says why it cannot be sampled ("" if it can)."""
    if isinstance(value, bool):
        return "a switch (true or false)"
    if isinstance(value, str):
        return f"text ({value!r})"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        if len(value) == 2 and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value):
            return ""
        return "a list"
    if isinstance(value, int | float):
        return ""
    return type(value).__name__


def _numeric_key(base: Scenario, key: str, item: str) -> bool:
    """Check that ``key`` holds a number in ``base``; True if it holds an integer."""
    if key == SEED_KEY:
        raise ScenarioError(f"{WHERE} {SEED_KEY}: seeds come from --seed and the replicates; it cannot be sampled")
    found, value = _lookup(to_dict(base, hypotheses=False), key)
    if not found:
        base.with_overrides({key: 0}, where=WHERE)   # the scenario's own message for an unknown key
        raise ScenarioError(f"{WHERE}: {key}: unknown key")
    kind = _kind(value)
    if kind:
        raise ScenarioError(f"{WHERE} {item!r}: {key} is {kind}, not a number; only numeric keys can be "
                            "sampled (compare settings with trustsim sweep --grid)")
    return isinstance(value, int) and not isinstance(value, bool)


def _share_archetype(key: str) -> str | None:
    """``archetypes.NAME.share`` -> NAME; anything else -> None."""
    parts = key.split(".")
    return parts[1] if len(parts) == 3 and parts[0] == "archetypes" and parts[2] == "share" else None


def _check_shares(base: Scenario, params: tuple[Parameter, ...]) -> None:
    """The archetypes not sampled must be able to absorb whatever the sampled shares leave."""
    sampled = {name: p for p in params if (name := _share_archetype(p.key)) is not None}
    if not sampled:
        return
    rest = sum(a.share for a in base.archetypes if a.name not in sampled)
    if rest <= 0:
        keys = ", ".join(p.key for p in sampled.values())
        raise ScenarioError(f"{WHERE} {keys}: no other archetype has a share to rescale, so the shares could "
                            "not sum to 1 (sample at most all but one archetype with a positive share)")
    highest = sum(p.high for p in sampled.values())
    if highest > 1 + 1e-12:
        keys = ", ".join(p.key for p in sampled.values())
        raise ScenarioError(f"{WHERE} {keys}: the sampled shares can add up to {highest:g}, more than 1")


def overrides(base: Scenario, params: tuple[Parameter, ...], values: tuple[float | int, ...],
              where: str = WHERE) -> dict[str, Any]:
    """The dotted overrides that put ``base`` at a sample point, archetype shares rescaled.

    A sampled ``archetypes.NAME.share`` is set as sampled; every archetype of ``base`` whose share is not
    sampled gets its share times (1 - the sampled shares) / (its and the other unsampled shares' sum).
    """
    found = {p.key: v for p, v in zip(params, values, strict=True)}
    sampled = {name: float(v) for p, v in zip(params, values, strict=True)
               if (name := _share_archetype(p.key)) is not None}
    if sampled:
        names = base.archetype_names()
        for name in sampled:
            if name not in names:
                raise ScenarioError(f"{where}: archetypes.{name}.share: unknown archetype {name!r} "
                                    f"(known: {', '.join(names)})")
        rest = [a for a in base.archetypes if a.name not in sampled]
        total = sum(a.share for a in rest)
        left = 1.0 - sum(sampled.values())
        for archetype in rest:
            found[f"archetypes.{archetype.name}.share"] = archetype.share * left / total if total > 0 else 0.0
    return found


def at(base: Scenario, params: tuple[Parameter, ...], values: tuple[float | int, ...],
       extra: dict[str, Any] | None = None, where: str = WHERE) -> Scenario:
    """``base`` at a sample point (then ``extra`` overrides, e.g. a hypothesis's control), validated."""
    return base.with_overrides({**overrides(base, params, values, where), **(extra or {})}, where=where)


def resolve(base: Scenario, items: list[str], fixed: set[str] | frozenset[str] = frozenset()) -> tuple[Parameter, ...]:
    """Every ``--param`` checked against ``base``: syntax, numeric key, integer bounds, ranges, shares.

    ``fixed`` are the keys already set by ``--set``/``--agents``/``--days`` (a key is given once).
    """
    if not items:
        raise ScenarioError(f"{WHERE}: at least one --param KEY=LOW:HIGH is required")
    params = []
    for item in items:
        key, low, high = parse_param(item)
        if key in fixed:
            raise ScenarioError(f"{WHERE} {key}: also fixed by --set/--agents/--days; give it only once")
        if any(p.key == key for p in params):
            raise ScenarioError(f"{WHERE} {key}: given more than once")
        integer = _numeric_key(base, key, item)
        if integer and not (low.is_integer() and high.is_integer()):
            raise ScenarioError(f"{WHERE} {item!r}: {key} takes integers, so its bounds must be integers")
        params.append(Parameter(key=key, low=low, high=high, integer=integer, text=item))
    checked = tuple(params)
    _check_shares(base, checked)
    for param in checked:      # each bound alone: the clearest message (every point is checked later)
        for bound in (param.low, param.high):
            at(base, (param,), (param.value(bound),))
    return checked
