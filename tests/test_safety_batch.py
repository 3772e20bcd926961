"""Sweeps and sensitivity analyses never touch what is not theirs: an ``--out`` that climbs is resolved
before it is checked, one writer per folder, a full disk is one line and a resumable folder.

Property-based, in the spirit of ``tests/test_safety.py`` (derandomized, few examples, small runs), with
an end-to-end test of the real command for each case found by hand.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest
from contract import cli_run, fuzz, refused_in_one_line, tree
from hypothesis import event, given
from hypothesis import strategies as st
from test_safety import ENDS, SEGMENTS, climbing_out

from sim.folder import LOCK_NAME, entries

ROOT = Path(__file__).resolve().parent.parent
TRUSTSIM = [sys.executable, "-m", "sim"]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
SWEEP = ("sweep", "baseline", "--grid", "trust.asymmetry=1,2", "--replicates", "1", "--agents", "20", "--days", "2",
         "--workers", "1", "--quiet")
SWEEP_FILES = ["manifest.json", "metrics.parquet", "runs", "runs.parquet", "summary.parquet", "sweep.json"]
SENSITIVITY = ("sensitivity", "baseline", "--method", "morris", "--param", "trust.asymmetry=1:4", "--samples", "2",
               "--replicates", "1", "--agents", "20", "--days", "2", "--workers", "1", "--quiet")


def trustsim(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*TRUSTSIM, *args], capture_output=True, text=True, cwd=cwd, timeout=300, env=ENV)


# --------------------------------------------------------------------------- paths that climb out

@fuzz(12)
@given(segments=st.lists(st.sampled_from(SEGMENTS), max_size=4), end=st.sampled_from(ENDS))
def test_a_sweep_out_that_climbs_writes_only_where_it_leads_or_nowhere(tmp_path_factory, segments, end):
    leads_to = climbing_out(tmp_path_factory.mktemp("climb"), segments, end, SWEEP, "sweep")
    if leads_to is not None:
        assert entries(leads_to) == SWEEP_FILES


@pytest.mark.parametrize("command", [SWEEP, SENSITIVITY], ids=["sweep", "sensitivity"])
def test_out_that_climbs_into_someones_folder_is_refused_and_makes_nothing(tmp_path, command):
    """`--out z/../other` (z not existing) was refused, but left an empty z/ behind."""
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("someone's notes")
    result = trustsim(*command, "--out", "z/../other", cwd=tmp_path)
    assert refused_in_one_line(result.returncode, result.stdout, result.stderr), result.stderr
    assert f"{other}: already holds notes.txt" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other"]              # no empty z/
    assert entries(other) == ["notes.txt"] and (other / "notes.txt").read_text() == "someone's notes"


def test_out_that_climbs_to_a_new_folder_writes_there_and_makes_nothing_else(tmp_path):
    result = trustsim(*SWEEP, "--out", "z/../fresh", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fresh"]
    assert entries(tmp_path / "fresh") == SWEEP_FILES


# --------------------------------------------------------------------------- one writer per folder

def test_two_identical_sweeps_on_one_folder_the_second_is_refused_in_one_line(tmp_path):
    """Both used to run everything. The first holds the folder from its claim to its last write."""
    out = tmp_path / "out"
    args = ["sweep", "baseline", "--grid", "trust.asymmetry=1,2", "--replicates", "3", "--agents", "400", "--days",
            "60", "--workers", "1", "--quiet", "--out", str(out)]
    first = subprocess.Popen([*TRUSTSIM, *args], stderr=subprocess.PIPE, text=True, env=ENV)
    deadline = time.monotonic() + 120
    while not (out / LOCK_NAME).exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert first.poll() is None, "the first sweep ended before the second started: make it longer"
    code, stdout, err = cli_run(*args)
    assert refused_in_one_line(code, stdout, err), err
    assert f"another trustsim (process {first.pid}) is writing into this folder" in err
    assert first.wait(timeout=300) == 0, first.stderr.read()
    assert entries(out) == SWEEP_FILES and not (out / LOCK_NAME).exists()
    assert pl.read_parquet(out / "runs.parquet").height == 6
    again = trustsim(*args)                                  # and once it is done, the same command resumes
    assert again.returncode == 0, again.stderr


@fuzz(6)
@given(first=st.sampled_from(["sweep", "sensitivity"]), second=st.sampled_from(["sweep", "sensitivity"]))
def test_a_folder_held_by_another_writer_is_refused_and_left_as_it_was(tmp_path_factory, first, second):
    """Whatever holds the folder (a sweep, an analysis, or a command killed while holding it), a batch
    command is refused in one line while it is held, and takes it once it is let go."""
    from test_safety import _holder_process

    out = tmp_path_factory.mktemp("held")
    commands = {"sweep": SWEEP, "sensitivity": SENSITIVITY}
    code, stdout, err = cli_run(*commands[first], "--out", str(out))
    assert code == 0, err
    holder = _holder_process(out)
    try:
        before = tree(out)
        code, stdout, err = cli_run(*commands[second], "--out", str(out))
        assert refused_in_one_line(code, stdout, err) and f"(process {holder.pid})" in err, err
        assert tree(out) == before
    finally:
        holder.kill()
        holder.wait()
    assert (out / LOCK_NAME).exists()                        # left behind by the killed holder: no one's
    code, stdout, err = cli_run(*commands[second], "--out", str(out))
    assert code == (0 if first == second else 2), err
    assert not (out / LOCK_NAME).exists()


# --------------------------------------------------------------------------- a full disk

def test_a_full_disk_while_keeping_a_run_is_one_line_and_the_sweep_resumes(tmp_path, monkeypatch):
    """polars words ENOSPC in its parquet writer as a ComputeError: each finished run is kept through the
    exports' writer, so it is one line (exit 2), never a traceback, and no partial file is left."""
    real = pl.DataFrame.write_parquet

    def full(self, path, *args, **kwargs):
        Path(path).write_bytes(b"PAR1 half a run")
        raise pl.exceptions.ComputeError("parquet: File out of specification: underlying IO error: No space "
                                         "left on device (os error 28)")

    monkeypatch.setattr(pl.DataFrame, "write_parquet", full)
    out = tmp_path / "out"
    code, stdout, err = cli_run(*SWEEP, "--out", str(out))
    assert refused_in_one_line(code, stdout, err), err
    assert "cannot keep run" in err and "No space left on device" in err
    assert entries(out) == ["runs", "sweep.json"] and entries(out / "runs") == []
    monkeypatch.setattr(pl.DataFrame, "write_parquet", real)
    code, stdout, err = cli_run(*SWEEP, "--out", str(out))
    assert code == 0, err
    assert entries(out) == SWEEP_FILES


