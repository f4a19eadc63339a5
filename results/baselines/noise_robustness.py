"""Noise robustness of each learning rule against load (infomorphic paper, Fig. 5 last panel).

For every model, load alpha and seed: store P = round(alpha N) random patterns once, then recall
them (paper dynamics: synchronous sign updates, at most N sweeps) from cues with exactly
round(f N) flipped bits for every f on the noise grid. Writes ``<out>/<model>.csv`` with one row
per (alpha, seed, noise): mean overlap with the stored patterns and the fraction recalled exactly.
Noise levels run in increasing order and stop at the first level whose mean overlap over seeds is
below 0.95 (that row is written too), since f_max never looks further.

f_max(alpha), computed by ``make_report.py``, is the largest noise f on the grid such that the mean
overlap (over patterns and seeds) is >= 0.95 at f and at every smaller noise level.

Usage (one model per call keeps each run to a few CPU minutes):
    OPENBLAS_NUM_THREADS=1 python results/baselines/noise_robustness.py --model storkey \
        --out results/baselines/noise
"""

from __future__ import annotations

import argparse
import csv
import time
from pathlib import Path

import numpy as np

import amem
from amem.patterns import flip_cues, random_patterns

ALPHAS = [round(0.1 * k, 2) for k in range(1, 21)]  # 0.1 ... 2.0
NOISES = [round(0.02 * k, 2) for k in range(0, 26)]  # 0 ... 0.5
THRESHOLD = 0.95  # mean overlap that counts as recalled (the paper criterion)


def run(model_id: str, n_units: int, seeds: int, out_dir: Path, params: dict,
        label: str | None = None) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{label or model_id}.csv"
    t0 = time.perf_counter()
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["model", "n_units", "alpha", "n_patterns", "seed", "noise",
                         "mean_overlap", "frac_exact"])
        for alpha in ALPHAS:
            n_patterns = int(round(alpha * n_units))
            stored = []
            for seed in range(seeds):
                patterns = random_patterns(n_patterns, n_units, seed=[seed, n_units, n_patterns])
                model = amem.make(model_id, seed=seed, **params).store(patterns)
                stored.append((seed, patterns, model))
            for noise in NOISES:
                overlaps = []
                for seed, patterns, model in stored:
                    cue_seed = [seed, n_units, n_patterns, int(noise * 1000)]
                    cues = flip_cues(patterns, noise, seed=cue_seed)
                    states = model.recall(cues).states.astype(np.float64)
                    overlap = (states * patterns).mean(axis=1)
                    overlaps.append(overlap.mean())
                    writer.writerow([label or model_id, n_units, alpha, n_patterns, seed, noise,
                                     f"{overlap.mean():.6f}", f"{(overlap == 1).mean():.6f}"])
                if np.mean(overlaps) < THRESHOLD:
                    break  # f_max is the last level that passed; higher levels are not needed
    print(f"{model_id}: {time.perf_counter() - t0:.0f} s -> {path}")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", action="append", required=True)
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--param", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--label", default=None,
                        help="curve name and file stem (default: model id)")
    parser.add_argument("--out", type=Path, default=Path("results/baselines/noise"))
    args = parser.parse_args()
    import json

    params = {k: json.loads(v) for k, v in (p.split("=", 1) for p in args.param)}
    for model_id in args.model:
        run(model_id, args.n, args.seeds, args.out, params, args.label)


if __name__ == "__main__":
    main()
