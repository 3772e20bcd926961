"""Two runs, A against B: the one-run figures overlaid (A and B in the palette's two comparison colours,
B also dashed, so the pair survives a grey printout), the difference B - A of every measure, and both
networks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import polars as pl
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from .. import palette
from ..scenario_events import ScenarioEvent
from . import style
from .chart import (
    ARCHETYPE,
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
from .network import network_chart
from .run_charts import ROLLING, commitments_data, followers_data, present
from .sections import flatten

SIDES = ("A", "B")
DASHES = {"A": "-", "B": (0, (6, 2.5))}


def stacked(a: pl.DataFrame, b: pl.DataFrame) -> pl.DataFrame:
    """A's and B's rows of the same table, with a ``run`` column (A or B); columns both have."""
    common = [c for c in a.columns if c in b.columns]
    return pl.concat([a.select(common).with_columns(run=pl.lit("A")), b.select(common).with_columns(run=pl.lit("B"))],
                     how="vertical_relaxed")


def difference(a: pl.DataFrame, b: pl.DataFrame, names: Sequence[str]) -> pl.DataFrame:
    """B - A of each measure on each day both runs sampled."""
    joined = a.select("day", *names).join(b.select("day", *names), on="day", how="inner", suffix="_b")
    return joined.select("day", *[(pl.col(f"{n}_b") - pl.col(n)).alias(n) for n in names]).sort("day")


def _side(ax: Axes, frame: pl.DataFrame, column: str, x: str = "day", **kwargs: object) -> None:
    for index, side in enumerate(SIDES):
        mine = frame.filter(pl.col("run") == side)
        ax.plot(mine[x], mine[column], color=palette.COMPARE_COLORS[index], ls=DASHES[side], **kwargs)


def _legend(fig: Figure, names: dict[str, str], events: Sequence[ScenarioEvent]) -> None:
    handles = [Line2D([], [], color=palette.COMPARE_COLORS[i], ls=DASHES[side], lw=2.2, label=f"{side}: {names[side]}")
               for i, side in enumerate(SIDES)]
    fig.legend(handles=handles + event_handles(events), loc="outside lower center", ncol=2)


def draw_panels(frame: pl.DataFrame, names: Sequence[str], labels: dict[str, str],
                events: Sequence[ScenarioEvent], title: str, *, columns: int = 4, diff: bool = False) -> Figure:
    """One panel per measure: A and B overlaid, or (``diff``) B - A around a zero line."""
    rows = -(-len(names) // columns)
    fig, axes = style.new(rows, columns, sharex=True)
    small = len(names) > 4
    for ax, name in zip(axes.flat, names, strict=False):
        mark_events(ax, events)
        if diff:
            ax.axhline(0, color="#555555", lw=1)
            ax.plot(frame["day"], frame[name], color=palette.MEASURE_COLORS.get(name, palette.EVENT))
        else:
            _side(ax, frame, name)
        ax.set_title(words(name), fontsize=14 if small else 16)
        ax.set_ylabel(unit_label(MEASURES[name]), fontsize=12 if small else 14)
        if MEASURES[name].count:
            thousands(ax)
        if small:
            ax.tick_params(labelsize=11)
        day_axis(ax, frame["day"])
    tidy_grid(axes, len(names), fontsize=12 if small else 14)
    fig.suptitle(title)
    if diff:
        if events:
            fig.legend(handles=event_handles(events), loc="outside lower center", ncol=2)
    else:
        _legend(fig, labels, events)
    return fig


def draw_commitments(frame: pl.DataFrame, labels: dict[str, str], events: Sequence[ScenarioEvent],
                     title: str) -> Figure:
    fig, axes = style.new(1, 2, sharey=True)
    for ax, name in zip(axes[0], ("kept", "broken"), strict=True):
        mark_events(ax, events)
        _side(ax, frame, f"{name}_{ROLLING}day_mean")
        ax.set_title(f"commitments {name} ({ROLLING}-day mean)")
        ax.set_xlabel("day")
        day_axis(ax, frame["day"])
    axes[0, 0].set_ylabel("commitments per day")
    axes[0, 0].set_ylim(bottom=0)
    fig.suptitle(title)
    _legend(fig, labels, events)
    return fig


def draw_reputation(frame: pl.DataFrame, archetypes: Sequence[str], labels: dict[str, str],
                    events: Sequence[ScenarioEvent], title: str, places: dict[str, int] | None = None) -> Figure:
    """One panel per archetype, A and B overlaid. ``places`` gives each archetype its position in its own
    scenario (A's, or B's for one only B has), which decides its colour and mark as in the dashboard."""
    places = places or {name: index for index, name in enumerate(archetypes)}
    columns = min(len(archetypes), 3)
    rows = -(-len(archetypes) // columns)
    fig, axes = style.new(rows, columns, sharex=True, sharey=True)
    for ax, name in zip(axes.flat, archetypes, strict=False):
        mark_events(ax, events)
        _side(ax, frame.filter(pl.col("archetype") == name), "reputation")
        place = places[name]
        ax.set_title(f"{palette.archetype_mark(place)} {name}", color=palette.archetype_color(place))
        ax.set_ylim(0, 1)
        day_axis(ax, frame["day"])
    tidy_grid(axes, len(archetypes), fontsize=15)
    for ax in axes[:, 0]:
        ax.set_ylabel(f"mean reputation ({unit_label(ARCHETYPE['reputation'])})")
    fig.suptitle(title)
    _legend(fig, labels, events)
    return fig


def draw_followers(data: dict[str, pl.DataFrame], labels: dict[str, str], events: Sequence[ScenarioEvent],
                   title: str) -> Figure:
    fig, axes = style.new(1, 2)
    left, right = axes[0]
    mark_events(left, events)
    _side(left, data[""], "follower_gini")
    left.set_ylim(0, 1)
    left.set_title("inequality of followers (Gini)")
    left.set_xlabel("day")
    left.set_ylabel(f"Gini coefficient ({unit_label(MEASURES['follower_gini'])})")
    day_axis(left, data[""]["day"])
    right.plot([0, 1], [0, 1], color=palette.EVENT, ls=":", lw=1.5)
    _side(right, data["lorenz"], "share_of_followers", x="share_of_agents")
    right.set_xlim(0, 1)
    right.set_ylim(0, 1)
    right.set_aspect("equal")
    right.set_title("who holds the followers, last day")
    right.set_xlabel("share of agents (fewest followers first)")
    right.set_ylabel("share of all followers")
    fig.suptitle(title)
    _legend(fig, labels, events)
    return fig


def _events(a: RunFolder, b: RunFolder) -> tuple[ScenarioEvent, ...]:
    """The events to mark: A's, and B's too where they differ (named as B's)."""
    mine = tuple(a.events)
    theirs = tuple(replace(e, label=f"B: {e.describe()}") for e in b.events if e not in mine)
    if theirs:
        mine = tuple(replace(e, label=f"A: {e.describe()}") for e in mine)
    return mine + theirs


def compare_charts(a: RunFolder, b: RunFolder) -> list[Chart]:
    """Every chart of an A-against-B report, in page order."""
    labels = {"A": a.name, "B": b.name}
    events = _events(a, b)
    ma, mb = a.table("metrics"), b.table("metrics")
    trust = [n for n in present(ma, TRUST) if n in mb.columns]
    measures = [n for n in present(ma, list(MEASURES)) if n in mb.columns]
    archetypes = list(a.archetypes) + [n for n in b.archetypes if n not in a.archetypes]
    places = {**{n: i for i, n in enumerate(b.archetypes)}, **{n: i for i, n in enumerate(a.archetypes)}}
    fa, fb = followers_data(a), followers_data(b)
    who = f"A: {a.name}; B: {b.name}."
    return [
        Chart("trust", "Trust in the network, A against B",
              f"{who} Mean, generalized and referral trust and trust accuracy, each day.", ("metrics",),
              {"": stacked(ma.select("day", *trust), mb.select("day", *trust))},
              lambda d: draw_panels(d[""], trust, labels, events, "Trust in the network, A against B", columns=2)),
        Chart("measures", "Every network measure, A against B", f"{who} Each measure of the metrics table.",
              ("metrics",), {"": stacked(ma.select("day", *measures), mb.select("day", *measures))},
              lambda d: draw_panels(d[""], measures, labels, events, "Every network measure, A against B")),
        Chart("difference", "The difference, B − A",
              f"{who} Each measure of B minus the same measure of A on the same day (above zero: B is higher).",
              ("metrics",), {"": difference(ma, mb, measures)},
              lambda d: draw_panels(d[""], measures, labels, events, "B − A: each measure of B minus A's, day by day", diff=True)),
        Chart("commitments", "Commitments kept and broken, A against B",
              f"{who} Commitments kept and broken per day ({ROLLING}-day means).", ("metrics",),
              {"": stacked(commitments_data(a), commitments_data(b))},
              lambda d: draw_commitments(d[""], labels, events, "Commitments per day, A against B")),
        Chart("reputation", "Reputation per archetype, A against B",
              f"{who} The mean reputation of each archetype's agents, each day.", ("archetypes",),
              {"": stacked(*(r.table("archetypes").select("day", pl.col("archetype").cast(pl.String), "reputation")
                             for r in (a, b)))},
              lambda d: draw_reputation(d[""], archetypes, labels, events, "Reputation per archetype, A against B",
                                        places)),
        Chart("followers", "Follower inequality, A against B",
              f"{who} The Gini coefficient of follower counts each day, and the Lorenz curve of the last day.",
              ("metrics", "agents"), {"": stacked(fa[""], fb[""]), "lorenz": stacked(fa["lorenz"], fb["lorenz"])},
              lambda d: draw_followers(d, labels, events, "Who is followed, A against B")),
        network_chart(a, "network-a", side="A"),
        network_chart(b, "network-b", side="B"),
    ]


def parameter_differences(a: RunFolder, b: RunFolder) -> list[tuple[str, str, str]]:
    """The resolved parameters in which A and B differ: (key, A's value, B's value)."""
    left = dict(flatten({k: v for k, v in a.manifest["parameters"].items() if k != "hypotheses"}))
    right = dict(flatten({k: v for k, v in b.manifest["parameters"].items() if k != "hypotheses"}))
    keys = sorted(set(left) | set(right))
    return [(k, left.get(k, "—"), right.get(k, "—")) for k in keys if left.get(k) != right.get(k)]