def test_a_full_disk_while_writing_the_tables_is_one_line_and_leaves_the_runs(tmp_path, monkeypatch):
    real = pl.DataFrame.write_parquet

    def full_for_tables(self, path, *args, **kwargs):
        if Path(path).parent.name.startswith(".trustsim-staging-"):
            Path(path).write_bytes(b"PAR1 half a table")
            raise pl.exceptions.ComputeError("parquet: underlying IO error: No space left on device (os error 28)")
        return real(self, path, *args, **kwargs)

    monkeypatch.setattr(pl.DataFrame, "write_parquet", full_for_tables)
    out = tmp_path / "out"
    code, stdout, err = cli_run(*SWEEP, "--out", str(out))
    assert refused_in_one_line(code, stdout, err) and "export failed: No space left on device" in err, err
    assert entries(out) == ["runs", "sweep.json"] and len(entries(out / "runs")) == 2
    monkeypatch.setattr(pl.DataFrame, "write_parquet", real)
    code, stdout, err = cli_run(*SWEEP, "--out", str(out))
    assert code == 0 and entries(out) == SWEEP_FILES, err


# --------------------------------------------------------------------------- kills at random moments

def marked(mark: str) -> list[int]:
    """Every process whose environment holds ``mark``: a command and all it started, however reparented
    (the forkserver and the resource tracker are its children, the pool's workers the forkserver's)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if mark.encode() in (entry / "environ").read_bytes() and (entry / "stat").read_text().rsplit(
                        ")", 1)[1].split()[0] != "Z":
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


def gone(mark: str, within: float = 15.0) -> bool:
    """Whether every process marked ``mark`` has ended within ``within`` seconds; those that have not are
    killed (they are this test's own), so that a failing test leaves nothing running either."""
    deadline = time.monotonic() + within
    while left := marked(mark):
        if time.monotonic() > deadline:
            for pid in left:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
            return False
        time.sleep(0.1)
    return True


QUICK_RUNS = ["--agents", "300", "--days", "60", "--set", "simulation.spin_up=0", "--quiet"]
BATCHES = {
    "sweep": ["sweep", "baseline", "--grid", "trust.asymmetry=1,2", "--replicates", "3", *QUICK_RUNS],
    "sensitivity": ["sensitivity", "baseline", "--method", "morris", "--param", "trust.asymmetry=1:4", "--samples",
                    "3", "--replicates", "1", *QUICK_RUNS],
}
SAID = {signal.SIGINT: (130, "interrupted"), signal.SIGTERM: (143, "terminated"), signal.SIGKILL: (-9, None)}


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="reads /proc to find the processes left")
@fuzz(4)
@given(command=st.sampled_from(sorted(BATCHES)), signum=st.sampled_from(sorted(SAID)),
       moment=st.sampled_from(["loading", "first run kept", "later"]), later=st.floats(0.2, 3.0))
