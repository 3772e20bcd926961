"""``trustsim check``: run every hypothesis of the given scenarios and say which hold.

Each hypothesis (:mod:`sim.hypotheses`) is run on paired seeds: run *i* of this scenario and run *i* of
its comparison share seed *i* of ``SeedSequence(seed).spawn(seeds)``, so the effect is measured seed by
seed. The effect's 95% interval is Student's t over those paired differences; the hypothesis holds when
the whole interval lies beyond its minimal effect in the stated direction.

Runs are the unit of work: the same resolved scenario on the same seed is run once, however many
hypotheses read it, on the sweep's executors (a local process pool or Dask). Each finished run's
observables are kept in a cache folder the moment they come back, keyed by the run and by the engine's
own source, so an interrupted check resumes where it stopped, and a second check of unchanged code
costs nothing.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import time
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from . import config
from .config import Scenario
from .engine import Simulation
from .errors import ScenarioError
from .files import write_json
from .hypotheses import Hypothesis
from .observables import DERIVED, Observable, evaluate
from .progress import Progress
from .resources import check_fits
from .sweep.execution import Task, outcomes, require_dask
from .sweep.plan import Run, derive_seeds
from .sweep.statistics import t_quantile

# ---------------------------------------------------------------- the worker

def observe(payload: dict[str, Any]) -> dict[str, np.ndarray]:
    """Worker: run the payload's scenario to its end and read each of its observables (NaN: undefined)."""
    sim = Simulation(config.from_dict(payload["scenario"], "<check>")).run()
    values = [evaluate(sim, _observable(spec)) for spec in payload["observables"]]
    return {"values": np.array(values, dtype=np.float64)}


def _spec(observable: Observable) -> dict[str, Any]:
    return {"name": observable.name, "day": observable.day,
            "window": list(observable.window) if observable.window else None, "since": observable.since,
            "args": [list(pair) for pair in observable.args], "relative": observable.relative}


def _observable(spec: dict[str, Any]) -> Observable:
    return Observable(spec["name"], spec["day"], tuple(spec["window"]) if spec["window"] else None,
                      spec["since"], tuple((k, v) for k, v in spec["args"]), spec.get("relative", False))


# ---------------------------------------------------------------- the plan

@dataclass
class Side:
    """One side of a comparison: a resolved scenario (without its seed) run on each of the seeds."""

    scenario: Scenario
    key: str = ""

    def __post_init__(self) -> None:
        # in the scenario's own order (archetype order shapes a run): never sort_keys here
        text = json.dumps(config.to_dict(self.scenario, hypotheses=False), default=str)
        self.key = hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass
class Trial:
    """A hypothesis made concrete: its two sides (or one and a fixed value) and its seeds."""

    scenario: str
    hypothesis: Hypothesis
    side: Side
    other: Side | None
    seeds: list[int]


@dataclass
class CheckPlan:
    trials: list[Trial]
    runs: dict[str, tuple[Scenario, int, set[Observable]]] = field(default_factory=dict)   # run key -> ...

    def add_run(self, side: Side, seed: int, observable: Observable) -> str:
        key = f"{side.key}-{seed}"
        if key not in self.runs:
            self.runs[key] = (side.scenario, seed, set())
        self.runs[key][2].add(observable)
        return key


def horizon_problem(hypothesis: Hypothesis, horizon: int) -> str:
    """Why runs of ``horizon`` days cannot be read as the hypothesis says (a day beyond them), or ""."""
    observable = hypothesis.observable
    days = [observable.day, observable.since, *(observable.window or ())]
    days += [value for key, value in observable.args if key in ("lapse", "reform")]
    spans = dict(observable.args)
    if "reform" in spans and "span" in spans:
        days.append(spans["reform"] + spans["span"])
    if "after" in spans:
        days.append(spans["after"])
    late = [d for d in days if d is not None and d > horizon]
    return f"reads day {max(late):g} but the runs last {horizon} days" if late else ""


def plan(names: Sequence[str], *, replicates: int | None = None, seed: int | None = None,
         agents: int | None = None) -> CheckPlan:
    """Every hypothesis of the named scenarios as trials, and the distinct runs they need."""
    check = CheckPlan(trials=[])
    for name in names:
        scenario = config.load(name)
        if not scenario.hypotheses:
            continue
        for index, hypothesis in enumerate(scenario.hypotheses):
            where = f"{name}: hypotheses[{index}] ({hypothesis.id})"
            horizon = hypothesis.horizon or scenario.simulation.days
            problem = horizon_problem(hypothesis, horizon)
            if problem:
                raise ScenarioError(f"{where}: {problem}")
            shared: dict[str, Any] = {"simulation.days": horizon}
            if agents is not None:
                shared["simulation.agents"] = agents
            side = Side(scenario.with_overrides(shared, where=where))
            check_fits(side.scenario, where)
            other = None
            if hypothesis.than is None:
                compared = config.load(hypothesis.compare) if hypothesis.compare else scenario
                try:
                    other = Side(compared.with_overrides({**shared, **dict(hypothesis.control)}, where=where))
                except ScenarioError as exc:
                    raise ScenarioError(f"{where}: control: {exc}") from None
                check_fits(other.scenario, where)
            count = replicates or hypothesis.seeds
            if count < 2:
                raise ScenarioError(f"--replicates: a confidence interval needs at least 2 seeds, got {count}")
            seeds = derive_seeds(hypothesis.seed if seed is None else seed, count)
            trial = Trial(scenario.name, hypothesis, side, other, seeds)
            check.trials.append(trial)
            for run_seed in seeds:
                check.add_run(side, run_seed, hypothesis.observable)
                if other is not None:
                    check.add_run(other, run_seed, hypothesis.observable)
    if not check.trials:
        raise ScenarioError(f"no hypotheses in {', '.join(names)} (a scenario states them in [[hypotheses]])")
    return check


