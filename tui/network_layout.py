"""The network picture's geometry: which agents to show, where they sit, and which terminal cells the ties
cross. No widgets here: plain functions and one small class, so each part is tested alone.

- :func:`snowball` picks a fixed, connected sample of a large run (a uniform sample of a sparse network
  would show almost no ties), on the simulation thread, once per run;
- :func:`neighbourhood` picks an agent and its strongest ties, for the inspector;
- :class:`Layout` places the nodes with networkx's spring layout, seeded, and computes again only when the
  set of nodes changes, warm-started: nodes already placed stay exactly where they were;
- :func:`rasterize` turns positions and ties into a grid of braille dots (2 × 4 per cell, so lines read
  as lines) with the mean trust of the ties through each cell, and a cell per node.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sim import Simulation

SAMPLE_SIZE = 60             # nodes in the Network tab's sample of a large run
NEIGHBOURS = 36              # most neighbours drawn around an inspected agent
BRANCHING = 3                # new neighbours each sampled agent brings in, per round of the snowball
LAYOUT_SEED = 7

#: Braille dot bits by (row 0-3, column 0-1) inside a cell (Unicode U+2800 block).
BRAILLE_BITS = np.array([[0x01, 0x08], [0x02, 0x10], [0x04, 0x20], [0x40, 0x80]], dtype=np.uint8)


@dataclass(frozen=True, eq=False)
class Ties:
    """What one read on the simulation thread returns: the nodes shown and the live ties among them."""

    nodes: np.ndarray            # agent ids, sorted
    source: np.ndarray           # index into nodes
    target: np.ndarray
    trust: np.ndarray
    day: int
    population: int              # agents in the run, for the title
    centre: int = -1             # the inspected agent, for a neighbourhood

    @property
    def count(self) -> int:
        return len(self.source)


def _ties(sim: Simulation, nodes: np.ndarray, centre: int = -1) -> Ties:
    found = sim.ties_of(nodes, among=True)
    return Ties(nodes, np.searchsorted(nodes, found["source"]), np.searchsorted(nodes, found["target"]),
                found["trust"], sim.day, sim.population.size, centre)


def snowball(sim: Simulation, size: int = SAMPLE_SIZE, seed: int = LAYOUT_SEED) -> np.ndarray:
    """A connected sample of ``size`` agents (every agent if there are no more): a random agent to start,
    then in rounds each newly sampled agent brings in up to :data:`BRANCHING` of its neighbours not sampled
    yet (a snowball, so the picture shows ties: a uniform sample of a sparse network has almost none). A
    round that finds none starts again from a random agent. Sorted ids. Call on the simulation thread."""
    people = sim.population.size
    if people <= size:
        return np.arange(people)
    rng = np.random.default_rng(seed)
    frontier = rng.integers(people, size=1)
    chosen = set(frontier.tolist())
    while len(chosen) < size:
        ties = sim.ties_of(frontier)
        brought: list[int] = []
        for agent in frontier.tolist():
            mine = np.concatenate((ties["target"][ties["source"] == agent], ties["source"][ties["target"] == agent]))
            fresh = [a for a in np.unique(mine).tolist() if a not in chosen and a not in brought]
            picked = rng.permutation(fresh)[:BRANCHING].tolist() if fresh else []
            brought.extend(picked[: size - len(chosen) - len(brought)])
        if not brought:
            rest = np.setdiff1d(np.arange(people), np.fromiter(chosen, dtype=np.int64))
            brought = [int(rng.choice(rest))]
        chosen.update(brought)
        frontier = np.array(brought, dtype=np.int64)
    return np.array(sorted(chosen), dtype=np.int64)


def read_sample(sim: Simulation, sample: np.ndarray | None) -> Ties:
    """The sample's ties now; ``sample=None`` chooses the sample (once per run)."""
    return _ties(sim, snowball(sim) if sample is None else sample)


def neighbourhood(sim: Simulation, agent: int, limit: int = NEIGHBOURS) -> Ties:
    """``agent``, the agents it has a tie with either way (the ``limit`` with the most evidence, when it has
    more), and the ties among them all. Call on the simulation thread."""
    ties = sim.ties_of([agent])
    other = np.where(ties["source"] == agent, ties["target"], ties["source"])
    others, where = np.unique(other, return_inverse=True)
    weight = np.bincount(where, weights=ties["evidence"], minlength=len(others))
    if len(others) > limit:
        others = others[np.lexsort((others, -weight))[:limit]]
    return _ties(sim, np.union1d(others, [agent]).astype(np.int64), centre=agent)


