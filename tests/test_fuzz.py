"""Bad input found by fuzzing stays out: every generated input either runs to sane tables or is refused
with one line and exit code 2, leaving nothing behind.

Property-based (hypothesis, derandomized and with a bounded number of examples, so the suite stays
fast and repeatable): mutate a shown scenario file (delete keys, change types, extreme and non-finite
numbers, deep nesting, integers of hundreds or thousands of digits, odd strings), and throw random
``--set`` and ``--grid`` values at the command line. Runs happen in this process (``cli.main``), small
ones only: a scenario that validates but would be large is checked without being run.
"""

from __future__ import annotations

import math
import resource
import tempfile
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import tomli_w
from contract import cli_run, fuzz, refused_in_one_line
from hypothesis import given
from hypothesis import strategies as st

from sim import config
from sim.resources import estimate

SHOWN = config.to_dict(config.load("broken_promises", {"simulation.agents": 40, "simulation.days": 4}))
HUGE_INT, DEEP = "HUGE-INT-LITERAL", "DEEP-ARRAY-LITERAL"
SMALL_RUN = 40 * 8          # agent-days small enough to run here; larger valid scenarios are only checked
MEMORY_BOUND_MIB = 2048


# --------------------------------------------------------------------------- values a hostile user types

numbers = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, -1, 1, 2**63, -(2**63), 10**400, 1e308, -1e308, 5e-324, 0.5, 1.0000001]),
)
texts = st.one_of(st.text(max_size=30), st.sampled_from(["", " ", "baseline", "never", "\u202e", "a" * 3000]))
leaves = st.one_of(numbers, texts, st.booleans(), st.just(HUGE_INT), st.just(DEEP))
values = st.recursive(leaves, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                      st.dictionaries(st.text(max_size=8), inner, max_size=3)),
                      max_leaves=6)


