"""A sweep: each measure against each grid parameter with its 95% confidence interval, and heat maps when
exactly two parameters vary. Drawn from the sweep's ``summary`` table (per grid point: each measure's
mean and its t interval over the replicates)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

import numpy as np
import polars as pl
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure

from .. import palette
from . import style
from .chart import MEASURES, Chart, thousands, tidy_grid, unit_label, words
from .inputs import Sweep
from .page import Page, Section, table
from .sections import footer, measures_section

#: Series of another parameter's values take the palette's colours in this order.
SERIES = tuple(palette.OKABE_ITO[name] for name in ("blue", "orange", "bluish_green", "vermillion",
                                                     "reddish_purple", "sky_blue", "grey"))


def summary(sweep: Sweep) -> pl.DataFrame:
    return sweep.read("summary")


def measures_in(frame: pl.DataFrame) -> list[str]:
    """The measures the summary has intervals for, in the order of :data:`sim.measures.NETWORK_MEASURES`."""
    return [m for m in MEASURES if f"{m}_mean" in frame.columns and f"{m}_ci_low" in frame.columns]


def positions(values: pl.Series) -> tuple[np.ndarray, list[str] | None]:
    """x positions of a grid key's values: the numbers themselves, or 0, 1, ... for text and booleans."""
    if values.dtype.is_numeric():
        return values.cast(pl.Float64).to_numpy(), None
    levels = values.cast(pl.String).unique(maintain_order=True).to_list()
    lookup = {level: i for i, level in enumerate(levels)}
    return np.array([lookup[v] for v in values.cast(pl.String).to_list()], dtype=float), levels


def against_data(frame: pl.DataFrame, key: str, others: Sequence[str], names: Sequence[str]) -> pl.DataFrame:
    """Per grid point: the key, the other varying keys, and each measure's mean and interval."""
    columns = [c for m in names for c in (f"{m}_mean", f"{m}_ci_low", f"{m}_ci_high")]
    return frame.select(key, *others, "replicates", *columns).sort(*others, key)


