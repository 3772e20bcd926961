"""Tie turnover (MODEL.md, relationships): a tie its source has not used for ``ties.fade_after`` days
fades. Switch: ``ties.fade``.

Attention is finite, and relationships that are not kept up decay: most new ties that are not renewed
are gone within a year (Burt 2000, "Decay functions", *Social Networks* 22; Burt 2002, "Bridge decay"),
emotional closeness falls with the time since last contact (Roberts & Dunbar 2011, *Personal
Relationships* 18), and people keep a roughly constant number of active ties, replacing old ones as they
make new ones (Miritello et al. 2013, "Limited communication capacity unveils strategies for human
interaction", *Scientific Reports* 3). A tie is *used* when its source asks its target for something
(:mod:`.commitments`, whether the target accepts or not) or makes the tie. Without turnover, ties
made by vouches and promotion accumulate for ever, requests spread over ever more contacts, and the
evidence behind each tie thins until trust is first impressions.

A faded tie is forgotten, unlike one dropped in distrust: its two agents are strangers again (a
promotion can reach them, a vouch can introduce them), and it no longer counts in the target's
reputation. Its evidence stays in its slot, unread.
"""

from __future__ import annotations

import numpy as np

from ..eventlog import EventKind, reserve, write
from ..kernels import kernel
from ..ties import trust
from ..world import fade_ties


@kernel
def fade(w, day: int) -> None:
    """Ties whose source has not used them for ``ties.fade_after`` days by ``day`` fade."""
    config = w.config
    if not config.fade:
        return
    ties = w.ties
    # a tie is used at float32 times; the bar is compared as one (as numpy compares a float32 column)
    bar = np.float32(day - config.fade_after)
    alive, used = ties.alive, ties.used
    stale = np.empty(ties.sizes[1], dtype=np.int64)
    count = 0
    for slot in range(ties.sizes[0]):
        if alive[slot] and used[slot] < bar:
            stale[count] = slot
            count += 1
    if count == 0:
        return
    stale = fade_ties(w, stale[:count])
    row = reserve(w.log, len(stale), EventKind.fade)
    for i in range(len(stale)):
        source = ties.source[stale[i]]
        write(w.log, row + i, float(day), source, ties.target[stale[i]], -1, np.nan,
              trust(ties, stale[i], w.people.base_rate[source]))


@kernel
def use(w, slots: np.ndarray, times: np.ndarray) -> None:
    """The ties ``slots`` (-1: none) were used at ``times``: their fading starts again."""
    for i in range(len(slots)):
        if slots[i] >= 0:
            w.ties.used[slots[i]] = times[i]

