"""What every batch command (``sweep``, ``sensitivity``, ``check``) shares on the command line: where it
runs (``--workers``, ``--dask``) and where it writes (``--out``, ``--format``, ``--quiet``).

An interrupted batch (Ctrl-C, or SIGTERM) raises :class:`~sim.batch.BatchInterrupted` once its workers
are stopped and its finished runs kept; the command line says so in one line and exits with 130 (143).

Building the parsers imports nothing heavy.
"""

from __future__ import annotations

import argparse

from ..errors import UsageError
from ..files import FORMATS


def add_executor_options(parser: argparse.ArgumentParser, what: str) -> None:
    """``--workers`` and ``--dask`` (``what`` names the batch in the help: "the sweep")."""
    parser.add_argument("--workers", type=int, metavar="W",
                        help="local worker processes (default: the machine's cores); with --dask local, "
                             "the LocalCluster's workers")
    parser.add_argument("--dask", metavar="ADDRESS|local",
                        help=f"run on the Dask scheduler at ADDRESS (tcp://host:8786), or on a LocalCluster "
                             f"started for {what} ('local'); needs pip install 'trustsim[cluster]'")


def add_output_options(parser: argparse.ArgumentParser, out_help: str) -> None:
    """``--out DIR`` (required), ``--format`` and ``--quiet``."""
    parser.add_argument("--out", required=True, metavar="DIR", help=out_help)
    parser.add_argument("--format", choices=FORMATS, default="parquet", help="table format (default parquet)")
    parser.add_argument("--quiet", action="store_true", help="print nothing but errors (no progress bar, no summary)")


def require_out(out: str, what: str) -> None:
    """An empty ``--out`` is refused before anything is read or run."""
    if not out.strip():
        raise UsageError(f"--out: the path is empty; give the folder to write {what} to")