class Layout:
    """Node positions in the unit square, one per agent id, stable while the set of nodes is.

    :meth:`place` runs networkx's spring layout (seeded) when the nodes differ from the last call, and
    keeps the previous positions otherwise. When some nodes stay, they are held fixed and only the new ones
    move (each starts beside its placed neighbours), so nothing already on screen jumps.
    """

    def __init__(self, seed: int = LAYOUT_SEED) -> None:
        self.seed = seed
        self.nodes = np.empty(0, dtype=np.int64)
        self.xy = np.empty((0, 2))

    def place(self, ties: Ties) -> np.ndarray:
        """Positions (len(nodes) × 2, in [0, 1]) of ``ties.nodes``, in their order."""
        if np.array_equal(ties.nodes, self.nodes):
            return self.xy
        import networkx as nx

        graph = nx.Graph()
        graph.add_nodes_from(ties.nodes.tolist())
        graph.add_edges_from(zip(ties.nodes[ties.source].tolist(), ties.nodes[ties.target].tolist(), strict=True))
        nodes = ties.nodes.tolist()
        old = dict(zip(self.nodes.tolist(), self.xy.tolist(), strict=True))
        kept = [n for n in nodes if n in old]
        if len(kept) == len(nodes):                   # fewer nodes than before: the rest stay put
            xy = np.array([old[n] for n in nodes], dtype=float).reshape(-1, 2)
        elif 2 * len(kept) >= len(nodes):             # most stay: hold them, lay out the newcomers
            rng = np.random.default_rng(self.seed)
            start = {}
            for node in nodes:
                placed = [old[n] for n in graph.neighbors(node) if n in old]
                near = np.mean(placed, axis=0) if placed else rng.random(2)
                start[node] = old.get(node) or tuple(np.clip(near + rng.normal(0, 0.05, 2), 0, 1))
            pos = nx.spring_layout(graph, pos=start, fixed=kept, seed=self.seed, iterations=50)
            xy = np.clip(np.array([pos[n] for n in nodes], dtype=float), 0, 1)
        else:                                         # a new picture, started from what it shares
            start = {n: tuple(old[n]) for n in kept} or None
            pos = nx.spring_layout(graph, pos=start, seed=self.seed, iterations=100)
            xy = _unit(np.array([pos[n] for n in nodes], dtype=float).reshape(-1, 2))
        self.nodes, self.xy = ties.nodes.copy(), xy
        return xy


def _unit(xy: np.ndarray) -> np.ndarray:
    """Stretched to fill the unit square (a single node sits in the middle)."""
    if len(xy) < 2:
        return np.full_like(xy, 0.5)
    low, span = xy.min(axis=0), np.ptp(xy, axis=0)
    return (xy - low) / np.where(span > 0, span, 1)


@dataclass(frozen=True, eq=False)
class Raster:
    """The picture on a grid of ``width`` × ``height`` cells."""

    dots: np.ndarray             # uint8 per cell: its braille dot bits (0: no tie crosses it)
    trust: np.ndarray            # mean trust of the tie dots in each cell (NaN where none)
    cells: np.ndarray            # (nodes × 2) the (x, y) cell of each node


def node_cells(xy: np.ndarray, width: int, height: int) -> np.ndarray:
    """Each node's cell; a node whose cell is taken goes to the nearest free one (in a fixed order)."""
    want = np.column_stack((np.rint(xy[:, 0] * (width - 1)), np.rint(xy[:, 1] * (height - 1)))).astype(int)
    taken: set[tuple[int, int]] = set()
    cells = np.empty_like(want)
    rings = sorted(((dx, dy) for dx in range(-4, 5) for dy in range(-2, 3)), key=lambda d: (abs(d[0]) + 2 * abs(d[1]), d))
    for i, (x, y) in enumerate(want.tolist()):
        for dx, dy in rings:
            cell = (x + dx, y + dy)
            if 0 <= cell[0] < width and 0 <= cell[1] < height and cell not in taken:
                break
        else:
            cell = (x, y)
        taken.add(cell)
        cells[i] = cell
    return cells


def rasterize(xy: np.ndarray, source: np.ndarray, target: np.ndarray, trust: np.ndarray,
              width: int, height: int) -> Raster:
    """Nodes at ``xy`` (unit square), ties as straight dotted lines between their cells' centres."""
    width, height = max(1, width), max(1, height)
    cells = node_cells(xy, width, height) if len(xy) else np.empty((0, 2), dtype=int)
    dots = np.zeros(width * height, dtype=np.uint8)
    total = np.zeros(width * height)
    count = np.zeros(width * height)
    if len(source):
        centre = cells * np.array([2, 4]) + np.array([0.5, 1.5])       # in dots: 2 across, 4 down a cell
        a, b = centre[source], centre[target]
        steps = np.maximum(np.abs(b - a).max(axis=1).astype(int), 1) + 1
        edge = np.repeat(np.arange(len(source)), steps)
        t = (np.arange(steps.sum()) - np.repeat(np.cumsum(steps) - steps, steps)) / np.repeat(steps - 1, steps)
        points = np.floor(a[edge] + (b[edge] - a[edge]) * t[:, None] + 0.5).astype(int)
        px = np.clip(points[:, 0], 0, 2 * width - 1)
        py = np.clip(points[:, 1], 0, 4 * height - 1)
        cell = (py // 4) * width + px // 2
        np.bitwise_or.at(dots, cell, BRAILLE_BITS[py % 4, px % 2])
        np.add.at(total, cell, trust[edge])
        np.add.at(count, cell, 1)
    with np.errstate(invalid="ignore"):
        mean = total / count
    return Raster(dots.reshape(height, width), mean.reshape(height, width), cells)
