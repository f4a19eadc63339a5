import math

import numpy as np
import pytest

from amem.errors import AmemError
from amem.theory.dense import (
    double_factorial,
    exp_capacity_bound,
    exp_capacity_rate,
    poly_capacity_exponent,
    poly_no_error_capacity,
)
from amem.theory.hebbian import mceliece_patterns


def test_poly_no_error_capacity_values_from_the_literature_table():
    # shared/docs/literature.md: N = 100, n = 3 -> 362, n = 4 -> 7238
    assert poly_no_error_capacity(100, 3) == pytest.approx(10_000 / (6 * math.log(100)))
    assert round(float(poly_no_error_capacity(100, 3))) == 362
    assert round(float(poly_no_error_capacity(100, 4))) == 7238
    assert poly_capacity_exponent(3) == 2


@pytest.mark.parametrize("n", [50, 100, 1000])
def test_degree_two_is_mceliece(n):
    assert poly_no_error_capacity(n, 2) == pytest.approx(mceliece_patterns(n))
    assert poly_no_error_capacity(n, 2, all_patterns=True) == pytest.approx(
        mceliece_patterns(n, all_patterns=True))


def test_double_factorial():
    assert [double_factorial(k) for k in (-1, 0, 1, 3, 5, 6)] == [1, 1, 1, 3, 15, 48]


def test_exp_rate_and_its_noise_dependence():
    assert exp_capacity_rate(0.0) == pytest.approx(math.log(2) / 2)
    for rho, want in ((0.1, 0.184), (0.2, 0.096), (0.3, 0.041)):
        assert exp_capacity_rate(rho) == pytest.approx(want, abs=5e-4)
    rates = [exp_capacity_rate(r) for r in np.linspace(0, 0.49, 20)]
    assert all(a > b for a, b in zip(rates, rates[1:]))
    assert exp_capacity_bound(20) == pytest.approx(2.0**10)
    with pytest.raises(AmemError):
        exp_capacity_rate(0.5)
    with pytest.raises(AmemError):
        poly_no_error_capacity(100, 1)
