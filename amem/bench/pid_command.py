"""``python -m amem.bench pid``: the PID anatomy of stored memories (Blümel et al. 2025, Fig. 1D).

For every neuron of a network storing P random patterns, the SX PID of its output with the
external pattern bit and the recurrent field as sources (see :mod:`amem.anatomy`), averaged over
neurons, for each model, size, load and seed. Writes to ``--out``:

* ``pid.csv``: one row per (model, n_units, n_patterns, seed): the five mean atoms, their sum
  ``output_entropy``, and ``mean_overlap`` / ``frac_exact`` of recall from the clean patterns;
* ``pid_bins.csv``: the same at ``--sensitivity-alphas`` for each ``--sensitivity-bins`` count;
* ``pid_theory.csv``: the closed-form Hebbian atoms (model ``hebbian`` with ``--output sign``);
* ``pid_summary.csv``: medians over seeds per (model, n_units, n_patterns), with the closed form;
* ``pid.json``: the configuration and environment; figures ``pid[_<model>_n<N>].png/.pdf`` and
  ``pid_bins[...].png/.pdf``.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
import time
from pathlib import Path

import numpy as np

from amem.bench.outdir import check_out_dir
from amem.errors import AmemError

DEFAULT_ALPHAS = "0.01:2.01:0.05"  # the paper's 41 loads
DEFAULT_SENSITIVITY_BINS = "2,3,4,6,8,12,16,24,32,48,60,64"
DEFAULT_SENSITIVITY_ALPHAS = "0.05,0.14,0.3,1.0"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of the ``pid`` command (the sweep options are those of ``capacity``)."""
    from amem.bench.args import PAPER_ALPHAS, add_sweep_arguments

    add_sweep_arguments(parser, default_models="hebbian", default_n="100", default_alphas=PAPER_ALPHAS,
                        default_seeds=20, default_out="pid-out")
    from amem.bench.cli import add_import_argument

    add_import_argument(parser)
    parser.add_argument("--seed-start", type=int, default=0, help="first seed (seeds run seed-start..+K-1)")
    parser.add_argument("--binning", default="adaptive", choices=("fixed", "adaptive", "soft"),
                        help="estimator of the joint distribution (default adaptive, as the paper's "
                             "Hebbian sweeps)")
    parser.add_argument("--bins", type=int, default=None,
                        help="bins of the recurrent field (default 60 hard, 10 soft)")
    parser.add_argument("--output", default="sign", choices=("sign", "sigmoid"),
                        help="target: sign of the recurrent field (Hebbian limit, default) or "
                             "sigmoid(beta (w_ext xi + c))")
    parser.add_argument("--external-weight", type=float, default=2.3,
                        help="w_ext for --output sigmoid (default 2.3)")
    parser.add_argument("--beta", type=float, default=1.0, help="beta for --output sigmoid")
    parser.add_argument("--sensitivity-bins", default=DEFAULT_SENSITIVITY_BINS,
                        help="recurrent bin counts of the sensitivity plot ('' to skip)")
    parser.add_argument("--sensitivity-alphas", default=DEFAULT_SENSITIVITY_ALPHAS,
                        help="loads of the sensitivity plot")
    parser.add_argument("--workers", type=int, default=1,
                        help="processes (spawned); the records do not depend on it")
    parser.add_argument("--plot-only", action="store_true",
                        help="redraw the figures from the CSV files already in --out")
    parser.add_argument("--progress", action="store_true", help="show a progress bar")


def run(args: argparse.Namespace) -> int:
    """Compute the PID anatomy (atoms per neuron vs load) and write CSV, JSON and figures."""
    try:
        return _run(args)
    except AmemError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


