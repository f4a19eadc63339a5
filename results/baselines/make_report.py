"""Combine the paper-protocol runs and the noise sweeps into figures and tables.

Reads ``paper-*/records.jsonl`` (written by ``python -m amem.bench capacity``) and
``noise/*.csv`` (written by ``noise_robustness.py``) under this folder; writes
``comparison.png/.pdf`` (mean overlap against load, every model), ``noise_robustness.png/.pdf``
(f_max against load), ``fmax.csv``, and prints the Markdown tables quoted in README.md.

    python results/baselines/make_report.py
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path

import numpy as np

from amem.plots.capacity import plot_accuracy, save_figure
from amem.harness.summary import summarize

HERE = Path(__file__).resolve().parent
THRESHOLD = 0.95
ORDER = ["hebbian", "storkey", "pseudoinverse", "descent-l2", "krauth-mezard", "diederich-opper",
         "mpf",
         "krauth-mezard-kappa1", "infomorphic"]


def load_records() -> list[dict]:
    records = []
    for path in sorted(HERE.glob("paper-*/records.jsonl")):
        records += [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return records


def capacity_table(records: list[dict]) -> str:
    rows = ["| model | paper α_c [95% CI] | censored seeds | frac90 α_c | exact α_c | seeds |",
            "|---|---|---|---|---|---|"]
    by = defaultdict(dict)
    for cap in summarize(records):
        by[cap["model"]][cap["criterion"]] = cap
    for model in sorted(by, key=lambda m: ORDER.index(m) if m in ORDER else 99):
        p, f, e = by[model]["paper"], by[model]["frac90"], by[model]["exact"]
        rows.append(f"| {model} | {p['capacity_alpha']:.3f} "
                    f"[{p['ci_low']:.3f}, {p['ci_high']:.3f}] "
                    f"| {p['n_censored']} | {f['capacity_alpha']:.3f} | {e['capacity_alpha']:.3f} "
                    f"| {p['n_seeds']} |")
    return "\n".join(rows)


def fmax_curves() -> dict[str, list[tuple[float, float]]]:
    """f_max(alpha): the largest noise with mean overlap >= 0.95 there and at every lower noise."""
    curves = {}
    for path in sorted((HERE / "noise").glob("*.csv")):
        means = defaultdict(list)
        for row in csv.DictReader(path.open()):
            means[(float(row["alpha"]), float(row["noise"]))].append(float(row["mean_overlap"]))
        model = path.stem
        points = []
        for alpha in sorted({a for a, _ in means}):
            fmax = float("nan")  # clean cues already fail
            for noise in sorted(f for a, f in means if a == alpha):
                if np.mean(means[(alpha, noise)]) < THRESHOLD:
                    break
                fmax = noise
            points.append((alpha, fmax))
        curves[model] = points
    return curves


def main() -> None:
    import matplotlib.pyplot as plt

    records = load_records()
    summary = summarize(records)
    fig_ax = plot_accuracy(records, capacities=summary, log_x=False)
    print("wrote", [str(p.relative_to(HERE)) for p in save_figure(fig_ax, HERE / "comparison")])
    print(capacity_table(records))

    for path in sorted(HERE.glob("bisect-*/summary.json")):
        for cap in json.loads(path.read_text())["capacities"]:
            if cap["criterion"] == "paper":
                print(f"{path.parent.name}: {cap['model']} {cap['params']} paper alpha_c "
                      f"{cap['capacity_alpha']:.3f} [{cap['ci_low']:.3f}, {cap['ci_high']:.3f}], "
                      f"{cap['n_seeds']} seeds, {cap['n_censored']} censored")

    curves = fmax_curves()
    with (HERE / "fmax.csv").open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["model", "alpha", "f_max"])
        for model, points in curves.items():
            writer.writerows([model, a, "" if np.isnan(f) else f] for a, f in points)
    _, ax = plt.subplots(figsize=(3.4, 2.6), constrained_layout=True)
    models = sorted(curves, key=lambda m: ORDER.index(m) if m in ORDER else 99)
    for i, model in enumerate(models):
        a, f = np.array(curves[model]).T
        ax.plot(a, f, "o-", ms=2.5, lw=1.0, color=f"C{i}", label=model)
    ax.set_xlabel(r"load $\alpha = P/N$")
    ax.set_ylabel(r"$f_{max}$ (overlap $\geq$ 0.95)")
    ax.set_ylim(-0.01, 0.52)
    ax.legend(fontsize=6, frameon=False)
    print("wrote", [str(p.relative_to(HERE)) for p in save_figure(ax, HERE / "noise_robustness")])
    alphas = [a for a, _ in curves[models[0]]]
    print("\n| α | " + " | ".join(models) + " |")
    print("|---|" + "---|" * len(models))
    for k, alpha in enumerate(alphas):
        cells = []
        for model in models:
            f = curves[model][k][1]
            cells.append("–" if np.isnan(f) else f"{f:.2f}")
        print(f"| {alpha:.1f} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
