"""A sensitivity analysis laid out before anything runs: its sample points, their scenarios, every run
with its seed, and the fingerprint that identifies the analysis for resuming.

Runs: point ``p`` and replicate ``r`` make run ``p{p}-r{r}``, on seed ``r`` of
``SeedSequence(BASE).spawn(R)``: the same seed at every point (common random numbers), so that the
difference between two points is the parameters' doing and not the draw's. With ``--hypothesis`` and
a comparison to run, the comparison side of that pair is run ``p{p}-r{r}-c``, on the same seed (the
pairs of ``trustsim check``).

Every point's scenario (and its comparison's) is built and validated here, so a box corner that the
scenario rejects (a minimum above its maximum, say) is one line before anything runs.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import config
from ..batch.runs import PlannedRun, check_replicates, derive_seeds, resolve_seed, scenario_digest, seeded
from ..batch.size import check_batch
from ..config import Scenario, to_dict
from ..errors import ScenarioError
from ..hypotheses import Hypothesis, horizon_problem
from . import design as designs
from .design import Design
from .space import Parameter, at

COMPARISON_SUFFIX = "-c"


@dataclass(frozen=True)
class Comparison:
    """What a hypothesis compares each point with: a scenario to run (with overrides) or a fixed value."""

    hypothesis: Hypothesis
    base: Scenario | None            # None: compared with the fixed value ``hypothesis.than``
    control: dict[str, Any]

    @property
    def runs(self) -> bool:
        return self.base is not None


@dataclass(frozen=True, eq=False)
class Plan:
    """A validated analysis: the box, the design, the points as run, every run, and the fingerprint."""

    base: Scenario
    params: tuple[Parameter, ...]
    design: Design
    matrix: np.ndarray                       # the sample as SALib drew it (points x parameters)
    values: tuple[tuple[float | int, ...], ...]   # each point's values as run (integer keys rounded)
    replicates: int
    base_seed: int
    seeds: tuple[int, ...]                   # one per replicate, the same at every point
    sampler_seed: int
    analysis_seed: int
    points: tuple[Scenario, ...]
    comparison: Comparison | None
    compared: tuple[Scenario, ...]           # each point's comparison scenario (when one is run)
    runs: tuple[PlannedRun, ...]             # the analysed scenario's runs, point by point
    comparison_runs: tuple[PlannedRun, ...]
    fingerprint: str

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(p.key for p in self.params)

    @property
    def all_runs(self) -> tuple[PlannedRun, ...]:
        return self.runs + self.comparison_runs

    def is_comparison(self, run: PlannedRun) -> bool:
        return run.run_id.endswith(COMPARISON_SUFFIX)

    def payload(self, run: PlannedRun) -> dict[str, Any]:
        """What the run's worker is given: its resolved scenario with its seed, and what to observe."""
        scenario = self.compared[run.point] if self.is_comparison(run) else self.points[run.point]
        observables = [self.comparison.hypothesis.observable] if self.comparison else []
        return {"scenario": seeded(scenario, run.seed), "observables": observables}

    def run_label(self, run: PlannedRun) -> str:
        """How a run is named in a failure report: its side, parameters, replicate and seed."""
        return f"comparison side, {run.label()}" if self.is_comparison(run) else run.label()


def find_hypothesis(scenario: Scenario, hypothesis_id: str) -> Hypothesis:
    """The scenario's hypothesis ``hypothesis_id``, or a one-line error naming the ones it has."""
    for hypothesis in scenario.hypotheses:
        if hypothesis.id == hypothesis_id:
            return hypothesis
    known = ", ".join(h.id for h in scenario.hypotheses) or "none: it states no [[hypotheses]]"
    raise ScenarioError(f"--hypothesis {hypothesis_id}: {scenario.name} has no such hypothesis (known: {known})")


