"""The picture of the trust network: a fixed sample of agents, laid out by networkx, nodes coloured by
reputation and marked by archetype, ties coloured by the trust their holder places in the other.

A large run cannot be drawn whole (10,000 agents make a grey disc), so the picture shows the agents a
seeded random walk over the final ties meets first: a connected piece of the network with its hubs and
its fringe, where a uniform sample would show isolated dots. The walk and the layout are seeded with the
run's seed, so the same run always gives the same picture.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import polars as pl
from matplotlib.cm import ScalarMappable
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from .. import palette
from . import style
from .chart import Chart
from .inputs import RunFolder

SAMPLE = 300        # agents in the picture: enough to see structure, few enough to see each one
RESTART = 0.15      # chance per step that the walk starts again from an agent it met (so it is not one chain)


def neighbours(edges: pl.DataFrame, agents: int) -> tuple[np.ndarray, np.ndarray]:
    """Undirected adjacency as CSR arrays (row offsets, neighbour ids) over the final ties."""
    source = edges["source"].to_numpy().astype(np.int64)
    target = edges["target"].to_numpy().astype(np.int64)
    left, right = np.concatenate([source, target]), np.concatenate([target, source])
    order = np.argsort(left, kind="stable")
    offsets = np.concatenate([[0], np.cumsum(np.bincount(left, minlength=agents))])
    return offsets, right[order]


def sample_agents(edges: pl.DataFrame, agents: int, seed: int, size: int = SAMPLE) -> np.ndarray:
    """The agents the picture shows, sorted: all of them in a small run, else a seeded random walk's.

    Now and then (:data:`RESTART`) the walk starts again from an agent it has already met, so the
    sample spreads from many places yet stays one connected piece (an isolated dot would push the rest
    of the layout into a corner); it jumps to a random agent only from one with no ties at all.
    """
    if agents <= size:
        return np.arange(agents)
    offsets, ids = neighbours(edges, agents)
    rng = np.random.default_rng(seed)
    current = int(rng.integers(agents))
    seen = {current: None}          # a dict keeps the order agents were met in
    met = [current]
    for _ in range(size * 200):     # bounded: a walk on a graph of isolated agents still ends
        if len(seen) >= size:
            break
        start, stop = offsets[current], offsets[current + 1]
        if stop == start:
            current = int(rng.integers(agents))
        elif rng.random() < RESTART:
            current = met[int(rng.integers(len(met)))]
        else:
            current = int(ids[start + rng.integers(stop - start)])
        if current not in seen:
            seen[current] = None
            met.append(current)
    return np.sort(np.fromiter(seen, dtype=np.int64))


def layout(nodes: np.ndarray, ties: pl.DataFrame, seed: int) -> np.ndarray:
    """Positions (one row per node, in ``nodes`` order) from networkx's spring layout, seeded."""
    graph = nx.Graph()
    graph.add_nodes_from(nodes.tolist())
    graph.add_edges_from(zip(ties["source"].to_list(), ties["target"].to_list(), strict=True))
    positions = nx.spring_layout(graph, seed=seed, iterations=100)
    return np.array([positions[node] for node in nodes.tolist()])


def network_data(run: RunFolder) -> dict[str, pl.DataFrame]:
    """The sampled agents with their positions, archetype, reputation and followers, and their ties."""
    agents = run.read("agents", ["agent", "archetype", "reputation", "followers"])
    edges = run.read("edges", ["source", "target", "trust"])
    seed = run.scenario.simulation.seed
    nodes = sample_agents(edges, agents.height, seed)
    chosen = pl.DataFrame({"agent": nodes}, schema={"agent": pl.Int32})
    ties = (edges.join(chosen, left_on="source", right_on="agent", how="semi")
            .join(chosen, left_on="target", right_on="agent", how="semi").sort("source", "target"))
    xy = layout(nodes, ties, seed)
    frame = (chosen.with_columns(x=xy[:, 0], y=xy[:, 1])
             .join(agents, on="agent", how="left").select("agent", "archetype", "reputation", "followers", "x", "y"))
    return {"": frame, "ties": ties}


