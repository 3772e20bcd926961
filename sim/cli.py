"""The ``trustsim`` command: run, list, show, sweep, check, and the dashboard (the default, or in a browser).

This is the only code that knows the dashboard exists (``tui``, imported when it is asked for). Heavy
packages load where a command first needs them, so ``trustsim --help``, ``list`` and ``show`` answer at
once. Bad input of any kind ends with one line on stderr naming the problem and exit code 2 (every
:class:`~sim.errors.TrustsimError`); exit code 1 is kept for real internal errors.
"""

from __future__ import annotations

import argparse
import math
import shutil
import signal
import sys
import textwrap
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from . import __version__, config, options
from .batch import BatchInterrupted
from .batch.command import add_executor_options
from .errors import TrustsimError, UsageError
from .files import FORMATS
from .lifetime import TERMINATED, exit_code, sigterm_as_interrupt
from .sensitivity import command as sensitivity_command
from .sweep import command as sweep_command
from .validation import printable

if TYPE_CHECKING:
    from .engine import Simulation

SPARKS = "▁▂▃▄▅▆▇█"


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


def summary(sim: Simulation, elapsed: float) -> str:
    """Final network measures, each with a sparkline of its daily course."""
    from .measures import NETWORK_MEASURES

    history = sim.metrics_history()
    lines = [f"{sim.scenario.name}: {sim.population.size:,} agents, {sim.day} days, seed "
             f"{sim.scenario.simulation.seed}, {len(sim.log):,} events in {elapsed:.1f}s"]
    for measure in NETWORK_MEASURES:
        series = history[measure.name]
        value = series[-1]
        text = "n/a" if value != value else f"{int(value):,}" if measure.count else f"{value:.3f}"
        lines.append(f"  {measure.name:<18} {text:>10}  {sparkline(series.tolist())}")
    return "\n".join(lines)


@contextmanager
def interrupt_between_days() -> Iterator[list[bool]]:
    """Ctrl-C while a run is simulating takes effect at the end of the current day.

    An interrupt raised inside a compiled kernel surfaces as a ``SystemError`` from numba's dispatcher;
    so the handler only notes it, and the run's day callback raises ``KeyboardInterrupt`` at a safe
    point (a second Ctrl-C interrupts at once).
    """
    pressed = [False]
    previous = signal.getsignal(signal.SIGINT)

    def note(signum: int, frame: object) -> None:
        if pressed[0]:
            raise KeyboardInterrupt
        pressed[0] = True

    if previous is signal.SIG_IGN:      # started in the background by a shell: leave it be
        yield pressed
        return
    signal.signal(signal.SIGINT, note)
    try:
        yield pressed
    finally:
        signal.signal(signal.SIGINT, previous)


def cmd_run(args: argparse.Namespace) -> int:
    from .engine import Simulation
    from .exports import export
    from .files import output_folder
    from .progress import Progress
    from .runs import remove_stale, run_folder

    scenario = config.load(args.scenario, options.overrides(args))
    out = output_folder(args.out) if args.out is not None else None
    with run_folder(out, overwrite=args.overwrite) if out is not None else nullcontext() as earlier:
        started = time.monotonic()
        spin_up = scenario.simulation.spin_up   # the days before day 0 are work too: one bar for both
        with Progress(scenario.name, spin_up + scenario.simulation.days, "days", enabled=not args.quiet) as bar, \
                interrupt_between_days() as pressed:
            def each_day(day: int, days: int) -> None:
                if pressed[0]:
                    raise KeyboardInterrupt
                bar.update(day)

            sim = Simulation(scenario, spin_up_progress=each_day, exporting=out is not None).run(
                lambda day, _: each_day(spin_up + day, 0))
        elapsed = time.monotonic() - started
        written = export(sim, out, args.format, command=["trustsim", *sys.argv[1:]]) if out is not None else {}
        changed = remove_stale(out, earlier, written) if out is not None else []
    if changed:
        print(f"trustsim: left {', '.join(changed)} in {out}: changed since the earlier run wrote them",
              file=sys.stderr)
    if not args.quiet:
        print(summary(sim, elapsed))
        if written:
            print(f"  wrote {', '.join(p.name for p in written.values())} to {out}/")
        else:
            print("  nothing was saved (add --out DIR to write the tables)")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    """Each scenario's name, its description, and its claims with their recorded verdicts, wrapped to the
    terminal (at most 100 columns; 100 into a file or a pipe, so what is saved does not depend on the
    window it was typed in)."""
    from . import claims

    width = min(100, shutil.get_terminal_size((100, 24)).columns) if sys.stdout.isatty() else 100
    for name in config.available():
        scenario = config.load(name)
        text = printable(" ".join(scenario.scenario.description.split()))
        print(name)
        print(textwrap.fill(text, width=width, initial_indent="    ", subsequent_indent="    "))
        # what it shows is its claims' recorded verdicts, never its description's words
        print(textwrap.fill(claims.summary(name), width=width, initial_indent="    ", subsequent_indent="    "))
        for line in claims.lines(name):
            print(textwrap.fill(printable(line), width=width, initial_indent="      - ",
                                subsequent_indent="        "))
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    scenario = config.load(args.scenario, options.overrides(args))
    sys.stdout.write(config.to_toml(scenario))
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from . import check

    names = args.scenarios or config.available()
    trials = check.plan(names, replicates=args.replicates, seed=args.seed, agents=args.agents, days=args.days,
                        overrides=options.overrides(args, shortcuts=()), robust=args.robust)
    cache = None if args.no_cache else (Path(args.cache) if args.cache else check.default_cache())
    result = check.run(trials, workers=args.workers, dask=args.dask, cache=cache,
                       progress=not (args.quiet or args.json or args.markdown))
    if args.json:
        print(check.as_json(result.rows))
    elif args.markdown:
        print(check.markdown(result.rows))
    else:
        print(check.table(result.rows))
        if not args.quiet:
            print(f"{result.ran} runs run now, {result.cached} from the cache, in {result.seconds:.1f}s")
    if result.failures:
        print(f"trustsim: {len(result.failures)} runs failed; their hypotheses do not hold", file=sys.stderr)
    return result.exit_code


