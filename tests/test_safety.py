"""Never touch what is not ours: no write or delete outside the folder given, one writer per folder.

Property-based, in the spirit of ``tests/test_fuzz.py`` (derandomized, few examples): output paths that
climb out of where they seem to point, hostile manifests under ``run --overwrite``, and writers that take,
let go of and die holding a folder's lock. Each data-loss case found by hand also has an end-to-end test
of the real command, which checks that the victim file still exists.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path

import pytest
from contract import cli_run, fuzz, refused_in_one_line, tree
from hypothesis import assume, event, given
from hypothesis import strategies as st

from sim.errors import FolderBusy
from sim.files import FORMATS, sha256
from sim.folder import LOCK_NAME, entries, one_writer

ROOT = Path(__file__).resolve().parent.parent
TRUSTSIM = [sys.executable, "-m", "sim"]
SMALL = ("--agents", "40", "--days", "3", "--quiet")


def trustsim(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*TRUSTSIM, *args], capture_output=True, text=True, cwd=cwd, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})


def one_line_exit_2(result: subprocess.CompletedProcess) -> bool:
    return refused_in_one_line(result.returncode, result.stdout, result.stderr)


# --------------------------------------------------------------------------- paths that climb out

SEGMENTS = ["..", "to_other", "y", ".", "other", "empty", "to_empty", "new"]
ENDS = ["other", "to_other", "empty", "to_empty", "new", "..", "."]


def landscape(root: Path) -> Path:
    """``root/base/deep`` to start from: it holds links to a folder of someone's (``other``) and to an empty
    one (``empty``), which sit beside ``base``."""
    start = root / "base" / "deep"
    start.mkdir(parents=True)
    (root / "other").mkdir()
    (root / "other" / "notes.txt").write_text("someone's notes")
    (root / "empty").mkdir()
    (start / "to_other").symlink_to(root / "other")
    (start / "to_empty").symlink_to(root / "empty")
    return start


def climbing_out(root: Path, segments: list[str], end: str, command: tuple[str, ...], what: str) -> Path | None:
    """``trustsim COMMAND --out`` a path that climbs about the landscape in ``root``: refused in one line with
    nothing changed, or written where the path leads (a folder that was empty, or new) and nowhere else, which
    is returned. Examples that lead out of ``root`` are not tried."""
    start = landscape(root)
    typed = os.path.join(start, *segments, end)
    leads_to = Path(os.path.realpath(typed))
    assume(leads_to == root or root in leads_to.parents)          # stays in the test's own folder
    before = tree(root)
    was_empty = not leads_to.exists() or (leads_to.is_dir() and not any(leads_to.iterdir()))
    code, out, err = cli_run(*command, "--out", typed)
    after = tree(root)
    event("refused" if code else "written")
    if code != 0:
        assert refused_in_one_line(code, out, err), err
        assert after == before, f"a refused {what} created, changed or removed something"
        return None
    assert was_empty, f"{typed} led to a folder that was not empty, and the {what} wrote into it"
    for key in before.keys() | after.keys():
        if before.get(key) != after.get(key):
            place = Path(root, key)
            assert place == leads_to or leads_to in place.parents or place in leads_to.parents, \
                f"{key} changed outside {leads_to}"
    return leads_to


@fuzz(40)
@given(segments=st.lists(st.sampled_from(SEGMENTS), max_size=4), end=st.sampled_from(ENDS))
def test_an_out_path_that_climbs_writes_only_where_it_leads_or_nowhere(tmp_path_factory, segments, end):
    leads_to = climbing_out(tmp_path_factory.mktemp("climb"), segments, end, ("run", "baseline", *SMALL), "run")
    if leads_to is not None:
        assert entries(leads_to) == sorted(["manifest.json", *(f"{t}.parquet" for t in
                                            ("agents", "archetypes", "edges", "events", "metrics", "reputations"))])


def test_out_that_climbs_into_a_full_folder_is_refused_and_makes_nothing(tmp_path):
    """`--out y/../other` (y not existing) was written into `other`, which `--out other` refuses."""
    other = tmp_path / "other"
    other.mkdir()
    (other / "manifest.json").write_text("someone's")
    result = trustsim("run", "baseline", *SMALL, "--out", "y/../other", cwd=tmp_path)
    assert one_line_exit_2(result) and "other: is not empty" in result.stderr, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other"]          # no empty y/ either
    assert (other / "manifest.json").read_text() == "someone's" and entries(other) == ["manifest.json"]


# --------------------------------------------------------------------------- hostile manifests

TABLE_NAMES = ("agents", "archetypes", "edges", "events", "metrics", "reputations")


@pytest.fixture(scope="module")
def earlier_run(tmp_path_factory) -> Path:
    """A real run's folder, copied for each example (making one costs a run)."""
    folder = tmp_path_factory.mktemp("earlier") / "run"
    code, _, err = cli_run("run", "baseline", *SMALL, "--out", str(folder))
    assert code == 0, err
    return folder


