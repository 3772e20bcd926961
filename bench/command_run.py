"""The whole command, as a user types it: ``trustsim run`` in a fresh process, start-up and (with an
output folder) writing the tables included. Its wall time, its events per second and the peak RSS of
the process; prints JSON.

    python -m bench.command_run AGENTS DAYS [SPIN_UP|-] [--out]
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def measure(agents: int, days: int, spin_up: int | None = None, out: bool = False,
            scenario: str = "baseline") -> dict:
    """One run of the command (``out``: writing every table, as parquet, into a scratch folder). Its events
    are counted from the events table written, or else read from the summary line the command prints."""
    with tempfile.TemporaryDirectory(prefix="trustsim-bench-") as scratch:
        command = [sys.executable, "-m", "sim", "run", scenario, "--agents", str(agents), "--days", str(days)]
        if spin_up is not None:
            command += ["--set", f"simulation.spin_up={spin_up}"]
        if out:
            command += ["--out", str(Path(scratch) / "run"), "--quiet"]
        load = os.getloadavg()[0]
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        wall = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        if out:
            import polars as pl

            events = pl.scan_parquet(Path(scratch) / "run" / "events.parquet").select(pl.len()).collect().item()
        else:
            # "baseline: 1,000 agents, 365 days, seed 1, 94,527 events in 0.5s"
            events = int(done.stdout.splitlines()[0].split(", ")[3].split()[0].replace(",", ""))
    return {"command": " ".join(command[1:]).replace(scratch, "OUT"), "agents": agents, "days": days,
            "spin_up": spin_up, "out": out, "wall_seconds": round(wall, 2), "events": events,
            "events_per_second": round(events / wall), "peak_rss_mib": round(peak, 1), "load_before": round(load, 2)}


if __name__ == "__main__":
    agents, days = int(sys.argv[1]), int(sys.argv[2])
    spin = sys.argv[3] if len(sys.argv) > 3 else "-"
    print(json.dumps(measure(agents, days, None if spin == "-" else int(spin), "--out" in sys.argv)))
