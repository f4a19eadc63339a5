"""Patterns correlated by a two-state Markov chain along the neurons or across the patterns."""

from __future__ import annotations

import numpy as np

from amem.errors import AmemError
from amem.patterns.registry import _rng, register
from amem.validation import check_choice, check_fraction, check_int

DIRECTIONS = ("spatial", "temporal")


def markov_patterns(n_patterns: int, n_units: int, seed=None, p: float = 0.5,
                    direction: str = "spatial", *, p_same: float | None = None) -> np.ndarray:
    """±1 patterns in which each bit copies its predecessor with probability ``p``.

    ``direction="spatial"``: along the neurons, unit j of a pattern equals unit j-1 with
    probability p (else the opposite); ``"temporal"``: across the patterns, unit j of pattern mu
    equals unit j of pattern mu-1 with probability p. The first unit (pattern) is a fair coin, and
    the symmetric chain keeps every bit unbiased, so p = 0.5 gives independent unbiased patterns
    and the neighbour correlation is 2p - 1. This is the correlated-pattern model of Blümel et
    al. 2025 (correlation appendix, p = 0.50 ... 0.85; see shared/docs/infomorphic-spec.md §1.1).
    Drawn row by row: the patterns of a smaller load are a prefix of a larger one's.
    ``p_same`` is the old name of ``p``.
    """
    if p_same is not None:
        p = p_same
    check_int("n_patterns", n_patterns, 1)
    check_int("n_units", n_units, 1)
    p = check_fraction("p", p)
    check_choice("direction", direction, DIRECTIONS)
    u = _rng(seed).random((n_patterns, n_units))
    out = np.empty((n_patterns, n_units), np.int8)
    axis = 1 if direction == "spatial" else 0
    first = (slice(None), 0) if axis == 1 else (0, slice(None))
    rest = (slice(None), slice(1, None)) if axis == 1 else (slice(1, None), slice(None))
    out[first] = np.where(u[first] < 0.5, 1, -1)
    out[rest] = np.where(u[rest] < p, 1, -1)  # +1 keep, -1 flip
    np.cumprod(out, axis=axis, out=out)  # s_j = s_0 * prod(keep/flip)
    return out


def _check(params: dict) -> dict:
    if params["direction"] not in DIRECTIONS:
        raise AmemError(f"direction={params['direction']!r} is not valid; choose one of "
                        f"{', '.join(DIRECTIONS)}")
    return {"p": check_fraction("p", params["p"]), "direction": params["direction"]}


def _generate(n_patterns, n_units, rng, p, direction):
    return markov_patterns(n_patterns, n_units, rng, p=p, direction=direction)


register("markov", _generate, defaults={"p": 0.5, "direction": "spatial"}, check=_check,
         legacy_param="p",
         description="Markov-chain patterns: a bit copies its neighbour (spatial) or the previous "
                     "pattern (temporal) with probability p",
         reference="Blümel et al. 2025, correlation appendix")
