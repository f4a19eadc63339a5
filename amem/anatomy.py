"""Information anatomy of stored memories: the PID of every neuron's output (Fig. 1D of Blümel et al.).

Blümel et al., "Redundancy Maximization as a Principle of Associative Memory Learning"
(arXiv 2511.02584, 2025), analyse a Hopfield network by presenting each stored pattern once
(external input = pattern, state = pattern) and decomposing, for every neuron i, the information
its output Y_i carries about two sources: the external pattern bit (source 1, "external") and the
recurrent field c_i = sum_j W_ij xi_j + b_i (source 2, "internal"). The per-neuron joint over the
P stored patterns is estimated as in :mod:`amem.pid.estimators` and decomposed with the SX PID.

Choice of output (spec §9.2, ambiguity of the paper's Hebbian setup), ``output=``:

* ``"sign"`` (default): the *Hebbian limit* of the paper's ``hebb_scaling`` runs, where the
  external weight is 1e-10: the infomorphic neuron's firing probability sigma(eps xi_i + c_i)
  tends to theta = 1 if c_i > 0, 0 if c_i < 0 and 1/2 if c_i = 0 as eps -> 0. The output is then
  the sign of the recurrent field, i.e. the network's own deterministic update from the stored
  pattern, and the pattern bit enters only as a PID source. This reading is scale-free (Hebbian
  W or W/N give identical atoms) and is the model behind the closed form of §6
  (:mod:`amem.theory.pid_hebbian`). It avoids the other reading of ``hebbian_start``, in which
  the Hebbian weights are multiplied by internal_scale = 1e-3 and the output simply copies the
  2.3-weighted external bit (then redundancy ~ H(Y) at every load and nothing is learnt about
  the memory).
* ``"sigmoid"``: theta = sigma(beta (w_ext xi_i + c_i)), the infomorphic neuron's activation with
  the model's weights as they are (for trained infomorphic networks: w_ext = 2.3, beta = 1).

Binning defaults to ``"adaptive"`` (per-neuron max-|value| normalisation, [2, 60] bins), which the
paper's Hebbian sweeps use; the fixed [-20, 20] edges would clamp unscaled Hebbian fields of
order N into the end bins.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

import amem
from amem.errors import AmemError
from amem.patterns import random_patterns
from amem.pid.estimators import BINNINGS, DEFAULT_BINS, neuron_atoms
from amem.validation import check_choice, check_float, check_int

OUTPUTS = ("sign", "sigmoid")
#: CSV column names of the five atoms (external = source 1, internal = recurrent source 2).
ATOM_COLUMNS = ("unique_external", "unique_internal", "redundancy", "synergy", "residual_entropy")


@dataclass(frozen=True)
class AnatomyOptions:
    """How each neuron's joint distribution is formed (see the module docstring)."""

    binning: str = "adaptive"
    #: bins of the recurrent field; None = the binning's default (60 hard, 10 soft)
    n_bins: int | None = None
    #: bins of the external bit; None = the binning's default (2 hard, 10 soft)
    external_bins: int | None = None
    output: str = "sign"
    #: external weight w_ext (``output="sigmoid"`` only)
    external_weight: float = 2.3
    #: inverse temperature of the sigmoid (``output="sigmoid"`` only)
    beta: float = 1.0

    def __post_init__(self):
        check_choice("binning", self.binning, BINNINGS)
        check_choice("output", self.output, OUTPUTS)
        for name in ("n_bins", "external_bins"):
            if getattr(self, name) is not None:
                check_int(name, getattr(self, name), 2)
        check_float("external_weight", self.external_weight)
        check_float("beta", self.beta, low=0.0, low_open=True)

    def bin_pair(self) -> tuple[int, int]:
        ext, rec = DEFAULT_BINS[self.binning]
        return (self.external_bins or ext, self.n_bins or rec)


