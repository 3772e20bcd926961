"""Hypotheses (``trustsim check --json``): each one's effect with its 95% interval, one line each, the
region where it would hold shaded and the verdict beside it; one figure per scenario.

Effects are in their own measure's units (a share of trust, a count of followers, a ratio), so each line
has its own scale: one shared axis would flatten all but the largest.
"""

from __future__ import annotations

import math
from html import escape

import polars as pl
from matplotlib.figure import Figure

from .. import palette
from . import style
from .chart import Chart, statement_label
from .inputs import Check
from .page import Markup, Page, Section, table
from .sections import footer

COLUMNS = {"scenario": pl.String, "id": pl.String, "statement": pl.String, "measure": pl.String,
           "effect": pl.Float64, "ci_low": pl.Float64, "ci_high": pl.Float64, "direction": pl.String,
           "min_effect": pl.Float64, "holds": pl.Boolean}


def number(value: object) -> float:
    """A JSON number (None for NaN) as a float, NaN when absent."""
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else math.nan


def check_frame(check: Check) -> pl.DataFrame:
    """The rows as a typed table, in the order given (the numbers as floats, NaN where unknown)."""
    columns = {name: [number(r[name]) if dtype == pl.Float64 else r[name] for r in check.rows]
               for name, dtype in COLUMNS.items()}
    return pl.DataFrame(columns, schema=COLUMNS).with_columns(pl.col(pl.Float64).fill_null(float("nan")))


def _holds_region(direction: str, size: float) -> tuple[float, float]:
    if direction == "higher":
        return size, math.inf
    if direction == "lower":
        return -math.inf, -size
    return -size, size


def draw_check(frame: pl.DataFrame, title: str) -> Figure:
    """One line per hypothesis, under its statement: the interval as a bar (green: holds, vermillion: does not), the effect as
    a dot, zero as a thin line, and the region where it would hold shaded."""
    rows = frame.height
    labels = [statement_label(row["statement"], row["id"], 105) for row in frame.iter_rows(named=True)]
    height = 0.78 * rows + 0.3 * sum(label.count("\n") + 1 for label in labels) + 1.6
    fig, axes = style.new(rows, 1, figsize=(style.SLIDE[0], max(3.6, height)))
    for ax, row, label in zip(axes[:, 0], frame.iter_rows(named=True), labels, strict=True):
        effect, low, high, size = row["effect"], row["ci_low"], row["ci_high"], row["min_effect"]
        color = palette.KEPT if row["holds"] else palette.BROKEN
        known = [v for v in (effect, low, high, size, -size if row["direction"] != "higher" else 0.0, 0.0)
                 if math.isfinite(v)]
        left, right = min(known), max(known)
        pad = (right - left) * 0.15 or 0.05
        left, right = left - pad, right + pad
        start, stop = _holds_region(row["direction"], size)
        ax.axvspan(max(start, left), min(stop, right), color=palette.KEPT, alpha=0.13, lw=0)
        ax.axvline(0, color="#666666", lw=1)
        if math.isfinite(low) and math.isfinite(high):
            ax.hlines(0, low, high, color=color, lw=7)
        if math.isfinite(effect):
            ax.plot([effect], [0], "o", color="white", markeredgecolor="#222222", markersize=10, mew=1.6)
        ax.set_xlim(left, right)
        ax.set_ylim(-1, 1)
        ax.set_yticks([])
        ax.grid(False)
        ax.spines[["left"]].set_visible(False)
        ax.tick_params(axis="x", labelsize=11)
        ax.set_title(label, loc="left", fontsize=13)       # the statement, in the scenario's own words
        verdict = "holds" if row["holds"] else "does not hold"
        interval = f"{effect:+.3g} [{low:+.3g}, {high:+.3g}]" if math.isfinite(low) else "n/a"
        ax.text(1.01, 0.5, f"{verdict}\n{interval}", transform=ax.transAxes, ha="left", va="center",
                fontsize=12, color=color, fontweight="bold")
    fig.suptitle(title, fontsize=17)
    return fig


def check_charts(check: Check) -> list[Chart]:
    frame = check_frame(check)
    charts = []
    for scenario in frame["scenario"].unique(maintain_order=True).to_list():
        mine = frame.filter(pl.col("scenario") == scenario)
        held = int(mine["holds"].sum())
        title = f"{scenario}: {held} of {mine.height} hypotheses hold (effect, 95% interval; shaded: where it would hold)"
        charts.append(Chart(
            f"hypotheses-{scenario}", f"Hypotheses of {scenario}",
            f"{held} of {mine.height} hold. Each hypothesis's paired effect (this scenario minus its comparison) "
            "with its 95% confidence interval, on its own measure's scale; it holds when the whole interval "
            "lies in the shaded region (beyond the minimal effect in the stated direction).",
            ("check --json",), {"": mine}, lambda d, title=title: draw_check(d[""], title)))
    return charts


def check_page(check: Check) -> Page:
    frame = check_frame(check)
    held = int(frame["holds"].sum())

    def verdict(holds: bool) -> Markup:
        return Markup('<span class="holds">holds</span>' if holds else '<span class="fails">does not hold</span>')

    rows = [(r["scenario"], Markup(f"<strong>{escape(r['id'])}</strong>: {escape(r['statement'])}"), r["measure"],
             f"{r['effect']:+.3f} [{r['ci_low']:+.3f}, {r['ci_high']:+.3f}]" if math.isfinite(r["ci_low"]) else "n/a",
             (f"within ±{r['min_effect']:g}" if r["direction"] == "within"
              else f"{r['direction']} by > {r['min_effect']:g}"), verdict(r["holds"]))
            for r in frame.iter_rows(named=True)]
    summary = Section("Every hypothesis", table(("scenario", "hypothesis", "measure", "effect [95% CI]", "wanted",
                                                 "verdict"), rows))
    return Page(check.name.capitalize(), f"{held} of {frame.height} hypotheses hold ({escape(str(check.path))}).",
                check_charts(check), before=[summary], footer=footer([check]))
