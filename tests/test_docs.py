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


def test_the_readme_commands_run_in_order_do_not_collide_or_stop_short():
    """Run in the order the README gives them, no two commands write the same --out folder (the second was
    refused: the folder must be new or empty), and no command chains on after `trustsim check` with && (check
    exits 1 when a hypothesis does not hold, so what follows never ran)."""
    import re

    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```(?:sh|python)\n(.*?)```", readme, flags=re.S)
    commands = [line.split("#")[0] for block in blocks for line in block.splitlines()]
    written = [m for line in commands if re.search(r"trustsim run|sim run|export\(", line)
               for m in re.findall(r'(?:--out |export\(sim, ")([\w/.-]+)', line)]
    assert written and len(written) == len(set(written)), written
    assert not any(re.search(r"trustsim check[^;&]*&&", line) for line in commands)
    assert "rsvg-convert -o" not in readme
