"""The charts of one run: trust over time, every network measure, commitments per day, reputation per
archetype, follower inequality (the network picture is in :mod:`.network`).

Each ``*_data`` function selects exactly what its chart draws from the exported tables, with polars; each
``draw_*`` function draws only from that frame. Scenario events are marked on every time axis.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl
from matplotlib.figure import Figure

from .. import palette
from ..scenario_events import ScenarioEvent
from . import style
from .chart import (
    ARCHETYPE,
    DAY,
    MEASURES,
    TRUST,
    Chart,
    day_axis,
    event_handles,
    mark_events,
    thousands,
    tidy_grid,
    unit_label,
    words,
)
from .inputs import RunFolder

ROLLING = 7      # days in the mean drawn over the daily counts


def present(frame: pl.DataFrame, names: Sequence[str]) -> list[str]:
    """The measures of ``names`` that the table has (an older export may lack a newer measure)."""
    return [name for name in names if name in frame.columns]


# ---------------------------------------------------------------- data

def trust_data(run: RunFolder) -> pl.DataFrame:
    metrics = run.table("metrics")
    return metrics.select("day", *present(metrics, TRUST))


def measures_data(run: RunFolder) -> pl.DataFrame:
    metrics = run.table("metrics")
    return metrics.select("day", *present(metrics, list(MEASURES)))


def commitments_data(run: RunFolder) -> pl.DataFrame:
    """Commitments kept and broken per day (the running totals' daily increase), and a 7-day mean."""
    metrics = run.table("metrics")
    span = pl.col("day").diff()
    per_day = {name: (pl.col(f"promises_{name}").diff() / span) for name in ("kept", "broken")}
    return (metrics.select("day", **per_day).slice(1)
            .with_columns(pl.col(name).rolling_mean(ROLLING, min_samples=1).alias(f"{name}_{ROLLING}day_mean")
                          for name in ("kept", "broken")))


def reputation_data(run: RunFolder) -> pl.DataFrame:
    return run.table("archetypes").select("day", "archetype", "reputation")


def followers_data(run: RunFolder) -> dict[str, pl.DataFrame]:
    """Follower inequality three ways: the Gini over time, mean followers per archetype, and the Lorenz
    curve of the last day (at most 501 points, evenly spaced in rank)."""
    followers = run.read("agents", ["followers"]).get_column("followers").sort()
    n = followers.len()
    total = max(int(followers.sum()), 1)
    steps = min(n, 500)
    ranks = pl.int_range(0, steps + 1, eager=True) * n // max(steps, 1)
    cumulative = pl.concat([pl.Series([0], dtype=pl.Int64), followers.cast(pl.Int64).cum_sum()])
    lorenz = pl.DataFrame({"share_of_agents": ranks / max(n, 1),
                           "share_of_followers": cumulative.gather(ranks) / total})
    return {"": run.table("metrics").select("day", "follower_gini"),
            "archetypes": run.table("archetypes").select("day", "archetype", "followers_mean"),
            "lorenz": lorenz}


# ---------------------------------------------------------------- drawing

def draw_trust(frame: pl.DataFrame, events: Sequence[ScenarioEvent], title: str) -> Figure:
    fig, axes = style.new()
    ax = axes[0, 0]
    mark_events(ax, events, labels=True)
    for name in frame.columns[1:]:
        ax.plot(frame["day"], frame[name], color=palette.MEASURE_COLORS[name], label=words(name))
    low = min(0.0, *(float(frame[name].min() or 0.0) for name in frame.columns[1:]))
    ax.set_ylim(low, 1.0)
    ax.set_xlabel(DAY)
    ax.set_ylabel("0–1 (accuracy: rank correlation)")
    day_axis(ax, frame["day"])
    ax.set_title(title, pad=40 if events else 6)
    fig.legend(loc="outside lower center", ncol=4)
    return fig


def draw_measures(frame: pl.DataFrame, events: Sequence[ScenarioEvent], title: str) -> Figure:
    names = frame.columns[1:]
    columns = 4
    rows = -(-len(names) // columns)
    # Each panel names its measure and, below in the same title, its unit: a y label per panel crowds the
    # next column at 16:9. Past three rows the figure grows taller (still 1920 pixels wide).
    height = style.SLIDE[1] + 1.7 * max(0, rows - 3)
    fig, axes = style.new(rows, columns, sharex=True, figsize=(style.SLIDE[0], height))
    for ax, name in zip(axes.flat, names, strict=False):
        mark_events(ax, events)
        ax.plot(frame["day"], frame[name], color=palette.MEASURE_COLORS.get(name, palette.EVENT))
        unit = unit_label(MEASURES[name])
        ax.set_title(f"{words(name)}\n({'count' if unit == words(name) else unit})", fontsize=13, linespacing=1.25)
        if MEASURES[name].count:
            thousands(ax)
        ax.tick_params(labelsize=11)
        day_axis(ax, frame["day"])
    tidy_grid(axes, len(names))
    fig.suptitle(title)
    if events:
        fig.legend(handles=event_handles(events), loc="outside lower center", ncol=min(len(events), 2))
    return fig


def draw_commitments(frame: pl.DataFrame, events: Sequence[ScenarioEvent], title: str) -> Figure:
    fig, axes = style.new()
    ax = axes[0, 0]
    mark_events(ax, events, labels=True)
    for name, color in (("kept", palette.KEPT), ("broken", palette.BROKEN)):
        ax.plot(frame["day"], frame[name], color=color, lw=1.0, alpha=0.35)
        ax.plot(frame["day"], frame[f"{name}_{ROLLING}day_mean"], color=color, lw=2.6,
                label=f"{name} ({ROLLING}-day mean; thin: each day)")
    ax.set_ylim(bottom=0)
    ax.set_xlabel(DAY)
    ax.set_ylabel("commitments per day")
    day_axis(ax, frame["day"])
    ax.set_title(title, pad=40 if events else 6)
    fig.legend(loc="outside lower center", ncol=2)
    return fig


def draw_reputation(frame: pl.DataFrame, archetypes: Sequence[str], events: Sequence[ScenarioEvent],
                    title: str) -> Figure:
    fig, axes = style.new()
    ax = axes[0, 0]
    mark_events(ax, events, labels=True)
    every = max(1, frame["day"].n_unique() // 12)
    for index, name in enumerate(archetypes):
        mine = frame.filter(pl.col("archetype").cast(pl.String) == name)
        ax.plot(mine["day"], mine["reputation"], color=palette.archetype_color(index),
                marker=style.archetype_marker(index), markevery=every, markersize=9, label=name)
    ax.set_ylim(0, 1)
    ax.set_xlabel(DAY)
    ax.set_ylabel(f"mean reputation ({unit_label(ARCHETYPE['reputation'])})")
    day_axis(ax, frame["day"])
    ax.set_title(title, pad=40 if events else 6)
    fig.legend(loc="outside lower center", ncol=len(archetypes), title="archetype")
    return fig


def draw_followers(data: dict[str, pl.DataFrame], archetypes: Sequence[str], events: Sequence[ScenarioEvent],
                   title: str) -> Figure:
    gini, means, lorenz = data[""], data["archetypes"], data["lorenz"]
    fig, axes = style.new(1, 3)
    left, middle, right = axes[0]
    mark_events(left, events)
    left.plot(gini["day"], gini["follower_gini"], color=palette.POPULATION)
    left.set_ylim(0, 1)
    left.set_title("inequality (Gini)")
    left.set_ylabel(f"Gini coefficient ({unit_label(MEASURES['follower_gini'])})")
    mark_events(middle, events)
    every = max(1, means["day"].n_unique() // 8)
    for index, name in enumerate(archetypes):
        mine = means.filter(pl.col("archetype").cast(pl.String) == name)
        middle.plot(mine["day"], mine["followers_mean"], color=palette.archetype_color(index),
                    marker=style.archetype_marker(index), markevery=every, markersize=8, label=name)
    middle.set_title("mean followers per archetype")
    middle.set_ylabel(unit_label(ARCHETYPE["followers_mean"]))
    middle.set_ylim(bottom=0)
    for ax in (left, middle):
        ax.set_xlabel("day")
        day_axis(ax, gini["day"])
    right.plot([0, 1], [0, 1], color=palette.EVENT, ls=":", lw=1.5, label="all equal")
    right.plot(lorenz["share_of_agents"], lorenz["share_of_followers"],
               color=palette.POPULATION, label="last day")
    right.set_xlim(0, 1)
    right.set_ylim(0, 1)
    right.set_aspect("equal")
    right.set_title("who holds the followers")
    right.set_xlabel("share of agents\n(fewest followers first)")
    right.set_ylabel("share of all followers")
    right.legend(loc="upper left")
    fig.suptitle(title)
    handles, labels = middle.get_legend_handles_labels()
    fig.legend(handles + event_handles(events), labels + [h.get_label() for h in event_handles(events)],
               loc="outside lower center", ncol=len(archetypes) + len(events), title=None)
    return fig


# ---------------------------------------------------------------- the charts

def run_charts(run: RunFolder) -> list[Chart]:
    """Every chart of a one-run report, in page order (the network picture comes from :mod:`.network`)."""
    events, archetypes, name = run.events, run.archetypes, run.name
    return [
        Chart("trust", "Trust in the network",
              f"{name}. Mean functional trust over all ties, generalized trust (in strangers), referral "
              "trust (in recommendations) and trust accuracy (does reputation rank agents as their true "
              "reliability does?), each day; scenario events marked.",
              ("metrics",), {"": trust_data(run)},
              lambda d: draw_trust(d[""], events, "Trust in the network")),
        Chart("measures", "Every network measure",
              f"{name}. Each network measure of the metrics table, one panel each (the measures are "
              "described under 'Measures' below); running totals say so on their axis.",
              ("metrics",), {"": measures_data(run)},
              lambda d: draw_measures(d[""], events, "Every network measure, day by day")),
        Chart("commitments", "Commitments kept and broken",
              f"{name}. Commitments kept and broken each day (the daily increase of the running totals "
              f"promises_kept and promises_broken), with a {ROLLING}-day mean.",
              ("metrics",), {"": commitments_data(run)},
              lambda d: draw_commitments(d[""], events, "Commitments kept and broken per day")),
        Chart("reputation", "Reputation per archetype",
              f"{name}. The mean reputation of each archetype's agents (the mean trust placed in them, "
              "among agents anyone holds an opinion of), each day.",
              ("archetypes",), {"": reputation_data(run)},
              lambda d: draw_reputation(d[""], archetypes, events, "Reputation per archetype")),
        Chart("followers", "Follower inequality",
              f"{name}. The Gini coefficient of follower counts each day, mean followers per agent of each "
              "archetype, and the Lorenz curve of the last day (the further below the diagonal, the more "
              "a few hold the following).",
              ("metrics", "archetypes", "agents"), followers_data(run),
              lambda d: draw_followers(d, archetypes, events, "Who is followed")),
    ]
