"""No import cycle anywhere in amem, at module level (the import-linter contracts in
pyproject.toml check the layers and sibling cycles; `lint-imports` runs them in .ci/run).

import-linter's ``acyclic_siblings`` contract looks at siblings only; a package whose
``__init__`` imports a submodule that imports the package back (``amem.pid`` <->
``amem.pid.estimators``, once) is a cycle too, so this test looks at every module pair.
"""

from __future__ import annotations

import grimp
import pytest


def import_cycles(graph: grimp.ImportGraph, prefix: str) -> list[list[str]]:
    """The strongly connected components (more than one module) of the import graph restricted
    to modules under ``prefix`` (Tarjan's algorithm, iterative)."""
    modules = sorted(m for m in graph.modules if m == prefix or m.startswith(prefix + "."))
    inside = set(modules)
    edges = {m: sorted(graph.find_modules_directly_imported_by(m) & inside) for m in modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles = []
    for root in modules:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            if i < len(edges[node]):
                work.append((node, i + 1))
                nxt = edges[node][i]
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            if work:  # hand the low-link to the caller
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    cycles.append(sorted(component))
    return cycles


def _graph(imports: list[tuple[str, str]]) -> grimp.ImportGraph:
    graph = grimp.ImportGraph()
    for importer, imported in imports:
        graph.add_import(importer=importer, imported=imported)
    return graph


def test_cycle_finder_finds_known_cycles():
    graph = _graph([("p.a", "p.b"), ("p.b", "p.c"), ("p.c", "p.a"),  # a 3-cycle
                    ("p.pid", "p.pid.est"), ("p.pid.est", "p.pid"),  # package <-> child
                    ("p.x", "p.a"), ("p.y", "q.z"), ("q.z", "p.y")])  # q is outside p
    assert sorted(import_cycles(graph, "p")) == [["p.a", "p.b", "p.c"], ["p.pid", "p.pid.est"]]
    assert import_cycles(_graph([("p.a", "p.b"), ("p.b", "p.c")]), "p") == []


def test_amem_has_no_import_cycle():
    graph = grimp.build_graph("amem", cache_dir=None)
    assert import_cycles(graph, "amem") == []


def test_import_contracts_hold():
    """The import-linter contracts of pyproject.toml (layers, plugins, sibling cycles)."""
    pytest.importorskip("importlinter")
    from pathlib import Path

    from importlinter.cli import lint_imports

    root = Path(__file__).resolve().parent.parent
    config = root / "pyproject.toml"
    assert lint_imports(config_filename=str(config), no_cache=True) == 0
