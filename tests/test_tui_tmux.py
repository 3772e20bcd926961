"""The real `trustsim` command in a real terminal (tmux): it draws, the day moves, `q` quits with 0."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

TRUSTSIM = Path(sys.executable).with_name("trustsim")

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


def _day(screen: str) -> int | None:
    found = re.search(r"day (\d+)/(\d+)", screen)
    return int(found.group(1)) if found else None


def test_trustsim_draws_plays_and_quits_in_tmux(tmp_path: Path) -> None:
    assert TRUSTSIM.exists(), f"no console script at {TRUSTSIM}"
    socket = f"trustsim-test-{uuid.uuid4().hex[:8]}"
    done = tmp_path / "exit_code"
    command = (f"cd {tmp_path} && {TRUSTSIM} tui broken_promises --agents 300 --days 2000; "
               f"echo $? > {done}; sleep 30")
    tmux = ["tmux", "-L", socket]
    env = {**os.environ, "TERM": "xterm-256color"}
    subprocess.run([*tmux, "new-session", "-d", "-s", "dash", "-x", "100", "-y", "30", command],
                   check=True, env=env)
    socket_path = subprocess.run([*tmux, "display-message", "-p", "#{socket_path}"], capture_output=True,
                                 text=True).stdout.strip()

    def screen() -> str:
        return subprocess.run([*tmux, "capture-pane", "-p", "-t", "dash"], capture_output=True, text=True,
                              check=True).stdout

    try:
        deadline = time.monotonic() + 20
        first = None
        while time.monotonic() < deadline:
            text = screen()
            if "Trust in the network" in text and "Quit" in text and _day(text) is not None:
                first = _day(text)
                break
            time.sleep(0.2)
        assert first is not None, f"the dashboard did not draw:\n{screen()}"
        text = screen()
        assert "broken_promises" in text and "Quit" in text and "playing" in text

        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and (_day(screen()) or 0) <= first + 2:
            time.sleep(0.2)
        assert (_day(screen()) or 0) > first + 2, f"the day did not move:\n{screen()}"

        subprocess.run([*tmux, "send-keys", "-t", "dash", "q"], check=True)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not done.exists():
            time.sleep(0.1)
        assert done.exists(), f"q did not quit:\n{screen()}"
        assert done.read_text().strip() == "0"
    finally:
        subprocess.run([*tmux, "kill-server"], capture_output=True)
        if socket_path:
            Path(socket_path).unlink(missing_ok=True)
