"""trustsim report: real exports in, files out; each figure valid and equal to the table it came from;
bad input refused in one line with nothing written."""

from __future__ import annotations

import ast
import json
import math
import os
import shutil
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest
from contract import cli_run, fuzz, refused_in_one_line, tree
from hypothesis import event, example, given
from hypothesis import strategies as st
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from sim import Simulation, export, load_scenario, palette, report
from sim.cli import main as trustsim_main
from sim.files import sha256
from sim.report import style
from sim.report.chart import MEASURES, event_text, statement_label
from sim.report.check_charts import check_charts
from sim.report.compare import compare_charts
from sim.report.inputs import InputError, load
from sim.report.moments import feed_sentences, key_moments, window_events
from sim.report.network import network_data, sample_agents
from sim.report.run_charts import present, run_charts
from sim.report.sweep_charts import sweep_charts
from sim.report.writer import FIGURES, HTML, MANIFEST

ROOT = Path(__file__).resolve().parent.parent
CLAIMS = ROOT / "scenarios" / "claims.json"
RUN_FILES = ("metrics", "archetypes", "agents", "reputations", "events", "edges")


def make_run(folder: Path, scenario: str, agents: int, days: int, fmt: str = "parquet", **settings) -> Path:
    sim = Simulation(load_scenario(scenario, {"simulation.agents": agents, "simulation.days": days, **settings}))
    export(sim.run(), folder, fmt)
    return folder


@pytest.fixture(scope="module", autouse=True)
def own_check_cache(tmp_path_factory):
    """The reports here read the check's cache of this test module, never the user's."""
    before = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))
    yield
    if before is None:
        del os.environ["XDG_CACHE_HOME"]
    else:
        os.environ["XDG_CACHE_HOME"] = before


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, Path]:
    """Small exported runs: broken_promises (a testimony on day 120 needs 130 days), repentance (two
    reforms), indiscriminate_vouching (a campaign) in CSV, and baseline to compare with."""
    base = tmp_path_factory.mktemp("runs")
    return {
        "broken": make_run(base / "broken", "broken_promises", 200, 130),
        "repentance": make_run(base / "repentance", "repentance", 150, 70),
        "campaign": make_run(base / "campaign", "indiscriminate_vouching", 120, 40, fmt="csv"),
        "baseline": make_run(base / "baseline", "baseline", 200, 130),
    }


@pytest.fixture(scope="module")
def run_report(runs) -> Path:
    """The report of the broken_promises run, written where it goes by default."""
    return report.write([runs["broken"]])


@pytest.fixture(scope="module")
def rewritten(run_report, runs, tmp_path_factory) -> Path:
    """The same report written again over a copy of the first, to which a stale figure was added: the
    folder an earlier report is replaced in, and a second drawing to compare byte for byte."""
    out = tmp_path_factory.mktemp("again") / "talk"
    shutil.copytree(run_report.parent, out)
    (out / FIGURES / "old-figure.svg").write_text("<svg/>")
    report.write([runs["broken"]], out)
    return out


