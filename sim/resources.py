"""Will a run fit in this machine's memory? Answered before it starts, from the scenario alone.

A run's memory grows with its agents, its ties (every tie ever made keeps its slot, through the spin-up
too), its hearsay and its event log (the recorded days' events). The estimate below is an upper bound of
each, from the scenario's rates at the top of their ranges: every social proof at its peak, every campaign
at its peak, every request made. It exists to refuse runs that cannot fit, with a message that says how
large they are, rather than let the system kill them after minutes of work; the engine also reserves the
estimate's ties and events up front (reserved pages cost nothing until written). Measured on `baseline`
(README, "Speed and memory"), it is about twice the real peak.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import TrustsimError

if TYPE_CHECKING:
    from .config import Scenario

AGENT_BYTES = 480         # every per-agent array: traits (live and drawn), state, tallies, the day's sample, the
                          # key indexes' row starts, and the measures' temporaries (a sort of every agent)
SLOT_BYTES = 90           # a tie slot: ids, evidence and flags (70), and its entries in both key indexes
EVENT_BYTES = 29          # one event-log row (room for the estimate's events is reserved up front: a page is taken
                          # only when written, and the log never copies itself to grow)
ENTRY_BYTES = 32          # a hearsay (or told) entry: evidence, the night it was written, its index entry
TEMPORARY_BYTES = 64      # a broadcast's reach, held in several arrays for a day
PROCESS_BYTES = 250 << 20  # Python, numpy, numba and the compiled kernels (loaded from their cache)
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
    lived = days + scenario.simulation.spin_up          # ties and hearsay pile up through the spin-up too
    promotion, testimony = scenario.promotion, scenario.testimony
    reach = min(promotion.reach, max(agents - 1, 0)) if promotion.enabled else 0
    campaign = max((getattr(e, "multiplier", 1.0) for e in scenario.events), default=1.0)
    shares = [a.share for a in scenario.archetypes]

    def mean(trait: str, end: int = 1) -> float:
        """The trait's mean over the archetypes, at the top of each range (end 1), its bottom (0), or mid."""
        ranges = (getattr(a, trait) for a in scenario.archetypes)
        return sum(share * (r[end] if end in (0, 1) else (r[0] + r[1]) / 2) for share, r in zip(shares, ranges,
                                                                                                strict=True))

    # a stranger reached follows with chance base + social proof x its popularity bias, the proof at its peak
    follow = min(1.0, promotion.follow_base + promotion.social_proof * mean("popularity_bias", -1))
    follows = mean("promotion_rate") * reach * follow
    seeks = mean("seek_rate") * max(campaign, 1.0)
    ties = agents * scenario.network.mean_degree * 1.5 + lived * agents * (follows + seeks)
    # only the recorded days' events are kept (the spin-up's are dropped day by day)
    events = days * agents * (2 * mean("request_rate") + 3 * seeks + mean("promotion_rate") + 3 * follows)
    # a let-down requester's post reaches its followers; those who do not know the subject keep it as hearsay
    hearsay = 0.0
    if testimony.enabled:
        let_down = mean("request_rate") * mean("acceptance") * (1 - mean("reliability", 0))
        hearsay = 1.5 * lived * agents * let_down * testimony.probability * scenario.network.mean_degree
        hearsay += sum(agents * scenario.network.mean_degree ** 2 for e in scenario.events if e.kind == "testimony")
    temporary = agents * mean("promotion_rate") * 4 * reach * TEMPORARY_BYTES
    total = (PROCESS_BYTES + agents * AGENT_BYTES + ties * SLOT_BYTES + events * EVENT_BYTES
             + hearsay * ENTRY_BYTES + temporary + days * (2048 * 4 + 200))
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
