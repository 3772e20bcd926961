"""The tie table and its two-level key index, checked against a plain dict model, and the compiled
loops checked against plain numpy."""

from __future__ import annotations

import numpy as np
import pytest

from sim.kernels import average_ranks, locate_in_rows, sample_ties
from sim.ties import KeyIndex, TieTable
from sim.trust import expectation


class ModelTies:
    """The obvious implementation: a dict of live ties and a set of every pair ever tied."""

    def __init__(self) -> None:
        self.live: dict[tuple[int, int], int] = {}
        self.ever: set[tuple[int, int]] = set()


def _random_pairs(rng: np.random.Generator, agents: int, count: int) -> tuple[np.ndarray, np.ndarray]:
    return rng.integers(0, agents, count), rng.integers(0, agents, count)


def test_tie_table_matches_a_dict_model_through_adds_breaks_retie_and_folds():
    rng = np.random.default_rng(7)
    agents = 300
    ties, model = TieTable(capacity=4), ModelTies()
    saved = KeyIndex.FOLD_FRACTION, KeyIndex.FOLD_MINIMUM
    KeyIndex.FOLD_FRACTION, KeyIndex.FOLD_MINIMUM = 2, 64   # fold often, so both levels are exercised
    try:
        for _ in range(60):
            sources, targets = _random_pairs(rng, agents, int(rng.integers(1, 400)))
            created = ties.add(sources, targets)
            seen: set[tuple[int, int]] = set()
            for i, pair in enumerate(zip(sources.tolist(), targets.tolist(), strict=True)):
                expected = pair[0] != pair[1] and pair not in model.live and pair not in seen
                seen.add(pair)
                assert created[i] == expected
                if expected:
                    model.live[pair] = -1
                    model.ever.add(pair)
            # slots of the live ties, as the table numbers them
            live_pairs = list(model.live)
            found = ties.find(np.array([p[0] for p in live_pairs]), np.array([p[1] for p in live_pairs]))
            assert (found >= 0).all()
            model.live = dict(zip(live_pairs, found.tolist(), strict=True))
            # break a random tenth of the live ties
            doomed = rng.choice(len(live_pairs), size=len(live_pairs) // 10, replace=False)
            ties.remove(found[doomed])
            for i in doomed.tolist():
                del model.live[live_pairs[i]]
            assert ties.count == len(model.live)

            probe_s, probe_t = _random_pairs(rng, agents, 500)
            pairs = list(zip(probe_s.tolist(), probe_t.tolist(), strict=True))
            got = ties.find(probe_s, probe_t)
            assert [g >= 0 for g in got.tolist()] == [p in model.live for p in pairs]
            assert ties.known(probe_s, probe_t).tolist() == [p in model.ever for p in pairs]
            _check_random_picks(ties, model, rng, agents)
        assert len(ties._outgoing.keys[0]) > 0, "the main level was never folded into"

        everyone = np.arange(agents)
        for index in (ties._outgoing, ties._incoming):
            owner, _ = index.entries(everyone)
            assert (np.diff(owner) >= 0).all(), "entries must come grouped by agent"
        owner, slots = ties.contacts_of(everyone)
        assert sorted(zip(owner.tolist(), ties.target[slots].tolist(), strict=True)) == sorted(model.live)
        owner, slots = ties.followers_of(everyone)
        assert sorted(zip(ties.source[slots].tolist(), owner.tolist(), strict=True)) == sorted(model.live)
        alive = ties.alive_slots()
        keys = ties.source[alive].astype(np.int64) * agents + ties.target[alive]
        assert (np.diff(keys) > 0).all() and len(alive) == len(model.live)
    finally:
        KeyIndex.FOLD_FRACTION, KeyIndex.FOLD_MINIMUM = saved


def _check_random_picks(ties: TieTable, model: ModelTies, rng: np.random.Generator, agents: int) -> None:
    """Every random contact or follower is a live tie of that very agent; -1 only for agents with none."""
    asked = rng.integers(0, agents, 2000)
    for choose, own_end, other_end, with_ties in (
            (ties.random_contact, ties.source, ties.target, {source for source, _ in model.live}),
            (ties.random_follower, ties.target, ties.source, {target for _, target in model.live})):
        slot, other = choose(asked, rng)
        has = slot >= 0
        assert ties.alive[slot[has]].all()
        assert (own_end[slot[has]] == asked[has]).all() and (other_end[slot[has]] == other[has]).all()
        assert [a in with_ties for a in asked.tolist()] == has.tolist()


def test_random_choice_is_uniform_across_both_index_levels():
    """An agent whose live ties sit partly in the main level and partly in the recent one, with dead
    entries in both, a relinked tie among them, and neighbours on either side of its rows."""
    saved = KeyIndex.FOLD_MINIMUM
    KeyIndex.FOLD_MINIMUM = 0
    try:
        ties = TieTable()
        ties.add(np.array([0, 2, 2]), np.array([9, 0, 8]))             # neighbours in the main level
        ties.add(np.full(10, 1), np.arange(10, 20))                   # folded into main
        assert len(ties._outgoing.keys[0]) > 0
        ties.add(np.full(4, 1), np.arange(20, 24))                    # stays recent
        ties.add(np.array([0, 2]), np.array([7, 1]))
        assert len(ties._outgoing.keys[1]) > 0
        dead = ties.find(np.full(5, 1), np.array([10, 11, 12, 20, 21]))
        ties.remove(dead)
        ties.add(np.array([1]), np.array([11]))                       # made again: relinked
        live_targets = {13, 14, 15, 16, 17, 18, 19, 11, 22, 23}
        draws = 50_000
        slot, other = ties.random_contact(np.ones(draws, dtype=np.int64), np.random.default_rng(9))
        assert set(other.tolist()) == live_targets and ties.alive[slot].all()
        counts = np.bincount(other, minlength=24)[sorted(live_targets)]
        assert np.abs(counts / draws - 0.1).max() < 0.01
        # and as followers: everyone who follows 0 (agent 2 in main, and nobody dead)
        _, follower = ties.random_follower(np.zeros(100, dtype=np.int64), np.random.default_rng(1))
        assert set(follower.tolist()) == {2}
    finally:
        KeyIndex.FOLD_MINIMUM = saved


def test_random_contact_is_uniform_over_live_ties_only():
    ties = TieTable()
    ties.add(np.zeros(20, dtype=np.int64), np.arange(1, 21))
    ties.remove(ties.find(np.zeros(16, dtype=np.int64), np.arange(1, 17)))   # 4 of 20 still alive
    rng = np.random.default_rng(3)
    draws = 40_000
    slot, other = ties.random_contact(np.zeros(draws, dtype=np.int64), rng)
    assert set(other.tolist()) == {17, 18, 19, 20}
    counts = np.bincount(other, minlength=21)[17:]
    assert np.abs(counts / draws - 0.25).max() < 0.01
    assert (ties.target[slot] == other).all()
    # an agent whose ties are all broken has no contact
    ties.remove(ties.find(np.zeros(4, dtype=np.int64), np.arange(17, 21)))
    assert ties.random_contact(np.array([0, 0]), rng)[1].tolist() == [-1, -1]


def test_a_tie_made_again_gets_a_fresh_slot_and_the_old_keeps_its_opinion():
    ties = TieTable()
    ties.add(np.array([0]), np.array([1]), positive=5.0)
    old = ties.find(np.array([0]), np.array([1]))
    ties.remove(old)
    assert ties.add(np.array([0]), np.array([1]), positive=1.0).tolist() == [True]
    new = ties.find(np.array([0]), np.array([1]))
    assert new[0] != old[0] and ties.positive[old[0]] == 5.0 and ties.positive[new[0]] == 1.0
    assert ties.followers_of(np.array([1]))[1].tolist() == new.tolist()


@pytest.mark.parametrize("size", [0, 1, 50, 5000])
def test_locate_in_rows_matches_searchsorted(size):
    rng = np.random.default_rng(size)
    first, second = rng.integers(0, 40, size), rng.integers(0, 1 << 20, size)
    keys = np.unique((first << 32) | second)
    row_start = np.concatenate(([0], np.cumsum(np.bincount(keys >> 32)))).astype(np.int64)
    queries = np.concatenate([keys[: size // 2], (rng.integers(0, 45, 300) << 32) | rng.integers(0, 1 << 20, 300)])
    at = np.minimum(keys.searchsorted(queries), max(len(keys) - 1, 0))
    expected = np.where((len(keys) > 0) & (keys[at] == queries), at, -1) if len(keys) else np.full(len(queries), -1)
    np.testing.assert_array_equal(locate_in_rows(keys, row_start, queries), expected)


def test_sample_ties_matches_numpy_and_forgets_after_reading():
    rng = np.random.default_rng(11)
    agents, slots = 60, 2000
    source = rng.integers(0, agents, slots).astype(np.int32)
    target = rng.integers(0, agents, slots).astype(np.int32)
    alive = rng.random(slots) < 0.8
    faded = ~alive & (rng.random(slots) < 0.5)
    dealings = (rng.random(slots) < 0.3).astype(np.float32) * 2
    evidence = [rng.exponential(2.0, slots) * (rng.random(slots) < 0.7) for _ in range(6)]
    positive, negative, ref_positive, ref_negative, own_positive, own_negative = (e.copy() for e in evidence)
    base = rng.uniform(0.4, 0.8, agents)

    result = sample_ties(source, target, alive, faded, dealings, positive, negative, ref_positive, ref_negative,
                         own_positive, own_negative, base, agents, 0.9)
    trust_sum, live, weight_sum, referral_sum, referral_live, rep_total, rep_held, ref_total, ref_held = result

    p, n, rp, rn, _, _ = evidence
    a = base[source]
    functional = expectation(p, n, a)
    np.testing.assert_allclose(trust_sum, functional[alive].sum(), rtol=1e-12)
    np.testing.assert_allclose(weight_sum, ((p + n) / (p + n + 2))[alive].sum(), rtol=1e-12)
    assert live == alive.sum()
    held = alive | ((dealings > 0) & ~faded)     # a faded tie is forgotten: it holds no opinion
    np.testing.assert_allclose(rep_total, np.bincount(target[held], functional[held], minlength=agents),
                               rtol=1e-12)
    np.testing.assert_array_equal(rep_held, np.bincount(target[held], minlength=agents))
    recommended = rp + rn > 1e-9
    referral = expectation(rp, rn, functional)   # a referral opinion's base rate is the functional trust
    np.testing.assert_allclose(ref_total, np.bincount(target[recommended], referral[recommended],
                                                      minlength=agents), rtol=1e-12)
    np.testing.assert_array_equal(ref_held, np.bincount(target[recommended], minlength=agents))
    np.testing.assert_allclose(referral_sum, referral[recommended & alive].sum(), rtol=1e-12)
    assert referral_live == (recommended & alive).sum()
    for after, before in zip((positive, negative, ref_positive, ref_negative, own_positive, own_negative), evidence,
                             strict=True):
        np.testing.assert_array_equal(after, before * 0.9)


def test_warm_up_compiles_the_signatures_the_engine_uses():
    """The sweep's forkserver warms the kernels before forking; that only helps if a run then needs
    no other compiled version."""
    from sim import Simulation, load_scenario
    from sim.kernels import warm_up

    warm_up()
    Simulation(load_scenario("broken_promises", {"simulation.agents": 150, "simulation.days": 10})).run()
    assert len(locate_in_rows.signatures) == 1
    assert len(sample_ties.signatures) == 1
    assert len(average_ranks.signatures) == 1


def test_average_ranks_match_the_numpy_formulation_with_many_ties():
    rng = np.random.default_rng(5)
    values = rng.integers(0, 50, 3000).astype(np.float64)   # lots of equal values
    order = np.argsort(values)
    sorted_values = values[order]
    starts = np.flatnonzero(np.concatenate(([True], sorted_values[1:] != sorted_values[:-1])))
    ends = np.concatenate((starts[1:], [len(values)]))
    expected = np.empty(len(values))
    expected[order] = np.repeat((starts + ends - 1) / 2.0, ends - starts)
    np.testing.assert_array_equal(average_ranks(values, order), expected)
    assert average_ranks(np.empty(0), np.empty(0, dtype=np.int64)).size == 0
