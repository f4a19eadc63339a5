"""Slow, obviously correct references for amem.pid (pure Python loops; no shared code).

The SX reference follows Makkeh, Gutknecht & Wibral, Phys. Rev. E 103:032149 (2021) in its
*pointwise* form: for every realisation (s1, s2, t) and every antichain alpha of the two-source
lattice {1}{2} < {1}, {2} < {12}, the shared-exclusion event W_alpha is enumerated explicitly
(no inclusion-exclusion), split into the informative part i+ = -log2 P(W_alpha) and the
misinformative part i- = -log2 P(W_alpha | t), each lattice is Moebius-inverted pointwise, and the
pointwise atoms pi = pi+ - pi- are averaged. Entropies come from explicit tallies.
"""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np

# The four antichains of the two-source lattice as predicates on (s1, s2) given the realisation
# (a1, a2): the event "some source in some collection of the antichain matches".
_ANTICHAINS = {
    "red": lambda a1, a2, s1, s2: s1 == a1 or s2 == a2,  # {1}{2}: S1 = a1 OR S2 = a2
    "one": lambda a1, a2, s1, s2: s1 == a1,  # {1}
    "two": lambda a1, a2, s1, s2: s2 == a2,  # {2}
    "both": lambda a1, a2, s1, s2: s1 == a1 and s2 == a2,  # {12}: S1 = a1 AND S2 = a2
}


def _outcomes(p):
    n1, n2, nt = p.shape
    return [(i, j, k, float(p[i, j, k])) for i in range(n1) for j in range(n2) for k in range(nt)]


def sx_atoms_pointwise(p) -> np.ndarray:
    """[unique_1, unique_2, redundancy, synergy, residual_entropy] of p[s1, s2, t] (bits)."""
    p = np.asarray(p, dtype=float)
    p = p / p.sum()
    outcomes = _outcomes(p)
    p_t = defaultdict(float)
    for _, _, k, w in outcomes:
        p_t[k] += w
    atoms = dict.fromkeys(["red", "u1", "u2", "syn"], 0.0)
    for a1, a2, at, w in outcomes:
        if w == 0.0:
            continue
        i_plus, i_minus = {}, {}
        for name, event in _ANTICHAINS.items():
            p_event = sum(v for s1, s2, _, v in outcomes if event(a1, a2, s1, s2))
            p_event_and_t = sum(v for s1, s2, t, v in outcomes if t == at and event(a1, a2, s1, s2))
            i_plus[name] = -math.log2(p_event)
            i_minus[name] = -math.log2(p_event_and_t / p_t[at])
        for i_fn, sign in ((i_plus, 1.0), (i_minus, -1.0)):
            red = i_fn["red"]
            atoms["red"] += sign * w * red
            atoms["u1"] += sign * w * (i_fn["one"] - red)
            atoms["u2"] += sign * w * (i_fn["two"] - red)
            atoms["syn"] += sign * w * (i_fn["both"] - i_fn["one"] - i_fn["two"] + red)
    h = _entropy_of(outcomes, lambda s1, s2, t: t)
    h_s = _entropy_of(outcomes, lambda s1, s2, t: (s1, s2))
    h_st = _entropy_of(outcomes, lambda s1, s2, t: (s1, s2, t))
    mi_joint = h + h_s - h_st
    return np.array([atoms["u1"], atoms["u2"], atoms["red"], atoms["syn"], h - mi_joint])


def _entropy_of(outcomes, key) -> float:
    tally = defaultdict(float)
    for s1, s2, t, w in outcomes:
        tally[key(s1, s2, t)] += w
    return -sum(v * math.log2(v) for v in tally.values() if v > 0)


def _logistic(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


def fixed_bin_loop(x: float, n_bins: int, low: float, high: float) -> int:
    """Right-closed bin (e_k, e_k+1] of x after clamping into [low + 1e-4, high], by a linear scan."""
    x = min(max(x, low + 1e-4), high)
    for k in range(n_bins):
        upper = (low * (n_bins - k - 1) + high * (k + 1)) / n_bins
        if x <= upper:
            return k
    return n_bins - 1


def soft_weights_loop(x: float, n_bins: int, low: float, high: float, tau: float) -> list[float]:
    """Normalised logistic memberships sigma((w/2 - |x - c_k|) / tau) of x in each bin, by a loop."""
    width = (high - low) / n_bins
    w = [_logistic((width / 2 - abs(x - (low + (k + 0.5) * width))) / tau) for k in range(n_bins)]
    total = sum(w)
    return [v / total for v in w]


def neuron_joints_loop(r, c, theta, binning="fixed", n_bins=(2, 60), ranges=((-20, 20), (-20, 20)),
                       tau=(1e-5, 0.5)):
    """Per-neuron, per-sample loop building p_i(s1, s2, y) (Blümel et al. 2025 estimator).

    Bins come from :mod:`amem.pid.binning` one value at a time (the one binning
    implementation, itself checked against :func:`fixed_bin_loop` and :func:`soft_weights_loop`
    in tests/test_binning.py); the loop checks how the estimator assembles the joint.
    """
    from amem.pid import binning as bins  # (``binning`` is the estimator's name here)

    def hard(x, n, lo, hi):
        return int(bins.fixed_bin_index(np.array([x]), n, lo, hi)[0])

    def soft(x, n, lo, hi, t):
        return bins.soft_bin_weights(np.array([x]), n, lo, hi, t)[0].tolist()

    r, c, theta = (np.asarray(a, dtype=float) for a in (r, c, theta))
    n_samples, n_units = r.shape
    n1, n2 = n_bins
    out = np.zeros((n_units, n1, n2, 2))
    if binning == "soft":
        bounds = [(float(x.min()) - 1.0, float(x.max()) + 1.0) for x in (r, c)]
    for i in range(n_units):
        scale = [max(abs(v) for v in x[:, i]) or 1.0 for x in (r, c)]
        for mu in range(n_samples):
            q = (1.0 - theta[mu, i], theta[mu, i])
            if binning == "soft":
                weights = [soft(r[mu, i], n1, *bounds[0], tau[0]), soft(c[mu, i], n2, *bounds[1], tau[1])]
                for a in range(n1):
                    for b in range(n2):
                        for y in range(2):
                            out[i, a, b, y] += weights[0][a] * weights[1][b] * q[y] / n_samples
                continue
            if binning == "adaptive":
                b1 = hard(r[mu, i] / scale[0], n1, -1.0, 1.0)
                b2 = hard(c[mu, i] / scale[1], n2, -1.0, 1.0)
            else:
                b1 = hard(r[mu, i], n1, *ranges[0])
                b2 = hard(c[mu, i], n2, *ranges[1])
            for y in range(2):
                out[i, b1, b2, y] += q[y] / n_samples
    return out
