"""Tests for `trustsim sweep`: grid and seeds, identical tables for any executor, resume, failures, stats.

Runs are tiny (80 agents, 20 days: a few hundredths of a second each), so the whole file takes seconds,
most of it starting process pools and one Dask LocalCluster.
"""

from __future__ import annotations

import functools
import json
import math
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl
import pytest
import sweep_faults
from polars.testing import assert_frame_equal

from sim import cli, load_scenario
from sim.batch import BatchInterrupted
from sim.batch.runs import derive_seeds
from sim.batch.statistics import t_quantile
from sim.errors import ClusterError, UsageError
from sim.files import sha256
from sim.measures import METRICS
from sim.sweep import run_sweep
from sim.sweep.plan import make_plan, parse_grid, split_values
from sim.sweep.tables import summary_table

SMALL = {"simulation.agents": 80, "simulation.days": 20}
GRID = ["trust.asymmetry=1,3", "vouching.threshold=0.5,0.8"]
REPLICATES = 2
TABLES = ("runs", "metrics", "summary")
ARGS = ["sweep", "baseline", "--agents", "80", "--days", "20", "--grid", GRID[0], "--grid", GRID[1],
        "--replicates", str(REPLICATES), "--quiet"]


@pytest.fixture(scope="module")
def base():
    return load_scenario("baseline", SMALL)


def read_tables(out: Path, fmt: str = "parquet") -> dict[str, pl.DataFrame]:
    return {t: pl.read_parquet(out / f"{t}.parquet") if fmt == "parquet" else pl.read_csv(out / f"{t}.{fmt}")
            for t in TABLES}


def assert_same_tables(left: Path, right: Path) -> None:
    a, b = read_tables(left), read_tables(right)
    for table in TABLES:
        assert_frame_equal(a[table], b[table], check_exact=True)


@pytest.fixture(scope="module")
def reference(tmp_path_factory, base) -> Path:
    """The reference sweep: 2 x 2 grid x 2 replicates on a local pool of 2 workers."""
    out = tmp_path_factory.mktemp("reference")
    result = run_sweep(base, GRID, out, replicates=REPLICATES, workers=2)
    assert result.exit_code == 0 and result.ran == 8
    return out


# --------------------------------------------------------------------------- grid and seeds

def test_split_values_respects_brackets_and_quotes() -> None:
    assert split_values('1, 2.5,[0.1,0.3],"a,b"') == ["1", "2.5", "[0.1,0.3]", '"a,b"']


def test_grid_expands_the_full_product_with_stable_ids_and_spawned_seeds(base) -> None:
    plan = make_plan(base, parse_grid(["trust.asymmetry=1,3", "vouching.threshold=0.5,0.7,0.9"]), 2,
                     base_seed=7)
    assert len(plan.points) == 6 and len(plan.runs) == 12
    assert [(r.point, r.replicate) for r in plan.runs[:3]] == [(0, 0), (0, 1), (1, 0)]
    assert plan.runs[0].run_id.endswith("-r000") and plan.runs[1].run_id.endswith("-r001")
    assert len({r.run_id for r in plan.runs}) == 12
    assert plan.runs[2].values == (("trust.asymmetry", 1), ("vouching.threshold", 0.7))
    assert plan.runs[-1].values == (("trust.asymmetry", 3), ("vouching.threshold", 0.9))
    # replicate r runs on child r of SeedSequence(BASE) at every point (halved to fit a TOML integer)
    child = np.random.SeedSequence(7).spawn(2)[1]
    assert plan.runs[11].seed == int(child.generate_state(1, np.uint64)[0]) >> 1
    assert [r.seed for r in plan.runs] == derive_seeds(7, 2) * 6
    assert all(0 <= r.seed < 2**63 for r in plan.runs)
    raw = plan.scenario_dict(plan.runs[11])
    assert raw["simulation"]["seed"] == plan.runs[11].seed
    assert raw["trust"]["asymmetry"] == 3 and raw["vouching"]["threshold"] == 0.9
    # the base seed defaults to the scenario's own seed
    assert make_plan(base, plan.axes, 2).base_seed == base.simulation.seed


@pytest.mark.parametrize(("grid", "message"), [
    (["trust.asymmetry=0.5,3"], "--grid: trust.asymmetry: must be at least 1, got 0.5"),
    (["trust.asymetry=1,3"], "trust.asymetry: unknown key"),
    (["nosuch.key=1"], "unknown key 'nosuch'"),
    (["trust.asymmetry=1,1"], "value 1 is given twice"),
    (["trust.asymmetry=1,"], "empty value"),
    (["trust.asymmetry"], "expected KEY=V1,V2"),
    (["simulation.seed=1,2"], "cannot be a grid key"),
    (["trust.asymmetry=1", "trust.asymmetry=2"], "given more than once"),
    (["commitments.duration_min=20"], "is above commitments.duration_max"),
])
def test_bad_grid_is_rejected_before_anything_runs(tmp_path, capsys, grid, message) -> None:
    out = tmp_path / "out"
    argv = ["sweep", "baseline", "--out", str(out), "--quiet"]
    for item in grid:
        argv += ["--grid", item]
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err
    assert not out.exists()


