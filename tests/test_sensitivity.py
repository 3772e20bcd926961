"""Tests for `trustsim sensitivity`: the box and its checks, SALib's own indices recomputed from the files,
the machinery on functions with known indices, identical tables for any executor, resume, failures, and
where a hypothesis holds.

Simulated runs are tiny (60 agents, 15 days: about 15 ms each). The known functions stand in for the
simulation as the work each run does (``plan.payload`` in, final measures out), so they go through the
very same path: planning, the process pool, the per-run files, the tables and SALib.
"""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from sim import cli, load_scenario
from sim.batch import BatchInterrupted
from sim.batch.runs import derive_seeds
from sim.errors import UsageError
from sim.measures import METRICS
from sim.sensitivity import plan_analysis, run_sensitivity
from sim.sensitivity.design import SALIB_HINT
from sim.sensitivity.hypothesis import decider_table, stump
from sim.sensitivity.space import Parameter, at, resolve

pytest.importorskip("SALib")

SMALL = {"simulation.agents": 60, "simulation.days": 15}
QUICK = ["--agents", "60", "--days", "15"]
TABLES = ("samples", "runs", "indices")
MORRIS = ["trust.asymmetry=1:8", "vouching.endorsement=0.3:0.9", "promotion.reach=0:30"]
SOBOL = ["archetypes.flaky.share=0.05:0.3", "promotion.reach=0:20", "trust.asymmetry=1:6"]
ROOT = Path(__file__).resolve().parent.parent


# --------------------------------------------------------------------------- known functions as the work

LINEAR = {"trust.asymmetry": 0.5, "vouching.endorsement": -3.0, "network.history": 0.0, "promotion.reach": 0.1}
LINEAR_BOX = ["trust.asymmetry=1:5", "vouching.endorsement=0.2:0.8", "network.history=0:10", "promotion.reach=0:30"]
ISHIGAMI_BOX = [f"{key}=0:{2 * math.pi!r}" for key in ("network.history", "vouching.min_dealings",
                                                          "trust.untie_evidence")]


def _value(scenario: dict[str, Any], key: str) -> float:
    section, name = key.split(".")
    return float(scenario[section][name])


def _measures(value: float) -> dict[str, np.ndarray]:
    """``value`` as the first measure (mean_trust); every other measure undefined."""
    measures = np.full(len(METRICS), np.nan)
    measures[0] = value
    return {"measures": measures, "observed": np.empty(0)}


def linear(payload: dict[str, Any]) -> dict[str, np.ndarray]:
    """y = sum of a_k x_k: Morris's elementary effects are exactly a_k (HIGH - LOW) at every step."""
    return _measures(sum(a * _value(payload["scenario"], key) for key, a in LINEAR.items()))


def ishigami(payload: dict[str, Any]) -> dict[str, np.ndarray]:
    """Ishigami (a = 7, b = 0.1) over [-pi, pi]^3, each x read from a key sampled on [0, 2 pi]."""
    x1, x2, x3 = (_value(payload["scenario"], box.split("=")[0]) - math.pi for box in ISHIGAMI_BOX)
    return _measures(math.sin(x1) + 7.0 * math.sin(x2) ** 2 + 0.1 * x3 ** 4 * math.sin(x1))


def fail_where_asymmetry_is_8(payload: dict[str, Any]) -> dict[str, np.ndarray]:
    """The simulation, except that runs with trust.asymmetry = 8 (one Morris level) raise."""
    from sim.sensitivity.work import measure

    if _value(payload["scenario"], "trust.asymmetry") == 8.0:
        raise RuntimeError("failure injected by the test")
    return measure(payload)


# --------------------------------------------------------------------------- helpers and references

def read(out: Path, table: str) -> pl.DataFrame:
    return pl.read_parquet(out / f"{table}.parquet")


def assert_same_tables(left: Path, right: Path, tables: tuple[str, ...] = TABLES) -> None:
    for table in tables:
        assert_frame_equal(read(left, table), read(right, table), check_exact=True)


def morris_plan(**options: Any):
    return plan_analysis(load_scenario("baseline", SMALL), MORRIS, method="morris", samples=4, replicates=2,
                         **options)


@pytest.fixture(scope="module")
def morris_reference(tmp_path_factory) -> Path:
    """Morris, 3 parameters (one an integer), 4 trajectories x 4 points x 2 replicates, 2 workers."""
    out = tmp_path_factory.mktemp("morris")
    result = run_sensitivity(morris_plan(), out, workers=2)
    assert result.exit_code == 0 and result.ran == 32
    return out


