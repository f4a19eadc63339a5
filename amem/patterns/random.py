"""Independent random patterns with a bias (coding level)."""

from __future__ import annotations

import numpy as np

from amem.patterns.registry import _rng, register
from amem.validation import check_float, check_int


def random_patterns(n_patterns: int, n_units: int, seed=None, bias: float = 0.0) -> np.ndarray:
    """I.i.d. ±1 patterns with mean ``bias``: P(+1) = (1 + bias) / 2, the coding level.

    ``bias`` in (-1, 1); 0 gives the unbiased patterns of Hopfield (1982). Biased patterns are
    those of Amit, Gutfreund & Sompolinsky, Phys. Rev. A 35:2293 (1987) ("a" there) and, as 0/1
    patterns of activity f = (1 + bias)/2, of Tsodyks & Feigel'man, Europhys. Lett. 6:101 (1988).
    One uniform per entry, row by row: the patterns of a smaller load are a prefix of a larger
    one's. Returns an int8 array of shape (n_patterns, n_units).
    """
    check_int("n_patterns", n_patterns, 1)
    check_int("n_units", n_units, 1)
    bias = _check_bias(bias)
    u = _rng(seed).random((n_patterns, n_units))
    return np.where(u < (1.0 + bias) / 2.0, 1, -1).astype(np.int8)


def _check_bias(bias) -> float:
    return check_float("bias", bias, low=-1.0, high=1.0, low_open=True, high_open=True)


def _generate(n_patterns, n_units, rng, bias):
    return random_patterns(n_patterns, n_units, rng, bias=bias)


register("random", _generate, defaults={"bias": 0.0},
         check=lambda p: {"bias": _check_bias(p["bias"])},
         legacy_param="bias",
         description="i.i.d. ±1 patterns with mean `bias` (coding level (1+bias)/2)",
         reference="Hopfield 1982; Amit, Gutfreund & Sompolinsky, PRA 35:2293 (1987); "
                   "Tsodyks & Feigel'man, EPL 6:101 (1988)")