def cmd_report(args: argparse.Namespace) -> int:
    from .report.command import main as report_main

    return report_main(args.paths, args.out)


def _screen(what: str, instead: str, load: Callable[[], Callable[..., int]]) -> Callable[..., int]:
    """The ``main`` of one of the dashboard's screens (``load`` imports it), once it is sure there is a
    terminal to draw on."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError(f"the {what} needs a terminal (output is going to a file or a pipe); {instead}")
    try:
        return load()
    except ImportError as exc:
        raise UsageError(f"the {what} is not available: {exc}") from None


def cmd_tui(args: argparse.Namespace) -> int:
    def load() -> Callable[..., int]:
        from tui.app import main
        return main

    return _screen("dashboard", "use `trustsim run` for a headless run", load)(args.scenario, options.overrides(args))


def cmd_story(args: argparse.Namespace) -> int:
    from .story import Story

    scenario = config.load(args.scenario, options.overrides(args))
    Story(scenario)             # a scenario that states no hypotheses has no story: one line, exit 2

    def load() -> Callable[..., int]:
        from tui.story import main
        return main

    return _screen("story", "`trustsim serve` shows it in a browser (key t)", load)(scenario)


def cmd_serve(args: argparse.Namespace) -> int:
    try:
        from tui.serve import serve
    except ImportError as exc:
        raise UsageError(f"the browser dashboard is not available: {exc}") from None
    return serve(args.scenario, options.overrides(args), host=args.host, port=args.port)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="trustsim", description="Simulate how trust lives and dies in a social network.")
    parser.add_argument("--version", action="version", version=f"trustsim {__version__}")
    commands = parser.add_subparsers(dest="command", parser_class=_Parser)

    run = commands.add_parser("run", help="run a scenario headless and export its tables",
                              description="Run a scenario headless and export its tables.")
    run.add_argument("scenario", metavar="SCENARIO", help=options.SCENARIO_HELP)
    options.add_scenario_options(run)
    run.add_argument("--out", metavar="DIR", help="write the tables (metrics, archetypes, agents, reputations, "
                     "events, edges) and manifest.json here; an empty or new folder")
    run.add_argument("--overwrite", action="store_true",
                     help="--out may hold an earlier `trustsim run`: replace it entirely (never a sweep)")
    run.add_argument("--format", choices=FORMATS, default="parquet", help="table format (default parquet)")
    run.add_argument("--quiet", action="store_true", help="print nothing but errors (no progress bar, no summary)")
    run.set_defaults(handler=cmd_run)

    listing = commands.add_parser("list", help="list the scenarios with one line each",
                                  description="List the scenarios with one line each.")
    listing.set_defaults(handler=cmd_list)

    show = commands.add_parser("show", help="print the fully resolved scenario as TOML",
                               description="Print the scenario with every default and override resolved, as "
                                           "TOML that reproduces the run.")
    show.add_argument("scenario", metavar="SCENARIO", help=options.SCENARIO_HELP)
    options.add_scenario_options(show)
    show.set_defaults(handler=cmd_show)

    tui = commands.add_parser("tui", help="open the live dashboard (the default)",
                              description="Open the live dashboard in this terminal (what `trustsim` alone does).")
    tui.add_argument("scenario", metavar="SCENARIO", nargs="?", default=None,
                     help=options.SCENARIO_HELP + " (default: baseline)")
    options.add_scenario_options(tui)
    tui.set_defaults(handler=cmd_tui)

    story = commands.add_parser(
        "story", help="tell a scenario's hypotheses as they become visible, run beside their controls (for a talk)",
        description="Play the scenario beside the runs its hypotheses compare it with (the same seed on every "
                    "side) and tell each hypothesis when its measure separates from its comparison: the gap "
                    "beyond the hypothesis's margin on 7 days in a row. The run pauses on each moment; → (or "
                    "PageDown) goes on, ← (PageUp) goes back, and the end card gives every hypothesis's "
                    "recorded verdict. Also the dashboard's key t, and in `trustsim serve`.")
    story.add_argument("scenario", help=options.SCENARIO_HELP + " (one that states [[hypotheses]])")
    options.add_scenario_options(story)
    story.set_defaults(handler=cmd_story)

    serve = commands.add_parser(
        "serve", help="the live dashboard in a web browser (for a projector)",
        description="Serve the dashboard on a web page: each browser tab that opens it gets its own run. "
                    "The page needs no network (textual-serve ships its scripts). Ctrl-C stops the server.")
    serve.add_argument("scenario", metavar="SCENARIO", nargs="?", default=None,
                       help=options.SCENARIO_HELP + " (default: baseline)")
    options.add_scenario_options(serve)
    serve.add_argument("--host", default="127.0.0.1", help="the address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="the port to listen on (default 8000)")
    serve.set_defaults(handler=cmd_serve)

    sweep_command.add_parser(commands)
    sensitivity_command.add_parser(commands)

    check = commands.add_parser(
        "check", help="test each scenario's hypotheses against their comparisons (mechanisms switched off)",
        description="Run every hypothesis the scenarios state, on paired seeds, and say which hold: the "
                    "whole 95% interval of the effect must lie beyond the minimal effect in the stated "
                    "direction. Exit 0 when all hold, 1 when one does not, 2 for bad input.")
    check.add_argument("scenarios", nargs="*", metavar="SCENARIO",
                       help="scenario names or TOML files (default: every scenario of `trustsim list`)")
    check.add_argument("--replicates", type=int, metavar="R",
                       help="paired seeds per hypothesis (default: each hypothesis's own `seeds`)")
    check.add_argument("--seed", type=int, metavar="N", help="base seed (default: each hypothesis's own)")
    check.add_argument("--agents", type=int, metavar="N",
                       help="run smaller or larger than the scenarios say (the verdicts that count are "
                            "at the defaults)")
    check.add_argument("--days", type=int, metavar="N",
                       help="run every hypothesis for N days instead of its own horizon (the verdicts that "
                            "count are at the defaults)")
    check.add_argument("--set", action="append", metavar="KEY=VALUE",
                       help="override a scenario key on both sides of every comparison, e.g. --set "
                            "trust.forgetting=0.99 (repeatable; a value is a TOML literal)")
    check.add_argument("--robust", action="store_true",
                       help="also run every hypothesis at twice its horizon and at four times its agents, "
                            "and say whether it holds there too (about six times the work; cached like the rest)")
    add_executor_options(check, "the check")
    check.add_argument("--cache", metavar="DIR", help="where finished runs are kept, so a check resumes "
                       "(default: ~/.cache/trustsim/check)")
    check.add_argument("--no-cache", action="store_true", help="keep nothing; run everything")
    output = check.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="the rows as JSON")
    output.add_argument("--markdown", action="store_true", help="the rows as a Markdown table")
    check.add_argument("--quiet", action="store_true",
                       help="no progress bar (the verdicts are still printed: they are the output)")
    check.set_defaults(handler=cmd_check)

    report = commands.add_parser(
        "report", help="turn a run, two runs, a sweep, a sensitivity analysis or check --json output into "
                       "figures and an HTML page",
        description="Draw slide-ready figures (SVG, PNG, PDF, and each figure's data as CSV) and one "
                    "self-contained HTML page from exported results: a run folder; two run folders (A "
                    "against B, and B - A); a sweep folder; a sensitivity folder; or the output of "
                    "`trustsim check --json`.")
    report.add_argument("paths", nargs="+", metavar="PATH", help="a run, sweep or sensitivity folder, or a "
                        "check JSON file; two run folders to compare them")
    report.add_argument("--out", metavar="DIR", help="where to write (default: next to the input, e.g. "
                        "RUN/report/); an earlier report there is replaced, anything else is refused")
    report.set_defaults(handler=cmd_report)
    return parser


#: Commands that handle their own signals: the dashboard, and the server (which stops at once on SIGTERM).
OWN_SIGNALS = ("tui", "serve")


def _stopped(stop: KeyboardInterrupt) -> int:
    """Ctrl-C or SIGTERM, once cleaned up after: one line, and exit code 130 or 143."""
    if isinstance(stop, BatchInterrupted):        # a batch keeps its finished runs, and says how many
        print(f"trustsim: {stop}", file=sys.stderr)
    else:
        said = "terminated" if exit_code(stop) == TERMINATED else "interrupted"
        print(f"trustsim: {said}; nothing was written", file=sys.stderr)
    return exit_code(stop)


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
        # SIGTERM cleans up as Ctrl-C does and exits 143, but for the commands that handle it their own way
        with sigterm_as_interrupt(args.command not in OWN_SIGNALS):
            return args.handler(args)
    except TrustsimError as exc:
        message = printable(" ".join(str(exc).split("\n")))   # one line, and harmless, whatever the input held
        print(message if message.startswith("trustsim") else f"trustsim: {message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as stop:
        return _stopped(stop)
    except SystemError as exc:
        # an interrupt that landed inside a compiled kernel (numba reports it this way)
        cause = exc.__cause__ or exc.__context__
        if isinstance(cause, KeyboardInterrupt):
            return _stopped(cause)
        raise
    except BrokenPipeError:
        return 0