@pytest.fixture(scope="module")
def sobol_reference(tmp_path_factory) -> Path:
    """Sobol' with S2 over a share, an integer and a real key: N = 8, 8 x (2 x 3 + 2) points x 2 replicates."""
    out = tmp_path_factory.mktemp("sobol")
    plan = plan_analysis(load_scenario("baseline", SMALL), SOBOL, method="sobol", samples=8, second_order=True,
                         replicates=2)
    result = run_sensitivity(plan, out, workers=2)
    assert result.exit_code == 0 and result.ran == 128
    return out


def salib_responses(out: Path) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """X and each measure's Y as anyone would read them: samples in point order, runs averaged by point."""
    samples = read(out, "samples").sort("point")
    x = samples.drop("point").cast(pl.Float64).to_numpy()
    means = read(out, "runs").group_by("point").agg(pl.col(list(METRICS)).cast(pl.Float64).mean()).sort("point")
    assert means["point"].to_list() == samples["point"].to_list()
    return x, {m: means[m].fill_null(np.nan).to_numpy() for m in METRICS}


def problem_of(manifest: dict[str, Any]) -> dict[str, Any]:
    return {"num_vars": len(manifest["params"]), "names": [p["key"] for p in manifest["params"]],
            "bounds": [[p["low"], p["high"]] for p in manifest["params"]]}


def index(indices: pl.DataFrame, measure: str, column: str) -> np.ndarray:
    rows = indices.filter(pl.col("measure") == measure)
    if "other" in rows.columns:
        rows = rows.filter(pl.col("other").is_null())
    return rows[column].fill_null(np.nan).to_numpy()


# --------------------------------------------------------------------------- the box

def test_integer_keys_are_rounded_and_shares_rescaled() -> None:
    base = load_scenario("baseline", SMALL)
    params = resolve(base, ["promotion.reach=0:30", "archetypes.flaky.share=0.05:0.4"])
    assert [p.integer for p in params] == [True, False]
    assert [params[0].value(x) for x in (2.5, 2.49, 29.5)] == [3, 2, 30]      # halves up, within the range
    scenario = at(base, params, (7, 0.3))
    shares = {a.name: a.share for a in scenario.archetypes}
    assert scenario.promotion.reach == 7 and shares["flaky"] == 0.3
    # the others keep their proportions (steady 0.55 : casual 0.35) and fill the remaining 0.7
    assert shares["steady"] == pytest.approx(0.7 * 0.55 / 0.9) and shares["casual"] == pytest.approx(0.7 * 0.35 / 0.9)
    assert sum(shares.values()) == pytest.approx(1.0)


def test_samples_record_what_ran(sobol_reference) -> None:
    samples = read(sobol_reference, "samples")
    assert samples.columns == ["point", "archetypes.flaky.share", "promotion.reach", "trust.asymmetry"]
    assert samples.schema["promotion.reach"] == pl.Int64 and samples.schema["trust.asymmetry"] == pl.Float64
    assert samples["point"].to_list() == list(range(64))
    assert samples["promotion.reach"].min() >= 0 and samples["promotion.reach"].max() <= 20
    runs = read(sobol_reference, "runs")
    assert runs.height == 128 and runs.columns == ["run_id", "point", "replicate", "seed", *METRICS]
    # replicate r runs on seed r of SeedSequence(BASE) at every point (common random numbers)
    seeds = derive_seeds(1, 2)
    for r in (0, 1):
        assert set(runs.filter(pl.col("replicate") == r)["seed"].to_list()) == {seeds[r]}


# --------------------------------------------------------------------------- SALib's own numbers

