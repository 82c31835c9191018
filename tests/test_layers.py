"""The package's folders are its stages, and imports run only from a later stage to an earlier
one (issue 18): foundations (the modules at the top of the package) <- intake <- checks <- store
<- report <- cli. Read from the source with ``ast``, every import counted, including those
inside functions (the heavy ones are deferred there, but they are imports all the same)."""

from __future__ import annotations

import ast
from pathlib import Path

import troopclaims

PACKAGE = Path(troopclaims.__file__).parent
STAGES = ["foundations", "intake", "checks", "store", "report", "cli"]


def _name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _stage(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1:
        return "foundations"
    if parts[1] in STAGES:
        return parts[1]
    return "cli" if parts[1] in ("cli", "__main__") else "foundations"


def _imports(path: Path) -> set[str]:
    """The troopclaims modules ``path`` imports (``from troopclaims.x import y``: y when it is a
    module of x, else x)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("troopclaims.")}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("troopclaims"):
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if sub in MODULES else node.module)
    return found


MODULES = {_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}
GRAPH = {name: _imports(path) - {name} for name, path in MODULES.items()}


def test_every_module_is_in_a_stage_folder_or_a_foundation() -> None:
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert folders == {"intake", "checks", "store", "report"}
    assert {_stage(m) for m in MODULES} == set(STAGES)


def _upward(graph: dict[str, set[str]]) -> list[str]:
    return [
        f"{module} ({_stage(module)}) imports {target} ({_stage(target)})"
        for module, targets in graph.items()
        for target in sorted(targets)
        if STAGES.index(_stage(target)) > STAGES.index(_stage(module))
    ]


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Depth-first over every import: a module met again on the path it is reached by closes
    a cycle (a package's ``__init__`` imports nothing, so the folders add none)."""
    cycles: list[list[str]] = []
    state: dict[str, str] = {}

    def visit(module: str, path: list[str]) -> None:
        state[module] = "open"
        for target in sorted(graph.get(module, ())):
            if state.get(target) == "open":
                cycles.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target, [*path, target])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    return cycles


def test_no_import_runs_from_an_earlier_stage_to_a_later_one() -> None:
    assert _upward(GRAPH) == []


def test_there_is_no_import_cycle() -> None:
    assert _cycles(GRAPH) == []


def test_the_checks_find_what_they_must_refuse() -> None:
    """Both checks can fail: intake importing the report, and two modules importing each
    other through a third, are found; and the graph holds imports made inside functions."""
    load, charts = "troopclaims.intake.load", "troopclaims.report.charts"
    assert _upward({load: {charts}, charts: {load}}) == [
        f"{load} (intake) imports {charts} (report)"
    ]
    a, b, c = "troopclaims.checks.a", "troopclaims.checks.b", "troopclaims.checks.c"
    assert _cycles({a: {b}, b: {c}, c: {a}}) == [[a, b, c, a]]
    assert _cycles({a: {b}, b: {c}, c: set()}) == []
    assert "troopclaims.report.assemble" in GRAPH["troopclaims.cli"]  # imported in cmd_report
    assert "troopclaims.intake.load" in GRAPH["troopclaims.checks.gxrun"]
