"""The claims of MODEL.md, each asserted as a mean over several seeds with a margin.

Runs are modest (400 agents, 250 days) and cached per (scenario, overrides, seed) for the session.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import polars as pl

from sim import Simulation, load_scenario
from sim.exports import agents_frame, archetypes_frame, events_frame

SEEDS = (1, 2, 3, 4)
AGENTS, DAYS = 400, 250


@cache
def _run(name: str, overrides: tuple[tuple[str, object], ...], seed: int) -> Simulation:
    settings = {"simulation.agents": AGENTS, "simulation.days": DAYS, "simulation.seed": seed,
                **dict(overrides)}
    return Simulation(load_scenario(name, settings)).run()


def runs(name: str, **overrides: object) -> list[Simulation]:
    key = tuple(sorted((k.replace("__", "."), v) for k, v in overrides.items()))
    return [_run(name, key, seed) for seed in SEEDS]


def final(name: str, measure: str, **overrides: object) -> float:
    """Mean over seeds of a measure's last value."""
    return float(np.mean([sim.metrics_history()[measure][-1] for sim in runs(name, **overrides)]))


def series(name: str, measure: str, **overrides: object) -> np.ndarray:
    """Mean over seeds of a measure's daily series."""
    return np.mean([sim.metrics_history()[measure] for sim in runs(name, **overrides)], axis=0)


def archetype_series(name: str, archetype: str, column: str) -> np.ndarray:
    frames = [archetypes_frame(sim).filter(pl.col("archetype") == archetype).sort("day")[column].to_numpy()
              for sim in runs(name)]
    return np.mean(frames, axis=0)


# ----------------------------------------------------------------------------- baseline
def test_baseline_trust_stays_high_and_steady():
    trust = series("baseline", "mean_trust")
    assert trust[30:].min() > 0.6
    assert trust[30:].max() - trust[30:].min() < 0.05


def test_baseline_reputation_tracks_reliability():
    assert final("baseline", "trust_accuracy") > 0.7


# ----------------------------------------------------------------------------- broken promises
def test_broken_promises_lower_network_and_generalized_trust():
    assert final("broken_promises", "mean_trust") < final("baseline", "mean_trust") - 0.05
    assert final("broken_promises", "generalized_trust") < final("baseline", "generalized_trust") - 0.05


def test_those_who_vouched_for_overcommitters_lose_referral_trust():
    gaps = []
    for sim in runs("broken_promises"):
        agents = agents_frame(sim)
        overcommitters = agents.filter(pl.col("archetype") == "overcommitter")["agent"]
        vouches = events_frame(sim).filter(pl.col("kind") == "vouch")
        for_them = vouches.filter(pl.col("target").is_in(overcommitters.implode()))["actor"].unique()
        # compare vouchers of the same kind (steady and casual people) so the gap is about whom they vouched for
        vouchers = agents.filter(pl.col("vouches_given") > 0, pl.col("archetype") != "overcommitter")
        blamed = vouchers.filter(pl.col("agent").is_in(for_them.implode()))["referral_reputation"].mean()
        spared = vouchers.filter(~pl.col("agent").is_in(for_them.implode()))["referral_reputation"].mean()
        gaps.append(spared - blamed)
    assert np.mean(gaps) > 0.03


