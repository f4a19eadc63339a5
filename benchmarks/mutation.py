"""Mutation testing of the harness, records and testing packages with mutmut (not in CI).

    unset PYTHONPATH   # the mutated copy under mutants/ must be the amem the tests import
    python benchmarks/mutation.py [--per-module K] [--seed S] [--children C] [MODULE ...]

The modules and the fast tests come from ``[tool.mutmut]`` in pyproject.toml. mutmut generates
every mutant of those modules, runs the tests once to learn which tests call which function, and
then runs, for each mutant, only those tests (``-x``: the first failure kills it). This script
runs the modules one at a time, each on a random sample of K of its mutants (seeded; all of them
with ``--per-module 0``), and prints per module the killed fraction with its 95% Wilson interval
and every survivor's diff (``mutmut show NAME``). See benchmarks/mutation.md.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import subprocess
import sys
from pathlib import Path

MODULES = {
    "criteria": "amem.harness.criteria",
    "summary": "amem.harness.summary",
    "store": "amem.records.store",
    "provenance": "amem.records.provenance",
    "kit": "amem.testing",
}


def mutants_of(prefix: str) -> dict[str, int | None]:
    """Every generated mutant name under ``prefix`` -> its recorded exit code (None: not run)."""
    out = {}
    for meta in Path("mutants").rglob("*.meta"):
        data = json.loads(meta.read_text())
        for name, code in data.get("exit_code_by_key", {}).items():
            if name.startswith(prefix + "."):
                out[name] = code
    return out


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    if n == 0:
        return (float("nan"), float("nan"))
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (centre - half, centre + half)


def main() -> int:
    from mutmut.stats import status_by_exit_code

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", choices=[[], *MODULES], default=[])
    parser.add_argument("--per-module", type=int, default=60, help="mutants sampled per module "
                        "(0: all)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--children", type=int, default=2)
    parser.add_argument("--report-only", action="store_true", help="rerun nothing: report the "
                        "sampled mutants' recorded results")
    parser.add_argument("--unkilled-only", action="store_true", help="rerun only the sampled "
                        "mutants not killed before (after adding tests)")
    args = parser.parse_args()
    modules = args.modules or list(MODULES)
    if not Path("mutants").exists() and not args.report_only:
        # generate every mutant and collect which tests call what (runs the tests once)
        first = MODULES[modules[0]]
        subprocess.run(["mutmut", "run", "--max-children", str(args.children), first + ".x_*__mutmut_1"],
                       check=False)
    report = {}
    for key in modules:
        names = sorted(mutants_of(MODULES[key]))
        sample = names if args.per_module <= 0 or len(names) <= args.per_module else sorted(
            random.Random(f"{args.seed}:{key}").sample(names, args.per_module))
        if not args.report_only:
            todo = sample
            if args.unkilled_only:
                codes = mutants_of(MODULES[key])
                todo = [n for n in sample if status_by_exit_code[codes.get(n)] != "killed"]
            print(f"== {key}: {len(todo)} of {len(names)} mutants", flush=True)
            if todo:
                subprocess.run(["mutmut", "run", "--max-children", str(args.children), *todo],
                               check=False, stdout=subprocess.DEVNULL)
        codes = mutants_of(MODULES[key])
        result = {"total": len(names), "sampled": len(sample), "killed": [], "survived": [],
                  "timeout": [], "no_tests": [], "other": []}
        for name in sample:
            status = status_by_exit_code[codes.get(name)]  # mutmut's reading of the exit code
            bucket = status.replace(" ", "_")
            if bucket not in result:
                bucket, name = "other", f"{name} ({status})"
            result[bucket].append(name)
        report[key] = result
    print()
    print(f"{'module':<11} {'mutants':>7} {'sampled':>7} {'killed':>6} {'timeout':>7} "
          f"{'survived':>8} {'no tests':>8}  killed fraction [95% CI]")
    for key, r in report.items():
        caught = len(r["killed"]) + len(r["timeout"])  # a hang is a detected change too
        tested = caught + len(r["survived"]) + len(r["no_tests"])
        lo, hi = wilson(caught, tested)
        print(f"{key:<11} {r['total']:>7} {r['sampled']:>7} {len(r['killed']):>6} "
              f"{len(r['timeout']):>7} {len(r['survived']):>8} {len(r['no_tests']):>8}  "
              f"{caught / max(tested, 1):.3f} [{lo:.3f}, {hi:.3f}]")
    for key, r in report.items():
        for name in r["survived"] + r["no_tests"] + r["other"]:
            print(f"\n--- {key} survivor: {name}")
            shown = subprocess.run(["mutmut", "show", name.split(" ")[0]], capture_output=True,
                                   text=True, check=False).stdout
            print("\n".join(line for line in shown.splitlines()
                            if line.startswith(("+", "-")) and not line.startswith(("+++", "---"))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