def hostile_entries(victim: Path, victim_folder: Path) -> st.SearchStrategy:
    names = st.sampled_from(["../victim.txt", str(victim), str(victim_folder), "sub/../../victim.txt",
                             "../victims", "metrics.csv", "linked.csv", "manifest.json", ".", "..", "",
                             "events.parquet", "agents.ipc", "metrics.parquet/../../victim.txt"])
    digests = st.sampled_from(["0" * 64, "ab" * 32, 5, None, "victim", "table"])
    entry = st.fixed_dictionaries({"file": st.one_of(names, st.integers(), st.lists(names, max_size=2))},
                                  optional={"sha256": digests, "rows": st.integers(0, 10)})
    return st.one_of(entry, st.none(), st.text(max_size=5), st.lists(entry, max_size=2))


json_values = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8)),
                           lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                   st.dictionaries(st.text(max_size=6), inner, max_size=3)),
                           max_leaves=8)


@fuzz(40)
@given(data=st.data(), fmt=st.sampled_from(FORMATS), link=st.booleans())
def test_overwrite_over_a_hostile_manifest_removes_nothing_but_the_run(tmp_path_factory, earlier_run, data, fmt,
                                                                       link):
    root = tmp_path_factory.mktemp("hostile")
    folder = root / "run"
    shutil.copytree(earlier_run, folder)
    victim, victim_folder = root / "victim.txt", root / "victims"
    victim.write_text("someone's data")
    victim_folder.mkdir()
    (victim_folder / "thesis.tex").write_text("years of work")
    if link:
        (folder / "linked.csv").symlink_to(victim)
    manifest = json.loads((folder / "manifest.json").read_text())
    kind = data.draw(st.sampled_from(["intact", "intact", "entries", "entries", "entries", "files", "whole"]))
    if kind == "entries":
        for key in data.draw(st.lists(st.sampled_from([*TABLE_NAMES, "extra", "../x"]), min_size=1, max_size=3)):
            entry = data.draw(hostile_entries(victim, victim_folder))
            if isinstance(entry, dict) and entry.get("sha256") in ("victim", "table"):
                source = victim if entry["sha256"] == "victim" else folder / "events.parquet"
                entry["sha256"] = sha256(source)
            manifest["files"][key] = entry
    elif kind == "files":
        manifest["files"] = data.draw(json_values)
    elif kind == "whole":
        manifest = data.draw(json_values)
    (folder / "manifest.json").write_text(json.dumps(manifest))
    outside = {key: value for key, value in tree(root).items() if not key.startswith("run")}
    inside = tree(folder)
    code, out, err = cli_run("run", "baseline", *SMALL, "--out", str(folder), "--overwrite", "--format", fmt)
    assert victim.read_text() == "someone's data" and (victim_folder / "thesis.tex").read_text() == "years of work"
    assert {key: value for key, value in tree(root).items() if not key.startswith("run")} == outside
    event("refused" if code else "replaced")
    if code != 0:
        assert refused_in_one_line(code, out, err), err
        assert tree(folder) == inside, "a refused overwrite changed the folder"
    else:
        assert entries(folder) == sorted(["manifest.json", *(f"{t}.{fmt}" for t in TABLE_NAMES)])


