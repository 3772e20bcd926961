"""``make bench``: engine speed and memory against bare SimPy, then sweeps, sensitivity analysis and the
dashboard if present.

Every measurement (bare SimPy included) runs in a fresh process, so that each starts from the same
clean heap and its peak RSS is its own. Bare SimPy is read between the engine runs (four readings in
all); the 10,000-agent run is repeated three times. Ratios are quoted against the median SimPy reading
and against the fastest, and the target is judged on the fastest. Prints one JSON document.
Options: ``--quick`` (10,000 agents only, 120 days) for a fast look. Each step is named on stderr as it
starts.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys


def _say(step: str) -> None:
    """Name the step about to run on stderr (the JSON goes to stdout): a run of many minutes is never silent."""
    print(f"bench: {step} …", file=sys.stderr, flush=True)


def _fresh(module: str, *args: str) -> dict:
    _say(" ".join([module.removeprefix("bench."), *args]))
    output = subprocess.run([sys.executable, "-m", module, *args], capture_output=True, text=True, check=True)
    return json.loads(output.stdout)


def engine_run(agents: int, days: int, repeats: int = 1) -> dict:
    """The median-wall run of ``repeats`` fresh-process runs (with every wall time measured)."""
    runs = sorted((_fresh("bench.engine_run", str(agents), str(days)) for _ in range(repeats)),
                  key=lambda run: run["wall_seconds"])
    median = runs[len(runs) // 2]
    return {**median, "wall_seconds_all": [run["wall_seconds"] for run in runs]}


def main() -> None:
    quick = "--quick" in sys.argv
    days = 120 if quick else 365
    sizes = (10_000,) if quick else (10_000, 100_000)
    # bare SimPy is read between the engine runs, not all before them: the machine's speed drifts, and
    # the ratio should compare the two under the same conditions
    simpy_rates, runs = [], []
    for agents in sizes:
        repeats = 3 if agents <= 10_000 else 1
        simpy_rates += [_fresh("bench.bare_simpy")["events_per_second"] for _ in range(repeats)]
        runs.append(engine_run(agents, days, repeats))
    simpy_rates.append(_fresh("bench.bare_simpy")["events_per_second"])
    simpy_rates.sort()
    simpy_rate = simpy_rates[len(simpy_rates) // 2]
    for run in runs:
        run["ratio_to_bare_simpy"] = round(run["events_per_second"] / simpy_rate, 3)
        # the least flattering reading: against the fastest bare SimPy seen in this benchmark
        run["ratio_to_fastest_bare_simpy"] = round(run["events_per_second"] / simpy_rates[-1], 3)
    report: dict = {"bare_simpy_events_per_second": simpy_rate, "bare_simpy_all": simpy_rates, "engine": runs}
    if len(runs) == 2:
        small, large = runs
        agent_ratio = large["agents"] / small["agents"]
        time_ratio = large["wall_seconds"] / small["wall_seconds"]
        report["scaling"] = {
            "agents_ratio": agent_ratio, "time_ratio": round(time_ratio, 2),
            "exponent": round(math.log(time_ratio) / math.log(agent_ratio), 3),
            "targets": {"ratio_to_bare_simpy>=0.3": all(r["ratio_to_fastest_bare_simpy"] >= 0.3 for r in runs),
                        "peak_rss_100k<2GiB": large["peak_rss_mib"] < 2048,
                        "time_at_most_linear": time_ratio <= agent_ratio},
        }
    for name, module in (("sweep", "bench.sweep_bench"), ("sensitivity", "bench.sensitivity_bench"),
                         ("dashboard", "bench.dashboard_bench"), ("report", "bench.report_bench")):
        try:
            measure = __import__(module, fromlist=["measure"]).measure
        except ImportError:
            continue
        _say(name)
        report[name] = measure()
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
