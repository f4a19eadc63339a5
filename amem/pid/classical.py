"""Three classical two-source PID measures in closed form, for many joints at once.

For a joint p(s1, s2, y) (arrays ``(..., n1, n2, ny)``) each measure defines the redundancy R;
with the mutual informations I1 = I(Y;S1), I2 = I(Y;S2), I12 = I(Y;S1,S2) the two-source
lattice then gives unique_1 = I1 - R, unique_2 = I2 - R, synergy = I12 - I1 - I2 + R, and the
residual entropy is H(Y) - I12 (the order of :data:`amem.pid.sx.ATOMS`, as the infomorphic
network's goal vector).

* MMI (minimum mutual information; Barrett 2015): R = min(I1, I2).
* Williams–Beer I_min (Williams & Beer 2010, arXiv 1004.2515): R = sum_y p(y) min_i
  I_spec(y; S_i), with the specific information I_spec(y; S_i) = sum_s p(s|y) log2 p(y|s)/p(y).
* PM (Finn & Lizier 2018, Entropy 20:297, pointwise partial information from specificity and
  ambiguity): for every outcome, redundant specificity r+ = min_i h(s_i) and redundant
  ambiguity r- = min_i h(s_i|y), h = -log2 p; R = E[r+ - r-] over p(s1, s2, y).

Outcomes of probability 0 contribute nothing (0 log 0 = 0). ``dit``'s PID_MMI, PID_WB and PID_PM
are the slow reference (tests/test_pid_classical.py); BROJA has no closed form and stays on dit
(:mod:`amem.harness.pid_measures`).
"""

from __future__ import annotations

import numpy as np

MEASURES = ("mmi", "wb", "pm")


def _log2(x: np.ndarray) -> np.ndarray:
    """log2 where x > 0, 0 elsewhere (those terms carry zero probability)."""
    return np.log2(np.where(x > 0, x, 1.0))


def _marginals(p: np.ndarray):
    p1y = p.sum(-2)  # (..., n1, ny)
    p2y = p.sum(-3)  # (..., n2, ny)
    py = p1y.sum(-2)  # (..., ny)
    p1 = p1y.sum(-1)  # (..., n1)
    p2 = p2y.sum(-1)  # (..., n2)
    p12 = p.sum(-1)  # (..., n1, n2)
    return p1y, p2y, py, p1, p2, p12


def _pair_terms(pxy, px, py):
    """p(x, y) log2 p(x, y) / (p(x) p(y)) per cell of (..., nx, ny): summed over x, the
    specific information p(y) I_spec(y; X); over both, I(X; Y)."""
    return pxy * (_log2(pxy) - _log2(px[..., :, None]) - _log2(py[..., None, :]))


def _informations(p, py, p12):
    """I(Y;S1,S2) and H(Y) (the single-source terms are :func:`_pair_terms`)."""
    i12 = (p * (_log2(p) - _log2(p12[..., None]) - _log2(py[..., None, None, :]))).sum(
        (-3, -2, -1))
    return i12, -(py * _log2(py)).sum(-1)


def mutual_informations(p: np.ndarray):
    """(I(Y;S1), I(Y;S2), I(Y;S1,S2), H(Y)) in bits of joints ``p`` (..., n1, n2, ny)."""
    p = np.asarray(p, dtype=np.float64)
    p1y, p2y, py, p1, p2, p12 = _marginals(p)
    i12, h_y = _informations(p, py, p12)
    return (_pair_terms(p1y, p1, py).sum((-2, -1)), _pair_terms(p2y, p2, py).sum((-2, -1)),
            i12, h_y)


def _redundancy(measure: str, p, p1y, p2y, py, p1, p2, t1, t2) -> np.ndarray:
    """R of ``measure``; t1, t2: :func:`_pair_terms` of each source with Y."""
    if measure == "mmi":
        return np.minimum(t1.sum((-2, -1)), t2.sum((-2, -1)))
    if measure == "wb":  # sum_y min_i p(y) I_spec(y; S_i): p(y) > 0 scales both sides alike
        return np.minimum(t1.sum(-2), t2.sum(-2)).sum(-1)
    if measure == "pm":
        h1 = -_log2(p1)[..., :, None, None]  # h(s1)
        h2 = -_log2(p2)[..., None, :, None]  # h(s2)
        safe_py = np.where(py > 0, py, 1.0)
        h1_y = -_log2(p1y / safe_py[..., None, :])[..., :, None, :]  # h(s1 | y)
        h2_y = -_log2(p2y / safe_py[..., None, :])[..., None, :, :]  # h(s2 | y)
        pointwise = np.minimum(h1, h2) - np.minimum(h1_y, h2_y)
        return (np.where(p > 0, p, 0.0) * pointwise).sum((-3, -2, -1))
    raise ValueError(f"unknown measure {measure!r}; choose from {', '.join(MEASURES)}")


def classical_atoms(p: np.ndarray, measure: str) -> np.ndarray:
    """Atoms (..., 5) [unique_1, unique_2, redundancy, synergy, residual entropy] in bits of
    joints ``p`` (..., n1, n2, ny) under ``measure`` ("mmi", "wb" or "pm")."""
    p = np.asarray(p, dtype=np.float64)
    if p.ndim < 3:
        raise ValueError(f"joints need shape (..., n1, n2, ny), got {p.shape}")
    p1y, p2y, py, p1, p2, p12 = _marginals(p)
    t1, t2 = _pair_terms(p1y, p1, py), _pair_terms(p2y, p2, py)
    i1, i2 = t1.sum((-2, -1)), t2.sum((-2, -1))
    i12, h_y = _informations(p, py, p12)
    red = _redundancy(measure, p, p1y, p2y, py, p1, p2, t1, t2)
    return np.stack([i1 - red, i2 - red, red, i12 - i1 - i2 + red, h_y - i12], axis=-1)
