"""``make bench``: engine speed and memory against bare SimPy, ``trustsim check`` at its defaults, a
million agents for a year, then sweeps, sensitivity analysis, the dashboard and reports.

Every measurement (bare SimPy included) runs in a fresh process, so that each starts from the same
clean heap and its peak RSS is its own. Bare SimPy is read between the engine runs, not all before
them, because these machines are shared and their speed drifts; ratios are quoted against the median
SimPy reading and against the fastest, and the target is judged on the fastest. Each engine size is
measured as a run is made (the 730-day spin-up included, which simulates three times the days a run
records) and with ``simulation.spin_up = 0``, and at 1,000 agents also in-process after warm-up (the
kernels already loaded, as in a notebook or a sweep worker). Prints one JSON document; every figure carries the
machine's 1-minute load when it was taken.

Options: ``--quick`` (1,000 and 10,000 agents, no check and no million), ``--no-million``. Each step is
named on stderr as it starts.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys


def _say(step: str) -> None:
    """Name the step about to run on stderr (the JSON goes to stdout): a run of many minutes is never silent."""
    print(f"bench: {step} …", file=sys.stderr, flush=True)


def _fresh(module: str, *args: str) -> dict:
    _say(" ".join([module.removeprefix("bench."), *args]))
    output = subprocess.run([sys.executable, "-m", module, *args], capture_output=True, text=True, check=True)
    return json.loads(output.stdout)


def engine_run(agents: int, days: int, repeats: int = 1, spin_up: int | None = None) -> dict:
    """The median-wall run of ``repeats`` fresh-process runs (with every wall time measured)."""
    extra = ("baseline", str(spin_up)) if spin_up is not None else ()
    runs = sorted((_fresh("bench.engine_run", str(agents), str(days), *extra) for _ in range(repeats)),
                  key=lambda run: run["wall_seconds"])
    median = runs[len(runs) // 2]
    return {**median, "wall_seconds_all": [run["wall_seconds"] for run in runs]}


def main() -> None:
    quick = "--quick" in sys.argv
    million = not quick and "--no-million" not in sys.argv
    days = 365
    sizes = (1_000, 10_000) if quick else (1_000, 10_000, 100_000)
    # bare SimPy is read between the engine runs, not all before them: the machine's speed drifts, and
    # the ratio should compare the two under the same conditions
    simpy_rates, runs = [], []
    for agents in sizes:
        repeats = 3 if agents <= 10_000 else 1
        simpy_rates += [_fresh("bench.bare_simpy")["events_per_second"] for _ in range(repeats)]
        runs.append(engine_run(agents, days, repeats))
        runs.append(engine_run(agents, days, repeats, spin_up=0))
    simpy_rates.append(_fresh("bench.bare_simpy")["events_per_second"])
    simpy_rates.sort()
    simpy_rate = simpy_rates[len(simpy_rates) // 2]

    def ratios(run: dict) -> dict:
        return {**run, "ratio_to_bare_simpy": round(run["events_per_second"] / simpy_rate, 3),
                # the least flattering reading: against the fastest bare SimPy seen in this benchmark
                "ratio_to_fastest_bare_simpy": round(run["events_per_second"] / simpy_rates[-1], 3)}

    report: dict = {"bare_simpy_events_per_second": simpy_rate, "bare_simpy_all": simpy_rates,
                    "cores": os.cpu_count(), "engine": [ratios(run) for run in runs]}
    # issue 20's first figure: 1,000 agents in-process, the kernels already loaded (a notebook, a worker)
    in_process = _fresh("bench.inprocess_run", "1000", str(days))
    report["in_process"] = {**in_process, "runs": [ratios(run) for run in in_process["runs"]]}

    def command(agents: int, spin_up: int | None, *out: str) -> dict:
        # in a process of its own, whose one child is the command: its peak RSS is that command's
        return _fresh("bench.command_run", str(agents), str(days), "-" if spin_up is None else str(spin_up), *out)

    report["command"] = [ratios(command(10_000, None, "--out")), ratios(command(10_000, 0, "--out"))]
    recorded = {(r["agents"], r["spin_up"]): r for r in runs}
    if (100_000, 730) in recorded:
        small, large = recorded[(10_000, 730)], recorded[(100_000, 730)]
        time_ratio = large["wall_seconds"] / small["wall_seconds"]
        report["scaling"] = {
            "agents_ratio": 10, "time_ratio": round(time_ratio, 2),
            "exponent": round(math.log(time_ratio) / math.log(10), 3),
            "targets": {
                "events_per_s_1000_agents>=bare_simpy": {
                    str(spin): recorded[(1_000, spin)]["events_per_second"] >= simpy_rates[-1] for spin in (730, 0)},
                "events_per_s_1000_agents_in_process>=bare_simpy": {
                    str(run["spin_up"]): run["events_per_second"] >= simpy_rates[-1] for run in in_process["runs"]},
                "command_10000_agents>=bare_simpy": {
                    "default" if c["spin_up"] is None else str(c["spin_up"]): c["events_per_second"] >= simpy_rates[-1]
                    for c in report["command"]},
                "time_at_most_linear": time_ratio <= 10,
            },
        }
    if not quick:
        report["check"] = _fresh("bench.check_run")
    if million:
        report["million"] = [command(1_000_000, None), command(1_000_000, 0)]
        report["million_within_6_GiB"] = all(run["peak_rss_mib"] <= 6 * 1024 for run in report["million"])
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
