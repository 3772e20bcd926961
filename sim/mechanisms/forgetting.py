"""Forgetting (MODEL.md, relationships): every tie's evidence, functional and referral, decays by a
factor λ = ``trust.forgetting`` per day (λ = 1 keeps everything).

Forgetting touches every tie every day, and so does the day's sample of the network measures. At
100,000 agents that is a million ties, and the pass is bound by memory bandwidth, so the two share
one compiled pass (:func:`sim.kernels.sample_ties`): it reads each tie for the measures as the
evidence stood at the start of the day, then decays it. :func:`read_then_forget` is that pass; the
measures (:mod:`sim.measures`) are computed from what it read.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..kernels import sample_ties
from ..world import World


class TieSums(NamedTuple):
    """What one pass over every tie read (before forgetting), for the measures.

    Functional trust summed over live ties (and how many), and the weight of evidence in it; referral
    trust summed over live ties that carry referral evidence (and how many); per agent, the functional
    trust placed in it and by how many, and the referral trust placed in it and by how many.
    """

    trust_sum: float
    live_ties: int
    weight_sum: float
    referral_sum: float
    referral_live: int
    reputation_total: np.ndarray
    reputation_held: np.ndarray
    referral_total: np.ndarray
    referral_held: np.ndarray


def daily_factor(world: World, day: int) -> float:
    """λ for the night after ``day``: the scenario's, except after the last day (nothing follows it)."""
    return 1.0 if day >= world.scenario.simulation.days else world.scenario.trust.forgetting


def read_then_forget(world: World, factor: float = 1.0) -> TieSums:
    """One pass over every tie slot: read it for the measures, then multiply its evidence by ``factor``.

    Evidence kept outside the tie table (hearsay, what has been told: :mod:`sim.ledger`) is decayed
    lazily by the number of forgetting nights, counted here; what agents have seen of strangers is
    forgotten by :func:`sim.mechanisms.generalized_trust.forget`.
    """
    ties, people = world.ties, world.population
    slots = ties.slots
    if factor != 1.0:
        world.nights += 1
    return TieSums(*sample_ties(
        ties.source[:slots], ties.target[:slots], ties.alive[:slots], ties.faded[:slots], ties.dealings[:slots],
        ties.positive[:slots], ties.negative[:slots], ties.ref_positive[:slots], ties.ref_negative[:slots],
        ties.own_positive[:slots], ties.own_negative[:slots], people.base_rate, people.size, float(factor)))
