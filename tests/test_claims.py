"""The claims the README shows are what `trustsim check` finds at the defaults, and nothing else.

``scenarios/claims.json`` is written by ``make claims`` (``tools/update_claims.py``), and the README's table
is rendered from it. These tests check the three agree, and that a fresh check, run here with nothing
cached, reproduces the first two paired seeds behind every verdict to the bit, the rest following from
the recorded seeds: a mechanism broken or switched off changes its hypotheses' runs, and so fails here.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from sim import check, config
from tools.update_claims import END, START

ROOT = Path(__file__).resolve().parent.parent
CLAIMS = json.loads((ROOT / "scenarios" / "claims.json").read_text())


def test_the_readme_table_is_the_checks_output():
    readme = (ROOT / "README.md").read_text()
    table = readme.split(START, 1)[1].split(END, 1)[0].strip()
    assert table == check.markdown(CLAIMS)


def test_every_stated_hypothesis_is_in_the_table_as_stated():
    stated = [(s.name, h.id, h.statement) for name in config.available()
              for s in [config.load(name)] for h in s.hypotheses]
    assert [(r["scenario"], r["id"], r["statement"]) for r in CLAIMS] == stated


def test_no_hypothesis_changed_its_terms_without_an_amendment():
    """The claims were made with each hypothesis's terms (measure, comparison, direction, margin, horizon,
    seeds) and amendments as they stand in the scenario files. Changing a term is allowed only with a new
    amendment (make claims refuses otherwise), after which make claims records it again."""
    recorded = {(r["scenario"], r["id"]): r for r in CLAIMS}
    for name in config.available():
        for h in config.load(name).hypotheses:
            row = recorded[(name, h.id)]
            label = f"{name}/{h.id}"
            amendments = [{"date": a.date, "what": a.what, "why": a.why} for a in h.amendments]
            if row["terms"] != h.terms:
                assert len(amendments) > len(row["amendments"]), (
                    f"{label}: its terms changed with no new amendment: {row['terms']} -> {h.terms}")
                pytest.fail(f"{label}: amended since the claims were made: run make claims")
            assert row["amendments"] == amendments and row["registered"] == h.registered, label


def test_make_claims_refuses_a_change_of_terms_without_an_amendment():
    from tools.update_claims import unregistered_changes

    planned = check.plan(["baseline"])
    recorded = {r["id"]: dict(r) for r in CLAIMS if r["scenario"] == "baseline"}
    assert unregistered_changes(list(recorded.values()), planned) == []
    moved = {**recorded["accuracy"], "terms": {**recorded["accuracy"]["terms"], "min_effect": 0.5}}
    assert len(unregistered_changes([moved], planned)) == 1                 # the margin moved, silently
    # trust-high carries one amendment; claims recorded before it, with other terms, are superseded by it
    before = {**recorded["trust-high"], "terms": {**recorded["trust-high"]["terms"], "than": 0.5}, "amendments": []}
    assert unregistered_changes([before], planned) == []


#: How many of each hypothesis's paired seeds the suite runs again: its first two (of 10, mostly). A
#: hypothesis's seeds are SeedSequence(seed).spawn(n), whose first children do not depend on n, so a check
#: on two replicates runs exactly the first two pairs of runs behind each recorded verdict. The whole table
#: is a full `make claims` (about 230 million agent-days: minutes on a quiet machine, more than this suite
#: may spend); this re-runs a fifth of it and must reproduce it to the bit.
REPLAYED = 2


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> list[dict]:
    result = check.run(check.plan(config.available(), replicates=REPLAYED), workers=2,
                       cache=tmp_path_factory.mktemp("cache"))
    assert not result.failures
    return json.loads(check.as_json(result.rows))


def test_a_fresh_check_at_the_defaults_reproduces_every_claims_first_seeds_to_the_bit(fresh):
    assert [(r["scenario"], r["id"]) for r in fresh] == [(r["scenario"], r["id"]) for r in CLAIMS]
    for got, claimed in zip(fresh, CLAIMS, strict=True):
        label = f"{claimed['scenario']}/{claimed['id']}"
        assert len(claimed["seed_values"]) == claimed["seeds"] >= REPLAYED, label
        for key in ("seed_values", "seed_control_values"):
            assert got[key] == claimed[key][:REPLAYED], (label, key)      # None (NaN) included


def test_each_recorded_verdict_follows_from_its_recorded_seeds():
    """The recorded effect and interval are the paired statistics of the recorded per-seed values, so the
    runs replayed above are the very runs behind each verdict."""
    from sim.batch.statistics import paired_effect

    for claimed in CLAIMS:
        label = f"{claimed['scenario']}/{claimed['id']}"
        nan = float("nan")
        mine = [nan if v is None else v for v in claimed["seed_values"]]
        theirs = [nan if v is None else v for v in claimed["seed_control_values"]]
        paired = paired_effect(np.array(mine), np.array(theirs))
        for key in ("value", "control_value", "effect", "ci_low", "ci_high"):
            got = getattr(paired, key)
            if claimed[key] is None:
                assert not math.isfinite(got), (label, key)
            else:
                assert math.isclose(got, claimed[key], rel_tol=1e-12, abs_tol=1e-15), (label, key)


def test_every_claim_was_also_checked_longer_and_larger_and_says_so_truly():
    """The table's last column comes from real runs (make claims, --robust): every hypothesis at twice its
    horizon and at four times its agents, and its robustness follows from those verdicts."""
    for claimed in CLAIMS:
        label = f"{claimed['scenario']}/{claimed['id']}"
        variants = claimed["robust"]
        assert variants is not None and set(variants) == {"twice the horizon", "four times the agents"}, label
        longer, larger = variants["twice the horizon"], variants["four times the agents"]
        assert (longer["days"], longer["agents"]) == (2 * claimed["days"], claimed["agents"]), label
        assert (larger["days"], larger["agents"]) == (claimed["days"], 4 * claimed["agents"]), label
        hypothesis = next(h for h in config.load(claimed["scenario"]).hypotheses if h.id == claimed["id"])
        for entry in variants.values():
            low, high = entry["ci_low"], entry["ci_high"]
            assert low is None or low <= entry["effect"] <= high, label
            # each variant's verdict is its interval's, against the stated margin and direction
            assert entry["holds"] == (low is not None and hypothesis.holds(low, high)), label
        expected = ("does not hold" if not claimed["holds"] else
                    "holds" if all(v["holds"] for v in variants.values()) else "holds at the defaults only")
        assert claimed["robustness"] == expected, label
