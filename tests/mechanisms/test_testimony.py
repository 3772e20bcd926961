"""Testimony: the let-down publish; followers who know the subject update, strangers keep it as hearsay,
and nobody counts the same evidence twice (sim/mechanisms/testimony.py)."""

from __future__ import annotations

import numpy as np
import pytest
from worlds import ids, kinds, tie, world

from sim.mechanisms import testimony

AUTHOR, SUBJECT, KNOWS, STRANGER = 0, 1, 2, 3


def post(**scenario):
    """The author distrusts the subject; one follower knows the subject, one does not."""
    w = world(4, scenario={"trust.untie": False, **scenario}, base_rate=0.5)
    tie(w, AUTHOR, SUBJECT, positive=1.0, negative=6.0, dealings=3.0, first_hand=True)
    tie(w, KNOWS, AUTHOR, positive=4.0)
    tie(w, STRANGER, AUTHOR, positive=4.0)
    knows_slot = tie(w, KNOWS, SUBJECT, positive=2.0)
    return w, knows_slot


def publish(w) -> None:
    testimony.testify(w, ids(AUTHOR), ids(SUBJECT), np.array([3.0]))


def test_followers_who_know_the_subject_take_the_testimony_in_as_evidence():
    w, slot = post()
    publish(w)
    assert w.ties.negative[slot] > 1.0 and kinds(w) == ["testify"]
    assert w.log.columns()["trust_after"][0] == pytest.approx((1 + 1.0) / 9)   # the author's opinion


@pytest.mark.parametrize("reaches", [True, False])
def test_a_warning_reaches_strangers_as_hearsay(reaches):
    w, _ = post(**{"testimony.reaches_strangers": reaches})
    publish(w)
    _, negative = w.hearsay.read(ids(STRANGER), ids(SUBJECT), w.nights)
    assert (negative[0] > 1.0) == reaches


def test_the_same_evidence_is_never_told_twice():
    w, slot = post()
    publish(w)
    once = w.ties.negative[slot]
    publish(w)                                          # nothing new since: nothing is published
    assert w.ties.negative[slot] == once and kinds(w) == ["testify"]
    author_slot = w.ties.find(ids(AUTHOR), ids(SUBJECT))[0]
    w.ties.negative[author_slot] += 3.0                 # let down once more
    w.ties.own_negative[author_slot] += 3.0
    publish(w)
    second = w.ties.negative[slot] - once
    # only the new evidence (3 units against) travels, weighed by the follower's belief in the author,
    # 4 / 6: discounted disbelief 4/6 * 3/5 = 0.4, so 2 * 0.4 / 0.6 units (all of it again would be 2.0)
    assert second == pytest.approx(2 * 0.4 / 0.6)


def test_a_trusted_author_is_believed_more_than_a_distrusted_one():
    trusted, trusted_slot = post()
    distrusted, distrusted_slot = post()
    distrusted.ties.positive[distrusted.ties.find(ids(KNOWS), ids(AUTHOR))[0]] = 0.0
    distrusted.ties.negative[distrusted.ties.find(ids(KNOWS), ids(AUTHOR))[0]] = 8.0
    publish(trusted)
    publish(distrusted)
    assert trusted.ties.negative[trusted_slot] > distrusted.ties.negative[distrusted_slot] + 0.5


@pytest.mark.parametrize(("enabled", "probability"), [(True, 1.0), (True, 0.0), (False, 1.0)])
def test_switched_off_nobody_speaks(enabled, probability):
    w, slot = post(**{"testimony.enabled": enabled, "testimony.probability": probability})
    speak = testimony.let_down_speak(w, np.array([True, False, True]))
    assert speak.tolist() == ([True, False, True] if enabled and probability else [False] * 3)
    publish(w)
    assert (w.ties.negative[slot] > 0) == enabled


def test_a_witness_tells_only_what_it_saw_so_a_relay_adds_nothing():
    """D heard A's warning about S and has only kept dealings of its own: relaying, D tells its kept
    dealings, never A's broken ones; C's negative evidence about S comes from A alone."""
    a, s, c, d = 0, 1, 2, 3
    w = world(4, scenario={"trust.untie": False}, base_rate=0.5)
    tie(w, a, s, negative=6.0, dealings=2.0, first_hand=True)      # A was let down twice
    d_slot = tie(w, d, s, positive=2.0, dealings=2.0, first_hand=True)   # D's own dealings were all kept
    tie(w, d, a, positive=4.0)                                     # D follows A
    tie(w, c, a, positive=4.0)                                     # C follows A ...
    tie(w, c, d, positive=4.0)                                     # ... and D
    c_slot = tie(w, c, s, positive=2.0)                            # C knows S
    testimony.testify(w, ids(a), ids(s), np.array([1.0]))
    after_a = w.ties.negative[c_slot]
    assert after_a > 0 and w.ties.negative[d_slot] > 0            # D took A's warning in ...
    testimony.testify(w, ids(d), ids(s), np.array([2.0]))
    assert w.ties.negative[c_slot] == after_a                      # ... but does not pass it on
    assert w.ties.positive[c_slot] > 2.0                           # it tells what it saw itself


def test_without_first_hand_a_relay_counts_the_warning_again():
    a, s, c, d = 0, 1, 2, 3
    w = world(4, scenario={"trust.untie": False, "testimony.first_hand": False}, base_rate=0.5)
    tie(w, a, s, negative=6.0, dealings=2.0, first_hand=True)
    tie(w, d, s, positive=2.0, dealings=2.0, first_hand=True)
    tie(w, d, a, positive=4.0)
    tie(w, c, a, positive=4.0)
    tie(w, c, d, positive=4.0)
    c_slot = tie(w, c, s, positive=2.0)
    testimony.testify(w, ids(a), ids(s), np.array([1.0]))
    after_a = w.ties.negative[c_slot]
    testimony.testify(w, ids(d), ids(s), np.array([2.0]))
    assert w.ties.negative[c_slot] > after_a                       # the rumour amplifies itself


def test_two_independent_witnesses_add_twice_one():
    def heard(witnesses: int) -> float:
        w = world(2 + witnesses, scenario={"trust.untie": False}, base_rate=0.5)
        listener, subject = 0, 1
        slot = tie(w, listener, subject, positive=2.0)
        for witness in range(2, 2 + witnesses):
            tie(w, witness, subject, negative=6.0, dealings=2.0, first_hand=True)
            tie(w, listener, witness, positive=4.0)
        testimony.testify(w, ids(*range(2, 2 + witnesses)), ids(*[subject] * witnesses),
                          np.full(witnesses, 1.0))
        return float(w.ties.negative[slot])

    assert heard(2) == pytest.approx(2 * heard(1))
