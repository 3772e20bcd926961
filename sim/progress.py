"""One progress display for everything that takes a while (a run, a sweep, a check), drawn by rich.

It shows only on a terminal, and only once the work has taken about a second (a quick run prints no
bar at all). Notes printed while it shows (a failed run, say) appear above the bar without tearing it.
rich is imported only when a bar is actually drawn.
"""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

SHOW_AFTER = 1.0   # seconds of work before a bar appears


class Progress:
    """Progress of ``total`` steps of ``unit`` (days, runs), with failures counted apart.

    Call :meth:`update` as steps complete; use it as a context manager (or call :meth:`close`) so the
    bar is taken down however the work ends. Steps of unequal size (runs of different lengths) can say
    how much work each is (``work_total``, and ``work=`` on each update): the bar's estimate of the time
    left is then made from the work done, not the steps.
    """

    def __init__(self, label: str, total: int, unit: str, *, done: int = 0, stream: TextIO | None = None,
                 enabled: bool = True, show_after: float = SHOW_AFTER, work_total: float = 0.0) -> None:
        self.label, self.total, self.unit = label, total, unit
        self.work_total, self.work_done = work_total, 0.0
        self.stream = sys.stderr if stream is None else stream
        self.enabled = enabled and self.stream.isatty()
        self.done, self.failed = done, 0
        self.show_after = show_after
        self.started = time.monotonic()
        self._bar: Any = None
        self._task: Any = None

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def shown(self) -> bool:
        return self._bar is not None

    def update(self, done: int | None = None, *, advance: int = 0, failed: int = 0, work: float = 0.0) -> None:
        """Set the steps done (or ``advance`` them), count ``failed`` more, and redraw if shown."""
        self.done = self.done + advance if done is None else done
        self.failed += failed
        self.work_done += work
        if not self.enabled:
            return
        if self._bar is None and time.monotonic() - self.started >= self.show_after:
            self._show()
        if self._bar is not None:
            self._bar.update(self._task, completed=self.done + self.failed, **self._fields())

    def note(self, message: str, stream: TextIO | None = None) -> None:
        """Print a line (above the bar, if it shows on the same stream)."""
        stream = self.stream if stream is None else stream
        if self._bar is not None and stream is self.stream:
            self._bar.console.print(message, markup=False, highlight=False, soft_wrap=True)
        else:
            print(message, file=stream, flush=True)

    def close(self) -> None:
        """Take the bar down, leaving its last state on the screen."""
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

    def _fields(self) -> dict[str, str]:
        left = self.total - self.done - self.failed
        failed = f", {self.failed} failed" if self.failed else ""
        return {"status": f"{self.done:,}/{self.total:,} {self.unit} done, {left:,} left{failed}{self._estimate()}"}

    def _estimate(self) -> str:
        """", about 3 min to go", from the work done so far (none until some is done)."""
        if not self.work_total or self.work_done <= 0:
            return ""
        elapsed = time.monotonic() - self.started
        seconds = elapsed * max(self.work_total - self.work_done, 0.0) / self.work_done
        return f", about {_duration(seconds)} to go"

    def _show(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn
        from rich.progress import Progress as RichProgress

        console = Console(file=self.stream, force_terminal=True)
        self._bar = RichProgress(
            TextColumn("{task.description}"), BarColumn(bar_width=30), TextColumn("{task.fields[status]}"),
            TimeElapsedColumn(), *(() if self.work_total else (TextColumn("eta"), TimeRemainingColumn())),
            console=console, transient=False, refresh_per_second=8)
        self._bar.start()
        self._task = self._bar.add_task(self.label, total=self.total, completed=self.done + self.failed,
                                        start=True, **self._fields())


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{max(round(seconds), 1)} s"
    if seconds < 5400:
        return f"{round(seconds / 60)} min"
    return f"{seconds / 3600:.1f} h"
