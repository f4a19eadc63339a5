"""Closed-form SX atoms of a Hebbian neuron (spec §6) against the generic decomposition."""

import math

import numpy as np
import pytest
from scipy.stats import binom

from amem import AmemError
from amem.pid import sx_atoms
from amem.theory.pid_hebbian import field_distribution, hebbian_sx_atoms, hebbian_sx_curve


def _exact_joint(n, p):
    """p(t, r, y) enumerated from the crosstalk model, with y = sgn r and a fair coin at r = 0."""
    lam = (n - 1) * (p - 1)
    cells = {}
    pmf = binom.pmf(np.arange(lam + 1), lam, 0.5)
    for t in (-1, 1):
        for k in range(lam + 1):
            r = (n - 1) * t + 2 * k - lam
            up = 1.0 if r > 0 else 0.5 if r == 0 else 0.0
            w = 0.5 * pmf[k]
            for y, q in ((0, 1 - up), (1, up)):
                cells[(t, r, y)] = cells.get((t, r, y), 0.0) + w * q
    rs = sorted({r for _, r, _ in cells})
    joint = np.zeros((2, len(rs), 2))
    for (t, r, y), w in cells.items():
        joint[(t + 1) // 2, rs.index(r), y] += w
    return joint


@pytest.mark.parametrize(("n", "p"), [(20, 1), (20, 3), (21, 4), (30, 10), (31, 12), (40, 40), (200, 2)])
def test_closed_form_equals_decomposition_of_exact_joint(n, p):
    np.testing.assert_allclose(hebbian_sx_atoms(n, p), sx_atoms(_exact_joint(n, p)), atol=1e-12)


@pytest.mark.parametrize(("n", "p"), [(100, 15), (100, 101), (500, 151)])
def test_without_ties_it_is_the_papers_formula(n, p):
    assert ((n - 1) * p) % 2 == 1  # odd: the field is never 0
    r, pp, pm = field_distribution(n, p)
    p_sgn = np.where(r > 0, pp[r > 0].sum(), pp[r < 0].sum())  # P(sgn r | t=+1)
    red = float((pp * np.log2(2 * (pm + p_sgn) / (pm + 1))).sum())
    p_e = float(pp[r < 0].sum())
    mi = 1 + p_e * math.log2(p_e) + (1 - p_e) * math.log2(1 - p_e)
    np.testing.assert_allclose(hebbian_sx_atoms(n, p), [mi - red, 1 - red, red, red - mi, 0.0],
                               atol=1e-12)


def test_single_pattern_is_pure_redundancy_and_load_destroys_it():
    np.testing.assert_allclose(hebbian_sx_atoms(100, 1), [0, 0, 1, 0, 0], atol=1e-12)
    curve = hebbian_sx_curve(200, [0.01, 0.05, 0.14, 0.3, 1.0, 2.0])
    assert np.all(np.diff(curve[:, 2]) < 0)  # redundancy falls with load
    assert np.all(np.diff(curve[:, 1]) > 0)  # unique recurrent information rises
    assert np.all(np.abs(curve[:, 3]) < 0.02)  # synergy stays small ...
    np.testing.assert_allclose(curve[:, 0], -curve[:, 3], atol=1e-12)  # ... equal to -unique_ext


def test_signal_to_noise_limit():
    # For large N the one-step error rate tends to Phi(-1/sqrt(alpha)) and I(Y;T) = 1 - Hb(p_e).
    n, alpha = 1000, 0.5
    u_t, _, red, _, _ = hebbian_sx_atoms(n, int(alpha * n))
    p_e = 0.5 * math.erfc(1 / math.sqrt(2 * alpha))
    mi = 1 + p_e * math.log2(p_e) + (1 - p_e) * math.log2(1 - p_e)
    assert u_t + red == pytest.approx(mi, abs=3e-3)


def test_bad_sizes():
    with pytest.raises(AmemError, match="n_units"):
        hebbian_sx_atoms(1, 3)
    with pytest.raises(AmemError, match="n_patterns"):
        hebbian_sx_atoms(10, 0)
