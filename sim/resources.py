"""Will a run fit in this machine's memory? Answered before it starts.

A run's memory grows with its agents, its ties (every tie ever made keeps its slot, through the spin-up
too), its hearsay and its event log (the recorded days' events). :func:`estimate` bounds each from the
scenario's rates at the top of their ranges over the run (newcomers, reforms, imitation and overlapping
campaigns included): every social proof at its peak, every request made, every seek a new tie. It is
instant and loose (on the shipped scenarios, 2 to 9 times the tie slots a run makes), and it is an
estimate, not a proof: ``tests/test_resources.py`` holds it above the real counts of every shipped
scenario and of hostile ones written to break it, but two kinds of scenario are known to exceed it,
since bounding them would make it useless for every other (a review found them): providers who break
most promises through overload (capacity below one, whatever their reliability), and a testimony
event after contacts have piled up far past the network's degree.

So a bound that says a run may not fit is not the last word: :func:`measured` then runs the same
scenario at about :data:`PILOT_AGENTS` agents, newcomers included (seconds), counts its tie slots,
events and hearsay and scales them by the agents, with :data:`PILOT_MARGIN` to spare. On ``baseline``
they grow in proportion to the agents (23.6 tie slots and 95 events per agent at 10,000 agents, 23.3
and 95 at 100,000); where a hub's following is capped by the size of its network they grow faster, so
a second pilot of a quarter the size says how fast, and that growth is carried on, at most to the
bound. A run is refused only when that
measured size cannot fit either, or when no pilot is run (the run is not ten times the pilot, it would
be long, or the bound is far out of reach: :data:`PILOT_SMALLER`, :data:`PILOT_DAYS`,
:data:`PILOT_REACH`), with a message that says how large it is, rather than let the system kill it after
minutes of work. The engine reserves the estimate's ties and events up front (reserved pages cost
nothing until written).
"""

from __future__ import annotations

import math
from collections.abc import Callable
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
EXPORT_EVENT_BYTES = 64   # writing the events table, per event: the table (36), its time order (8), a column being
                          # converted and the writer's buffers (58 in all measured, 100,000 agents of baseline)
EXPORT_SLOT_BYTES = 128   # writing the edges table, per tie slot: two ids and twelve numbers a tie (104), the slots
                          # taken and the trust being worked out
EXPORT_AGENT_BYTES = 512  # writing the agents table, per agent: about forty columns and the measures behind them
HEADROOM = 0.8            # refuse what would take more than this share of the memory available
MAX_AGENTS = 10_000_000   # the most agents a run may ever hold, newcomers included
PILOT_AGENTS = 2_000      # a pilot run's agents, newcomers included
PILOT_SEED = 1            # every pilot's seed
PILOT_MARGIN = 1.25       # the measured estimate's tie slots and events, scaled up from the pilot's, times this
PILOT_SMALLER = 10        # a pilot is run only for a run at least this many times its agents,
PILOT_DAYS = 5_000        # ... of at most this many days, spin-up included (a pilot takes seconds, not minutes),
PILOT_REACH = 10.0        # ... and only where the bound is at most this many times the room (a shipped
                          # scenario measures 0.15 to 0.57 of its bound at a million agents)


class TooLarge(TrustsimError):
    """A run that cannot fit: refused before it starts (one line, exit code 2)."""


@dataclass(frozen=True)
class Estimate:
    """A run's size: its agents and, for the rest, an upper bound (:func:`estimate`) or a measurement
    scaled from a pilot run (:func:`measured`)."""

    agents: int
    ties: float          # tie slots: every tie ever made
    events: float        # event-log rows kept
    hearsay: float       # hearsay and told entries
    bytes: float
    pilot: int = 0       # the pilot run's agents, if measured

    def describe(self) -> str:
        how = f" (measured on a {self.pilot:,}-agent run of the same scenario)" if self.pilot else ""
        return (f"{self.agents:,} agents, about {_count(self.ties)} tie slots and {_count(self.events)} events "
                f"in all: about {size_text(self.bytes)}{how}")


def _count(value: float) -> str:
    for unit, size in (("billion", 1e9), ("million", 1e6), ("thousand", 1e3)):
        if value >= size:
            return f"{value / size:.1f} {unit}"
    return f"{value:.0f}"


def size_text(value: float) -> str:
    return f"{value / 2**30:.1f} GiB" if value >= 2**30 else f"{value / 2**20:.0f} MiB"


def _populations(scenario: Scenario) -> list[float]:
    """How many agents of each archetype the run may ever hold: its share of the start and its newcomers."""
    agents = scenario.simulation.agents
    counts = [archetype.share * agents for archetype in scenario.archetypes]
    names = scenario.archetype_names()
    for event in scenario.events:
        if event.newcomers(agents):
            counts[names.index(event.archetype)] += event.newcomers(agents)
    return counts