# ---------------------------------------------------------------- running, with a cache

def engine_digest() -> str:
    """sha256 of the engine's own source: cached results are for this code only."""
    root = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def default_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "trustsim" / "check"


def _payload(scenario: Scenario, seed: int, observables: set[Observable]) -> dict[str, Any]:
    raw = config.to_dict(scenario, hypotheses=False)
    raw["simulation"]["seed"] = seed
    return {"scenario": raw, "observables": [_spec(o) for o in sorted(observables, key=Observable.key)]}


class CheckInterrupted(KeyboardInterrupt):
    def __init__(self, kept: int, total: int, cache: Path | None) -> None:
        where = f" in {cache}" if cache else ""
        super().__init__(f"check interrupted: {kept} of {total} runs are kept{where}; run the same command "
                         "again to finish the rest")


@dataclass
class CheckResult:
    rows: list[dict[str, Any]]
    failures: list[tuple[str, str]]
    ran: int
    cached: int
    seconds: float

    @property
    def exit_code(self) -> int:
        return 0 if not self.failures and all(row["holds"] for row in self.rows) else 1


def run(check: CheckPlan, *, workers: int | None = None, dask: str | None = None, cache: Path | None = None,
        progress: bool = False, log: TextIO | None = None, connect_timeout: float = 10.0) -> CheckResult:
    """Run what the cache does not hold, then judge every trial."""
    from .sweep.driver import default_workers

    if workers is not None and workers < 1:
        raise ScenarioError(f"--workers: must be at least 1, got {workers}")
    if dask is not None:
        require_dask(dask, connect_timeout)
    started = time.monotonic()
    code = engine_digest()
    payloads = {key: _payload(*entry) for key, entry in check.runs.items()}
    names = {key: _cache_name(payload, code) for key, payload in payloads.items()}
    values: dict[str, dict[str, float]] = {}
    if cache is not None:
        cache.mkdir(parents=True, exist_ok=True)
        for key, name in names.items():
            held = _read_cached(cache / name)
            if held is not None:
                values[key] = held
    todo = [key for key in payloads if key not in values]
    cached = len(values)
    failures: list[tuple[str, str]] = []
    tasks = [Task(Run(key, i, 0, check.runs[key][1], ()), payloads[key]) for i, key in enumerate(todo)]
    pool = min(workers or default_workers(), max(len(tasks), 1))
    with Progress("check", len(payloads), "runs", done=cached, enabled=progress) as bar:
        try:
            if tasks:
                with closing(outcomes(tasks, pool, dask, connect_timeout, observe)) as finishing:
                    for outcome in finishing:
                        key = outcome.run.run_id
                        if outcome.history is None:
                            failures.append((key, outcome.error or "unknown error"))
                            bar.note(f"trustsim: a run of {check.runs[key][0].name} (seed {outcome.run.seed}) "
                                     f"failed: {outcome.error}", log)
                            bar.update(failed=1)
                            continue
                        specs = payloads[key]["observables"]
                        got = {_observable(s).key(): float(v) for s, v in zip(specs, outcome.history["values"],
                                                                              strict=True)}
                        values[key] = got
                        if cache is not None:
                            write_json(cache / names[key], {"scenario": check.runs[key][0].name,
                                                            "seed": check.runs[key][1], "values": got})
                        bar.update(advance=1)
        except KeyboardInterrupt:
            raise CheckInterrupted(len(values), len(payloads), cache) from None
    rows = [judge(trial, values) for trial in check.trials]
    return CheckResult(rows, failures, len(tasks), cached, time.monotonic() - started)


def _cache_name(payload: dict[str, Any], code: str) -> str:
    text = json.dumps(payload, default=str)
    return f"{hashlib.sha256((code + text).encode()).hexdigest()}.json"


