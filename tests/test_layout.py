"""The layout's rules: no import cycle among the project's modules, counting imports inside functions (only
imports for type checkers aside); the engine never imports the UI (the command line alone may); `import sim`
loads none of the heavy packages, and reading a scenario loads no mechanism and no world.

The graph is read as the project's import-cycle check reads it: ``from pkg import name`` is an import of
the submodule ``pkg.name`` when there is one, else of ``pkg``; a module's own packages are not counted
(they load before it anyway)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("sim", "tui", "bench", "tools")


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py") if (ROOT / package).is_dir() else ():
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


def _targets(name: str, path: Path, node: ast.Import | ast.ImportFrom, known: dict[str, Path]) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        parts = package.split(".")[: len(package.split(".")) - (node.level - 1)]
        base = ".".join([*parts, base] if base else parts)
    subs = [f"{base}.{alias.name}" for alias in node.names]
    return [t for t in subs if t in known] + ([base] if any(t not in known for t in subs) else [])


def imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The project modules ``name`` imports, anywhere in it (inside functions too), except under
    ``if TYPE_CHECKING:``."""
    found = set()
    todo: list[ast.AST] = [ast.parse(path.read_text(), str(path))]
    while todo:
        node = todo.pop()
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            todo.extend(node.orelse)
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            for target in _targets(name, path, node, known):
                while target and target not in known:
                    target = target.rpartition(".")[0]
                if target and target != name and not name.startswith(target + "."):
                    found.add(target)
        todo.extend(ast.iter_child_nodes(node))
    return found


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports(name, path, known) for name, path in known.items()}


def test_no_import_cycle_counting_imports_inside_functions():
    edges = graph()
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for target in sorted(edges[node]):
            assert state.get(target) != 1, "import cycle: " + " -> ".join([*trail, node, target])
            if target not in state:
                visit(target, [*trail, node])
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node, [])


def test_the_engine_never_imports_the_ui():
    for name, targets in graph().items():
        if name.startswith("sim") and name != "sim.cli":
            assert not any(t.startswith("tui") for t in targets), f"{name} imports the UI"


def test_the_engine_does_not_import_the_export_layer():
    """Exports take a Simulation; the engine knows nothing of files and tables (imports inside functions too)."""
    edges = graph()
    reached, todo = set(), ["sim.engine"]
    while todo:
        for target in edges[todo.pop()] - reached:
            reached.add(target)
            todo.append(target)
    assert not reached & {"sim.exports", "sim.files", "sim.runs", "sim.dictionary"}


def test_the_batch_designs_never_import_each_other():
    """Sweeps, sensitivity analyses and check share sim/batch/, and nothing of one another."""
    designs = ("sim.sweep", "sim.sensitivity", "sim.check")

    def design(module: str) -> str | None:
        return next((d for d in designs if module == d or module.startswith(d + ".")), None)

    for name, targets in graph().items():
        mine = design(name)
        if mine is not None:
            others = sorted(t for t in targets if design(t) not in (None, mine))
            assert not others, f"{name} imports {others}"
        if name.startswith("sim.batch"):
            assert not [t for t in targets if design(t)], f"the batch layer {name} imports a design"


def test_import_sim_loads_nothing_heavy():
    code = ("import sys, sim, sim.cli; sim.cli.build_parser(); "
            "print(sorted(m for m in ('polars', 'numba', 'textual', 'dask', 'distributed', 'rich') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert result.stdout.strip() == "[]"


def test_reading_a_scenario_loads_no_mechanism_and_no_world():
    code = ("import sys, sim; sim.load_scenario('broken_promises'); "
            "print(sorted(m for m in sys.modules if m.startswith(('sim.mechanisms', 'sim.world', 'sim.engine', "
            "'sim.event_effects', 'sim.exports', 'polars', 'simpy'))))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert result.stdout.strip() == "[]"