def _ranges(scenario: Scenario, trait: str) -> list[tuple[float, float]]:
    """Each archetype's (lowest, highest) value of ``trait`` over the run: its range, widened to any value a
    reform gives it and, for the promotion rate that imitation copies, to the highest anyone has (an
    imitator may copy any agent it follows)."""
    ranges = [getattr(archetype, trait) for archetype in scenario.archetypes]
    names = scenario.archetype_names()
    for event in scenario.events:
        for name, value in getattr(event, "traits", ()):
            if name == trait:
                low, high = ranges[names.index(event.archetype)]
                ranges[names.index(event.archetype)] = (min(low, value), max(high, value))
    if trait == "promotion_rate" and scenario.imitation.rate > 0:
        top = max(high for _, high in ranges)
        ranges = [(low, top) if archetype.imitation[1] > 0 else (low, high)
                  for archetype, (low, high) in zip(scenario.archetypes, ranges, strict=True)]
    return ranges


def estimate(scenario: Scenario) -> Estimate:
    """An upper estimate of a run's memory (see the module docstring)."""
    agents = scenario.capacity()
    days = scenario.simulation.days
    lived = days + scenario.simulation.spin_up          # ties and hearsay pile up through the spin-up too
    promotion, testimony = scenario.promotion, scenario.testimony
    reach = min(promotion.reach, max(agents - 1, 0)) if promotion.enabled else 0
    # campaigns that overlap multiply (sim.mechanisms.vouching.campaign_multiplier): all of them at once
    campaign = math.prod(max(getattr(e, "multiplier", 1.0), 1.0) for e in scenario.events)
    populations = _populations(scenario)
    everyone = sum(populations) or 1.0
    names = scenario.archetype_names()

    def mean(trait: str, end: int = 1) -> float:
        """The trait's mean over everyone the run may hold (newcomers included), each archetype at the top of
        its range over the run (end 1), its bottom (0), or its middle (-1)."""
        return sum(count * (r[end] if end in (0, 1) else (r[0] + r[1]) / 2)
                   for count, r in zip(populations, _ranges(scenario, trait), strict=True)) / everyone

    # a stranger reached follows with chance base + social proof x its popularity bias, the proof at its peak
    follow = min(1.0, promotion.follow_base + promotion.social_proof * mean("popularity_bias", -1))
    follows = mean("promotion_rate") * reach * follow
    seeks = mean("seek_rate") * campaign
    ties = agents * scenario.network.mean_degree * 1.5 + lived * agents * (follows + seeks)
    # only the recorded days' events are kept (the spin-up's are dropped day by day), and the rows the
    # scenario's events write: a newcomer's own and its first follows, a reformed member's, a testimony's
    events = days * agents * (2 * mean("request_rate") + 3 * seeks + mean("promotion_rate") + 3 * follows)
    for event in scenario.events:
        events += event.newcomers(scenario.simulation.agents) * (1 + 3 * scenario.network.mean_degree)
        if event.kind == "reform":
            events += populations[names.index(event.archetype)]
        if event.kind == "testimony":
            events += agents * scenario.network.mean_degree
    # a let-down requester's post reaches its followers; those who do not know the subject keep it as
    # hearsay. An author's followers: its first contacts and, at most, every follow a promoter could win
    # over the run (a hub's following is what a post reaches, so the network's degree alone is too few)
    followers = scenario.network.mean_degree + lived * follows
    hearsay = 0.0
    if testimony.enabled:
        let_down = mean("request_rate") * mean("acceptance") * (1 - mean("reliability", 0))
        hearsay = 1.5 * lived * agents * let_down * testimony.probability * followers
        hearsay += sum(agents * scenario.network.mean_degree * followers for e in scenario.events
                       if e.kind == "testimony")
    temporary = agents * mean("promotion_rate") * 4 * reach * TEMPORARY_BYTES
    return Estimate(agents, ties, events, hearsay, _bytes(agents, ties, events, hearsay, days, temporary))


def _bytes(agents: float, ties: float, events: float, hearsay: float, days: int, temporary: float) -> float:
    return (PROCESS_BYTES + agents * AGENT_BYTES + ties * SLOT_BYTES + events * EVENT_BYTES
            + hearsay * ENTRY_BYTES + temporary + days * (2048 * 4 + 200))


def _pilot(scenario: Scenario, agents: int) -> Scenario:
    """The same scenario holding about ``agents`` agents in all: its starting agents and every newcomer
    scaled alike. A testimony by one agent who is not in the pilot is left out (its hearsay is a one-off,
    not a rate, and the bound's hearsay is the one used)."""
    from dataclasses import replace

    share = agents / scenario.capacity()
    starting = max(1, round(scenario.simulation.agents * share))
    events = []
    for event in scenario.events:
        if getattr(event, "count", 0):
            event = replace(event, count=max(1, round(event.count * share)))
        if getattr(event, "agent", -1) >= starting:
            continue
        events.append(event)
    # a fixed seed: the measurement is the same for every seed of a sweep or a check, so it is made once
    return replace(scenario, simulation=replace(scenario.simulation, agents=starting, seed=PILOT_SEED),
                   events=tuple(events), hypotheses=())


