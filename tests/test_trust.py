"""Tests for sim.trust against hand-computed values (arithmetic in the comments)."""

from __future__ import annotations

import numpy as np
import pytest
from subjective_logic import Opinion, discount

from sim.trust import discount_arrays, eigentrust, evidence_from_opinion, expectation

# --------------------------------------------------------------------------- expectation


def test_expectation_scalar_hand_values() -> None:
    # (3 + 2*0.5) / (3 + 1 + 2) = 4/6 = 0.6666...
    assert expectation(3, 1, 0.5) == pytest.approx(0.6666666666666666)
    # (0 + 2*0.3) / (0 + 0 + 2) = 0.3: no evidence -> base rate
    assert expectation(0, 0, 0.3) == pytest.approx(0.3)
    # default base rate 0.5: (8 + 1) / (8 + 0 + 2) = 0.9
    assert expectation(8, 0) == pytest.approx(0.9)
    # (0 + 2*0.2) / (0 + 6 + 2) = 0.4/8 = 0.05
    assert expectation(0.0, 6.0, 0.2) == pytest.approx(0.05)


def test_expectation_scalar_returns_float() -> None:
    assert type(expectation(3.0, 1.0, 0.5)) is float
    assert type(expectation(3, 1)) is float


def test_expectation_arrays_broadcast() -> None:
    positive = np.array([0.0, 3.0, 8.0])
    negative = np.array([0.0, 1.0, 0.0])
    result = expectation(positive, negative, 0.5)
    assert isinstance(result, np.ndarray)
    # [(0+1)/2, (3+1)/6, (8+1)/10] = [0.5, 0.6666..., 0.9]
    np.testing.assert_allclose(result, [0.5, 0.6666666666666666, 0.9])

    # (2, 1) evidence columns against a (2,) base-rate row -> (2, 2) result
    # r=1, s=2: (1 + 2a) / (1 + 2 + 2): a=0.5 -> 2/5 = 0.4, a=0.25 -> 1.5/5 = 0.3
    # r=4, s=0: (4 + 2a) / (4 + 0 + 2): a=0.5 -> 5/6 = 0.8333..., a=0.25 -> 4.5/6 = 0.75
    r = np.array([[1.0], [4.0]])
    s = np.array([[2.0], [0.0]])
    a = np.array([0.5, 0.25])
    np.testing.assert_allclose(expectation(r, s, a), [[0.4, 0.3], [0.8333333333333334, 0.75]])


def test_expectation_no_evidence_is_base_rate_array() -> None:
    base = np.array([0.0, 0.1, 0.7, 1.0])
    np.testing.assert_allclose(expectation(np.zeros(4), np.zeros(4), base), base)


# --------------------------------------------------------------------------- Opinion


def test_opinion_expectation() -> None:
    # 0.6 + 0.5*0.2 = 0.7
    assert Opinion(0.6, 0.2, 0.2, 0.5).expectation == pytest.approx(0.7)
    # vacuous opinion: 0 + 0.3*1 = 0.3
    assert Opinion(0.0, 0.0, 1.0, 0.3).expectation == pytest.approx(0.3)


def test_opinion_from_evidence_hand_values() -> None:
    # r=3, s=1: r+s+2 = 6 -> b = 3/6 = 0.5, d = 1/6 = 0.1666..., u = 2/6 = 0.3333...
    op = Opinion.from_evidence(3, 1, 0.5)
    assert op.belief == pytest.approx(0.5)
    assert op.disbelief == pytest.approx(0.16666666666666666)
    assert op.uncertainty == pytest.approx(0.3333333333333333)
    assert op.base_rate == 0.5
    # expectation b + a*u = 0.5 + 0.5/3 = 0.6666... = expectation(3, 1, 0.5)
    assert op.expectation == pytest.approx(0.6666666666666666)
    assert op.expectation == pytest.approx(expectation(3, 1, 0.5))


def test_opinion_from_no_evidence_is_vacuous() -> None:
    # r=s=0: b = 0/2, d = 0/2, u = 2/2 = 1
    assert Opinion.from_evidence(0, 0, 0.3) == Opinion(0.0, 0.0, 1.0, 0.3)