def recurrent_couplings(model) -> tuple[np.ndarray, np.ndarray]:
    """(weights_ (N, N), bias_ (N,)) of a stored model whose ``tags.recurrent_weights`` is True."""
    if not getattr(getattr(model, "tags", None), "recurrent_weights", False):
        raise AmemError(f"{type(model).__name__} does not expose recurrent weights "
                        "(tags.recurrent_weights is False); the PID anatomy needs weights_ and bias_")
    w = np.asarray(model.weights_, dtype=np.float64)
    b = np.asarray(model.bias_, dtype=np.float64)
    return w, b


def neuron_sources(weights, bias, patterns, options: AnatomyOptions):
    """External drive r, recurrent field c and firing probability theta, each (P, N)."""
    x = np.asarray(patterns, dtype=np.float64)
    c = x @ np.asarray(weights).T + bias  # c[mu, i] = sum_j W_ij xi_j^mu + b_i
    if options.output == "sign":
        r = x  # any positive weight bins identically: only the bit's sign is a source
        theta = np.where(c > 0, 1.0, np.where(c < 0, 0.0, 0.5))
    else:
        r = options.external_weight * x
        theta = 0.5 * (1.0 + np.tanh(0.5 * options.beta * (r + c)))  # logistic, overflow-free
    return r, c, theta


def neuron_anatomy(model, patterns=None, options: AnatomyOptions | None = None) -> np.ndarray:
    """Atoms (N, 5) of every neuron of a stored model, one sample per pattern (default: stored)."""
    options = options or AnatomyOptions()
    w, b = recurrent_couplings(model)
    x = model.patterns_ if patterns is None else patterns
    r, c, theta = neuron_sources(w, b, x, options)
    return neuron_atoms(r, c, theta, binning=options.binning, n_bins=options.bin_pair())


def recall_overlap(model, patterns) -> tuple[float, float]:
    """(mean overlap, fraction exact) of recall from the clean stored patterns."""
    states = model.recall(patterns).states.astype(np.int64)
    overlap = (states * patterns).sum(1) / patterns.shape[1]
    return float(overlap.mean()), float((overlap == 1.0).mean())


def n_patterns_for(alpha: float, n_units: int) -> int:
    """P = round(alpha N), at least 1 (the paper's grid 0.01..2.01 gives P = 1, 6, ..., 201 at N=100)."""
    return max(1, int(round(alpha * n_units)))


@dataclass
class AnatomyRun:
    """One sweep: a model (with parameters) at several sizes, loads and seeds."""

    model: str = "hebbian"
    params: dict[str, Any] = field(default_factory=dict)
    n_units: Sequence[int] = (100,)
    alphas: Sequence[float] = tuple(np.round(np.arange(0.01, 2.0101, 0.05), 10))
    seeds: int = 20
    #: seeds run seed_start .. seed_start + seeds - 1
    seed_start: int = 0
    options: AnatomyOptions = field(default_factory=AnatomyOptions)
    #: extra recurrent bin counts evaluated at ``sensitivity_alphas`` (empty = none)
    sensitivity_bins: Sequence[int] = ()
    sensitivity_alphas: Sequence[float] = ()

    def describe(self) -> dict[str, Any]:
        d = asdict(self)
        d["n_units"], d["alphas"] = list(self.n_units), [float(a) for a in self.alphas]
        return d


def run_anatomy(run: AnatomyRun, progress: bool = False, workers: int = 1
                ) -> tuple[list[dict], list[dict]]:
    """All records of a sweep: (one per n_units, alpha, seed; one per bin count of the sensitivity).

    Seed s draws the patterns with ``random_patterns(P_max, N, seed=s)`` (a smaller load uses a
    prefix) and builds the model with ``seed=s``; each load stores into a fresh model. Jobs (one per
    size and seed) run in ``workers`` spawned processes; the records do not depend on ``workers``.
    """
    check_int("seeds", run.seeds, 1)
    check_int("workers", workers, 1)
    for a in list(run.alphas) + list(run.sensitivity_alphas):
        check_float("alpha", a, low=0.0, low_open=True)
    for k in run.sensitivity_bins:
        check_int("bins", k, 2)
    for n in run.n_units:
        check_int("n_units", n, 2)
    model = amem.make(run.model, **run.params)  # fail fast on an unknown id or parameter
    if not model.tags.recurrent_weights:
        raise AmemError(f"model {run.model!r} does not expose recurrent weights (tags.recurrent_weights "
                        "is False); the PID anatomy needs weights_ and bias_")
    check_int("seed_start", run.seed_start, 0)
    jobs = [(int(n), s) for n in run.n_units for s in range(run.seed_start, run.seed_start + run.seeds)]
    bar = _progress(len(jobs), progress)
    results = []
    if workers == 1:
        for job in jobs:
            results.append(_anatomy_job(run, *job))
            bar.update()
    else:
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(workers, mp_context=mp.get_context("spawn")) as pool:
            for res in pool.map(_anatomy_job, [run] * len(jobs), *zip(*jobs)):
                results.append(res)
                bar.update()
    bar.close()
    return [r for res in results for r in res[0]], [r for res in results for r in res[1]]


