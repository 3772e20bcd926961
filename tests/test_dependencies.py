"""Every third-party module the product imports (sim/, tui/; anywhere in a module, inside functions too) is
declared in pyproject.toml: as a core dependency, or in the extra that needs it, never only in ``dev``
(which installs the tests' tools). A module used but undeclared works here only because something else
happened to pull it in."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ("sim", "tui")
#: the extras, and the modules only code that needs the extra may import
EXTRAS = {"cluster": {"dask", "distributed"}, "sensitivity": {"SALib", "scipy"}}


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared() -> dict[str, set[str]]:
    """Distribution names (normalized) by where they are declared: ``core`` or an extra's name."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    groups = {"core": project["dependencies"], **project.get("optional-dependencies", {})}
    return {group: {normalized(re.match(r"[A-Za-z0-9._-]+", req).group()) for req in reqs}
            for group, reqs in groups.items()}


def imported() -> dict[str, set[str]]:
    """Each top-level third-party module the product imports, with the files that import it."""
    found: dict[str, set[str]] = {}
    for package in PRODUCT:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    top = name.split(".")[0]
                    if top not in sys.stdlib_module_names and top not in PRODUCT and top != "__future__":
                        found.setdefault(top, set()).add(path.relative_to(ROOT).as_posix())
    return found


def test_every_third_party_module_the_product_imports_is_declared():
    groups = declared()
    installed = packages_distributions()
    undeclared = {}
    for module, files in sorted(imported().items()):
        distributions = {normalized(d) for d in installed.get(module, [module])}
        where = {group for group, names in groups.items() if distributions & names} - {"dev"}
        extra = next((name for name, modules in EXTRAS.items() if module in modules), None)
        if not where or (extra is not None and extra not in where and "core" not in where):
            undeclared[module] = (sorted(distributions), sorted(files))
    assert not undeclared, f"imported by the product but not declared where it is needed: {undeclared}"


def test_the_check_sees_imports_inside_functions():
    modules = imported()
    assert "textual_serve" in modules        # tui/serve.py imports it only when the server starts
    assert "SALib" in modules and "distributed" in modules
