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
    tie(w, AUTHOR, SUBJECT, positive=1.0, negative=6.0)
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
    w.ties.negative[w.ties.find(ids(AUTHOR), ids(SUBJECT))[0]] += 3.0   # let down once more
    publish(w)
    second = w.ties.negative[slot] - once
    assert 0 < second < once - 1.0                     # only the new evidence travels


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
