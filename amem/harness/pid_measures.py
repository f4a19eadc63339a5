"""The ``pid-measures`` probe: a stored network's neurons re-decomposed with several PID measures.

Blümel et al. 2025 (PID-measure appendix; spec §10) take the redundancy-trained networks and
decompose every neuron's binned joint p_i(external bin, recurrent bin, output) with SX (the measure
the network was trained on), Williams–Beer I_min, PM (pointwise, Finn & Lizier), MMI (minimum
mutual information) and BROJA. The joint is the training estimator's
(:func:`amem.pid.estimators.neuron_joints`, one sample per stored pattern, the model's binning and
external weight, output probability sigma(w_ext xi_i + c_i)). Every measure decomposes the first
``neurons`` neurons (default 10; the record says which): SX with amem's own
:func:`amem.pid.sx.sx_atoms`, WB, PM and MMI in closed form (:mod:`amem.pid.classical`, a few
milliseconds for a whole network; ``dit``, their slow reference, took up to 5 s per neuron),
BROJA by a small convex programme (:mod:`amem.pid.broja`, 0.2-2 s per neuron; dit's PID_BROJA
took about 200 s and stops short of the optimum on some joints). ``dit_atoms`` keeps dit's
measures for the tests.

Record fields: per measure ``<measure>`` = mean atoms over the decomposed neurons
{unique_external, unique_internal, redundancy, synergy, residual_entropy}, and ``neurons``.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from amem.errors import AmemError

MEASURES = ("sx", "wb", "pm", "mmi", "broja")
PARAMS = ("measures", "neurons")
DEFAULT_NEURONS = 10
ATOMS = ("unique_external", "unique_internal", "redundancy", "synergy", "residual_entropy")


def options(params: Mapping) -> tuple[list[str], int]:
    return list(params.get("measures", MEASURES)), int(params.get("neurons", DEFAULT_NEURONS))


def check_probe_params(params: Mapping) -> None:
    unknown = sorted(set(params) - set(PARAMS))
    if unknown:
        raise AmemError(f"pid-measures: unknown probe_params {', '.join(unknown)}; use {', '.join(PARAMS)}")
    measures, neurons = options(params)
    bad = [m for m in measures if m not in MEASURES]
    if bad or not measures:
        raise AmemError(f"pid-measures: measures={measures!r}; choose from {', '.join(MEASURES)}")
    if neurons < 1:
        raise AmemError(f"pid-measures: neurons={neurons} must be >= 1")


def joints_of(model, patterns) -> np.ndarray:
    """(N, n1, n2, 2) joints of every neuron of a stored model, as its training estimates them:
    one sample per stored pattern, external drive r = w_ext xi, recurrent field c = W xi + b,
    theta = sigma(r + c), the model's binning and bin counts."""
    from amem.pid.estimators import DEFAULT_BINS, neuron_joints

    if not getattr(getattr(model, "tags", None), "recurrent_weights", False):
        raise AmemError(f"pid-measures: {type(model).__name__} exposes no recurrent weights")
    binning = getattr(model, "binning", "adaptive")
    x = np.asarray(patterns, dtype=np.float64)
    c = x @ np.asarray(model.weights_, dtype=np.float64).T + np.asarray(model.bias_, dtype=np.float64)
    r = float(getattr(model, "external_weight", 2.3)) * x
    theta = 0.5 * (1.0 + np.tanh(0.5 * (r + c)))  # logistic, overflow-free
    ext, rec = DEFAULT_BINS[binning]
    return neuron_joints(r, c, theta, binning=binning,
                         n_bins=(ext, getattr(model, "n_bins", None) or rec))


def dit_atoms(joint: np.ndarray, measure: str) -> np.ndarray:
    """Atoms (5,) of one joint (n1, n2, 2) under a dit measure, in bits."""
    import dit
    from dit.pid import PID_BROJA, PID_MMI, PID_PM, PID_WB

    cls = {"wb": PID_WB, "pm": PID_PM, "mmi": PID_MMI, "broja": PID_BROJA}[measure]
    idx = np.argwhere(joint > 1e-15)
    outcomes = [(int(a), int(b), int(y)) for a, b, y in idx]
    d = dit.Distribution(outcomes, [float(joint[tuple(i)]) for i in idx])
    pid = cls(d, [[0], [1]], [2])
    get = lambda node: float(pid.get_pi(node))  # noqa: E731
    py = joint.sum((0, 1))
    h_y = float(-(py[py > 0] * np.log2(py[py > 0])).sum())
    mi = float(dit.shannon.mutual_information(d, [0, 1], [2]))
    return np.array([get(((0,),)), get(((1,),)), get(((0,), (1,))), get(((0, 1),)), h_y - mi])


def measure_trials(trials, models=None, search: str = "grid") -> list[dict]:
    from amem.harness.probes import clean_recall, probe_record, stored_models
    from amem.pid.broja import broja_atoms
    from amem.pid.classical import classical_atoms
    from amem.pid.sx import sx_atoms

    trials, built, pattern_sets, store_s = stored_models(trials, models)
    out = []
    for trial, model, patterns in zip(trials, built, pattern_sets):
        measures, count = options(trial.probe_params)
        joints = joints_of(model, np.asarray(patterns, dtype=np.float64))
        chosen = list(range(min(count, joints.shape[0])))
        fields = {}
        for m in measures:
            if m == "sx":
                atoms = np.asarray(sx_atoms(joints[chosen])).mean(0)
            elif m == "broja":
                atoms = broja_atoms(joints[chosen]).mean(0)
            else:
                atoms = classical_atoms(joints[chosen], m).mean(0)
            fields[m] = dict(zip(ATOMS, map(float, atoms)))
        out.append(probe_record(trial, model, neurons=chosen, **fields,
                                **clean_recall(model, patterns), store_s=store_s))
    return out
