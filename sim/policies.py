"""Vouch policies: how an agent answers "would you recommend this person?".

Each policy is a small class whose traits are declared as data and whose decision is vectorised over a
batch of requests. The code of a policy is its index in :data:`POLICIES`; agents store that code in an
``int8`` array, so the engine groups requests by code and asks each policy once per batch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import numpy as np

if TYPE_CHECKING:
    from .config import VouchingConfig


@dataclass(frozen=True)
class VouchPolicy:
    """Base class: ``decide`` says yes or no to each request in a batch."""

    name: ClassVar[str] = ""
    needs_knowledge: ClassVar[bool] = False   # would it refuse a stranger it has never dealt with?
    case_study: ClassVar[str] = ""

    def decide(self, trust: np.ndarray, dealings: np.ndarray, config: VouchingConfig) -> np.ndarray:
        raise NotImplementedError


@dataclass(frozen=True)
class Discerning(VouchPolicy):
    """Vouches when its own trust in the seeker clears the threshold (a first impression may do)."""

    name: ClassVar[str] = "discerning"

    def decide(self, trust: np.ndarray, dealings: np.ndarray, config: VouchingConfig) -> np.ndarray:
        return trust >= config.threshold


@dataclass(frozen=True)
class Experience(VouchPolicy):
    """Vouches only after enough direct dealings, and then only if its trust clears the threshold."""

    name: ClassVar[str] = "experience"
    needs_knowledge: ClassVar[bool] = True
    case_study: ClassVar[str] = "I need to know them before I can recommend them"

    def decide(self, trust: np.ndarray, dealings: np.ndarray, config: VouchingConfig) -> np.ndarray:
        return (dealings >= config.min_dealings) & (trust >= config.threshold)


@dataclass(frozen=True)
class Indiscriminate(VouchPolicy):
    """Always says yes, to be nice."""

    name: ClassVar[str] = "indiscriminate"
    case_study: ClassVar[str] = 'answering "Yes" to be a very nice person'

    def decide(self, trust: np.ndarray, dealings: np.ndarray, config: VouchingConfig) -> np.ndarray:
        return np.ones(trust.shape, dtype=bool)


@dataclass(frozen=True)
class Never(VouchPolicy):
    """Never recommends anyone."""

    name: ClassVar[str] = "never"

    def decide(self, trust: np.ndarray, dealings: np.ndarray, config: VouchingConfig) -> np.ndarray:
        return np.zeros(trust.shape, dtype=bool)


POLICIES: tuple[VouchPolicy, ...] = (Discerning(), Experience(), Indiscriminate(), Never())
#: The policies' names, in code order: what a scenario may name and what the exports' Enum holds.
VOUCH_POLICIES: tuple[str, ...] = tuple(p.name for p in POLICIES)
POLICY_CODE = {p.name: code for code, p in enumerate(POLICIES)}


def decide(codes: np.ndarray, trust: np.ndarray, dealings: np.ndarray, config: VouchingConfig) -> np.ndarray:
    """Each voucher's answer under its own policy (``codes`` gives the policy of each request)."""
    answer = np.zeros(codes.shape, dtype=bool)
    for code, policy in enumerate(POLICIES):
        chosen = codes == code
        if chosen.any():
            answer[chosen] = policy.decide(trust[chosen], dealings[chosen], config)
    return answer
