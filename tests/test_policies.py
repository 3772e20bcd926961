"""Each vouch policy, pinned on the same batch of requests."""

from __future__ import annotations

import numpy as np

from sim.config import VouchingConfig
from sim.policies import POLICY_CODE, Discerning, Experience, Indiscriminate, Never, decide

CONFIG = VouchingConfig(threshold=0.7, min_dealings=3)
TRUST = np.array([0.9, 0.9, 0.5, 0.75])
DEALINGS = np.array([5.0, 0.0, 10.0, 3.0])


def test_discerning_vouches_on_its_own_trust():
    assert Discerning().decide(TRUST, DEALINGS, CONFIG).tolist() == [True, True, False, True]


def test_experience_needs_dealings_first():
    assert Experience().decide(TRUST, DEALINGS, CONFIG).tolist() == [True, False, False, True]
    assert Experience.needs_knowledge


def test_indiscriminate_always_says_yes():
    assert Indiscriminate().decide(TRUST, DEALINGS, CONFIG).all()


def test_never_says_no():
    assert not Never().decide(TRUST, DEALINGS, CONFIG).any()


def test_mixed_batch_asks_each_voucher_its_own_policy():
    codes = np.array([POLICY_CODE["experience"], POLICY_CODE["experience"], POLICY_CODE["indiscriminate"],
                      POLICY_CODE["never"]], dtype=np.int8)
    assert decide(codes, TRUST, DEALINGS, CONFIG).tolist() == [True, False, True, False]
