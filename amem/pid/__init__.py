"""Partial information decomposition (shared-exclusion I^sx) and neuron-level estimators.

* :func:`decompose` -- validated PID of one joint p(s1, s2, target) (probabilities or counts);
* :func:`sx_atoms` -- the one definition of the atoms, batched, NumPy or torch (differentiable);
* :func:`neuron_joints` / :func:`neuron_atoms` -- every neuron's joint and atoms at once from its
  external drive, recurrent field and firing probability (fixed, adaptive or soft binning);
* :mod:`amem.theory.pid_hebbian` -- closed-form atoms of a Hebbian neuron.

Atom order everywhere: [unique_1 (external), unique_2 (internal), redundancy, synergy,
residual_entropy], in bits.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from amem.errors import AmemError
from amem.pid.estimators import BINNINGS, neuron_atoms, neuron_joints
from amem.pid.sx import ATOM_NAMES, sx_atoms

__all__ = ["ATOM_NAMES", "BINNINGS", "PIDAtoms", "decompose", "neuron_atoms", "neuron_joints",
           "sx_atoms"]


@dataclass(frozen=True)
class PIDAtoms:
    """The atoms of a two-source PID of I(target; source_1, source_2), in bits."""

    unique_1: float
    unique_2: float
    redundancy: float
    synergy: float
    residual_entropy: float

    def as_array(self) -> np.ndarray:
        return np.array([getattr(self, n) for n in ATOM_NAMES])


def decompose(p) -> PIDAtoms:
    """Exact shared-exclusion PID (Makkeh, Gutknecht & Wibral 2021) of a joint p(s1, s2, target).

    ``p`` has shape (n_source1, n_source2, n_target): probabilities or counts (normalised here).
    Negative, NaN, infinite or all-zero input raises :class:`amem.AmemError`.
    """
    arr = np.asarray(p, dtype=np.float64)
    if arr.ndim != 3:
        raise AmemError(f"p has shape {arr.shape}; expected (n_source1, n_source2, n_target)")
    if arr.size == 0:
        raise AmemError(f"p is empty (shape {arr.shape}); every alphabet needs at least one value")
    if not np.isfinite(arr).all():
        raise AmemError("p contains NaN or infinite entries; pass finite probabilities or counts")
    if (arr < 0).any():
        raise AmemError(f"p contains a negative entry ({arr.min()!r}); probabilities must be >= 0")
    total = arr.sum()
    if total <= 0:
        raise AmemError("p is all zeros; pass a distribution with positive total mass")
    atoms = sx_atoms(arr / total, np)
    return PIDAtoms(*(float(a) for a in atoms))
