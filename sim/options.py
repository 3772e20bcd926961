"""The command-line options every scenario command shares, and the one place they become overrides.

``--set KEY=VALUE`` takes any dotted scenario key; ``--agents``, ``--days`` and ``--seed`` are short
for ``simulation.agents``, ``simulation.days`` and ``simulation.seed``.
"""

from __future__ import annotations

import argparse
from typing import Any

from .config import parse_override

SHORTCUTS = ("agents", "days", "seed")
SCENARIO_HELP = "a scenario name (see `trustsim list`) or a path to a scenario TOML file"


#: What ``--seed`` means to a command that runs many seeds (a sweep, a sensitivity analysis).
BASE_SEED_HELP = ("base seed: replicate r runs on child r of numpy's SeedSequence(N) at every point "
                  "(default: the scenario's simulation.seed)")


def add_scenario_options(parser: argparse.ArgumentParser, seed_help: str | None = None) -> None:
    """``--seed``, ``--agents``, ``--days`` and ``--set`` (repeatable).

    ``seed_help`` says what ``--seed`` means where it is not one run's seed (see :data:`BASE_SEED_HELP`).
    """
    parser.add_argument("--seed", type=int, metavar="N",
                        help=seed_help or "root seed (simulation.seed; wins over --set; default: the scenario's, "
                                          "see `trustsim show`)")
    parser.add_argument("--agents", type=int, metavar="N",
                        help="number of agents (simulation.agents; wins over --set; default: the scenario's)")
    parser.add_argument("--days", type=int, metavar="N",
                        help="days to simulate (simulation.days; wins over --set; default: the scenario's)")
    parser.add_argument("--set", action="append", metavar="KEY=VALUE",
                        help="override any scenario key, e.g. --set trust.asymmetry=4 (repeatable; a value is "
                             "a TOML literal)")


def overrides(args: argparse.Namespace, shortcuts: tuple[str, ...] = SHORTCUTS) -> dict[str, Any]:
    """``--set`` and the given shortcut options as dotted overrides (a shortcut wins over ``--set``)."""
    found = dict(parse_override(item) for item in getattr(args, "set", None) or [])
    for key in shortcuts:
        value = getattr(args, key, None)
        if value is not None:
            found[f"simulation.{key}"] = value
    return found
