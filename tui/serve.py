"""The dashboard in a web browser, for a projector: ``trustsim serve [SCENARIO] [--host H] [--port P]``.

textual-serve runs a small web server whose page (its own scripts, shipped in the package, so it works
with no network) starts one dashboard process per browser tab and shows it in a terminal drawn by the
browser. That process is this module run as a program with the scenario and its overrides; it opens the
same :class:`~tui.app.TrustApp` as ``trustsim tui``. The ``s`` key there hands the screenshot to the browser
as a download.

The command line checks everything it can before the server starts (the scenario, the port, the host), so a
mistake is one line and exit code 2 rather than a server that fails on the first visit.
"""

from __future__ import annotations

import json
import shlex
import socket
import sys
from typing import Any

from sim import load_scenario
from sim.errors import UsageError

from .params import DEFAULT_SCENARIO


def app_command(scenario: str, overrides: dict[str, Any]) -> str:
    """The shell command textual-serve runs for each browser tab."""
    try:
        settings = json.dumps(overrides)
    except TypeError as error:
        raise UsageError(f"--set: a value the browser dashboard cannot pass on ({error})") from None
    return shlex.join([sys.executable, "-m", "tui.serve", scenario, settings])


def check_address(host: str, port: int) -> None:
    """Fail now, in one line, if the server could not listen on ``host:port``."""
    if not 1 <= port <= 65535:
        raise UsageError(f"--port {port}: not a port number (1 to 65535)")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise UsageError(f"--host {host}: no such address ({error.strerror})") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)     # as the server will
        try:
            probe.bind(address)
        except OSError as error:
            reason = "already in use" if error.errno in (98, 48) else error.strerror
            raise UsageError(f"--port {port}: cannot listen on {host}:{port}: {reason}") from None


def serve(scenario: str | None, overrides: dict[str, Any], host: str = "127.0.0.1", port: int = 8000) -> int:
    """Check the scenario and the address, then serve the dashboard until Ctrl-C. Returns the exit code."""
    name = scenario or DEFAULT_SCENARIO
    loaded = load_scenario(name, overrides)            # an unknown scenario or bad --set fails here
    check_address(host, port)
    command = app_command(name, overrides)
    from textual_serve.server import Server

    server = Server(command, host=host, port=port, title=f"trustsim · {loaded.name}")
    try:
        server.serve()
    except OSError as error:                            # lost a race for the port since the check
        raise UsageError(f"--port {port}: cannot listen on {host}:{port}: {error.strerror}") from None
    return 0


def _app(argv: list[str]) -> int:
    """One browser tab's dashboard (started by textual-serve with its web driver)."""
    from .app import TrustApp

    scenario, overrides = argv[0], json.loads(argv[1])
    app = TrustApp(scenario, overrides)
    result = app.run()
    return int(result or 0) if app.return_code in (None, 0) else int(app.return_code)


if __name__ == "__main__":
    sys.exit(_app(sys.argv[1:]))