def test_opinion_to_evidence_hand_values() -> None:
    # b=0.5, d=0.25, u=0.25: r = 2*0.5/0.25 = 4, s = 2*0.25/0.25 = 2
    r, s = Opinion(0.5, 0.25, 0.25, 0.5).to_evidence()
    assert r == pytest.approx(4.0)
    assert s == pytest.approx(2.0)


@pytest.mark.parametrize(("r", "s", "a"), [(0, 0, 0.5), (3, 1, 0.5), (10.5, 2.25, 0.1), (0, 7, 0.9)])
def test_evidence_round_trip(r: float, s: float, a: float) -> None:
    op = Opinion.from_evidence(r, s, a)
    assert op.to_evidence() == pytest.approx((r, s))
    assert op.expectation == pytest.approx(expectation(r, s, a))


def test_to_evidence_dogmatic_raises() -> None:
    with pytest.raises(ValueError, match="dogmatic"):
        Opinion(0.7, 0.3, 0.0, 0.5).to_evidence()


def test_from_evidence_negative_raises() -> None:
    with pytest.raises(ValueError, match="non-negative"):
        Opinion.from_evidence(-1, 0)


@pytest.mark.parametrize(
    ("args", "name"),
    [
        ((-0.1, 0.6, 0.5, 0.5), "belief"),
        ((0.6, -0.1, 0.5, 0.5), "disbelief"),
        ((0.6, 0.5, -0.1, 0.5), "uncertainty"),
        ((1.1, 0.0, -0.1, 0.5), "belief"),
        ((0.2, 0.3, 0.5, 1.5), "base_rate"),
        ((0.2, 0.3, 0.5, -0.5), "base_rate"),
        ((float("nan"), 0.5, 0.5, 0.5), "belief"),
    ],
)
def test_opinion_rejects_out_of_range(args: tuple[float, float, float, float], name: str) -> None:
    with pytest.raises(ValueError, match=name):
        Opinion(*args)


def test_opinion_rejects_non_additive() -> None:
    # 0.5 + 0.3 + 0.3 = 1.1 != 1
    with pytest.raises(ValueError, match="must equal 1"):
        Opinion(0.5, 0.3, 0.3, 0.5)
    # 0.2 + 0.2 + 0.2 = 0.6 != 1
    with pytest.raises(ValueError, match="must equal 1"):
        Opinion(0.2, 0.2, 0.2, 0.5)


def test_opinion_tolerates_rounding() -> None:
    # off by 5e-10 (< 1e-9) in range and in the sum: accepted
    Opinion(1.0 + 5e-10, 0.0, 0.0, 0.5)
    Opinion(0.5 + 5e-10, 0.25, 0.25, 0.5)
    Opinion(0.0, 0.0, 1.0, -5e-10)


def test_opinion_is_frozen() -> None:
    op = Opinion(0.6, 0.2, 0.2, 0.5)
    with pytest.raises(AttributeError):
        op.belief = 0.1  # type: ignore[misc]


# --------------------------------------------------------------------------- discounting


def test_discount_hand_values() -> None:
    # P = 0.6 + 0.5*0.2 = 0.7
    # b = 0.7*0.8 = 0.56, d = 0.7*0.1 = 0.07, u = 1 - 0.7*(0.8 + 0.1) = 1 - 0.63 = 0.37, a = 0.4
    result = discount(Opinion(0.6, 0.2, 0.2, 0.5), Opinion(0.8, 0.1, 0.1, 0.4))
    assert result.belief == pytest.approx(0.56)
    assert result.disbelief == pytest.approx(0.07)
    assert result.uncertainty == pytest.approx(0.37)
    assert result.base_rate == 0.4


def test_discount_by_full_and_no_trust() -> None:
    rec = Opinion(0.8, 0.1, 0.1, 0.4)
    # fully trusted recommender: P = 1 + 0.5*0 = 1 -> recommendation unchanged
    same = discount(Opinion(1.0, 0.0, 0.0, 0.5), rec)
    assert (same.belief, same.disbelief, same.uncertainty) == pytest.approx((0.8, 0.1, 0.1))
    # distrusted recommender: P = 0 + 0.5*0 = 0 -> vacuous: b = d = 0, u = 1, a = 0.4
    assert discount(Opinion(0.0, 1.0, 0.0, 0.5), rec) == Opinion(0.0, 0.0, 1.0, 0.4)