def test_ties_around_overcommitters_break_while_followings_stay_high():
    broken_per_agent = {"overcommitter": [], "others": []}
    for sim in runs("broken_promises"):
        agents = agents_frame(sim)
        over = agents.filter(pl.col("archetype") == "overcommitter")["agent"].implode()
        untied = events_frame(sim).filter(pl.col("kind") == "untie")
        around = untied.filter(pl.col("target").is_in(over)).height
        broken_per_agent["overcommitter"].append(around / agents.filter(pl.col("archetype") == "overcommitter").height)
        broken_per_agent["others"].append((untied.height - around) / agents.filter(
            pl.col("archetype") != "overcommitter").height)
    assert np.mean(broken_per_agent["overcommitter"]) > 3 * np.mean(broken_per_agent["others"])
    # the illusion: followings keep growing above everyone else's while reputation is the lowest
    followers = archetype_series("broken_promises", "overcommitter", "followers_mean")
    steady_followers = archetype_series("broken_promises", "steady", "followers_mean")
    assert followers[-1] > 2 * followers[0]
    assert followers[DAYS // 2] > steady_followers[DAYS // 2]
    reputation = archetype_series("broken_promises", "overcommitter", "reputation")
    steady_reputation = archetype_series("broken_promises", "steady", "reputation")
    assert reputation[DAYS // 2] < steady_reputation[DAYS // 2] - 0.1
    assert reputation[-1] < reputation[0]


# ----------------------------------------------------------------------------- indiscriminate vouching
def test_indiscriminate_vouching_collapses_referral_trust():
    assert final("indiscriminate_vouching", "referral_trust") < final("baseline", "referral_trust") - 0.1


def test_indiscriminate_vouching_lowers_vouch_precision():
    assert final("indiscriminate_vouching", "vouch_precision") < final("baseline", "vouch_precision") - 0.1


def test_indiscriminate_vouching_makes_reputation_stop_tracking_reliability():
    assert final("indiscriminate_vouching", "trust_accuracy") < final("baseline", "trust_accuracy") - 0.03


# ----------------------------------------------------------------------------- mentor mimicry
def test_self_promoting_habits_spread_to_newcomers():
    shares = []
    for sim in runs("mentor_mimicry"):
        newcomers = agents_frame(sim).filter(pl.col("archetype") == "newcomer")
        # newcomers start with promotion_rate 0: any promotion is a copied habit
        shares.append((newcomers["promotion_rate"] > 0).mean())
    assert np.mean(shares) > 0.3


def test_mentor_mimicry_network_trust_declines():
    trust = series("mentor_mimicry", "mean_trust")
    after_influx = trust[61:80].max()
    assert trust[-1] < after_influx - 0.04


def test_mentor_mimicry_decline_is_caused_by_mimicry():
    """The same wave of newcomers with no one copying: trust must end clearly higher."""
    with_imitation = final("mentor_mimicry", "mean_trust")
    assert with_imitation < final("mentor_mimicry", "mean_trust", imitation__rate=0.0) - 0.02


# ----------------------------------------------------------------------------- repentance
def _days_to_cross(values: np.ndarray, start: int, level: float, falling: bool) -> float:
    later = values[start:]
    crossed = np.flatnonzero(later <= level if falling else later >= level)
    return float(crossed[0]) if crossed.size else float("inf")


def test_repentance_recovers_more_slowly_than_it_fell():
    reputation = archetype_series("repentance", "enthusiast", "reputation")
    lapse, reform = 60, 180
    before, trough = reputation[lapse], reputation[reform]
    assert before - trough > 0.1, "the lapse must cost reputation"
    half = (before - trough) / 2
    fall_days = _days_to_cross(reputation, lapse, before - half, falling=True)
    recover_days = _days_to_cross(reputation, reform, trough + half, falling=False)
    assert recover_days > 1.5 * fall_days
    # and it does recover, if slowly
    assert reputation[-1] > trough + 0.02


# ----------------------------------------------------------------------------- integrity
OTHER_POLICIES = ("discerning", "indiscriminate")


def _with_policy(policy: str) -> dict[str, str]:
    return {f"archetypes__{a}__vouch_policy": policy for a in ("careful", "nice", "casual", "flaky")}


def test_integrity_gives_the_best_vouch_precision():
    best = final("integrity", "vouch_precision")
    for policy in OTHER_POLICIES:
        assert best > final("integrity", "vouch_precision", **_with_policy(policy)) + 0.03


def test_integrity_gives_the_best_trust_accuracy():
    """The edge over discerning vouching is small (about 0.009) against a per-seed spread of about 0.017,
    so it is judged on 48 paired seeds (fewer cannot tell it from noise reliably): the mean per-seed
    difference must exceed two standard errors (and 0.005), not one lucky run."""
    seeds = range(1, 49)

    def accuracy(**overrides: object) -> np.ndarray:
        key = tuple(sorted((k.replace("__", "."), v) for k, v in overrides.items()))
        return np.array([_run("integrity", key, seed).metrics_history()["trust_accuracy"][-1] for seed in seeds])

    best = accuracy()
    for policy in OTHER_POLICIES:
        difference = best - accuracy(**_with_policy(policy))
        standard_error = difference.std(ddof=1) / np.sqrt(len(difference))
        assert difference.mean() > 2 * standard_error and difference.mean() > 0.005, policy