def comparison_for(scenario: Scenario, hypothesis: Hypothesis, overrides: dict[str, Any]) -> Comparison:
    """The comparison side of ``hypothesis``: ``compare`` (another scenario) or this one, given the same
    size and horizon as ``scenario`` and the analysis's own ``overrides``; or a fixed value."""
    if hypothesis.than is not None:
        return Comparison(hypothesis, None, {})
    shared = {**overrides, "simulation.agents": scenario.simulation.agents,
              "simulation.days": scenario.simulation.days}
    where = f"--hypothesis {hypothesis.id}"
    if hypothesis.compare:
        base = config.load(hypothesis.compare).with_overrides(shared, where=f"{where} (comparison {hypothesis.compare})")
    else:
        base = scenario
    return Comparison(hypothesis, base, dict(hypothesis.control))


def _identity(plan_fields: dict[str, Any]) -> str:
    text = json.dumps(plan_fields, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def matrix_digest(matrix: np.ndarray) -> str:
    """sha256 of the sample's bytes: a sampler that draws other points makes another analysis."""
    return hashlib.sha256(np.ascontiguousarray(matrix, dtype=np.float64).tobytes()).hexdigest()


def fingerprint(base: Scenario, params: tuple[Parameter, ...], design: Design, replicates: int, base_seed: int,
                matrix: np.ndarray, comparison: Comparison | None) -> str:
    """What identifies an analysis for resuming: scenario, box, design, its points, replicates, seed and
    the hypothesis with its comparison."""
    return _identity({
        "kind": "sensitivity",
        "scenario": to_dict(base, hypotheses=False),
        "params": [[p.key, p.low, p.high, p.integer] for p in params],
        "design": [design.method, design.samples, design.levels, design.second_order],
        "sample": matrix_digest(matrix),
        "replicates": replicates,
        "base_seed": base_seed,
        "hypothesis": None if comparison is None else comparison.hypothesis.table,
        "comparison": None if comparison is None or comparison.base is None else to_dict(comparison.base, False),
    })


def _check_horizon(hypothesis: Hypothesis, days: int) -> None:
    """Runs of ``days`` days must reach every day the hypothesis reads."""
    problem = horizon_problem(hypothesis, days)
    if problem:
        raise ScenarioError(f"--hypothesis {hypothesis.id}: {problem} (set --days, or sample longer runs)")


def check_comparison(comparison: Comparison, params: tuple[Parameter, ...]) -> None:
    """Every sampled key must exist on the comparison side too (it gets the same values)."""
    if comparison.base is None:
        return
    where = f"--hypothesis {comparison.hypothesis.id} (comparison {comparison.hypothesis.against})"
    for param in params:
        try:
            at(comparison.base, (param,), (param.value(param.low),), comparison.control, where=where)
        except ScenarioError as exc:
            raise ScenarioError(f"{exc}; the comparison side gets the same sampled values, so sample only keys "
                                "that both sides have") from None


def _point_scenarios(base: Scenario, params: tuple[Parameter, ...], values: tuple[tuple[float | int, ...], ...],
                     extra: dict[str, Any] | None = None, side: str = "") -> tuple[Scenario, ...]:
    """Each point's scenario, validated; a point the scenario rejects is named with its values."""
    scenarios = []
    for index, point in enumerate(values):
        try:
            scenarios.append(at(base, params, point, extra))
        except ScenarioError as exc:
            shown = ", ".join(f"{p.key}={v:g}" for p, v in zip(params, point, strict=True))
            raise ScenarioError(f"--param: sample point {index}{side} ({shown}) is not a valid scenario: "
                                f"{exc}") from None
    return tuple(scenarios)


def _runs(values: tuple[tuple[float | int, ...], ...], keys: tuple[str, ...], seeds: list[int],
          suffix: str = "") -> tuple[PlannedRun, ...]:
    point_width = max(4, len(str(len(values) - 1)))
    rep_width = max(3, len(str(len(seeds) - 1)))
    return tuple(PlannedRun(run_id=f"p{p:0{point_width}d}-r{r:0{rep_width}d}{suffix}", point=p, replicate=r, seed=seed,
                     values=tuple(zip(keys, point, strict=True)))
                 for p, point in enumerate(values) for r, seed in enumerate(seeds))


def make_plan(base: Scenario, params: tuple[Parameter, ...], design: Design, replicates: int,
              base_seed: int | None = None, comparison: Comparison | None = None) -> Plan:
    """Draw the sample and lay out every run; everything is validated before anything runs."""
    check_replicates(replicates)
    if comparison is not None and replicates < 2:
        raise ScenarioError(f"--replicates: a hypothesis's interval needs at least 2 paired seeds, got {replicates}")
    seed = resolve_seed(base, base_seed)
    if comparison is not None:
        _check_horizon(comparison.hypothesis, base.simulation.days)
        check_comparison(comparison, params)
    sides = 2 if comparison is not None and comparison.base is not None else 1
    days = max([base.simulation.days, *(int(p.high) for p in params if p.key == "simulation.days")])
    check_batch("sensitivity", sides * design.size(len(params)), replicates, days)
    base = base.with_overrides({"simulation.seed": seed})
    sampler_seed = designs.child_seed(seed, designs.SAMPLER_CHILD)
    matrix = designs.sample(design, params, sampler_seed)
    values = tuple(tuple(p.value(x) for p, x in zip(params, row, strict=True)) for row in matrix.tolist())
    points = _point_scenarios(base, params, values)
    if comparison is not None:          # simulation.days may be sampled: the shortest run must do
        _check_horizon(comparison.hypothesis, min(point.simulation.days for point in points))
    compared: tuple[Scenario, ...] = ()
    if comparison is not None and comparison.base is not None:
        compared = _point_scenarios(comparison.base, params, values, comparison.control,
                                    f" (comparison side of --hypothesis {comparison.hypothesis.id})")
    seeds = derive_seeds(seed, replicates)
    keys = tuple(p.key for p in params)
    return Plan(base=base, params=params, design=design, matrix=matrix, values=values, replicates=replicates,
                base_seed=seed, seeds=tuple(seeds), sampler_seed=sampler_seed,
                analysis_seed=designs.child_seed(seed, designs.ANALYSIS_CHILD), points=points,
                comparison=comparison, compared=compared, runs=_runs(values, keys, seeds),
                comparison_runs=_runs(values, keys, seeds, COMPARISON_SUFFIX) if compared else (),
                fingerprint=fingerprint(base, params, design, replicates, seed, matrix, comparison))


def state(plan: Plan) -> dict[str, Any]:
    """What ``sensitivity.json`` records: the fingerprint and, for people, what it is made of."""
    comparison = plan.comparison
    return {"fingerprint": plan.fingerprint, "scenario": plan.base.name,
            "scenario_sha256": scenario_digest(plan.base), "method": plan.design.method,
            "samples": plan.design.samples, "levels": plan.design.levels, "second_order": plan.design.second_order,
            "params": [{"key": p.key, "low": p.low, "high": p.high} for p in plan.params],
            "sample_sha256": matrix_digest(plan.matrix), "replicates": plan.replicates,
            "base_seed": plan.base_seed, "hypothesis": None if comparison is None else comparison.hypothesis.id,
            "points": len(plan.points), "runs": len(plan.all_runs)}


def differences(held: dict[str, Any], plan: Plan) -> str:
    """The held analysis in a few words, and which part of its identity differs from ``plan``'s."""
    mine = json.loads(json.dumps(state(plan), default=str))
    labels = {"scenario": "scenario", "method": "method", "params": "parameters", "samples": "samples",
              "levels": "levels", "second_order": "second order", "replicates": "replicates",
              "base_seed": "seed", "hypothesis": "hypothesis",
              "scenario_sha256": "resolved scenario (the scenario file, --set, --agents/--days, or the trustsim "
                                 "version)",
              "sample_sha256": "sample points (another SALib version?)"}
    differ = [label for key, label in labels.items() if held.get(key) != mine[key]]
    if len(differ) > 1 and labels["sample_sha256"] in differ:     # other points follow from the rest
        differ.remove(labels["sample_sha256"])
    params = ", ".join(str(p.get("key", "?")) for p in held.get("params", []) if isinstance(p, dict))
    what = (f"scenario {held.get('scenario', '?')}, {held.get('method', '?')} over {params or '?'}, "
            f"{held.get('replicates', '?')} replicates, seed {held.get('base_seed', '?')}")
    return f"{what}; differs in {', '.join(differ) or 'fingerprint'}"
