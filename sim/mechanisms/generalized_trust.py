"""Generalized trust learns (MODEL.md, traits): an agent's trust in strangers (its base rate) is an
opinion about people in general, held on the evidence of its own dealings.

It is the beta expectation of the outcomes the agent has seen as a requester, with its disposition (the
``base_rate`` trait it joined with) as the prior, weighted 2 as every prior in the model is:

    a = (2 d + g K) / (2 + g K + g k B)

with K the commitments kept to it and B those broken, each weighted ``trust.generalized_learning`` (g)
and B ``trust.asymmetry`` (k) times as hard, and both forgotten by λ = ``trust.forgetting`` per day like
every other piece of evidence (Jøsang & Ismail 2002, the beta reputation system with forgetting, applied
to "strangers" as a class; Yamagishi & Yamagishi 1994 on generalized trust learned from experience). A
network where promises break thus "pollutes the sites and intoxicates new entrants": first impressions
of everyone fall. ``trust.generalized_learning = 0`` switches the learning off (a = d).

It settles where the evidence does: with a share p of outcomes kept, a → p / (p + k (1 - p)) as the
experience outweighs the disposition, within about 1 / (1 - λ) days (200 at λ = 0.995). The spin-up
(``simulation.spin_up``) lets it settle before day 0. (Before version 0.3 it moved by a fixed share per
outcome and never forgot; it had the same fixed point, reached three times more slowly.)
"""

from __future__ import annotations

import numpy as np

from ..kernels import kernel
from ..trust import PRIOR_WEIGHT


@kernel
def settle(w, agent: int) -> None:
    """Recompute the base rate of ``agent`` from its disposition and what it has seen."""
    people, config = w.people, w.config
    weight = config.generalized_learning
    kept = weight * people.seen_kept[agent]
    broken = weight * config.asymmetry * people.seen_broken[agent]
    people.base_rate[agent] = (PRIOR_WEIGHT * people.disposition[agent] + kept) / (PRIOR_WEIGHT + kept + broken)


@kernel
def learn(w, requesters: np.ndarray, kept: np.ndarray) -> None:
    """Each requester has seen the outcomes of its commitments (``kept`` per commitment)."""
    if w.config.generalized_learning == 0 or len(requesters) == 0:
        return
    people = w.people
    order = np.argsort(requesters, kind="mergesort")
    i = 0
    while i < len(order):                   # each requester once: add up its outcomes, then settle
        agent = requesters[order[i]]
        seen_kept, seen_broken = 0, 0
        while i < len(order) and requesters[order[i]] == agent:
            if kept[order[i]]:
                seen_kept += 1
            else:
                seen_broken += 1
            i += 1
        people.seen_kept[agent] += seen_kept
        people.seen_broken[agent] += seen_broken
        settle(w, agent)


@kernel
def forget(w, factor: float) -> None:
    """A night passes: what everyone has seen fades by ``factor`` (λ), and their base rates follow."""
    if factor == 1.0 or w.config.generalized_learning == 0:
        return
    people = w.people
    for agent in range(people.size[0]):
        people.seen_kept[agent] *= factor
        people.seen_broken[agent] *= factor
        settle(w, agent)