#: a pilot's counter: runs a scenario and returns its tie slots, events and hearsay (the engine's
#: :func:`sim.engine.pilot_counts`, passed in, so that this module needs no engine)
PilotCount = Callable[["Scenario"], tuple[int, int, int]]
_MEASURED: dict[tuple[str, int], Estimate] = {}


def measured(scenario: Scenario, count: PilotCount, pilot_agents: int = PILOT_AGENTS) -> Estimate:
    """The run's size from pilot runs (:func:`_pilot`, run by ``count``) of about ``pilot_agents`` agents
    and of a quarter as many: each count (tie slots, events, hearsay) is scaled from the larger pilot's by
    the agents, with :data:`PILOT_MARGIN` to spare, and where the count per agent grows from the smaller
    pilot to the larger (a hub's following is capped by the size of its network, so its ties and the
    hearsay its posts spread grow with it), that growth is carried on as a power of the agents, at most to
    the bound's count. Kept per scenario, so a check or a sweep that asks again runs no pilot again."""
    from dataclasses import replace

    # the seed left out: a pilot runs with its own (:data:`PILOT_SEED`), so every replicate shares one
    key = (repr(replace(scenario, simulation=replace(scenario.simulation, seed=PILOT_SEED))), pilot_agents)
    if key not in _MEASURED:
        _MEASURED[key] = _measure(scenario, count, pilot_agents)
    return _MEASURED[key]


def _measure(scenario: Scenario, count: PilotCount, pilot_agents: int) -> Estimate:
    large_pilot, small_pilot = _pilot(scenario, pilot_agents), _pilot(scenario, max(pilot_agents // 4, 1))
    held, quarter = large_pilot.capacity(), small_pilot.capacity()
    large, small = count(large_pilot), count(small_pilot)
    bound = estimate(scenario)
    agents = scenario.capacity()

    def carried(large_count: int, small_count: int, most: float) -> float:
        per_agent = large_count / held
        growth = per_agent / max(small_count / quarter, 1e-9)
        power = max(math.log(max(growth, 1e-9)) / math.log(held / quarter), 0.0)     # 0: it does not grow
        return min(most, PILOT_MARGIN * per_agent * held * (agents / held) ** (1 + power))

    ties, events, hearsay = (carried(big, little, most) for big, little, most
                             in zip(large, small, (bound.ties, bound.events, bound.hearsay), strict=True))
    temporary = bound.bytes - _bytes(bound.agents, bound.ties, bound.events, bound.hearsay,
                                     scenario.simulation.days, 0.0)      # a broadcast's: the bound's, held a day
    return Estimate(bound.agents, ties, events, hearsay,
                    _bytes(bound.agents, ties, events, hearsay, scenario.simulation.days, temporary), pilot=held)


def export_bytes(size: Estimate) -> float:
    """What writing a run's tables takes beyond the run itself: the largest of them, since they are built
    and written one at a time (:func:`sim.exports.export`). At a million agents of ``baseline`` over a year
    that is the events table, about as large as the run."""
    return max(size.events * EXPORT_EVENT_BYTES, size.ties * EXPORT_SLOT_BYTES, size.agents * EXPORT_AGENT_BYTES)


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


def check_fits(scenario: Scenario, where: str = "", *, count: PilotCount | None = None,
               exporting: bool = False) -> Estimate:
    """Refuse a run that holds too many agents or cannot fit in the memory available (:class:`TooLarge`):
    by the instant bound if it fits, else, given a pilot's ``count`` (:func:`sim.engine.pilot_counts`), by
    a pilot run's measurement (see the module docstring). The dashboard's fields give none: a pilot takes
    seconds, too long for a key press. ``exporting``: its tables are written when it ends, and that must fit
    too (:func:`export_bytes`); else a long run would be lost at its very end."""
    prefix = f"{where}: " if where else ""
    found = estimate(scenario)
    if found.agents > MAX_AGENTS:
        raise TooLarge(f"{prefix}the run would hold {found.agents:,} agents (newcomers included); at most "
                       f"{MAX_AGENTS:,}")

    def needed(size: Estimate) -> float:
        return size.bytes + (export_bytes(size) if exporting else 0.0)

    room = available()
    days = scenario.simulation.days + scenario.simulation.spin_up
    if (count is not None and HEADROOM * room < needed(found) <= PILOT_REACH * HEADROOM * room
            and days <= PILOT_DAYS and found.agents >= PILOT_SMALLER * PILOT_AGENTS):
        found = measured(scenario, count)
    if needed(found) > HEADROOM * room:
        writing = f", and writing its tables about {size_text(export_bytes(found))} more" if exporting else ""
        raise TooLarge(f"{prefix}the run cannot fit in memory: {found.describe()}{writing}; this machine has "
                       f"{size_text(room)} available")
    return found
