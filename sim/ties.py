"""Directed ties i -> j and the evidence i keeps about j, stored sparsely.

Each tie ever made gets a *slot* in append-only arrays (its evidence lives there). Two key indexes map
pairs to slots: one by (source, target), for "does i know j?" and "a random contact of i", and one by
(target, source), for "the followers of j". A lookup searches only the first agent's row of an index
(a compiled binary search), and memory grows with ties, never with N².

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
"""

from __future__ import annotations

import numpy as np

from .kernels import ROW_SHIFT, locate_in_rows
from .trust import PRIOR_WEIGHT, expectation

_SHIFT = np.int64(ROW_SHIFT)
_EVIDENCE = ("positive", "negative", "ref_positive", "ref_negative", "own_positive", "own_negative")
_REJECTION_ROUNDS = 3   # uniform draws over an agent's entries before counting its live ties outright


def pair_keys(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """One int64 key per (first, second) agent pair, ordered by first, then second."""
    return (np.asarray(first).astype(np.int64) << _SHIFT) | np.asarray(second).astype(np.int64)


class KeyIndex:
    """Sorted ``key -> slot`` pairs for every tie ever made, in two levels.

    A day adds a few thousand ties to millions: merging each batch into one sorted array would copy
    the whole index several times a day. New pairs go into a small *recent* level instead, which is
    folded into the large *main* level only once it has grown to an eighth of it, so the copying comes
    to about eight entries per new tie. Entries are never removed: a broken tie's entry stays, its
    slot dead, so the index also answers "were these two ever tied?".
    """

    FOLD_FRACTION = 8        # fold the recent level in when it exceeds 1/8 of the main one ...
    FOLD_MINIMUM = 1 << 12   # ... and holds more than this many keys

    def __init__(self) -> None:
        empty = np.empty(0, dtype=np.int64)
        self.keys = [empty, empty]     # [main, recent], each sorted
        self.slots = [empty, empty]
        self.row_start = [np.zeros(1, dtype=np.int64)] * 2   # per level: where each agent's keys begin

    def locate(self, queries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(level, position) of each query key; level -1 where the key is not indexed."""
        level = np.full(len(queries), -1, dtype=np.int8)
        position = np.zeros(len(queries), dtype=np.int64)
        for which in (0, 1):
            if self.keys[which].size == 0:
                continue
            at = locate_in_rows(self.keys[which], self.row_start[which], queries)
            hit = (at >= 0) & (level < 0)
            level[hit] = which
            position[hit] = at[hit]
        return level, position

    def slot_of(self, queries: np.ndarray) -> np.ndarray:
        """The slot each key points to, or -1 where the key is not indexed."""
        level, position = self.locate(queries)
        slot = np.full(len(queries), -1, dtype=np.int64)
        indexed = level >= 0
        slot[indexed] = self.slots_at(level[indexed], position[indexed])
        return slot

    def slots_at(self, level: np.ndarray, position: np.ndarray) -> np.ndarray:
        """The slots at positions found by :meth:`locate` (every level given must be 0 or 1)."""
        recent = level == 1
        if not recent.any():
            return self.slots[0][position]
        slots = np.empty(len(position), dtype=np.int64)
        slots[~recent] = self.slots[0][position[~recent]]
        slots[recent] = self.slots[1][position[recent]]
        return slots

    def insert(self, keys: np.ndarray, slots: np.ndarray) -> None:
        """Index unique keys that are not indexed yet."""
        self._set(1, *_merge(self.keys[1], self.slots[1], keys, slots))
        if len(self.keys[1]) > max(len(self.keys[0]) // self.FOLD_FRACTION, self.FOLD_MINIMUM):
            self._set(0, *_merge(self.keys[0], self.slots[0], self.keys[1], self.slots[1]))
            self._set(1, self.keys[1][:0], self.slots[1][:0])

    def _set(self, level: int, keys: np.ndarray, slots: np.ndarray) -> None:
        self.keys[level], self.slots[level] = keys, slots
        self.row_start[level] = np.concatenate(([0], np.cumsum(np.bincount(keys >> ROW_SHIFT))))

    def relink(self, level: np.ndarray, position: np.ndarray, slots: np.ndarray) -> None:
        """Point already-indexed keys (found by :meth:`locate`) at new slots: a tie made again."""
        for which in (0, 1):
            chosen = level == which
            self.slots[which][position[chosen]] = slots[chosen]

    def ranges(self, agents: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """Per level, the [low, high) positions of the keys whose first half is each agent."""
        agents = np.asarray(agents, dtype=np.int64)
        bounds = []
        for row_start in self.row_start:
            last = len(row_start) - 1    # agents past the last row have no keys at this level
            bounds.append((row_start[np.minimum(agents, last)], row_start[np.minimum(agents + 1, last)]))
        return bounds

    def entries(self, agents: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Every entry of the given agents, grouped by agent: (index into ``agents``, slot)."""
        owners, slots = [], []
        for (low, high), level_slots in zip(self.ranges(agents), self.slots, strict=True):
            size = high - low
            owners.append(np.repeat(np.arange(len(agents)), size))
            starts = np.repeat(low - np.concatenate(([0], np.cumsum(size)[:-1])), size)
            slots.append(level_slots[np.arange(size.sum()) + starts])
        owner, slot = np.concatenate(owners), np.concatenate(slots)
        if len(self.keys[1]) == 0:
            return owner, slot
        order = np.argsort(owner, kind="stable")
        return owner[order], slot[order]

    def all_slots(self) -> np.ndarray:
        """Every indexed slot, in key order."""
        if len(self.keys[1]) == 0:
            return self.slots[0]
        return _merge(self.keys[0], self.slots[0], self.keys[1], self.slots[1])[1]


class TieTable:
    """Sparse directed ties with functional and referral evidence."""

    def __init__(self, capacity: int = 1024) -> None:
        self.slots = 0
        self.source = np.zeros(capacity, dtype=np.int32)
        self.target = np.zeros(capacity, dtype=np.int32)
        self.alive = np.zeros(capacity, dtype=bool)
        self.created = np.zeros(capacity, dtype=np.float32)
        self.positive = np.zeros(capacity)
        self.negative = np.zeros(capacity)
        self.ref_positive = np.zeros(capacity)
        self.ref_negative = np.zeros(capacity)
        self.own_positive = np.zeros(capacity)
        self.own_negative = np.zeros(capacity)
        self.dealings = np.zeros(capacity, dtype=np.float32)
        self.used = np.zeros(capacity, dtype=np.float32)
        self.faded = np.zeros(capacity, dtype=bool)
        self._outgoing = KeyIndex()   # (source, target)
        self._incoming = KeyIndex()   # (target, source)
        self._live = 0

    # ------------------------------------------------------------------ size and growth
    @property
    def count(self) -> int:
        """Ties alive now."""
        return self._live

    def alive_slots(self) -> np.ndarray:
        """Slots of the live ties, in (source, target) order."""
        slots = self._outgoing.all_slots()
        return slots[self.alive[slots]]

    def _grow(self, needed: int) -> None:
        capacity = len(self.source)
        if needed <= capacity:
            return
        new_capacity = max(needed, capacity * 2)
        for name in ("source", "target", "alive", "created", "dealings", "used", "faded", *_EVIDENCE):
            old = getattr(self, name)
            grown = np.zeros(new_capacity, dtype=old.dtype)
            grown[:capacity] = old
            setattr(self, name, grown)

    # ------------------------------------------------------------------ lookups
    def find(self, source: np.ndarray, target: np.ndarray) -> np.ndarray:
        """Slot of the live tie source -> target, or -1 where there is none."""
        slot = self._outgoing.slot_of(pair_keys(np.asarray(source), np.asarray(target)))
        live = slot >= 0
        live[live] = self.alive[slot[live]]
        return np.where(live, slot, -1)

    def slot_of(self, source: np.ndarray, target: np.ndarray) -> np.ndarray:
        """The latest slot of each pair source -> target, live or not (-1 where they were never tied): the
        opinion the source holds, even after walking away."""
        return self._outgoing.slot_of(pair_keys(np.asarray(source), np.asarray(target)))

    def known(self, source: np.ndarray, target: np.ndarray) -> np.ndarray:
        """Whether source has (or once had) a tie to target: someone who walked away is no stranger; a tie
        that faded is forgotten (its latest slot is the one the index points to)."""
        slot = self._outgoing.slot_of(pair_keys(np.asarray(source), np.asarray(target)))
        known = slot >= 0
        known[known] = ~self.faded[slot[known]]
        return known

    def random_contact(self, agents: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """For each agent, one live out-tie chosen uniformly: (slot, target); -1 where it has none."""
        return self._random(self._outgoing, self.target, agents, rng)

    def random_follower(self, agents: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """For each agent, one live in-tie chosen uniformly: (slot, source); -1 where it has none."""
        return self._random(self._incoming, self.source, agents, rng)

    def _random(self, index: KeyIndex, ends: np.ndarray, agents: np.ndarray,
                rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """Uniform over live ties: draw uniformly over an agent's entries and redraw where the entry is
        dead; the few agents still without a live pick after a few rounds are counted out exactly."""
        agents = np.asarray(agents, dtype=np.int64)
        (main_low, main_high), (recent_low, recent_high) = index.ranges(agents)
        in_main = main_high - main_low
        total = in_main + (recent_high - recent_low)
        slot = np.full(len(agents), -1, dtype=np.int64)
        pending = np.flatnonzero(total > 0)
        for _ in range(_REJECTION_ROUNDS):
            if pending.size == 0:
                break
            pick = np.floor(rng.random(len(pending)) * total[pending]).astype(np.int64)
            recent = pick >= in_main[pending]
            position = np.where(recent, recent_low[pending] + pick - in_main[pending], main_low[pending] + pick)
            candidate = index.slots_at(recent.astype(np.int8), position)
            live = self.alive[candidate]
            slot[pending[live]] = candidate[live]
            pending = pending[~live]
        if pending.size:
            owner, live_slots = self._live_entries(index, agents[pending])
            count = np.bincount(owner, minlength=len(pending))
            start = np.cumsum(count) - count
            pick = start + np.floor(rng.random(len(pending)) * count).astype(np.int64)
            has = count > 0
            slot[pending[has]] = live_slots[pick[has]]
        other = np.full(len(agents), -1, dtype=np.int64)
        found = slot >= 0
        other[found] = ends[slot[found]]
        return slot, other

    def _live_entries(self, index: KeyIndex, agents: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        owner, slots = index.entries(np.asarray(agents))
        live = self.alive[slots]
        return owner[live], slots[live]

    def followers_of(self, agents: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """All live in-ties of the given agents: (index into ``agents``, slot of follower -> agent)."""
        return self._live_entries(self._incoming, agents)

    def contacts_of(self, agents: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """All live out-ties of the given agents: (index into ``agents``, slot of agent -> contact)."""
        return self._live_entries(self._outgoing, agents)

    # ------------------------------------------------------------------ changes
    def add(self, source: np.ndarray, target: np.ndarray, positive: np.ndarray | float = 0.0,
            negative: np.ndarray | float = 0.0, time: float = 0.0,
            dealings: np.ndarray | float = 0.0, first_hand: bool = False) -> np.ndarray:
        """Create ties that do not exist yet; returns a mask of which requested ties were created.

        ``first_hand``: the evidence given is what the source saw for itself (a shared past), not a first
        impression. Self-ties, ties that are already alive and repeats within the batch (the first wins)
        are skipped. A broken tie made again gets a fresh slot: the old one keeps the opinion of the first
        time.
        """
        source = np.asarray(source, dtype=np.int64)
        target = np.asarray(target, dtype=np.int64)
        positive = np.broadcast_to(np.asarray(positive, dtype=np.float64), source.shape)
        negative = np.broadcast_to(np.asarray(negative, dtype=np.float64), source.shape)
        dealings = np.broadcast_to(np.asarray(dealings, dtype=np.float32), source.shape)
        keys = pair_keys(source, target)
        level, position = self._outgoing.locate(keys)
        indexed = level >= 0
        alive = np.zeros(len(keys), dtype=bool)
        alive[indexed] = self.alive[self._outgoing.slots_at(level[indexed], position[indexed])]
        _, first = np.unique(keys, return_index=True)
        created = np.zeros(len(keys), dtype=bool)
        created[first] = True
        created &= (source != target) & ~alive
        if not created.any():
            return created
        new_source, new_target = source[created], target[created]
        count = len(new_source)
        start = self.slots
        self._grow(start + count)
        new_slots = np.arange(start, start + count, dtype=np.int64)
        self.source[new_slots] = new_source
        self.target[new_slots] = new_target
        self.alive[new_slots] = True
        self.created[new_slots] = time
        self.used[new_slots] = time
        self.faded[new_slots] = False
        self.positive[new_slots] = positive[created]
        self.negative[new_slots] = negative[created]
        self.ref_positive[new_slots] = 0.0
        self.ref_negative[new_slots] = 0.0
        self.own_positive[new_slots] = positive[created] if first_hand else 0.0
        self.own_negative[new_slots] = negative[created] if first_hand else 0.0
        self.dealings[new_slots] = dealings[created]
        self.slots += count
        self._live += count
        again = indexed[created]   # ties made again: their keys are indexed already
        if again.any():
            self._outgoing.relink(level[created][again], position[created][again], new_slots[again])
            incoming = pair_keys(new_target[again], new_source[again])
            self._incoming.relink(*self._incoming.locate(incoming), new_slots[again])
        fresh = ~again
        self._outgoing.insert(keys[created][fresh], new_slots[fresh])
        self._incoming.insert(pair_keys(new_target[fresh], new_source[fresh]), new_slots[fresh])
        return created

    def remove(self, slots: np.ndarray, *, fade: bool = False) -> np.ndarray:
        """Break live ties; returns the slots actually broken (each once). They stay indexed, dead; with
        ``fade``, also forgotten (:meth:`known` no longer sees them)."""
        slots = np.unique(np.asarray(slots, dtype=np.int64))
        slots = slots[self.alive[slots]]
        self.alive[slots] = False
        self.faded[slots] = fade
        self._live -= len(slots)
        return slots

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
        """The belief (the part resting on evidence) of the truster's referral opinion of each target:
        (r' + 2b) / (r' + s' + 2), with b = r / (r + s + 2) the belief of its functional opinion. 0 for a
        target it has no evidence about at all (:mod:`sim.mechanisms.transitivity`)."""
        good, bad = self.positive[slots], self.negative[slots]
        functional_belief = good / (good + bad + PRIOR_WEIGHT)
        return expectation(self.ref_positive[slots], self.ref_negative[slots], functional_belief)

    def evidence(self, slots: np.ndarray) -> np.ndarray:
        return self.positive[slots] + self.negative[slots]


def _merge(keys: np.ndarray, slots: np.ndarray, new_keys: np.ndarray,
           new_slots: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Insert a batch into a sorted index, placing keys and slots with one shared layout."""
    order = np.argsort(new_keys, kind="stable")
    new_keys, new_slots = new_keys[order], new_slots[order]
    placed = keys.searchsorted(new_keys) + np.arange(len(new_keys))
    old = np.ones(len(keys) + len(new_keys), dtype=bool)
    old[placed] = False
    merged_keys = np.empty(len(old), dtype=np.int64)
    merged_slots = np.empty(len(old), dtype=np.int64)
    merged_keys[old], merged_keys[placed] = keys, new_keys
    merged_slots[old], merged_slots[placed] = slots, new_slots
    return merged_keys, merged_slots
