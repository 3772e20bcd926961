"""Directed ties i -> j and the evidence i keeps about j, stored sparsely.

Each tie ever made gets a *slot* in append-only columns (its evidence lives there). Two key indexes map
pairs to slots: one by (source, target), for "does i know j?" and "a random contact of i", and one by
(target, source), for "the followers of j". A lookup searches only the first agent's row of an index
(a binary search in a handful of entries), and memory grows with ties, never with N².

Evidence per tie (Jøsang's two roles):
- functional ``positive``/``negative``: does j deliver what j commits to?
- referral ``ref_positive``/``ref_negative``: are j's recommendations any good?

First impressions (from a vouch or a large following) and testimony enter as pseudo-evidence, so a tie
also keeps apart what its source saw for itself: its real ``dealings`` (commitments resolved) and the
first-hand evidence of them (``own_positive``/``own_negative``), which is all a witness may tell others.

A broken tie keeps its slot, its evidence and its place in the indexes (marked dead by ``alive``):
whoever walked away still holds an opinion, and is no stranger. A tie that *fades* (unused for long,
:mod:`sim.mechanisms.fading`) is let go and forgotten: it is dead and ``faded``, and its two agents are
strangers again. ``used`` is when the source last asked the target for something (or made the tie).

The columns and indexes live in a compiled structure (:mod:`sim.kernels_state`) and the kernels here
act on it inside a simulated day; :class:`TieTable` is the same table seen from Python (views of the
columns, and each lookup as a call into the kernels).
"""

from __future__ import annotations

import math

import numpy as np

from .kernels import ROW_SHIFT, Compiled, column, first_of_each, grown, ids, kernel, unique_sorted
from .trust import PRIOR_WEIGHT, beta_mean, expectation

_SECOND = np.int64((1 << ROW_SHIFT) - 1)
_REJECTION_ROUNDS = 3   # uniform draws over an agent's entries before counting its live ties outright