def draw_against(frame: pl.DataFrame, key: str, others: Sequence[str], names: Sequence[str], title: str) -> Figure:
    """One panel per measure: its mean at each value of ``key`` with the 95% interval as error bars; one
    series per combination of the other varying keys."""
    columns = 4 if len(names) > 6 else min(len(names), 3)
    rows = -(-len(names) // columns)
    fig, axes = style.new(rows, columns, sharex=True)
    groups = frame.partition_by(list(others), maintain_order=True, as_dict=True) if others else {(): frame}
    x_all, levels = positions(frame[key])
    for ax, name in zip(axes.flat, names, strict=False):
        for index, (group, part) in enumerate(groups.items()):
            x, _ = positions(part[key]) if levels is None else (
                np.array([levels.index(v) for v in part[key].cast(pl.String).to_list()], dtype=float), None)
            mean = part[f"{name}_mean"].to_numpy()
            low, high = part[f"{name}_ci_low"].to_numpy(), part[f"{name}_ci_high"].to_numpy()
            color = palette.MEASURE_COLORS.get(name, SERIES[0]) if not others else SERIES[index % len(SERIES)]
            label = ", ".join(f"{k} = {v}" for k, v in zip(others, group, strict=True)) if others else None
            ax.errorbar(x, mean, yerr=np.vstack([mean - low, high - mean]), color=color, marker="o",
                        markersize=6, capsize=4, lw=1.8, label=label)
        ax.set_title(words(name), fontsize=14)
        ax.set_ylabel(unit_label(MEASURES[name]), fontsize=12)
        ax.tick_params(labelsize=11)
        if MEASURES[name].count:
            thousands(ax)
        if levels is not None:
            ax.set_xticks(range(len(levels)), levels)
        elif len(np.unique(x_all)) <= 8:
            ax.set_xticks(np.unique(x_all))
    tidy_grid(axes, len(names), xlabel=key)
    fig.suptitle(title)
    if others:
        handles, labels = axes.flat[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside lower center", ncol=min(len(labels), 4))
    return fig


def heat_data(frame: pl.DataFrame, keys: Sequence[str], name: str) -> pl.DataFrame:
    return frame.select(*keys, "replicates", f"{name}_mean", f"{name}_ci_low", f"{name}_ci_high").sort(*keys)


def draw_heat(frame: pl.DataFrame, keys: Sequence[str], name: str, title: str) -> Figure:
    """The measure's mean at every pair of values of the two varying keys, each cell also written out
    with its interval; the palette's red-to-blue scale, stretched over this measure's range."""
    ykey, xkey = keys
    xs = frame[xkey].unique(maintain_order=True).to_list()
    ys = frame[ykey].unique(maintain_order=True).to_list()
    grid = np.full((len(ys), len(xs)), np.nan)
    text = [["" for _ in xs] for _ in ys]
    for row in frame.iter_rows(named=True):
        i, j = ys.index(row[ykey]), xs.index(row[xkey])
        grid[i, j] = row[f"{name}_mean"] if row[f"{name}_mean"] is not None else np.nan
        low, high = row[f"{name}_ci_low"], row[f"{name}_ci_high"]
        fmt = "{:,.0f}" if MEASURES[name].count else "{:.3f}"
        interval = f"\n[{fmt.format(low)}, {fmt.format(high)}]" if low is not None and high is not None else ""
        text[i][j] = (fmt.format(grid[i, j]) + interval) if np.isfinite(grid[i, j]) else "n/a"
    cmap = LinearSegmentedColormap.from_list("scale", [color for _, color in palette.REPUTATION_STOPS])
    fig, axes = style.new()
    ax = axes[0, 0]
    image = ax.imshow(grid, cmap=cmap, aspect="auto", origin="lower")
    for i in range(len(ys)):
        for j in range(len(xs)):
            red, green, blue, _ = image.cmap(image.norm(grid[i, j])) if np.isfinite(grid[i, j]) else (1, 1, 1, 1)
            dark = 0.299 * red + 0.587 * green + 0.114 * blue < 0.5     # white text on the dark ends
            ax.text(j, i, text[i][j], ha="center", va="center", fontsize=14 if len(xs) <= 6 else 10,
                    color="white" if dark else "#111111")
    ax.set_xticks(range(len(xs)), [str(v) for v in xs])
    ax.set_yticks(range(len(ys)), [str(v) for v in ys])
    ax.set_xlabel(xkey)
    ax.set_ylabel(ykey)
    ax.grid(False)
    bar = fig.colorbar(image, ax=ax, shrink=0.85)
    bar.set_label(f"{words(name)}, mean ({unit_label(MEASURES[name])})")
    ax.set_title(title)
    return fig


def sweep_charts(sweep: Sweep) -> list[Chart]:
    """Each measure against each varying key; a heat map per measure when exactly two keys vary."""
    frame = summary(sweep)
    names = measures_in(frame)
    varying = [k for k in sweep.varying if k in frame.columns]
    what = f"{sweep.name}: {frame['replicates'].max() or 0} replicates per grid point"
    charts = []
    for key in varying:
        others = [k for k in varying if k != key]
        title = f"Each measure against {key} (mean, 95% interval)"
        charts.append(Chart(
            f"against-{slug(key)}", f"Each measure against {key}",
            f"{what}. Each network measure's final value, averaged over the replicates at each value of {key}, "
            "with its 95% confidence interval (Student's t)"
            + (f"; one line per value of {', '.join(others)}." if others else "."),
            ("summary",), {"": against_data(frame, key, others, names)},
            lambda d, key=key, others=others, title=title: draw_against(d[""], key, others, names, title)))
    if len(varying) == 2:
        for name in names:
            title = f"{words(name).capitalize()} at each grid point (mean, with its 95% interval)"
            charts.append(Chart(
                f"heatmap-{name}", f"Heat map: {words(name)}",
                f"{what}. The final {name} averaged over the replicates at each pair of values of "
                f"{varying[0]} and {varying[1]}; each cell gives the mean and its 95% interval.",
                ("summary",), {"": heat_data(frame, varying, name)},
                lambda d, name=name, title=title: draw_heat(d[""], varying, name, title)))
    return charts


def slug(key: str) -> str:
    """A grid key as a file name part: ``trust.asymmetry`` -> ``trust-asymmetry``."""
    return "".join(c if c.isalnum() else "-" for c in key)


def sweep_page(sweep: Sweep) -> Page:
    frame = summary(sweep)
    grid = [(entry["key"], ", ".join(map(str, entry.get("values", [])))) for entry in sweep.manifest["grid"]]
    runs = sweep.manifest.get("runs", {})
    lead = (f"Scenario {escape(str(sweep.manifest.get('scenario', '?')))}, {len(frame)} grid points, "
            f"{escape(str(sweep.manifest.get('replicates', '?')))} replicates each "
            f"({escape(str(runs.get('finished', '?')))} of {escape(str(runs.get('planned', '?')))} runs finished), "
            f"base seed {escape(str(sweep.manifest.get('base_seed', '?')))}.")
    before = [Section("The grid", table(("key", "values"), grid))]
    if len(sweep.varying) > 2:
        before.append(Section("Heat maps", "<p>Heat maps are drawn when exactly two parameters vary; here "
                              f"{len(sweep.varying)} do.</p>"))
    return Page(f"{sweep.manifest.get('scenario', '?')}: a sweep", lead, sweep_charts(sweep), before=before,
                after=[measures_section()], footer=footer([sweep]))
