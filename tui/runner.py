"""The simulation side of the dashboard: one thread advances the run(s), the screen reads what it publishes.

The engine holds its lock for a whole simulated day, so a screen that called ``snapshot()`` itself could
wait a day (or several: Python locks are not fair) before it could draw. Instead the driving thread, which
never waits for that lock, copies what the screen needs after each day (at most ~20 times a second) into
a queue of :class:`Frame` objects; the screen drains the queue on its own 10 Hz timer. Nothing is posted
to Textual from this thread, so the event loop is never flooded.

Anything else that must read the simulation (the inspector, exports, a restart) is submitted as a
command and runs on the same thread between two days, so it sees a consistent state without touching
the engine's private lock.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim import Scenario, Simulation, Snapshot

#: Speeds a user can pick, in simulated days per second; ``0`` means as fast as the engine goes.
SPEEDS: tuple[float, ...] = (0.5, 1, 2, 5, 10, 20, 50, 0)
DEFAULT_SPEED = 4            # index into SPEEDS: 10 days a second, a year in about 40 s
PUBLISH_INTERVAL = 0.05      # seconds between frames while playing (the screen reads at 10 Hz)
EVENT_WINDOW = 4000          # most events copied per frame (the feed narrates only a few of them)


def speed_label(index: int) -> str:
    """'10 d/s', or 'max' for the unthrottled speed."""
    speed = SPEEDS[index]
    if speed == 0:
        return "max"
    return f"{speed:g} d/s"


@dataclass(frozen=True)
class Frame:
    """What changed in one run since the previous frame (a copy, safe to read on any thread)."""

    generation: int                      # bumps whenever the runs are replaced (restart, new scenario)
    index: int                           # 0 = the main run, 1 = the run it is compared with
    scenario: Scenario                   # the run's scenario, so the screen need not ask which runs are on
    snapshot: Snapshot
    metrics: dict[str, np.ndarray]       # new daily rows: "day" + METRICS
    archetype_days: np.ndarray           # new rows of the archetype history
    archetype_rows: np.ndarray           # [day, archetype, column]


class _Reader:
    """Per run: how much of its history has already been published."""

    def __init__(self, sim: Simulation) -> None:
        self.sim = sim
        self.rows = 0
        self.events = 0

    def frame(self, generation: int, index: int) -> Frame:
        sim = self.sim
        new_events = len(sim.log) - self.events
        snapshot = sim.snapshot(recent_events=max(0, min(new_events, EVENT_WINDOW)), agents=True)
        metrics = sim.metrics_history(self.rows)
        days, rows = sim.archetype_history(self.rows)
        self.rows += len(metrics["day"])
        self.events = snapshot.events_total
        return Frame(generation, index, sim.scenario, snapshot, metrics, days, rows)


class Runner:
    """Drives one simulation (or two in lockstep, for compare mode) from a single worker thread.

    The public methods are called from the UI thread; they only flip flags and wake the worker, so a
    key press never waits for a simulated day to finish.
    """

    def __init__(self, sims: list[Simulation], playing: bool = True, speed: int = DEFAULT_SPEED) -> None:
        self._readers = [_Reader(s) for s in sims]
        self.generation = 0
        self.playing = playing
        self.speed = speed
        self.frames: queue.SimpleQueue[Frame] = queue.SimpleQueue()
        self.days_simulated = 0          # days advanced by the main run, for benchmarks
        self._steps = 0
        self._commands: queue.SimpleQueue[tuple[Callable[[], Any], Future]] = queue.SimpleQueue()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._dirty = True
        self._last_publish = 0.0
        self.running_thread: threading.Thread | None = None
        #: (days done, days) of the spin-up of a run being built, None when none is: the seconds a new run
        #: spends settling its network before day 0, which the screen shows instead of standing still
        self.settling: tuple[int, int] | None = None

    # ------------------------------------------------------------------ called from the UI thread
    @property
    def sims(self) -> list[Simulation]:
        return [r.sim for r in self._readers]

    @property
    def main(self) -> Simulation:
        """The main run (read it only on the simulation thread, i.e. inside a submitted command)."""
        return self._readers[0].sim

    def drain(self) -> list[Frame]:
        """Every frame published since the last call, oldest first."""
        frames = []
        while True:
            try:
                frames.append(self.frames.get_nowait())
            except queue.Empty:
                return frames

    def set_playing(self, playing: bool) -> None:
        self.playing = playing
        self._dirty = True
        self._wake.set()

    def step(self, days: int = 1) -> None:
        """Advance exactly ``days`` more days (and pause)."""
        self.playing = False
        self._steps += days
        self._wake.set()

    def set_speed(self, index: int) -> None:
        self.speed = max(0, min(len(SPEEDS) - 1, index))
        self._wake.set()

    def submit(self, command: Callable[[], Any]) -> Future:
        """Run ``command`` on the simulation thread between two days; its result arrives in the Future."""
        future: Future = Future()
        self._commands.put((command, future))
        self._wake.set()
        return future

    def start(self, scenarios: Sequence[Scenario], playing: bool = True) -> Future:
        """Replace the runs by new ones from day 0 (playing, or held); the first scenario is the main run.

        The simulations are built on the simulation thread, so a large population and its spin-up never
        stall the screen (:attr:`settling` says how far the spin-up has got).
        """

        def build() -> None:
            # the wish to play is set as the build begins, not when it ends: a pause pressed while the new
            # run settles must stand (set after the build, it undid the pause, and the run played under a
            # screen that said "paused"). The loop is busy building meanwhile, so nothing plays early.
            self.set_playing(playing)
            self.replace([self._build(s) for s in scenarios])
            self._dirty = True
            self._wake.set()

        return self.submit(build)

    def compare_with(self, scenario: Scenario | None) -> Future:
        """Run ``scenario`` beside the main run, which carries on (``None``: stop comparing)."""

        def rebuild() -> None:
            self.replace([self.main, *([self._build(scenario)] if scenario is not None else [])])

        return self.submit(rebuild)

    def _build(self, scenario: Scenario) -> Simulation:
        """A new run, spun up on this thread; :attr:`settling` follows its spin-up while it lasts."""

        def settled(done: int, days: int) -> None:
            self.settling = (done, days)

        self.settling = (0, scenario.simulation.spin_up)
        try:
            return Simulation(scenario, spin_up_progress=settled)
        finally:
            self.settling = None

    def replace(self, sims: list[Simulation]) -> None:
        """Swap in new runs (call on the simulation thread, i.e. inside a submitted command)."""
        if self._readers:
            self._steps = 0                 # steps asked of the old runs (steps asked before the first stay)
        self._readers = [_Reader(s) for s in sims]
        self.generation += 1
        self._dirty = True

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    # ------------------------------------------------------------------ the simulation thread
    def loop(self, cancelled: Callable[[], bool] = lambda: False) -> None:
        """Advance while playing (paced by the speed), run commands, publish frames; until stopped."""
        self.running_thread = threading.current_thread()
        next_day = time.monotonic()
        while not self._stop.is_set() and not cancelled():
            self._run_commands()
            if not self._readers:               # the first run is still being built
                self._wait(0.1)
                continue
            main = self._readers[0].sim
            lagging = [r.sim for r in self._readers[1:] if r.sim.day < main.day]
            if lagging:
                # a compared run catches up at full speed, so both always show the same day
                for sim in lagging:
                    sim.advance(1)
                self._publish_if_due()
                time.sleep(0)
                continue
            stepping = self._steps > 0
            if stepping or (self.playing and not main.finished):
                self._advance_all()
                if stepping:
                    self._steps -= 1
                    self._dirty = True
                if main.finished:
                    self.playing = False
                    self._dirty = True
            self._publish_if_due()
            if self.playing and not main.finished and not self._steps:
                speed = SPEEDS[self.speed]
                now = time.monotonic()
                if speed:
                    next_day = max(next_day + 1.0 / speed, now - 0.5)
                    delay = next_day - now
                    if delay > 0:
                        self._wait(delay)
                else:
                    time.sleep(0)       # let the UI thread have the GIL between days
            elif not self._steps:
                next_day = time.monotonic()
                self._wait(0.1)
        self._run_commands()            # let no submitted Future hang forever

    def _wait(self, seconds: float) -> None:
        self._wake.wait(seconds)
        self._wake.clear()

    def _advance_all(self) -> None:
        main = self._readers[0].sim
        main.advance(1)
        self.days_simulated += 1
        for reader in self._readers[1:]:
            if reader.sim.day < main.day:
                reader.sim.advance(1)

    def _publish_if_due(self) -> None:
        now = time.monotonic()
        if self._dirty or (now - self._last_publish >= PUBLISH_INTERVAL and self._changed()):
            self._publish()
            self._last_publish = now
        self._dirty = False

    def _changed(self) -> bool:
        return any(r.sim.day + 1 > r.rows for r in self._readers)

    def _publish(self) -> None:
        for index, reader in enumerate(self._readers):
            self.frames.put(reader.frame(self.generation, index))

    def _run_commands(self) -> None:
        while True:
            try:
                command, future = self._commands.get_nowait()
            except queue.Empty:
                return
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(command())
            except BaseException as exc:  # noqa: BLE001 - handed to the UI, which reports it
                future.set_exception(exc)
            self._dirty = True
