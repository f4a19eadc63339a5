"""The two-source shared-exclusion PID (I^sx) of a joint distribution p(s1, s2, y).

One definition serves NumPy analysis and torch training: :func:`sx_atoms` works on either kind of
array (any leading batch dimensions, e.g. one joint per neuron) and is differentiable in torch.

Reference: Makkeh, Gutknecht & Wibral, "Introducing a differentiable measure of pointwise shared
information", Phys. Rev. E 103:032149 (2021). For two sources

    I^sx_cap = sum p(s1,s2,y) log2 [ P(y, S1=s1 or S2=s2) / (P(S1=s1 or S2=s2) p(y)) ]

with the union probabilities from inclusion-exclusion; the atoms follow by Moebius inversion:
unique_1 = I(Y;S1) - red, unique_2 = I(Y;S2) - red, synergy = I(Y;S1,S2) - I(Y;S1) - I(Y;S2) + red,
residual entropy = H(Y) - I(Y;S1,S2).

Zero-probability cells contribute exactly 0 (no epsilon regularisation, unlike the reference code's
1e-10 guards), so the values are exact to rounding; their gradient contribution is 0 as well.
Each term is evaluated as a sum of logs of marginals, so denormal probabilities stay finite.
"""

from __future__ import annotations

#: Order of the atoms in every vector, goal and stored array (Blümel et al. 2025 code order).
ATOM_NAMES = ("unique_1", "unique_2", "redundancy", "synergy", "residual_entropy")


def _log2(x, lib):
    """log2 of x where x > 0, and 0 elsewhere (those cells always carry p == 0; safe gradients)."""
    return lib.log2(lib.where(x > 0, x, 1.0))


def sx_atoms(p, lib=None):
    """PID atoms of normalised joint distribution(s) ``p[..., s1, s2, y]``.

    Parameters
    ----------
    p : numpy.ndarray or torch.Tensor, shape (..., n1, n2, ny)
        Entries >= 0 summing to 1 over the last three axes (not checked here: this is the inner
        loop of training; :func:`amem.pid.decompose` validates and normalises).
    lib : module, optional
        ``numpy`` or ``torch``; inferred from ``p``.

    Returns
    -------
    Array of shape (..., 5): [unique_1, unique_2, redundancy, synergy, residual_entropy] in bits.
    """
    if lib is None:
        lib = _namespace(p)
    p_s1y = p.sum(axis=-2, keepdims=True)  # (.., n1, 1, ny)
    p_s2y = p.sum(axis=-3, keepdims=True)  # (.., 1, n2, ny)
    p_s1s2 = p.sum(axis=-1, keepdims=True)  # (.., n1, n2, 1)
    p_s1 = p_s1y.sum(axis=-1, keepdims=True)  # (.., n1, 1, 1)
    p_s2 = p_s2y.sum(axis=-1, keepdims=True)  # (.., 1, n2, 1)
    p_y = p_s1y.sum(axis=-3, keepdims=True)  # (.., 1, 1, ny)

    union_y = p_s1y + p_s2y - p  # P(y and (S1=s1 or S2=s2))
    union = p_s1 + p_s2 - p_s1s2  # P(S1=s1 or S2=s2)
    # Sums of logs rather than logs of ratios: a product of tiny marginals could underflow to 0.
    # Every factor is >= the cell's own probability, so each log is finite wherever p > 0.
    log_py = _log2(p_y, lib)
    h_y = -(p_y * log_py).sum(axis=(-3, -2, -1))
    red = (p * (_log2(union_y, lib) - _log2(union, lib))).sum(axis=(-3, -2, -1)) + h_y
    # The single-source informations only need the (n1, ny) and (n2, ny) marginals.
    mi_1 = (p_s1y * (_log2(p_s1y, lib) - _log2(p_s1, lib))).sum(axis=(-3, -2, -1)) + h_y
    mi_2 = (p_s2y * (_log2(p_s2y, lib) - _log2(p_s2, lib))).sum(axis=(-3, -2, -1)) + h_y
    mi_12 = (p * (_log2(p, lib) - _log2(p_s1s2, lib))).sum(axis=(-3, -2, -1)) + h_y
    return lib.stack([mi_1 - red, mi_2 - red, red, mi_12 - mi_1 - mi_2 + red, h_y - mi_12], -1)


def _namespace(x):
    if type(x).__module__.startswith("torch"):
        import torch

        return torch
    import numpy

    return numpy
