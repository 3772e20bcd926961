"""The one progress display (runs, sweeps): what it shows, when, and that it stays off when it should."""

from __future__ import annotations

import io

from sim.progress import Progress


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_shows_done_left_failed_and_eta() -> None:
    stream = _Terminal()
    with Progress("sweep baseline", 8, "runs", done=2, stream=stream, show_after=0.0) as bar:
        bar.update(advance=0)
        assert bar.shown
        bar.update(advance=1)
        bar.update(failed=1)
        bar.note("trustsim: run p001 failed")
    text = stream.getvalue()
    assert "sweep baseline" in text and "3/8 runs done, 4 left, 1 failed" in text and "eta" in text
    assert "trustsim: run p001 failed" in text


def test_progress_waits_before_showing_and_is_silent_when_off() -> None:
    waiting = _Terminal()
    with Progress("run", 100, "days", stream=waiting, show_after=60.0) as bar:
        bar.update(50)
        assert not bar.shown
    assert waiting.getvalue() == ""
    off = _Terminal()
    with Progress("run", 100, "days", stream=off, enabled=False, show_after=0.0) as bar:
        bar.update(50)
    assert off.getvalue() == ""
    pipe = io.StringIO()          # not a terminal: no escape codes in a log file
    with Progress("run", 100, "days", stream=pipe, show_after=0.0) as bar:
        bar.update(50)
    assert pipe.getvalue() == ""