def _read_cached(path: Path) -> dict[str, float] | None:
    try:
        held = json.loads(path.read_text())
        return {str(k): float(v) if v is not None else math.nan for k, v in held["values"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


# ---------------------------------------------------------------- judging

def judge(trial: Trial, values: dict[str, dict[str, float]]) -> dict[str, Any]:
    """The paired effect of one trial, its 95% interval and whether the hypothesis holds."""
    hypothesis = trial.hypothesis
    key = hypothesis.observable.key()

    def read(side: Side, seed: int) -> float:
        run = values.get(f"{side.key}-{seed}")
        return math.nan if run is None else run.get(key, math.nan)

    mine = np.array([read(trial.side, s) for s in trial.seeds])
    theirs = (np.full(len(mine), hypothesis.than) if trial.other is None
              else np.array([read(trial.other, s) for s in trial.seeds]))
    paired = np.isfinite(mine) & np.isfinite(theirs)
    differences = mine[paired] - theirs[paired]
    n = len(differences)
    effect = float(differences.mean()) if n else math.nan
    if n >= 2:
        half = t_quantile(n - 1) * float(differences.std(ddof=1)) / math.sqrt(n)
        low, high = effect - half, effect + half
    else:
        low = high = math.nan
    return {
        "scenario": trial.scenario, "id": hypothesis.id, "statement": hypothesis.statement,
        "cause": hypothesis.cause, "measure": hypothesis.observable.describe(),
        "value": _mean(mine[paired]), "control": _control(hypothesis),
        "control_value": _mean(theirs[paired]), "effect": effect, "ci_low": low, "ci_high": high,
        "direction": hypothesis.direction, "min_effect": hypothesis.min_effect, "seeds": len(trial.seeds),
        "paired": n, "holds": hypothesis.holds(low, high), "note": hypothesis.note,
    }


def _mean(values: np.ndarray) -> float:
    return float(values.mean()) if len(values) else math.nan


def _control(hypothesis: Hypothesis) -> Any:
    """The comparison for JSON: a number, a scenario name, or KEY=VALUE strings (the name first, if any)."""
    if hypothesis.than is not None:
        return hypothesis.than
    if not hypothesis.control:
        return hypothesis.compare
    return ([hypothesis.compare] if hypothesis.compare else []) + hypothesis.overrides


# ---------------------------------------------------------------- reports

def _number(value: float) -> str:
    return "n/a" if value != value else f"{value:.3f}" if abs(value) < 100 else f"{value:,.0f}"


def _interval(row: dict[str, Any]) -> str:
    return f"{row['effect']:+.3f} [{row['ci_low']:+.3f}, {row['ci_high']:+.3f}]" if row["paired"] >= 2 else "n/a"


def _wanted(row: dict[str, Any]) -> str:
    direction, size = row["direction"], row["min_effect"]
    return f"within ±{size:g}" if direction == "within" else f"{direction} by > {size:g}"


def _against(row: dict[str, Any]) -> str:
    control = row["control"]
    if isinstance(control, list):
        return " ".join(control)
    return f"{control:g}" if isinstance(control, float | int) else str(control)


def table(rows: list[dict[str, Any]]) -> str:
    """A plain-text table, one hypothesis per row with its statement under it."""
    head = ("", "scenario", "hypothesis", "measure", "value", "compared with", "its value",
            "effect [95% CI]", "wanted")
    body = [("holds" if r["holds"] else "NOT", r["scenario"], r["id"], r["measure"], _number(r["value"]),
             _against(r), _number(r["control_value"]), _interval(r), _wanted(r)) for r in rows]
    widths = [max(len(str(line[i])) for line in (head, *body)) for i in range(len(head))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(head, widths, strict=True)).rstrip()]
    for row, line in zip(rows, body, strict=True):
        lines.append("  ".join(str(c).ljust(w) for c, w in zip(line, widths, strict=True)).rstrip())
        lines.append(f"{'':{widths[0]}}  {row['statement']}")
    held = sum(r["holds"] for r in rows)
    lines.append(f"{held} of {len(rows)} hypotheses hold.")
    return "\n".join(lines)


def markdown(rows: list[dict[str, Any]]) -> str:
    """The same as a Markdown table (the README's claims table)."""
    lines = ["| scenario | hypothesis | measure | value | compared with | its value | effect [95% CI] | wanted | "
             "verdict |", "|---|---|---|---:|---|---:|---|---|---|"]
    for r in rows:
        statement = r["statement"].replace("|", "\\|")
        lines.append(f"| `{r['scenario']}` | **{r['id']}**: {statement} | {r['measure']} | {_number(r['value'])} "
                     f"| {_against(r)} | {_number(r['control_value'])} | {_interval(r)} | {_wanted(r)} | "
                     f"{'holds' if r['holds'] else '**does not hold**'} |")
    return "\n".join(lines)


def as_json(rows: list[dict[str, Any]]) -> str:
    def clean(value: Any) -> Any:
        return None if isinstance(value, float) and not math.isfinite(value) else value
    return json.dumps([{k: clean(v) for k, v in row.items()} for row in rows], indent=2)


__all__ = ["CheckInterrupted", "CheckPlan", "CheckResult", "DERIVED", "Side", "Trial", "as_json", "horizon_problem",
           "judge", "markdown", "observe", "plan", "run", "table"]
