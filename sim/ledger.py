"""Evidence kept outside the tie table, keyed by (who, about whom): sparse, and forgotten lazily.

Two things need it. *Hearsay*: a warning (testimony) reaches a follower who does not know its subject;
there is no tie to hold it, but the follower should remember it when it meets the subject. *What has
been told*: an author who testifies again about the same subject must publish only what it learnt
since, or its followers would count the same evidence twice.

Both are rare next to ties, so they live in their own small index instead of bloating the tie table,
and they are not touched by the daily forgetting pass: an entry remembers when it was written (the
count of forgetting nights so far) and is decayed by λ per night since, when it is read.
"""

from __future__ import annotations

import numpy as np

from .ties import KeyIndex, pair_keys


class Ledger:
    """(positive, negative) evidence per (first, second) pair, decaying by ``forgetting`` per night."""

    def __init__(self, forgetting: float, capacity: int = 256) -> None:
        self.forgetting = forgetting
        self.index = KeyIndex()
        self.positive = np.zeros(capacity)
        self.negative = np.zeros(capacity)
        self.written = np.zeros(capacity, dtype=np.int64)    # forgetting nights counted when last written
        self.size = 0

    def __len__(self) -> int:
        return self.size

    def _slots(self, first: np.ndarray, second: np.ndarray) -> np.ndarray:
        return self.index.slot_of(pair_keys(first, second))

    def read(self, first: np.ndarray, second: np.ndarray, nights: int) -> tuple[np.ndarray, np.ndarray]:
        """The evidence held for each pair as it stands after ``nights`` forgetting nights (0 where none)."""
        slots = self._slots(first, second)
        positive, negative = np.zeros(len(slots)), np.zeros(len(slots))
        held = slots >= 0
        decay = self.forgetting ** (nights - self.written[slots[held]])
        positive[held] = self.positive[slots[held]] * decay
        negative[held] = self.negative[slots[held]] * decay
        return positive, negative

    def add(self, first: np.ndarray, second: np.ndarray, positive: np.ndarray, negative: np.ndarray,
            nights: int) -> None:
        """Add evidence to each pair (pairs repeated in the batch add up)."""
        self._write(first, second, positive, negative, nights, replace=False)

    def set(self, first: np.ndarray, second: np.ndarray, positive: np.ndarray, negative: np.ndarray,
            nights: int) -> None:
        """Replace each pair's evidence (for a pair repeated in the batch, the last value stands)."""
        self._write(first, second, positive, negative, nights, replace=True)

    def _write(self, first: np.ndarray, second: np.ndarray, positive: np.ndarray, negative: np.ndarray,
               nights: int, replace: bool) -> None:
        if len(first) == 0:
            return
        keys = pair_keys(first, second)
        unique, inverse = np.unique(keys, return_inverse=True)
        if replace:
            last = np.zeros(len(unique), dtype=np.int64)
            last[inverse] = np.arange(len(keys))           # the last write of a key wins
            add_positive, add_negative = np.asarray(positive)[last], np.asarray(negative)[last]
        else:
            add_positive = np.bincount(inverse, weights=positive, minlength=len(unique))
            add_negative = np.bincount(inverse, weights=negative, minlength=len(unique))
        slots = self.index.slot_of(unique)
        held = slots >= 0
        old = slots[held]
        keep = 0.0 if replace else self.forgetting ** (nights - self.written[old])
        self.positive[old] = self.positive[old] * keep + add_positive[held]
        self.negative[old] = self.negative[old] * keep + add_negative[held]
        self.written[old] = nights
        fresh = np.flatnonzero(~held)
        if fresh.size:
            new = np.arange(self.size, self.size + fresh.size)
            self._grow(self.size + fresh.size)
            self.positive[new] = add_positive[fresh]
            self.negative[new] = add_negative[fresh]
            self.written[new] = nights
            self.size += fresh.size
            self.index.insert(unique[fresh], new)

    def _grow(self, needed: int) -> None:
        if needed <= len(self.positive):
            return
        capacity = max(needed, 2 * len(self.positive))
        for name in ("positive", "negative", "written"):
            old = getattr(self, name)
            grown = np.zeros(capacity, dtype=old.dtype)
            grown[: len(old)] = old
            setattr(self, name, grown)