def test_sobol_indices_equal_salibs_analysis_of_the_written_files(sobol_reference) -> None:
    from SALib.analyze import sobol

    manifest = json.loads((sobol_reference / "manifest.json").read_text())
    analysis = manifest["analysis"]
    x, responses = salib_responses(sobol_reference)
    indices = read(sobol_reference, "indices")
    assert indices.columns == ["measure", "parameter", "other", "rank", "S1", "S1_conf", "ST", "ST_conf", "S2",
                               "S2_conf"]
    checked = 0
    for measure, y in responses.items():
        if not np.isfinite(y).all():
            assert np.isnan(index(indices, measure, "ST")).all()
            continue
        own = sobol.analyze(problem_of(manifest), y, calc_second_order=True, num_resamples=analysis["num_resamples"],
                            conf_level=analysis["conf_level"], seed=analysis["seed"])
        for column in ("S1", "S1_conf", "ST", "ST_conf"):
            assert index(indices, measure, column) == pytest.approx(own[column], rel=1e-9, abs=1e-12, nan_ok=True)
        pairs = indices.filter((pl.col("measure") == measure) & pl.col("other").is_not_null())
        assert pairs.select("parameter", "other").rows() == [
            ("archetypes.flaky.share", "promotion.reach"), ("archetypes.flaky.share", "trust.asymmetry"),
            ("promotion.reach", "trust.asymmetry")]
        for (i, j), s2, conf in zip(((0, 1), (0, 2), (1, 2)), pairs["S2"], pairs["S2_conf"], strict=True):
            assert s2 == pytest.approx(own["S2"][i, j], rel=1e-9, abs=1e-12)
            assert conf == pytest.approx(own["S2_conf"][i, j], rel=1e-9, abs=1e-12)
        checked += 1
    assert checked >= 8     # most measures are defined at every point even in tiny runs


def test_morris_indices_equal_salibs_analysis_of_the_written_files(morris_reference) -> None:
    from SALib.analyze import morris

    manifest = json.loads((morris_reference / "manifest.json").read_text())
    analysis = manifest["analysis"]
    x, responses = salib_responses(morris_reference)
    indices = read(morris_reference, "indices")
    assert indices.columns == ["measure", "parameter", "rank", "mu", "mu_star", "mu_star_conf", "sigma"]
    checked = 0
    for measure, y in responses.items():
        if not np.isfinite(y).all():
            continue
        own = morris.analyze(problem_of(manifest), x, y, num_resamples=analysis["num_resamples"],
                             conf_level=analysis["conf_level"], num_levels=manifest["design"]["levels"],
                             seed=analysis["seed"])
        for column in ("mu", "mu_star", "mu_star_conf", "sigma"):
            assert index(indices, measure, column) == pytest.approx(own[column], rel=1e-9, abs=1e-12)
        ranks = index(indices, measure, "rank")
        assert sorted(ranks) == [1, 2, 3] and ranks[np.argmax(own["mu_star"])] == 1
        checked += 1
    assert checked >= 8


# --------------------------------------------------------------------------- known indices

def test_morris_recovers_a_linear_models_exact_effects(tmp_path) -> None:
    plan = plan_analysis(load_scenario("baseline", SMALL), LINEAR_BOX, method="morris", samples=5, replicates=1)
    result = run_sensitivity(plan, tmp_path, workers=2, work=linear)
    assert result.exit_code == 0 and result.ran == 5 * 5
    indices = read(tmp_path, "indices").filter(pl.col("measure") == "mean_trust")
    spans = [4.0, 0.6, 10.0, 30.0]
    expected = [a * span for a, span in zip(LINEAR.values(), spans, strict=True)]
    assert indices["mu"].to_list() == pytest.approx(expected, abs=1e-9)
    assert indices["mu_star"].to_list() == pytest.approx([abs(e) for e in expected], abs=1e-9)
    assert indices["sigma"].to_list() == pytest.approx([0.0] * 4, abs=1e-9)
    assert indices["rank"].to_list() == [2, 3, 4, 1]
    # promotion.reach is an integer key on 4 levels of 0:30: it runs at 0, 10, 20, 30 exactly
    assert sorted(read(tmp_path, "samples")["promotion.reach"].unique().to_list()) == [0, 10, 20, 30]
    # the other measures are undefined (NaN) everywhere: no indices, and the summary says why
    assert read(tmp_path, "indices").filter(pl.col("measure") == "ties")["mu_star"].null_count() == 4
    assert result.notes["ties"] == "undefined at 25 of 25 sample points"


