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

from .. import ledger
from ..eventlog import EventKind, reserve, write
from ..kernels import first_of_each, kernel
from ..ties import find, key_of, known, live_entries, trust
from . import transitivity, untie


@kernel
def let_down_speak(w, broken: np.ndarray) -> np.ndarray:
    """Which of the let-down (``broken`` outcomes) go public, each with chance ``testimony.probability``."""
    config = w.config
    speak = np.zeros(len(broken), dtype=np.bool_)
    if not config.testimony or config.testimony_probability == 0 or not broken.any():
        return speak
    for i in range(len(broken)):                 # one draw per outcome, broken or kept
        draw = w.testimony.random()
        speak[i] = broken[i] and draw < config.testimony_probability
    return speak


@kernel
def testify(w, authors: np.ndarray, subjects: np.ndarray, times: np.ndarray) -> None:
    """Authors publish what they have learnt about subjects since they last did (nothing without a tie)."""
    config, ties = w.config, w.ties
    if not config.testimony or len(authors) == 0:
        return
    keys = np.empty(len(authors), dtype=np.int64)
    for i in range(len(authors)):
        keys[i] = key_of(authors[i], subjects[i])
    first = first_of_each(keys)                        # one post per pair
    authors, subjects, times = authors[first], subjects[first], times[first]
    count = len(authors)
    author_slot = np.empty(count, dtype=np.int64)
    new_positive, new_negative = np.empty(count), np.empty(count)
    seen_positive, seen_negative = np.empty(count), np.empty(count)
    news = np.zeros(count, dtype=np.bool_)
    for i in range(count):
        slot = author_slot[i] = find(ties, authors[i], subjects[i])
        if slot < 0:
            continue
        if config.first_hand:
            seen_positive[i], seen_negative[i] = ties.own_positive[slot], ties.own_negative[slot]
        else:
            seen_positive[i], seen_negative[i] = ties.positive[slot], ties.negative[slot]
        told_positive, told_negative = ledger.read_one(w.told, authors[i], subjects[i], w.nights[0])
        new_positive[i] = np.maximum(seen_positive[i] - told_positive, 0.0)
        new_negative[i] = np.maximum(seen_negative[i] - told_negative, 0.0)
        news[i] = new_positive[i] + new_negative[i] > 1e-9
    if not news.any():
        return
    authors, subjects, times, author_slot = authors[news], subjects[news], times[news], author_slot[news]
    new_positive, new_negative = new_positive[news], new_negative[news]
    ledger.write(w.told, authors, subjects, seen_positive[news], seen_negative[news], w.nights[0], True)
    total = new_positive + new_negative + 2.0
    belief, disbelief = new_positive / total, new_negative / total
    row = reserve(w.log, len(authors), EventKind.testify)
    for i in range(len(authors)):
        opinion = trust(ties, author_slot[i], w.people.base_rate[authors[i]])
        write(w.log, row + i, times[i], authors[i], subjects[i], -1, np.nan, opinion)
    reach_followers(w, authors, subjects, times, belief, disbelief)


@kernel
def reach_followers(w, authors: np.ndarray, subjects: np.ndarray, times: np.ndarray, belief: np.ndarray,
                    disbelief: np.ndarray) -> None:
    """Each follower of an author takes the post in, discounted by how far it believes the author: on its
    tie to the subject if it has one (and may then walk away), else as hearsay."""
    config, ties = w.config, w.ties
    owner, follower_slot = live_entries(ties, authors, False)
    followers = ties.source[follower_slot].astype(np.int64)
    about = subjects[owner]
    not_self = followers != about
    owner, follower_slot, followers, about = owner[not_self], follower_slot[not_self], followers[not_self], about[not_self]
    count = len(owner)
    add_positive, add_negative = np.empty(count), np.empty(count)
    heard_slot = np.empty(count, dtype=np.int64)
    for i in range(count):                             # every weight is read before any evidence moves
        weight = transitivity.weight(w, follower_slot[i])
        add_positive[i], add_negative[i] = transitivity.discounted(weight, belief[owner[i]], disbelief[owner[i]])
        heard_slot[i] = find(ties, followers[i], about[i])
    knows = heard_slot >= 0
    for i in range(count):
        if knows[i]:
            ties.positive[heard_slot[i]] += add_positive[i]
            ties.negative[heard_slot[i]] += add_negative[i]
    if config.reaches_strangers:
        strangers = np.zeros(count, dtype=np.bool_)
        for i in range(count):
            strangers[i] = not knows[i] and not known(ties, followers[i], about[i])
        ledger.write(w.hearsay, followers[strangers], about[strangers], add_positive[strangers],
                     add_negative[strangers], w.nights[0], False)
    untie.drop_distrusted(w, heard_slot[knows], times[owner][knows])