def test_discount_arrays_hand_values() -> None:
    # P = 0.7 (scalar) against two recommendations:
    # (0.8, 0.1): b = 0.56, d = 0.07, u = 0.37; (0.0, 0.5): b = 0, d = 0.35, u = 0.65
    b, d, u = discount_arrays(0.7, np.array([0.8, 0.0]), np.array([0.1, 0.5]))
    np.testing.assert_allclose(b, [0.56, 0.0])
    np.testing.assert_allclose(d, [0.07, 0.35])
    np.testing.assert_allclose(u, [0.37, 0.65])


def test_discount_arrays_agrees_with_discount() -> None:
    rng = np.random.default_rng(42)
    k = 50
    referrers = [Opinion.from_evidence(r, s, a) for r, s, a in rng.uniform(0, 10, (k, 3)) / [1, 1, 10]]
    recs = [Opinion.from_evidence(r, s, a) for r, s, a in rng.uniform(0, 10, (k, 3)) / [1, 1, 10]]
    p = np.array([o.expectation for o in referrers])
    b, d, u = discount_arrays(p, np.array([o.belief for o in recs]), np.array([o.disbelief for o in recs]))
    expected = [discount(t, r) for t, r in zip(referrers, recs, strict=True)]
    np.testing.assert_allclose(b, [o.belief for o in expected])
    np.testing.assert_allclose(d, [o.disbelief for o in expected])
    np.testing.assert_allclose(u, [o.uncertainty for o in expected])
    np.testing.assert_allclose(b + d + u, 1.0)


def test_evidence_from_opinion_hand_values() -> None:
    # (0.5, 0.25, 0.25): r = 2*0.5/0.25 = 4, s = 2*0.25/0.25 = 2
    # (0, 0, 1): r = s = 0
    # (1/6, 1/2, 1/3): r = (1/3)/(1/3) = 1, s = 1/(1/3) = 3
    r, s = evidence_from_opinion(
        np.array([0.5, 0.0, 1 / 6]), np.array([0.25, 0.0, 0.5]), np.array([0.25, 1.0, 1 / 3])
    )
    np.testing.assert_allclose(r, [4.0, 0.0, 1.0])
    np.testing.assert_allclose(s, [2.0, 0.0, 3.0])


def test_evidence_from_opinion_clips_zero_uncertainty() -> None:
    # u = 0 is clipped to 1e-12: r = 2*0.5/1e-12 = 1e12, finite
    r, s = evidence_from_opinion(np.array([0.5]), np.array([0.5]), np.array([0.0]))
    assert np.isfinite(r).all() and np.isfinite(s).all()
    np.testing.assert_allclose(r, [1e12])
    np.testing.assert_allclose(s, [1e12])


def test_evidence_from_opinion_inverts_from_evidence() -> None:
    r = np.array([0.0, 3.0, 12.5])
    s = np.array([5.0, 1.0, 0.5])
    total = r + s + 2
    back_r, back_s = evidence_from_opinion(r / total, s / total, 2 / total)
    np.testing.assert_allclose(back_r, r)
    np.testing.assert_allclose(back_s, s)


# --------------------------------------------------------------------------- EigenTrust


def test_eigentrust_ring_hand_solved() -> None:
    # 0 -> 1 -> 2 -> 0, p = (1, 0, 0), alpha = 0.5:
    #   t0 = 0.5*t2 + 0.5,  t1 = 0.5*t0,  t2 = 0.5*t1 = 0.25*t0
    #   t0 = 0.125*t0 + 0.5 -> t0 = 0.5/0.875 = 4/7, t1 = 2/7, t2 = 1/7
    t = eigentrust(3, [0, 1, 2], [1, 2, 0], [1.0, 1.0, 1.0], [1.0, 0.0, 0.0], alpha=0.5)
    assert t == pytest.approx([4 / 7, 2 / 7, 1 / 7])
    assert t.sum() == pytest.approx(1.0)