def test_overwrite_never_deletes_what_a_manifest_names_outside_the_folder(tmp_path):
    """A manifest edited to list ../victim.txt and an absolute folder made --overwrite delete both."""
    run = tmp_path / "run"
    assert trustsim("run", "baseline", *SMALL, "--out", str(run)).returncode == 0
    victim, victims = tmp_path / "victim.txt", tmp_path / "victims"
    victim.write_text("someone's data")
    victims.mkdir()
    (victims / "thesis.tex").write_text("years of work")
    manifest = json.loads((run / "manifest.json").read_text())
    manifest["files"]["notes"] = {"file": "../victim.txt", "rows": 1, "sha256": "0" * 64}
    manifest["files"]["thesis"] = {"file": str(victims), "rows": 1, "sha256": "0" * 64}
    (run / "manifest.json").write_text(json.dumps(manifest))
    before = tree(run)
    result = trustsim("run", "baseline", *SMALL, "--out", str(run), "--overwrite", "--format", "csv")
    assert one_line_exit_2(result) and "not a table a run writes" in result.stderr, result.stderr
    assert victim.read_text() == "someone's data" and (victims / "thesis.tex").read_text() == "years of work"
    assert tree(run) == before


@pytest.mark.parametrize("manifest", ["[]", '"a string"', '{"files": {"metrics": {"file": ["a", "b"]}}}',
                                      '{"files": []}', "{not json", '{"kind": "run", "files": {"metrics": 3}}'])
def test_overwrite_over_a_broken_manifest_is_one_line_and_removes_nothing(tmp_path, earlier_run, manifest):
    run = tmp_path / "run"
    shutil.copytree(earlier_run, run)
    (run / "manifest.json").write_text(manifest)
    before = tree(run)
    code, out, err = cli_run("run", "baseline", *SMALL, "--out", str(run), "--overwrite", "--format", "csv")
    assert refused_in_one_line(code, out, err) and "manifest.json" in err, err
    assert tree(run) == before


def test_overwrite_keeps_a_table_that_changed_since_the_earlier_run_wrote_it(tmp_path, earlier_run):
    run = tmp_path / "run"
    shutil.copytree(earlier_run, run)
    (run / "metrics.parquet").write_bytes(b"my own edits")
    code, out, err = cli_run("run", "baseline", *SMALL, "--out", str(run), "--overwrite", "--format", "csv")
    assert refused_in_one_line(code, out, err) and "metrics.parquet: changed since" in err, err
    assert (run / "metrics.parquet").read_bytes() == b"my own edits"


def test_a_stale_table_changed_during_the_run_is_left_in_place(tmp_path, earlier_run):
    """Checked before the run, a table may still change before it would be removed: then it is not ours."""
    from sim.runs import prepare_output, remove_stale

    run = tmp_path / "run"
    shutil.copytree(earlier_run, run)
    earlier = prepare_output(run, overwrite=True)
    (run / "events.parquet").write_bytes(b"edited while the new run ran")
    (run / "edges.parquet").unlink()
    (run / "edges.parquet").symlink_to(tmp_path / "elsewhere")
    assert remove_stale(run, earlier, {}) == ["edges.parquet", "events.parquet"]
    assert sorted(entries(run)) == ["edges.parquet", "events.parquet", "manifest.json"]


# --------------------------------------------------------------------------- one writer per folder

HOLDER = ("import sys, time; from pathlib import Path; from sim.folder import one_writer; from sim.errors import FolderBusy\n"
          "try:\n    with one_writer(Path(sys.argv[1])):\n        print('held', flush=True); time.sleep(600)\n"
          "except FolderBusy as busy:\n    print(busy)\n")


