"""`trustsim serve`: the dashboard in a real headless browser, and one line with exit code 2 for bad input.

The browser test drives Debian's Chromium through Playwright. It skips (saying why) where either is missing;
install them with `apt-get install chromium` and the dev extra (`pip install -e '.[dev]'`).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

CHROMIUM = next((path for path in (shutil.which("chromium"), shutil.which("chromium-browser"),
                                   "/usr/bin/chromium") if path and Path(path).exists()), None)
SGR = re.compile(rb"\x1b\[[0-9;]*m")
ROOT = Path(__file__).resolve().parent.parent


def trustsim(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sim", *args], capture_output=True, text=True, timeout=timeout)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize(("args", "says"), [
    (["nosuch"], "unknown scenario 'nosuch'"),
    (["--port", "70000"], "--port 70000: not a port number"),
    (["--port", "0"], "--port 0: not a port number"),
    (["--host", "no.such.host.invalid"], "--host no.such.host.invalid: no such address"),
    (["--agents", "-5"], "simulation.agents: must be at least 2"),
])
def test_bad_input_is_one_line_and_exit_code_2(args: list[str], says: str) -> None:
    result = trustsim("serve", *args)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and says in result.stderr


def test_a_port_in_use_is_one_line_and_exit_code_2() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = trustsim("serve", "--port", str(port))
    assert result.returncode == 2
    assert result.stderr == f"trustsim: --port {port}: cannot listen on 127.0.0.1:{port}: already in use\n"


def test_the_command_line_loads_no_web_server_until_asked() -> None:
    probe = ("import sys, sim.cli; sim.cli.build_parser().parse_args(['serve']); "
             "print(sorted(m for m in ('textual', 'textual_serve', 'aiohttp') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "[]", result.stderr


def start(*args: str, cwd: Path | None = None) -> tuple[subprocess.Popen, str]:
    """`trustsim serve ARGS` on a free port in ``cwd``, in a session of its own, its stderr kept (to read its
    lines at the end)."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "sim", "serve", *args, "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=cwd, start_new_session=True,
                               env={**os.environ, "PYTHONPATH": str(ROOT)})
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return process, f"http://127.0.0.1:{port}/"
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"trustsim serve did not start: {process.stderr.read().decode()}")
            time.sleep(0.1)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


@pytest.fixture
def server():
    """`trustsim serve` on a free port, in a session of its own."""
    process, url = start("broken_promises", "--agents", "300")
    yield url
    stop(process)


def test_the_dashboard_plays_in_a_headless_browser(server: str, tmp_path: Path) -> None:
    if CHROMIUM is None:
        pytest.skip("no Chromium on this machine: `apt-get install chromium` to run the browser test")
    playwright = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed: "
                                     "`pip install -e '.[dev]'` to run the browser test")
    received: list[bytes] = []

    def days() -> list[int]:
        """The days the top bar showed so far, from what the page received for its terminal."""
        text = SGR.sub(b"", b"".join(received))
        return [int(day) for day in re.findall(rb"day (\d+)/365", text)]

    def wait_for(predicate, what: str, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError(f"the page never showed {what}")
            page.wait_for_timeout(100)

    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.on("websocket", lambda socket_: socket_.on(
                "framereceived", lambda data: received.append(data if isinstance(data, bytes) else data.encode())))
            page.goto(server)
            wait_for(lambda: b"Trust in the network" in SGR.sub(b"", b"".join(received)), "the dashboard")
            wait_for(lambda: days() and max(days()) >= 1, "a day go by")
            assert page.evaluate("document.body.classList.contains('-first-byte')")   # the terminal is shown
            page.wait_for_timeout(500)            # let the terminal paint what it received
            first_day = max(days())
            first = page.screenshot(path=str(tmp_path / "first.png"))
            wait_for(lambda: max(days()) >= first_day + 5, f"day {first_day + 5}")
            page.wait_for_timeout(500)
            second = page.screenshot(path=str(tmp_path / "second.png"))
        finally:
            browser.close()
    assert first != second                        # the picture moved on with the days


# --------------------------------------------------------------------------- exports, signals, exposure

@pytest.fixture
def browser():
    """A headless Chromium driven by Playwright (skips, saying why, where either is missing)."""
    if CHROMIUM is None:
        pytest.skip("no Chromium on this machine: `apt-get install chromium` to run the browser test")
    playwright = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed: "
                                     "`pip install -e '.[dev]'` to run the browser test")
    with playwright.sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        try:
            yield chromium
        finally:
            chromium.close()


