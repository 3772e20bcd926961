"""Sweep planning: parse ``--grid`` axes, expand their product, give every run its seed and a stable id.

Everything here is pure and checked up front, so a bad grid key or value is rejected (as one
:class:`~sim.errors.ScenarioError` line) before a single run starts.

The grid may sweep across scenarios (the key ``scenario``, with scenario names as values) and may be
empty (replicates of one scenario). Seeds: replicate ``r`` runs on ``SeedSequence(base_seed).spawn(...)[r]``
(reduced to a non-negative TOML integer, below 2**63) at every grid point: common random numbers, which
make the points' differences sharper. A run's id is a digest of its point's values plus its replicate. So
neither depends on how many values or replicates there are: a finished sweep extended with more of
either keeps every run it already has.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..config import Scenario, parse_literal, to_dict
from ..errors import ScenarioError
from ..resources import check_fits

SEED_KEY = "simulation.seed"
SCENARIO_KEY = "scenario"
DEFAULT_REPLICATES = 5


@dataclass(frozen=True)
class Axis:
    """One ``--grid KEY=V1,V2,...``: the dotted key, the parsed values and their text as typed."""

    key: str
    values: tuple[Any, ...]
    texts: tuple[str, ...]


@dataclass(frozen=True)
class Run:
    """One planned run: a grid point, a replicate and the seed derived for them."""

    run_id: str
    point: int
    replicate: int
    seed: int
    values: tuple[tuple[str, Any], ...]   # (grid key, value) in grid order

    def label(self) -> str:
        """``trust.asymmetry=2, replicate=1, seed=123``: how a run is named in reports."""
        parts = [f"{key}={_literal(value)}" for key, value in self.values]
        return ", ".join([*parts, f"replicate={self.replicate}", f"seed={self.seed}"])


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
    runs: tuple[Run, ...]
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

    def scenario_dict(self, run: Run) -> dict[str, Any]:
        """The run's fully resolved scenario as plain data (what a worker receives)."""
        raw = to_dict(self.points[run.point], hypotheses=False)
        raw["simulation"]["seed"] = run.seed
        return raw


def _literal(value: Any) -> str:
    """A value as it would be typed on the command line (strings unquoted, like ``--set``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    return json.dumps(value)


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
            raise ScenarioError(f"--grid {key}: value {_literal(value)} is given twice (values equal as "
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


def derive_seeds(base_seed: int, count: int) -> list[int]:
    """``count`` independent seeds from ``SeedSequence(base_seed)``, each below 2**63 (a TOML integer)."""
    children = np.random.SeedSequence(base_seed).spawn(count)
    return [int(child.generate_state(1, np.uint64)[0] >> np.uint64(1)) for child in children]


def scenario_digest(scenario: Scenario) -> str:
    """sha256 of the fully resolved scenario but its seed (canonical JSON): what the runs are of."""
    raw = to_dict(scenario, hypotheses=False)
    raw["simulation"].pop("seed")
    # in the scenario's own order: two scenarios that differ only in the order of their archetypes are
    # two different runs, so sorting the keys here would confuse them
    return hashlib.sha256(json.dumps(raw, default=str).encode()).hexdigest()


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


def make_plan(bases: Scenario | dict[str, Scenario], axes: tuple[Axis, ...], replicates: int,
              base_seed: int | None = None) -> Plan:
    """Validate the whole grid and lay out every run with its seed and stable run id.

    ``bases`` is the scenario swept, or, when the grid sweeps ``scenario``, each scenario by the name the
    grid gives it (already resolved with the sweep's --set/--agents/--days).
    """
    if replicates < 1:
        raise ScenarioError(f"--replicates: must be at least 1, got {replicates}")
    if isinstance(bases, Scenario):
        bases = {bases.name: bases}
    if len(bases) > 1 and SCENARIO_KEY not in (axis.key for axis in axes):
        raise ScenarioError("several scenarios need a --grid scenario=NAME,NAME axis")
    seed = next(iter(bases.values())).simulation.seed if base_seed is None else base_seed
    if not 0 <= seed < 2**63:
        raise ScenarioError(f"--seed: must be between 0 and 2**63-1, got {seed}")
    bases = {name: base.with_overrides({SEED_KEY: seed}) for name, base in bases.items()}
    points = _validate_points(bases, axes)
    for point in points:
        check_fits(point, where="--grid")
    seeds = derive_seeds(seed, replicates)
    combos = list(itertools.product(*(axis.values for axis in axes)))
    keys = tuple(axis.key for axis in axes)
    runs = tuple(
        Run(run_id=f"{_digest([keys, [_canonical(v) for v in combos[p]]])[:10]}-r{r:03d}", point=p, replicate=r,
            seed=seeds[r], values=tuple(zip(keys, combos[p], strict=True)))
        for p in range(len(points)) for r in range(replicates)
    )
    identity = {"layout": 2, "bases": {name: scenario_digest(base) for name, base in bases.items()},
                "keys": list(keys), "base_seed": seed}
    everything = {**identity, "values": [[_canonical(v) for v in axis.values] for axis in axes],
                  "replicates": replicates}
    return Plan(bases=bases, axes=axes, replicates=replicates, base_seed=seed, points=points, runs=runs,
                identity=identity, fingerprint=_digest(everything))
