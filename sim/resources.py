"""Will a run fit in this machine's memory? Answered before it starts, from the scenario alone.

A run's memory grows with its agents, its ties and its event log. The estimate below is deliberately
generous (a 100,000-agent baseline year is estimated at about 2.4 times the 0.7 GiB it really peaks at):
it exists to refuse runs that cannot possibly fit, with a message that says how large they are, rather
than let the system kill them after minutes of work. Each term is an upper bound of its kind: every
follow chance at its largest, every campaign at its peak.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import TrustsimError

if TYPE_CHECKING:
    from .config import Scenario

AGENT_BYTES = 330         # every per-agent array: traits (live and drawn), state, tallies, history
SLOT_BYTES = 130          # a tie slot: ids, evidence, flags, and its entries in both key indexes
EVENT_BYTES = 60          # one event-log row (29 bytes) with the log's geometric growth, and hearsay
TEMPORARY_BYTES = 64      # a broadcast's reach, held in several arrays for a day
PROCESS_BYTES = 200 << 20  # Python, numpy, numba and the compiled kernels
HEADROOM = 0.8            # refuse what would take more than this share of the memory available
MAX_AGENTS = 10_000_000   # the most agents a run may ever hold, newcomers included


class TooLarge(TrustsimError):
    """A run that cannot fit: refused before it starts (one line, exit code 2)."""


@dataclass(frozen=True)
class Estimate:
    agents: int
    ties: float
    events: float
    bytes: float

    def describe(self) -> str:
        return (f"{self.agents:,} agents, about {_count(self.ties)} tie slots and {_count(self.events)} events "
                f"in all: about {size_text(self.bytes)}")


def _count(value: float) -> str:
    for unit, size in (("billion", 1e9), ("million", 1e6), ("thousand", 1e3)):
        if value >= size:
            return f"{value / size:.1f} {unit}"
    return f"{value:.0f}"


def size_text(value: float) -> str:
    return f"{value / 2**30:.1f} GiB" if value >= 2**30 else f"{value / 2**20:.0f} MiB"


def estimate(scenario: Scenario) -> Estimate:
    """An upper estimate of a run's memory (see the module docstring)."""
    agents = scenario.capacity()
    days = scenario.simulation.days
    promotion = scenario.promotion
    reach = min(promotion.reach, max(agents - 1, 0)) if promotion.enabled else 0
    follow = min(1.0, promotion.follow_base + promotion.social_proof)
    campaign = max((getattr(e, "multiplier", 1.0) for e in scenario.events), default=1.0)
    shares = [a.share for a in scenario.archetypes]

    def mean(trait: str) -> float:
        return sum(share * getattr(a, trait)[1] for share, a in zip(shares, scenario.archetypes, strict=True))

    follows = mean("promotion_rate") * reach * follow
    seeks = mean("seek_rate") * max(campaign, 1.0)
    ties = agents * scenario.network.mean_degree * 1.5 + days * agents * (follows + seeks)
    events = days * agents * (2 * mean("request_rate") + 3 * seeks + mean("promotion_rate") + 3 * follows)
    temporary = agents * mean("promotion_rate") * 4 * reach * TEMPORARY_BYTES
    total = (PROCESS_BYTES + agents * AGENT_BYTES + ties * SLOT_BYTES + events * EVENT_BYTES + temporary
             + days * (2048 * 4 + 200))
    return Estimate(agents, ties, events, total)


def available() -> int:
    """Memory this process may still use: MemAvailable on Linux, else the physical memory."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    import os

    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 1 << 62


def check_fits(scenario: Scenario, where: str = "") -> Estimate:
    """Refuse a run that holds too many agents or cannot fit in the memory available (:class:`TooLarge`)."""
    prefix = f"{where}: " if where else ""
    found = estimate(scenario)
    if found.agents > MAX_AGENTS:
        raise TooLarge(f"{prefix}the run would hold {found.agents:,} agents (newcomers included); at most "
                       f"{MAX_AGENTS:,}")
    room = available()
    if found.bytes > HEADROOM * room:
        raise TooLarge(f"{prefix}the run cannot fit in memory: {found.describe()}, and this machine has "
                       f"{size_text(room)} available")
    return found
