"""The trustsim command as a user runs it: real processes, real files read back by polars."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from sim.measures import METRICS

ROOT = Path(__file__).resolve().parent.parent
TRUSTSIM = [sys.executable, "-m", "sim"]
QUICK = ["--agents", "120", "--days", "20"]


def trustsim(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*TRUSTSIM, *args], capture_output=True, text=True, cwd=cwd, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)})


def test_list_names_every_scenario_with_its_whole_description_within_100_columns():
    from sim import config

    result = trustsim("list")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    names = [line for line in lines if not line.startswith(" ")]
    assert names == config.available()
    assert max(len(line) for line in lines) <= 100
    told = " ".join(line.strip() for line in lines[lines.index("repentance") + 1:])
    description = " ".join(config.load("repentance").scenario.description.split())
    assert told.startswith(description + " ")                  # whole, then what its claims found
    claims = [row for row in json.loads((ROOT / "scenarios" / "claims.json").read_text())
              if row["scenario"] == "repentance"]
    assert f"{sum(row['holds'] for row in claims)} of its {len(claims)} claims hold" in told
    for row in claims:
        assert f"{'holds' if row['holds'] else 'does not hold'} ({row['kind']}): {row['statement']}" in told


def test_run_prints_a_summary_with_sparklines():
    result = trustsim("run", "baseline", *QUICK)
    assert result.returncode == 0, result.stderr
    assert "baseline: 120 agents, 20 days, seed 1" in result.stdout
    for name in METRICS:
        assert name in result.stdout
    assert any(ch in result.stdout for ch in "▁▂▃▄▅▆▇█")


@pytest.mark.parametrize("fmt", ["parquet", "csv", "ipc", "ndjson"])
def test_exports_are_read_back_by_polars(tmp_path, fmt):
    result = trustsim("run", "broken_promises", *QUICK, "--out", str(tmp_path), "--format", fmt, "--quiet")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["scenario"] == "broken_promises" and manifest["seed"] == 1
    assert manifest["parameters"]["simulation"]["agents"] == 120
    from sim.exports import read_frame, sha256
    for name in ("metrics", "archetypes", "agents", "events", "edges"):
        path = tmp_path / f"{name}.{fmt}"
        frame = read_frame(path)
        assert frame.height == manifest["files"][name]["rows"]
        assert sha256(path) == manifest["files"][name]["sha256"]
    metrics = read_frame(tmp_path / f"metrics.{fmt}")
    assert metrics.columns == ["day", *METRICS]
    assert metrics.height == 21
    events = read_frame(tmp_path / f"events.{fmt}")
    assert events.columns == ["time", "kind", "actor", "target", "subject", "trust_before", "trust_after"]
    assert events["time"].is_sorted()
    agents = read_frame(tmp_path / f"agents.{fmt}")
    for column in ("agent", "archetype", "reliability", "followers", "reputation", "global_trust",
                   "promises_kept", "promises_broken", "vouches_given", "vouches_failed"):
        assert column in agents.columns
    assert agents["global_trust"].sum() == pytest.approx(1.0)
    archetypes = read_frame(tmp_path / f"archetypes.{fmt}")
    assert archetypes.columns == ["day", "archetype", "agents", "reputation", "followers_mean", "promises_kept",
                                  "promises_broken", "referral_trust"]
    assert not list(tmp_path.glob(".trustsim-*"))


def test_every_format_reads_back_with_the_same_stated_schema(tmp_path, small_run):
    """CSV and NDJSON keep no schema: read_frame reads them as stated (Int32, Enum, Float64 of nulls)."""
    import shutil

    from sim.exports import TABLES, export, read_frame

    for fmt in ("parquet", "csv", "ipc", "ndjson"):
        export(small_run, tmp_path / fmt, fmt)
    for table in TABLES:
        stated = read_frame(tmp_path / "parquet" / f"{table}.parquet")
        for fmt in ("csv", "ipc", "ndjson"):
            frame = read_frame(tmp_path / fmt / f"{table}.{fmt}")
            assert frame.schema == stated.schema, (table, fmt)
            assert frame.equals(stated), (table, fmt)
    alone = tmp_path / "alone"                       # no manifest beside it: the categories as they appear
    alone.mkdir()
    shutil.copy(tmp_path / "csv" / "archetypes.csv", alone)
    assert read_frame(alone / "archetypes.csv").equals(read_frame(tmp_path / "ipc" / "archetypes.ipc"))


def test_parquet_schema_is_stated(tmp_path):
    trustsim("run", "baseline", *QUICK, "--out", str(tmp_path), "--quiet")
    events = pl.read_parquet(tmp_path / "events.parquet")
    assert isinstance(events.schema["kind"], pl.Enum)
    assert events.schema["actor"] == pl.Int32
    assert events["subject"].null_count() > 0


def test_same_seed_same_files(tmp_path):
    for out in ("a", "b"):
        trustsim("run", "baseline", *QUICK, "--seed", "7", "--out", str(tmp_path / out), "--quiet")
    a = json.loads((tmp_path / "a" / "manifest.json").read_text())["files"]
    b = json.loads((tmp_path / "b" / "manifest.json").read_text())["files"]
    assert {k: v["sha256"] for k, v in a.items()} == {k: v["sha256"] for k, v in b.items()}


def test_show_output_runs_to_the_same_results(tmp_path):
    shown = trustsim("show", "repentance", *QUICK, "--set", "trust.asymmetry=4")
    assert shown.returncode == 0
    toml = tmp_path / "shown.toml"
    toml.write_text(shown.stdout)
    trustsim("run", "repentance", *QUICK, "--set", "trust.asymmetry=4", "--out", str(tmp_path / "a"), "--quiet")
    trustsim("run", str(toml), "--out", str(tmp_path / "b"), "--quiet")
    a = pl.read_parquet(tmp_path / "a" / "metrics.parquet")
    b = pl.read_parquet(tmp_path / "b" / "metrics.parquet")
    assert a.equals(b)


@pytest.mark.parametrize("args, message", [
    (["run", "nope"], "unknown scenario 'nope'"),
    (["run", "missing/file.toml"], "missing/file.toml: no such scenario file"),
    (["run", "/"], "/: is a directory, not a scenario file"),
    (["run", "baseline", "--out", __file__], f"{__file__}: is a file, not a directory"),
    (["run", "baseline", "--set", "trust.asymmetry=0.2"], "trust.asymmetry: must be at least 1, got 0.2"),
    (["run", "baseline", "--set", "trust.asymetry=2"], "trust.asymetry: unknown key"),
    (["run", "baseline", "--set", "archetypes.steady.share=0.9"], "shares must sum to 1"),
    (["run", "baseline", "--set", "archetypes.steady.vouch_policy=sometimes"], "unknown policy 'sometimes'"),
    (["run", "baseline", "--set", "trust.forgetting=nan"], "trust.forgetting: must be finite"),
    (["run", "baseline", "--agents", "-5"], "simulation.agents: must be at least 2, got -5"),
    (["run", "baseline", "--set", "oops"], "expected KEY=VALUE"),
    (["run", "baseline", "--format", "xlsx"], "invalid choice: 'xlsx'"),
    (["frobnicate"], "invalid choice"),
])
def test_bad_input_is_one_line_exit_2(args, message):
    result = trustsim(*args)
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr


def test_bad_toml_names_file_and_line(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[simulation]\nagents = 10\n[trust\n")
    result = trustsim("run", str(bad))
    assert result.returncode == 2
    assert f"{bad}: invalid TOML" in result.stderr and "line 3" in result.stderr


def test_unwritable_output_fails_before_running_and_writes_nothing(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    result = trustsim("run", "baseline", *QUICK, "--out", str(blocker / "out"))
    assert result.returncode == 2
    assert "cannot write output directory" in result.stderr
    assert "Traceback" not in result.stderr
    if os.geteuid() != 0:  # root can write anywhere; the blocked-path case above covers it
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        assert trustsim("run", "baseline", *QUICK, "--out", str(locked)).returncode == 2


def test_failed_export_leaves_no_partial_file(tmp_path, monkeypatch):
    from sim import Simulation, load_scenario
    from sim import exports as export_module

    sim = Simulation(load_scenario("baseline", {"simulation.agents": 60, "simulation.days": 5})).run()
    calls = {"n": 0}
    real = export_module.write_frame

    def flaky(frame, path, fmt):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(28, "No space left on device")
        real(frame, path, fmt)

    monkeypatch.setattr(export_module, "write_frame", flaky)
    with pytest.raises(export_module.ExportError, match="No space left"):
        export_module.export(sim, tmp_path, "parquet")
    assert list(tmp_path.iterdir()) == []


def test_python_dash_m_and_console_script_agree():
    script = Path(sys.executable).parent / "trustsim"
    if not script.exists():
        pytest.skip("console script not installed in this interpreter's environment")
    result = subprocess.run([str(script), "list"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stdout == trustsim("list").stdout


def test_interrupted_run_takes_away_the_directory_it_made(tmp_path):
    import signal
    import time as clock

    out = tmp_path / "new" / "deep"
    process = subprocess.Popen([*TRUSTSIM, "run", "baseline", "--agents", "20000", "--days", "300", "--out", str(out),
                                "--quiet"], stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)})
    deadline = clock.monotonic() + 60
    while not out.exists() and clock.monotonic() < deadline:
        clock.sleep(0.05)
    assert out.exists(), "the output directory is checked (and made) before the run"
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130
    assert "interrupted; nothing was written" in stderr
    assert list(tmp_path.iterdir()) == []


def _time_to_reach_our_code() -> float:
    """Wall time for the interpreter to start and import the console script's entry point (slowest of three).

    No program can catch a signal before the interpreter has started and run the script's first line; on a
    loaded machine that takes from 20 ms to several times that, so the interrupts are timed from here.
    """
    import time as clock

    spans = []
    for _ in range(3):
        started = clock.monotonic()
        subprocess.run([sys.executable, "-c", "import sim.entry"], check=True)
        spans.append(clock.monotonic() - started)
    return max(spans)


@pytest.mark.parametrize("after", [0.02, 0.3, 1.0, 2.5])
def test_ctrl_c_at_any_moment_is_one_line_and_exit_130(tmp_path, after):
    """While Python loads numpy, while numba loads, and deep inside a 20,000-agent run's compiled kernels."""
    import signal
    import time as clock

    after += 2 * _time_to_reach_our_code()
    script = Path(sys.executable).with_name("trustsim")
    command = [str(script)] if script.exists() else TRUSTSIM
    process = subprocess.Popen([*command, "run", "baseline", "--agents", "20000", "--days", "1000", "--quiet"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    clock.sleep(after)
    # A faster machine once finished a smaller run before the interrupt; then the test would test nothing.
    assert process.poll() is None, "the run ended before the interrupt was sent: make it longer"
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert err.startswith("trustsim: interrupted") and err.count("\n") == 1, err
    assert "Traceback" not in err and out == ""


def test_version_and_no_terminal():
    version = trustsim("--version")
    assert version.returncode == 0 and version.stdout.startswith("trustsim ")
    piped = trustsim("tui", "baseline")
    assert piped.returncode == 2 and "needs a terminal" in piped.stderr and piped.stdout == ""


# ---------------------------------------------------------------- run --out and --overwrite

def _run(out: Path, *extra: str) -> int:
    from sim.cli import main

    return main(["run", "baseline", "--agents", "40", "--days", "5", "--quiet", "--out", str(out), *extra])


def test_run_out_refuses_a_folder_that_is_not_empty(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("mine")
    assert _run(tmp_path) == 2
    err = capsys.readouterr().err
    assert "is not empty (it holds notes.txt)" in err and "--overwrite" in err and err.count("\n") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_overwrite_replaces_an_earlier_run_entirely_and_its_report(tmp_path, capsys):
    from sim import report

    out = tmp_path / "run"
    assert _run(out) == 0
    report.write([out])                                    # out/report/, as `trustsim report out` writes it
    assert _run(out) == 2                                  # not without --overwrite
    assert _run(out, "--overwrite", "--format", "csv", "--seed", "9") == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(["manifest.json", *(f"{t}.csv" for t in
                                               ("metrics", "archetypes", "agents", "reputations", "events", "edges"))])
    assert pl.read_csv(out / "metrics.csv").height == 6
    capsys.readouterr()


def test_overwrite_never_replaces_a_sweep_or_foreign_files(tmp_path, capsys):
    sweep = tmp_path / "sweep"
    sweep.mkdir()
    (sweep / "sweep.json").write_text("{}")
    assert _run(sweep, "--overwrite") == 2
    assert "holds a sweep" in capsys.readouterr().err
    other = tmp_path / "other"
    assert _run(other) == 0
    (other / "notes.txt").write_text("mine")
    assert _run(other, "--overwrite") == 2
    assert "not the earlier run's (notes.txt)" in capsys.readouterr().err
    assert (other / "notes.txt").read_text() == "mine"


def test_every_command_s_help_describes_it_in_the_same_words_for_the_same_things() -> None:
    """list, show and tui had no description; check said --agents N, --seed BASE, SCENARIO where the others
    said AGENTS, SEED, scenario; the scenario's defaults went unstated."""
    import argparse

    from sim.cli import build_parser
    from sim.validation import counted

    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices
    for name, command in commands.items():
        text = command.format_help()
        assert command.description, f"{name} --help has no description"
        assert "AGENTS" not in text and "SEED " not in text and "BASE" not in text, name
        assert "scenario\n" not in text.split("positional arguments:")[-1][:40], name
        if "--agents N" in text and name not in ("check", "sweep", "sensitivity"):
            assert "default: the scenario's" in text, name
    assert counted(1, "figure") == "1 figure" and counted(2, "point") == "2 points"
