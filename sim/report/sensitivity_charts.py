"""A sensitivity analysis (``trustsim sensitivity --out``): each measure's indices per parameter as bars with
their 95% intervals, and, with ``--hypothesis``, where in the parameter box the hypothesis holds.

Drawn from the analysis's ``indices`` table (SALib's numbers, as written) and, for the hypothesis, its
``hypothesis`` and ``deciders`` tables.
"""

from __future__ import annotations

from html import escape

import numpy as np
import polars as pl
from matplotlib.figure import Figure

from .. import palette
from . import style
from .chart import MEASURES, Chart, statement_label, words
from .inputs import Sensitivity
from .page import Page, Section, table
from .sections import footer, measures_section

#: (index, its interval's half-width, how the legend names it) per method; the first is the ranking one.
BARS = {"morris": (("mu_star", "mu_star_conf", "μ* (mean size of the elementary effects)"),),
        "sobol": (("ST", "ST_conf", "ST (total effect)"), ("S1", "S1_conf", "S1 (first order)"))}
COLORS = (palette.OKABE_ITO["blue"], palette.OKABE_ITO["orange"])


def indices_data(frame: pl.DataFrame, method: str) -> pl.DataFrame:
    """Per measure and parameter: the indices drawn and their interval half-widths."""
    columns = [c for index, conf, _ in BARS[method] for c in (index, conf)]
    return frame.select("measure", "parameter", *columns)


def draw_indices(frame: pl.DataFrame, method: str, parameters: list[str], title: str) -> Figure:
    """One panel per measure: a horizontal bar per parameter (the same order in every panel), with the
    95% interval as an error bar; Sobol' draws ST and S1 side by side."""
    names = [m for m in MEASURES if m in set(frame["measure"].to_list())]
    columns = 4 if len(names) > 6 else min(len(names), 3)
    rows = -(-len(names) // columns)
    fig, axes = style.new(rows, columns, sharey=True)
    bars = BARS[method]
    height = 0.8 / len(bars)
    y = np.arange(len(parameters))
    for ax, name in zip(axes.flat, names, strict=False):
        part = frame.filter(pl.col("measure") == name)
        lookup = {row["parameter"]: row for row in part.iter_rows(named=True)}
        for k, ((index, conf, label), color) in enumerate(zip(bars, COLORS, strict=False)):
            values = np.array([_number(lookup.get(p, {}).get(index)) for p in parameters])
            errors = np.array([_number(lookup.get(p, {}).get(conf)) for p in parameters])
            ax.barh(y + (k - (len(bars) - 1) / 2) * height, values, height=height, xerr=errors, color=color,
                    capsize=3, label=label, error_kw={"lw": 1.2})
        ax.set_title(words(name), fontsize=14)
        ax.set_yticks(y, parameters, fontsize=11)
        ax.axvline(0, color="#444444", lw=0.8)
        ax.tick_params(axis="x", labelsize=10)
        if method == "morris" and MEASURES[name].count:      # mu* is in the measure's unit; S1 and ST are shares
            ax.set_xlabel(MEASURES[name].unit, fontsize=10)
    axes.flat[0].invert_yaxis()      # the y axis is shared: invert it once, so the first parameter is on top
    for index, ax in enumerate(axes.flat):
        ax.set_visible(index < len(names))
    fig.suptitle(title)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=len(labels))
    return fig


def _number(value: object) -> float:
    return float(value) if isinstance(value, int | float) and value == value else 0.0


def draw_holds(frame: pl.DataFrame, x: str, y: str, title: str) -> Figure:
    """Each sample point in the plane of the two deciding parameters, marked by whether the hypothesis holds."""
    fig, axes = style.new()
    ax = axes[0, 0]
    for holds, color, marker, label in ((True, palette.OKABE_ITO["bluish_green"], "o", "holds"),
                                        (False, palette.OKABE_ITO["vermillion"], "X", "does not hold")):
        part = frame.filter(pl.col("holds") == holds)
        ax.scatter(part[x].to_numpy(), part[y].to_numpy(), s=70, color=color, marker=marker, label=label,
                   edgecolor="white", linewidth=0.6)
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    ax.set_title(title)
    ax.legend(loc="best")
    return fig


