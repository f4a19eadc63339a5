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

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

import amem
from amem.errors import AmemError
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


PROBE_PARAMS = ("binning", "n_bins", "external_bins", "output", "external_weight", "beta",
                "sensitivity_bins")


def probe_options(params: dict) -> tuple[AnatomyOptions, list[int]]:
    """(options, extra recurrent bin counts) from a trial's ``probe_params``."""
    unknown = sorted(set(params) - set(PROBE_PARAMS))
    if unknown:
        raise AmemError(f"pid-anatomy: unknown probe_params {', '.join(unknown)}; "
                        f"use {', '.join(PROBE_PARAMS)}")
    fields = {k: v for k, v in params.items() if k != "sensitivity_bins"}
    bins = list(params.get("sensitivity_bins", []))
    for k in bins:
        check_int("sensitivity_bins", k, 2)
    return AnatomyOptions(**fields), bins


def check_probe_params(params: dict) -> None:
    probe_options(params)


def anatomy_trials(trials, models=None, search: str = "grid") -> list[dict]:
    """The ``pid-anatomy`` probe: per trial, the neuron-averaged atoms of the stored network.

    The network is the one the capacity sweep builds for the same trial identity (same patterns,
    same model seed, one ``store_many`` call), so for a given seed the anatomy and the capacity
    sweep see the same patterns. One sample per stored pattern (external input = pattern,
    state = pattern); ``mean_overlap``/``frac_exact``: recall from the clean patterns. With
    ``sensitivity_bins``, ``bins`` lists the atoms again for each recurrent bin count.
    """
    from amem.harness.probes import clean_recall, probe_record, stored_models
    from amem.harness.trials import ensure_registered

    ensure_registered(models or {})
    if not amem.make(trials[0].model, **trials[0].params).tags.recurrent_weights:
        raise AmemError(f"model {trials[0].model!r} does not expose recurrent weights "
                        "(tags.recurrent_weights is False); the PID anatomy needs weights_ and bias_")
    trials, built, pattern_sets, store_s = stored_models(trials, models)
    out = []
    for trial, model, patterns in zip(trials, built, pattern_sets):
        options, sens = probe_options(trial.probe_params)
        w, b = recurrent_couplings(model)
        r, c, theta = neuron_sources(w, b, patterns, options)
        ext, rec = options.bin_pair()
        atoms = neuron_atoms(r, c, theta, binning=options.binning, n_bins=(ext, rec))
        fields = _atom_fields(atoms.mean(0))
        if sens:
            fields["bins"] = [{"n_bins": k, **_atom_fields(neuron_atoms(
                r, c, theta, binning=options.binning, n_bins=(ext, k)).mean(0))} for k in sens]
        out.append(probe_record(trial, model, **fields, **clean_recall(model, patterns), store_s=store_s))
    return out


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
