"""Sweep planning: parse ``--grid`` axes, expand their product, give every run its seed and a stable id.

Everything here is pure and checked up front, so a bad grid key or value is rejected (as one
:class:`~sim.errors.ScenarioError` line) before a single run starts.

The grid may sweep across scenarios (the key ``scenario``, with scenario names as values) and may be
empty (replicates of one scenario). Seeds: replicate ``r`` runs on seed ``r`` of the base seed at every
grid point (:mod:`sim.batch.runs`). A run's id is a digest of its point's values plus its replicate. So
neither depends on how many values or replicates there are: a finished sweep extended with more of
either keeps every run it already has.

:func:`state` is what the sweep's folder records of it (``sweep.json``), and :func:`differences` says how
another sweep's record differs from it: the same scenario(s), grid keys and base seed may add grid values
or replicates to a folder, anything else is another sweep.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from dataclasses import dataclass
from typing import Any

from ..batch.runs import (
    PlannedRun,
    check_replicates,
    derive_seeds,
    literal,
    resolve_seed,
    scenario_digest,
    seeded,
)
from ..batch.size import check_batch
from ..config import Scenario, parse_literal
from ..engine import pilot_counts
from ..errors import ScenarioError
from ..resources import check_fits

SEED_KEY = "simulation.seed"
DAYS_KEY = "simulation.days"
SCENARIO_KEY = "scenario"
DEFAULT_REPLICATES = 5


@dataclass(frozen=True)
class Axis:
    """One ``--grid KEY=V1,V2,...``: the dotted key, the parsed values and their text as typed."""

    key: str
    values: tuple[Any, ...]
    texts: tuple[str, ...]


@dataclass(frozen=True)
class Plan:
    """A validated sweep: the resolved base scenario(s), the grid, every run, and the sweep's identity.

    ``bases`` holds one scenario per name the sweep starts from (one, unless the grid sweeps
    ``scenario``); ``identity`` is what a folder must match to take more runs of this sweep (the bases,
    the grid's keys and the base seed); ``fingerprint`` identifies this exact plan (values and
    replicates too).
    """

    bases: dict[str, Scenario]
    axes: tuple[Axis, ...]
    replicates: int
    base_seed: int
    points: tuple[Scenario, ...]
    runs: tuple[PlannedRun, ...]          # values: (grid key, value) in grid order
    identity: dict[str, Any]
    fingerprint: str

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(axis.key for axis in self.axes)

    @property
    def base(self) -> Scenario:
        """The first base scenario (the only one, unless the grid sweeps ``scenario``)."""
        return next(iter(self.bases.values()))

    @property
    def name(self) -> str:
        """How the sweep is named in reports: its scenario, or its scenarios joined by '+'."""
        return "+".join(self.bases)

    def scenario_dict(self, run: PlannedRun) -> dict[str, Any]:
        """The run's fully resolved scenario as plain data (what a worker receives)."""
        return seeded(self.points[run.point], run.seed)


def split_values(text: str) -> list[str]:
    """Split ``1,2,[0.1,0.3],"a,b"`` on the commas that are outside brackets and quotes."""
    pieces, current, depth, quote = [], [], 0, ""
    for char in text:
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
        elif char == "," and depth == 0:
            pieces.append("".join(current).strip())
            current = []
            continue
        current.append(char)
    pieces.append("".join(current).strip())
    return pieces


def parse_axis(item: str) -> Axis:
    """``trust.asymmetry=1,2,4`` -> Axis; the syntax only (the values are checked by :func:`make_plan`)."""
    key, sep, rest = item.partition("=")
    key = key.strip()
    if not sep or not key:
        raise ScenarioError(f"--grid {item!r}: expected KEY=V1,V2,...")
    if key == SEED_KEY:
        raise ScenarioError(f"--grid {key}: seeds come from --seed and the replicates; it cannot be a grid key")
    texts = split_values(rest)
    if any(not t for t in texts):
        raise ScenarioError(f"--grid {item!r}: empty value (expected KEY=V1,V2,...)")
    values = tuple(parse_literal(t) for t in texts)
    seen: set[str] = set()
    for value in values:
        canonical = _canonical(value)
        if canonical in seen:
            raise ScenarioError(f"--grid {key}: value {literal(value)} is given twice (values equal as "
                                "numbers are the same value)")
        seen.add(canonical)
    return Axis(key=key, values=values, texts=tuple(texts))


def _canonical(value: Any) -> str:
    """A value's identity: numbers equal as numbers are one value (2 and 2.0)."""
    def plain(v: Any) -> Any:
        if isinstance(v, bool):
            return v
        if isinstance(v, float) or (isinstance(v, int) and abs(v) < 2**53):
            return float(v)
        if isinstance(v, int):
            return str(v)           # too large for a float: only equal to itself
        if isinstance(v, list):
            return [plain(x) for x in v]
        if isinstance(v, dict):
            return {k: plain(x) for k, x in v.items()}
        return v
    return json.dumps(plain(value), sort_keys=True, default=str)


