"""The columnar event log: one typed array per column, grown in chunks, never a Python object per event."""

from __future__ import annotations

from enum import IntEnum

import numpy as np


class EventKind(IntEnum):
    """What happened. The export's ``kind`` column is a polars Enum of these names, in this order."""

    commit = 0      # actor (provider) accepted a request from target (requester)
    decline = 1     # actor (provider) said no to target
    kept = 2        # actor kept a commitment to target; subject = who vouched, if anyone
    broken = 3      # actor broke a commitment to target; subject = who vouched, if anyone
    vouch = 4       # actor vouched for target to subject
    refuse = 5      # actor refused to vouch for target to subject
    promote = 6     # actor broadcast itself
    follow = 7      # actor started following target
    testify = 8     # actor published its opinion of target
    untie = 9       # actor dropped its tie to target
    imitate = 10    # actor copied the habits of target
    reform = 11     # scenario: actor changed its ways
    campaign = 12   # scenario: the platform pushes vouch requests
    influx = 13     # scenario: actor joined


KIND_NAMES: tuple[str, ...] = tuple(k.name for k in EventKind)

COLUMNS: dict[str, np.dtype] = {
    "time": np.dtype(np.float64),
    "kind": np.dtype(np.uint8),
    "actor": np.dtype(np.int32),
    "target": np.dtype(np.int32),
    "subject": np.dtype(np.int32),      # -1 stands for null
    "trust_before": np.dtype(np.float32),  # NaN stands for null
    "trust_after": np.dtype(np.float32),
}


class EventLog:
    """Append batches of events as arrays; read columns back without a row object in sight."""

    def __init__(self) -> None:
        self._chunks: list[dict[str, np.ndarray]] = []
        self._rows = 0
        self.counts = np.zeros(len(EventKind), dtype=np.int64)

    def __len__(self) -> int:
        return self._rows

    def append(self, time: np.ndarray | float, kind: EventKind, actor: np.ndarray | int,
               target: np.ndarray | int = -1, subject: np.ndarray | int = -1,
               trust_before: np.ndarray | float = np.nan, trust_after: np.ndarray | float = np.nan) -> None:
        """Append one batch; scalars are broadcast to the batch length."""
        columns = {"time": time, "actor": actor, "target": target, "subject": subject,
                   "trust_before": trust_before, "trust_after": trust_after}
        sizes = [np.size(v) for v in columns.values() if np.ndim(v) > 0]
        size = max(sizes) if sizes else 1
        if sizes and min(sizes) == 0:
            return
        chunk = {name: np.array(value, dtype=COLUMNS[name]) if np.ndim(value) else
                 np.full(size, value, dtype=COLUMNS[name]) for name, value in columns.items()}
        chunk["kind"] = np.full(size, int(kind), dtype=np.uint8)
        self._chunks.append(chunk)
        self._rows += size
        self.counts[int(kind)] += size

    def columns(self) -> dict[str, np.ndarray]:
        """Every column as one contiguous array (consolidates the chunks once)."""
        if len(self._chunks) > 1:
            self._chunks = [{name: np.concatenate([c[name] for c in self._chunks]) for name in COLUMNS}]
        if not self._chunks:
            return {name: np.empty(0, dtype=dtype) for name, dtype in COLUMNS.items()}
        return dict(self._chunks[0])

    def tail(self, count: int) -> dict[str, np.ndarray]:
        """The last ``count`` events, copying only those (for the dashboard's feed)."""
        picked: list[dict[str, np.ndarray]] = []
        need = count
        for chunk in reversed(self._chunks):
            if need <= 0:
                break
            size = len(chunk["time"])
            picked.append({name: col[max(0, size - need):] for name, col in chunk.items()})
            need -= size
        picked.reverse()
        if not picked:
            return {name: np.empty(0, dtype=dtype) for name, dtype in COLUMNS.items()}
        return {name: np.concatenate([c[name] for c in picked]) for name in COLUMNS}