def test_eigentrust_row_normalisation_hand_solved() -> None:
    # 0 -> 1 (w 1), 0 -> 2 (w 3), 1 -> 0 (w 2), 2 -> 0 (w 5); p uniform, alpha = 0.5
    # rows: c01 = 1/4, c02 = 3/4, c10 = 2/2 = 1, c20 = 5/5 = 1
    #   t0 = 0.5*(t1 + t2) + 1/6 = 0.5*(1 - t0) + 1/6 -> 1.5*t0 = 2/3 -> t0 = 4/9
    #   t1 = 0.5*(1/4)*t0 + 1/6 = 1/18 + 1/6 = 2/9
    #   t2 = 0.5*(3/4)*t0 + 1/6 = 1/6 + 1/6 = 1/3
    t = eigentrust(3, [0, 0, 1, 2], [1, 2, 0, 0], [1.0, 3.0, 2.0, 5.0], [1.0, 1.0, 1.0])
    assert t == pytest.approx([4 / 9, 2 / 9, 1 / 3])


def test_eigentrust_duplicate_edges_add_up() -> None:
    # 0 -> 2 split into w 1 + w 2 = 3; same graph as the hand-solved case: (4/9, 2/9, 1/3)
    t = eigentrust(3, [0, 0, 0, 1, 2], [1, 2, 2, 0, 0], [1.0, 1.0, 2.0, 2.0, 5.0], [1.0, 1.0, 1.0])
    assert t == pytest.approx([4 / 9, 2 / 9, 1 / 3])


def test_eigentrust_dangling_row_hand_solved() -> None:
    # 0 -> 1 only; 1 is dangling and its mass follows p = (0.5, 0.5); alpha = 0.5
    #   t0 = 0.5*(0.5*t1) + 0.25,  t0 + t1 = 1 -> 1.25*t1 = 0.75 -> t1 = 0.6, t0 = 0.4
    #   check: t1 = 0.5*(t0 + 0.5*t1) + 0.25 = 0.5*0.7 + 0.25 = 0.6
    t = eigentrust(2, [0], [1], [1.0], [1.0, 1.0], alpha=0.5)
    assert t == pytest.approx([0.4, 0.6])


def test_eigentrust_dangling_rows_follow_p_not_uniform() -> None:
    # 0 -> 1 only; 1 and 2 dangling; p = (1, 0, 0); alpha = 0.5
    # dangling mass goes back to agent 0 (per p), never to agent 2:
    #   t2 = 0, t1 = 0.5*t0, t0 = 0.5*t1 + 0.5 = 0.25*t0 + 0.5 -> t0 = 2/3, t1 = 1/3
    t = eigentrust(3, [0], [1], [1.0], [1.0, 0.0, 0.0], alpha=0.5)
    assert t == pytest.approx([2 / 3, 1 / 3, 0.0])
    # zero-weight edges leave the row dangling too
    t_zero = eigentrust(3, [0, 1], [1, 2], [1.0, 0.0], [1.0, 0.0, 0.0], alpha=0.5)
    assert t_zero == pytest.approx([2 / 3, 1 / 3, 0.0])


def test_eigentrust_no_edges_returns_p() -> None:
    # every row dangling: t = (1 - alpha)*p + alpha*p = p; p = (1, 3)/4
    t = eigentrust(2, [], [], [], [1.0, 3.0], alpha=0.3)
    assert t == pytest.approx([0.25, 0.75])


def test_eigentrust_alpha_one_returns_p_exactly() -> None:
    p_raw = np.array([2.0, 0.0, 1.0, 1.0])
    p = p_raw / p_raw.sum()
    t = eigentrust(4, [0, 1, 2, 3], [1, 2, 3, 0], [1.0, 5.0, 2.0, 1.0], p_raw, alpha=1.0)
    np.testing.assert_array_equal(t, p)
    np.testing.assert_array_equal(t, [0.5, 0.0, 0.25, 0.25])


