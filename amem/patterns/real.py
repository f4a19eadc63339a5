"""Real data shipped inside installed packages, binarised to ±1: never downloaded.

* ``digits``: scikit-learn's copy of the UCI handwritten digits (1797 images, 8 x 8, N = 64),
  read from the file scikit-learn ships (``pip install scikit-learn`` or ``amem[data]``);
* ``letters``: letters and digits rendered from the DejaVu fonts that matplotlib ships, at any
  k x k (N = k^2; 10 x 10 gives N = 100);
* ``lfw``: scikit-image's bundled subset of Labeled Faces in the Wild (200 images, 25 x 25),
  area-resampled to k x k with k <= 25 (``pip install scikit-image`` or ``amem[data]``).

Each item is binarised by the documented rule of its family and identical binarised items are
dropped (keeping the first), so "P distinct items" means P distinct patterns. A trial draws a
seeded random permutation of the items and takes the first P: the patterns of a smaller load are
a prefix of a larger one's, and a load beyond the set's size is a one-line error.
"""

from __future__ import annotations

import functools
import gzip
import importlib.resources
import importlib.util
from pathlib import Path

import numpy as np

from amem.errors import AmemError
from amem.patterns.registry import register
from amem.validation import check_float, check_int


def area_resample(image: np.ndarray, height: int, width: int) -> np.ndarray:
    """Resample a 2-D array to (height, width) by exact area averaging (fractional overlaps)."""
    image = np.asarray(image, dtype=np.float64)
    return _area_weights(image.shape[0], height) @ image @ _area_weights(image.shape[1], width).T


def _area_weights(source: int, target: int) -> np.ndarray:
    """(target, source) matrix: the fraction of target cell a covered by source cell x."""
    edges_t = np.arange(target + 1) * (source / target)
    lo = np.maximum(edges_t[:-1, None], np.arange(source)[None, :])
    hi = np.minimum(edges_t[1:, None], np.arange(1, source + 1)[None, :])
    return np.clip(hi - lo, 0.0, None) / (source / target)


def _unique_rows(patterns: np.ndarray) -> np.ndarray:
    """Rows of ``patterns`` without repeats, in order of first appearance."""
    _, first = np.unique(patterns, axis=0, return_index=True)
    return patterns[np.sort(first)]


def draw_items(items: np.ndarray, n_patterns: int, rng: np.random.Generator, family_id: str):
    """The first ``n_patterns`` items of a seeded permutation (distinct items, nested loads)."""
    if n_patterns > len(items):
        raise AmemError(f"load P={n_patterns} exceeds the {len(items)} distinct items of pattern "
                        f"family {family_id!r}; use P <= {len(items)}")
    order = rng.permutation(len(items))
    return items[order[:n_patterns]].copy()


def _need(module: str, family_id: str) -> None:
    if importlib.util.find_spec(module) is None:
        package = {"sklearn": "scikit-learn", "skimage": "scikit-image"}[module]
        raise AmemError(f"pattern family {family_id!r} needs {package}; install it with "
                        f"pip install {package} (or pip install 'amem[data]')")


def _square_side(n_units: int, family_id: str, largest: int | None = None) -> int:
    k = round(np.sqrt(n_units))
    if k * k != n_units:
        raise AmemError(f"pattern family {family_id!r} makes k x k images; N={n_units} is not a "
                        f"square number (use e.g. --n {max(1, k) ** 2})")
    if largest is not None and k > largest:
        raise AmemError(f"pattern family {family_id!r} has {largest} x {largest} images at most; "
                        f"use N <= {largest * largest}")
    return k


# ----------------------------------------------------------------------------- digits
DIGITS_SOURCE = {
    "name": "UCI Optical Recognition of Handwritten Digits (test set), as shipped in scikit-learn",
    "citation": "Alpaydin & Kaynak 1998, UCI ML Repository; scikit-learn load_digits",
    "licence": "CC BY 4.0 (UCI ML Repository); scikit-learn is BSD-3-Clause",
    "binarisation": "pixel >= threshold (0..16 scale) -> +1, else -1; duplicates dropped",
}


@functools.lru_cache(maxsize=1)
def digits_images() -> tuple[np.ndarray, np.ndarray]:
    """(1797, 64) pixel values 0..16 and the (1797,) labels, from scikit-learn's shipped file."""
    _need("sklearn", "digits")
    path = importlib.resources.files("sklearn") / "datasets" / "data" / "digits.csv.gz"
    with path.open("rb") as raw, gzip.open(raw, "rt") as text:
        table = np.loadtxt(text, delimiter=",")
    return table[:, :64].astype(np.int64), table[:, 64].astype(np.int64)


@functools.lru_cache(maxsize=8)
def digits_items(threshold: int = 8) -> np.ndarray:
    """The distinct binarised digits: +1 where the 0..16 pixel value is >= ``threshold``."""
    pixels, _ = digits_images()
    return _unique_rows(np.where(pixels >= threshold, 1, -1).astype(np.int8))


