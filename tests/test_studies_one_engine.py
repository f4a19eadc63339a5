"""One sweep engine: no loop over seeds that stores or recalls (or hands work to a pool)
outside ``amem/harness/``.

The scan reads every Python file of the package, the plugins, ``results/`` and the benchmark
scripts (not pytest files: tests build twins on purpose). In each function (and at module level)
it looks for (1) a loop or comprehension over seeds -- its target or its iterable names a
``seed`` -- and (2) a call that runs trials by hand: ``store``, ``store_many``, ``recall``,
``make``, ``build_model``, or a pool's ``map``/``submit``. A function with both is a sweep runner
of its own and must become a probe (``amem/harness/probes.py``) run by the harness.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCANNED = ("amem", "baselines", "results", "benchmarks")
ENGINE = ROOT / "amem" / "harness"
RUNS_TRIALS = {"store", "store_many", "recall", "build_model", "map", "submit", "map_unordered"}
#: ``make`` only as ``amem.make``/``make`` (a model factory), not any class's ``X.make``
MAKERS = {"amem"}
#: Code that stores and recalls across seeds on purpose, and why (kept short and explicit).
EXEMPT = {
    "amem/testing": "the conformance kit builds twins on purpose (store vs store_many), like tests",
    "benchmarks/infomorphic_reference.py": "runs the authors' reference training beside amem's "
                                           "(a twin for comparison, not a sweep)",
}


def _names(node) -> set[str]:
    out = set()
    for n in ast.walk(node):
        if isinstance(n, ast.Name):
            out.add(n.id.lower())
        elif isinstance(n, ast.Attribute):
            out.add(n.attr.lower())
        elif isinstance(n, ast.arg):
            out.add(n.arg.lower())
    return out


def _loops_over_seeds(scope) -> bool:
    for node in _own_nodes(scope):
        if isinstance(node, (ast.For, ast.AsyncFor)) or isinstance(node, ast.comprehension):  # noqa: SIM101
            pairs = [(node.target, node.iter)]
        else:
            continue
        for target, it in pairs:
            if any("seed" in n for n in _names(target) | _names(it)):
                return True
    return False


def _runs_trials(scope) -> set[str]:
    calls = set()
    for node in _own_nodes(scope):
        if isinstance(node, ast.Call):
            f = node.func
            name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
            if name in RUNS_TRIALS or name == "make" and (isinstance(f, ast.Name) or (
                    isinstance(f.value, ast.Name) and f.value.id in MAKERS)):
                calls.add(name)
    return calls


def _own_nodes(scope):
    """Nodes of ``scope`` not inside a nested function or class (those are scopes of their own)."""
    stack = list(ast.iter_child_nodes(scope))
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        yield node
        stack.extend(ast.iter_child_nodes(node))


def sweep_loops(path: Path, root: Path = ROOT) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    scopes = [tree] + [n for n in ast.walk(tree)
                       if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    found = []
    for scope in scopes:
        calls = _runs_trials(scope)
        if calls and _loops_over_seeds(scope):
            name = getattr(scope, "name", "<module>")
            found.append(f"{path.relative_to(root)}:{getattr(scope, 'lineno', 1)} {name} "
                         f"loops over seeds and calls {', '.join(sorted(calls))}")
    return found


def scanned_files() -> list[Path]:
    files = []
    for top in SCANNED:
        for path in sorted((ROOT / top).rglob("*.py")):
            if path.is_relative_to(ENGINE) or path.name.startswith("test_") or path.name == "conftest.py":
                continue
            if any(path.is_relative_to(ROOT / e) for e in EXEMPT):
                continue
            files.append(path)
    return files


def test_no_sweep_loop_outside_the_harness():
    found = [hit for path in scanned_files() for hit in sweep_loops(path)]
    assert not found, "sweep loops outside amem/harness/ (make them probes):\n" + "\n".join(found)


def test_exemptions_exist():
    assert all((ROOT / e).exists() for e in EXEMPT), "drop exemptions for code that is gone"


def test_the_scan_finds_a_hand_written_sweep(tmp_path):
    """The old noise-robustness script's loop, and the old anatomy runner's pool, are found."""
    script = tmp_path / "sweep.py"
    script.write_text(
        "def run(seeds, alphas):\n"
        "    for alpha in alphas:\n"
        "        for seed in range(seeds):\n"
        "            model = amem.make('hebbian', seed=seed).store(patterns)\n"
        "def pooled(run):\n"
        "    jobs = [(n, s) for n in run.n_units for s in range(run.seed_start, run.seeds)]\n"
        "    with Pool() as pool:\n"
        "        return list(pool.map(job, jobs))\n"
        "def fine(trials):\n"
        "    return [Candidate.make(t.seed) for t in trials]\n")
    hits = sweep_loops(script, tmp_path)
    assert [h.split()[1] for h in hits] == ["run", "pooled"]