def test_sobol_recovers_the_ishigami_functions_known_indices(tmp_path) -> None:
    plan = plan_analysis(load_scenario("baseline", SMALL), ISHIGAMI_BOX, method="sobol", samples=256, replicates=1)
    result = run_sensitivity(plan, tmp_path, workers=2, work=ishigami)
    assert result.exit_code == 0 and result.ran == 256 * 5
    indices = read(tmp_path, "indices").filter(pl.col("measure") == "mean_trust")
    known = {"S1": [0.3139, 0.4424, 0.0], "ST": [0.5576, 0.4424, 0.2437]}   # a = 7, b = 0.1
    for column, truth in known.items():
        estimate, conf = indices[column].to_numpy(), indices[f"{column}_conf"].to_numpy()
        assert np.abs(estimate - truth).max() < 0.1, (column, estimate)
        assert (np.abs(estimate - truth) <= conf).all(), (column, estimate, conf)   # within their intervals
    assert indices["rank"].to_list() == [1, 2, 3]    # ST: x1 > x2 > x3, though x3 alone explains nothing


# --------------------------------------------------------------------------- the same tables everywhere

def test_one_and_two_workers_give_identical_tables(tmp_path, morris_reference) -> None:
    result = run_sensitivity(morris_plan(), tmp_path, workers=1)
    assert result.exit_code == 0 and result.ran == 32
    assert_same_tables(morris_reference, tmp_path)


def test_dask_local_cluster_gives_the_same_tables(tmp_path, morris_reference) -> None:
    pytest.importorskip("distributed")
    result = run_sensitivity(morris_plan(), tmp_path, workers=2, dask="local")
    assert result.exit_code == 0 and result.ran == 32
    assert_same_tables(morris_reference, tmp_path)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["executor"]["kind"] == "dask" and "distributed" in manifest["versions"]


def test_resume_after_an_interrupted_analysis_gives_the_same_tables(tmp_path, morris_reference) -> None:
    kept = []

    def stop_after_five(run) -> None:
        kept.append(run.run_id)
        if len(kept) == 5:
            raise KeyboardInterrupt    # as Ctrl-C would, mid-analysis

    with pytest.raises(BatchInterrupted, match="5 of 32 runs are kept"):
        run_sensitivity(morris_plan(), tmp_path, workers=2, on_kept=stop_after_five)
    assert sorted(p.name for p in (tmp_path / "runs").iterdir()) == sorted(f"{r}.parquet" for r in kept)
    assert not any((tmp_path / f"{t}.parquet").exists() for t in TABLES)
    result = run_sensitivity(morris_plan(), tmp_path, workers=2)
    assert (result.ran, result.skipped, result.exit_code) == (27, 5, 0)
    assert_same_tables(morris_reference, tmp_path)


def test_ctrl_c_exits_130_with_one_line_and_keeps_finished_runs(tmp_path) -> None:
    out = tmp_path / "out"
    argv = [sys.executable, "-m", "sim", "sensitivity", "baseline", "--method", "morris", "--param",
            "trust.asymmetry=1:8", "--agents", "300", "--days", "60", "--samples", "10", "--workers", "1", "--quiet",
            "--out", str(out)]
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONPATH": str(ROOT)})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not list((out / "runs").glob("*.parquet")):
        time.sleep(0.02)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert err.startswith("trustsim: sensitivity analysis interrupted:") and err.count("\n") == 1
    assert list((out / "runs").glob("*.parquet")) and all(not p.name.startswith(".") for p in (out / "runs").iterdir())
    assert not (out / "samples.parquet").exists()


def test_a_different_analysis_or_a_sweep_is_refused(tmp_path, morris_reference) -> None:
    with pytest.raises(UsageError, match=r"holds a different sensitivity analysis .*differs in replicates"):
        run_sensitivity(plan_analysis(load_scenario("baseline", SMALL), MORRIS, method="morris", samples=4,
                                      replicates=3), morris_reference)
    with pytest.raises(UsageError, match="already holds .*sensitivity.json from something other than a sweep"):
        from sim.sweep import run_sweep
        run_sweep(load_scenario("baseline", SMALL), ["trust.asymmetry=1,2"], morris_reference)