def digits_patterns(n_patterns: int, n_units: int = 64, seed=None, threshold: int = 8):
    """P distinct handwritten digits (8 x 8, N = 64) from scikit-learn's shipped copy.

    Binarisation: a pixel (0..16, the number of set pixels of a 4 x 4 block of the original
    32 x 32 bitmap) is +1 ("ink") when >= ``threshold`` (default 8, half the range), else -1.
    """
    from amem.patterns.registry import _rng

    if n_units != 64:
        raise AmemError(f"pattern family 'digits' gives N=64 units, not N={n_units}; pass --n 64")
    return draw_items(digits_items(threshold), n_patterns, _rng(seed), "digits")


def _check_digits(params):
    threshold = check_int("threshold", params["threshold"], 1)
    if threshold > 16:
        raise AmemError(f"threshold={threshold} must be <= 16 (pixel values are 0..16)")
    return {"threshold": threshold}


register("digits", lambda n_patterns, n_units, rng, threshold:
         digits_patterns(n_patterns, n_units, rng, threshold),
         defaults={"threshold": 8}, check=_check_digits,
         fixed_units=lambda p: 64, n_items=lambda p, n: len(digits_items(p["threshold"])),
         source=lambda p: {**DIGITS_SOURCE, "threshold": p["threshold"]},
         image_shape=lambda p, n: (8, 8),
         description="scikit-learn's handwritten digits, 8x8 (N=64), pixel >= threshold -> +1",
         reference="Alpaydin & Kaynak 1998 (UCI); as in the dense-memory image experiments")


# ----------------------------------------------------------------------------- letters
CHAR_SETS = {
    "upper": "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "lower": "abcdefghijklmnopqrstuvwxyz",
    "digits": "0123456789",
}
CHAR_SETS["alnum"] = CHAR_SETS["upper"] + CHAR_SETS["lower"] + CHAR_SETS["digits"]
FONT_SETS = {
    "sans": ("DejaVuSans",),
    "serif": ("DejaVuSerif",),
    "mono": ("DejaVuSansMono",),
    "all": ("DejaVuSans", "DejaVuSans-Bold", "DejaVuSans-Oblique", "DejaVuSans-BoldOblique",
            "DejaVuSerif", "DejaVuSerif-Bold", "DejaVuSerif-Italic", "DejaVuSerif-BoldItalic",
            "DejaVuSansMono", "DejaVuSansMono-Bold", "DejaVuSansMono-Oblique",
            "DejaVuSansMono-BoldOblique"),
}
LETTERS_SOURCE = {
    "name": "glyphs rendered from the DejaVu fonts shipped with matplotlib",
    "citation": "DejaVu fonts (dejavu-fonts project), matplotlib mpl-data/fonts/ttf",
    "licence": "Bitstream Vera Fonts licence (permissive) with DejaVu changes in the public "
               "domain (matplotlib's LICENSE_DEJAVU); matplotlib licence (PSF-based)",
    "binarisation": "glyph ink box centred in a square, area-resampled to k x k; "
                    "ink coverage >= threshold -> +1, else -1; duplicates dropped",
}
_RENDER_PX = 96  # glyphs are rendered this large, then area-resampled to k x k


def _font_path(name: str) -> Path:
    import matplotlib

    path = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / f"{name}.ttf"
    if not path.exists():
        raise AmemError(f"font {name}.ttf is not in this matplotlib ({path.parent}); "
                        "use fonts='sans'")
    return path


def glyph_coverage(char: str, font: str, size: int) -> np.ndarray:
    """Ink coverage in [0, 1] of ``char`` in DejaVu font ``font`` on a size x size grid.

    The glyph is rendered at 96 px, cropped to its ink bounding box, centred in a square of the
    box's longer side and area-resampled to size x size.
    """
    from matplotlib.ft2font import FT2Font

    face = FT2Font(str(_font_path(font)))
    face.set_size(_RENDER_PX, 72)
    face.set_text(char)
    face.draw_glyphs_to_bitmap()
    ink = np.asarray(face.get_image(), dtype=np.float64) / 255.0
    rows, cols = np.nonzero(ink > 0)
    if rows.size == 0:
        raise AmemError(f"character {char!r} has no glyph in {font}")
    ink = ink[rows.min():rows.max() + 1, cols.min():cols.max() + 1]
    side = max(ink.shape)
    square = np.zeros((side, side))
    top, left = (side - ink.shape[0]) // 2, (side - ink.shape[1]) // 2
    square[top:top + ink.shape[0], left:left + ink.shape[1]] = ink
    return area_resample(square, size, size)


@functools.lru_cache(maxsize=16)
def letter_items(size: int, chars: str = "alnum", fonts: str = "sans",
                 threshold: float = 0.5) -> np.ndarray:
    """The distinct binarised glyphs: every character of ``chars`` in every font of ``fonts``."""
    rows = [np.where(glyph_coverage(c, f, size).ravel() >= threshold, 1, -1)
            for f in FONT_SETS[fonts] for c in CHAR_SETS[chars]]
    return _unique_rows(np.asarray(rows, dtype=np.int8))