def _run(args) -> int:
    """The anatomy is a harness sweep over the ``pid-anatomy`` probe (records in ``--out``,
    resumable, same patterns as the capacity sweep for each seed); the CSV files and figures are
    rendered from those records."""
    from amem.anatomy import AnatomyOptions
    from amem.bench.cli import import_plugins
    from amem.harness.executors import make_executor
    from amem.harness.sweep import SweepConfig, run_sweep
    from amem.records.store import RecordStore

    import_plugins(getattr(args, "imports", None))

    out = check_out_dir(args.out)
    if args.plot_only:
        if not (out / "pid.csv").exists():
            raise AmemError(f"--plot-only: {out / 'pid.csv'} does not exist; run without --plot-only first")
        write_figures(out)
        return 0
    from amem.bench.args import parse_params, sweep_models, sweep_sizes

    models = sweep_models(args)
    sizes = sweep_sizes(args)
    alphas = parse_alphas(args.alphas)
    options = AnatomyOptions(binning=args.binning, n_bins=args.bins, output=args.output,
                             external_weight=args.external_weight, beta=args.beta)
    probe_params = {"binning": args.binning, "output": args.output}
    if args.bins is not None:
        probe_params["n_bins"] = args.bins
    if args.output == "sigmoid":
        probe_params |= {"external_weight": args.external_weight, "beta": args.beta}
    sens_bins = _split([args.sensitivity_bins], _positive_int("--sensitivity-bins")) \
        if args.sensitivity_bins else []
    params = parse_params(args.param, models)
    check_int_arg = args.workers
    if check_int_arg is None or check_int_arg < 1:
        raise AmemError(f"--workers {args.workers} must be at least 1")
    configs = [SweepConfig(models=[(m, params[m]) for m in models], n_units=sizes, alphas=alphas,
                           seeds=args.seeds, seed_start=args.seed_start, probe="pid-anatomy",
                           probe_params=probe_params)]
    if sens_bins:
        configs.append(SweepConfig(models=configs[0].models, n_units=sizes,
                                   alphas=parse_alphas(args.sensitivity_alphas), seeds=args.seeds,
                                   seed_start=args.seed_start, probe="pid-anatomy",
                                   probe_params={**probe_params, "sensitivity_bins": sens_bins}))
    t0 = time.time()
    store = RecordStore(out)
    executor = make_executor("inline" if args.workers == 1 else "process", args.workers)
    try:
        results = [run_sweep(c, store, executor, progress=args.progress) for c in configs]
    finally:
        executor.close()
    all_rows = [_row(r) for r in sorted(results[0], key=_order)]
    all_bins = [{**_row(r, atoms=False), **b} for r in sorted(results[-1], key=_order)
                for b in r.get("bins", [])] if sens_bins else []
    out.mkdir(parents=True, exist_ok=True)
    _write_csv(out / "pid.csv", all_rows)
    if all_bins:
        _write_csv(out / "pid_bins.csv", all_bins)
    theory_rows = _theory_rows(models, sizes, args.alphas, options)
    if theory_rows:
        _write_csv(out / "pid_theory.csv", theory_rows)
    _write_csv(out / "pid_summary.csv", summary_rows(all_rows, theory_rows))
    from amem.records.provenance import provenance

    meta = {"command": "pid", "wall_s": round(time.time() - t0, 1), "models": models, "n_units": sizes,
            "alphas": alphas, "seeds": list(range(args.seed_start, args.seed_start + args.seeds)),
            "params": params, "probe_params": probe_params,
            "options": vars(options) | {"bin_pair": list(options.bin_pair())},
            "protocol": "harness trials of the pid-anatomy probe (patterns and model seeds from "
                        "each trial's identity, as in the capacity sweep); one sample per stored "
                        "pattern (external input = pattern, state = pattern); atoms averaged over "
                        "neurons; recall from clean patterns with the model's own dynamics",
            "provenance": provenance()}
    (out / "pid.json").write_text(json.dumps(meta, indent=2, default=str) + "\n")
    write_figures(out)
    print(f"wrote {len(all_rows)} rows to {out / 'pid.csv'} ({meta['wall_s']} s)")
    return 0


_ROW_FIELDS = ("model", "n_units", "n_patterns", "alpha", "seed")


def _order(record):
    return (record["model"], record["n_units"], record["n_patterns"], record["seed"])


def _row(record, atoms: bool = True) -> dict:
    from amem.anatomy import ATOM_COLUMNS

    row = {k: record[k] for k in _ROW_FIELDS}
    row["alpha"] = round(record["n_patterns"] / record["n_units"], 10)
    if atoms:
        row |= {k: record[k] for k in ATOM_COLUMNS + ("output_entropy",)}
    return row | {"mean_overlap": record["mean_overlap"], "frac_exact": record["frac_exact"]}


