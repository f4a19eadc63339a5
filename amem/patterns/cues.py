"""Cues: corrupted copies of stored patterns (flipped, unknown, occluded or salt-and-pepper bits).

Every cue kind takes a fraction ``noise`` of the N units and corrupts exactly round(noise * N) of
them (occlusion: as close as a rectangle allows), so the same ``--noise`` means the same amount
of damage whatever the kind. Inputs are never modified.
"""

from __future__ import annotations

import numpy as np

from amem.errors import AmemError
from amem.patterns.registry import _rng
from amem.validation import as_bipolar, check_choice, check_fraction

#: Cue kinds the harness knows (``--cue``).
CUE_KINDS = ("flip", "partial", "occlude", "occlude-side", "salt-pepper")
SIDES = ("top", "bottom", "left", "right")


def n_flips(noise: float, n_units: int) -> int:
    """Number of bits a cue with noise fraction ``noise`` flips: exactly round(noise * N)."""
    return round(check_fraction("noise", noise) * n_units)


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


def salt_pepper_cues(patterns, noise: float, seed=None, salt: float = 0.5,
                     return_mask: bool = False):
    """Salt-and-pepper noise: round(noise * N) random pixels set to +1 ("salt") or -1 ("pepper").

    Each corrupted pixel is salt with probability ``salt``. Unlike :func:`flip_cues`, a corrupted
    pixel may keep its value (a white pixel hit by salt); at ``salt=0.5`` the cue has the same
    distribution as :func:`partial_cues` (unknown bits filled with coin flips).
    """
    x = as_bipolar(patterns, "patterns")
    salt = check_fraction("salt", salt)
    k = n_flips(noise, x.shape[1])
    rng = _rng(seed)
    mask = np.zeros(x.shape, bool)
    if k:
        chosen = _choose_units(rng, x.shape, k)
        fill = np.where(rng.random((x.shape[0], k)) < salt, 1, -1).astype(np.int8)
        np.put_along_axis(x, chosen, fill, axis=1)
        np.put_along_axis(mask, chosen, True, axis=1)
    return (x, mask) if return_mask else x


def occlusion_cues(patterns, fraction: float, seed=None, shape: tuple[int, int] | None = None,
                   where: str = "block", fill="random", return_mask: bool = False):
    """Cues with a contiguous region of each image masked.

    ``where="block"``: an axis-aligned rectangle of about ``fraction`` of the image (a square of
    side round(sqrt(fraction) * side) when the image is square, clipped to the image), at a
    uniformly random position per cue. ``where`` in top/bottom/left/right: that many rows or
    columns, round(fraction * height) (or width), from that side -- ``fraction=0.5`` hides half
    of the image; ``where="side"`` picks one of the four sides at random per cue. ``shape`` is
    (height, width) with height * width = N (default: a square image). Masked pixels are set to
    ``fill``: ``"random"`` (coin flips, the masked bits become unknown), -1 or +1.
    """
    x = as_bipolar(patterns, "patterns")
    fraction = check_fraction("fraction", fraction)
    h, w = _image_shape(x.shape[1], shape)
    check_choice("where", where, ("block", "side") + SIDES)
    if fill not in ("random", -1, 1):
        raise AmemError(f"fill={fill!r} is not valid; use 'random', -1 or +1")
    rng = _rng(seed)
    m = x.shape[0]
    mask = np.zeros((m, h, w), bool)
    if where == "block":
        bh, bw = _block_size(fraction, h, w)
        if bh and bw:
            tops = rng.integers(0, h - bh + 1, size=m)
            lefts = rng.integers(0, w - bw + 1, size=m)
            for i in range(m):
                mask[i, tops[i]:tops[i] + bh, lefts[i]:lefts[i] + bw] = True
    else:
        sides = (rng.integers(0, 4, size=m) if where == "side"
                 else np.full(m, SIDES.index(where)))
        rows, cols = round(fraction * h), round(fraction * w)
        for i, side in enumerate(sides):
            if side == 0 and rows:
                mask[i, :rows] = True
            elif side == 1 and rows:
                mask[i, h - rows:] = True
            elif side == 2 and cols:
                mask[i, :, :cols] = True
            elif side == 3 and cols:
                mask[i, :, w - cols:] = True
    mask = mask.reshape(m, h * w)
    if fill == "random":
        values = np.where(rng.random(x.shape) < 0.5, 1, -1).astype(np.int8)
    else:
        values = np.full(x.shape, fill, np.int8)
    x[mask] = values[mask]
    return (x, mask) if return_mask else x


def _block_size(fraction: float, h: int, w: int) -> tuple[int, int]:
    """A rectangle of about fraction * h * w pixels with the image's aspect ratio."""
    side = np.sqrt(fraction)
    return min(h, round(side * h)), min(w, round(side * w))


def _image_shape(n_units: int, shape) -> tuple[int, int]:
    if shape is None:
        k = round(np.sqrt(n_units))
        if k * k != n_units:
            raise AmemError(f"occlusion needs an image: N={n_units} is not a square number; pass "
                            "shape=(height, width)")
        return k, k
    h, w = (int(v) for v in shape)
    if h * w != n_units:
        raise AmemError(f"shape={tuple(shape)} has {h * w} pixels but the patterns have N={n_units}")
    return h, w


def _choose_units(rng: np.random.Generator, shape: tuple[int, int], k: int) -> np.ndarray:
    """k distinct unit indices per row, uniformly at random."""
    return np.argpartition(rng.random(shape), k - 1, axis=1)[:, :k] if k < shape[1] else \
        np.tile(np.arange(shape[1]), (shape[0], 1))


def make_cues(kind: str, patterns, noise: float, seed=None, shape=None) -> np.ndarray:
    """Cues of kind ``kind`` (one of :data:`CUE_KINDS`) at noise fraction ``noise``.

    ``occlude`` masks a random block of about ``noise * N`` pixels, ``occlude-side`` the
    round(noise * height) rows (or columns) on a random side (``noise=0.5``: half the image);
    both fill the hidden pixels with coin flips. ``shape`` is the image shape for occlusion.
    """
    check_choice("cue", kind, CUE_KINDS)
    if kind == "flip":
        return flip_cues(patterns, noise, seed)
    if kind == "partial":
        return partial_cues(patterns, noise, seed)
    if kind == "salt-pepper":
        return salt_pepper_cues(patterns, noise, seed)
    return occlusion_cues(patterns, noise, seed, shape,
                          where="block" if kind == "occlude" else "side")
