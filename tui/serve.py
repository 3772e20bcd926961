"""The dashboard in a web browser, for a projector: ``trustsim serve [SCENARIO] [--host H] [--port P]``.

textual-serve runs a small web server whose page (its own scripts, shipped in the package, so it works
with no network) starts one dashboard process per browser tab and shows it in a terminal drawn by the
browser. That process is this module run as a program with the scenario and its overrides; it opens the
same :class:`~tui.app.TrustApp` as ``trustsim tui``. The ``s`` key there hands the screenshot to the browser
as a download.

The command line checks everything it can before the server starts (the scenario, the port, the host), so a
mistake is one line and exit code 2 rather than a server that fails on the first visit. A host other than a
loopback address gets a warning: anyone who can reach the port can drive dashboards on this machine.

Nothing is left running after the server ends, however it ends. Each dashboard process is the server's own
child (the shell command ``exec``s it) and asks the kernel for SIGTERM when its parent dies
(``PR_SET_PDEATHSIG`` on Linux; a thread also watches its parent: :func:`sim.lifetime.end_with`), so even a
server killed outright takes its dashboards with it. So on Ctrl-C or SIGTERM the server has nothing to wait for: it says
so in one line and ends at once with 130 or 143 (textual-serve's own graceful stop waited 14–16 s for each
browser's websocket and then ended with 0, silently).
"""

from __future__ import annotations

import ipaddress
import json
import os
import shlex
import signal
import socket
import sys
from typing import TYPE_CHECKING, Any, NoReturn

from sim import load_scenario
from sim.errors import UsageError
from sim.lifetime import end_with

from .params import DEFAULT_SCENARIO

if TYPE_CHECKING:
    from textual_serve.server import Server


def app_command(scenario: str, overrides: dict[str, Any]) -> str:
    """The shell command textual-serve runs for each browser tab."""
    try:
        settings = json.dumps(overrides)
    except TypeError as error:
        raise UsageError(f"--set: a value the browser dashboard cannot pass on ({error})") from None
    # `exec`: the dashboard replaces the shell, so it is the server's own child and can end with it
    return "exec " + shlex.join([sys.executable, "-m", "tui.serve", scenario, settings, str(os.getpid())])


def check_address(host: str, port: int) -> str:
    """Fail now, in one line, if the server could not listen on ``host:port``; return the address it would."""
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
    return str(address[0])


def exposure(host: str, address: str, port: int) -> str | None:
    """A warning if the server listens beyond this machine (any address but a loopback one)."""
    if ipaddress.ip_address(address.split("%")[0]).is_loopback:
        return None
    return (f"warning: --host {host} listens beyond this machine: anyone who can reach port {port} can open "
            "the dashboard and run simulations here (their exports download to their own browser)")


def serve(scenario: str | None, overrides: dict[str, Any], host: str = "127.0.0.1", port: int = 8000) -> NoReturn:
    """Check the scenario and the address, then serve the dashboard until Ctrl-C or SIGTERM (then the process
    ends at once, with 130 or 143)."""
    name = scenario or DEFAULT_SCENARIO
    loaded = load_scenario(name, overrides)            # an unknown scenario or bad --set fails here
    address = check_address(host, port)
    command = app_command(name, overrides)
    from textual_serve.server import Server

    if (warning := exposure(host, address, port)) is not None:
        print(f"trustsim: {warning}", file=sys.stderr)
    server = Server(command, host=host, port=port, title=f"trustsim · {loaded.name}")
    try:
        stopped_by = _serve_until_signal(server, host, port)
    except OSError as error:                            # lost a race for the port since the check
        raise UsageError(f"--port {port}: cannot listen on {host}:{port}: {error.strerror}") from None
    print(f"trustsim: {'interrupted' if stopped_by == signal.SIGINT else 'terminated'}; the server stopped",
          file=sys.stderr)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(128 + stopped_by)       # nothing to wait for: every dashboard process ends with this one


def _serve_until_signal(server: Server, host: str, port: int) -> int:
    """Serve with textual-serve's web application until SIGINT or SIGTERM; return which came."""
    import asyncio

    from aiohttp import web

    async def until_signal() -> int:
        loop = asyncio.get_running_loop()
        stop: asyncio.Future[int] = loop.create_future()
        for signum in (signal.SIGINT, signal.SIGTERM):
            if signal.getsignal(signum) is not signal.SIG_IGN:    # started in the background: leave it be
                loop.add_signal_handler(signum, lambda s=signum: stop.done() or stop.set_result(int(s)))
        app = await server._make_app()
        app.middlewares.append(_keys_to_the_terminal)
        runner = web.AppRunner(app, handle_signals=False)
        await runner.setup()
        await web.TCPSite(runner, host, port).start()
        return await stop

    server.initialize_logging()
    return asyncio.new_event_loop().run_until_complete(until_signal())


#: Put on the page: the terminal takes the keys as soon as it is there (until the dashboard first draws),
#: so space, n, e ... work without a click on the page first; and again whenever the window gets the focus.
FOCUS_SCRIPT = """<script>
(function () {
  function focusTerminal() {
    var keys = document.querySelector(".xterm-helper-textarea");
    if (keys) { keys.focus(); }
    return Boolean(keys);
  }
  var tries = setInterval(function () {
    if (focusTerminal() && document.body.classList.contains("-first-byte")) { clearInterval(tries); }
  }, 100);
  window.addEventListener("focus", focusTerminal);
})();
</script>"""


async def _keys_to_the_terminal(request: Any, handler: Any) -> Any:
    """aiohttp middleware: add :data:`FOCUS_SCRIPT` to the dashboard's page (textual-serve's own page has
    the terminal take keys only once it is clicked)."""
    from aiohttp import web

    response = await handler(request)
    if isinstance(response, web.Response) and response.content_type == "text/html" and response.text:
        response.text = response.text.replace("</body>", FOCUS_SCRIPT + "\n</body>", 1)
    return response

_keys_to_the_terminal.__middleware_version__ = 1    # aiohttp: a new-style middleware (request, handler)


#: Seconds a dashboard has to quit once its server is gone, before it is ended outright.
GRACE = 5.0


def _app(argv: list[str]) -> int:
    """One browser tab's dashboard (started by textual-serve with its web driver)."""
    end_with(int(argv[2]), GRACE)     # SIGTERM when the server ends: Textual's web driver quits on it
    from .app import TrustApp

    scenario, overrides = argv[0], json.loads(argv[1])
    app = TrustApp(scenario, overrides)
    result = app.run()
    return int(result or 0) if app.return_code in (None, 0) else int(app.return_code)


if __name__ == "__main__":
    sys.exit(_app(sys.argv[1:]))
