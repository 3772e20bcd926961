"""`trustsim check`: hypotheses in scenario files, paired seeds, verdicts, exit codes, resuming, executors."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from sim import check, cli, config
from sim.batch import BatchInterrupted
from sim.errors import ScenarioError

SMALL = {"agents": 150, "replicates": 3}


def scenario_file(tmp_path: Path, hypotheses: str, days: int = 40) -> Path:
    """baseline at a small size, from the seed graph (no spin-up: these test the check, not the model), with
    the given [[hypotheses]] tables."""
    text = (Path(config.SCENARIO_DIR) / "baseline.toml").read_text().split("# What this scenario claims")[0]
    text = text.replace("agents = 1000", "agents = 150").replace("days = 365", f"days = {days}\nspin_up = 0")
    path = tmp_path / "mine.toml"
    path.write_text(text + hypotheses)
    return path


HOLDS = '''
[[hypotheses]]
id = "asymmetry-costs-trust"
statement = "A broken promise weighing three kept ones leaves less trust than one weighing one"
measure = "mean_trust"
control = { "trust.asymmetry" = 1.0 }
direction = "lower"
min_effect = 0
seeds = 3
seed = 5
'''

FAILS = '''
[[hypotheses]]
id = "no-such-luck"
statement = "Network trust ends above 0.99"
measure = "mean_trust"
than = 0.99
direction = "higher"
min_effect = 0
seeds = 3
seed = 5
'''


#: What the tests of running a check (workers, resuming, Dask) check with: 40-day runs, since the horizon is
#: not what they test, and every kind of hypothesis: a control, a fixed value, a derived measure with its
#: arguments, a change since a day, another scenario. 9 distinct runs at 3 seeds: this scenario, its
#: control, and integrity.
KINDS = HOLDS + FAILS + '''
[[hypotheses]]
id = "ties-break-around-the-flaky"
statement = "Ties around the flaky break more often than around anyone else"
measure = "untie_ratio"
args = { of = "flaky" }
than = 1.0
direction = "higher"
min_effect = 0
seeds = 3
seed = 5

[[hypotheses]]
id = "strangers-steady"
statement = "Trust in strangers moves by less than 0.05 from day 10"
measure = "generalized_trust"
since = 10
than = 0.0
direction = "within"
min_effect = 0.05
seeds = 3
seed = 5

[[hypotheses]]
id = "as-trusting-as-integrity"
statement = "Network trust is higher than in integrity"
measure = "mean_trust"
compare = "integrity"
direction = "higher"
min_effect = 0
seeds = 3
seed = 5
'''


def run_cli(capsys, *args) -> tuple[int, str, str]:
    code = cli.main(["check", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_users_own_hypotheses_run_and_holding_ones_exit_0(tmp_path, capsys):
    path = scenario_file(tmp_path, HOLDS)
    code, out, _ = run_cli(capsys, str(path), "--no-cache", "--workers", "1", "--json")
    rows = json.loads(out)
    assert code == 0 and len(rows) == 1
    row = rows[0]
    assert set(row) >= {"scenario", "id", "statement", "measure", "value", "control", "control_value", "effect",
                        "ci_low", "ci_high", "holds"}
    assert row["holds"] and row["control"] == ["trust.asymmetry=1"] and row["paired"] == 3
    assert row["ci_low"] <= row["effect"] <= row["ci_high"] < 0


def test_one_that_does_not_hold_exits_1_and_says_so(tmp_path, capsys):
    path = scenario_file(tmp_path, HOLDS + FAILS)
    code, out, _ = run_cli(capsys, str(path), "--no-cache", "--workers", "1")
    assert code == 1
    lines = out.splitlines()
    assert lines[0].split()[:4] == ["scenario", "hypothesis", "kind", "measure"]
    assert any(line.startswith("holds") and "asymmetry-costs-trust" in line and " ablation " in line for line in lines)
    assert any(line.startswith("NOT") and "no-such-luck" in line and " threshold " in line for line in lines)
    assert "1 of 2 hypotheses hold;" in out and "as one family of 2 tests (Holm)" in out


@pytest.mark.parametrize(("table", "message"), [
    ('id = "x"\nstatement = "s"\nmeasure = "mean_trust"\ndirection = "up"\nmin_effect = 0\nseeds = 3\nseed = 1\nthan = 1',
     "direction: must be one of higher, lower, within"),
    ('id = "x"\nstatement = "s"\nmeasure = "happiness"\ndirection = "higher"\nmin_effect = 0\nseeds = 3\nseed = 1\nthan = 1',
     "unknown measure 'happiness'"),
    ('id = "x"\nstatement = "s"\nmeasure = "mean_trust"\ndirection = "higher"\nmin_effect = 0\nseeds = 3\nseed = 1',
     "needs a comparison: compare, control or than"),
    ('id = "x"\nstatement = "s"\nmeasure = "mean_trust"\ndirection = "higher"\nmin_effect = 0\nseed = 1\nthan = 1',
     "hypotheses[0].seeds: is required"),
    ('id = "x"\nstatement = "s"\nmeasure = "follows"\nargs = { of = "nobody", after = 3 }\ndirection = "higher"\n'
     'min_effect = 0\nseeds = 3\nseed = 1\nthan = 1', "args.of: must be an archetype"),
    ('id = "x"\nstatement = "s"\nmeasure = "mean_trust"\ndirection = "higher"\nmin_effect = 0\nseeds = 3\nseed = 1\n'
     'than = 1\ncompare = "baseline"', "compare with a fixed value or with runs, not both"),
    ('id = "x"\nstatement = "s"\nmeasure = "mean_trust"\ndirection = "higher"\nmin_effect = 0\nseeds = 1\nseed = 1\nthan = 1',
     "seeds: must be at least 2"),
])
def test_a_badly_stated_hypothesis_is_one_line_and_exit_2(tmp_path, capsys, table, message):
    path = scenario_file(tmp_path, f"\n[[hypotheses]]\n{table}\n")
    code, out, err = run_cli(capsys, str(path), "--no-cache")
    assert code == 2 and message in err and err.count("\n") == 1 and out == ""


@pytest.mark.parametrize(("extra", "message"), [
    ('day = 300\n', "reads day 300 but the runs last 40 days"),
    ('control = { "trust.asymmetry" = 0.5 }\n', "control: "),
    ('compare = "no_such_scenario"\n', "unknown scenario 'no_such_scenario'"),
])
def test_what_only_the_check_can_see_is_refused_before_anything_runs(tmp_path, capsys, extra, message):
    table = ('id = "x"\nstatement = "s"\nmeasure = "mean_trust"\ndirection = "higher"\nmin_effect = 0\n'
             'seeds = 3\nseed = 1\n' + extra)
    if "compare" not in extra and "control" not in extra:
        table += "than = 1\n"
    path = scenario_file(tmp_path, f"\n[[hypotheses]]\n{table}")
    code, _, err = run_cli(capsys, str(path), "--no-cache")
    assert code == 2 and message in err and err.count("\n") == 1


def test_the_same_seeds_give_the_same_rows_whatever_the_workers(tmp_path):
    kinds = [str(scenario_file(tmp_path, KINDS))]
    trials = check.plan(kinds, **SMALL)
    assert len(trials.trials) == 5 and len(trials.runs) == 9
    one = check.run(trials, workers=1, cache=None).rows
    two = check.run(check.plan(kinds, **SMALL), workers=2, cache=None).rows
    assert one == two


def test_an_interrupted_check_resumes_from_its_cache(tmp_path):
    cache = tmp_path / "cache"
    kinds = [str(scenario_file(tmp_path, KINDS))]
    full = check.run(check.plan(kinds, **SMALL), workers=1, cache=None).rows
    kept = {"n": 0}
    original = check.write_json

    def interrupt_after_two(path, data):
        original(path, data)
        kept["n"] += 1
        if kept["n"] == 2:
            raise KeyboardInterrupt

    check.write_json = interrupt_after_two
    try:
        with pytest.raises(BatchInterrupted, match="2 of 9 runs are kept"):
            check.run(check.plan(kinds, **SMALL), workers=1, cache=cache)
    finally:
        check.write_json = original
    resumed = check.run(check.plan(kinds, **SMALL), workers=1, cache=cache)
    assert (resumed.ran, resumed.cached) == (7, 2) and resumed.rows == full
    again = check.run(check.plan(kinds, **SMALL), workers=1, cache=cache)
    assert (again.ran, again.cached) == (0, 9) and again.rows == full


def test_dask_local_gives_the_same_rows(tmp_path):
    pytest.importorskip("distributed")
    kinds = [str(scenario_file(tmp_path, KINDS))]
    local = check.run(check.plan(kinds, agents=100, replicates=2), workers=2, cache=None).rows
    dask = check.run(check.plan(kinds, agents=100, replicates=2), workers=2, dask="local", cache=None).rows
    assert dask == local


def test_paired_effects_and_the_interval(tmp_path):
    from sim.hypotheses import parse

    hypothesis = parse(0, {"id": "x", "statement": "s", "measure": "mean_trust", "direction": "lower",
                           "min_effect": 0.1, "seeds": 4, "seed": 1, "compare": "baseline"}, "t", ("a",))
    scenario = config.load("baseline", {"simulation.agents": 50, "simulation.days": 2})
    side, other = check.Side(scenario), check.Side(scenario.with_overrides({"trust.asymmetry": 5}))
    trial = check.Trial("t", hypothesis, side, other, [1, 2, 3, 4])
    key = hypothesis.observable.key()
    values = {f"{side.key}-{s}": {key: v} for s, v in zip([1, 2, 3, 4], [0.5, 0.6, 0.4, 0.5], strict=True)}
    values |= {f"{other.key}-{s}": {key: v} for s, v in zip([1, 2, 3, 4], [0.7, 0.8, 0.5, 0.8], strict=True)}
    row = check.judge(trial, values)
    # differences -0.2, -0.2, -0.1, -0.3: mean -0.2, sd 0.081650, t(3) = 3.182446 -> half width 0.129923
    assert row["effect"] == pytest.approx(-0.2) and row["ci_high"] == pytest.approx(-0.2 + 0.129923, abs=1e-6)
    assert not row["holds"]                     # the interval reaches -0.07, inside the 0.1 margin
    assert hypothesis.holds(-0.35, -0.11) and not hypothesis.holds(-0.35, float("nan"))


def test_no_hypotheses_is_bad_input(tmp_path):
    with pytest.raises(ScenarioError, match="no hypotheses"):
        check.plan([str(scenario_file(tmp_path, ""))])


# ---------------------------------------------------------------- honest verdicts (issue 18)

def test_rows_say_the_kind_the_family_wise_verdict_and_the_margin(tmp_path):
    rows = check.run(check.plan([str(scenario_file(tmp_path, KINDS))], **SMALL), workers=1, cache=None).rows
    by_id = {r["id"]: r for r in rows}
    assert [by_id[i]["kind"] for i in ("asymmetry-costs-trust", "no-such-luck", "as-trusting-as-integrity")] == [
        "ablation", "threshold", "comparison"]
    for row in rows:
        assert 0 <= row["p_value"] <= 1 or math.isnan(row["p_value"])
        assert (row["p_value"] <= check.LEVEL) == row["holds"] or math.isnan(row["p_value"])
        assert not row["holds_holm"] or row["holds"]             # family-wise can only be stricter
        assert row["robustness"] is None                            # --robust was not asked for


def test_holm_steps_down_over_the_family():
    rows = [{"p_value": p, "holds": p <= 0.025} for p in (0.001, 0.012, 0.02, 0.3)]
    check._holm(rows)
    # m = 4: 0.001 <= 0.025/4; 0.012 > 0.025/3, so it and everything after fail
    assert [r["holds_holm"] for r in rows] == [True, False, False, False]
    rows = [{"p_value": p, "holds": True} for p in (0.004, 0.006, 0.011, 0.02)]
    check._holm(rows)
    assert all(r["holds_holm"] for r in rows)                       # 0.025/4, /3, /2, /1


@pytest.mark.parametrize(("effect", "half", "direction", "margin", "on"), [
    (0.10, 0.02, "higher", 0.05, False),     # well clear
    (0.07, 0.019, "higher", 0.05, True),     # the 95% interval clears 0.05, the 99% one does not
    (-0.2, 0.05, "lower", 0.1, False),
    (0.0, 0.015, "within", 0.02, True),      # clears +-0.02 at 95%, not at 99%
])
def test_on_the_margin_means_the_99_percent_interval_reaches_it(effect, half, direction, margin, on):
    from sim.hypotheses import Hypothesis
    from sim.observables import Observable

    h = Hypothesis("h", "s", Observable("mean_trust"), direction, margin, 10, 1, than=0.0)
    assert check._test(h, effect, effect + half, 10)[1] == on


def test_robust_runs_each_hypothesis_longer_and_larger_and_says_where_it_holds(tmp_path):
    planned = check.plan([str(scenario_file(tmp_path, HOLDS + FAILS))], agents=60, replicates=2, robust=True)
    variants = {(t.hypothesis.id, t.variant): (t.side.scenario.simulation.days, t.side.scenario.simulation.agents)
                for t in planned.trials}
    assert variants[("no-such-luck", check.LONGER)] == (80, 60)
    assert variants[("no-such-luck", check.LARGER)] == (40, 240)
    rows = check.run(planned, workers=1, cache=None).rows
    assert len(rows) == 2
    for row in rows:
        assert set(row["robust"]) == {check.LONGER, check.LARGER}
        expected = ("does not hold" if not row["holds"] else
                    "holds" if all(v["holds"] for v in row["robust"].values()) else "holds at the defaults only")
        assert row["robustness"] == expected
    assert "also at twice the horizon, and at four times the agents (two runs)" in check.markdown(rows)


def test_checking_one_scenario_after_all_of_them_reruns_nothing(tmp_path):
    cache = tmp_path / "cache"
    mine = str(scenario_file(tmp_path, KINDS))
    everything = check.run(check.plan([mine, "integrity"], agents=60, replicates=2, days=30), workers=1,
                           cache=cache)
    assert everything.ran > 0
    again = check.run(check.plan([mine], agents=60, replicates=2, days=30), workers=1, cache=cache)
    assert again.ran == 0 and again.cached == len(check.plan([mine], agents=60, replicates=2, days=30).runs)


def test_days_and_set_apply_to_both_sides_and_a_seed_cannot_be_set(tmp_path, capsys):
    planned = check.plan([str(scenario_file(tmp_path, HOLDS))], days=25, overrides={"trust.forgetting": 0.99})
    trial = planned.trials[0]
    for side in (trial.side, trial.other):
        assert side.scenario.simulation.days == 25 and side.scenario.trust.forgetting == 0.99
    assert trial.other.scenario.trust.asymmetry == 1.0                 # the control still wins on its side
    code, _, err = run_cli(capsys, str(scenario_file(tmp_path, HOLDS)), "--set", "simulation.seed=3", "--no-cache")
    assert code == 2 and "--set simulation.seed" in err and err.count("\n") == 1


# ---------------------------------------------------------------- planning is linear (issue 19, item 16)

def _many(count: int) -> str:
    """``count`` hypotheses: ablations with one of three controls, comparisons with ``baseline``, and
    thresholds, in turn."""
    kinds = ['control = { "trust.asymmetry" = %s }' % (1.0 + index % 3) for index in range(3)]
    kinds += ['compare = "baseline"', "than = 0.5"]
    return "".join(f'''
[[hypotheses]]
id = "h{index}"
statement = "hypothesis {index}"
measure = "mean_trust"
{kinds[index % len(kinds)]}
direction = "lower"
min_effect = 0
seeds = 2
seed = 5
''' for index in range(count))


def test_planning_reads_each_scenario_once_and_validates_each_distinct_side_once(tmp_path, monkeypatch):
    """The work of planning, counted (not timed): scenarios read, scenarios validated, hypotheses parsed."""
    counted = {"load": [], "validate": 0, "parse": 0}
    load, validate, parse = config.load, config.from_dict, config.parse_hypothesis

    def counting_load(name, *args, **kwargs):
        counted["load"].append(name)
        return load(name, *args, **kwargs)

    def counting_validate(*args, **kwargs):
        counted["validate"] += 1
        return validate(*args, **kwargs)

    def counting_parse(*args, **kwargs):
        counted["parse"] += 1
        return parse(*args, **kwargs)

    monkeypatch.setattr(config, "load", counting_load)
    monkeypatch.setattr(config, "from_dict", counting_validate)
    monkeypatch.setattr(config, "parse_hypothesis", counting_parse)

    def work(count: int) -> tuple[list[str], int, int, int]:
        folder = tmp_path / str(count)
        folder.mkdir()
        path = str(scenario_file(folder, _many(count)))
        counted.update(load=[], validate=0, parse=0)
        planned = check.plan([path], agents=100, robust=True)
        assert len(planned.trials) == 3 * count
        return counted["load"], counted["validate"], counted["parse"], len(planned.runs)

    small, large = work(10), work(40)
    for loads, *_ in (small, large):
        assert len(loads) == 2 and loads[1] == "baseline"                # each scenario read once
    stated = config.load("baseline").hypotheses
    baseline, baseline_controls = len(stated), sum(1 for h in stated if h.control and not h.compare)
    # every hypothesis parsed once, when its scenario is read: 40 and 10 of this file, and baseline's own
    assert (small[2], large[2]) == (10 + baseline, 40 + baseline)
    # validated: each scenario read (2), each of this file's self-controls checked as it is read (6 of 10,
    # 24 of 40) with baseline's (a constant), and each distinct side once: 3 variants x (this scenario, its 3
    # controls, baseline) = 15, however many hypotheses share them
    assert (small[1], large[1]) == (2 + 6 + baseline_controls + 15, 2 + 24 + baseline_controls + 15)
    assert small[3] == large[3]                                      # the same runs, shared