def test_grid_key_also_set_elsewhere_is_rejected(tmp_path, capsys) -> None:
    assert cli.main(["sweep", "baseline", "--agents", "50", "--grid", "simulation.agents=40,60",
                     "--out", str(tmp_path / "out")]) == 2
    assert "also fixed by --set/--agents/--days" in capsys.readouterr().err


# --------------------------------------------------------------------------- same tables everywhere

def test_one_and_two_workers_give_identical_tables(tmp_path, base, reference) -> None:
    result = run_sweep(base, GRID, tmp_path, replicates=REPLICATES, workers=1)
    assert result.exit_code == 0 and result.ran == 8
    assert_same_tables(reference, tmp_path)
    tables = read_tables(reference)
    assert tables["runs"].columns == ["run_id", "trust.asymmetry", "vouching.threshold", "replicate", "seed",
                                      *METRICS]
    assert tables["runs"].select("trust.asymmetry", "vouching.threshold", "replicate").rows() == sorted(
        tables["runs"].select("trust.asymmetry", "vouching.threshold", "replicate").rows())
    assert tables["metrics"].height == 8 * 21 and tables["metrics"].columns == ["run_id", "day", *METRICS]
    assert tables["summary"].height == 4 and tables["summary"]["replicates"].to_list() == [2, 2, 2, 2]
    # the final measure in runs is the last day of that run in metrics
    last = tables["metrics"].filter(pl.col("day") == 20).sort("run_id")
    assert last["mean_trust"].to_list() == tables["runs"].sort("run_id")["mean_trust"].to_list()


def test_dask_local_cluster_gives_the_same_tables_as_the_local_pool(tmp_path, base, reference) -> None:
    pytest.importorskip("distributed")
    result = run_sweep(base, GRID, tmp_path, replicates=REPLICATES, workers=2, dask="local")
    assert result.exit_code == 0 and result.ran == 8
    assert_same_tables(reference, tmp_path)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["executor"]["kind"] == "dask" and "distributed" in manifest["versions"]


