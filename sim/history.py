"""What a run records each day: the network measures, the per-archetype measures, and the reputation of
a fixed sample of agents (all of them in small runs), for the inspector and the exports.

The record is allocated for every day of the run at once, and the day's compiled call writes its row
(:func:`record_day`), so recording costs nothing next to a day's work and a reader can copy only the
rows it has not seen yet.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .kernels import Compiled, kernel
from .measures import ARCHETYPE_COLUMNS, METRICS, archetype_table, network_row

if TYPE_CHECKING:
    from .world import World

TRACKED_AGENTS = 2048   # agents whose reputation is kept day by day (all of them in small runs)


@kernel
def record_day(w, record, day: int) -> None:
    """Keep the day's measures (the state at the start of that day, as the night's pass read it)."""
    row = record.rows[0]
    record.days[row] = day
    network_row(w, record.metrics[row])
    archetype_table(w, record.archetypes[row])
    agents = w.people.size[0]
    for i in range(len(record.tracked)):
        agent = record.tracked[i]
        record.tracked_rows[row, i] = w.sample.reputation[agent] if agent < agents else np.nan
    record.rows[0] = row + 1
    record.rows[1] = agents


class History(Compiled):
    """The daily record of one run (room for ``days`` + 1 samples: day 0 to the last)."""

    def __init__(self, world: World, days: int, sampler: np.random.Generator) -> None:
        from .kernels_state import new_record, sample_arrays, world_sample

        capacity = world.population.allocated
        self.tracked = np.sort(sampler.choice(capacity, size=min(capacity, TRACKED_AGENTS), replace=False))
        self.archetypes = len(world.scenario.archetypes)
        rows = days + 1
        self._days = np.zeros(rows, dtype=np.int64)
        self._metrics = np.zeros((rows, len(METRICS)))
        self._archetypes = np.zeros((rows, self.archetypes, len(ARCHETYPE_COLUMNS)))
        self._tracked = np.zeros((rows, len(self.tracked)), dtype=np.float32)
        self._rows = np.zeros(2, dtype=np.int64)       # [rows recorded, agents at the latest sample]
        self.compiled = new_record(self._days, self._metrics, self._archetypes, self.tracked, self._tracked,
                                   self._rows)
        self._reputation = sample_arrays(world_sample(world.compiled))[4]

    @property
    def rows(self) -> int:
        return int(self._rows[0])

    @property
    def days(self) -> np.ndarray:
        """The days recorded so far."""
        return self._days[: self.rows]

    @property
    def tracked_rows(self) -> list[np.ndarray]:
        """The tracked agents' reputation, one array per day recorded."""
        return list(self._tracked[: self.rows])

    @property
    def reputation(self) -> np.ndarray:
        """Every agent's reputation at the latest sample."""
        return self._reputation[: self._rows[1]] if self.rows else np.empty(0)

    def latest(self) -> dict[str, float]:
        """The latest network measures by name."""
        return dict(zip(METRICS, self._metrics[self.rows - 1].tolist(), strict=True))

    def latest_archetypes(self) -> dict[str, np.ndarray]:
        """The latest per-archetype measures by name (one value per archetype, copies)."""
        rows = self._archetypes[self.rows - 1]
        return {c: rows[:, i].copy() for i, c in enumerate(ARCHETYPE_COLUMNS)}

    def metrics(self, start: int = 0) -> dict[str, np.ndarray]:
        """Daily measures from sample index ``start`` on: ``day`` + :data:`METRICS` (copies only new rows)."""
        table = self._metrics[start: self.rows].copy()
        return {"day": self._days[start: self.rows].astype(np.int32), **{m: table[:, i] for i, m in enumerate(METRICS)}}

    def archetype_history(self, start: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """(days, array[day, archetype, column]) from sample index ``start`` on."""
        return self._days[start: self.rows].astype(np.int32), self._archetypes[start: self.rows].copy()

    def reputation_of(self, agent: int) -> tuple[np.ndarray, np.ndarray]:
        """(days, reputation) of a tracked agent; empty arrays for an agent that is not tracked."""
        where = np.searchsorted(self.tracked, agent)
        if where >= len(self.tracked) or self.tracked[where] != agent:
            return np.empty(0, dtype=np.int32), np.empty(0)
        return self.days.astype(np.int32), self._tracked[: self.rows, where].astype(np.float64)