def letter_patterns(n_patterns: int, n_units: int, seed=None, chars: str = "alnum",
                    fonts: str = "sans", threshold: float = 0.5) -> np.ndarray:
    """P distinct glyphs rendered from matplotlib's DejaVu fonts, k x k with N = k^2.

    ``chars``: upper, lower, digits or alnum (all 62); ``fonts``: sans, serif, mono or all
    (12 DejaVu faces). Binarisation: a pixel is +1 when the glyph's ink covers at least
    ``threshold`` of it (see :func:`glyph_coverage`).
    """
    from amem.patterns.registry import _rng

    k = _square_side(n_units, "letters")
    return draw_items(letter_items(k, chars, fonts, threshold), n_patterns, _rng(seed), "letters")


def _check_letters(params):
    for name, table in (("chars", CHAR_SETS), ("fonts", FONT_SETS)):
        if params[name] not in table:
            raise AmemError(f"{name}={params[name]!r} is not valid; choose one of {', '.join(table)}")
    threshold = check_float("threshold", params["threshold"], low=0.0, high=1.0, low_open=True)
    return {"chars": params["chars"], "fonts": params["fonts"], "threshold": threshold}


register("letters", lambda n_patterns, n_units, rng, chars, fonts, threshold:
         letter_patterns(n_patterns, n_units, rng, chars, fonts, threshold),
         defaults={"chars": "alnum", "fonts": "sans", "threshold": 0.5}, check=_check_letters,
         n_items=lambda p, n: len(letter_items(_square_side(n, "letters"), p["chars"],
                                               p["fonts"], p["threshold"])),
         source=lambda p: {**LETTERS_SOURCE, **p},
         description="letters and digits rendered from matplotlib's DejaVu fonts, k x k (N=k^2)",
         reference="rendered glyphs, the classic Hopfield-network demonstration data")


# ----------------------------------------------------------------------------- lfw
LFW_SOURCE = {
    "name": "Labeled Faces in the Wild subset (100 faces, 100 non-faces, 25 x 25) shipped in "
            "scikit-image's data directory",
    "citation": "Huang, Ramesh, Berg & Learned-Miller 2007 (LFW); skimage.data.lfw_subset",
    "licence": "no licence stated by the LFW authors (images collected from the web; research "
               "use); redistributed inside scikit-image (BSD-3-Clause)",
    "binarisation": "area-resampled to k x k; pixel > the image's median -> +1, else -1; "
                    "duplicates dropped",
}
LFW_SUBSETS = {"faces": slice(0, 100), "nonfaces": slice(100, 200), "all": slice(0, 200)}


@functools.lru_cache(maxsize=1)
def lfw_images() -> np.ndarray:
    """The (200, 25, 25) grey images of scikit-image's file (faces first), read directly."""
    _need("skimage", "lfw")
    path = importlib.resources.files("skimage") / "data" / "lfw_subset.npy"
    with path.open("rb") as fh:
        return np.load(fh)


@functools.lru_cache(maxsize=16)
def lfw_items(size: int, subset: str = "faces") -> np.ndarray:
    images = lfw_images()[LFW_SUBSETS[subset]]
    rows = []
    for image in images:
        small = area_resample(image, size, size).ravel()
        rows.append(np.where(small > np.median(small), 1, -1))
    return _unique_rows(np.asarray(rows, dtype=np.int8))


def lfw_patterns(n_patterns: int, n_units: int = 625, seed=None, subset: str = "faces"):
    """P distinct LFW images (``subset``: faces, nonfaces or all), k x k with N = k^2, k <= 25.

    Binarisation: +1 where a pixel of the area-resampled image exceeds that image's median
    (about half the pixels of every image are on), else -1.
    """
    from amem.patterns.registry import _rng

    k = _square_side(n_units, "lfw", largest=25)
    return draw_items(lfw_items(k, subset), n_patterns, _rng(seed), "lfw")


def _check_lfw(params):
    if params["subset"] not in LFW_SUBSETS:
        raise AmemError(f"subset={params['subset']!r} is not valid; choose one of "
                        f"{', '.join(LFW_SUBSETS)}")
    return dict(params)


register("lfw", lambda n_patterns, n_units, rng, subset:
         lfw_patterns(n_patterns, n_units, rng, subset),
         defaults={"subset": "faces"}, check=_check_lfw,
         n_items=lambda p, n: len(lfw_items(_square_side(n, "lfw", largest=25), p["subset"])),
         source=lambda p: {**LFW_SOURCE, "subset": p["subset"]},
         description="scikit-image's LFW subset (faces), k x k with k <= 25, median-binarised",
         reference="Huang et al. 2007 (LFW); needs scikit-image (amem[data])")
