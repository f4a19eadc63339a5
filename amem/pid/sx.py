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
"""

from __future__ import annotations

#: Order of the atoms in every vector, goal and stored array (Blümel et al. 2025 code order).
ATOM_NAMES = ("unique_1", "unique_2", "redundancy", "synergy", "residual_entropy")


def _xlogratio(p, num, den, lib):
    """sum over the last three axes of p * log2(num / den), with 0 where p == 0 (safe gradients)."""
    mask = p > 0
    # Masked cells get ratio 1 (log 0) and never see a 0/0, so autograd stays finite.
    ratio = lib.where(mask, num / lib.where(mask, den, 1.0), 1.0)
    return (p * lib.log2(ratio)).sum(axis=(-3, -2, -1))


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
    red = _xlogratio(p, union_y, union * p_y, lib)
    # The single-source informations only need the (n1, ny) and (n2, ny) marginals.
    mi_1 = _xlogratio(p_s1y, p_s1y, p_s1 * p_y, lib)
    mi_2 = _xlogratio(p_s2y, p_s2y, p_s2 * p_y, lib)
    mi_12 = _xlogratio(p, p, p_s1s2 * p_y, lib)
    py = p_y[..., 0, 0, :]
    h_y = -(lib.where(py > 0, py * lib.log2(lib.where(py > 0, py, 1.0)), 0.0 * py)).sum(axis=-1)
    return lib.stack([mi_1 - red, mi_2 - red, red, mi_12 - mi_1 - mi_2 + red, h_y - mi_12], -1)


def _namespace(x):
    if type(x).__module__.startswith("torch"):
        import torch

        return torch
    import numpy

    return numpy
