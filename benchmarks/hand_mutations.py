"""Issue 11's deliberate bugs, applied one at a time by hand: each must turn a fast test red.

    PYTHONPATH=$PWD python benchmarks/hand_mutations.py [TEST FILES...]

Each bug is a text substitution in the source; the file is restored after its test run (also
when the run is interrupted). Prints CAUGHT or SURVIVED per bug; see benchmarks/mutation.md.
"""
import pathlib
import re
import subprocess
import sys

import amem.testing.checks as C

MUT = [
 ("amem/harness/summary.py", r"is_paper = \(name == \"paper\"", 'is_paper = True or (name == "paper"', "paper_protocol always true"),
 ("amem/harness/trials.py", r'"frac_retrieved": float\(np.mean\(overlap >= RETRIEVED_OVERLAP\)\)', '"frac_retrieved": 1.0', "every pattern retrieved"),
 ("amem/harness/criteria.py", r'lambda r: r\["frac_stable"\] >= 1.0', 'lambda r: True', "exact always true"),
 ("amem/harness/criteria.py", r'lambda r: r\["frac_exact"\] >= 1.0', 'lambda r: True', "all_exact always true"),
 ("amem/harness/criteria.py", r'"capacity_alpha": float\(alphas.mean\(\)\)', '"capacity_alpha": float(np.median(alphas))', "median as mean"),
 ("amem/harness/criteria.py", r'    lo, hi = np.quantile\(means, \[\(1 - level\) / 2, \(1 \+ level\) / 2\]\)', '    lo = hi = x.mean()', "zero-width band"),
 ("amem/registry.py", r'return cls\(\*\*\{\*\*model_spec.defaults, \*\*params\}\)', 'return cls(**params)', "make ignores defaults"),
 ("amem/records/provenance.py", r'"dirty": any\(', '"dirty": False and any(', "never dirty"),
]

for c in C.ALL_CHECKS:
    MUT.append(("amem/testing/checks.py", rf"(def {c.__name__}\(model: MemoryModel\) -> None:\n(    \"\"\"[\s\S]*?\"\"\"\n)?)", r"\1    return\n", f"{c.__name__} -> return"))
tests = sys.argv[1:] or ["tests/test_known_answers.py", "tests/test_kit_selftest.py"]
for path, pat, rep, what in MUT:
    p = pathlib.Path(path)
    orig = p.read_text()
    new, n = re.subn(pat, rep, orig, count=1)
    if n != 1:
        print(f"NOT APPLIED  {what}")
        continue
    p.write_text(new)
    try:
        r = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *tests], capture_output=True, text=True)
    finally:
        p.write_text(orig)
    last = r.stdout.strip().splitlines()[-1] if r.stdout.strip() else r.stderr[-200:]
    print(f"{'CAUGHT' if r.returncode else 'SURVIVED'}  {what}: {last}", flush=True)
