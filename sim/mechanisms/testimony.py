"""Testimony (MODEL.md 4): after being let down (with chance ``testimony.probability``), or when a
scenario says so, an agent publishes its opinion of another to its followers: the blog post.

Each follower takes it in discounted by its referral trust in the author (:mod:`.transitivity`): a
follower who knows the subject adds it to its evidence on their tie (and may then walk away); a follower
who does not know the subject keeps it as hearsay (:class:`sim.ledger.Ledger`): a warning is for
strangers, and it shapes the first impression if they meet later (:mod:`.promotion`, :mod:`.vouching`).

Evidence is counted once. An author tells only what it saw for itself: the outcomes of its own dealings
with the subject (:mod:`.delivery`, and the seeded shared past), never what it heard from others, took
from a vouch or read in a first impression; otherwise a rumour relayed along two paths would count twice
and amplify itself. And it tells only what it has seen since it last wrote about the same subject, so a
follower never takes in the same evidence twice. (A witness speaks of what it saw: testimony as
independent evidence, as in the cumulative fusion of subjective logic (Jøsang 2016), which holds only
for independent sources.)

Switches: ``testimony.enabled`` (all testimony), ``testimony.probability = 0`` (none from the let-down),
``testimony.reaches_strangers`` (the warning reaches only followers who know the subject),
``testimony.first_hand = false`` (an author tells all its tie holds, hearsay included: rumours amplify).
"""

from __future__ import annotations

import numpy as np

from ..eventlog import EventKind
from ..ties import pair_keys
from ..world import World
from . import transitivity, untie


def let_down_speak(world: World, broken: np.ndarray) -> np.ndarray:
    """Which of the let-down (``broken`` outcomes) go public, each with chance ``testimony.probability``."""
    config = world.scenario.testimony
    if not config.enabled or config.probability == 0 or not broken.any():
        return np.zeros(len(broken), dtype=bool)
    return broken & (world.streams.testimony.random(len(broken)) < config.probability)


def testify(world: World, authors: np.ndarray, subjects: np.ndarray, times: np.ndarray) -> None:
    """Authors publish what they have learnt about subjects since they last did (nothing without a tie)."""
    if not world.scenario.testimony.enabled or authors.size == 0:
        return
    ties, people = world.ties, world.population
    _, first = np.unique(pair_keys(authors, subjects), return_index=True)   # one post per pair
    first.sort()
    authors, subjects, times = authors[first], subjects[first], times[first]
    author_slot = ties.find(authors, subjects)
    has = author_slot >= 0
    authors, subjects, times, author_slot = authors[has], subjects[has], times[has], author_slot[has]
    if world.scenario.testimony.first_hand:
        positive, negative = ties.own_positive[author_slot], ties.own_negative[author_slot]
    else:
        positive, negative = ties.positive[author_slot], ties.negative[author_slot]
    told_positive, told_negative = world.told.read(authors, subjects, world.nights)
    new_positive = np.maximum(positive - told_positive, 0.0)
    new_negative = np.maximum(negative - told_negative, 0.0)
    news = (new_positive + new_negative) > 1e-9
    authors, subjects, times, author_slot = authors[news], subjects[news], times[news], author_slot[news]
    new_positive, new_negative = new_positive[news], new_negative[news]
    if authors.size == 0:
        return
    world.told.set(authors, subjects, positive[news], negative[news], world.nights)
    total = new_positive + new_negative + 2.0
    belief, disbelief = new_positive / total, new_negative / total
    opinion = ties.trust(author_slot, people.base_rate[authors])
    world.log.append(times, EventKind.testify, authors, subjects, trust_after=opinion)
    _reach_followers(world, authors, subjects, times, belief, disbelief)


def _reach_followers(world: World, authors: np.ndarray, subjects: np.ndarray, times: np.ndarray,
                     belief: np.ndarray, disbelief: np.ndarray) -> None:
    ties = world.ties
    owner, follower_slot = ties.followers_of(authors)
    followers = ties.source[follower_slot]
    about = subjects[owner]
    not_self = followers != about
    owner, follower_slot, followers, about = (owner[not_self], follower_slot[not_self], followers[not_self],
                                              about[not_self])
    weight = transitivity.referral_weight(world, follower_slot)
    add_positive, add_negative = transitivity.discounted_evidence(weight, belief[owner], disbelief[owner])
    heard_slot = ties.find(followers, about)
    knows = heard_slot >= 0
    np.add.at(ties.positive, heard_slot[knows], add_positive[knows])
    np.add.at(ties.negative, heard_slot[knows], add_negative[knows])
    if world.scenario.testimony.reaches_strangers:
        strangers = ~knows & ~ties.known(followers, about)
        world.hearsay.add(followers[strangers], about[strangers], add_positive[strangers],
                          add_negative[strangers], world.nights)
    untie.drop_distrusted(world, heard_slot[knows], times[owner][knows])
