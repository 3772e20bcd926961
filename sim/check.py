"""``trustsim check``: run every hypothesis of the given scenarios and say which hold.

Each hypothesis (:mod:`sim.hypotheses`) is run on paired seeds: run *i* of this scenario and run *i* of
its comparison share seed *i* of ``SeedSequence(seed).spawn(seeds)``, so the effect is measured seed by
seed. The effect's 95% interval is Student's t over those paired differences; the hypothesis holds when
the whole interval lies beyond its minimal effect in the stated direction.

Every verdict is said with what stands behind it: the hypothesis's *kind* (an ablation shows a cause, a
comparison a difference between worlds, a threshold a level), whether it was amended after it was
registered, whether its 99% interval still clears the margin (else it sits *on the margin*), and whether
it survives being one of many: Holm's step-down procedure over every hypothesis checked together, at the
same one-sided level as each single verdict (2.5%). With ``robust``, each hypothesis is also run at twice
its horizon and at four times its agents, and its verdict says whether it holds there too.

Runs are the unit of work: the same resolved scenario on the same seed is run once, however many
hypotheses read it, in the batch shell (:func:`sim.batch.shell.execute`: a local process pool or Dask).
Each finished run's observables are kept in a cache folder the moment they come back (:class:`Cache`),
keyed by the run alone (its resolved scenario and seed) and by the engine's own source, so an interrupted
check resumes where it stopped, a second check of unchanged code costs nothing, and checking one
scenario after all of them reruns nothing.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from . import config
from .batch.execution import Executor, Task
from .batch.runs import PlannedRun, derive_seeds, seeded
from .batch.shell import execute
from .batch.statistics import paired_effect, t_quantile, t_two_sided_coverage
from .config import Scenario
from .engine import Simulation, pilot_counts
from .errors import ScenarioError
from .files import write_json
from .hypotheses import Hypothesis, horizon_problem
from .observables import DERIVED, Observable, evaluate
from .resources import check_fits

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


#: The conditions a hypothesis is judged under: as registered, and (``robust``) at twice its horizon and at
#: four times its agents.
DEFAULTS, LONGER, LARGER = "defaults", "twice the horizon", "four times the agents"
VARIANTS = (DEFAULTS, LONGER, LARGER)


@dataclass
class Trial:
    """A hypothesis made concrete: its two sides (or one and a fixed value), its seeds, and the condition it
    is run under (:data:`VARIANTS`)."""

    scenario: str
    hypothesis: Hypothesis
    side: Side
    other: Side | None
    seeds: list[int]
    variant: str = DEFAULTS


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


class Sides:
    """The sides a check's trials are run on, each made once however many hypotheses share it.

    Planning is linear in the hypotheses: each named scenario is read and validated once, each scenario a
    hypothesis compares with once, and each distinct side (a scenario with its days, agents, ``--set`` and
    control) once. A side leaves out what the scenario claims (its hypotheses, validated when it was read):
    re-validating them for every hypothesis made planning grow with the square of their number.
    """

    def __init__(self) -> None:
        self.loaded: dict[str, Scenario] = {}
        self.made: dict[str, Side] = {}

    def load(self, name: str) -> Scenario:
        """The scenario ``name`` (a shipped name or a file), read and validated once."""
        if name not in self.loaded:
            self.loaded[name] = config.load(name)
        return self.loaded[name]

    def side(self, scenario: Scenario, overrides: dict[str, Any], where: str) -> Side:
        """``scenario`` with ``overrides`` applied (validated, and checked to fit), made once."""
        key = json.dumps([config.to_dict(scenario, hypotheses=False), overrides], default=str)
        if key not in self.made:
            runnable = replace(scenario, hypotheses=())
            made = Side(runnable.with_overrides(overrides, where=where))
            check_fits(made.scenario, where, count=pilot_counts)
            self.made[key] = made
        return self.made[key]

    def compared(self, scenario: Scenario, hypothesis: Hypothesis, shared: dict[str, Any], where: str) -> Side | None:
        """The side ``hypothesis`` compares ``scenario`` with: another scenario or this one, with the
        hypothesis's control overrides and the ``shared`` settings of both sides (days, agents, ...); None
        for a threshold."""
        if hypothesis.than is not None:
            return None
        base = self.load(hypothesis.compare) if hypothesis.compare else scenario
        try:
            return self.side(base, {**shared, **dict(hypothesis.control)}, where)
        except ScenarioError as exc:
            raise ScenarioError(f"{where}: control: {exc}") from None


def plan(names: Sequence[str], *, replicates: int | None = None, seed: int | None = None,
         agents: int | None = None, days: int | None = None, overrides: dict[str, Any] | None = None,
         robust: bool = False) -> CheckPlan:
    """Every hypothesis of the named scenarios as trials, and the distinct runs they need.

    ``agents`` and ``days`` replace each hypothesis's own size and horizon, and ``overrides`` (``--set``)
    apply to both sides of every comparison: the verdicts that count are those at the defaults. With
    ``robust``, every hypothesis is also planned at twice its horizon and four times its agents.
    """
    for key in overrides or {}:
        if key.split(".")[0] == "simulation" and key != "simulation.spin_up":
            raise ScenarioError(f"--set {key}: a check's seeds, horizons and sizes are each hypothesis's own "
                                f"(--seed, --days and --agents replace them all)")
    check, sides = CheckPlan(trials=[]), Sides()
    for name in names:
        _plan_scenario(check, sides, sides.load(name), name, replicates=replicates, seed=seed, agents=agents,
                       days=days, overrides=overrides or {}, robust=robust)
    if not check.trials:
        raise ScenarioError(f"no hypotheses in {', '.join(names)} (a scenario states them in [[hypotheses]])")
    return check


def plan_of(scenario: Scenario) -> CheckPlan:
    """The trials of one scenario's hypotheses as ``trustsim check`` plans them by default (none if it states
    none): the runs whose cached results say how its hypotheses fared."""
    check = CheckPlan(trials=[])
    _plan_scenario(check, Sides(), scenario, scenario.name)
    return check


def _plan_scenario(check: CheckPlan, sides: Sides, scenario: Scenario, name: str, *, replicates: int | None = None,
                   seed: int | None = None, agents: int | None = None, days: int | None = None,
                   overrides: dict[str, Any] | None = None, robust: bool = False) -> None:
    for index, hypothesis in enumerate(scenario.hypotheses):
        where = f"{name}: hypotheses[{index}] ({hypothesis.id})"
        horizon = days or hypothesis.horizon or scenario.simulation.days
        size = agents or scenario.simulation.agents
        variants = {DEFAULTS: (horizon, size)}
        if robust:
            variants.update({LONGER: (2 * horizon, size), LARGER: (horizon, 4 * size)})
        for variant, (variant_days, variant_agents) in variants.items():
            _plan_trial(check, sides, scenario, hypothesis, where, variant, variant_days, variant_agents,
                        overrides or {}, replicates, seed)


def _plan_trial(check: CheckPlan, sides: Sides, scenario: Scenario, hypothesis: Hypothesis, where: str,
                variant: str, days: int, agents: int, overrides: dict[str, Any], replicates: int | None,
                seed: int | None) -> None:
    problem = horizon_problem(hypothesis, days)
    if problem:
        raise ScenarioError(f"{where}: {problem}")
    shared: dict[str, Any] = {**overrides, "simulation.days": days, "simulation.agents": agents}
    try:
        side = sides.side(scenario, shared, where)
    except ScenarioError as exc:
        raise ScenarioError(f"{where}: --set: {exc}") from None
    other = sides.compared(scenario, hypothesis, shared, where)
    count = replicates or hypothesis.seeds
    if count < 2:
        raise ScenarioError(f"--replicates: a confidence interval needs at least 2 seeds, got {count}")
    seeds = derive_seeds(hypothesis.seed if seed is None else seed, count)
    check.trials.append(Trial(scenario.name, hypothesis, side, other, seeds, variant))
    for run_seed in seeds:
        check.add_run(side, run_seed, hypothesis.observable)
        if other is not None:
            check.add_run(other, run_seed, hypothesis.observable)


def comparison(scenario: Scenario, hypothesis: Hypothesis, shared: dict[str, Any], where: str) -> Scenario | None:
    """What ``hypothesis`` compares ``scenario`` with (see :meth:`Sides.compared`), without the hypotheses it
    states; None for a threshold."""
    side = Sides().compared(scenario, hypothesis, shared, where)
    return None if side is None else side.scenario


# ---------------------------------------------------------------- running, with a cache

def engine_digest() -> str:
    """sha256 of the engine's own source: cached results are for this code only (the report, which only
    draws exported files, is left out)."""
    root = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*.py") if p.relative_to(root).parts[0] != "report"):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def default_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "trustsim" / "check"


def _payload(scenario: Scenario, seed: int, observables: set[Observable]) -> dict[str, Any]:
    return {"scenario": seeded(scenario, seed),
            "observables": [_spec(o) for o in sorted(observables, key=Observable.key)]}


class Cache:
    """What the check's runs observed, by run key: those the cache ``folder`` held, and every run kept since
    (written there too, when there is a folder). Each run's file is named by its run alone (the resolved
    scenario and the seed) and the engine's source (:func:`engine_digest`), so a run of other code is never
    read back, and holds every observable read of that run so far: a check that needs only some of them
    (one scenario after all of them) runs nothing again."""

    def __init__(self, folder: Path | None, planned: CheckPlan, payloads: dict[str, dict[str, Any]]) -> None:
        self.where, self.planned, self.payloads = folder, planned, payloads
        code = engine_digest()
        self.names = {key: _cache_name(payload["scenario"], code) for key, payload in payloads.items()}
        self.values: dict[str, dict[str, float]] = {}
        self.held: dict[str, dict[str, float]] = {}       # what the folder held, needed or not
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
            for key, name in self.names.items():
                held = _read_cached(folder / name)
                if held is None:
                    continue
                self.held[key] = held
                needed = {_observable(spec).key() for spec in payloads[key]["observables"]}
                if needed <= held.keys():
                    self.values[key] = held

    @property
    def kept(self) -> int:
        return len(self.values)

    def keep(self, run: PlannedRun, result: dict[str, np.ndarray]) -> None:
        key = run.run_id
        specs = self.payloads[key]["observables"]
        got = {_observable(s).key(): float(v) for s, v in zip(specs, result["values"], strict=True)}
        self.values[key] = got
        if self.where is not None:
            kept = {**self.held.get(key, {}), **got}
            write_json(self.where / self.names[key], {"scenario": self.planned.runs[key][0].name,
                                                      "seed": self.planned.runs[key][1],
                                                      "values": {k: _finite(v) for k, v in kept.items()}})

    def tidy(self) -> None:
        """Nothing to tidy: each file is written atomically."""


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


def run(planned: CheckPlan, *, workers: int | None = None, dask: str | None = None, cache: Path | None = None,
        progress: bool = False, log: TextIO | None = None, connect_timeout: float = 10.0) -> CheckResult:
    """Run what the cache does not hold, then judge every trial."""
    executor = Executor(workers, dask, connect_timeout)
    executor.check()
    started = time.monotonic()
    payloads = {key: _payload(*entry) for key, entry in planned.runs.items()}
    store = Cache(cache, planned, payloads)
    cached = store.kept
    tasks = [Task(PlannedRun(key, i, 0, planned.runs[key][1], ()), payloads[key])
             for i, key in enumerate(key for key in payloads if key not in store.values)]
    failures = execute(tasks, observe, store, executor, what="check", title="check", total=len(payloads),
                       failed=lambda run: f"a run of {planned.runs[run.run_id][0].name} (seed {run.seed}) failed",
                       progress=progress, log=log, cost=lambda run: _agent_days(planned.runs[run.run_id][0]))
    rows = combine([judge(trial, store.values) for trial in planned.trials])
    return CheckResult(rows, [(run.run_id, error) for run, error in failures], len(tasks), cached,
                       time.monotonic() - started)


def cached_values(planned: CheckPlan, folder: Path) -> dict[str, dict[str, float]]:
    """What a cache folder holds of the planned runs, by run key; read only (nothing is created)."""
    if not folder.is_dir():
        return {}
    code = engine_digest()
    found = {}
    for key, entry in planned.runs.items():
        held = _read_cached(folder / _cache_name(_payload(*entry)["scenario"], code))
        if held is not None:
            found[key] = held
    return found


def _agent_days(scenario: Scenario) -> float:
    """A run's work, for the progress bar's estimate: agents times the days simulated, spin-up included."""
    return float(scenario.simulation.agents) * (scenario.simulation.days + scenario.simulation.spin_up)


def _cache_name(scenario: dict[str, Any], code: str) -> str:
    text = json.dumps(scenario, default=str)
    return f"{hashlib.sha256((code + text).encode()).hexdigest()}.json"


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


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
    paired = paired_effect(mine, theirs)
    p_value, on_margin = _test(hypothesis, paired.effect, paired.ci_high, paired.paired)
    return {
        "scenario": trial.scenario, "id": hypothesis.id, "statement": hypothesis.statement,
        "kind": hypothesis.kind, "cause": hypothesis.cause, "measure": hypothesis.observable.describe(),
        "value": paired.value, "control": compared_with(hypothesis),
        "control_value": paired.control_value, "effect": paired.effect, "ci_low": paired.ci_low,
        "ci_high": paired.ci_high, "direction": hypothesis.direction, "min_effect": hypothesis.min_effect,
        "seeds": len(trial.seeds), "paired": paired.paired, "holds": hypothesis.holds(paired.ci_low, paired.ci_high),
        "p_value": p_value, "on_margin": on_margin,
        # seed by seed, as run: what a later check on fewer replicates (its first seeds) must reproduce exactly
        "seed_values": [_finite(float(v)) for v in mine],
        "seed_control_values": [_finite(float(v)) for v in theirs],
        "days": trial.side.scenario.simulation.days, "agents": trial.side.scenario.simulation.agents,
        "variant": trial.variant, "registered": hypothesis.registered, "terms": hypothesis.terms,
        "amendments": [{"date": a.date, "what": a.what, "why": a.why} for a in hypothesis.amendments],
        "note": hypothesis.note,
    }


#: The one-sided level of every single verdict: a 95% two-sided interval beyond the margin is a one-sided
#: test at 2.5%. Holm's procedure keeps the whole family's error at the same level.
LEVEL = 0.025


def _tail(t: float, dof: int) -> float:
    """P(T > t) for Student's t with ``dof`` degrees of freedom."""
    outside = (1.0 - t_two_sided_coverage(abs(t), dof)) / 2.0
    return outside if t >= 0 else 1.0 - outside


