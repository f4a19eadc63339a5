"""``python -m amem.bench compare DIR_A DIR_B``: two result folders side by side.

For every curve (model, parameters, N, cue noise, ...) and criterion found in both folders (every
``records.jsonl`` below each folder counts): capacity in A and in B with their 95% CIs, and the
difference B - A with its 95% CI, by bootstrap over seeds. When A and B hold the same seeds the
bootstrap is paired (seed s sees the same patterns and cues in both: the difference of each
seed's capacities is resampled); otherwise the seeds of A and of B are resampled independently.
Curves found in one folder only are listed at the end.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from amem.errors import AmemError

N_RESAMPLES = 10_000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dir_a", metavar="DIR_A", help="a result folder (records.jsonl below it)")
    parser.add_argument("dir_b", metavar="DIR_B", help="the folder to compare with DIR_A")
    parser.add_argument("--criterion", action="append", metavar="NAME",
                        help="criteria to compare (repeatable; default: paper)")
    parser.add_argument("--format", choices=("md", "latex"), default="md",
                        help="table format printed (default md)")


def run(args: argparse.Namespace) -> int:
    """Compare two result folders: capacity per model, N, noise and criterion, with the difference
    and its bootstrap CI over seeds."""
    table = compare(Path(args.dir_a), Path(args.dir_b), args.criterion or ["paper"])  # errors: cli.main
    print(table.to_latex() if args.format == "latex" else table.to_markdown(), end="")
    return 0


def folder_records(folder: Path) -> list[dict]:
    """Recall records of every ``records.jsonl`` under ``folder`` (each trial once)."""
    from amem.records.store import RECORDS_FILE, RecordStore

    if not folder.is_dir():
        raise AmemError(f"{folder} is not a folder; pass two result folders")
    stores = sorted({p.parent for p in folder.rglob(RECORDS_FILE)})
    if not stores:
        raise AmemError(f"{folder} holds no {RECORDS_FILE}; pass folders written by "
                        "`capacity --out` or `study run`")
    seen, out = set(), []
    for store in stores:
        for r in RecordStore(store).load():
            if r.get("probe", "recall") == "recall" and r["key"] not in seen:
                seen.add(r["key"])
                out.append(r)
    return out


def curves(records: list[dict], criteria: list[str]) -> dict[tuple, dict]:
    """Per (curve fields..., criterion): per-seed capacity alphas and the summary entry."""
    from amem.harness.summary import summarize
    from amem.records.schema import canonical

    out = {}
    for c in summarize(records, criteria):
        key = (c["model"], canonical(c["params"]), c["n_units"], c["noise"], c["cue"],
               c["patterns"], c["pattern_param"], c["max_steps"], c["criterion"])
        per_seed = {int(s): p / c["n_units"] for s, p in c["per_seed_patterns"].items()}
        out[key] = {"summary": c, "per_seed": per_seed}
    return out


def difference_ci(a: dict[int, float], b: dict[int, float], seed: int = 0, level: float = 0.95):
    """(mean(b) - mean(a), CI low, CI high, paired?) by bootstrap over seeds."""
    rng = np.random.default_rng(seed)
    q = [(1 - level) / 2, (1 + level) / 2]
    if set(a) == set(b):
        d = np.array([b[s] - a[s] for s in sorted(a)])
        means = d[rng.integers(0, d.size, (N_RESAMPLES, d.size))].mean(1)
        lo, hi = np.quantile(means, q)
        return float(d.mean()), float(lo), float(hi), True
    xa, xb = np.array(list(a.values())), np.array(list(b.values()))
    ma = xa[rng.integers(0, xa.size, (N_RESAMPLES, xa.size))].mean(1)
    mb = xb[rng.integers(0, xb.size, (N_RESAMPLES, xb.size))].mean(1)
    lo, hi = np.quantile(mb - ma, q)
    return float(xb.mean() - xa.mean()), float(lo), float(hi), False


def compare(dir_a: Path, dir_b: Path, criteria: list[str]):
    from amem.harness.criteria import get_criterion
    from amem.studies.tables import Table, ci_text

    for name in criteria:
        get_criterion(name)
    a, b = curves(folder_records(dir_a), criteria), curves(folder_records(dir_b), criteria)
    rows = []
    for key in sorted(set(a) & set(b), key=lambda k: tuple(map(str, k))):
        ca, cb = a[key]["summary"], b[key]["summary"]
        diff, lo, hi = difference_ci(a[key]["per_seed"], b[key]["per_seed"])[:3]
        paired = set(a[key]["per_seed"]) == set(b[key]["per_seed"])
        params = ", ".join(f"{k}={v}" for k, v in sorted(ca["params"].items()))
        rows.append([ca["model"], params, str(ca["n_units"]), f"{ca['noise']:g}", ca["criterion"],
                     ci_text(ca["capacity_alpha"], ca["ci_low"], ca["ci_high"]) + f" ({ca['n_seeds']})",
                     ci_text(cb["capacity_alpha"], cb["ci_low"], cb["ci_high"]) + f" ({cb['n_seeds']})",
                     f"{diff:+.3f} [{lo:+.3f}, {hi:+.3f}]" + ("" if paired else " unpaired")])
    notes = [f"A = {dir_a}, B = {dir_b}; capacity α_c, mean over seeds [95% CI] (seeds); "
             "B − A with a 95% bootstrap CI over seeds, paired when both hold the same seeds."]
    for label, only in (("A", set(a) - set(b)), ("B", set(b) - set(a))):
        for key in sorted(only, key=lambda k: tuple(map(str, k))):
            notes.append(f"only in {label}: {key[0]} {key[1]} N={key[2]} noise={key[3]:g} {key[-1]}")
    if not rows and len(notes) == 1:
        raise AmemError(f"{dir_a} and {dir_b} hold no capacity curve under {', '.join(criteria)}")
    return Table(["model", "parameters", "N", "noise", "criterion", "A [95% CI] (seeds)",
                  "B [95% CI] (seeds)", "B − A [95% CI]"], rows, notes=notes)
