"""Batches of runs: the one place where a batch is planned, executed, interrupted, resumed and stored.

A sweep (:mod:`sim.sweep`), a sensitivity analysis (:mod:`sim.sensitivity`) and ``trustsim check``
(:mod:`sim.check`) are designs: each says which runs it wants, what each run computes in a worker, and
what tables it makes of them. Everything else they share is here, once:

- :mod:`.runs`: a planned run (:class:`~.runs.PlannedRun`), its seed (common random numbers across a
  design's points), the scenario a worker receives;
- :mod:`.execution`: where runs execute, a local process pool or Dask (:class:`~.execution.Executor`),
  outcomes as they finish, a run that fails or kills its worker reported as that run's failure;
- :mod:`.shell`: the one loop that executes and keeps the runs, and the shell of an analysis that writes
  a folder (check the options, claim the folder, list what is left, execute, clean up after a cluster
  error, write the tables and the manifest);
- :mod:`.folder`: a folder's claim (one analysis per folder, resumed, never mixed) and one file per run;
- :mod:`.statistics`: exact Student's t quantiles and the paired effect of two sides on the same seeds;
- :mod:`.command`: the command-line options and the exit code 130 every batch command shares.

The designs never import each other. ``import sim.batch`` loads nothing.
"""

from __future__ import annotations

from pathlib import Path


class BatchInterrupted(KeyboardInterrupt):
    """Ctrl-C (or, ``terminated``, SIGTERM) during a batch, after cleanup: what was stopped, how many runs
    are kept and where."""

    def __init__(self, what: str, kept: int, total: int, where: Path | None, terminated: bool = False) -> None:
        place = f" in {where}" if where else ""
        self.terminated = terminated
        super().__init__(f"{what} {'terminated' if terminated else 'interrupted'}: {kept} of {total} runs are "
                         f"kept{place}; run the same command again to finish the rest")