def _test(hypothesis: Hypothesis, effect: float, ci_high: float, n: int) -> tuple[float, bool]:
    """The one-sided p-value of "the effect lies beyond the margin in the stated direction" (for ``within``,
    the larger of the two one-sided tests, TOST), and whether the margin lies inside the 99% interval (the
    verdict sits on its margin: a little more noise would turn it)."""
    if n < 2 or not math.isfinite(effect) or not math.isfinite(ci_high):
        return math.nan, False
    dof = n - 1
    se = (ci_high - effect) / t_quantile(dof)
    margin = hypothesis.min_effect
    if se <= 0:     # every pair gave the same difference: the verdict is certain either way
        return (0.0 if hypothesis.holds(effect, effect) else 1.0), False
    if hypothesis.direction == "higher":
        p, bounds = _tail((effect - margin) / se, dof), (margin,)
    elif hypothesis.direction == "lower":
        p, bounds = _tail((-margin - effect) / se, dof), (-margin,)
    else:
        p = max(_tail((effect + margin) / se, dof), _tail((margin - effect) / se, dof))
        bounds = (-margin, margin)
    half = se * t_quantile(dof, 0.99)
    return p, any(effect - half <= bound <= effect + half for bound in bounds)


def combine(judged: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per hypothesis (its verdict as registered), with what the other conditions found
    (``robust``: each variant's verdict and interval; ``robustness``: holds, holds at the defaults only, or
    does not hold) and Holm's family-wise verdict over every hypothesis of the check."""
    rows = [dict(row) for row in judged if row["variant"] == DEFAULTS]
    by_id = {(row["scenario"], row["id"]): row for row in rows}
    for row in judged:
        if row["variant"] != DEFAULTS:
            entry = {key: row[key] for key in ("holds", "on_margin", "effect", "ci_low", "ci_high", "days", "agents")}
            by_id[(row["scenario"], row["id"])].setdefault("robust", {})[row["variant"]] = entry
    for row in rows:
        others = row.get("robust")
        if others is None:
            row["robust"], row["robustness"] = None, None
        elif not row["holds"]:
            row["robustness"] = "does not hold"
        else:
            row["robustness"] = "holds" if all(v["holds"] for v in others.values()) else "holds at the defaults only"
        row.pop("variant")
    _holm(rows)
    return rows


def _holm(rows: list[dict[str, Any]]) -> None:
    """Holm's step-down procedure: with p-values in rising order, the i-th of m holds family-wise while
    p <= LEVEL / (m - i), and every one after the first that fails fails too."""
    order = sorted(range(len(rows)), key=lambda i: (math.inf if math.isnan(rows[i]["p_value"])
                                                    else rows[i]["p_value"]))
    still = True
    for rank, i in enumerate(order):
        p = rows[i]["p_value"]
        still = still and not math.isnan(p) and p <= LEVEL / (len(rows) - rank)
        rows[i]["holds_holm"] = still and rows[i]["holds"]


def compared_with(hypothesis: Hypothesis) -> Any:
    """The comparison for JSON: a number, a scenario name, or KEY=VALUE strings (the name first, if any)."""
    if hypothesis.than is not None:
        return hypothesis.than
    if not hypothesis.control:
        return hypothesis.compare
    return ([hypothesis.compare] if hypothesis.compare else []) + hypothesis.overrides


# ---------------------------------------------------------------- reports

def _number(value: float) -> str:
    return "n/a" if value != value else f"{value:.3f}" if abs(value) < 100 else f"{value:,.0f}"


def interval_text(row: dict[str, Any]) -> str:
    return f"{row['effect']:+.3f} [{row['ci_low']:+.3f}, {row['ci_high']:+.3f}]" if row["paired"] >= 2 else "n/a"


def _wanted(row: dict[str, Any]) -> str:
    direction, size = row["direction"], row["min_effect"]
    return f"within ±{size:g}" if direction == "within" else f"{direction} by > {size:g}"


def _against(row: dict[str, Any]) -> str:
    control = row["control"]
    if isinstance(control, list):
        return " ".join(control)
    return f"{control:g}" if isinstance(control, float | int) else str(control)


def _verdict(row: dict[str, Any], markdown: bool = False) -> str:
    verdict = "holds" if row["holds"] else ("**does not hold**" if markdown else "does not hold")
    return verdict + (", on the margin" if row.get("on_margin") else "")


def _family(row: dict[str, Any]) -> str:
    return "holds" if row.get("holds_holm") else "no"


def _robust(row: dict[str, Any]) -> str:
    if row.get("robustness") is None:
        return "not run (--robust)"
    if row["robustness"] != "holds at the defaults only":
        return row["robustness"]
    failed = [variant for variant, entry in row["robust"].items() if not entry["holds"]]
    return f"holds at the defaults only (not at {' or '.join(failed)})"


def _amended(row: dict[str, Any]) -> str:
    dates = sorted({a["date"] for a in row.get("amendments", [])})
    return f"amended {', '.join(dates)}" if dates else ""


def table(rows: list[dict[str, Any]]) -> str:
    """A plain-text table, one hypothesis per row with its statement (and any amendment) under it."""
    robust = any(r.get("robustness") is not None for r in rows)
    head = ("", "scenario", "hypothesis", "kind", "measure", "value", "compared with", "its value",
            "effect [95% CI]", "wanted", "Holm", *(("longer, larger",) if robust else ()))
    body = [("holds" if r["holds"] else "NOT", r["scenario"], r["id"], r["kind"], r["measure"], _number(r["value"]),
             _against(r), _number(r["control_value"]), interval_text(r), _wanted(r), _family(r),
             *((r["robustness"] or "",) if robust else ())) for r in rows]
    widths = [max(len(str(line[i])) for line in (head, *body)) for i in range(len(head))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(head, widths, strict=True)).rstrip()]
    for row, line in zip(rows, body, strict=True):
        lines.append("  ".join(str(c).ljust(w) for c, w in zip(line, widths, strict=True)).rstrip())
        notes = [row["statement"]]
        if row.get("on_margin"):
            notes.append("on the margin: the 99% interval reaches it")
        if _amended(row):
            notes.append(_amended(row))
        lines.append(f"{'':{widths[0]}}  {' · '.join(notes)}")
    held = sum(r["holds"] for r in rows)
    family = sum(bool(r.get("holds_holm")) for r in rows)
    lines.append(f"{held} of {len(rows)} hypotheses hold; {family} of them still hold as one family of {len(rows)} "
                 f"tests (Holm).")
    kinds = ", ".join(f"{sum(r['kind'] == k for r in rows)} {k}" for k in ("ablation", "comparison", "threshold"))
    lines.append(f"Kinds: {kinds}. Only an ablation shows a cause; a comparison shows a difference between two "
                 f"worlds, a threshold a level.")
    return "\n".join(lines)


