"""Sweep planning: parse ``--grid`` axes, expand their product, derive one seed per run, fingerprint it.

Everything here is pure and checked up front, so a bad grid key or value is rejected (as one
:class:`~sim.errors.ScenarioError` line) before a single run starts.

Seeds: run ``i = point * replicates + replicate`` gets ``SeedSequence(base_seed).spawn(runs)[i]``,
reduced to a non-negative TOML integer (below 2**63). A run's seed therefore depends only on the base
seed, the grid and the replicate count, never on how many workers there are or where the run happens.
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

SEED_KEY = "simulation.seed"
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
    """A validated sweep: the resolved base scenario, the grid, every run, and the sweep's fingerprint."""

    base: Scenario
    axes: tuple[Axis, ...]
    replicates: int
    base_seed: int
    points: tuple[Scenario, ...]
    runs: tuple[Run, ...]
    fingerprint: str

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(axis.key for axis in self.axes)

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
        canonical = json.dumps(value, sort_keys=True)
        if canonical in seen:
            raise ScenarioError(f"--grid {key}: value {_literal(value)} is given twice")
        seen.add(canonical)
    return Axis(key=key, values=values, texts=tuple(texts))


def parse_grid(items: list[str]) -> tuple[Axis, ...]:
    """Every ``--grid`` option, in order; a key given twice is an error."""
    if not items:
        raise ScenarioError("--grid: at least one --grid KEY=V1,V2,... is required")
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
    """sha256 of the fully resolved scenario (canonical JSON)."""
    text = json.dumps(to_dict(scenario, hypotheses=False), sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def fingerprint(base: Scenario, axes: tuple[Axis, ...], replicates: int, base_seed: int) -> str:
    """What identifies a sweep for resuming: resolved base scenario, grid, replicates, base seed."""
    identity = {
        "scenario": to_dict(base, hypotheses=False),
        "grid": [[axis.key, list(axis.values)] for axis in axes],
        "replicates": replicates,
        "base_seed": base_seed,
    }
    text = json.dumps(identity, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _validate_points(base: Scenario, axes: tuple[Axis, ...]) -> tuple[Scenario, ...]:
    """Each value alone first (the clearest message), then every combination (values may conflict)."""
    for axis in axes:
        for value in axis.values:
            base.with_overrides({axis.key: value}, where="--grid")
    combos = itertools.product(*(axis.values for axis in axes))
    return tuple(base.with_overrides(dict(zip((a.key for a in axes), combo, strict=True)), where="--grid")
                 for combo in combos)


def make_plan(base: Scenario, axes: tuple[Axis, ...], replicates: int, base_seed: int | None = None) -> Plan:
    """Validate the whole grid against ``base`` and lay out every run with its seed and stable run_id."""
    if replicates < 1:
        raise ScenarioError(f"--replicates: must be at least 1, got {replicates}")
    seed = base.simulation.seed if base_seed is None else base_seed
    if not 0 <= seed < 2**63:
        raise ScenarioError(f"--seed: must be between 0 and 2**63-1, got {seed}")
    base = base.with_overrides({SEED_KEY: seed})
    points = _validate_points(base, axes)
    seeds = derive_seeds(seed, len(points) * replicates)
    point_width = max(3, len(str(len(points) - 1)))
    rep_width = max(3, len(str(replicates - 1)))
    combos = list(itertools.product(*(axis.values for axis in axes)))
    runs = tuple(
        Run(run_id=f"p{p:0{point_width}d}-r{r:0{rep_width}d}", point=p, replicate=r,
            seed=seeds[p * replicates + r],
            values=tuple(zip((a.key for a in axes), combos[p], strict=True)))
        for p in range(len(points)) for r in range(replicates)
    )
    return Plan(base=base, axes=axes, replicates=replicates, base_seed=seed, points=points, runs=runs,
                fingerprint=fingerprint(base, axes, replicates, seed))
