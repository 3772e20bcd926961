"""Evidence kept outside the tie table, keyed by (who, about whom): sparse, and forgotten lazily.

Two things need it. *Hearsay*: a warning (testimony) reaches a follower who does not know its subject;
there is no tie to hold it, but the follower should remember it when it meets the subject. *What has
been told*: an author who testifies again about the same subject must publish only what it learnt
since, or its followers would count the same evidence twice.

Both are rare next to ties, so they live in their own small index instead of bloating the tie table,
and they are not touched by the daily forgetting pass: an entry remembers when it was written (the
count of forgetting nights so far) and is decayed by λ per night since, when it is read.

The entries live in a compiled structure (:mod:`sim.kernels_state`), read and written by the kernels
below inside a simulated day; :class:`Ledger` is the same ledger from Python.
"""

from __future__ import annotations

import numpy as np

from .kernels import Compiled, column, grown, ids, kernel
from .ties import KeyIndex, insert, key_of, slot_of


@kernel
def read_one(ledger, first: int, second: int, nights: int) -> tuple[float, float]:
    """The evidence held for (first, second) as it stands after ``nights`` forgetting nights (0 if none)."""
    slot = slot_of(ledger.index, key_of(first, second))
    if slot < 0:
        return 0.0, 0.0
    decay = ledger.forgetting ** float(nights - ledger.written[slot])
    return ledger.positive[slot] * decay, ledger.negative[slot] * decay


@kernel
def read(ledger, first: np.ndarray, second: np.ndarray, nights: int) -> tuple[np.ndarray, np.ndarray]:
    positive, negative = np.zeros(len(first)), np.zeros(len(first))
    for i in range(len(first)):
        positive[i], negative[i] = read_one(ledger, first[i], second[i], nights)
    return positive, negative


@kernel
def write(ledger, first: np.ndarray, second: np.ndarray, positive: np.ndarray, negative: np.ndarray, nights: int,
          replace: bool) -> None:
    """Add evidence to each pair, or with ``replace`` set it (for a pair repeated in the batch, the
    additions add up, in order; the last replacement stands). Entries written are stamped ``nights``."""
    count = len(first)
    if count == 0:
        return
    keys = np.empty(count, dtype=np.int64)
    for i in range(count):
        keys[i] = key_of(first[i], second[i])
    order = np.argsort(keys, kind="mergesort")
    fresh_keys = np.empty(count, dtype=np.int64)
    fresh_slots = np.empty(count, dtype=np.int32)
    fresh = 0
    i = 0
    while i < count:
        key = keys[order[i]]
        add_positive, add_negative = 0.0, 0.0
        j = i
        while j < count and keys[order[j]] == key:
            if replace:
                add_positive, add_negative = positive[order[j]], negative[order[j]]
            else:
                add_positive += positive[order[j]]
                add_negative += negative[order[j]]
            j += 1
        slot = slot_of(ledger.index, key)
        if slot >= 0:
            keep = 0.0 if replace else ledger.forgetting ** float(nights - ledger.written[slot])
            ledger.positive[slot] = ledger.positive[slot] * keep + add_positive
            ledger.negative[slot] = ledger.negative[slot] * keep + add_negative
            ledger.written[slot] = nights
        else:
            slot = ledger.size
            ledger.positive = grown(ledger.positive, slot, slot + 1)
            ledger.negative = grown(ledger.negative, slot, slot + 1)
            ledger.written = grown(ledger.written, slot, slot + 1)
            ledger.positive[slot], ledger.negative[slot], ledger.written[slot] = add_positive, add_negative, nights
            ledger.size = slot + 1
            fresh_keys[fresh], fresh_slots[fresh] = key, slot
            fresh += 1
        i = j
    if fresh:
        insert(ledger.index, fresh_keys[:fresh], fresh_slots[:fresh])


class Ledger(Compiled):
    """(positive, negative) evidence per (first, second) pair, decaying by ``forgetting`` per night."""

    def __init__(self, forgetting: float, capacity: int = 256) -> None:
        from .kernels_state import new_ledger

        self.forgetting = forgetting
        self.index = KeyIndex()
        self.compiled = new_ledger(np.zeros(capacity), np.zeros(capacity), np.zeros(capacity, dtype=np.int32),
                                   float(forgetting), self.index.compiled)

    def __len__(self) -> int:
        from .kernels_state import scalar

        return int(scalar(self.compiled, "ledger_size"))

    def read(self, first: np.ndarray, second: np.ndarray, nights: int) -> tuple[np.ndarray, np.ndarray]:
        """The evidence held for each pair as it stands after ``nights`` forgetting nights (0 where none)."""
        return read(self.compiled, ids(first), ids(second), int(nights))

    def add(self, first: np.ndarray, second: np.ndarray, positive: np.ndarray, negative: np.ndarray,
            nights: int) -> None:
        """Add evidence to each pair (pairs repeated in the batch add up)."""
        write(self.compiled, ids(first), ids(second), column(positive, len(first)), column(negative, len(first)),
              int(nights), False)

    def set(self, first: np.ndarray, second: np.ndarray, positive: np.ndarray, negative: np.ndarray,
            nights: int) -> None:
        """Replace each pair's evidence (for a pair repeated in the batch, the last value stands)."""
        write(self.compiled, ids(first), ids(second), column(positive, len(first)), column(negative, len(first)),
              int(nights), True)