def open_dashboard(browser, url: str):
    """A page showing the dashboard, with what it received so far (``page.received``)."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    received: list[bytes] = []
    page.on("websocket", lambda socket_: socket_.on(
        "framereceived", lambda data: received.append(data if isinstance(data, bytes) else data.encode())))
    page.goto(url)
    deadline = time.monotonic() + 30
    while b"Trust in the network" not in SGR.sub(b"", b"".join(received)):
        assert time.monotonic() < deadline, "the page never showed the dashboard"
        page.wait_for_timeout(100)
    page.received = received
    return page


def test_e_in_the_browser_downloads_the_tables_and_writes_nothing_on_the_server(browser, tmp_path: Path) -> None:
    """Every visitor's `e` wrote ~3 MB into the server's working folder, unbounded and out of their sight."""
    import zipfile

    import polars as pl

    workdir = tmp_path / "server"
    workdir.mkdir()
    process, url = start("broken_promises", "--agents", "300", cwd=workdir)
    try:
        page = open_dashboard(browser, url)
        page.mouse.click(700, 450)                          # the terminal takes the keys
        with page.expect_download(timeout=60_000) as download:
            page.keyboard.press("e")
        archive = tmp_path / download.value.suggested_filename
        download.value.save_as(archive)
        deadline = time.monotonic() + 10
        while b"downloaded by the browser" not in SGR.sub(b"", b"".join(page.received)):
            assert time.monotonic() < deadline, "the status line never said the export was downloaded"
            page.wait_for_timeout(100)
    finally:
        stop(process)
    assert re.fullmatch(r"broken_promises-seed1-day\d+\.zip", archive.name)
    with zipfile.ZipFile(archive) as zipped:
        zipped.extractall(tmp_path / "unpacked")
    (folder,) = (tmp_path / "unpacked").iterdir()
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["manifest.json", *(f"{t}.parquet" for t in ("metrics", "archetypes", "agents", "reputations", "events",
                                                      "edges"))])
    assert pl.read_parquet(folder / "agents.parquet").height == 300
    assert list(workdir.iterdir()) == []                     # nothing on the server


def children(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [int(child) for child in found]


def running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.parametrize(("signum", "code", "says"), [(signal.SIGINT, 130, "interrupted"),
                                                     (signal.SIGTERM, 143, "terminated"),
                                                     (signal.SIGKILL, -9, None)])
def test_the_server_stops_at_once_and_takes_its_dashboards_along(browser, tmp_path: Path, signum, code, says):
    """SIGINT and SIGTERM took 14-16 s and ended 0 without a word; SIGKILL left the dashboards running."""
    if not Path("/proc").is_dir():
        pytest.skip("reads /proc to find the dashboard processes")
    process, url = start("broken_promises", "--agents", "300", cwd=tmp_path)
    try:
        open_dashboard(browser, url)
        dashboards = children(process.pid)
        assert len(dashboards) == 1                        # the visitor's own dashboard process
        sent = time.monotonic()
        process.send_signal(signum)
        _, err = process.communicate(timeout=30)
        took = time.monotonic() - sent
    finally:
        stop(process)
    assert process.returncode == code
    if says is not None:
        assert took < 2, f"the server took {took:.1f}s to stop"
        assert err.decode() == f"trustsim: {says}; the server stopped\n"
    deadline = time.monotonic() + 10                       # they quit in a second or so (GRACE at most)
    while any(running(pid) for pid in dashboards):
        assert time.monotonic() < deadline, "a dashboard process outlived its server"
        time.sleep(0.1)


def test_listening_beyond_this_machine_is_warned_of(tmp_path: Path) -> None:
    for host, warned in (("0.0.0.0", True), ("127.0.0.1", False)):
        process, url = start("--host", host, cwd=tmp_path)
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=30)
        lines = err.decode().splitlines()
        assert lines[-1] == "trustsim: terminated; the server stopped"
        port = url.rstrip("/").rsplit(":", 1)[1]
        if warned:
            assert lines[0].startswith(f"trustsim: warning: --host {host} listens beyond this machine: anyone "
                                       f"who can reach port {port} can open the dashboard") and len(lines) == 2
        else:
            assert len(lines) == 1


def test_t_tells_the_story_in_the_browser_and_the_arrows_step_it(browser, tmp_path: Path) -> None:
    """Story mode in a browser: `t` settles and plays the scenario beside its controls, pauses on the first
    moment it tells, and → (what a presenter's clicker sends as PageDown too) steps to the next."""
    process, url = start("broken_promises", "--agents", "150", "--days", "40", "--set", "simulation.spin_up=30")
    try:
        page = open_dashboard(browser, url)

        def shown(since: int = 0) -> bytes:
            return SGR.sub(b"", b"".join(page.received[since:]))

        def wait_for(what: bytes, timeout: float = 60.0, since: int = 0) -> None:
            deadline = time.monotonic() + timeout
            while what not in shown(since):
                assert time.monotonic() < deadline, f"the page never showed {what!r}"
                page.wait_for_timeout(100)

        page.mouse.click(700, 450)                          # the terminal takes the keys
        page.keyboard.press("t")
        wait_for(b"moment 1/")
        wait_for(b"separates")
        page.wait_for_timeout(500)
        page.screenshot(path=str(tmp_path / "story.png"))
        page.keyboard.press("ArrowRight")
        wait_for(b"moment 2/")
        page.keyboard.press("ArrowLeft")
        told = len(page.received)
        page.keyboard.press("q")                            # back to the dashboard, which draws itself again
        wait_for(b"Trust in the network", timeout=10, since=told)
    finally:
        stop(process)


def test_keys_work_in_the_browser_without_clicking_the_page_first(server: str, browser) -> None:
    """textual-serve's page gave the terminal the keys only once it was clicked: space did nothing."""
    page = open_dashboard(browser, server)
    deadline = time.monotonic() + 60
    while b"playing" not in SGR.sub(b"", b"".join(page.received)):     # the run has settled and plays
        assert time.monotonic() < deadline, "the dashboard never played"
        page.wait_for_timeout(100)
    page.received.clear()
    page.keyboard.press("Space")                    # no click first
    deadline = time.monotonic() + 15
    while b"paused" not in SGR.sub(b"", b"".join(page.received)):
        assert time.monotonic() < deadline, "space did nothing until the page was clicked"
        page.wait_for_timeout(100)
