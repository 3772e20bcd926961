"""Will a report fit? Answered before a table is read, from the row counts its manifests give.

A report reads a run's daily tables whole and draws every row of them, samples its agents and ties for the
network picture, and reads its events a window at a time. Ten million edges took over five minutes and 5 GB;
ten million days of metrics ran out of memory and aborted, leaving a staging folder behind. So each table is
held to what trustsim itself can write (a run's longest is 100,000 days; a tie is one ordered pair of agents),
and the whole to the memory available, each refused in one line, exit code 2, with the estimate, before a
file is read or a folder made. The row counts are the manifest's, and each is checked against its file
before the file is read (:meth:`sim.report.inputs.Folder.table_path`), so a manifest that understates one
is refused too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from typing import TYPE_CHECKING

from ..config import SimulationConfig
from ..resources import HEADROOM, MAX_AGENTS, TooLarge, available, size_text

if TYPE_CHECKING:
    from .inputs import Folder, Input

#: The longest run trustsim makes, in days: its daily tables hold day 0 to this day.
LONGEST = next(f.metadata["high"] for f in fields(SimulationConfig) if f.name == "days")
#: Rows of a sweep's or a sensitivity analysis's table that one figure draws: more points than a slide has
#: pixels (1920 x 1080, about two million) would show nothing more.
MAX_DRAWN = 1_000_000
#: What a report holds per row of each table it reads, generous: a daily table's row is drawn as a point
#: of some twenty lines, each kept by matplotlib and written as SVG, PNG, PDF and CSV (about 100 bytes a
#: point); a tie's ids and trust are read and indexed both ways for the walk (about 100 bytes); an agent's
#: four columns are read twice; an event is read in windows, its columns once.
ROW_BYTES = {"metrics": 2_000, "archetypes": 500, "agents": 64, "edges": 128, "events": 64,
             "summary": 2_000, "indices": 500, "hypothesis": 500, "deciders": 500}
BASE_BYTES = 400 << 20    # Python, polars, matplotlib and networkx loaded


def _too_many(folder: Folder, table: str, rows: int, most: int, why: str) -> TooLarge:
    need = rows * ROW_BYTES.get(table, 0)
    return TooLarge(f"{folder.table_name(table)}: {rows:,} rows, and a report takes at most {most:,} ({why}); "
                    f"drawing them would take about {size_text(BASE_BYTES + need)}")


def check_rows(folder: Folder) -> None:
    """Refuse a table with more rows than trustsim writes, or than a figure can show (see the module)."""
    listed = {name: folder.entry(name)[2] for name in ROW_BYTES if name in folder.manifest.get("files", {})}
    if folder.kind != "run":
        for table, rows in listed.items():
            if rows > MAX_DRAWN:
                raise _too_many(folder, table, rows, MAX_DRAWN, "more points than a slide has pixels")
        return
    archetypes = len(folder.scenario.archetypes)     # type: ignore[attr-defined]
    bounds = {"metrics": (LONGEST + 1, f"one a day, and a run lasts at most {LONGEST:,} days"),
              "archetypes": ((LONGEST + 1) * archetypes, f"one a day for each of its {archetypes} archetypes, "
                             f"and a run lasts at most {LONGEST:,} days"),
              "agents": (MAX_AGENTS, "the most agents a run may hold")}
    agents = listed.get("agents", 0)
    if agents:           # a run of no agents is refused as that, later
        bounds["edges"] = (agents * (agents - 1), f"one tie for each ordered pair of its {agents:,} agents")
    for table, (most, why) in bounds.items():
        if listed.get(table, 0) > most:
            raise _too_many(folder, table, listed[table], most, why)


def check_memory(inputs: Sequence[Input]) -> None:
    """Refuse a report whose tables cannot be held in the memory available, with the estimate."""
    need = BASE_BYTES
    for found in inputs:
        files = getattr(found, "manifest", {}).get("files", {})
        need += sum(found.entry(name)[2] * per_row for name, per_row in ROW_BYTES.items()  # type: ignore[union-attr]
                    if name in files)
    room = available()
    if need > HEADROOM * room:
        shown = " and ".join(str(found.path) for found in inputs)
        raise TooLarge(f"{shown}: a report of these tables would take about {size_text(need)}, and this machine "
                       f"has {size_text(room)} available")
