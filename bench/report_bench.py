"""``python -m bench.report_bench``: how long a report of a 10,000-agent, 365-day run takes, and how large
its HTML is. Prints one JSON document.

The run is made once (``broken_promises``, seed 1, parquet); the report is then written ``--repeats``
times (default 3), each in a fresh process so that each pays matplotlib's import as a user does, and the
median wall time is quoted with every reading. Options: ``--agents N --days N --repeats N``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SCENARIO = "broken_promises"
WRITE = "import sys; from sim import report; report.write([sys.argv[1]], sys.argv[2])"


def make_run(folder: Path, agents: int, days: int) -> None:
    subprocess.run([sys.executable, "-m", "sim", "run", SCENARIO, "--agents", str(agents), "--days", str(days),
                    "--out", str(folder), "--quiet"], check=True)


def one_report(run: Path, out: Path) -> float:
    """Wall seconds of one report written by a fresh process (import included)."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", WRITE, str(run), str(out)], check=True)
    return time.perf_counter() - started


def measure(agents: int = 10_000, days: int = 365, repeats: int = 3) -> dict:
    """The median wall time of ``repeats`` reports of one run, and the sizes of what they write."""
    with tempfile.TemporaryDirectory(prefix="trustsim-report-bench-") as temp:
        run = Path(temp) / "run"
        make_run(run, agents, days)
        walls = sorted(one_report(run, Path(temp) / f"report{i}") for i in range(repeats))
        out = Path(temp) / "report0"
        figures = sorted((out / "figures").glob("*.svg"))
        sizes = {fmt: sum(p.stat().st_size for p in (out / "figures").glob(f"*.{fmt}")) for fmt in
                 ("svg", "png", "pdf", "csv")}
        return {
            "scenario": SCENARIO, "agents": agents, "days": days, "figures": len(figures),
            "wall_seconds": round(walls[len(walls) // 2], 2), "wall_seconds_all": [round(w, 2) for w in walls],
            "html_bytes": (out / "report.html").stat().st_size,
            "figure_bytes": sizes,
            "run_folder_bytes": sum(p.stat().st_size for p in run.iterdir() if p.is_file()),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(json.dumps(measure(args.agents, args.days, args.repeats), indent=2))


if __name__ == "__main__":
    main()