def write_figures(out: Path) -> list[Path]:
    """Draw pid*.png/pdf (and pid_bins*.png/pdf) from the CSV files in ``out``."""
    from amem.plots.anatomy import HEBBIAN_CAPACITY, plot_anatomy, plot_bin_sensitivity

    rows = _read_csv(out / "pid.csv")
    bin_rows = _read_csv(out / "pid_bins.csv") if (out / "pid_bins.csv").exists() else []
    theory = _read_csv(out / "pid_theory.csv") if (out / "pid_theory.csv").exists() else []
    combos = sorted({(r["model"], r["n_units"]) for r in rows})
    written = []
    for model, n in combos:
        suffix = "" if len(combos) == 1 else f"_{model}_n{n}"
        sel = [r for r in rows if r["model"] == model and r["n_units"] == n]
        th = [r for r in theory if r["model"] == model and r["n_units"] == n]
        overlay = None
        if th:
            from amem.anatomy import ATOM_COLUMNS

            overlay = (np.array([r["alpha"] for r in th]),
                       np.array([[r[c] for c in ATOM_COLUMNS] for r in th]))
        cap = HEBBIAN_CAPACITY if model == "hebbian" else None
        fig = plot_anatomy(sel, theory=overlay, capacity=cap, title=f"{model}, N = {n}")
        written += _save(fig, out / f"pid{suffix}")
        sel_bins = [r for r in bin_rows if r["model"] == model and r["n_units"] == n]
        if sel_bins:
            fig = plot_bin_sensitivity(sel_bins, title=f"{model}, N = {n}: bin-count sensitivity")
            written += _save(fig, out / f"pid_bins{suffix}")
    return written


def summary_rows(rows: list[dict], theory_rows: list[dict]) -> list[dict]:
    """Per (model, n_units, n_patterns): seed count, median of every column over seeds, and the
    closed-form atoms (``theory_*``) where they exist."""
    from amem.anatomy import ATOM_COLUMNS

    theory = {(t["model"], t["n_units"], t["n_patterns"]): t for t in theory_rows}
    out = []
    for key in sorted({(r["model"], r["n_units"], r["n_patterns"]) for r in rows}):
        sel = [r for r in rows if (r["model"], r["n_units"], r["n_patterns"]) == key]
        row = {"model": key[0], "n_units": key[1], "n_patterns": key[2], "alpha": sel[0]["alpha"],
               "n_seeds": len(sel)}
        for col in ATOM_COLUMNS + ("output_entropy", "mean_overlap", "frac_exact"):
            row[col] = float(np.median([r[col] for r in sel]))
        if key in theory:
            row |= {f"theory_{col}": theory[key][col] for col in ATOM_COLUMNS}
        out.append(row)
    return out


# ------------------------------------------------------------------------- parsing helpers
def parse_alphas(text: str) -> list[float]:
    """'START:STOP:STEP' (STOP included up to rounding) or 'A,B,C' -> sorted positive loads."""
    from amem.bench import args as shared

    if text.count(":") == 1:
        raise AmemError(f"--alphas {text!r}: pid takes START:STOP:STEP or A,B,C (no bisection)")
    values = shared.parse_alphas(text)
    if min(values) <= 0 or not all(map(math.isfinite, values)):
        raise AmemError(f"--alphas {text!r}: loads must be positive numbers")
    return sorted(set(values))


def _positive_int(flag):
    def cast(text):
        try:
            value = int(text)
        except ValueError:
            raise AmemError(f"{flag} {text!r} is not an integer") from None
        if value < 2:
            raise AmemError(f"{flag} {value} must be >= 2")
        return value
    return cast


def _split(items, cast) -> list:
    return [cast(v.strip()) for item in items for v in str(item).split(",") if v.strip()]


def _theory_rows(models, sizes, alphas_text, options) -> list[dict]:
    if "hebbian" not in models or options.output != "sign":
        return []
    from amem.anatomy import ATOM_COLUMNS, n_patterns_for
    from amem.theory.pid_hebbian import hebbian_sx_atoms

    rows = []
    for n in sizes:
        grid = sorted({n_patterns_for(a, n) for a in np.geomspace(0.01, 2.01, 60)}
                      | {n_patterns_for(a, n) for a in parse_alphas(alphas_text)})
        for p in grid:
            atoms = hebbian_sx_atoms(n, p)
            rows.append({"model": "hebbian", "n_units": n, "n_patterns": p, "alpha": p / n,
                         **dict(zip(ATOM_COLUMNS, atoms.tolist()))})
    return rows


def _write_csv(path: Path, rows: list[dict]) -> None:
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def _read_csv(path: Path) -> list[dict]:
    def convert(key, value):
        if key == "model":
            return value
        number = float(value)
        return int(number) if key in ("n_units", "n_patterns", "seed", "n_bins") else number

    with path.open() as fh:
        return [{k: convert(k, v) for k, v in row.items()} for row in csv.DictReader(fh)]


def _save(fig, stem: Path) -> list[Path]:
    paths = [stem.with_suffix(".png"), stem.with_suffix(".pdf")]
    fig.savefig(paths[0], dpi=300)
    fig.savefig(paths[1])
    return paths


def main(argv=None) -> int:
    """Stand-alone entry, equivalent to ``python -m amem.bench pid``."""
    parser = argparse.ArgumentParser(prog="amem.bench pid", description=run.__doc__)
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
