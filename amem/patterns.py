"""Pattern ensembles and cues.

Patterns are drawn row by row from one uniform per entry, so the first P rows for a given seed are
the same whatever the total count: the patterns of a smaller load are a prefix of a larger one
("nested" loads), which makes a seed's capacity a well-defined largest P.
"""

from __future__ import annotations

import numpy as np

from amem.errors import AmemError
from amem.validation import as_bipolar, check_float, check_fraction, check_int


def _rng(seed) -> np.random.Generator:
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


def random_patterns(n_patterns: int, n_units: int, seed=None, bias: float = 0.0) -> np.ndarray:
    """I.i.d. ±1 patterns with P(+1) = (1 + bias) / 2 (``bias`` in (-1, 1); 0 is unbiased).

    Returns an int8 array of shape (n_patterns, n_units).
    """
    check_int("n_patterns", n_patterns, 1)
    check_int("n_units", n_units, 1)
    bias = check_float("bias", bias, low=-1.0, high=1.0, low_open=True, high_open=True)
    u = _rng(seed).random((n_patterns, n_units))
    return np.where(u < (1.0 + bias) / 2.0, 1, -1).astype(np.int8)


def markov_patterns(n_patterns: int, n_units: int, seed=None, p_same: float = 0.5) -> np.ndarray:
    """Spatially correlated ±1 patterns: unit j copies unit j-1 with probability ``p_same``.

    ``p_same=0.5`` gives i.i.d. unbiased patterns (Blümel et al. 2025, correlation appendix, use
    p in 0.5..0.85). The first unit is an unbiased coin.
    """
    check_int("n_patterns", n_patterns, 1)
    check_int("n_units", n_units, 1)
    p_same = check_fraction("p_same", p_same)
    u = _rng(seed).random((n_patterns, n_units))
    out = np.empty((n_patterns, n_units), np.int8)
    out[:, 0] = np.where(u[:, 0] < 0.5, 1, -1)
    flips = np.where(u[:, 1:] < p_same, 1, -1).astype(np.int8)  # +1 keep, -1 flip
    out[:, 1:] = flips
    np.cumprod(out, axis=1, out=out)  # s_j = s_0 * prod(keep/flip)
    return out


def n_flips(noise: float, n_units: int) -> int:
    """Number of bits a cue with noise fraction ``noise`` flips: exactly round(noise * N)."""
    return int(round(check_fraction("noise", noise) * n_units))


def flip_cues(patterns, noise: float, seed=None) -> np.ndarray:
    """Copies of ``patterns`` with exactly round(noise * N) distinct, randomly chosen bits flipped."""
    x = as_bipolar(patterns, "patterns")
    k = n_flips(noise, x.shape[1])
    if k:
        chosen = _choose_units(_rng(seed), x.shape, k)
        np.put_along_axis(x, chosen, -np.take_along_axis(x, chosen, axis=1), axis=1)
    return x


def partial_cues(patterns, unknown: float, seed=None, return_mask: bool = False):
    """Cues where round(unknown * N) randomly chosen bits are unknown and replaced by random ±1.

    With ``return_mask=True`` also returns the boolean (M, N) mask of unknown bits, for models or
    analyses that clamp the known units.
    """
    x = as_bipolar(patterns, "patterns")
    k = n_flips(unknown, x.shape[1])
    rng = _rng(seed)
    mask = np.zeros(x.shape, bool)
    if k:
        chosen = _choose_units(rng, x.shape, k)
        fill = np.where(rng.random((x.shape[0], k)) < 0.5, 1, -1).astype(np.int8)
        np.put_along_axis(x, chosen, fill, axis=1)
        np.put_along_axis(mask, chosen, True, axis=1)
    return (x, mask) if return_mask else x


def _choose_units(rng: np.random.Generator, shape: tuple[int, int], k: int) -> np.ndarray:
    """k distinct unit indices per row, uniformly at random."""
    return np.argpartition(rng.random(shape), k - 1, axis=1)[:, :k] if k < shape[1] else \
        np.tile(np.arange(shape[1]), (shape[0], 1))


PATTERN_KINDS = ("random", "markov")


def make_patterns(kind: str, n_patterns: int, n_units: int, seed=None, param: float | None = None):
    """Dispatch on a pattern-ensemble name: ``random`` (param = bias) or ``markov`` (p_same)."""
    if kind == "random":
        return random_patterns(n_patterns, n_units, seed, bias=0.0 if param is None else param)
    if kind == "markov":
        return markov_patterns(n_patterns, n_units, seed, p_same=0.5 if param is None else param)
    raise AmemError(f"pattern kind {kind!r} is not known; choose one of {', '.join(PATTERN_KINDS)}")