def test_a_batch_stopped_at_any_moment_leaves_nothing_running_and_resumes(tmp_path_factory, command, signum,
                                                                           moment, later):
    """kill -9 or SIGTERM of a sweep or an analysis left the forkserver, the resource tracker and the workers
    running (350 MB, still alive 35 minutes later). Now SIGTERM is Ctrl-C's one line and 143, and
    whatever stops the command, nothing it started outlives it; the same command then finishes the rest."""
    out = tmp_path_factory.mktemp("stopped") / "out"
    mark = f"trustsim-test-{os.getpid()}-{time.monotonic_ns()}"
    args = [*TRUSTSIM, *BATCHES[command], "--workers", "1", "--out", str(out)]
    process = subprocess.Popen(args, stderr=subprocess.PIPE, text=True, env={**ENV, "TRUSTSIM_TEST_MARK": mark})
    try:
        if moment == "loading":            # still importing: as soon as numpy is loaded
            deadline = time.monotonic() + 60
            while (process.poll() is None and time.monotonic() < deadline
                   and b"_multiarray_umath" not in Path(f"/proc/{process.pid}/maps").read_bytes()):
                time.sleep(0.005)
        else:
            deadline = time.monotonic() + 120
            while not list(out.glob("runs/*.parquet")) and time.monotonic() < deadline and process.poll() is None:
                time.sleep(0.02)
            if moment == "later":
                time.sleep(later)
        process.send_signal(signum)
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    code, said = SAID[signum]
    event(f"{signal.Signals(signum).name} {'after it finished' if process.returncode == 0 else moment}")
    assert gone(mark), f"{command} left processes running after {signal.Signals(signum).name}"
    if process.returncode != 0:
        assert process.returncode == code, err
        if said is not None:
            assert err.count("\n") == 1 and err.startswith("trustsim: ") and said in err, err
    if out.is_dir():
        assert not [p for p in out.rglob("*") if p.name.endswith(".tmp") and signum != signal.SIGKILL]
    again = subprocess.run(args, capture_output=True, text=True, timeout=300, env={**ENV, "TRUSTSIM_TEST_MARK": mark})
    assert again.returncode == 0, again.stderr
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")]       # no staging folder, no temp file
    assert pl.read_parquet(out / "runs.parquet").height == 6
    assert gone(mark, within=5.0)


def start_batch(command: str, out: Path, mark: str) -> subprocess.Popen:
    """The batch on two workers, once its first run is kept (so the pool, forkserver and tracker are up)."""
    process = subprocess.Popen([*TRUSTSIM, *BATCHES[command], "--workers", "2", "--out", str(out)],
                               stderr=subprocess.PIPE, text=True, env={**ENV, "TRUSTSIM_TEST_MARK": mark})
    deadline = time.monotonic() + 120
    while not list(out.glob("runs/*.parquet")) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert process.poll() is None, "the batch ended before it could be stopped: make it longer"
    return process


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="reads /proc to find the processes left")
def test_kill_9_of_a_sweep_takes_its_workers_forkserver_and_resource_tracker_along(tmp_path):
    mark = f"trustsim-test-kill-{os.getpid()}"
    process = start_batch("sweep", tmp_path / "out", mark)
    started = set(marked(mark)) - {process.pid}
    assert len(started) >= 4, "expected a resource tracker, a forkserver and two workers"
    process.kill()
    process.wait()
    assert gone(mark, within=10.0), f"left running after kill -9: {marked(mark)}"