def pair_keys(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """One int64 key per (first, second) agent pair, ordered by first, then second."""
    return (np.asarray(first).astype(np.int64) << ROW_SHIFT) | np.asarray(second).astype(np.int64)


# ================================================================ the key index (kernels)
#
# Sorted ``key -> slot`` pairs for every tie ever made, in two levels. A day adds a few thousand ties to
# millions: merging each batch into one sorted array would copy the whole index several times a day. New
# pairs go into a small *recent* level, which is folded into the large *main* level once it has grown
# past an eighth of it, so the copying comes to about eight entries per new tie. Each level keeps where
# each agent's row of entries begins, so a lookup bisects a handful of entries, not the whole level (the
# main level keeps only the second half of each key; its row says the first). Entries are
# never removed: a broken tie's entry stays, its slot dead, so the index also answers "were these two
# ever tied?". An agent's entries are its main ones, in key order, then its recent ones: the order a
# uniform pick counts them in.

@kernel
def _bisect_left(values: np.ndarray, low: int, high: int, value: int) -> int:
    while low < high:
        middle = (low + high) >> 1
        if values[middle] < value:
            low = middle + 1
        else:
            high = middle
    return low


@kernel
def locate(index, key: int) -> tuple[int, int]:
    """(level, position) of ``key``; level -1 where it is not indexed."""
    row = key >> ROW_SHIFT
    rows = len(index.main_start) - 1
    if row < rows:
        end = index.main_start[row + 1]
        second = key & _SECOND
        at = _bisect_left(index.main_second, index.main_start[row], end, second)
        if at < end and index.main_second[at] == second:
            return 0, at
    low, end = _recent_row(index, row)
    at = _bisect_left(index.recent_keys, low, end, key)
    if at < end and index.recent_keys[at] == key:
        return 1, at
    return -1, 0


@kernel
def _recent_row(index, row: int) -> tuple[int, int]:
    """[low, high) of the row's entries in the recent level."""
    rows = len(index.recent_start) - 1
    if row >= rows:
        return index.recent_count, index.recent_count
    return index.recent_start[row], index.recent_start[row + 1]


@kernel
def slot_at(index, level: int, position: int) -> int:
    """The slot at a position found by :func:`locate` (level 0 or 1)."""
    if level == 0:
        return index.main_slots[position]
    return index.recent_slots[position]


@kernel
def slot_of(index, key: int) -> int:
    """The slot ``key`` points to, or -1 where it is not indexed."""
    level, position = locate(index, key)
    return -1 if level < 0 else slot_at(index, level, position)


@kernel
def relink(index, level: int, position: int, slot: int) -> None:
    """Point an indexed key (found by :func:`locate`) at a new slot: a tie made again."""
    if level == 0:
        index.main_slots[position] = slot
    else:
        index.recent_slots[position] = slot


@kernel
def row_range(index, agent: int) -> tuple[int, int, int, int]:
    """[low, high) of the agent's entries in the main level, then in the recent one."""
    rows = len(index.main_start) - 1
    row = min(agent, rows)
    main_low, main_high = index.main_start[row], index.main_start[min(agent + 1, rows)]
    recent_low, recent_high = _recent_row(index, agent)
    return main_low, main_high, recent_low, recent_high


@kernel
def entry(index, main_low: int, in_main: int, recent_low: int, pick: int) -> int:
    """The slot of an agent's ``pick``-th entry (its main entries first, then its recent ones)."""
    if pick >= in_main:
        return index.recent_slots[recent_low + pick - in_main]
    return index.main_slots[main_low + pick]


@kernel
def insert(index, keys: np.ndarray, slots: np.ndarray) -> None:
    """Index unique keys that are not indexed yet (into the recent level; then fold if it is full)."""
    count = len(keys)
    if count:
        order = np.argsort(keys, kind="mergesort")
        used = index.recent_count
        index.recent_keys = grown(index.recent_keys, used, used + count)
        index.recent_slots = grown(index.recent_slots, used, used + count)
        recent_keys, recent_slots = index.recent_keys, index.recent_slots
        old, new, out = used - 1, count - 1, used + count - 1
        while new >= 0:                                   # merge from the back, in place
            key = keys[order[new]]
            if old >= 0 and recent_keys[old] > key:
                recent_keys[out], recent_slots[out] = recent_keys[old], recent_slots[old]
                old -= 1
            else:
                recent_keys[out], recent_slots[out] = key, slots[order[new]]
                new -= 1
            out -= 1
        index.recent_count = used + count
        _count_recent_rows(index, keys, order)
    if index.recent_count > max(index.main_count // index.fold_fraction, index.fold_minimum):
        _fold(index)


@kernel
def _count_recent_rows(index, keys: np.ndarray, order: np.ndarray) -> None:
    """Move the recent level's row starts past the keys just merged in (``keys[order]``, ascending)."""
    start = index.recent_start
    needed = (keys[order[-1]] >> ROW_SHIFT) + 2
    if len(start) < needed:                     # rows past the old end hold every older entry before them
        before = index.recent_count - len(keys)
        bigger = np.full(max(needed, 2 * len(start)), before, dtype=np.int64)
        bigger[:len(start)] = start
        index.recent_start = start = bigger
    new = 0
    for row in range((keys[order[0]] >> ROW_SHIFT) + 1, len(start)):
        while new < len(keys) and keys[order[new]] >> ROW_SHIFT < row:
            new += 1
        start[row] += new


@kernel
def _fold(index) -> None:
    """Merge the recent level into the main one."""
    recent, main_count = index.recent_count, index.main_count
    total = main_count + recent
    old_rows = len(index.main_start) - 1
    rows = old_rows
    if recent:
        rows = max(rows, (index.recent_keys[recent - 1] >> ROW_SHIFT) + 1)
    second = np.empty(total, dtype=np.int32)
    slots = np.empty(total, dtype=np.int32)
    start = np.zeros(rows + 1, dtype=np.int64)
    out, j = 0, 0
    for row in range(rows):
        low, high = (index.main_start[row], index.main_start[row + 1]) if row < old_rows else (main_count, main_count)
        first = np.int64(row) << ROW_SHIFT
        while low < high or (j < recent and index.recent_keys[j] >> ROW_SHIFT == row):
            take_recent = j < recent and index.recent_keys[j] >> ROW_SHIFT == row and (
                low >= high or (index.recent_keys[j] - first) < index.main_second[low])
            if take_recent:
                second[out], slots[out] = index.recent_keys[j] - first, index.recent_slots[j]
                j += 1
            else:
                second[out], slots[out] = index.main_second[low], index.main_slots[low]
                low += 1
            out += 1
        start[row + 1] = out
    index.main_second, index.main_slots, index.main_start = second, slots, start
    index.main_count = total
    index.recent_count = 0
    index.recent_start[:] = 0


@kernel
def index_entries(index, agents: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every entry of the given agents, grouped by agent: (index into ``agents``, slot)."""
    total = 0
    for agent in agents:
        main_low, main_high, recent_low, recent_high = row_range(index, agent)
        total += main_high - main_low + recent_high - recent_low
    owner = np.empty(total, dtype=np.int64)
    slot = np.empty(total, dtype=np.int64)
    out = 0
    for i in range(len(agents)):
        main_low, main_high, recent_low, recent_high = row_range(index, agents[i])
        for position in range(main_low, main_high):
            owner[out], slot[out] = i, index.main_slots[position]
            out += 1
        for position in range(recent_low, recent_high):
            owner[out], slot[out] = i, index.recent_slots[position]
            out += 1
    return owner, slot


@kernel
def index_all_slots(index) -> np.ndarray:
    """Every indexed slot, in key order."""
    total = index.main_count + index.recent_count
    slots = np.empty(total, dtype=np.int64)
    rows = len(index.main_start) - 1
    out, j = 0, 0
    for row in range(rows):
        first = np.int64(row) << ROW_SHIFT
        for position in range(index.main_start[row], index.main_start[row + 1]):
            key = first + index.main_second[position]
            while j < index.recent_count and index.recent_keys[j] < key:
                slots[out] = index.recent_slots[j]
                out, j = out + 1, j + 1
            slots[out] = index.main_slots[position]
            out += 1
    while j < index.recent_count:
        slots[out] = index.recent_slots[j]
        out, j = out + 1, j + 1
    return slots


# ================================================================ the tie table (kernels)

@kernel
def key_of(first: int, second: int) -> int:
    return (np.int64(first) << ROW_SHIFT) | np.int64(second)


@kernel
def find(ties, source: int, target: int) -> int:
    """Slot of the live tie source -> target, or -1 where there is none."""
    slot = slot_of(ties.outgoing, key_of(source, target))
    if slot >= 0 and ties.alive[slot]:
        return slot
    return -1


@kernel
def find_all(ties, sources: np.ndarray, targets: np.ndarray) -> np.ndarray:
    found = np.empty(len(sources), dtype=np.int64)
    for i in range(len(sources)):
        found[i] = find(ties, sources[i], targets[i])
    return found


@kernel
def latest_all(ties, sources: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """The latest slot of each pair source -> target, live or not (-1 where they were never tied)."""
    found = np.empty(len(sources), dtype=np.int64)
    for i in range(len(sources)):
        found[i] = slot_of(ties.outgoing, key_of(sources[i], targets[i]))
    return found


@kernel
def known(ties, source: int, target: int) -> bool:
    """Whether source has (or once had) a tie to target: someone who walked away is no stranger; a tie that
    faded is forgotten (its latest slot is the one the index points to)."""
    slot = slot_of(ties.outgoing, key_of(source, target))
    return slot >= 0 and not ties.faded[slot]


@kernel
def known_all(ties, sources: np.ndarray, targets: np.ndarray) -> np.ndarray:
    found = np.empty(len(sources), dtype=np.bool_)
    for i in range(len(sources)):
        found[i] = known(ties, sources[i], targets[i])
    return found


@kernel
def trust(ties, slot: int, base_rate: float) -> float:
    """Functional trust E = (r + 2a) / (r + s + 2) of a tie, with the truster's base rate."""
    return beta_mean(ties.positive[slot], ties.negative[slot], base_rate)


@kernel
def referral_trust(ties, slot: int, base_rate: float) -> float:
    """Referral trust E' = (r' + 2a') / (r' + s' + 2), its base rate a' the functional trust on the tie."""
    return beta_mean(ties.ref_positive[slot], ties.ref_negative[slot], trust(ties, slot, base_rate))


@kernel
def referral_belief(ties, slot: int) -> float:
    """The belief (the part resting on evidence) of the referral opinion: (r' + 2b) / (r' + s' + 2), with
    b = r / (r + s + 2) the belief of the functional opinion (:mod:`sim.mechanisms.transitivity`)."""
    good, bad = ties.positive[slot], ties.negative[slot]
    return beta_mean(ties.ref_positive[slot], ties.ref_negative[slot], good / (good + bad + PRIOR_WEIGHT))


@kernel
def random_ends(ties, agents: np.ndarray, outgoing: bool, rng) -> tuple[np.ndarray, np.ndarray]:
    """For each agent, one live tie chosen uniformly, out of it (``outgoing``: a contact) or into it (a
    follower): (slot, the agent at its other end); -1 where it has none.

    Uniform over live ties: draw uniformly over an agent's entries and redraw where the entry is dead; the
    few agents still without a live pick after a few rounds are counted out exactly. Each round draws one
    number per agent still pending, in order.
    """
    index = ties.outgoing if outgoing else ties.incoming
    count = len(agents)
    slot = np.full(count, -1, dtype=np.int64)
    main_low = np.empty(count, dtype=np.int64)
    in_main = np.empty(count, dtype=np.int64)
    recent_low = np.empty(count, dtype=np.int64)
    total = np.empty(count, dtype=np.int64)
    pending = np.empty(count, dtype=np.int64)
    waiting = 0
    for i in range(count):
        low, high, r_low, r_high = row_range(index, agents[i])
        main_low[i], in_main[i], recent_low[i] = low, high - low, r_low
        total[i] = high - low + r_high - r_low
        if total[i] > 0:
            pending[waiting] = i
            waiting += 1
    alive = ties.alive
    for _ in range(_REJECTION_ROUNDS):
        if waiting == 0:
            break
        still = 0
        for p in range(waiting):
            i = pending[p]
            pick = math.floor(rng.random() * total[i])
            candidate = entry(index, main_low[i], in_main[i], recent_low[i], pick)
            if alive[candidate]:
                slot[i] = candidate
            else:
                pending[still] = i
                still += 1
        waiting = still
    for p in range(waiting):
        i = pending[p]
        live = 0
        for k in range(total[i]):
            live += alive[entry(index, main_low[i], in_main[i], recent_low[i], k)]
        pick = math.floor(rng.random() * live)
        if live == 0:
            continue
        for k in range(total[i]):
            candidate = entry(index, main_low[i], in_main[i], recent_low[i], k)
            if alive[candidate]:
                if pick == 0:
                    slot[i] = candidate
                    break
                pick -= 1
    ends = ties.target if outgoing else ties.source
    other = np.full(count, -1, dtype=np.int64)
    for i in range(count):
        if slot[i] >= 0:
            other[i] = ends[slot[i]]
    return slot, other


@kernel
def live_entries(ties, agents: np.ndarray, outgoing: bool) -> tuple[np.ndarray, np.ndarray]:
    """All live ties out of (``outgoing``) or into the given agents: (index into ``agents``, slot)."""
    owner, slots = index_entries(ties.outgoing if outgoing else ties.incoming, agents)
    live = np.empty(len(slots), dtype=np.bool_)
    for i in range(len(slots)):
        live[i] = ties.alive[slots[i]]
    return owner[live], slots[live]


@kernel
def _reserve(ties, needed: int) -> None:
    """Room for ``needed`` slots; every column grows together (doubling), and Python is told."""
    if needed <= len(ties.source):
        return
    used = ties.sizes[0]
    ties.source = grown(ties.source, used, needed)
    ties.target = grown(ties.target, used, needed)
    ties.alive = grown(ties.alive, used, needed)
    ties.faded = grown(ties.faded, used, needed)
    ties.created = grown(ties.created, used, needed)
    ties.used = grown(ties.used, used, needed)
    ties.dealings = grown(ties.dealings, used, needed)
    ties.positive = grown(ties.positive, used, needed)
    ties.negative = grown(ties.negative, used, needed)
    ties.ref_positive = grown(ties.ref_positive, used, needed)
    ties.ref_negative = grown(ties.ref_negative, used, needed)
    ties.own_positive = grown(ties.own_positive, used, needed)
    ties.own_negative = grown(ties.own_negative, used, needed)
    ties.given = grown(ties.given, used, needed)
    ties.received = grown(ties.received, used, needed)
    ties.generation[0] += 1


@kernel
def add(ties, source: np.ndarray, target: np.ndarray, positive: np.ndarray, negative: np.ndarray, time: float,
        dealings: np.ndarray, first_hand: bool) -> np.ndarray:
    """Create ties that do not exist yet; returns a mask of which requested ties were created.

    ``first_hand``: the evidence given is what the source saw for itself (a shared past), not a first
    impression. Self-ties, ties that are already alive and repeats within the batch (the first wins) are
    skipped. A broken tie made again gets a fresh slot: the old one keeps the opinion of the first time.
    """
    count = len(source)
    keys = np.empty(count, dtype=np.int64)
    level = np.empty(count, dtype=np.int64)
    position = np.empty(count, dtype=np.int64)
    created = np.zeros(count, dtype=np.bool_)
    for i in first_of_each_key(source, target, keys):
        created[i] = True
    made = 0
    for i in range(count):
        level[i], position[i] = locate(ties.outgoing, keys[i])
        alive = level[i] >= 0 and ties.alive[slot_at(ties.outgoing, level[i], position[i])]
        created[i] = created[i] and source[i] != target[i] and not alive
        made += created[i]
    if made == 0:
        return created
    start = ties.sizes[0]
    _reserve(ties, start + made)
    fresh_keys = np.empty(made, dtype=np.int64)
    fresh_back = np.empty(made, dtype=np.int64)
    fresh_slots = np.empty(made, dtype=np.int32)
    fresh = 0
    slot = start
    for i in range(count):
        if not created[i]:
            continue
        ties.source[slot], ties.target[slot] = source[i], target[i]
        ties.alive[slot], ties.faded[slot] = True, False
        ties.created[slot] = ties.used[slot] = time
        ties.positive[slot], ties.negative[slot] = positive[i], negative[i]
        ties.ref_positive[slot] = ties.ref_negative[slot] = 0.0
        ties.own_positive[slot] = positive[i] if first_hand else 0.0
        ties.own_negative[slot] = negative[i] if first_hand else 0.0
        ties.given[slot] = ties.received[slot] = 0.0
        ties.dealings[slot] = dealings[i]
        if level[i] >= 0:                       # made again: its keys are indexed already
            relink(ties.outgoing, level[i], position[i], slot)
            back_level, back_position = locate(ties.incoming, key_of(target[i], source[i]))
            relink(ties.incoming, back_level, back_position, slot)
        else:
            fresh_keys[fresh], fresh_back[fresh] = keys[i], key_of(target[i], source[i])
            fresh_slots[fresh] = slot
            fresh += 1
        slot += 1
    ties.sizes[0] += made
    ties.sizes[1] += made
    insert(ties.outgoing, fresh_keys[:fresh], fresh_slots[:fresh])
    insert(ties.incoming, fresh_back[:fresh], fresh_slots[:fresh])
    return created


@kernel
def first_of_each_key(source: np.ndarray, target: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Fill ``keys`` with the pairs' keys; returns the positions of each pair's first occurrence."""
    for i in range(len(source)):
        keys[i] = key_of(source[i], target[i])
    return first_of_each(keys)


@kernel
def remove(ties, slots: np.ndarray, fade: bool) -> np.ndarray:
    """Break live ties; returns the slots actually broken (each once, ascending). They stay indexed, dead;
    with ``fade``, also forgotten (:func:`known` no longer sees them)."""
    slots = unique_sorted(slots)
    live = np.empty(len(slots), dtype=np.bool_)
    for i in range(len(slots)):
        live[i] = ties.alive[slots[i]]
    removed = slots[live]
    for slot in removed:
        ties.alive[slot] = False
        ties.faded[slot] = fade
    ties.sizes[1] -= len(removed)
    return removed


# ================================================================ the same table, from Python

class _Column:
    """A column of the tie table, as a numpy view of the compiled one (fresh after a reallocation)."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, table: TieTable, owner: type | None = None) -> np.ndarray:
        return table.columns()[self.name]


class KeyIndex(Compiled):
    """The two-level key index (see the kernels above), as Python sees it: its settings and read-outs."""

    FOLD_FRACTION = 8        # fold the recent level in when it exceeds 1/8 of the main one ...
    FOLD_MINIMUM = 1 << 12   # ... and holds more than this many keys

    def __init__(self) -> None:
        from .kernels_state import new_index

        self.compiled = new_index(np.empty(0, dtype=np.int32), np.empty(0, dtype=np.int32),
                                  np.zeros(1, dtype=np.int64), np.empty(16, dtype=np.int64),
                                  np.empty(16, dtype=np.int32), np.zeros(1, dtype=np.int64), self.FOLD_FRACTION,
                                  self.FOLD_MINIMUM)

    @property
    def main_size(self) -> int:
        from .kernels_state import scalar

        return int(scalar(self.compiled, "main_count"))

    @property
    def recent_size(self) -> int:
        from .kernels_state import scalar

        return int(scalar(self.compiled, "recent_count"))

    def entries(self, agents: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Every entry of the given agents, grouped by agent: (index into ``agents``, slot)."""
        return index_entries(self.compiled, np.asarray(agents, dtype=np.int64))

    def all_slots(self) -> np.ndarray:
        """Every indexed slot, in key order."""
        return index_all_slots(self.compiled)


class TieTable(Compiled):
    """Sparse directed ties with functional and referral evidence (views of the compiled table)."""

    source, target, alive, faded, created, used, dealings = (_Column() for _ in range(7))
    positive, negative, ref_positive, ref_negative, own_positive, own_negative = (_Column() for _ in range(6))
    given, received = _Column(), _Column()

    def __init__(self, capacity: int = 1024) -> None:
        from .kernels_state import new_ties

        columns = (np.zeros(capacity, dtype=np.int32), np.zeros(capacity, dtype=np.int32),
                   np.zeros(capacity, dtype=bool), np.zeros(capacity, dtype=bool),
                   np.zeros(capacity, dtype=np.float32), np.zeros(capacity, dtype=np.float32),
                   np.zeros(capacity, dtype=np.float32), *(np.zeros(capacity) for _ in range(6)),
                   np.zeros(capacity, dtype=np.float32), np.zeros(capacity, dtype=np.float32))
        self._outgoing, self._incoming = KeyIndex(), KeyIndex()
        self._sizes = np.zeros(2, dtype=np.int64)
        self._generation = np.zeros(1, dtype=np.int64)
        self.compiled = new_ties(columns, self._sizes, self._generation, self._outgoing.compiled,
                                 self._incoming.compiled)
        self._seen = -1
        self._views: dict[str, np.ndarray] = {}

    def columns(self) -> dict[str, np.ndarray]:
        """Every column by name (views; taken afresh after the kernels reallocate them)."""
        if self._seen != self._generation[0]:
            from .kernels_state import TIE_COLUMNS, tie_columns

            self._views = dict(zip(TIE_COLUMNS, tie_columns(self.compiled), strict=True))
            self._seen = int(self._generation[0])
        return self._views

    # ------------------------------------------------------------------ size
    @property
    def slots(self) -> int:
        """Slots used so far (every tie ever made)."""
        return int(self._sizes[0])

    @property
    def count(self) -> int:
        """Ties alive now."""
        return int(self._sizes[1])

    def alive_slots(self) -> np.ndarray:
        """Slots of the live ties, in (source, target) order."""
        slots = self._outgoing.all_slots()
        return slots[self.alive[slots]]

    # ------------------------------------------------------------------ lookups
    def find(self, source: np.ndarray, target: np.ndarray) -> np.ndarray:
        """Slot of the live tie source -> target, or -1 where there is none."""
        return find_all(self.compiled, ids(source), ids(target))

    def slot_of(self, source: np.ndarray, target: np.ndarray) -> np.ndarray:
        """The latest slot of each pair source -> target, live or not (-1 where they were never tied): the
        opinion the source holds, even after walking away."""
        return latest_all(self.compiled, ids(source), ids(target))

    def known(self, source: np.ndarray, target: np.ndarray) -> np.ndarray:
        """Whether source has (or once had) a tie to target (a faded tie is forgotten)."""
        return known_all(self.compiled, ids(source), ids(target))

    def random_contact(self, agents: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """For each agent, one live out-tie chosen uniformly: (slot, target); -1 where it has none."""
        return random_ends(self.compiled, ids(agents), True, rng)

    def random_follower(self, agents: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """For each agent, one live in-tie chosen uniformly: (slot, source); -1 where it has none."""
        return random_ends(self.compiled, ids(agents), False, rng)

    def followers_of(self, agents: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """All live in-ties of the given agents: (index into ``agents``, slot of follower -> agent)."""
        return live_entries(self.compiled, ids(agents), False)

    def contacts_of(self, agents: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """All live out-ties of the given agents: (index into ``agents``, slot of agent -> contact)."""
        return live_entries(self.compiled, ids(agents), True)

    # ------------------------------------------------------------------ changes
    def add(self, source: np.ndarray, target: np.ndarray, positive: np.ndarray | float = 0.0,
            negative: np.ndarray | float = 0.0, time: float = 0.0,
            dealings: np.ndarray | float = 0.0, first_hand: bool = False) -> np.ndarray:
        """Create ties that do not exist yet; returns a mask of which requested ties were created (see
        :func:`add`). Use :meth:`sim.world.World.tie` in a world, which also counts followers."""
        source, target = ids(source), ids(target)
        count = len(source)
        return add(self.compiled, source, target, column(positive, count), column(negative, count), float(time),
                   column(dealings, count, np.float32), bool(first_hand))

    def remove(self, slots: np.ndarray, *, fade: bool = False) -> np.ndarray:
        """Break live ties; returns the slots actually broken (each once). They stay indexed, dead; with
        ``fade``, also forgotten (:meth:`known` no longer sees them)."""
        return remove(self.compiled, ids(slots), bool(fade))

    # ------------------------------------------------------------------ trust read-outs
    def trust(self, slots: np.ndarray, base_rate: np.ndarray) -> np.ndarray:
        """Functional trust E = (r + 2a) / (r + s + 2) of the given ties, with the truster's base rate."""
        return expectation(self.positive[slots], self.negative[slots], base_rate)

    def referral_trust(self, slots: np.ndarray, base_rate: np.ndarray) -> np.ndarray:
        """Referral trust E' = (r' + 2a') / (r' + s' + 2) of the given ties.

        Its base rate a' is the truster's functional trust on the same tie: someone whose
        recommendations are untested is trusted as a recommender as far as it is trusted to deliver
        (``base_rate`` is the truster's generalized trust, the base of that functional trust).
        """
        return expectation(self.ref_positive[slots], self.ref_negative[slots], self.trust(slots, base_rate))

    def referral_belief(self, slots: np.ndarray) -> np.ndarray:
        """The belief of the truster's referral opinion of each target (see :func:`referral_belief`)."""
        good, bad = self.positive[slots], self.negative[slots]
        return expectation(self.ref_positive[slots], self.ref_negative[slots], good / (good + bad + PRIOR_WEIGHT))

    def evidence(self, slots: np.ndarray) -> np.ndarray:
        return self.positive[slots] + self.negative[slots]
