"""Modern (dense) Hopfield networks: polynomial, exponential and softmax (Ramsauer) updates."""

from __future__ import annotations

import math

import numpy as np

from amem.base import TRIAL_BYTES_PER_ENTRY, MemoryModel, async_order_bytes
from amem.errors import AmemError
from amem.kernels.dense import dense_async_recall, dense_sync_recall
from amem.recurrent import async_orders
from amem.validation import as_bipolar, check_bool, check_choice, check_float, check_int

ENERGIES = ("poly", "exp", "softmax")

#: exact mode needs every partial sum of the drive below 2**53 (integers exact in float64).
_EXACT_LIMIT = 2.0**53


class DenseTables:
    """Per-overlap terms of an update rule, in the form :mod:`amem.kernels.dense` expects.

    Index v = m + N for overlaps m in [-N, N]; ``lo[m]`` is the term of a pattern that agrees
    with the unit being updated (xi_mu,i s_i = +1), ``hi[m]`` of one that disagrees.
    """

    def __init__(self, mag_lo, sgn_lo, mag_hi, sgn_hi, log_domain):
        self.mag_lo = np.ascontiguousarray(mag_lo, np.float64)
        self.sgn_lo = np.ascontiguousarray(sgn_lo, np.int8)
        self.mag_hi = np.ascontiguousarray(mag_hi, np.float64)
        self.sgn_hi = np.ascontiguousarray(sgn_hi, np.int8)
        self.log_domain = bool(log_domain)

    def args(self):
        return self.mag_lo, self.sgn_lo, self.mag_hi, self.sgn_hi, self.log_domain


def _poly_gain(b: int, degree: int, rectified: bool) -> int:
    """g(b) = F(b + 1) - F(b - 1) for F(x) = x**n (or max(x, 0)**n), as an exact Python int."""
    def f(x):
        return (max(x, 0) if rectified else x) ** degree
    return f(b + 1) - f(b - 1)


def _log_abs_sign(values):
    logs = [math.log(abs(v)) if v else -math.inf for v in values]
    signs = [(v > 0) - (v < 0) for v in values]
    return logs, signs


def dense_tables(energy: str, n_units: int, n_patterns: int, degree: int = 3,
                 rectified: bool = False, beta: float = 1.0, force_log: bool = False) -> DenseTables:
    """Build the update tables for N units and P stored patterns.

    Polynomial energies use exact integer arithmetic (exact ties) whenever 4 P max|g| < 2**53,
    else the log domain (``force_log`` forces it, for tests). ``exp`` and ``softmax`` always run
    in the log domain, where terms are exponentials shifted by the largest one present.
    """
    ms = range(-n_units, n_units + 1)
    if energy == "poly":
        lo = [_poly_gain(m - 1, degree, rectified) for m in ms]
        hi = [_poly_gain(m + 1, degree, rectified) for m in ms]
        biggest = max(max(map(abs, lo)), max(map(abs, hi)))
        if not force_log and 4 * n_patterns * biggest < _EXACT_LIMIT:
            return DenseTables([abs(v) for v in lo], np.sign(lo), [abs(v) for v in hi],
                               np.sign(hi), False)
        (llo, slo), (lhi, shi) = _log_abs_sign(lo), _log_abs_sign(hi)
        return DenseTables(llo, slo, lhi, shi, True)
    m = np.arange(-n_units, n_units + 1, dtype=np.float64)
    ones = np.ones(m.shape, np.int8)
    if energy == "exp":
        # g(b) = e^(b+1) - e^(b-1) = 2 sinh(1) e^b; the positive constant cannot change a sign.
        return DenseTables(m - 1.0, ones, m + 1.0, ones, True)
    if energy == "softmax":
        with np.errstate(over="ignore"):
            logits = beta * m
        if not np.isfinite(logits).all():
            raise AmemError(f"beta={beta!r} times N={n_units} overflows float64; use a smaller beta")
        return DenseTables(logits, ones, logits, ones, True)
    raise AmemError(f"energy={energy!r} is not valid; choose one of {', '.join(map(repr, ENERGIES))}")


