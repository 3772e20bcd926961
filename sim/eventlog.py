"""The columnar event log: one typed array per column, grown by doubling, never a Python object per event.

The kernels append to it inside a simulated day (:func:`reserve` a block of rows, then :func:`write`
each); a reallocation bumps the log's ``generation``, and :class:`EventLog` (the log as Python reads
it) takes fresh views of the columns.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np

from .kernels import Compiled, column, grown, kernel


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
    fade = 14       # actor let its unused tie to target fade
    renege = 15     # actor, who owed target favours, refused the one target called in


KIND_NAMES: tuple[str, ...] = tuple(k.name for k in EventKind)


#: Who is who in each kind of event: (actor, target, subject, trust_before, trust_after); "" = null.
ROLES: dict[EventKind, tuple[str, str, str, str, str]] = {
    EventKind.commit: ("the provider, who accepted", "the requester", "who vouched for the provider, if anyone",
                       "", ""),
    EventKind.decline: ("the provider, who said no", "the requester", "who vouched for the provider, if anyone",
                        "", ""),
    EventKind.kept: ("the provider", "the requester", "who vouched for the provider, if anyone",
                     "the requester's trust in the provider before", "... and after"),
    EventKind.broken: ("the provider", "the requester", "who vouched for the provider, if anyone",
                       "the requester's trust in the provider before", "... and after"),
    EventKind.vouch: ("the voucher", "the seeker it recommended", "the audience it recommended them to",
                      "the audience's trust in strangers", "the audience's first opinion of the seeker"),
    EventKind.refuse: ("the voucher, who said no", "the seeker", "the audience", "", ""),
    EventKind.promote: ("the agent who broadcast itself", "", "", "",
                        "the mean first impression of it among the strangers the broadcast reached"),
    EventKind.follow: ("the new follower", "whom it followed", "", "the follower's trust in strangers",
                       "its first impression of whom it followed"),
    EventKind.testify: ("the author", "whom it wrote about", "", "", "the author's trust in them"),
    EventKind.untie: ("who walked away", "whom it dropped", "", "", "its trust when it dropped the tie"),
    EventKind.imitate: ("the copier", "the mentor it copied", "", "", ""),
    EventKind.reform: ("each member of the archetype that changed (one row each)", "", "", "", ""),
    EventKind.campaign: ("", "", "", "", ""),
    EventKind.influx: ("each newcomer (one row each)", "", "", "", ""),
    EventKind.fade: ("who let the tie go", "whom it had not asked anything of for ties.fade_after days", "", "",
                     "its trust when the tie faded"),
    EventKind.renege: ("the provider, who owed the requester favours and said no", "the requester, who called one in",
                       "", "the requester's trust in the provider before", "... and after"),
}

COLUMNS: dict[str, np.dtype] = {
    "time": np.dtype(np.float64),
    "kind": np.dtype(np.uint8),
    "actor": np.dtype(np.int32),
    "target": np.dtype(np.int32),
    "subject": np.dtype(np.int32),      # -1 stands for null
    "trust_before": np.dtype(np.float32),  # NaN stands for null
    "trust_after": np.dtype(np.float32),
}


@kernel
def reserve(log, count: int, kind: int) -> int:
    """Room for ``count`` more rows of one ``kind``, the kind filled in; returns the first row."""
    start = log.rows[0]
    end = start + count
    if end > len(log.time):
        log.time = grown(log.time, start, end)
        log.kind = grown(log.kind, start, end)
        log.actor = grown(log.actor, start, end)
        log.target = grown(log.target, start, end)
        log.subject = grown(log.subject, start, end)
        log.trust_before = grown(log.trust_before, start, end)
        log.trust_after = grown(log.trust_after, start, end)
        log.generation[0] += 1
    log.kind[start:end] = kind
    log.rows[0] = end
    log.counts[kind] += count
    return start


@kernel
def write(log, row: int, time: float, actor: int, target: int = -1, subject: int = -1,
          trust_before: float = np.nan, trust_after: float = np.nan) -> None:
    """One event, at a row :func:`reserve` made room for (-1 stands for a null agent, NaN for null trust)."""
    log.time[row] = time
    log.actor[row] = actor
    log.target[row] = target
    log.subject[row] = subject
    log.trust_before[row] = trust_before
    log.trust_after[row] = trust_after


@kernel
def _append(log, kind: int, time: np.ndarray, actor: np.ndarray, target: np.ndarray, subject: np.ndarray,
            trust_before: np.ndarray, trust_after: np.ndarray) -> None:
    start = reserve(log, len(time), kind)
    for i in range(len(time)):
        write(log, start + i, time[i], actor[i], target[i], subject[i], trust_before[i], trust_after[i])


class EventLog(Compiled):
    """Append batches of events as arrays; read columns back without a row object in sight.

    Each column is one typed array grown geometrically (amortised O(1) per event), so reading the
    columns is a view and the recent tail a slice, however long the run.
    """

    def __init__(self, capacity: int = 1 << 16) -> None:
        from .kernels_state import new_log

        self._rows = np.zeros(1, dtype=np.int64)
        self.counts = np.zeros(len(EventKind), dtype=np.int64)
        self._generation = np.zeros(1, dtype=np.int64)
        self.compiled = new_log(tuple(np.empty(capacity, dtype=dtype) for dtype in COLUMNS.values()), self._rows,
                                self.counts, self._generation)
        self._seen = -1
        self._columns: dict[str, np.ndarray] = {}

    def __len__(self) -> int:
        return int(self._rows[0])

    def clear(self) -> None:
        """Forget every row (the arrays stay, for the next rows)."""
        self._rows[0] = 0
        self.counts[:] = 0

    def append(self, time: np.ndarray | float, kind: EventKind, actor: np.ndarray | int,
               target: np.ndarray | int = -1, subject: np.ndarray | int = -1,
               trust_before: np.ndarray | float = np.nan, trust_after: np.ndarray | float = np.nan) -> None:
        """Append one batch; scalars are broadcast to the batch length."""
        values = {"time": time, "actor": actor, "target": target, "subject": subject,
                  "trust_before": trust_before, "trust_after": trust_after}
        sizes = [np.size(v) for v in values.values() if np.ndim(v) > 0]
        size = max(sizes) if sizes else 1
        if sizes and min(sizes) == 0:
            return
        arrays = {name: column(value, size, COLUMNS[name]) for name, value in values.items()}
        _append(self.compiled, int(kind), *arrays.values())

    def _views(self) -> dict[str, np.ndarray]:
        if self._seen != self._generation[0]:
            from .kernels_state import LOG_COLUMNS, log_columns

            self._columns = dict(zip(LOG_COLUMNS, log_columns(self.compiled), strict=True))
            self._seen = int(self._generation[0])
        return self._columns

    def columns(self) -> dict[str, np.ndarray]:
        """Every column as one contiguous array (read-only views of what has been logged)."""
        return self.tail(len(self))

    def tail(self, count: int) -> dict[str, np.ndarray]:
        """The last ``count`` events (views; appending never changes rows already logged)."""
        rows = len(self)
        start = max(0, rows - count)
        views = {name: column[start:rows] for name, column in self._views().items()}
        for view in views.values():
            view.flags.writeable = False
        return views
