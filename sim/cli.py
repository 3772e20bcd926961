"""The ``trustsim`` command: run, list, show (and the dashboard and sweeps when they are installed).

Bad input of any kind ends with one line on stderr naming the problem and exit code 2; exit code 1 is
kept for real internal errors.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn, TextIO

from . import config
from .config import ScenarioError
from .engine import Simulation
from .export import FORMATS, ExportError, check_writable, discard_created, export
from .metrics import COUNT_METRICS, METRICS

SPARKS = "▁▂▃▄▅▆▇█"


class UsageError(Exception):
    """Bad command-line usage (exit code 2)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message}")


def sparkline(values: Sequence[float], width: int = 24) -> str:
    """A tiny chart of a series, downsampled to ``width`` characters (NaN shows as a space)."""
    values = list(values)
    if not values:
        return ""
    step = max(1, math.ceil(len(values) / width))
    points = [values[i] for i in range(0, len(values), step)]
    if points[-1] is not values[-1]:
        points[-1] = values[-1]
    finite = [v for v in points if v == v]
    if not finite:
        return " " * len(points)
    low, high = min(finite), max(finite)
    span = high - low
    return "".join(" " if v != v else SPARKS[0 if span == 0 else min(7, int((v - low) / span * 7.999))]
                   for v in points)


class Progress:
    """A one-line progress bar on a terminal, shown only once a run has taken about a second."""

    def __init__(self, stream: TextIO, enabled: bool, label: str) -> None:
        self.stream, self.enabled, self.label = stream, enabled and stream.isatty(), label
        self.start = time.monotonic()
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        elapsed = time.monotonic() - self.start
        if not self.enabled or (elapsed < 1.0 and not self.shown) or (done < total and done % 2):
            return
        self.shown = True
        width = 30
        filled = int(width * done / max(total, 1))
        eta = elapsed / max(done, 1) * (total - done)
        self.stream.write(f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] day {done}/{total}"
                          f"  {elapsed:5.1f}s  eta {eta:5.1f}s ")
        self.stream.flush()

    def close(self) -> None:
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()


def _overrides(args: argparse.Namespace) -> dict:
    overrides = dict(config.parse_override(item) for item in args.set or [])
    for key in ("agents", "days", "seed"):
        value = getattr(args, key, None)
        if value is not None:
            overrides[f"simulation.{key}"] = value
    return overrides


def _format_value(name: str, value: float) -> str:
    if value != value:
        return "n/a"
    return f"{int(value):,}" if name in COUNT_METRICS else f"{value:.3f}"


def summary(sim: Simulation, elapsed: float) -> str:
    """Final network measures, each with a sparkline of its daily course."""
    history = sim.metrics_history()
    lines = [f"{sim.scenario.name}: {sim.population.size:,} agents, {sim.day} days, seed "
             f"{sim.scenario.simulation.seed}, {len(sim.log):,} events in {elapsed:.1f}s"]
    for name in METRICS:
        series = history[name]
        lines.append(f"  {name:<18} {_format_value(name, series[-1]):>10}  {sparkline(series.tolist())}")
    return "\n".join(lines)


def cmd_run(args: argparse.Namespace) -> int:
    scenario = config.load(args.scenario, _overrides(args))
    out = Path(args.out) if args.out else None
    created = check_writable(out) if out is not None else None
    started = time.monotonic()
    progress = Progress(sys.stderr, not args.quiet, scenario.name)
    try:
        try:
            sim = Simulation(scenario).run(progress)
        finally:
            progress.close()
        elapsed = time.monotonic() - started
        written = export(sim, out, args.format) if out is not None else {}
    except BaseException:
        if out is not None:
            discard_created(created, out)   # a failed or interrupted run leaves nothing behind
        raise
    if not args.quiet:
        print(summary(sim, elapsed))
        if written:
            print(f"  wrote {', '.join(p.name for p in written.values())} to {out}/")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    names = config.available()
    width = max(map(len, names), default=0)
    for name in names:
        scenario = config.load(name)
        first = scenario.scenario.description.strip().split(". ")[0].rstrip(".")
        print(f"{name:<{width}}  {first}.")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    scenario = config.load(args.scenario, _overrides(args))
    sys.stdout.write(config.to_toml(scenario))
    return 0


def cmd_tui(args: argparse.Namespace) -> int:
    try:
        from tui.app import main as tui_main
    except ImportError as exc:
        raise UsageError(f"the dashboard is not available: {exc}") from None
    return tui_main(args.scenario, _overrides(args))


def _add_scenario_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seed", type=int, help="root seed (simulation.seed)")
    parser.add_argument("--agents", type=int, help="number of agents (simulation.agents)")
    parser.add_argument("--days", type=int, help="days to simulate (simulation.days)")
    parser.add_argument("--set", action="append", metavar="KEY=VALUE",
                        help="override any scenario key, e.g. --set trust.asymmetry=4 (repeatable)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="trustsim", description="Simulate how trust lives and dies in a social network.")
    commands = parser.add_subparsers(dest="command", parser_class=_Parser)

    run = commands.add_parser("run", help="run a scenario headless and export its tables")
    run.add_argument("scenario", help="a scenario name (see `trustsim list`) or a path to a TOML file")
    _add_scenario_options(run)
    run.add_argument("--out", metavar="DIR", help="write metrics, archetypes, agents, events, edges here")
    run.add_argument("--format", choices=FORMATS, default="parquet", help="table format (default parquet)")
    run.add_argument("--quiet", action="store_true", help="no progress bar and no summary")
    run.set_defaults(handler=cmd_run)

    listing = commands.add_parser("list", help="list the scenarios with one line each")
    listing.set_defaults(handler=cmd_list)

    show = commands.add_parser("show", help="print the fully resolved scenario as TOML")
    show.add_argument("scenario")
    _add_scenario_options(show)
    show.set_defaults(handler=cmd_show)

    tui = commands.add_parser("tui", help="open the live dashboard (the default)")
    tui.add_argument("scenario", nargs="?", default=None)
    _add_scenario_options(tui)
    tui.set_defaults(handler=cmd_tui)

    try:
        from .sweep import add_parser as add_sweep_parser
    except ImportError:
        pass
    else:
        add_sweep_parser(commands, _add_scenario_options)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        parser = build_parser()
        if not argv:
            argv = ["tui"]
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return 2
        return args.handler(args)
    except (ScenarioError, ExportError, UsageError) as exc:
        print(f"trustsim: {exc}" if not str(exc).startswith("trustsim") else str(exc), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("trustsim: interrupted; nothing was written", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
