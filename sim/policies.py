"""Vouch policies: how an agent answers "would you recommend this person?".

Each policy is a small class whose behaviour is declared as data: whether it answers the same whatever
it knows (``always``), and whether it needs direct dealings before it will vouch (``needs_knowledge``);
otherwise it vouches when its own trust in the seeker clears ``vouching.threshold``. One compiled rule
(:func:`vouches`) reads those declarations, for the vouching kernel and for :meth:`VouchPolicy.decide`
alike. The code of a policy is its index in :data:`POLICIES`; agents store that code in an ``int8``
array.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from .kernels import kernel

if TYPE_CHECKING:
    from .config import VouchingConfig


@dataclass(frozen=True)
class VouchPolicy:
    """Base class: ``decide`` says yes or no to each request in a batch."""

    name: ClassVar[str] = ""
    always: ClassVar[int] = -1                 # 1: always yes; 0: always no; -1: by its own trust
    needs_knowledge: ClassVar[bool] = False   # would it refuse a stranger it has never dealt with?
    case_study: ClassVar[str] = ""

    def decide(self, trust: np.ndarray, dealings: np.ndarray, config: VouchingConfig) -> np.ndarray:
        codes = np.full(len(trust), POLICY_CODE[self.name], dtype=np.int8)
        return decide(codes, trust, dealings, config)


@dataclass(frozen=True)
class Discerning(VouchPolicy):
    """Vouches when its own trust in the seeker clears the threshold (a first impression may do)."""

    name: ClassVar[str] = "discerning"


@dataclass(frozen=True)
class Experience(VouchPolicy):
    """Vouches only after enough direct dealings, and then only if its trust clears the threshold."""

    name: ClassVar[str] = "experience"
    needs_knowledge: ClassVar[bool] = True
    case_study: ClassVar[str] = "I need to know them before I can recommend them"


@dataclass(frozen=True)
class Indiscriminate(VouchPolicy):
    """Always says yes, to be nice."""

    name: ClassVar[str] = "indiscriminate"
    always: ClassVar[int] = 1
    case_study: ClassVar[str] = 'answering "Yes" to be a very nice person'


@dataclass(frozen=True)
class Never(VouchPolicy):
    """Never recommends anyone."""

    name: ClassVar[str] = "never"
    always: ClassVar[int] = 0


POLICIES: tuple[VouchPolicy, ...] = (Discerning(), Experience(), Indiscriminate(), Never())
#: The policies' names, in code order: what a scenario may name and what the exports' Enum holds.
VOUCH_POLICIES: tuple[str, ...] = tuple(p.name for p in POLICIES)
POLICY_CODE = {p.name: code for code, p in enumerate(POLICIES)}
#: Each policy's declarations, by code, as the compiled rule reads them.
ALWAYS = np.array([p.always for p in POLICIES], dtype=np.int8)
NEEDS_KNOWLEDGE = np.array([p.needs_knowledge for p in POLICIES], dtype=np.bool_)


@kernel
def vouches(code: int, trust: float, dealings: float, threshold: float, min_dealings: float) -> bool:
    """One voucher's answer under its policy, from its own trust in the seeker and its dealings with it."""
    if ALWAYS[code] >= 0:
        return ALWAYS[code] == 1
    if NEEDS_KNOWLEDGE[code] and dealings < min_dealings:
        return False
    return trust >= threshold


@kernel
def _decide(codes: np.ndarray, trust: np.ndarray, dealings: np.ndarray, threshold: float,
            min_dealings: float) -> np.ndarray:
    answer = np.empty(len(codes), dtype=np.bool_)
    for i in range(len(codes)):
        answer[i] = vouches(codes[i], trust[i], dealings[i], threshold, min_dealings)
    return answer


def decide(codes: np.ndarray, trust: np.ndarray, dealings: np.ndarray, config: VouchingConfig) -> np.ndarray:
    """Each voucher's answer under its own policy (``codes`` gives the policy of each request)."""
    return _decide(np.ascontiguousarray(codes, dtype=np.int8), np.ascontiguousarray(trust, dtype=np.float64),
                   np.ascontiguousarray(dealings, dtype=np.float64), float(config.threshold),
                   float(config.min_dealings))
