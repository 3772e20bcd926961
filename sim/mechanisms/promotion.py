"""Promotion and following (MODEL.md 3): an agent broadcasts itself to agents who do not follow it; each
may follow, more likely the more followers it already has (social proof) and the higher its own
popularity bias. Switch: ``promotion.enabled``.

Every stranger a broadcast reaches forms a first impression of the promoter, whether it follows or not;
the broadcast's event records their mean (so a warning's effect on strangers can be read off all who
heard the pitch, not only those who still followed).

A new follower's first impression of the promoter is raised by the promoter's following in proportion
to the follower's popularity bias ("massive numbers of followers creates an illusion of authority";
switch: ``promotion.impression_bias``), and lowered by any warning it has heard about the promoter
(hearsay, :mod:`.testimony`): a stranger it already distrusts it does not follow. Followers then ask the
promoter for things, at once: an unreliable self-promoter breaks many promises.
"""

from __future__ import annotations

import math

import numpy as np

from ..eventlog import EventKind, reserve, write
from ..kernels import kernel, pairwise_sum
from ..ledger import read_one
from ..ties import known
from ..trust import beta_mean
from ..world import make_ties
from . import commitments, untie


@kernel
def proof(w, agent: int) -> float:
    """0..1: how impressive an agent's following looks (log scale, saturating at ``promotion.follower_scale``)."""
    return np.minimum(1.0, math.log1p(w.people.followers[agent]) / math.log1p(w.config.follower_scale))


@kernel
def impression(w, viewer: int, viewed: int) -> tuple[float, float]:
    """A stranger's first trust in an agent, raised by its follower count: (trust, positive evidence)."""
    return impressed(w, viewer, proof(w, viewed))


@kernel
def impressed(w, viewer: int, viewed_proof: float) -> tuple[float, float]:
    """A first impression of an agent whose following looks ``viewed_proof`` impressive (:func:`proof`).

    trust = a + bias * proof * (1 - a), with a the viewer's base rate; the positive pseudo-evidence is
    what gives that expectation with the viewer's base rate, E = (r + 2a) / (r + 2).
    """
    people = w.people
    base = people.base_rate[viewer]
    if not w.config.impression_bias:
        return base, 0.0
    trust = base + people.popularity_bias[viewer] * viewed_proof * (1.0 - base)
    return trust, 2.0 * (trust - base) / np.maximum(1.0 - trust, 1e-9)


@kernel
def social_proof(w, agents: np.ndarray) -> np.ndarray:
    """:func:`proof` of each agent."""
    found = np.empty(len(agents))
    for i in range(len(agents)):
        found[i] = proof(w, agents[i])
    return found


@kernel
def first_impression(w, viewers: np.ndarray, viewed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`impression` of each viewer of each viewed agent: (trust, positive evidence)."""
    trust, positive = np.empty(len(viewers)), np.empty(len(viewers))
    for i in range(len(viewers)):
        trust[i], positive[i] = impression(w, viewers[i], viewed[i])
    return trust, positive


@kernel
def promote(w, day: int) -> None:
    """Self-promotion: broadcasts reach non-followers, who follow on social proof and then ask."""
    config, people, rng = w.config, w.people, w.promotion
    if not config.promotion:
        return
    agents = people.size[0]
    broadcasts = np.empty(agents, dtype=np.int64)
    for agent in range(agents):
        broadcasts[agent] = rng.poisson(people.promotion_rate[agent])
    promoters = np.repeat(np.arange(agents), broadcasts)
    count = len(promoters)
    if count == 0:
        return
    broadcast_times, proofs = np.empty(count), np.empty(count)
    for b in range(count):
        broadcast_times[b] = day + rng.random()
        proofs[b] = proof(w, promoters[b])          # followings as they stand before anyone follows
    reach = min(config.reach, agents - 1)          # a broadcast cannot reach more agents than there are
    heard = count * reach
    sources = np.repeat(promoters, reach)
    audience = rng.integers(0, agents, heard)      # in one call: a single draw allocates an array
    reached = np.empty(heard, dtype=np.bool_)
    follows = np.empty(heard, dtype=np.bool_)
    for k in range(heard):
        reached[k] = audience[k] != sources[k] and not known(w.ties, audience[k], sources[k])
    for k in range(heard):
        chance = config.follow_base + config.social_proof * people.popularity_bias[audience[k]] * proofs[k // reach]
        draw = rng.random()                        # drawn for everyone reached or not
        follows[k] = reached[k] and draw < chance
    # every stranger who heard the pitch forms a first impression, follower or not
    positive, negative, trust = np.empty(heard), np.empty(heard), np.empty(heard)
    for k in range(heard):
        _, pseudo = impressed(w, audience[k], proofs[k // reach])
        heard_positive, heard_negative = read_one(w.hearsay, audience[k], sources[k], w.nights[0])
        positive[k], negative[k] = pseudo + heard_positive, heard_negative
        trust[k] = beta_mean(positive[k], negative[k], people.base_rate[audience[k]])
    row = reserve(w.log, count, EventKind.promote)
    pitched = np.empty(reach)
    for b in range(count):
        among = 0
        for r in range(reach):
            k = b * reach + r
            pitched[r] = trust[k] if reached[k] else 0.0
            among += reached[k]
        mean = pairwise_sum(pitched, 0, reach) / among if among > 0 else np.nan
        write(w.log, row + b, broadcast_times[b], promoters[b], -1, -1, np.nan, mean)
    willing = np.empty(heard, dtype=np.bool_)
    for k in range(heard):
        willing[k] = follows[k] and not untie.distrusted(trust[k], config.untie_threshold)
    audience, sources, positive, negative, trust = (audience[willing], sources[willing], positive[willing],
                                                    negative[willing], trust[willing])
    times = np.repeat(broadcast_times, reach)[willing]
    created = make_ties(w, audience, sources, positive, negative, float(day), np.zeros(len(audience), dtype=np.float32),
                        False)
    audience, sources, times, trust = audience[created], sources[created], times[created], trust[created]
    row = reserve(w.log, len(audience), EventKind.follow)
    for i in range(len(audience)):
        write(w.log, row + i, times[i], audience[i], sources[i], -1, people.base_rate[audience[i]], trust[i])
    # "Followers then ask i for things": a follow is for what the promoter offers, so a new follower
    # asks at once, as a vouch-led tie does
    commitments.ask(w, audience, sources, np.full(len(audience), -1, dtype=np.int64), times)
