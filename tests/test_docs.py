"""The generated documents are current: the data dictionary matches the tables the code writes."""

from __future__ import annotations

from pathlib import Path

from sim.dictionary import markdown

ROOT = Path(__file__).resolve().parent.parent


def test_the_data_dictionary_is_current():
    assert (ROOT / "docs" / "DATA.md").read_text() == markdown(), "run `make docs`"


def test_every_event_kind_has_its_roles():
    from sim.eventlog import ROLES, EventKind

    assert set(ROLES) == set(EventKind)


def test_the_citation_names_the_version_the_code_reports():
    import sim

    assert f"version: {sim.__version__}" in (ROOT / "CITATION.cff").read_text()