def _anatomy_job(run: AnatomyRun, n_units: int, seed: int) -> tuple[list[dict], list[dict]]:
    alphas, sens_alphas = set(run.alphas), set(run.sensitivity_alphas)
    loads = sorted(alphas | sens_alphas)
    patterns_all = random_patterns(max(n_patterns_for(a, n_units) for a in loads), n_units, seed)
    main_rows, bin_rows = [], []
    for alpha in loads:
        n_pat = n_patterns_for(alpha, n_units)
        patterns = patterns_all[:n_pat]
        model = amem.make(run.model, seed=seed, **run.params).store(patterns)
        w, b = recurrent_couplings(model)
        r, c, theta = neuron_sources(w, b, patterns, run.options)
        overlap, exact = recall_overlap(model, patterns)
        base = {"model": run.model, "n_units": n_units, "n_patterns": n_pat,
                "alpha": round(n_pat / n_units, 10), "seed": seed}
        tail = {"mean_overlap": overlap, "frac_exact": exact}
        ext, rec = run.options.bin_pair()
        if alpha in alphas:
            atoms = neuron_atoms(r, c, theta, binning=run.options.binning, n_bins=(ext, rec))
            main_rows.append({**base, **_atom_fields(atoms.mean(0)), **tail})
        if alpha in sens_alphas:
            for k in run.sensitivity_bins:
                atoms = neuron_atoms(r, c, theta, binning=run.options.binning, n_bins=(ext, k))
                bin_rows.append({**base, "n_bins": k, **_atom_fields(atoms.mean(0)), **tail})
    return main_rows, bin_rows


def summarise(rows: Iterable[dict], by: str = "alpha",
              columns=ATOM_COLUMNS + ("output_entropy", "mean_overlap"),
              quantiles=(0.05, 0.95)) -> dict[str, np.ndarray]:
    """Median and quantile band over seeds of each column, per value of ``by`` (sorted).

    Returns {"x": values, "<col>": medians, "<col>_lo": lower quantile, "<col>_hi": upper}.
    """
    rows = list(rows)
    xs = np.array(sorted({row[by] for row in rows}), dtype=float)
    out: dict[str, np.ndarray] = {"x": xs}
    for col in columns:
        if not rows or col not in rows[0]:
            continue
        groups = [np.array([row[col] for row in rows if row[by] == x]) for x in xs]
        out[col] = np.array([np.median(g) for g in groups])
        out[col + "_lo"] = np.array([np.quantile(g, quantiles[0]) for g in groups])
        out[col + "_hi"] = np.array([np.quantile(g, quantiles[1]) for g in groups])
    return out


def _atom_fields(atoms) -> dict[str, float]:
    """The five mean atoms and their sum, the (plug-in) output entropy H(Y)."""
    fields = dict(zip(ATOM_COLUMNS, (float(a) for a in atoms)))
    fields["output_entropy"] = float(sum(atoms))
    return fields


def _progress(total: int, enabled: bool):
    class _Null:
        def update(self, n=1):
            pass

        def close(self):
            pass

    if not enabled:
        return _Null()
    from tqdm import tqdm

    return tqdm(total=total, desc="pid anatomy", unit="net")
