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

from ..eventlog import EventKind
from ..world import World


def fade(world: World, day: int) -> None:
    """Ties whose source has not used them for ``ties.fade_after`` days by ``day`` fade."""
    config = world.scenario.ties
    if not config.fade:
        return
    ties = world.ties
    slots = ties.slots
    stale = np.flatnonzero(ties.alive[:slots] & (ties.used[:slots] < day - config.fade_after))
    if stale.size == 0:
        return
    stale = world.fade(stale)
    sources = ties.source[stale]
    trust = ties.trust(stale, world.population.base_rate[sources])
    world.log.append(np.full(len(stale), float(day)), EventKind.fade, sources, ties.target[stale],
                     trust_after=trust)


def use(world: World, slots: np.ndarray, times: np.ndarray) -> None:
    """The ties ``slots`` (-1: none) were used at ``times``: their fading starts again."""
    found = slots >= 0
    world.ties.used[slots[found]] = times[found]
