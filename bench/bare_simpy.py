"""Bare SimPy throughput: 1,000 processes each doing ``yield env.timeout(1)`` for 1,000 steps."""

from __future__ import annotations

import time

import simpy


def _ticker(env: simpy.Environment, steps: int):
    for _ in range(steps):
        yield env.timeout(1)


def measure(processes: int = 1000, steps: int = 1000) -> dict:
    env = simpy.Environment()
    for _ in range(processes):
        env.process(_ticker(env, steps))
    started = time.perf_counter()
    env.run()
    wall = time.perf_counter() - started
    events = processes * steps
    return {"processes": processes, "steps": steps, "events": events, "wall_seconds": round(wall, 3),
            "events_per_second": round(events / wall)}


if __name__ == "__main__":
    import json

    print(json.dumps(measure()))
