"""The tie table and its two-level key index, checked against a plain dict model, and the compiled
loops checked against plain numpy."""

from __future__ import annotations

import numpy as np
import pytest

from sim.kernels import average_ranks, first_of_each, pairwise_sum, unique_sorted
from sim.ties import KeyIndex, TieTable, insert, pair_keys, slot_of
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
        assert ties._outgoing.main_size > 0, "the main level was never folded into"

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
        assert ties._outgoing.main_size > 0
        ties.add(np.full(4, 1), np.arange(20, 24))                    # stays recent
        ties.add(np.array([0, 2]), np.array([7, 1]))
        assert ties._outgoing.recent_size > 0
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
def test_the_index_finds_every_key_it_holds_and_no_other(size):
    """Keys inserted in batches (folding now and then, rows of every length) are found, at their slots,
    by a plain dict; keys never inserted, or of agents past the last row, are not."""
    rng = np.random.default_rng(size)
    saved = KeyIndex.FOLD_MINIMUM
    KeyIndex.FOLD_MINIMUM = 16
    try:
        index = KeyIndex()
    finally:
        KeyIndex.FOLD_MINIMUM = saved
    keys = np.unique(pair_keys(rng.integers(0, 40, size), rng.integers(0, 1 << 20, size)))
    keys = rng.permutation(keys)
    model = {}
    for batch in np.array_split(np.arange(len(keys)), max(1, len(keys) // 37)):
        slots = rng.integers(0, 1 << 30, len(batch)).astype(np.int32)
        insert(index.compiled, keys[batch], slots)
        model.update(zip(keys[batch].tolist(), slots.tolist(), strict=True))
    queries = np.concatenate([keys[: size // 2], pair_keys(rng.integers(0, 45, 300), rng.integers(0, 1 << 20, 300))])
    found = [slot_of(index.compiled, int(query)) for query in queries]
    assert found == [model.get(query, -1) for query in queries.tolist()]
    assert np.array_equal(np.sort(index.all_slots()), np.sort(np.array(list(model.values()), dtype=np.int64)))


def test_pairwise_sum_is_numpys_sum_bit_for_bit():
    rng = np.random.default_rng(3)
    for count in (0, 1, 7, 8, 9, 127, 128, 129, 1000, 8192, 8193, 100_003):
        values = rng.random(count) * 10.0 ** rng.integers(-3, 4, count)
        assert pairwise_sum(values, 0, count) == values.sum()
        assert pairwise_sum(values, count // 3, count // 2) == values[count // 3: count // 3 + count // 2].sum()
    rows = rng.random((50, 10))                  # a promotion's reach, summed per broadcast
    assert [pairwise_sum(row.copy(), 0, 10) for row in rows] == rows.sum(axis=1).tolist()


def test_first_of_each_and_unique_sorted_are_numpys():
    rng = np.random.default_rng(4)
    keys = rng.integers(0, 50, 400)
    _, first = np.unique(keys, return_index=True)
    assert first_of_each(keys).tolist() == sorted(first.tolist())
    assert unique_sorted(keys).tolist() == np.unique(keys).tolist()


def test_the_nightly_pass_matches_numpy_and_forgets_after_reading():
    """The sample-and-forget pass (sim/mechanisms/forgetting.py) against the same sums in numpy, night
    after night, and every kind of evidence decayed by λ after it was read."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent / "mechanisms"))
    from worlds import world

    from sim.mechanisms import forgetting

    rng = np.random.default_rng(11)
    agents, slots = 60, 2000
    w = world(agents, scenario={"trust.forgetting": 0.9})
    w.population.base_rate[:agents] = rng.uniform(0.4, 0.8, agents)
    sources, targets = rng.integers(0, agents, slots), rng.integers(0, agents, slots)
    w.tie(sources, targets, 0.0, 0.0, 0.0)
    ties = w.ties
    used = ties.slots
    alive = rng.random(used) < 0.8
    ties.remove(np.flatnonzero(~alive & (rng.random(used) < 0.5)), fade=True)
    ties.remove(np.flatnonzero(~alive))
    ties.dealings[:used] = (rng.random(used) < 0.3).astype(np.float32) * 2
    for name in ("positive", "negative", "ref_positive", "ref_negative", "own_positive", "own_negative"):
        getattr(ties, name)[:used] = rng.exponential(2.0, used) * (rng.random(used) < 0.7)
    ties.ref_positive[:used][rng.random(used) < 0.2] = 1e-10      # referral evidence all but gone
    ties.ref_negative[:used][ties.ref_positive[:used] == 1e-10] = 0.0

    def reference() -> tuple:
        live, faded, dealings = ties.alive[:used], ties.faded[:used], ties.dealings[:used]
        p, n, rp, rn = (getattr(ties, name)[:used].copy() for name in ("positive", "negative", "ref_positive",
                                                                          "ref_negative"))
        source, target = ties.source[:used], ties.target[:used]
        functional = expectation(p, n, w.population.base_rate[source])
        held = live | ((dealings > 0) & ~faded)     # a faded tie is forgotten: it holds no opinion
        recommended = rp + rn > 1e-9
        referral = expectation(rp, rn, functional)  # a referral opinion's base rate is the functional trust
        return (functional[live].sum(), live.sum(), ((p + n) / (p + n + 2))[live].sum(),
                referral[recommended & live].sum(), (recommended & live).sum(),
                np.bincount(target[held], functional[held], minlength=agents), np.bincount(target[held], minlength=agents),
                np.bincount(target[recommended], referral[recommended], minlength=agents),
                np.bincount(target[recommended], minlength=agents))

    for _ in range(3):
        expected = reference()
        before = {name: getattr(ties, name)[:used].copy() for name in ("positive", "negative", "ref_positive",
                                                                        "ref_negative", "own_positive",
                                                                        "own_negative")}
        got = forgetting.tie_sums(w, 0.9)
        for value, wanted in zip(got, expected, strict=True):
            np.testing.assert_allclose(value, wanted, rtol=1e-12)
        for name, old in before.items():
            np.testing.assert_array_equal(getattr(ties, name)[:used], old * 0.9)   # read, then decayed


def test_warm_up_compiles_the_signatures_the_engine_uses():
    """The sweep's forkserver warms the kernels before forking; that only helps if a run then needs
    no other compiled version."""
    from sim import Simulation, load_scenario
    from sim.engine import simulate_day
    from sim.kernels_warm import warm_up
    from sim.mechanisms import delivery

    warm_up()
    Simulation(load_scenario("broken_promises", {"simulation.agents": 150, "simulation.days": 10})).run()
    for compiled in (simulate_day, delivery.resolve_due):       # the two calls a simulated day makes
        assert len(compiled.signatures) == 1, compiled.__name__


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
