"""The claims the README shows are what `trustsim check` finds at the defaults, and nothing else.

``docs/claims.json`` is written by ``make claims`` (``tools/update_claims.py``), and the README's table
is rendered from it. These tests check the three agree, and that a fresh check, run here with nothing
cached, reaches every verdict again: a mechanism broken or switched off changes its hypotheses' effects,
and so fails here. It is the slowest test of the suite (about a minute and a half on 2 cores).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from sim import check, config
from tools.update_claims import END, START

ROOT = Path(__file__).resolve().parent.parent
CLAIMS = json.loads((ROOT / "docs" / "claims.json").read_text())


def test_the_readme_table_is_the_checks_output():
    readme = (ROOT / "README.md").read_text()
    table = readme.split(START, 1)[1].split(END, 1)[0].strip()
    assert table == check.markdown(CLAIMS)


def test_every_stated_hypothesis_is_in_the_table_as_stated():
    stated = [(s.name, h.id, h.statement) for name in config.available()
              for s in [config.load(name)] for h in s.hypotheses]
    assert [(r["scenario"], r["id"], r["statement"]) for r in CLAIMS] == stated


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> list[dict]:
    result = check.run(check.plan(config.available()), workers=2, cache=tmp_path_factory.mktemp("cache"))
    assert not result.failures
    return json.loads(check.as_json(result.rows))


def test_a_fresh_check_at_the_defaults_reaches_every_verdict_again(fresh):
    for got, claimed in zip(fresh, CLAIMS, strict=True):
        label = f"{claimed['scenario']}/{claimed['id']}"
        assert got["holds"] == claimed["holds"], label
        for key in ("value", "control_value", "effect", "ci_low", "ci_high"):
            if claimed[key] is None:
                assert got[key] is None, label
            else:
                assert math.isclose(got[key], claimed[key], rel_tol=1e-9, abs_tol=1e-12), (label, key)
