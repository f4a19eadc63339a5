"""PID atoms of trained infomorphic networks against load (Fig. 2D of Blümel et al. 2025).

Trains the same trials the harness would (same patterns and model seeds, via amem.harness.trials) in one
store_many call and writes, per (load, seed), the atoms averaged over neurons, the epochs trained
and the recall accuracy (mean overlap, paper protocol). Usage:

    python benchmarks/infomorphic_atoms.py --n 100 --alphas 0.01:2.01:0.05 --seeds 5 \
        --out results/infomorphic/fig2d_atoms.csv [--param epochs=5000 ...]
"""

from __future__ import annotations

import argparse
import csv
import json
import time

import numpy as np

from amem.models.infomorphic import InfomorphicHopfield
from amem.pid import ATOM_NAMES
from amem.harness.trials import TrialSpec, build_model, trial_patterns


def parse_alphas(spec: str) -> list[float]:
    if ":" in spec:
        start, stop, step = (float(x) for x in spec.split(":"))
        return list(np.round(np.arange(start, stop + step / 2, step), 10))
    return [float(x) for x in spec.split(",")]


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--alphas", default="0.01:2.01:0.05")
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--param", action="append", default=[], help="KEY=VALUE (JSON value)")
    ap.add_argument("--out", required=True)
    args = ap.parse_args(argv)
    params = {}
    for item in args.param:
        key, _, value = item.partition("=")
        try:
            params[key] = json.loads(value)
        except json.JSONDecodeError:
            params[key] = value
    loads = sorted({max(1, round(a * args.n)) for a in parse_alphas(args.alphas)})
    trials = [TrialSpec(model="infomorphic", params=params, n_units=args.n, n_patterns=p, seed=s)
              for s in range(args.seeds) for p in loads]
    models = [build_model(t) for t in trials]
    sets = [trial_patterns(t) for t in trials]
    t0 = time.perf_counter()
    InfomorphicHopfield.store_many(models, sets)
    train_s = time.perf_counter() - t0
    with open(args.out, "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["n_units", "n_patterns", "alpha", "seed", "epochs_trained",
                         "met_criterion", "mean_overlap", *ATOM_NAMES])
        for t, m, x in zip(trials, models, sets):
            out = m.recall(x)
            acc = float((out.states.astype(np.int64) * x).sum(1).mean() / t.n_units)
            atoms = m.atoms_.mean(0) if m.atoms_ is not None else [np.nan] * 5
            writer.writerow([t.n_units, t.n_patterns, t.alpha, t.seed, m.epochs_trained_,
                             int(m.met_criterion_), acc, *(f"{a:.6f}" for a in atoms)])
    print(f"wrote {args.out}: {len(trials)} networks, training {train_s:.1f} s")


if __name__ == "__main__":
    main()
