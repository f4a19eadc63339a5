"""Patterns at a controlled Hamming separation: noisy copies of one hidden prototype."""

from __future__ import annotations

import math

import numpy as np

from amem.errors import AmemError
from amem.patterns.registry import _rng, register
from amem.validation import check_float, check_int


def flips_for_separation(separation: float, n_units: int) -> int:
    """k = round(r N) with 2 r (1 - r) = separation: flips from the prototype per pattern."""
    r = (1.0 - math.sqrt(max(0.0, 1.0 - 2.0 * separation))) / 2.0
    return round(r * n_units)


def separated_patterns(n_patterns: int, n_units: int, seed=None,
                       separation: float = 0.25) -> np.ndarray:
    """Patterns at mean pairwise normalised Hamming distance ``separation`` (in (0, 0.5]).

    A random ±1 prototype is drawn, then every pattern flips exactly k = round(r N) distinct,
    randomly chosen bits of it, with 2 r (1 - r) = separation: each pattern lies at Hamming
    distance exactly k from the prototype and two patterns at expected distance
    2 k (N - k) / N ~ separation * N (spread O(sqrt N)); the pattern-pattern overlap is about
    (1 - 2 r)^2 = 1 - 2 separation. ``separation=0.5`` gives independent random patterns. This is
    one level of the ancestor-descendant ensemble of correlated memories (Parga & Virasoro,
    J. Physique 47:1857, 1986; Gutfreund, Phys. Rev. A 37:570, 1988), with an exact number of
    flips per descendant. The prototype is drawn first, then the flips row by row: loads nest.
    """
    check_int("n_patterns", n_patterns, 1)
    check_int("n_units", n_units, 1)
    separation = _check_separation(separation)
    rng = _rng(seed)
    prototype = np.where(rng.random(n_units) < 0.5, 1, -1).astype(np.int8)
    k = flips_for_separation(separation, n_units)
    out = np.tile(prototype, (n_patterns, 1))
    u = rng.random((n_patterns, n_units))
    if k:
        chosen = np.argsort(u, axis=1, kind="stable")[:, :k]
        np.put_along_axis(out, chosen, -np.take_along_axis(out, chosen, axis=1), axis=1)
    return out


def _check_separation(value) -> float:
    value = check_float("separation", value, low=0.0, high=0.5)
    if value == 0.0:
        raise AmemError("separation=0 makes every pattern the prototype; use a value in (0, 0.5]")
    return value


register("separated", lambda n_patterns, n_units, rng, separation:
         separated_patterns(n_patterns, n_units, rng, separation),
         defaults={"separation": 0.25},
         check=lambda p: {"separation": _check_separation(p["separation"])},
         legacy_param="separation",
         description="noisy copies of a hidden prototype at mean pairwise Hamming distance "
                     "separation*N",
         reference="Parga & Virasoro 1986; Gutfreund, PRA 37:570 (1988)")