@pytest.fixture(scope="module")
def sweep_folder(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sweep") / "sweep"
    result = subprocess.run([sys.executable, "-m", "sim", "sweep", "baseline", "--grid", "trust.asymmetry=1,3",
                             "--grid", "vouching.threshold=0.5,0.8", "--replicates", "2", "--agents", "80",
                             "--days", "15", "--workers", "1", "--quiet", "--out", str(out)],
                            capture_output=True, text=True, timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr
    return out


def reseal(folder: Path, table: str, rows: int | None = None) -> None:
    """Make ``manifest.json`` give the sha256 and row count of ``table`` as it now is (``rows``: as given), as
    someone who edits a table and its manifest together would: so the table itself is what is refused."""
    manifest = json.loads((folder / "manifest.json").read_text())
    entry = manifest["files"][table]
    path = folder / entry["file"]
    entry["sha256"] = sha256(path)
    entry["rows"] = rows if rows is not None else pl.scan_parquet(path).select(pl.len()).collect().item()
    (folder / "manifest.json").write_text(json.dumps(manifest))


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def check_files(folder: Path) -> dict:
    """Every figure of a report is valid: PNG with its size, SVG that parses, PDF, CSV polars reads."""
    manifest = json.loads((folder / MANIFEST).read_text())
    assert manifest["kind"] == "report"
    for name, entry in manifest["figures"].items():
        figures = folder / FIGURES
        width, height = png_size((figures / f"{name}.png").read_bytes())
        assert width == 1920 and height >= 540, (name, width, height)
        root = ET.parse(figures / f"{name}.svg").getroot()
        assert root.tag.endswith("svg")
        assert (figures / f"{name}.pdf").read_bytes()[:5] == b"%PDF-"
        for file in entry["files"]:
            assert (figures / file).is_file(), file
            if file.endswith(".csv"):
                assert pl.read_csv(figures / file).height > 0
    return manifest


# ---------------------------------------------------------------- one run

def test_a_run_report_has_every_figure_valid_and_a_self_contained_page(run_report):
    folder = run_report.parent
    assert run_report.name == HTML and folder.name == "report"
    manifest = check_files(folder)
    assert set(manifest["figures"]) == {"trust", "measures", "commitments", "reputation", "followers", "network"}
    page = run_report.read_text()
    assert "http://" not in page and "https://" not in page
    assert "<script" not in page and "<link" not in page and "src=" not in page
    assert page.count("<svg") == len(manifest["figures"])
    assert "the steady go public about the overcommitters" in page
    assert "Key moments" in page and "Parameters" in page and "trust.asymmetry" in page


def test_a_figure_draws_exactly_its_table(runs):
    run = load(runs["broken"])
    metrics = run.table("metrics")
    trust = next(c for c in run_charts(run) if c.name == "trust")
    line = next(a for a in trust.figure().axes[0].get_lines() if a.get_label() == "mean trust")
    assert np.array_equal(np.asarray(line.get_ydata(), float), metrics["mean_trust"].to_numpy(), equal_nan=True)
    assert np.array_equal(np.asarray(line.get_xdata(), float), metrics["day"].to_numpy())


def test_the_csv_beside_a_figure_is_its_table(run_report, runs):
    figures = run_report.parent / FIGURES
    metrics = load(runs["broken"]).table("metrics")
    written = pl.read_csv(figures / "trust.csv")
    assert written["mean_trust"].to_list() == metrics["mean_trust"].to_list()
    kept = pl.read_csv(figures / "commitments.csv")
    assert kept["kept"].to_list() == metrics["promises_kept"].diff().slice(1).cast(pl.Float64).to_list()


def test_archetypes_take_the_dashboards_colours_and_marks_in_scenario_order(runs):
    run = load(runs["broken"])
    assert run.archetypes == ("steady", "casual", "overcommitter")      # not the manifest's sorted order
    reputation = next(c for c in run_charts(run) if c.name == "reputation")
    lines = {line.get_label(): line for line in reputation.figure().axes[0].get_lines()}
    for index, name in enumerate(run.archetypes):
        assert lines[name].get_color() == palette.archetype_color(index)
        assert lines[name].get_marker() == style.archetype_marker(index)
    archetypes = run.table("archetypes")
    steady = archetypes.filter(pl.col("archetype") == "steady")["reputation"].to_numpy()
    assert np.array_equal(np.asarray(lines["steady"].get_ydata(), float), steady, equal_nan=True)


def test_the_follower_gini_and_lorenz_curve_take_no_archetypes_colour(runs):
    run = load(runs["broken"])
    followers = next(c for c in run_charts(run) if c.name == "followers").figure()
    gini, _, lorenz = followers.axes[:3]
    drawn = [line for ax in (gini, lorenz) for line in ax.get_lines() if line.get_linestyle() == "-"]
    assert len(drawn) == 2                                   # the Gini over time and the last day's Lorenz curve
    archetype_colours = {palette.archetype_color(i) for i in range(len(palette.ARCHETYPE_COLORS))}
    for line in drawn:
        assert line.get_color() == palette.POPULATION and line.get_color() not in archetype_colours


def test_every_measure_panel_says_its_unit_in_words_and_no_label_runs_into_another_panel(runs):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    run = load(runs["broken"])
    figure = next(c for c in run_charts(run) if c.name == "measures").figure()
    with style.applied():
        FigureCanvasAgg(figure)
        renderer = figure.canvas.get_renderer()
        figure.draw(renderer)
        boxes = []                      # (panel, box) of every title, y label and y tick label drawn
        for index, ax in enumerate(a for a in figure.axes if a.get_visible()):
            low, high = sorted(ax.get_ylim())
            ticks = [t for t in ax.get_yticklabels() if low <= t.get_position()[1] <= high]     # those drawn
            texts = [ax.title, ax.yaxis.label, *ticks]
            boxes += [(index, t.get_window_extent(renderer)) for t in texts if t.get_visible() and t.get_text()]
    for i, (panel, box) in enumerate(boxes):
        for other, box2 in boxes[i + 1:]:
            assert panel == other or not box.overlaps(box2), (figure.axes[panel].get_title(), box, box2)
    titles = [ax.get_title() for ax in figure.axes if ax.get_visible()]
    assert len(titles) == len(present(run.table("metrics"), list(MEASURES)))
    assert "vouch precision\n(share of all so far, 0–1)" in titles
    assert "promises kept\n(commitments, total so far)" in titles
    assert not any("since day 0" in t for t in titles)


def test_events_are_marked_a_campaign_as_a_span_a_reform_as_a_labelled_line(runs):
    campaign = load(runs["campaign"])          # CSV tables: the archetype order comes from the rows
    [event] = campaign.events
    ax = next(c for c in run_charts(campaign) if c.name == "trust").figure().axes[0]
    spans = [p for p in ax.patches if isinstance(p, Rectangle) and p.get_x() == event.day]
    assert spans and math.isclose(spans[0].get_width(), event.end - event.day)
    assert any(event.describe() in t.get_text().replace("\n", " ") for t in ax.texts)

    repentance = load(runs["repentance"])
    ax = next(c for c in run_charts(repentance) if c.name == "reputation").figure().axes[0]
    marked = {float(line.get_xdata()[0]) for line in ax.get_lines() if line.get_linestyle() != "-"}
    assert {e.day for e in repentance.events} <= marked
    labels = " ".join(t.get_text().replace("\n", " ") for t in ax.texts)
    assert "the enthusiasts overcommit" in labels
    measures = next(c for c in run_charts(repentance) if c.name == "measures").figure()
    legend = " ".join(t.get_text().replace("\n", " ") for t in measures.legends[0].get_texts())
    assert all(event_text(e) in legend for e in repentance.events)


def test_the_report_is_reproducible_byte_for_byte(run_report, rewritten):
    first, second = run_report.parent, rewritten
    names = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    for name in names:
        if name.name != MANIFEST:         # which folder it came from differs; nothing else may
            assert (first / name).read_bytes() == (second / name).read_bytes(), name


# ---------------------------------------------------------------- the network picture

def test_the_network_sample_is_seeded_stable_and_connected():
    rng = np.random.default_rng(5)
    agents = 2_000          # a sparse random graph: a uniform sample of it is mostly isolated dots
    edges = pl.DataFrame({"source": rng.integers(0, agents, 3_000), "target": rng.integers(0, agents, 3_000)},
                         schema={"source": pl.Int32, "target": pl.Int32})
    first, again = sample_agents(edges, agents, seed=7), sample_agents(edges, agents, seed=7)
    assert len(first) == 300 and np.array_equal(first, again)
    assert not np.array_equal(first, sample_agents(edges, agents, seed=8))

    def tied_share(sample: np.ndarray) -> float:
        inside = edges.filter(pl.col("source").is_in(sample.tolist()) & pl.col("target").is_in(sample.tolist()))
        return len(set(inside["source"].to_list()) | set(inside["target"].to_list())) / len(sample)

    uniform = np.sort(np.random.default_rng(7).choice(agents, 300, replace=False))
    assert tied_share(first) > 0.95 and tied_share(uniform) < 0.4
    assert np.array_equal(sample_agents(edges.head(10), 50, seed=1), np.arange(50))    # small: everyone


def test_the_network_picture_colours_agents_by_reputation_and_keeps_its_layout(runs):
    run = load(runs["broken"])
    data = network_data(run)
    nodes = data[""]
    agents = run.table("agents")
    assert nodes.height == 200 and nodes["agent"].to_list() == agents["agent"].to_list()
    joined = nodes.join(agents.select("agent", pl.col("reputation").alias("table")), on="agent")
    assert joined["reputation"].to_list() == joined["table"].to_list()
    assert data["ties"].height == run.table("edges").height
    assert network_data(run)[""].equals(nodes)                 # the same run, the same picture


# ---------------------------------------------------------------- key moments

def test_key_moments_are_chosen_by_the_hypotheses_and_the_scenario_events(runs):
    run = load(runs["broken"])
    moments = key_moments(run)
    assert [m.day for m in moments] == sorted(m.day for m in moments)
    [testimony] = [m for m in moments if "(a scenario event)" in m.headline]
    assert testimony.headline == "Day 120: the steady go public about the overcommitters (a scenario event)"
    metrics = run.table("metrics")
    trust = dict(zip(metrics["day"].to_list(), metrics["mean_trust"].to_list(), strict=True))
    # what the hypotheses' measures did after it, read off the run's own table, then the feed's own words
    assert f"mean trust: {trust[120]:.3f} on day 120, {trust[130]:.3f} on day 130" in testimony.details[0]
    assert any(d.startswith("day 12") for d in testimony.details)
    # every measure a hypothesis reads in the run's tables has its moment, naming the claims that read it
    told = {m.details[0] for m in moments if m.details and m.details[0].startswith("the measure of")}
    assert any("Network trust falls below baseline's" in t and "Overload causes it" in t for t in told)
    assert any("Meanwhile their followings keep growing" in t for t in told)
    # not the largest daily changes: no moment is a bare fall of a measure no hypothesis reads
    assert not any("referral trust" in m.headline for m in moments)


def test_a_fixed_level_is_told_on_the_day_it_is_crossed_for_seven_days(runs):
    run = load(runs["baseline"])
    metrics = run.table("metrics")
    [crossed] = [m for m in key_moments(run) if "the level 0.7" in m.headline]
    accuracy = metrics["trust_accuracy"].to_numpy()
    day = next(d for d in range(6, len(accuracy)) if (accuracy[d - 6:d + 1] > 0.7).all())
    assert crossed.day == day and crossed.headline.startswith(f"Day {day}: trust accuracy lay above the level 0.7")


def test_a_run_report_opens_with_its_hypotheses_and_their_recorded_verdicts(run_report):
    from html import escape

    page = run_report.read_text()
    assert page.index("What this scenario claims") < page.index("Key moments") < page.index("<figure")
    for hypothesis in load_scenario("broken_promises").hypotheses:
        assert escape(hypothesis.statement) in page
    from sim import claims

    trust_falls = next(row for row in claims.of("broken_promises") if row["id"] == "trust-falls")
    assert ('recorded verdict: <span class="holds">holds</span>, effect '
            f'{trust_falls["effect"]:.3f} [{trust_falls["ci_low"]:.3f}, {trust_falls["ci_high"]:.3f}]') in page
    assert page.count("recorded verdict: ") == len(load_scenario("broken_promises").hypotheses)
    assert "9 of them are not in the check's cache: <code>trustsim check broken_promises</code> runs them" in page


MINE = """extends = "broken_promises"
[scenario]
name = "mine"
[simulation]
agents = 100
days = 25
spin_up = 15
[[hypotheses]]
id = "falls"
statement = "Network trust falls below baseline's"
measure = "mean_trust"
compare = "baseline"
direction = "lower"
min_effect = 0.05
seeds = 3
seed = 5
[[hypotheses]]
id = "ties-break"
statement = "Ties around overcommitters break at least three times as often as around anyone else"
measure = "untie_ratio"
args = { of = "overcommitter" }
than = 3.0
direction = "higher"
min_effect = 0.0
seeds = 3
seed = 5
"""


def test_the_checks_cache_draws_each_claim_against_its_comparison(tmp_path):
    from sim import check

    mine = tmp_path / "mine.toml"
    mine.write_text(MINE)
    folder = make_run(tmp_path / "run", str(mine), 100, 25)
    before = report.write([folder], tmp_path / "before").read_text()
    assert "2 of them are not in the check's cache: <code>trustsim check YOUR-SCENARIO.toml</code>" in before
    result = check.run(check.plan([str(mine)]), workers=1, cache=check.default_cache())
    html = report.write([folder], tmp_path / "after")
    manifest = json.loads((html.parent / MANIFEST).read_text())
    assert {"claim-falls", "claim-ties-break"} <= set(manifest["figures"])
    rows = {row["id"]: row for row in result.rows}
    for name, row in (("claim-falls", rows["falls"]), ("claim-ties-break", rows["ties-break"])):
        drawn = pl.read_csv(html.parent / FIGURES / f"{name}.csv")
        assert drawn.height == 3
        assert drawn["value"].mean() == pytest.approx(row["value"])
        assert drawn["control_value"].mean() == pytest.approx(row["control_value"])
    page = html.read_text()
    assert "does not hold" in page or "holds" in page
    assert "no recorded verdict (a scenario of your own)" in page


def test_feed_sentences_come_from_the_dashboards_narrator(runs):
    from sim.narration import Narrator

    run = load(runs["broken"])
    events = window_events(run, 20, 27)
    codes = run.table("agents")["archetype"].to_physical().to_numpy()
    mine = feed_sentences(events, codes, run.archetypes, 3)
    theirs = [str(s) for s in Narrator(run.archetypes).pick(events, codes, 3)]
    assert mine == theirs and len(mine) == 3


# ---------------------------------------------------------------- two runs, a sweep, a check

def test_two_runs_are_overlaid_and_differenced(runs, tmp_path):
    html = report.write([runs["broken"], runs["baseline"]], tmp_path / "ab")
    manifest = check_files(html.parent)
    assert {"trust", "measures", "difference", "network-a", "network-b"} <= set(manifest["figures"])
    a, b = load(runs["broken"]).table("metrics"), load(runs["baseline"]).table("metrics")
    difference = pl.read_csv(html.parent / FIGURES / "difference.csv")
    assert difference["mean_trust"].to_list() == (b["mean_trust"] - a["mean_trust"]).to_list()
    page = html.read_text()
    assert "Where the parameters differ" in page and "archetypes.overcommitter.share" in page
    charts = compare_charts(load(runs["broken"]), load(runs["baseline"]))
    trust = next(c for c in charts if c.name == "trust").figure()
    colours = {line.get_color() for ax in trust.axes for line in ax.get_lines()}
    assert colours == {*palette.COMPARE_COLORS, palette.EVENT}        # A, B, and the events marked


def test_a_sweep_report_has_intervals_from_the_summary_and_heat_maps(sweep_folder):
    html = report.write([sweep_folder])
    assert html.parent == sweep_folder / "report"
    manifest = check_files(html.parent)
    assert {"against-trust-asymmetry", "against-vouching-threshold", "heatmap-mean_trust"} <= set(manifest["figures"])
    summary = pl.read_parquet(sweep_folder / "summary.parquet").sort("vouching.threshold", "trust.asymmetry")
    drawn = pl.read_csv(html.parent / FIGURES / "against-trust-asymmetry.csv")
    for column in ("mean_trust_mean", "mean_trust_ci_low", "mean_trust_ci_high"):
        assert drawn[column].to_list() == pytest.approx(summary[column].to_list(), rel=1e-15)
    chart = next(c for c in sweep_charts(load(sweep_folder)) if c.name == "against-trust-asymmetry")
    [first_panel, *_] = chart.figure().axes
    assert len(first_panel.containers) == 2          # one error-bar series per vouching.threshold


def test_a_check_report_gives_each_hypothesis_a_line_and_its_verdict(tmp_path):
    rows = json.loads(CLAIMS.read_text())
    html = report.write([CLAIMS], tmp_path / "claims")
    check_files(html.parent)
    page = html.read_text()
    assert page.count('class="holds"') == sum(r["holds"] for r in rows)
    assert page.count('class="fails"') == sum(not r["holds"] for r in rows)
    charts = check_charts(load(CLAIMS))
    assert sum(c.data[""].height for c in charts) == len(rows)
    broken = next(c for c in charts if c.name == "hypotheses-broken_promises")
    expected = [r["effect"] for r in rows if r["scenario"] == "broken_promises"]
    assert broken.data[""]["effect"].to_list() == expected
    figure = broken.figure()
    assert len(figure.axes) == len(expected)
    verdicts = [t.get_text().split("\n")[0] for ax in figure.axes for t in ax.texts]
    assert verdicts == ["holds" if r["holds"] else "does not hold" for r in rows if r["scenario"] == "broken_promises"]
    # each line is labelled by its statement, in the scenario's own words (not by its id)
    statements = [r["statement"] for r in rows if r["scenario"] == "broken_promises"]
    assert [ax.get_title(loc="left").replace("\n", " ") for ax in figure.axes] == statements
    assert not any(ax.get_ylabel() for ax in figure.axes)


def test_a_long_statement_is_wrapped_and_shortened_at_a_word_and_an_empty_one_falls_back_to_the_id():
    long = "After the testimony of day 120, " + "strangers follow the overcommitters less and less " * 6
    label = statement_label(long, "h1", 40, lines=2)
    first, second = label.split("\n")
    assert len(first) <= 40 and len(second) <= 40 and second.endswith(" …")
    assert long.startswith(first) and " ".join(long.split()).startswith(f"{first} {second[:-2]}")
    assert statement_label("Short.", "h1") == "Short." and statement_label("  ", "h1") == "h1"


# ---------------------------------------------------------------- where it goes, and bad input

def test_an_earlier_report_is_replaced_and_anything_else_refused(runs, rewritten, tmp_path, capsys):
    assert not (rewritten / FIGURES / "old-figure.svg").exists() and (rewritten / HTML).exists()
    assert not [p for p in rewritten.parent.iterdir() if p.name.startswith(".")]
    out = tmp_path / "talk"
    shutil.copytree(rewritten, out)               # an earlier report, to which someone added a file of theirs
    (out / "notes.txt").write_text("mine")
    assert trustsim_main(["report", str(runs["broken"]), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "notes.txt" in err and "not an earlier report" in err
    assert (out / "notes.txt").read_text() == "mine" and (out / HTML).exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_a_failed_report_leaves_nothing_behind(runs, tmp_path, monkeypatch):
    calls = []

    def failing(fig, fmt):
        calls.append(fmt)
        if len(calls) == 5:
            raise OSError(28, "No space left on device")
        return b"x"

    monkeypatch.setattr(style, "render", failing)
    with pytest.raises(report.writer.ExportError, match="No space left on device"):
        report.write([runs["repentance"]], tmp_path / "deep" / "out")
    assert list(tmp_path.iterdir()) == []


def bad(tmp_path: Path, runs: dict[str, Path]) -> dict[str, tuple[list[str], str]]:
    """Bad input -> (arguments, what the one-line message must say)."""
    tmp_path.joinpath("empty").mkdir(parents=True)
    broken = tmp_path / "broken-manifest"
    broken.mkdir()
    (broken / "manifest.json").write_text('{"kind": "run",')
    (tmp_path / "check.json").write_text('[{"scenario": "x"')
    (tmp_path / "list.json").write_text('[{"scenario": "x", "id": "y"}]')
    (tmp_path / "afile").write_text("")
    missing = tmp_path / "missing-table"
    missing.mkdir()
    manifest = json.loads((runs["broken"] / "manifest.json").read_text())
    (missing / "manifest.json").write_text(json.dumps(manifest))
    damaged = tmp_path / "damaged"
    damaged.mkdir()
    for file in (f for f in runs["broken"].iterdir() if f.is_file()):
        (damaged / file.name).write_bytes(file.read_bytes())
    (damaged / "metrics.parquet").write_bytes(b"PAR1 not really")
    reseal(damaged, "metrics", rows=manifest["files"]["metrics"]["rows"])

    def rewritten(name: str, table: str, change) -> Path:
        """A copy of the run with one table readable but unfit to draw from."""
        folder = tmp_path / name
        folder.mkdir()
        for file in (f for f in runs["broken"].iterdir() if f.is_file()):
            (folder / file.name).write_bytes(file.read_bytes())
        change(pl.read_parquet(folder / f"{table}.parquet")).write_parquet(folder / f"{table}.parquet")
        reseal(folder, table)
        return folder

    (tmp_path / "empty.json").write_text("[]")
    (tmp_path / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    return {
        "text for numbers": ([str(rewritten("text", "metrics", lambda f: f.with_columns(pl.col("mean_trust")
                                                                                  .cast(pl.String))))],
                             "metrics.parquet: mean_trust should hold numbers, holds String"),
        "a column dropped": ([str(rewritten("dropped", "metrics", lambda f: f.drop("mean_trust")))],
                             "metrics.parquet: lacks the column mean_trust"),
        "no agents": ([str(rewritten("no-agents", "agents", lambda f: f.head(0)))], "agents.parquet: has no rows"),
        "no days": ([str(rewritten("no-days", "metrics", lambda f: f.head(0)))], "metrics.parquet: has no rows"),
        "an empty check": ([str(tmp_path / "empty.json")], "holds no hypotheses"),
        "deep JSON": ([str(tmp_path / "deep.json")], "JSON nested too deeply"),
        "an empty out": ([str(runs["broken"]), "--out", ""], "--out: the path is empty"),
        "out is the current folder": ([str(runs["broken"]), "--out", "."], "is the current folder or holds it"),
        "missing": ([str(tmp_path / "nowhere")], "no such file or folder"),
        "not an output": ([str(tmp_path / "empty")], "not a run, sweep, sensitivity or check output"),
        "broken manifest": ([str(broken)], "broken JSON at line 1"),
        "broken check": ([str(tmp_path / "check.json")], "broken JSON"),
        "not a check": ([str(tmp_path / "list.json")], "lacks statement"),
        "out is a file": ([str(runs["broken"]), "--out", str(tmp_path / "afile")], "is a file"),
        "out under a file": ([str(runs["broken"]), "--out", str(tmp_path / "afile" / "x")], "afile"),
        "three paths": ([str(runs["broken"])] * 3, "one or two paths"),
        "a run and a check": ([str(runs["broken"]), str(CLAIMS)], "cannot report on run and check"),
        "a table missing": ([str(missing)], "missing (manifest.json lists it)"),
        "a damaged table": ([str(damaged)], "metrics.parquet: cannot read"),
    }


def test_bad_input_is_one_line_exit_2_and_nothing_written(runs, tmp_path, capsys):
    cases = bad(tmp_path / "cases", runs)
    before = sorted(p for p in tmp_path.rglob("*"))
    for name, (args, says) in cases.items():
        assert trustsim_main(["report", *args]) == 2, name
        captured = capsys.readouterr()
        assert captured.out == "", name
        err = captured.err.strip()
        assert err.startswith("trustsim") and "\n" not in err and says in err, (name, err)
    assert sorted(p for p in tmp_path.rglob("*")) == before      # not even an empty report folder


def test_the_command_prints_where_it_wrote_and_loads_no_textual(runs, tmp_path):
    out = tmp_path / "cli"
    code = ("import sys; from sim.cli import main; code = main(['report', sys.argv[1], '--out', sys.argv[2]]); "
            "assert 'textual' not in sys.modules, 'the report loaded textual'; sys.exit(code)")
    result = subprocess.run([sys.executable, "-c", code, str(runs["campaign"]), str(out)], capture_output=True,
                            text=True, timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr
    assert f"wrote {out / HTML}" in result.stdout and str(out / FIGURES) in result.stdout
    result = subprocess.run([sys.executable, "-m", "sim", "report", str(tmp_path / "nowhere")], capture_output=True,
                            text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip() == f"trustsim: {tmp_path / 'nowhere'}: no such file or folder"


def test_importing_report_is_light():
    code = "import sys; from sim import report; print('matplotlib' in sys.modules, 'polars' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.stdout.split() == ["False", "False"]


def test_the_engine_never_imports_report():
    """The report lives in sim/report/ and reads exported files; only the command line loads it, lazily."""
    for path in (ROOT / "sim").rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[1] == "report":
            continue
        package = parts[:-1]           # a module's package (for __init__.py, the package itself)
        tree = ast.parse(path.read_text())
        at_top = set(tree.body)
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                base = ".".join(package[: len(package) - node.level + 1] if node.level else ())
                names = [".".join(filter(None, (base, node.module or "", alias.name))) for alias in node.names]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            if any(name == "sim.report" or name.startswith("sim.report.") for name in names):
                assert path.name == "cli.py" and node not in at_top, (path, ast.unparse(node))   # lazily, in a handler


def test_every_line_drawn_on_a_time_chart_is_in_its_csv(run_report):
    """No figure draws a number its CSV does not hold (the figures are redrawable from the files)."""
    run = load(run_report.parent.parent)
    for chart in run_charts(run):
        values = {float(v) for frame in chart.data.values() for c in frame.columns
                  if frame[c].dtype.is_numeric() for v in frame[c].drop_nulls().to_list()}
        for ax in chart.figure().axes:
            for line in ax.get_lines():
                if isinstance(line, Line2D) and len(line.get_ydata()) > 2:
                    drawn = {float(v) for v in np.asarray(line.get_ydata(), float) if np.isfinite(v)}
                    assert drawn <= values | {0.0, 1.0}, (chart.name, line.get_label())


# ---------------------------------------------------------------- a sensitivity analysis

@pytest.fixture(scope="module")
def sensitivity_folder(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sensitivity") / "analysis"
    argv = ["sensitivity", "baseline", "--method", "sobol", "--samples", "4", "--param", "trust.asymmetry=1:6",
            "--param", "vouching.threshold=0.4:0.9", "--hypothesis", "trust-high", "--replicates", "2",
            "--agents", "60", "--days", "15", "--workers", "1", "--quiet", "--out", str(out)]
    assert trustsim_main(argv) == 0
    return out


def test_a_sensitivity_report_draws_salibs_indices_with_intervals_and_where_the_hypothesis_holds(sensitivity_folder):
    html = report.write([sensitivity_folder])
    manifest = check_files(html.parent)
    assert set(manifest["figures"]) == {"indices", "hypothesis"}
    indices = pl.read_parquet(sensitivity_folder / "indices.parquet")
    drawn = pl.read_csv(html.parent / FIGURES / "indices.csv")
    for column in ("ST", "ST_conf", "S1", "S1_conf"):
        assert drawn[column].fill_null(math.nan).to_list() == pytest.approx(
            indices[column].fill_nan(None).fill_null(math.nan).to_list(), rel=1e-15, nan_ok=True)
    from sim.report.sensitivity_charts import sensitivity_charts

    chart = next(c for c in sensitivity_charts(load(sensitivity_folder)) if c.name == "indices")
    first = chart.figure().axes[0]
    assert [t.get_text() for t in first.get_yticklabels()] == ["trust.asymmetry", "vouching.threshold"]
    assert first.get_ylim()[0] > first.get_ylim()[1], "the first parameter is drawn on top"
    bars = [p for p in first.patches if isinstance(p, Rectangle)]
    mean_trust = indices.filter(pl.col("measure") == "mean_trust")
    drawn_widths = [*mean_trust["ST"].fill_nan(0).fill_null(0), *mean_trust["S1"].fill_nan(0).fill_null(0)]
    assert sorted(b.get_width() for b in bars) == pytest.approx(sorted(drawn_widths))
    verdicts = pl.read_parquet(sensitivity_folder / "hypothesis.parquet")
    page = html.read_text()
    assert f"holds at {int(verdicts['holds'].sum())} of {verdicts.height} sample points" in page


def test_in_a_b_comparison_each_archetype_keeps_its_own_colour_and_mark(runs):
    """baseline's archetypes come first; broken_promises' overcommitter must still wear its own colour."""
    a, b = load(runs["baseline"]), load(runs["broken"])
    chart = next(c for c in compare_charts(a, b) if c.name == "reputation")
    titles = {ax.get_title().split(" ", 1)[1]: ax for ax in chart.figure().axes if ax.get_title()}
    assert "overcommitter" not in a.archetypes
    for place, name in enumerate(a.archetypes):
        assert titles[name].get_title() == f"{palette.archetype_mark(place)} {name}"
    place = b.archetypes.index("overcommitter")
    ax = titles["overcommitter"]
    assert ax.get_title() == f"{palette.archetype_mark(place)} overcommitter"
    assert ax.title.get_color() == palette.archetype_color(place)


# --------------------------------------------------------------------------- hostile manifests and tables

def _manifest(key: str, value: Any) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        manifest = json.loads((folder / "manifest.json").read_text())
        manifest[key] = value(manifest) if callable(value) else value
        (folder / "manifest.json").write_text(json.dumps(manifest))
    return edit


def _table(name: str, column: str, value: Any) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        path = folder / f"{name}.parquet"
        pl.read_parquet(path).with_columns(pl.lit(value).alias(column)).write_parquet(path)
        reseal(folder, name)
    return edit


#: Issue 19's malformed inputs that were tracebacks: (which input, how it is spoiled, what the line names).
MALFORMED = {
    "an archetype missing from the archetypes table": ("broken", _table("agents", "archetype", "ghost"), "ghost"),
    "an integer events.kind": ("broken", _table("events", "kind", 3), "kind should hold text"),
    "inf in metrics.day": ("broken", _table("metrics", "day", float("inf")), "day should hold whole numbers"),
    "files as a list": ("broken", _manifest("files", lambda m: list(m["files"].values())), "'files'"),
    "versions as a list": ("broken", _manifest("versions", ["x"]), "'versions'"),
    "a sweep's files as a list": ("sweep", _manifest("files", lambda m: list(m["files"].values())), "'files'"),
    "a sweep's versions as a list": ("sweep", _manifest("versions", [1]), "'versions'"),
    "grid entries that are not objects": ("sweep", _manifest("grid", ["trust.asymmetry"]), "grid entry 0"),
    "grid values that are not a list": ("sweep", _manifest("grid", [{"key": "trust.asymmetry", "values": 3}]),
                                        "'values'"),
    "a sweep's runs as a string": ("sweep", _manifest("runs", "many"), "'runs'"),
    "a sensitivity design as a list": ("sensitivity", _manifest("design", [1, 2]), "'design'"),
    "a sensitivity's runs as a string": ("sensitivity", _manifest("runs", "x"), "'runs'"),
    "a sensitivity's files as a list": ("sensitivity", _manifest("files", lambda m: list(m["files"].values())),
                                        "'files'"),
    "params entries that are not objects": ("sensitivity", _manifest("params", [1]), "params entry 0"),
}
CHECK_ROW = {"scenario": "baseline", "id": "h", "statement": "s", "measure": "m", "effect": 0.2, "ci_low": 0.1,
             "ci_high": 0.3, "direction": "increase", "min_effect": 0.05, "holds": True}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_a_malformed_input_is_one_line_not_a_traceback(case, runs, sweep_folder, sensitivity_folder, tmp_path):
    which, spoil, says = MALFORMED[case]
    source = {"sweep": sweep_folder, "sensitivity": sensitivity_folder}.get(which) or runs[which]
    folder = tmp_path / "input"
    shutil.copytree(source, folder, ignore=shutil.ignore_patterns("report"))
    spoil(folder)
    code, out, err = cli_run("report", str(folder), "--out", str(tmp_path / "report"))
    assert refused_in_one_line(code, out, err) and says in err, err
    assert not (tmp_path / "report").exists()


@pytest.mark.parametrize(("key", "value"), [("holds", "yes"), ("effect", "big"), ("ci_low", None), ("id", 3),
                                            ("holds", 1), ("min_effect", True)])
def test_a_check_row_of_the_wrong_types_is_one_line(key, value, tmp_path):
    path = tmp_path / "check.json"
    path.write_text(json.dumps([CHECK_ROW, {**CHECK_ROW, key: value}]))
    code, out, err = cli_run("report", str(path), "--out", str(tmp_path / "report"))
    assert refused_in_one_line(code, out, err) and f"row 1: {key} should be" in err, err
    path.write_text(json.dumps([CHECK_ROW]))
    assert cli_run("report", str(path), "--out", str(tmp_path / "report"))[0] == 0


# --------------------------------------------------------------------------- manifests that point elsewhere, or lie

def _outside_copy(folder: Path) -> Path:
    """A byte-for-byte copy of the run's metrics table outside the folder: its sha256 and rows are the
    manifest's, so only where it lies can refuse it."""
    outside = folder.parent / "outside"
    outside.mkdir(exist_ok=True)
    shutil.copy(folder / "metrics.parquet", outside / "metrics.parquet")
    return outside / "metrics.parquet"


def _spoil_file(edit: Callable[[Path], str]) -> Callable[[Path], None]:
    def spoil(folder: Path) -> None:
        file = edit(folder)
        _manifest("files", lambda m: {**m["files"], "metrics": {**m["files"]["metrics"], "file": file}})(folder)
    return spoil


def _link_table(folder: Path) -> None:
    target = _outside_copy(folder)
    (folder / "metrics.parquet").unlink()
    (folder / "metrics.parquet").symlink_to(target)


def _link_folder(folder: Path) -> str:
    _outside_copy(folder)
    (folder / "data").symlink_to(folder.parent / "outside")
    return "data/metrics.parquet"


def _link_manifest(folder: Path) -> None:
    outside = folder.parent / "outside"
    outside.mkdir(exist_ok=True)
    (folder / "manifest.json").rename(outside / "manifest.json")
    (folder / "manifest.json").symlink_to(outside / "manifest.json")


def _truncated(reseal_it: bool) -> Callable[[Path], None]:
    def spoil(folder: Path) -> None:
        rows = json.loads((folder / "manifest.json").read_text())["files"]["metrics"]["rows"]
        pl.read_parquet(folder / "metrics.parquet").head(10).write_parquet(folder / "metrics.parquet")
        if reseal_it:
            reseal(folder, "metrics", rows=rows)     # the hash made to match, the row count left as it was
    return spoil


def _entry(key: str, value: Any) -> Callable[[Path], None]:
    return _manifest("files", lambda m: {**m["files"], "metrics": {**m["files"]["metrics"], key: value}})


#: Issue 19's item 13: manifests whose tables lie outside the folder, or are not what the manifest says.
HOSTILE_MANIFESTS = {
    "an absolute path": (_spoil_file(lambda folder: str(_outside_copy(folder))), "lies outside the folder"),
    "a path that climbs out": (_spoil_file(lambda folder: (_outside_copy(folder), "../outside/metrics.parquet")[1]),
                               "lies outside the folder"),
    "a table that is a link out": (_link_table, "lies outside the folder"),
    "a table under a linked folder": (_spoil_file(_link_folder), "lies outside the folder"),
    "the folder itself": (_spoil_file(lambda folder: "."), "lies outside the folder"),
    "a manifest that is a link out": (_link_manifest, "a link to a file outside the folder"),
    "a truncated table": (_truncated(False), "metrics.parquet: changed since it was written"),
    "a truncated table with its hash forged": (_truncated(True), "holds 10 rows where manifest.json says"),
    "no sha256": (_entry("sha256", None), "gives no sha256 for the 'metrics' table"),
    "a sha256 that is not one": (_entry("sha256", "abc"), "gives no sha256 for the 'metrics' table"),
    "rows as text": (_entry("rows", "many"), "gives no row count for the 'metrics' table"),
}


def refused_untouched(run: Path, spoil: Callable[[Path], None], tmp_path: Path) -> str:
    """``trustsim report`` on a copy of ``run`` spoiled by ``spoil`` (its report where it goes by default):
    refused in one line, with nothing written and nothing left behind; returns the line."""
    folder = tmp_path / "input"
    shutil.copytree(run, folder, ignore=shutil.ignore_patterns("report"))
    spoil(folder)
    before = tree(tmp_path)
    code, out, err = cli_run("report", str(folder))
    assert refused_in_one_line(code, out, err), err
    assert tree(tmp_path) == before
    return err


@pytest.mark.parametrize("case", sorted(HOSTILE_MANIFESTS))
def test_a_table_outside_the_folder_or_unlike_its_manifest_is_refused(case, runs, tmp_path):
    spoil, says = HOSTILE_MANIFESTS[case]
    assert says in refused_untouched(runs["broken"], spoil, tmp_path)


CLIMBS = [".", "..", "input", "outside", "to_outside", "to_input"]


@fuzz(40)
@given(absolute=st.booleans(), parts=st.lists(st.sampled_from(CLIMBS), max_size=4))
@example(absolute=False, parts=["..", "outside"]).via("a path that climbs out")
@example(absolute=False, parts=["to_input", "to_outside"]).via("a link inside that leads out")
@example(absolute=True, parts=["outside"]).via("an absolute path")
@example(absolute=False, parts=["to_input", ".."]).via("a link to the folder, then up")
def test_whatever_a_manifest_names_only_files_inside_the_folder_are_read(absolute, parts, runs, tmp_path_factory):
    root = tmp_path_factory.mktemp("paths")
    folder = root / "input"
    shutil.copytree(runs["broken"], folder, ignore=shutil.ignore_patterns("report"))
    _outside_copy(folder)
    (folder / "to_outside").symlink_to(root / "outside")
    (folder / "to_input").symlink_to(folder)
    file = "/".join([*([str(root)] if absolute else []), *parts, "metrics.parquet"])
    _manifest("files", lambda m: {**m["files"], "metrics": {**m["files"]["metrics"], "file": file}})(folder)
    try:
        found = load(folder)
    except InputError as exc:
        assert "\n" not in str(exc)
        event("refused")
        return
    event("read")
    assert found.table_path("metrics").resolve().is_relative_to(folder.resolve()), file


# --------------------------------------------------------------------------- tables too large to draw

def _longer(table: str, rows: int, days: bool = False) -> Callable[[Path], None]:
    """``table`` repeated to ``rows`` rows (``days``: numbered day 0, 1, ... as a very long run's would be),
    its manifest made to agree."""
    def spoil(folder: Path) -> None:
        path = folder / f"{table}.parquet"
        frame = pl.read_parquet(path)
        frame = pl.concat([frame] * (rows // frame.height + 1)).head(rows)
        if days:
            frame = frame.with_columns(pl.int_range(0, rows, dtype=pl.Int32).alias("day"))
        frame.write_parquet(path)
        reseal(folder, table)
    return spoil


#: Issue 19's item 10, each far smaller than the ten million rows it was found with, but past the bound.
TOO_LARGE = {
    "more days of metrics than a run can last": (_longer("metrics", 100_002, days=True),
                                                 "metrics.parquet: 100,002 rows, and a report takes at most 100,001"),
    "more ties than pairs of agents": (_longer("edges", 200 * 199 + 1),
                                       "edges.parquet: 39,801 rows, and a report takes at most 39,800"),
    "the same ties over and over": (_longer("edges", 20_000), "more than once; a run writes each tie once"),
    "a manifest that says ten million": (_entry("rows", 10_000_000), "10,000,000 rows, and a report takes at most"),
}


@pytest.mark.parametrize("case", sorted(TOO_LARGE))
def test_a_table_too_large_to_draw_is_refused_up_front_with_the_estimate(case, runs, tmp_path):
    spoil, says = TOO_LARGE[case]
    err = refused_untouched(runs["broken"], spoil, tmp_path)       # no report, no staging folder
    assert says in err, err
    assert "rows" not in says or "would take about" in err          # the estimate


def test_a_report_that_cannot_fit_in_memory_is_refused_with_the_estimate(runs, tmp_path, monkeypatch):
    from sim.report import size

    monkeypatch.setattr(size, "available", lambda: 300 << 20)      # a machine with 300 MiB to spare
    before = tree(tmp_path)
    code, out, err = cli_run("report", str(runs["broken"]), str(runs["baseline"]), "--out", str(tmp_path / "r"))
    assert refused_in_one_line(code, out, err), err
    assert "a report of these tables would take about" in err and "300 MiB available" in err, err
    assert tree(tmp_path) == before


def test_the_parameters_table_writes_values_as_set_takes_them() -> None:
    """The table printed True where --set needs true (and a list without its brackets)."""
    from sim.report.sections import flatten

    assert flatten({"trust": {"on": True, "off": False}, "archetypes": {"flaky": {"reliability": [0.2, 0.4]}}}) == [
        ("trust.on", "true"), ("trust.off", "false"), ("archetypes.flaky.reliability", "[0.2, 0.4]")]
