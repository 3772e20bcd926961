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

import numpy as np

from ..eventlog import EventKind
from ..trust import expectation
from ..world import World
from . import commitments, untie


def social_proof(world: World, agents: np.ndarray) -> np.ndarray:
    """0..1: how impressive an agent's following looks (log scale, saturating at ``promotion.follower_scale``)."""
    scale = world.scenario.promotion.follower_scale
    return np.minimum(1.0, np.log1p(world.population.followers[agents]) / np.log1p(scale))


def first_impression(world: World, viewers: np.ndarray, viewed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A stranger's first trust in an agent, raised by its follower count: (trust, positive evidence).

    trust = a + bias * proof * (1 - a), with a the viewer's base rate; the positive pseudo-evidence is
    what gives that expectation with the viewer's base rate, E = (r + 2a) / (r + 2).
    """
    people = world.population
    base = people.base_rate[viewers]
    if not world.scenario.promotion.impression_bias:
        return base.copy(), np.zeros(len(viewers))
    trust = base + people.popularity_bias[viewers] * social_proof(world, viewed) * (1.0 - base)
    positive = 2.0 * (trust - base) / np.maximum(1.0 - trust, 1e-9)
    return trust, positive


def _mean_per_broadcast(trust: np.ndarray, reached: np.ndarray, broadcasts: int, reach: int) -> np.ndarray:
    """The mean first impression among the strangers each broadcast reached (NaN where it reached none)."""
    if reach == 0:
        return np.full(broadcasts, np.nan)
    trust, reached = trust.reshape(broadcasts, reach), reached.reshape(broadcasts, reach)
    count = reached.sum(axis=1)
    total = np.where(reached, trust, 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def promote(world: World, day: int) -> None:
    """Self-promotion: broadcasts reach non-followers, who follow on social proof and then ask."""
    people, config, rng = world.population, world.scenario.promotion, world.streams.promotion
    if not config.enabled:
        return
    broadcasts = rng.poisson(people.view("promotion_rate"))
    promoters = np.repeat(np.arange(people.size), broadcasts)
    if promoters.size == 0:
        return
    broadcast_times = day + rng.random(len(promoters))
    reach = min(config.reach, people.size - 1)      # a broadcast cannot reach more agents than there are
    sources = np.repeat(promoters, reach)
    times = np.repeat(broadcast_times, reach)
    audience = rng.integers(0, people.size, len(sources))
    reached = (audience != sources) & ~world.ties.known(audience, sources)
    chance = config.follow_base + config.social_proof * people.popularity_bias[audience] * social_proof(world, sources)
    follows = reached & (rng.random(len(sources)) < chance)
    # every stranger who heard the pitch forms a first impression, follower or not
    _, positive = first_impression(world, audience, sources)
    heard_positive, heard_negative = world.hearsay.read(audience, sources, world.nights)
    positive, negative = positive + heard_positive, heard_negative
    trust = expectation(positive, negative, people.base_rate[audience])
    world.log.append(broadcast_times, EventKind.promote, promoters,
                     trust_after=_mean_per_broadcast(trust, reached, len(promoters), reach))
    audience, sources, times = audience[follows], sources[follows], times[follows]
    positive, negative, trust = positive[follows], negative[follows], trust[follows]
    willing = ~untie.distrusted(trust, world)
    audience, sources, times, trust = audience[willing], sources[willing], times[willing], trust[willing]
    created = world.tie(audience, sources, positive[willing], negative[willing], day)
    audience, sources, times, trust = audience[created], sources[created], times[created], trust[created]
    world.log.append(times, EventKind.follow, audience, sources,
                     trust_before=people.base_rate[audience], trust_after=trust)
    # "Followers then ask i for things": a follow is for what the promoter offers, so a new follower
    # asks at once, as a vouch-led tie does
    commitments.ask(world, audience, sources, np.full(len(audience), -1), times)