def test_failing_runs_are_reported_with_their_parameters_and_seed(tmp_path, capsys) -> None:
    from io import StringIO

    log = StringIO()
    plan = morris_plan()
    failing = [r for r in plan.runs if dict(r.values)["trust.asymmetry"] == 8.0]
    assert 0 < len(failing) < len(plan.runs)
    result = run_sensitivity(plan, tmp_path, workers=2, work=fail_where_asymmetry_is_8, log=log)
    assert result.exit_code == 1 and len(result.failures) == len(failing)
    lines = log.getvalue().splitlines()
    assert len(lines) == len(failing)
    first = failing[0]
    assert (f"trustsim: run {first.run_id} failed (trust.asymmetry=8.0, vouching.endorsement="
            in log.getvalue()) and f"replicate={first.replicate}, seed={first.seed}): RuntimeError: failure injected" \
        in log.getvalue()
    assert read(tmp_path, "runs").height == 32 - len(failing)
    assert read(tmp_path, "indices").height == 0          # indices need every run
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert sorted(f["run_id"] for f in manifest["runs"]["failed"]) == sorted(r.run_id for r in failing)
    rerun = run_sensitivity(morris_plan(), tmp_path, workers=2)
    assert (rerun.ran, rerun.exit_code) == (len(failing), 0) and read(tmp_path, "indices").height == 3 * len(METRICS)   # per measure, per parameter


# --------------------------------------------------------------------------- bad input

@pytest.mark.parametrize(("args", "message"), [
    (["--param", "trust.asymetry=1:3"], "--param: trust.asymetry: unknown key"),
    (["--param", "trust.asymmetry=3:1"], "LOW must be below HIGH, got 3 >= 1"),
    (["--param", "trust.asymmetry=2:2"], "LOW must be below HIGH"),
    (["--param", "trust.asymmetry=0.5:3"], "--param: trust.asymmetry: must be at least 1, got 0.5"),
    (["--param", "archetypes.flaky.vouch_policy=0:1"], "is text ('discerning'), not a number"),
    (["--param", "trust.untie=0:1"], "is a switch (true or false), not a number"),
    (["--param", "promotion.reach=0.5:3"], "takes integers, so its bounds must be integers"),
    # rounded Morris levels would move by other steps than the one SALib divides by: a wrong mu*
    (["--param", "promotion.reach=0:2"], "needs HIGH - LOW to be a multiple of 3 so that every level is a "
                                         "whole number (e.g. 0:3), got 2"),
    (["--param", "promotion.reach=0:12", "--levels", "6"], "multiple of 5"),
    (["--param", "simulation.seed=1:5"], "cannot be sampled"),
    (["--param", "archetypes.nosuch.share=0.1:0.2"], "unknown key 'archetypes.nosuch'"),
    (["--param", "archetypes.flaky.share=0.1:0.5", "--param", "archetypes.steady.share=0.1:0.6"],
     "the sampled shares can add up to 1.1, more than 1"),
    (["--param", "trust.asymmetry=1:x"], "'x' is not a number"),
    (["--param", "commitments.duration_min=1:20"], "is above commitments.duration_max"),
    (["--param", "simulation.agents=50:80"], "also fixed by --set/--agents/--days"),
    (["--param", "trust.asymmetry=1:3", "--levels", "3"], "--levels: must be an even number"),
    (["--param", "trust.asymmetry=1:3", "--method", "sobol", "--samples", "10"], "needs a power of two"),
    (["--param", "trust.asymmetry=1:3", "--second-order"], "--second-order: Sobol' only"),
    (["--param", "trust.asymmetry=1:3", "--hypothesis", "nope"], "baseline has no such hypothesis (known: accuracy"),
    (["--param", "trust.asymmetry=1:3", "--hypothesis", "trust-high", "--replicates", "1"], "at least 2 paired"),
    (["--param", "trust.asymmetry=1:3", "--workers", "0"], "--workers: must be at least 1"),
])
def test_bad_input_is_one_line_and_exit_2_before_anything_runs(tmp_path, capsys, args, message) -> None:
    out = tmp_path / "out"
    argv = ["sensitivity", "baseline", "--method", "morris", *QUICK, "--out", str(out), "--quiet", *args]
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err, err
    assert not out.exists()


@pytest.mark.parametrize(("extra", "message"), [
    (["--dask", "bogus://x"], "not a scheduler address"),
    (["--dask", "tcp://127.0.0.1:1"], "tcp://127.0.0.1:1"),
])
def test_an_unusable_scheduler_leaves_no_folder_behind(tmp_path, capsys, extra, message) -> None:
    out = tmp_path / "new" / "out"
    argv = ["sensitivity", "baseline", "--method", "morris", *QUICK, "--param", "trust.asymmetry=1:3",
            "--out", str(out), "--quiet", *extra]
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1, err
    assert list(tmp_path.iterdir()) == []


def test_an_empty_out_is_bad_input(capsys) -> None:
    argv = ["sensitivity", "baseline", "--method", "morris", *QUICK, "--param", "trust.asymmetry=1:3", "--out", ""]
    assert cli.main(argv) == 2
    assert "--out: the path is empty" in capsys.readouterr().err