class ModernHopfield(MemoryModel):
    r"""Dense associative memory on ±1 patterns with a polynomial, exponential or softmax update.

    Energy (``poly``, ``exp``): :math:`E(s) = -\sum_\mu F(\xi^\mu \cdot s)`.

    * ``energy="poly"``: :math:`F(x) = x^n` (``degree`` n), or :math:`\max(x, 0)^n` with
      ``rectified=True`` (Krotov & Hopfield, NeurIPS 2016, arXiv:1606.01164).
    * ``energy="exp"``: :math:`F(x) = e^x` (Demircigil, Heusel, Löwe, Upgang & Vermet,
      J. Stat. Phys. 168:288, 2017).

    Both use the papers' energy-difference rule: unit i takes the sign that gives the lower
    energy with every other unit fixed,

    .. math:: s_i \leftarrow \mathrm{sign}\sum_\mu \big[F(\xi^\mu_i + b_\mu) -
              F(-\xi^\mu_i + b_\mu)\big],\qquad b_\mu = \sum_{j \ne i} \xi^\mu_j s_j .

    * ``energy="softmax"``: the update of Ramsauer et al. (ICLR 2021, arXiv:2008.02217),
      :math:`\xi^{new} = X^\top \mathrm{softmax}(\beta X s)`, read out as
      :math:`s_i \leftarrow \mathrm{sign}(\xi^{new}_i)` (binary state; ``beta`` multiplies the raw
      ±1 overlaps, so beta = 1 weighs patterns by :math:`e^{\xi^\mu \cdot s}`).

    A zero difference (a tie) keeps the unit's old state. ``update="sync"`` (default, the paper
    protocol) updates all units from the same state and stops at a fixed point or a 2-cycle;
    ``update="async"`` visits units in a random order per sweep drawn from ``seed`` and stops
    after a sweep without change.

    With ``degree=2`` the energy difference is :math:`4 \sum_\mu \xi^\mu_i b_\mu = 4N h_i`, where
    :math:`h_i` is the Hebbian field with zero diagonal, so ``modern`` with ``degree=2`` makes
    exactly the moves of ``hebbian`` (same ties, same async order for the same seed).

    Numerics: polynomial energies run in exact integer arithmetic when 4 P max|g| < 2**53
    (g(b) = F(b+1) - F(b-1)), otherwise, like ``exp`` and ``softmax``, in the log domain with the
    largest term shifted to 1 (no overflow at any N, degree or beta; a difference below the
    float rounding bound of the sum counts as a tie). See :mod:`amem.kernels.dense`.

    Parameters
    ----------
    energy : {"poly", "exp", "softmax"}
        Default ``"poly"``.
    degree : int >= 2
        Polynomial degree n (``energy="poly"`` only). Default 3.
    rectified : bool
        Use :math:`F(x) = \max(x, 0)^n` (``energy="poly"`` only). Default False.
    beta : float > 0
        Inverse temperature of the softmax update (``energy="softmax"`` only). Default 1.0.
    update : {"sync", "async"}
    seed : int
        Seeds the asynchronous visiting orders.

    Capacity: poly, every pattern a fixed point w.h.p. up to
    :math:`N^{n-1} / (2 (2n-3)!! \ln N)` (Krotov & Hopfield 2016); exp, all patterns retrieved in
    one step from cues with :math:`\rho N` flips up to :math:`e^{\alpha N}` with
    :math:`\alpha < I(1-2\rho)/2` (Demircigil et al. 2017). See :mod:`amem.theory.dense`.
    """

    @classmethod
    def stored_parameters(cls, n_units: int, n_patterns: int) -> int:
        """A dense memory keeps the patterns themselves: P x N numbers."""
        return n_units * n_patterns

    @classmethod
    def estimate_memory(cls, n_units: int, n_patterns: int, **params) -> int:
        """No couplings: the stored P x N patterns (int8), the trial's P x N arrays, per-thread
        O(P + N) buffers of the kernels."""
        return ((1 + TRIAL_BYTES_PER_ENTRY) * n_units * n_patterns + 64 * (n_units + n_patterns)
                + async_order_bytes(n_units, params))

    def __init__(self, *, energy: str = "poly", degree: int = 3, rectified: bool = False,
                 beta: float = 1.0, update: str = "sync", seed: int = 0) -> None:
        super().__init__(seed=seed, update=update)
        self.energy = check_choice("energy", energy, ENERGIES)
        self.degree = check_int("degree", degree, 2)
        self.rectified = check_bool("rectified", rectified)
        self.beta = check_float("beta", beta, low=0.0, low_open=True)
        if rectified and energy != "poly":
            raise AmemError(f"rectified=True applies to energy='poly' only, not energy={energy!r}")

    def _fit(self, patterns: np.ndarray) -> None:
        self.patterns_t_ = np.ascontiguousarray(patterns.T)
        self._tables = None

    def _get_tables(self) -> DenseTables:
        if getattr(self, "_tables", None) is None:
            self._tables = dense_tables(self.energy, self.patterns_t_.shape[0],
                                        self.patterns_t_.shape[1], self.degree, self.rectified,
                                        self.beta)
        return self._tables

    def _recall(self, cues, max_steps):
        tables = self._get_tables()
        states = np.ascontiguousarray(cues, dtype=np.int8).copy()
        if self.update == "sync":
            steps, status = dense_sync_recall(self.patterns_t_, *tables.args(), states, max_steps)
        else:
            orders = async_orders(self.seed, max_steps, states.shape[1])
            steps, status = dense_async_recall(self.patterns_t_, *tables.args(), states, orders,
                                               max_steps)
        return states, steps, status

    def overlaps(self, states) -> np.ndarray:
        """(M, P) int64 overlaps xi_mu . s of each state with every stored pattern."""
        self._check_stored()
        s = as_bipolar(states, "states", self.n_units_).astype(np.int64)
        return s @ self.patterns_t_.astype(np.int64)

    def energy_of(self, states) -> np.ndarray:
        """Energy of each state, float64.

        ``poly``: :math:`-\\sum_\\mu F(m_\\mu)` (computed from exact integers; may be large).
        ``exp``: :math:`-\\sum_\\mu e^{m_\\mu}`, returned as ``-inf`` when it exceeds float64.
        ``softmax``: Ramsauer's :math:`-\\beta^{-1}\\log\\sum_\\mu e^{\\beta m_\\mu} + N/2`
        (log-sum-exp, finite at any beta).
        """
        m = self.overlaps(states)
        if self.energy == "poly":
            f = np.maximum(m, 0) if self.rectified else m
            return -np.array([float(sum(int(x) ** self.degree for x in row)) for row in f])
        top = m.max(axis=1, keepdims=True).astype(np.float64)
        if self.energy == "exp":
            lse = top[:, 0] + np.log(np.exp(m - top).sum(axis=1))
            with np.errstate(over="ignore"):
                return -np.exp(lse)
        z = self.beta * (m - top)
        lse = self.beta * top[:, 0] + np.log(np.exp(z).sum(axis=1))
        return -lse / self.beta + 0.5 * self.n_units_

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_tables"] = None  # derived; rebuilt on demand
        return state