def draw_network(data: dict[str, pl.DataFrame], archetypes: tuple[str, ...], title: str) -> Figure:
    """Ties first (thin, coloured by trust), then agents (coloured by reputation, shaped by archetype,
    sized by followers), a colour bar for the reputation scale and a legend for the marks."""
    nodes, ties = data[""], data["ties"]
    fig, axes = style.new()
    ax = axes[0, 0]
    cmap, norm = style.reputation_colormap()
    position = {agent: (x, y) for agent, x, y in nodes.select("agent", "x", "y").iter_rows()}
    segments = [(position[s], position[t]) for s, t in ties.select("source", "target").iter_rows()]
    ax.add_collection(LineCollection(segments, colors=cmap(norm(ties["trust"].to_numpy())), linewidths=0.9,
                                     alpha=0.55, zorder=1))
    followers = nodes["followers"].fill_null(0).to_numpy().astype(float)
    sizes = 28 + 420 * np.sqrt(followers / max(followers.max(), 1.0))
    handles = []
    for index, name in enumerate(archetypes):
        mine = (nodes["archetype"].cast(pl.String) == name).to_numpy()
        if not mine.any():
            continue
        marker = style.archetype_marker(index)
        ax.scatter(nodes["x"].to_numpy()[mine], nodes["y"].to_numpy()[mine], s=sizes[mine], marker=marker,
                   c=nodes["reputation"].fill_null(float("nan")).to_numpy()[mine], cmap=cmap, norm=norm,
                   plotnonfinite=True, edgecolors="#222222", linewidths=0.7, zorder=2)
        handles.append(Line2D([], [], ls="", marker=marker, markersize=12, markerfacecolor="#bbbbbb",
                              markeredgecolor="#222222", label=name))
    if nodes["reputation"].is_null().any():
        handles.append(Line2D([], [], ls="", marker="o", markersize=12, markerfacecolor=palette.UNKNOWN,
                              markeredgecolor="#222222", label="no opinion of it yet"))
    ax.axis("off")       # positions mean nothing but closeness: no axes, and the layout fills the slide
    ax.set_title(title)
    bar = fig.colorbar(ScalarMappable(norm, cmap), ax=ax, shrink=0.8, extend="both", pad=0.01)
    bar.set_label("an agent's reputation, a tie's trust (0–1)")
    ax.legend(handles=handles, title="archetype (size: followers)", loc="upper left", bbox_to_anchor=(0.0, 1.0))
    return fig


def network_chart(run: RunFolder, name: str = "network", side: str = "") -> Chart:
    """The network picture of one run (``side``: "A" or "B" when two are compared)."""
    data = network_data(run)
    shown, total = data[""].height, run.read("agents", ["agent"]).height
    day = run.manifest.get("day", "?")
    sample = f"all {total:,} agents" if shown == total else f"{shown:,} of {total:,} agents"
    title = f"{side + ': ' if side else ''}the trust network on day {day}: {sample}"
    title = title[0].upper() + title[1:]
    archetypes = run.archetypes
    caption = (f"{side + ': ' if side else ''}{run.name}. Agents are coloured by reputation (the mean trust placed in them; grey: nobody "
               "holds an opinion of them yet), shaped by archetype and sized by followers; each tie is "
               "coloured by the trust its holder places in the other. "
               + ("" if shown == total else f"A fixed sample: the first {shown} agents a random walk over the "
                  f"ties meets (seeded with the run's seed, {run.scenario.simulation.seed}), with the ties among "
                  "them; a walk meets well-connected agents more often than their share. ")
               + "Layout: networkx's spring layout, seeded.")
    return Chart(name, title, caption, ("agents", "edges"), data,
                 lambda frames: draw_network(frames, archetypes, title))
