"""Subjective logic for one opinion at a time: the scalar definitions that sim/trust.py's vectorised
functions (``discount_arrays``, ``evidence_from_opinion``) are tested against. The engine never needs a
single opinion as an object, so these live with the tests."""

from __future__ import annotations

from dataclasses import dataclass

from sim.trust import PRIOR_WEIGHT

#: Tolerance for the range and additivity checks of an Opinion.
_TOL = 1e-9


@dataclass(frozen=True, slots=True)
class Opinion:
    """A subjective-logic binomial opinion (Jøsang): belief + disbelief + uncertainty == 1."""

    belief: float
    disbelief: float
    uncertainty: float
    base_rate: float

    def __post_init__(self) -> None:
        """Reject opinions outside the simplex, so every downstream formula stays meaningful."""
        for name in ("belief", "disbelief", "uncertainty", "base_rate"):
            value = getattr(self, name)
            if not -_TOL <= value <= 1.0 + _TOL:
                raise ValueError(f"{name} must be in [0, 1], got {value!r}")
        total = self.belief + self.disbelief + self.uncertainty
        if abs(total - 1.0) > _TOL:
            raise ValueError(f"belief + disbelief + uncertainty must equal 1, got {total!r}")

    @property
    def expectation(self) -> float:
        """Projected probability b + a*u: the uncertain mass is shared out by the base rate."""
        return self.belief + self.base_rate * self.uncertainty

    @classmethod
    def from_evidence(cls, positive: float, negative: float, base_rate: float = 0.5) -> Opinion:
        """Map beta evidence (r, s) to an opinion (Jøsang & Ismail 2002): b, d, u = r, s, 2 over r+s+2.

        Why: it is the bridge between counting interactions and reasoning with subjective logic;
        its expectation equals ``expectation(r, s, base_rate)``.
        """
        if positive < 0 or negative < 0:
            raise ValueError(f"evidence must be non-negative, got r={positive!r}, s={negative!r}")
        total = positive + negative + PRIOR_WEIGHT
        return cls(positive / total, negative / total, PRIOR_WEIGHT / total, base_rate)

    def to_evidence(self) -> tuple[float, float]:
        """Inverse of ``from_evidence``: r = 2b/u, s = 2d/u.

        Why: lets a (discounted) opinion be stored back as evidence counts. A dogmatic opinion
        (u == 0) stands for infinite evidence and has no finite inverse, so it raises ValueError.
        """
        if self.uncertainty <= 0.0:
            raise ValueError("dogmatic opinion (uncertainty == 0) has no finite evidence")
        return (
            PRIOR_WEIGHT * self.belief / self.uncertainty,
            PRIOR_WEIGHT * self.disbelief / self.uncertainty,
        )


def discount(trust_in_recommender: Opinion, recommendation: Opinion) -> Opinion:
    """Jøsang's subjective-logic trust discounting of a recommendation by trust in its source.

    With P = b + a*u of ``trust_in_recommender`` (its projected probability), the result is
    b = P*b', d = P*d', u = 1 - P*(b' + d'), a = a'. Why: advice from a partly trusted
    recommender is believed only in proportion to that trust; the rest becomes uncertainty.
    """
    p = trust_in_recommender.expectation
    belief = p * recommendation.belief
    disbelief = p * recommendation.disbelief
    return Opinion(belief, disbelief, 1.0 - belief - disbelief, recommendation.base_rate)