def markdown(rows: list[dict[str, Any]]) -> str:
    """The same as a Markdown table (the README's claims table)."""
    count = len(rows)
    lines = [f"| scenario | hypothesis | kind | measure | value | compared with | its value | effect [95% CI] | "
             f"wanted | verdict | as one of {count} (Holm) | also at twice the horizon, and at four times the agents (two runs) |",
             "|---|---|---|---|---:|---|---:|---|---|---|---|---|"]
    for r in rows:
        statement = r["statement"].replace("|", "\\|")
        amended = f" *({_amended(r)})*" if _amended(r) else ""
        lines.append(f"| `{r['scenario']}` | **{r['id']}**{amended}: {statement} | {r['kind']} | {r['measure']} | "
                     f"{_number(r['value'])} | {_against(r)} | {_number(r['control_value'])} | {interval_text(r)} | "
                     f"{_wanted(r)} | {_verdict(r, markdown=True)} | {_family(r)} | {_robust(r)} |")
    return "\n".join(lines)


def as_json(rows: list[dict[str, Any]]) -> str:
    def clean(value: Any) -> Any:
        return None if isinstance(value, float) and not math.isfinite(value) else value
    return json.dumps([{k: clean(v) for k, v in row.items()} for row in rows], indent=2)


__all__ = ["Cache", "CheckPlan", "CheckResult", "DERIVED", "Side", "Sides", "Trial", "as_json", "cached_values", "comparison", "judge", "markdown", "observe",
           "plan", "plan_of", "run", "table"]