def _holder_process(folder: Path) -> subprocess.Popen:
    """A process that takes ``folder``'s lock and holds it until killed; FolderBusy if it was refused."""
    process = subprocess.Popen([sys.executable, "-c", HOLDER, str(folder)], stdout=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONPATH": str(ROOT)})
    said = process.stdout.readline()
    if said != "held\n":
        process.wait()
        raise FolderBusy(said.removesuffix("\n"))
    return process


@fuzz(25)
@given(steps=st.lists(st.tuples(st.sampled_from(["take", "take", "let go", "die"]), st.integers(0, 2)),
                      max_size=10))
def test_one_writer_at_a_time_whoever_takes_lets_go_or_dies(tmp_path_factory, steps):
    """Holders 0 and 1 live in this process (each its own `with`), holder 2 in a process that may be killed."""
    folder = tmp_path_factory.mktemp("locked")
    holding: int | None = None
    with ExitStack() as stack:
        mine: dict[int, ExitStack] = {}
        process: subprocess.Popen | None = None
        for action, who in steps:
            if action == "take" and holding != who:
                try:
                    if who == 2:
                        process = _holder_process(folder)
                    else:
                        mine[who] = ExitStack()
                        mine[who].enter_context(one_writer(folder))
                        stack.callback(mine[who].close)
                except FolderBusy as busy:
                    assert holding is not None, "refused while no one held the folder"
                    assert "\n" not in str(busy) and "is writing into this folder" in str(busy)
                    mine.pop(who, None)
                else:
                    assert holding is None, f"{who} took the folder while {holding} held it"
                    holding = who
            elif action in ("let go", "die") and holding == who:
                if who == 2:
                    process.send_signal(signal.SIGKILL if action == "die" else signal.SIGTERM)
                    process.wait()
                else:
                    mine.pop(who).close()
                holding = None
            assert entries(folder) == []
        if process is not None and process.poll() is None:
            process.kill()
            process.wait()
    with one_writer(folder):                          # whatever happened, the folder can be taken now
        pass
    assert not (folder / LOCK_NAME).exists()


def test_two_runs_into_one_folder_the_second_is_refused_in_one_line(tmp_path):
    out = tmp_path / "out"
    first = subprocess.Popen([*TRUSTSIM, "run", "baseline", "--agents", "10000", "--days", "365", "--quiet",
                              "--out", str(out)], stderr=subprocess.PIPE, text=True,
                             env={**os.environ, "PYTHONPATH": str(ROOT)})
    deadline = time.monotonic() + 60
    while not (out / LOCK_NAME).exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert first.poll() is None, "the first run ended before the second started: make it longer"
    second = trustsim("run", "baseline", *SMALL, "--out", str(out))
    assert one_line_exit_2(second), second.stderr
    assert f"another trustsim (process {first.pid}) is writing into this folder" in second.stderr
    assert first.wait(timeout=120) == 0, first.stderr.read()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["parameters"]["simulation"]["agents"] == 10000         # the first run's, complete
    assert entries(out) == sorted(os.listdir(out))                          # the lock went with it

    # a writer killed outright leaves its lock file, which blocks no one
    killed = subprocess.Popen([*TRUSTSIM, "run", "baseline", "--agents", "3000", "--days", "300", "--quiet",
                               "--out", str(out), "--overwrite"], env={**os.environ, "PYTHONPATH": str(ROOT)})
    deadline = time.monotonic() + 60
    while not (out / LOCK_NAME).exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    assert (out / LOCK_NAME).exists()
    after = trustsim("run", "baseline", *SMALL, "--out", str(out), "--overwrite")
    assert after.returncode == 0, after.stderr
    assert not (out / LOCK_NAME).exists()


# --------------------------------------------------------------------------- a full disk

def test_a_full_disk_during_a_parquet_export_is_one_line_and_leaves_nothing(tmp_path, monkeypatch):
    """polars words ENOSPC in its parquet writer as a ComputeError (seen writing to /dev/full)."""
    import polars as pl

    def full(self, path, *args, **kwargs):
        Path(path).write_bytes(b"PAR1 half a table")
        raise pl.exceptions.ComputeError("parquet: File out of specification: underlying IO error: No space "
                                         "left on device (os error 28)")

    monkeypatch.setattr(pl.DataFrame, "write_parquet", full)
    out = tmp_path / "new" / "run"
    code, stdout, err = cli_run("run", "baseline", *SMALL, "--out", str(out))
    assert refused_in_one_line(code, stdout, err) and "export failed: No space left on device" in err, err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_a_real_write_failure_is_one_line_and_keeps_the_earlier_run(tmp_path, earlier_run, fmt):
    """A real failing write: files may not grow past 20 kB (RLIMIT_FSIZE), in the real command. Parquet's
    writer words it its own way; CSV's (like IPC's and NDJSON's) raises OSError."""
    import resource

    run = tmp_path / "run"
    shutil.copytree(earlier_run, run)
    before = tree(run)

    def small_files() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)           # the write fails (EFBIG) instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))

    result = subprocess.run([*TRUSTSIM, "run", "baseline", "--agents", "500", "--days", "30", "--quiet", "--out",
                             str(run), "--overwrite", "--format", fmt], capture_output=True, text=True,
                            timeout=120, preexec_fn=small_files, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert one_line_exit_2(result) and "export failed" in result.stderr, result.stderr
    assert tree(run) == before
