"""What a run records each day: the network measures, the per-archetype measures, and the reputation of
a fixed sample of agents (all of them in small runs), for the inspector and the exports.

Rows are kept as small numpy arrays, one per day, so that recording costs nothing next to a day's work
and a reader can copy only the rows it has not seen yet.
"""

from __future__ import annotations

import numpy as np

from .measures import ARCHETYPE_COLUMNS, METRICS, Sample, archetype_table, network_row

TRACKED_AGENTS = 2048   # agents whose reputation is kept day by day (all of them in small runs)


class History:
    """The daily record of one run."""

    def __init__(self, capacity: int, archetypes: int, sampler: np.random.Generator) -> None:
        self.tracked = np.sort(sampler.choice(capacity, size=min(capacity, TRACKED_AGENTS), replace=False))
        self.archetypes = archetypes
        self.days: list[int] = []
        self.metric_rows: list[np.ndarray] = []
        self.archetype_rows: list[np.ndarray] = []
        self.tracked_rows: list[np.ndarray] = []
        self.reputation = np.empty(0)       # every agent's reputation at the latest sample

    def record(self, day: int, sample: Sample) -> None:
        """Keep the day's measures (the state at the start of that day)."""
        self.metric_rows.append(network_row(sample))
        self.archetype_rows.append(archetype_table(sample))
        self.days.append(day)
        tracked = np.full(len(self.tracked), np.nan, dtype=np.float32)
        known = self.tracked < len(sample.reputation)
        tracked[known] = sample.reputation[self.tracked[known]]
        self.tracked_rows.append(tracked)
        self.reputation = sample.reputation

    def latest(self) -> dict[str, float]:
        """The latest network measures by name."""
        return dict(zip(METRICS, self.metric_rows[-1].tolist(), strict=True))

    def latest_archetypes(self) -> dict[str, np.ndarray]:
        """The latest per-archetype measures by name (one value per archetype, copies)."""
        rows = self.archetype_rows[-1]
        return {c: rows[:, i].copy() for i, c in enumerate(ARCHETYPE_COLUMNS)}

    def metrics(self, start: int = 0) -> dict[str, np.ndarray]:
        """Daily measures from sample index ``start`` on: ``day`` + :data:`METRICS` (copies only new rows)."""
        rows, days = self.metric_rows[start:], self.days[start:]
        table = np.vstack(rows) if rows else np.empty((0, len(METRICS)))
        return {"day": np.asarray(days, dtype=np.int32), **{m: table[:, i] for i, m in enumerate(METRICS)}}

    def archetype_history(self, start: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """(days, array[day, archetype, column]) from sample index ``start`` on."""
        rows, days = self.archetype_rows[start:], self.days[start:]
        stacked = np.stack(rows) if rows else np.empty((0, self.archetypes, len(ARCHETYPE_COLUMNS)))
        return np.asarray(days, dtype=np.int32), stacked

    def reputation_of(self, agent: int) -> tuple[np.ndarray, np.ndarray]:
        """(days, reputation) of a tracked agent; empty arrays for an agent that is not tracked."""
        where = np.searchsorted(self.tracked, agent)
        if where >= len(self.tracked) or self.tracked[where] != agent:
            return np.empty(0, dtype=np.int32), np.empty(0)
        values = np.array([row[where] for row in self.tracked_rows], dtype=np.float64)
        return np.asarray(self.days, dtype=np.int32), values
