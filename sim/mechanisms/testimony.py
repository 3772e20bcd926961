"""Testimony (MODEL.md 4): after being let down (or when a scenario says so), an agent publishes its
opinion of another to its followers: the blog post.

Each follower who knows the subject takes the opinion in, discounted by its referral trust in the
author (subjective-logic discounting), as extra functional evidence about the subject; a tie whose trust
falls far enough then breaks.
"""

from __future__ import annotations

import numpy as np

from ..eventlog import EventKind
from ..trust import discount_arrays, evidence_from_opinion
from ..world import World
from . import untie


def testify(world: World, authors: np.ndarray, subjects: np.ndarray, times: np.ndarray) -> None:
    """Authors publish their opinion of subjects (authors without a tie to their subject have none)."""
    ties, people = world.ties, world.population
    author_slot = ties.find(authors, subjects)
    has = author_slot >= 0
    authors, subjects, times, author_slot = authors[has], subjects[has], times[has], author_slot[has]
    if authors.size == 0:
        return
    positive, negative = ties.positive[author_slot], ties.negative[author_slot]
    total = positive + negative + 2.0
    belief, disbelief = positive / total, negative / total
    opinion = ties.trust(author_slot, people.base_rate[authors])
    world.log.append(times, EventKind.testify, authors, subjects, trust_after=opinion)
    owner, follower_slot = ties.followers_of(authors)
    followers = ties.source[follower_slot]
    heard_slot = ties.find(followers, subjects[owner])
    knows = heard_slot >= 0
    owner, follower_slot, followers, heard_slot = (owner[knows], follower_slot[knows], followers[knows],
                                                   heard_slot[knows])
    referral = ties.referral_trust(follower_slot, people.base_rate[followers])
    b, d, u = discount_arrays(referral, belief[owner], disbelief[owner])
    add_positive, add_negative = evidence_from_opinion(b, d, u)
    np.add.at(ties.positive, heard_slot, add_positive)
    np.add.at(ties.negative, heard_slot, add_negative)
    untie.drop_distrusted(world, heard_slot, times[owner])
