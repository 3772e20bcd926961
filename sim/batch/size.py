"""Will a batch fit? Answered from its size alone, before a point is validated, a seed drawn or a sample
taken, as :func:`sim.resources.check_fits` answers it for one run.

A batch holds its plan (every point's scenario and every run's seed and id) and, to write its tables,
every finished run's daily measures, three times over (each run's frame, the joined table, the summary).
``--replicates 1000000000`` grew past 800 MB a minute and an 8-million-point grid would have validated
for days before either ran out of memory: now each is one line that says how large it is, exit code 2.
The estimate is generous (each term an upper bound of its kind, measured on the baseline scenario).
"""

from __future__ import annotations

from ..resources import HEADROOM, TooLarge, available, size_text

POINT_BYTES = 16_000         # a validated point: its scenario, overrides and digest (about 10 kB measured)
PLANNED_RUN_BYTES = 400      # a planned run: id, seed, values (about 250 bytes measured)
DAY_BYTES = 3 * 150          # one run's day of measures (~150 bytes a row), held three times over
MAX_RUNS = 10_000_000        # the most runs one batch may plan


def check_batch(what: str, points: int, replicates: int, days: int) -> None:
    """Refuse (:class:`~sim.resources.TooLarge`) a batch of ``points`` x ``replicates`` runs of ``days`` days
    that plans more than :data:`MAX_RUNS` runs or whose plan and tables cannot fit in the memory available."""
    runs = points * replicates
    shape = f"{runs:,} runs ({points:,} point{'s' * (points != 1)} x {replicates:,} replicates)"
    if runs > MAX_RUNS:
        raise TooLarge(f"{what}: {shape} is too many: at most {MAX_RUNS:,} runs in one batch")
    needed = points * POINT_BYTES + runs * (PLANNED_RUN_BYTES + (days + 1) * DAY_BYTES)
    room = available()
    if needed > HEADROOM * room:
        raise TooLarge(f"{what}: {shape} of {days:,} days cannot fit in memory: its plan and tables would take "
                       f"about {size_text(needed)}, and this machine has {size_text(room)} available")
