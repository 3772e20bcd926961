"""What the screen holds of the run(s), and what it hands the panes.

The simulation thread publishes :class:`~tui.runner.Frame` objects. The app takes them in with a
:class:`Received`, which keeps one :class:`Track` per run (its daily measures, archetype rows and latest
snapshot). At each redraw it hands the panes one :class:`Runs`: the tracks, plus run A's events that arrived
since the previous one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from sim import ARCHETYPE_COLUMNS, METRICS, Scenario, Snapshot
from sim.scenario_events import ScenarioEvent

from .runner import Frame


class Track:
    """One run's history as received by the screen: daily measures, archetype rows, the latest snapshot."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.names = scenario.archetype_names()
        self.metrics: dict[str, np.ndarray] = {m: np.empty(0) for m in ("day", *METRICS)}
        self.archetype_days = np.empty(0, dtype=np.int32)
        self.archetype_rows = np.empty((0, len(self.names), len(ARCHETYPE_COLUMNS)))
        self.snapshot: Snapshot | None = None

    @property
    def label(self) -> str:
        return self.scenario.name

    def add(self, frame: Frame) -> None:
        self.snapshot = frame.snapshot
        if len(frame.metrics["day"]):
            self.metrics = {k: np.concatenate((v, frame.metrics[k])) for k, v in self.metrics.items()}
            self.archetype_days = np.concatenate((self.archetype_days, frame.archetype_days))
            self.archetype_rows = np.concatenate((self.archetype_rows, frame.archetype_rows))

    def series(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        return self.metrics["day"], self.metrics[name]

    def daily(self, name: str, window: int = 7) -> tuple[np.ndarray, np.ndarray]:
        """A cumulative count as a per-day rate, smoothed over ``window`` days."""
        days, total = self.series(name)
        if len(total) < 2:
            return days[:0], total[:0]
        per_day = np.diff(total)
        kernel = np.ones(min(window, len(per_day))) / min(window, len(per_day))
        smooth = np.convolve(per_day, kernel, mode="full")[: len(per_day)]
        counts = np.minimum(np.arange(1, len(per_day) + 1), len(kernel))
        smooth = smooth * len(kernel) / counts
        return days[1:], smooth


@dataclass(frozen=True, eq=False)
class Runs:
    """The run(s) as the panes draw them at one redraw: run A, and run B in compare mode.

    Panes and their widgets hold it in a reactive. A new one is made for every redraw that has something
    new, and ``eq=False`` makes each new one count as a change (the tracks grow in place, so comparing
    them could not tell).
    """

    tracks: tuple[Track, ...]
    generation: int                                  # bumps when the runs are replaced
    playing: bool
    news: tuple[dict[str, np.ndarray], ...] = ()     # run A's events since the previous Runs, for the feed
    #: run A's scenario events that happened since the previous Runs, to announce (each is told once)
    announcements: tuple[ScenarioEvent, ...] = ()

    @property
    def main(self) -> Track:
        return self.tracks[0]

    @property
    def compared(self) -> Track | None:
        return self.tracks[1] if len(self.tracks) > 1 else None

    @property
    def snapshot(self) -> Snapshot:
        """Run A's latest snapshot (a Runs is only made once A has published a frame)."""
        snapshot = self.tracks[0].snapshot
        assert snapshot is not None
        return snapshot


class Received:
    """The screen's copy of the runs: the frames the simulation thread published, one Track per run."""

    NEWS_KEPT = 8    # event batches kept for the next redraw; the feed tells only a few sentences of them

    def __init__(self) -> None:
        self.generation = 0
        self.tracks: list[Track] = []
        self.changed = False             # something arrived since the last runs()
        self._news: list[dict[str, np.ndarray]] = []
        self._announced: set[int] = set()            # run A's scenario events told (by index)
        self._announced_generation = -1

    def take(self, frames: Iterable[Frame]) -> None:
        """Add the frames to their runs' tracks; frames of replaced runs are dropped."""
        for frame in frames:
            if frame.generation < self.generation:
                continue
            if frame.generation > self.generation:
                self.generation = frame.generation
                self.tracks = []
                self._news.clear()
            if frame.index == len(self.tracks):
                self.tracks.append(Track(frame.scenario))
            if frame.index >= len(self.tracks):
                continue
            self.tracks[frame.index].add(frame)
            if frame.index == 0 and len(frame.snapshot.events["kind"]):
                self._news.append(frame.snapshot.events)
                del self._news[:-self.NEWS_KEPT]
            self.changed = True

    @property
    def snapshot(self) -> Snapshot | None:
        """Run A's latest snapshot, if it has published one."""
        return self.tracks[0].snapshot if self.tracks else None

    def runs(self, playing: bool) -> Runs:
        """What the panes draw now; the news and the scenario events that happened since the last call go
        with it once, so they are told once."""
        runs = Runs(tuple(self.tracks), self.generation, playing, tuple(self._news), self._happened())
        self._news.clear()
        self.changed = False
        return runs

    def _happened(self) -> tuple[ScenarioEvent, ...]:
        """Run A's scenario events of the days up to its latest snapshot, not announced before."""
        snapshot = self.snapshot
        if snapshot is None:
            return ()
        if self._announced_generation != self.generation:
            self._announced_generation, self._announced = self.generation, set()
        new = [(k, e) for k, e in enumerate(self.tracks[0].scenario.events)
               if e.day <= snapshot.day and k not in self._announced]
        self._announced.update(k for k, _ in new)
        return tuple(sorted((e for _, e in new), key=lambda e: e.day))