def test_eigentrust_pretrusted_vector_matters() -> None:
    src, dst, w = [0, 1, 2], [1, 2, 0], [1.0, 1.0, 1.0]
    a = eigentrust(3, src, dst, w, [1.0, 0.0, 0.0])
    b = eigentrust(3, src, dst, w, [0.0, 0.0, 1.0])
    # by symmetry of the ring the second is the first rotated: (2/7, 1/7, 4/7)
    assert b == pytest.approx([2 / 7, 1 / 7, 4 / 7])
    assert not np.allclose(a, b)


def test_eigentrust_resists_collusion_ring() -> None:
    # honest agents 0..5 (a ring with a few chords); agent 5 also trusts colluder 6 once.
    # colluders 6, 7, 8 trust only each other, with large weights.
    src = [0, 1, 2, 3, 4, 5, 0, 3, 5, 6, 7, 8]
    dst = [1, 2, 3, 4, 5, 0, 3, 0, 6, 7, 8, 6]
    w = [1.0] * 9 + [10.0] * 3
    ring = [6, 7, 8]
    uniform = eigentrust(9, src, dst, w, np.ones(9))
    pre = np.zeros(9)
    pre[[0, 1]] = 1.0
    anchored = eigentrust(9, src, dst, w, pre)
    assert uniform.sum() == pytest.approx(1.0)
    assert anchored.sum() == pytest.approx(1.0)
    # without pretrust the ring keeps at least its alpha*p share (0.5 * 3/9) and grabs more
    assert uniform[ring].sum() > 0.5 * 3 / 9
    # anchored on honest agents, the ring only gets what leaks in through 5 -> 6
    assert anchored[ring].sum() < uniform[ring].sum()
    assert anchored[ring].sum() < 0.05


def test_eigentrust_sums_to_one_and_non_negative() -> None:
    rng = np.random.default_rng(7)
    n, m = 50, 300
    t = eigentrust(n, rng.integers(0, n, m), rng.integers(0, n, m), rng.random(m), rng.random(n), alpha=0.15)
    assert t.shape == (n,)
    assert t.sum() == pytest.approx(1.0)
    assert (t >= 0).all()


def test_eigentrust_empty() -> None:
    t = eigentrust(0, [], [], [], [])
    assert t.shape == (0,)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"weights": [1.0, -1.0]}, "non-negative"),
        ({"weights": [1.0, float("nan")]}, "non-negative"),
        ({"weights": [1.0, float("inf")]}, "finite"),
        ({"weights": [1.0]}, "length"),
        ({"targets": [1]}, "length"),
        ({"sources": [0, 3]}, r"\[0, 3\)"),
        ({"targets": [-1, 0]}, r"\[0, 3\)"),
        ({"sources": [0.0, 1.0]}, "integer"),
        ({"sources": [[0, 1]]}, "1-D"),
        ({"pretrusted": [0.0, 0.0, 0.0]}, "positive sum"),
        ({"pretrusted": [1.0, 1.0]}, "length 3"),
        ({"pretrusted": [1.0, -1.0, 1.0]}, "non-negative"),
        ({"alpha": 1.5}, "alpha"),
        ({"alpha": -0.1}, "alpha"),
        ({"n": -1}, "non-negative"),
    ],
)
def test_eigentrust_invalid_inputs(kwargs: dict[str, object], match: str) -> None:
    args: dict[str, object] = {
        "n": 3,
        "sources": [0, 1],
        "targets": [1, 2],
        "weights": [1.0, 1.0],
        "pretrusted": [1.0, 1.0, 1.0],
    }
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        eigentrust(**args)  # type: ignore[arg-type]


def test_eigentrust_large_sparse_graph() -> None:
    # 100,000 agents, 500,000 edges: a dense matrix would need 80 GB, so this only runs if sparse
    rng = np.random.default_rng(0)
    n, m = 100_000, 500_000
    pre = np.zeros(n)
    pre[:100] = 1.0
    t = eigentrust(n, rng.integers(0, n, m), rng.integers(0, n, m), rng.random(m), pre)
    assert t.shape == (n,)
    assert t.sum() == pytest.approx(1.0)
    assert (t >= 0).all()