def parse_grid(items: list[str]) -> tuple[Axis, ...]:
    """Every ``--grid`` option, in order (none at all is a sweep of replicates); a key given twice is an error."""
    axes = tuple(parse_axis(item) for item in items)
    keys = [axis.key for axis in axes]
    for key in keys:
        if keys.count(key) > 1:
            raise ScenarioError(f"--grid {key}: given more than once (list all its values in one --grid)")
    return axes


def _digest(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def _point(bases: dict[str, Scenario], keys: tuple[str, ...], combo: tuple[Any, ...]) -> Scenario:
    values = dict(zip(keys, combo, strict=True))
    base = bases[values.pop(SCENARIO_KEY)] if SCENARIO_KEY in values else next(iter(bases.values()))
    return base.with_overrides(values, where="--grid") if values else base


def _validate_points(bases: dict[str, Scenario], axes: tuple[Axis, ...]) -> tuple[Scenario, ...]:
    """Each value alone first (the clearest message), then every combination (values may conflict)."""
    for axis in axes:
        if axis.key == SCENARIO_KEY:
            unknown = [v for v in axis.values if v not in bases]
            if unknown:
                raise ScenarioError(f"--grid scenario: no scenario {unknown[0]!r} was loaded for this sweep")
            continue
        for base in bases.values():
            for value in axis.values:
                base.with_overrides({axis.key: value}, where="--grid")
    keys = tuple(axis.key for axis in axes)
    return tuple(_point(bases, keys, combo) for combo in itertools.product(*(axis.values for axis in axes)))


def _longest(bases: dict[str, Scenario], axes: tuple[Axis, ...]) -> int:
    """The most days any run of the grid may simulate (checked values or not: this only sizes it)."""
    days = [base.simulation.days for base in bases.values()]
    days += [value for axis in axes if axis.key == DAYS_KEY for value in axis.values if isinstance(value, int)]
    return max(days)


def make_plan(bases: Scenario | dict[str, Scenario], axes: tuple[Axis, ...], replicates: int,
              base_seed: int | None = None) -> Plan:
    """Validate the whole grid and lay out every run with its seed and stable run id.

    ``bases`` is the scenario swept, or, when the grid sweeps ``scenario``, each scenario by the name the
    grid gives it (already resolved with the sweep's --set/--agents/--days).
    """
    check_replicates(replicates)
    if isinstance(bases, Scenario):
        bases = {bases.name: bases}
    if len(bases) > 1 and SCENARIO_KEY not in (axis.key for axis in axes):
        raise ScenarioError("several scenarios need a --grid scenario=NAME,NAME axis")
    seed = resolve_seed(next(iter(bases.values())), base_seed)
    check_batch("sweep", math.prod(len(axis.values) for axis in axes), replicates, _longest(bases, axes))
    bases = {name: base.with_overrides({SEED_KEY: seed}) for name, base in bases.items()}
    points = _validate_points(bases, axes)
    for point in points:
        check_fits(point, where="--grid", count=pilot_counts)
    seeds = derive_seeds(seed, replicates)
    combos = list(itertools.product(*(axis.values for axis in axes)))
    keys = tuple(axis.key for axis in axes)
    runs = tuple(
        PlannedRun(run_id=f"{_digest([keys, [_canonical(v) for v in combos[p]]])[:10]}-r{r:03d}", point=p, replicate=r,
            seed=seeds[r], values=tuple(zip(keys, combos[p], strict=True)))
        for p in range(len(points)) for r in range(replicates)
    )
    identity = {"layout": 2, "bases": {name: scenario_digest(base) for name, base in bases.items()},
                "keys": list(keys), "base_seed": seed}
    everything = {**identity, "values": [[_canonical(v) for v in axis.values] for axis in axes],
                  "replicates": replicates}
    return Plan(bases=bases, axes=axes, replicates=replicates, base_seed=seed, points=points, runs=runs,
                identity=identity, fingerprint=_digest(everything))


LABELS = {"bases": "scenario (the scenario file, --set, --agents/--days, or the trustsim version)",
          "keys": "grid keys", "base_seed": "seed", "layout": "layout (made by an older trustsim)"}


def state(plan: Plan) -> dict[str, Any]:
    """What ``sweep.json`` records: the sweep's identity and, for people, what the latest plan held."""
    return {**plan.identity, "scenarios": list(plan.bases),
            "grid": [{"key": a.key, "values": list(a.values)} for a in plan.axes],
            "replicates": plan.replicates}


def differences(held: dict[str, Any], plan: Plan) -> str | None:
    """None when ``held`` (a folder's ``sweep.json``) is this sweep, perhaps with fewer grid values or
    replicates; else what it holds and how it differs. ValueError: it is not a sweep's record at all."""
    grid = held.get("grid", [])
    if not isinstance(grid, list):
        raise ValueError("grid")
    differ = [label for key, label in LABELS.items() if held.get(key) != plan.identity.get(key)]
    if not differ:
        return None
    keys = ", ".join(str(entry.get("key", "?")) for entry in grid if isinstance(entry, dict))
    scenarios = held.get("scenarios") or [held.get("scenario", "?")]
    return (f"scenario {'+'.join(map(str, scenarios))}, grid {keys or 'none'}, seed {held.get('base_seed', '?')}; "
            f"differs in {', '.join(differ)}")
