"""What the dashboard costs: simulated days per second with the dashboard playing at full speed, against
the engine alone on the same scenario, and how fast a key press is acted on meanwhile.

    .venv/bin/python -m bench.dashboard_bench     # 10,000 agents, 180 days
    from bench.dashboard_bench import measure; measure(agents=10000, days=180)
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
from typing import Any

from sim import Simulation, load_scenario
from tui.runner import SPEEDS, speed_label

SCENARIO = "broken_promises"


def headless(agents: int, days: int, scenario: str = SCENARIO) -> float:
    """Days per second of ``Simulation.advance`` alone (building the population not counted)."""
    sim = Simulation(load_scenario(scenario, {"simulation.agents": agents, "simulation.days": days}))
    started = time.perf_counter()
    sim.advance(days)
    return days / (time.perf_counter() - started)


async def _dashboard(agents: int, days: int, scenario: str, presses: int) -> tuple[float, float, list[float]]:
    from tui.app import TrustApp
    from tui.widgets import TopBar

    app = TrustApp(scenario, {"simulation.agents": agents, "simulation.days": days}, play=False,
                   speed=len(SPEEDS) - 1)
    async with app.run_test(size=(120, 40)) as pilot:
        while app.runs is None:             # the run is built (and spun up) on the simulation thread
            await asyncio.sleep(0.05)
        await pilot.pause(0.5)
        # the cost: a whole run at full speed with every pane of the dashboard on screen
        start_day = app.runner.days_simulated
        started, cpu = time.perf_counter(), time.thread_time()
        app.action_toggle_play()
        while app.runner.sims[0].day < days:
            await asyncio.sleep(0.05)
        wall = time.perf_counter() - started
        rate = (app.runner.days_simulated - start_day) / wall
        ui_share = (time.thread_time() - cpu) / wall
        # latency: restart a long run, and toggle play / pause while the engine works flat out
        # (as `r` does: the app's own restart, so it knows the finished run was replaced)
        app._start(load_scenario(scenario, {"simulation.agents": agents, "simulation.days": 5_000}))
        await pilot.pause(1.0)
        if "could not start" in app.status:     # refused (too large here): say so, rather than wait forever
            raise RuntimeError(f"the dashboard bench's long run: {app.status}")
        if not app.playing:
            await pilot.press("space")
        while app.settling:                     # spun up first: until then the top bar says "settling…"
            await asyncio.sleep(0.05)
        # "visible" = the top bar has rendered the new state (what the next screen update shows)
        bar = app.query_one(TopBar)
        drawn: list[tuple[float, str]] = []
        render = bar.render

        def stamped_render():  # noqa: ANN202
            drawn.append((time.perf_counter(), bar.text))
            return render()

        bar.render = stamped_render

        async def latency(key: str, expected: str) -> float:
            pressed = time.perf_counter()
            await pilot.press(key)
            while not any(t > pressed and expected in text for t, text in drawn):
                await asyncio.sleep(0.001)
            return min(t for t, text in drawn if t > pressed and expected in text) - pressed

        latencies, speed_latencies = [], []
        for _ in range(presses):
            await pilot.pause(0.3)
            # space: play or pause, which the footer's key names too
            latencies.append(await latency("space", "paused" if app.playing else "playing"))
            if not app.playing:
                await pilot.press("space")
            await pilot.pause(0.3)
            # - or +: a change of speed, which only the top bar shows
            key, speed = ("minus", app.speed - 1) if app.speed == len(SPEEDS) - 1 else ("plus", app.speed + 1)
            speed_latencies.append(await latency(key, speed_label(speed)))
        await pilot.press("q")
    return rate, ui_share, latencies, speed_latencies


def measure(agents: int = 10_000, days: int = 180, scenario: str = SCENARIO, presses: int = 9) -> dict[str, Any]:
    """Headless vs dashboard days/second, their ratio, and the median key-press latency (ms).

    180 days is about 1.5 s of simulation: long enough that a moment's noise on a shared machine does not
    decide the ratio (60 days, under half a second since the engine got faster, read anywhere from 0.51
    to 0.94 on the same build).
    """
    alone = headless(agents, days, scenario)
    with_dashboard, ui_share, latencies, speed_latencies = asyncio.run(_dashboard(agents, days, scenario, presses))
    return {
        "scenario": scenario, "agents": agents, "days": days,
        "headless_days_per_s": round(alone, 2),
        "dashboard_days_per_s": round(with_dashboard, 2),
        "ratio": round(with_dashboard / alone, 3),
        "ui_thread_cpu_share": round(ui_share, 3),
        "key_latency_ms_median": round(statistics.median(latencies) * 1000, 1),
        "key_latency_ms_max": round(max(latencies) * 1000, 1),
        # a key whose answer only the top bar shows: space also swaps the footer's Play and Pause, whose
        # new layout repaints the whole screen
        "speed_key_latency_ms_median": round(statistics.median(speed_latencies) * 1000, 1),
        "speed_key_latency_ms_max": round(max(speed_latencies) * 1000, 1),
    }


if __name__ == "__main__":
    arguments = [int(a) for a in sys.argv[1:3]]
    print(json.dumps(measure(*arguments), indent=2))