def test_dask_missing_is_a_one_line_usage_error(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)   # `import distributed` now fails
    out = tmp_path / "out"
    assert cli.main([*ARGS, "--dask", "local", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "pip install 'trustsim[cluster]'" in err and err.count("\n") == 1
    assert not out.exists()


def test_manifest_lists_parameters_seeds_versions_rows_and_checksums(reference) -> None:
    manifest = json.loads((reference / "manifest.json").read_text())
    assert manifest["replicates"] == REPLICATES and manifest["base_seed"] == 1
    assert [g["key"] for g in manifest["grid"]] == ["trust.asymmetry", "vouching.threshold"]
    assert manifest["parameters"]["simulation"]["agents"] == 80
    assert len(manifest["seeds"]) == 8 and manifest["runs"]["failed"] == []
    assert {"python", "numpy", "polars"} <= set(manifest["versions"])
    for table in TABLES:
        entry = manifest["files"][table]
        assert entry["rows"] == pl.read_parquet(reference / entry["file"]).height
        assert entry["sha256"] == sha256(reference / entry["file"])


def test_rebuilding_in_another_format_runs_nothing(tmp_path, base, reference) -> None:
    out = tmp_path / "copy"
    shutil.copytree(reference, out)
    result = run_sweep(base, GRID, out, replicates=REPLICATES, fmt="csv")
    assert result.ran == 0 and result.skipped == 8
    assert not (out / "runs.parquet").exists()
    runs = pl.read_csv(out / "runs.csv")
    assert runs["seed"].to_list() == read_tables(reference)["runs"]["seed"].to_list()


# --------------------------------------------------------------------------- nothing lost

def test_resume_after_an_interrupted_sweep(tmp_path, base, reference) -> None:
    kept = []

    def stop_after_three(run) -> None:
        kept.append(run.run_id)
        if len(kept) == 3:
            raise KeyboardInterrupt    # as Ctrl-C would, mid-sweep

    with pytest.raises(BatchInterrupted, match="3 of 8 runs are kept"):
        run_sweep(base, GRID, tmp_path, replicates=REPLICATES, workers=2, on_kept=stop_after_three)
    files = sorted(p.name for p in (tmp_path / "runs").iterdir())
    assert files == sorted(f"{r}.parquet" for r in kept)          # no temporary or partial file
    assert not any((tmp_path / f"{t}.parquet").exists() for t in TABLES)
    result = run_sweep(base, GRID, tmp_path, replicates=REPLICATES, workers=2)
    assert (result.ran, result.skipped, result.exit_code) == (5, 3, 0)
    assert_same_tables(reference, tmp_path)


def test_ctrl_c_exits_130_with_one_line_and_keeps_finished_runs(tmp_path) -> None:
    out = tmp_path / "out"
    argv = [sys.executable, "-m", "sim", "sweep", "baseline", "--agents", "300", "--days", "60",
            "--grid", "trust.asymmetry=1,2,3", "--replicates", "5", "--workers", "1", "--quiet",
            "--out", str(out)]
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not list((out / "runs").glob("*.parquet")):
        time.sleep(0.02)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 130, err
    assert err.startswith("trustsim: sweep interrupted:") and err.count("\n") == 1
    assert all(not p.name.startswith(".") for p in (out / "runs").iterdir())
    assert not (out / "runs.parquet").exists()


def test_a_different_sweep_into_the_same_directory_is_refused(reference, base) -> None:
    with pytest.raises(UsageError, match="holds a different sweep .*differs in grid"):
        run_sweep(base, ["trust.asymmetry=1,2"], reference, replicates=REPLICATES)


def test_a_directory_with_other_exports_is_refused(tmp_path, capsys) -> None:
    (tmp_path / "metrics.parquet").write_bytes(b"from trustsim run")
    assert cli.main([*ARGS, "--out", str(tmp_path)]) == 2
    assert "already holds metrics.parquet" in capsys.readouterr().err
    assert (tmp_path / "metrics.parquet").read_bytes() == b"from trustsim run"


def test_a_failing_run_is_reported_and_the_others_complete(tmp_path, monkeypatch, capsys) -> None:
    # one run raises, one kills its worker process: injected as the work each run does
    failing = functools.partial(run_sweep, work=sweep_faults.fail_two_runs)
    monkeypatch.setattr("sim.sweep.driver.run_sweep", failing)
    assert cli.main([*ARGS, "--workers", "2", "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert ("failed (trust.asymmetry=1, vouching.threshold=0.8, replicate=0, seed=" in err
            and "RuntimeError: failure injected by the test" in err)
    assert "failed (trust.asymmetry=3, vouching.threshold=0.5, replicate=1" in err
    assert "worker lost" in err and "2 of 8 runs failed" in err
    runs = pl.read_parquet(tmp_path / "runs.parquet")
    assert runs.height == 6
    assert runs.filter(pl.col("trust.asymmetry") == 1.0, pl.col("vouching.threshold") == 0.8,
                       pl.col("replicate") == 0).height == 0
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    failed = sorted((tuple(f["values"].values()), f["seed"]) for f in manifest["runs"]["failed"])
    seeds = derive_seeds(1, 2)
    assert failed == [((1, 0.8), seeds[0]), ((3, 0.5), seeds[1])]
    assert sorted(manifest["runs"]["missing"]) == sorted(f["run_id"] for f in manifest["runs"]["failed"])
    monkeypatch.undo()
    assert cli.main([*ARGS, "--workers", "2", "--out", str(tmp_path)]) == 0
    assert pl.read_parquet(tmp_path / "runs.parquet").height == 8


# --------------------------------------------------------------------------- statistics

def test_t_quantiles_match_published_tables() -> None:
    published = {1: 12.7062, 2: 4.3027, 3: 3.1824, 4: 2.7764, 9: 2.2622, 29: 2.0452, 120: 1.9799}
    for dof, value in published.items():
        assert t_quantile(dof) == pytest.approx(value, abs=5e-5)


def test_summary_statistics_against_a_hand_computed_case() -> None:
    # point 0: mean_trust 1, 2, 3, 4 -> mean 2.5; sample variance (2.25+0.25+0.25+2.25)/3 = 5/3;
    # std 1.290994; t(0.975, 3) = 3.182446; half width 3.182446 * 1.290994 / 2 = 2.054260.
    # point 1: a single replicate -> std and interval are null. vouch_precision has a missing value.
    n = 5
    runs = pl.DataFrame({
        "run_id": [f"p{p:03d}-r{r:03d}" for p, r in ((0, 0), (0, 1), (0, 2), (0, 3), (1, 0))],
        "point": [0, 0, 0, 0, 1],
        "trust.asymmetry": [2.0, 2.0, 2.0, 2.0, 4.0],
        "replicate": [0, 1, 2, 3, 0],
        "seed": [11, 12, 13, 14, 15],
        **{m: [0.0] * n for m in METRICS},
    }).with_columns(
        mean_trust=pl.Series([1.0, 2.0, 3.0, 4.0, 7.0]),
        vouch_precision=pl.Series([0.5, None, 0.7, 0.9, None], dtype=pl.Float64),
        ties=pl.Series([10, 20, 30, 40, 50], dtype=pl.Int64),
    )
    summary = summary_table(runs, ("trust.asymmetry",))
    assert summary["trust.asymmetry"].to_list() == [2.0, 4.0]
    assert summary["replicates"].to_list() == [4, 1]
    first = summary.row(0, named=True)
    assert first["mean_trust_mean"] == pytest.approx(2.5)
    assert first["mean_trust_std"] == pytest.approx(math.sqrt(5 / 3))
    assert first["mean_trust_ci_low"] == pytest.approx(2.5 - 2.054260, abs=1e-6)
    assert first["mean_trust_ci_high"] == pytest.approx(2.5 + 2.054260, abs=1e-6)
    assert first["ties_mean"] == pytest.approx(25.0)
    assert first["ties_std"] == pytest.approx(math.sqrt(500 / 3))
    # vouch_precision: 0.5, 0.7, 0.9 (the missing one left out) -> mean 0.7, std 0.2, t(0.975, 2) = 4.302653
    assert first["vouch_precision_mean"] == pytest.approx(0.7)
    assert first["vouch_precision_std"] == pytest.approx(0.2)
    assert first["vouch_precision_ci_high"] == pytest.approx(0.7 + 4.302653 * 0.2 / math.sqrt(3), abs=1e-6)
    second = summary.row(1, named=True)
    assert second["mean_trust_mean"] == 7.0
    assert second["mean_trust_std"] is None and second["mean_trust_ci_low"] is None
    assert second["vouch_precision_mean"] is None


def test_an_unreachable_scheduler_is_a_one_line_usage_error(tmp_path, base) -> None:
    pytest.importorskip("distributed")
    with pytest.raises(ClusterError, match=r"--dask tcp://127.0.0.1:9: cannot reach the Dask scheduler"):
        run_sweep(base, GRID, tmp_path, replicates=REPLICATES, dask="tcp://127.0.0.1:9", connect_timeout=1)
    assert not (tmp_path / "runs.parquet").exists()


# --------------------------------------------------------------------------- across scenarios, extending

def test_a_sweep_across_scenarios_without_other_keys(tmp_path, capsys) -> None:
    args = ["sweep", "--grid", "scenario=baseline,integrity", "--agents", "60", "--days", "8", "--replicates", "2",
            "--quiet", "--out", str(tmp_path)]
    assert cli.main(args) == 0
    runs = pl.read_parquet(tmp_path / "runs.parquet")
    assert runs["scenario"].to_list() == ["baseline", "baseline", "integrity", "integrity"]
    # replicate r runs on the same seed in both scenarios: their difference is the scenarios'
    assert runs["seed"].to_list()[:2] == runs["seed"].to_list()[2:]
    summary = pl.read_parquet(tmp_path / "summary.parquet")
    assert summary["scenario"].to_list() == ["baseline", "integrity"]
    assert cli.main(["sweep", "baseline", "--grid", "scenario=baseline", "--out", str(tmp_path / "x")]) == 2
    assert "not both" in capsys.readouterr().err


def test_replicates_alone_and_extending_a_finished_sweep_reuses_its_runs(tmp_path, base) -> None:
    alone = run_sweep(base, [], tmp_path, replicates=2, workers=1)
    assert (alone.ran, len(alone.plan.runs)) == (2, 2)
    first = pl.read_parquet(tmp_path / "runs.parquet")
    more = run_sweep(base, [], tmp_path, replicates=3, workers=1)
    assert (more.ran, more.skipped) == (1, 2)
    wider = run_sweep(base, ["trust.asymmetry=3,5"], tmp_path / "grid", replicates=2, workers=1)
    extended = run_sweep(base, ["trust.asymmetry=3,5,8"], tmp_path / "grid", replicates=2, workers=1)
    assert (wider.ran, extended.ran, extended.skipped) == (4, 2, 4)
    again = pl.read_parquet(tmp_path / "runs.parquet")
    assert_frame_equal(again.head(2), first, check_exact=True)      # the runs already done are kept as they were
    with pytest.raises(UsageError, match="differs in grid keys"):
        run_sweep(base, ["vouching.threshold=0.5"], tmp_path / "grid", replicates=2, workers=1)
    with pytest.raises(UsageError, match="differs in seed"):
        run_sweep(base, ["trust.asymmetry=3"], tmp_path / "grid", replicates=2, base_seed=99, workers=1)


@pytest.mark.parametrize("content", ['{"grid": [1], "fingerprint": "x"}', '{"grid": 5}', "[1, 2]", "{not json"])
def test_a_damaged_sweep_json_is_a_one_line_refusal(tmp_path, capsys, content) -> None:
    (tmp_path / "sweep.json").write_text(content)
    assert cli.main([*ARGS, "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and ("damaged" in err or "different sweep" in err)
