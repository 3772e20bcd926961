"""``trustsim check`` at its defaults, nothing cached: its wall time on this machine; prints JSON.

Every hypothesis of every scenario, each on its own paired seeds (about 210 runs of 1,000 agents over
1,095 to 2,190 simulated days, the spin-up included), on as many workers as there are cores.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time


def measure() -> dict:
    load = os.getloadavg()[0]
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "sim", "check", "--no-cache", "--quiet", "--json"],
                          capture_output=True, text=True)
    wall = time.perf_counter() - started
    if done.returncode not in (0, 1):          # 1: a hypothesis does not hold, which is a verdict, not a failure
        raise RuntimeError(done.stderr)
    rows = json.loads(done.stdout)
    return {"wall_seconds": round(wall, 1), "hypotheses": len(rows), "cores": os.cpu_count(),
            "load_before": round(load, 2), "load_after": round(os.getloadavg()[0], 2)}


if __name__ == "__main__":
    print(json.dumps(measure()))