def test_sigterm_stops_a_sweep_as_ctrl_c_does_in_one_line_with_143(tmp_path):
    out = tmp_path / "out"
    mark = f"trustsim-test-term-{os.getpid()}"
    process = start_batch("sweep", out, mark)
    process.terminate()
    _, err = process.communicate(timeout=60)
    assert process.returncode == 143, err
    assert err.startswith("trustsim: sweep terminated: ") and "runs are kept in" in err and err.count("\n") == 1
    assert gone(mark, within=10.0)
    kept = entries(out / "runs")
    assert kept and not [name for name in kept if name.startswith(".")] and not (out / "runs.parquet").exists()


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="reads /proc to find the processes left")
@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM])
def test_a_check_stopped_by_a_signal_leaves_nothing_running(tmp_path, signum):
    """``trustsim check`` runs on the same pool: kill -9 takes its workers along, SIGTERM is one line, 143."""
    mark = f"trustsim-test-check-{os.getpid()}-{signum}"
    cache = tmp_path / "cache"
    process = subprocess.Popen([*TRUSTSIM, "check", "baseline", "--agents", "300", "--replicates", "6", "--workers",
                                "2", "--cache", str(cache), "--quiet"],
                               stderr=subprocess.PIPE, text=True, env={**ENV, "TRUSTSIM_TEST_MARK": mark})
    deadline = time.monotonic() + 120
    while len(marked(mark)) < 5 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)                 # the command, a resource tracker, a forkserver and two workers
    assert process.poll() is None, "the check ended before it could be stopped: make it longer"
    process.send_signal(signum)
    _, err = process.communicate(timeout=60)
    assert gone(mark, within=10.0), f"left running after {signal.Signals(signum).name}"
    if signum == signal.SIGTERM:
        assert process.returncode == 143 and err.startswith("trustsim: check terminated: ") and err.count("\n") == 1, err


# --------------------------------------------------------------------------- absurd sizes

def bounded(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    """The real command with 2 GiB of address space and a minute: an absurd size that is not refused up
    front fails this (a MemoryError traceback, or the timeout) instead of taking the machine."""
    import resource

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    process = subprocess.Popen([*TRUSTSIM, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               cwd=cwd, env=ENV, preexec_fn=limit)
    try:
        out, err = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        pytest.fail(f"trustsim {' '.join(args)[:200]} was not refused within a minute")
    return subprocess.CompletedProcess(args, process.returncode, out, err)


@fuzz(8)
@given(case=st.one_of(
    st.tuples(st.just("replicates"), st.integers(10**7 + 1, 10**12)),
    st.tuples(st.just("grid"), st.integers(200, 400)),             # three axes of this many values
    st.tuples(st.just("samples"), st.integers(10**7, 10**12)),
    st.tuples(st.just("sobol"), st.integers(23, 40)),               # N = 2**this
    st.tuples(st.just("levels"), st.integers(501, 10**9)),          # levels = 2 x this
))
def test_absurd_sizes_are_refused_before_work_starts_with_the_estimate(tmp_path_factory, case):
    """sweep --replicates 1000000000 grew past 800 MB in a minute, an 8-million-point grid validated for days,
    sensitivity --samples and --levels 1000000000 hung: each is refused in one line, with how large it is,
    before anything is made."""
    where = tmp_path_factory.mktemp("absurd")
    kind, size = case
    sensitivity = ["sensitivity", "baseline", "--param", "trust.asymmetry=1:4"]
    grid = [arg for key, values in (("trust.asymmetry", [1 + v / 10 for v in range(size)]),
                                     ("network.mean_degree", range(2, size + 2)), ("simulation.days", range(2, size + 2)))
            for arg in ("--grid", f"{key}={','.join(str(v) for v in values)}")] if kind == "grid" else []
    args = {
        "replicates": lambda: ["sweep", "baseline", "--replicates", str(size)],
        "grid": lambda: ["sweep", "baseline", *grid],
        "samples": lambda: [*sensitivity, "--method", "morris", "--samples", str(size)],
        "sobol": lambda: [*sensitivity, "--method", "sobol", "--samples", str(2**size)],
        "levels": lambda: [*sensitivity, "--method", "morris", "--levels", str(2 * size)],
    }[kind]()
    event(kind)
    done = bounded([*args, "--out", "out", "--quiet"], where)
    assert refused_in_one_line(done.returncode, done.stdout, done.stderr), done.stderr[-2000:]
    said = done.stderr
    assert ("cannot fit in memory" in said and "would take about" in said and "available" in said) or \
        "is too many: at most" in said or ("--levels" in said and f"got {2 * size:,}" in said), said
    assert not list(where.iterdir()), "a refused batch made something"
