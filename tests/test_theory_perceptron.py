"""Gardner's optimal stability kappa_opt(alpha) (amem.theory.perceptron)."""

import math

import numpy as np
import pytest
from scipy.integrate import quad

from amem.errors import AmemError
from amem.theory.perceptron import gardner_alpha, gardner_inverse_alpha, gardner_kappa


@pytest.mark.parametrize("kappa", [-1.5, -0.3, 0.0, 0.5, 1.0, 2.0, 4.0])
def test_closed_form_equals_the_gaussian_integral(kappa):
    integrand = lambda t: math.exp(-t * t / 2) / math.sqrt(2 * math.pi) * (t + kappa) ** 2  # noqa: E731
    value, _ = quad(integrand, -kappa, np.inf, epsabs=1e-13, epsrel=1e-13)
    assert gardner_inverse_alpha(kappa) == pytest.approx(value, rel=1e-10)


def test_known_values():
    # Gardner (1988): alpha_c(0) = 2; alpha_c(0.5) = 0.961, alpha_c(1) = 0.520, alpha_c(2) = 0.200
    assert gardner_kappa(2.0) == pytest.approx(0.0, abs=1e-12)
    assert gardner_alpha(0.0) == pytest.approx(2.0, rel=1e-12)
    for kappa, alpha in [(0.5, 0.961), (1.0, 0.520), (2.0, 0.200)]:
        assert gardner_alpha(kappa) == pytest.approx(alpha, abs=6e-4)
        assert gardner_kappa(gardner_alpha(kappa)) == pytest.approx(kappa, abs=1e-10)


def test_small_load_limit_is_one_over_sqrt_alpha():
    # 1/alpha = (1 + k^2) Phi(k) + k phi(k) -> 1 + k^2 as k -> inf
    for alpha in [1e-2, 1e-4, 1e-6]:
        kappa = gardner_kappa(alpha)
        assert kappa == pytest.approx(math.sqrt(1 / alpha - 1), rel=1e-6)
    assert gardner_kappa(1e-8) > 1e3


def test_monotone_and_negative_above_two():
    alphas = np.linspace(0.05, 4.0, 60)
    kappas = [gardner_kappa(a) for a in alphas]
    assert all(np.diff(kappas) < 0)
    assert gardner_kappa(3.0) < 0


@pytest.mark.parametrize("alpha", [0.0, -1.0, float("inf"), float("nan")])
def test_bad_load_is_a_clear_error(alpha):
    with pytest.raises(AmemError, match="alpha"):
        gardner_kappa(alpha)