def paths(data: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path to a value in the shown scenario (tables and array entries included)."""
    found = [prefix] if prefix else []
    if isinstance(data, dict):
        for key, value in data.items():
            found += paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += paths(value, (*prefix, index))
    return found


PATHS = paths(SHOWN)


def mutated(path: tuple, action: str, value: Any) -> dict:
    raw: Any = _copy(SHOWN)
    holder = raw
    for step in path[:-1]:
        holder = holder[step]
    last = path[-1]
    if action == "delete":
        del holder[last]
    elif action == "rename" and isinstance(last, str):
        holder[last + "x"] = holder.pop(last)
    else:
        holder[last] = value
    return raw


def _copy(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _copy(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_copy(v) for v in data]
    return data


def toml_text(raw: dict) -> str | None:
    """TOML for a mutated scenario, with the two literals tomli_w cannot write spliced in as text."""
    def writable(value: Any) -> Any:
        if isinstance(value, float) and not math.isfinite(value):
            return value
        if isinstance(value, dict):
            return {str(k): writable(v) for k, v in value.items() if v is not None}
        if isinstance(value, list):
            return [writable(v) for v in value]
        return value
    try:
        text = tomli_w.dumps(writable(raw))
    except (TypeError, ValueError):
        return None                  # not expressible in TOML (e.g. a mixed array tomli_w refuses)
    return (text.replace(f'"{HUGE_INT}"', "9" * 5000)
                .replace(f'"{DEEP}"', "[" * 800 + "1" + "]" * 800))


def assert_sane_tables(out: Path, raw_days: int) -> None:
    metrics = pl.read_parquet(out / "metrics.parquet")
    assert metrics.height == raw_days + 1 and metrics["day"].to_list() == list(range(raw_days + 1))
    for name in ("mean_trust", "generalized_trust", "evidence_weight"):
        column = metrics[name].drop_nulls()
        assert column.is_finite().all() and column.min() >= 0 and column.max() <= 1, name
    assert (metrics["promises_kept"] >= 0).all() and (metrics["ties"] >= 0).all()
    assert pl.read_parquet(out / "agents.parquet").height >= 2


def check_contract(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        scenario = folder / "fuzzed.toml"
        scenario.write_text(text, encoding="utf-8")
        code, out, err = cli_run("show", str(scenario))
        if code != 0:
            assert refused_in_one_line(code, out, err), err[-2000:]
            return
        loaded = config.load(str(scenario))
        if loaded.simulation.agents * loaded.simulation.days > SMALL_RUN or estimate(loaded).agents > 400:
            return                   # valid, but too large to run here: validation is what was fuzzed
        result = folder / "out" / "deep"
        code, out, err = cli_run("run", str(scenario), "--out", str(result), "--quiet")
        if code == 0:
            assert_sane_tables(result, loaded.simulation.days)
        else:
            assert refused_in_one_line(code, out, err), err[-2000:]
            assert not (folder / "out").exists(), "a refused run left its output folder behind"
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert peak_mib < MEMORY_BOUND_MIB


@fuzz(120)
@given(path=st.sampled_from(PATHS), action=st.sampled_from(["delete", "replace", "replace", "rename"]),
       value=values)
def test_a_mutated_scenario_file_runs_or_is_refused_in_one_line(path, action, value):
    text = toml_text(mutated(path, action, value))
    if text is not None:
        check_contract(text)


SET_KEYS = [".".join(str(p) for p in path) for path in PATHS if all(isinstance(p, str) for p in path)]
literal_texts = st.one_of(texts, st.sampled_from(["9" * 400, "9" * 5000, "[" * 1000 + "]" * 1000, "nan", "inf",
                                                   "-inf", "1e999", "[0.2, 0.1]", "[1, [2]]", "{a = 1}",
                                                   "true", '"x"', "0x10", "1_000"]),
                          numbers.map(repr))


@fuzz(150)
@given(key=st.one_of(st.sampled_from(SET_KEYS), st.text(max_size=20)), text=literal_texts)
def test_set_values_are_accepted_or_refused_in_one_line(key, text):
    code, out, err = cli_run("show", "broken_promises", "--set", f"{key}={text}")
    assert code == 0 or refused_in_one_line(code, out, err), err[-2000:]


plausible = st.one_of(st.floats(0, 1).map(repr), st.integers(1, 6).map(str), st.sampled_from(["true", "false"]))


GRID_KEYS = [".".join(p) for p in paths(config.to_dict(config.load("baseline"), hypotheses=False))
             if all(isinstance(s, str) for s in p) and p[0] not in ("scenario",)]


#: keys with values a researcher would sweep, so that many generated grids are accepted and run
FRIENDLY = {"trust.forgetting": st.floats(0.5, 1.0), "trust.asymmetry": st.integers(1, 5),
            "vouching.threshold": st.floats(0.0, 1.0), "testimony.probability": st.floats(0.0, 1.0),
            "promotion.reach": st.integers(0, 30), "archetypes.steady.reliability": st.floats(0.0, 1.0),
            "vouching.blame": st.booleans()}
hostile_grids = st.tuples(st.sampled_from([*GRID_KEYS, "scenario", "simulation.seed", "nosuch"]),
                          st.lists(st.one_of(literal_texts, plausible), min_size=1, max_size=3))
friendly_grids = st.sampled_from(sorted(FRIENDLY)).flatmap(
    lambda key: st.tuples(st.just(key), st.lists(FRIENDLY[key].map(lambda v: str(v).lower()), min_size=1,
                                                 max_size=3)))


@fuzz(60)
@given(grid=st.one_of(hostile_grids, friendly_grids))
def test_grid_values_are_accepted_or_refused_in_one_line(grid):
    key, items = grid
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "sweep"
        grid = f"{key}={','.join(items)}"
        code, stdout, err = cli_run("sweep", "baseline", "--grid", grid, "--agents", "20", "--days", "2",
                                    "--replicates", "1", "--workers", "1", "--quiet", "--out", str(out))
        if code == 0:
            runs = pl.read_parquet(out / "runs.parquet")
            assert runs.height >= 1 and runs["mean_trust"].drop_nulls().is_finite().all()
        else:
            assert refused_in_one_line(code, stdout, err), err[-2000:]
            assert not out.exists() or not any(out.iterdir()), "a refused sweep left files behind"


@pytest.mark.parametrize("args", [
    ["run", "baseline", "--out", ""],
    ["sweep", "baseline", "--grid", "trust.asymmetry=1,2", "--out", ""],
    ["sweep", "baseline", "--grid", "trust.asymmetry=2,2.0", "--out", "x"],
    ["sweep", "baseline", "--grid", "trust.asymmetry=1", "--dask", "bogus://x", "--out", "OUT/new"],
    ["sweep", "baseline", "--grid", "trust.asymmetry=1", "--dask", "tcp://127.0.0.1:1", "--out", "OUT/new"],
    ["run", "baseline", "--agents", "20", "--days", "1", "--out", "OUT/a/b/" + "x" * 300],
])
def test_the_nine_found_by_fuzzing(tmp_path, args):
    args = [a.replace("OUT", str(tmp_path)) for a in args]
    code, out, err = cli_run(*args)
    assert refused_in_one_line(code, out, err), err
    assert list(tmp_path.iterdir()) == []


def test_a_memory_blow_up_is_capped_or_refused(tmp_path):
    blow = tmp_path / "blow.toml"
    blow.write_text('extends = "baseline"\n[simulation]\nagents = 50\ndays = 1\n[promotion]\nreach = 100000\n'
                    '[archetypes.flaky]\npromotion_rate = 100\n')
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    code, _, err = cli_run("run", str(blow), "--quiet")
    assert code == 0, err
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 500 * 1024   # KiB: under 500 MiB more
    influx = tmp_path / "influx.toml"
    influx.write_text('extends = "baseline"\n[simulation]\nagents = 50\n[[events]]\nday = 1\nkind = "influx"\n'
                      'archetype = "steady"\ncount = 10000000\n')
    code, out, err = cli_run("run", str(influx))
    assert refused_in_one_line(code, out, err) and "10,000,050 agents" in err
    code, out, err = cli_run("run", "baseline", "--agents", "9000000", "--days", "3000")
    assert refused_in_one_line(code, out, err) and "cannot fit in memory" in err and "GiB" in err


# --------------------------------------------------------------------------- words that reach the terminal

def terminal_safe(text: str) -> bool:
    return all(c.isprintable() or c == "\n" for c in text)


@fuzz(40)
@given(name=st.one_of(st.text(max_size=12), st.sampled_from(["evil\x1b[2J", "bell\x07", "\u202eesrever", "ok"])),
       words=st.one_of(st.text(max_size=40), st.sampled_from(["\x1b]0;pwned\x07 title", "\u202e txet", "a\tb"])))
def test_control_characters_in_a_scenario_never_reach_the_terminal_raw(name, words):
    with tempfile.TemporaryDirectory() as folder:
        scenario = Path(folder) / "words.toml"
        scenario.write_text(tomli_w.dumps({"extends": "baseline", "scenario": {
            "name": name, "description": words, "case_study": words}}), encoding="utf-8")
        code, shown, err = cli_run("show", str(scenario))
        assert terminal_safe(shown) and terminal_safe(err)
        if not name.isprintable():
            assert refused_in_one_line(code, shown, err) and "scenario.name: a name may not hold control" in err
            return
        assert code == 0, err
        (Path(folder) / "shown.toml").write_text(shown, encoding="utf-8")
        again = config.load(str(Path(folder) / "shown.toml")).scenario
        assert (again.name, again.description, again.case_study) == (name, words, words)   # shown exactly
        code, out, err = cli_run("run", str(scenario), "--agents", "20", "--days", "1")
        assert code == 0 and terminal_safe(out) and terminal_safe(err), err


def test_an_archetype_named_with_control_characters_is_refused_in_one_line(tmp_path):
    scenario = tmp_path / "evil.toml"
    scenario.write_text('extends = "baseline"\n[archetypes."bad\\u001b[31m"]\nshare = 0.0\n')
    code, out, err = cli_run("run", str(scenario))
    assert refused_in_one_line(code, out, err) and "archetypes: a name may not hold control" in err, err
    assert "\x1b" not in err and "\\x1b" in err


@pytest.mark.parametrize(("depth", "loads"), [(32, True), (33, False), (1200, False)])
def test_an_extends_chain_is_bounded_at_32_levels(tmp_path, depth, loads):
    """1,200 files, each extending the next, was a RecursionError traceback."""
    for level in range(depth):
        base = "baseline" if level == depth - 1 else f"level{level + 1}.toml"
        (tmp_path / f"level{level}.toml").write_text(f'extends = "{base}"\n')
    code, out, err = cli_run("show", str(tmp_path / "level0.toml"))
    if loads:
        assert code == 0, err
    else:
        assert refused_in_one_line(code, out, err) and "extends: a chain of more than 32 scenarios" in err, err