def test_a_comparison_without_the_sampled_key_is_one_line(tmp_path, capsys) -> None:
    argv = ["sensitivity", "indiscriminate_vouching", "--method", "morris", "--param", "archetypes.nice.share=0.1:0.5",
            "--hypothesis", "referral-falls", *QUICK, "--out", str(tmp_path / "out")]
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert "(comparison baseline): archetypes.nice.share: unknown archetype 'nice'" in err and err.count("\n") == 1
    assert not (tmp_path / "out").exists()


def test_missing_salib_is_one_line_with_the_pip_command(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setitem(sys.modules, "SALib", None)      # `import SALib` now fails
    out = tmp_path / "out"
    assert cli.main(["sensitivity", "baseline", "--method", "morris", "--param", "trust.asymmetry=1:3",
                     "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err == f"trustsim: sensitivity analysis needs SALib: {SALIB_HINT}\n" and "trustsim[sensitivity]" in err
    assert not out.exists()


def test_the_command_line_loads_no_salib_scipy_or_polars() -> None:
    code = ("import sys, sim.cli; sim.cli.build_parser(); "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'SALib', 'scipy', 'pandas', 'polars', 'dask'}))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.stdout.strip() == "[]"


# --------------------------------------------------------------------------- where a hypothesis holds

def t_interval(differences: np.ndarray) -> tuple[float, float]:
    from scipy.stats import t

    half = t.ppf(0.975, len(differences) - 1) * differences.std(ddof=1) / math.sqrt(len(differences))
    return differences.mean() - half, differences.mean() + half


def test_a_hypothesis_is_judged_at_every_point_against_its_comparison(tmp_path, capsys) -> None:
    # policy-lowers-referral: referral trust here, against the same point with everyone discerning
    out = tmp_path / "out"
    argv = ["sensitivity", "indiscriminate_vouching", "--method", "morris", "--param", "archetypes.nice.share=0.05:0.6",
            "--param", "vouching.endorsement=0.3:0.9", "--samples", "3", "--replicates", "3", "--hypothesis",
            "policy-lowers-referral", "--agents", "80", "--days", "40", "--workers", "2", "--out", str(out)]
    assert cli.main(argv) == 0
    printed = capsys.readouterr().out
    runs, verdicts = read(out, "runs"), read(out, "hypothesis")
    assert len(list((out / "runs").glob("*-c.parquet"))) == 27 == runs.height     # one comparison per run
    assert runs["observed"].to_list() == runs["referral_trust"].to_list()          # it reads referral_trust
    hypothesis = load_scenario("indiscriminate_vouching").hypotheses[2]
    assert verdicts.height == 9 and verdicts.columns[:3] == ["point", "archetypes.nice.share", "vouching.endorsement"]
    for row in verdicts.iter_rows(named=True):
        pairs = runs.filter(pl.col("point") == row["point"]).drop_nulls(["observed", "comparison"])
        differences = (pairs["observed"] - pairs["comparison"]).to_numpy()
        assert row["paired"] == len(differences)
        if len(differences) >= 2:
            low, high = t_interval(differences)
            assert (row["effect"], row["ci_low"], row["ci_high"]) == pytest.approx((differences.mean(), low, high))
        assert row["holds"] == (len(differences) >= 2 and hypothesis.holds(row["ci_low"], row["ci_high"]))
    holds = int(verdicts["holds"].sum())
    assert "hypothesis policy-lowers-referral (" in printed and f"holds at {holds} of 9 sample points" in printed
    assert 0 < holds < 9                        # this box holds both verdicts (the seeds are fixed)
    deciders = read(out, "deciders")
    assert deciders["parameter"].to_list() == ["archetypes.nice.share", "vouching.endorsement"]
    assert sorted(deciders["rank"].to_list()) == [1, 2] and f"1. {deciders.sort('rank')['parameter'][0]}" in printed


def test_the_comparison_side_gets_the_same_values_and_seed_plus_its_own_overrides() -> None:
    plan = plan_analysis(load_scenario("indiscriminate_vouching", SMALL), ["archetypes.nice.share=0.05:0.6",
                         "trust.asymmetry=1:8"], method="morris", samples=2, replicates=2,
                         hypothesis="policy-lowers-referral")
    assert len(plan.comparison_runs) == len(plan.runs) == 2 * 3 * 2
    for mine, theirs in zip(plan.runs, plan.comparison_runs, strict=True):
        assert theirs.run_id == f"{mine.run_id}-c" and (theirs.point, theirs.seed) == (mine.point, mine.seed)
        assert plan.run_label(theirs) == f"comparison side, {mine.label()}"
        a, b = plan.payload(mine)["scenario"], plan.payload(theirs)["scenario"]
        assert a["simulation"]["seed"] == b["simulation"]["seed"] == mine.seed
        assert a["archetypes"]["nice"]["share"] == b["archetypes"]["nice"]["share"] == dict(mine.values)[
            "archetypes.nice.share"]
        assert a["trust"]["asymmetry"] == b["trust"]["asymmetry"]
        assert a["archetypes"]["nice"]["vouch_policy"] == "indiscriminate"
        assert {b["archetypes"][k]["vouch_policy"] for k in ("nice", "casual", "flaky")} == {"discerning"}
        assert sum(arch["share"] for arch in b["archetypes"].values()) == pytest.approx(1.0)


def test_a_fixed_value_hypothesis_needs_no_comparison_runs(tmp_path) -> None:
    plan = plan_analysis(load_scenario("baseline", SMALL), ["trust.asymmetry=1:8"], method="morris", samples=3,
                         replicates=2, hypothesis="trust-high")
    assert not plan.comparison_runs
    run_sensitivity(plan, tmp_path, workers=2)
    runs = read(tmp_path, "runs")
    assert runs["comparison"].unique().to_list() == [0.6] and runs["observed"].to_list() == runs["mean_trust"].to_list()


def test_deciders_find_the_parameter_that_splits_holds_from_fails() -> None:
    rng = np.random.default_rng(3)
    values = rng.uniform(0, 1, size=(60, 2)) * [10, 1]          # x0 on 0:10, x1 on 0:1
    holds = values[:, 0] > 6.0
    params = (Parameter("a.x0", 0, 10, False, ""), Parameter("a.x1", 0, 1, False, ""))
    table = decider_table(params, values, holds).sort("rank")
    best = table.row(0, named=True)
    assert best["parameter"] == "a.x0" and best["rule"] == "above" and best["rank_biserial"] == 1.0
    assert (best["holds_right"], best["fails_right"], best["balanced_accuracy"]) == (1.0, 1.0, 1.0)
    ordered = np.sort(values[:, 0])
    assert best["threshold"] == pytest.approx((ordered[ordered <= 6].max() + ordered[ordered > 6].min()) / 2)
    assert best["mean_holds"] > 0.6 > best["mean_fails"]
    other = table.row(1, named=True)
    assert abs(other["rank_biserial"]) < 0.35 and other["balanced_accuracy"] < 0.75
    # the rank-biserial correlation is Mann-Whitney's U rescaled
    from scipy.stats import mannwhitneyu
    u = mannwhitneyu(values[holds, 1], values[~holds, 1]).statistic
    assert other["rank_biserial"] == pytest.approx(2 * u / (holds.sum() * (~holds).sum()) - 1)
    # a rule "below": the verdict reversed
    assert stump(values[:, 0], ~holds)[:1] == ("below",)


# --------------------------------------------------------------------------- the printed summary

def test_the_summary_ranks_parameters_per_measure_in_plain_words(tmp_path, capsys) -> None:
    argv = ["sensitivity", "baseline", "--method", "morris", *QUICK, "--samples", "4", "--replicates", "2",
            "--workers", "2", "--out", str(tmp_path)]
    for param in MORRIS:
        argv += ["--param", param]
    assert cli.main(argv) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith("sensitivity baseline: Morris, 4 trajectories on 4 levels, 3 parameters, 16 points "
                                 "x 2 replicates = 32 runs; 32 run now, 0 already done, 0 failed")
    assert "promotion.reach 0 to 30 (integers)" in printed[2]
    indices = read(tmp_path, "indices")
    line = next(line for line in printed if line.strip().startswith("mean_trust "))
    top = indices.filter((pl.col("measure") == "mean_trust") & (pl.col("rank") == 1)).row(0, named=True)
    assert f"mean_trust moves most with {top['parameter']} (mu* {top['mu_star']:.3g} ± {top['mu_star_conf']:.3g}" \
        in line
    for measure in METRICS:
        assert any(line.strip().startswith(measure) for line in printed), measure
