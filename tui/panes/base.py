"""What every tab that draws the run(s) has in common."""

from __future__ import annotations

from textual.reactive import var
from textual.widgets import TabPane

from ..track import Runs
from ..widgets import Throttled


class RunPane(TabPane):
    """A tab that draws the run(s). The app binds ``runs`` to it (a new :class:`~tui.track.Runs` at each
    redraw with news), the pane binds its widgets to ``runs``, and while the tab is shown the app calls
    :meth:`redraw` on its timer so the charts and the map draw together."""

    runs: var[Runs | None] = var(None)

    def on_mount(self) -> None:
        # looked up once: a DOM query on every tick costs real time (a subclass's on_mount runs as well)
        self._throttled = [w for w in self.walk_children() if isinstance(w, Throttled)]

    def redraw(self, now: float) -> None:
        """Let the pane's charts and map redraw if they changed and their budget allows."""
        for widget in self._throttled:
            widget.maybe_refresh(now)