def sensitivity_charts(analysis: Sensitivity) -> list[Chart]:
    method = analysis.manifest["method"]
    parameters = [p["key"] for p in analysis.manifest["params"]]
    frame = analysis.read("indices")
    charts: list[Chart] = []
    if frame.height:
        named = "Morris μ*" if method == "morris" else "Sobol' ST and S1"
        charts.append(Chart(
            "indices", f"{named} per measure and parameter",
            f"{analysis.name}. For each network measure (its final value, averaged over "
            f"{analysis.manifest.get('replicates', '?')} replicates per sample point), how much it depends on "
            "each parameter, computed by SALib from the runs table; the error bars are SALib's 95% intervals.",
            ("indices",), {"": indices_data(frame, method)},
            lambda d: draw_indices(d[""], method, parameters, f"{named} (95% intervals)")))
    if analysis.has("hypothesis") and analysis.has("deciders"):
        verdicts = analysis.read("hypothesis")
        deciders = analysis.read("deciders").sort("rank")
        if verdicts.height and len(parameters) >= 2 and deciders.height >= 2:
            x, y = deciders["parameter"][0], deciders["parameter"][1]
            hypothesis = analysis.manifest.get("hypothesis", {}) or {}
            statement, name = str(hypothesis.get("statement", "")), str(hypothesis.get("id", "?"))
            title = f"Where it holds: “{statement_label(statement, name, 70)}”"
            charts.append(Chart(
                "hypothesis", f"Where it holds: “{statement_label(statement, name, 100, lines=1)}”",
                f"Every sample point, placed by the two parameters that decide the hypothesis most ({x}, {y}), "
                "green where it holds and red where it does not.",
                ("hypothesis", "deciders"), {"": verdicts.select("point", x, y, "effect", "ci_low", "ci_high",
                                                                   "holds")},
                lambda d, x=x, y=y, title=title: draw_holds(d[""], x, y, title)))
    return charts


def sensitivity_page(analysis: Sensitivity) -> Page:
    manifest = analysis.manifest
    params = [(p["key"], f"{p['low']:g}", f"{p['high']:g}") for p in manifest["params"]]
    runs = manifest.get("runs", {})
    lead = (f"Scenario {escape(str(manifest.get('scenario', '?')))}, {escape(analysis.method_words)}, "
            f"{escape(str(manifest.get('replicates', '?')))} replicates per sample point "
            f"({escape(str(runs.get('finished', '?')))} of {escape(str(runs.get('planned', '?')))} runs finished), "
            f"base seed {escape(str(manifest.get('base_seed', '?')))}.")
    before = [Section("The parameter box", table(("parameter", "low", "high"), params))]
    if not analysis.read("indices").height:
        before.append(Section("Indices", "<p>None yet: indices need every run; run the same "
                              "<code>trustsim sensitivity</code> command again to finish it.</p>"))
    if analysis.has("hypothesis"):
        verdicts = analysis.read("hypothesis")
        if verdicts.height:
            holds = int(verdicts["holds"].sum())
            hypothesis = manifest.get("hypothesis", {}) or {}
            deciders = analysis.read("deciders").sort("rank")
            rows = [(r["parameter"], f"{r['rank_biserial']:+.2f}", r["rule"] or "", f"{r['balanced_accuracy']:.2f}"
                     if r["balanced_accuracy"] == r["balanced_accuracy"] else "")
                    for r in deciders.iter_rows(named=True)]
            before.append(Section(
                "Where the hypothesis holds",
                f"<p>“{escape(str(hypothesis.get('statement', hypothesis.get('id', '?'))))}” holds at {holds} of "
                f"{verdicts.height} sample points ({holds / verdicts.height:.0%} of the box).</p>"
                + table(("parameter", "rank-biserial", "rule", "balanced accuracy"), rows)))
    return Page(f"{manifest.get('scenario', '?')}: sensitivity", lead, sensitivity_charts(analysis), before=before,
                after=[measures_section()], footer=footer([analysis]))
