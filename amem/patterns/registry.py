"""String-id registry of pattern families: ``register``, ``make_patterns``, ``list_families``.

A pattern family is a generator ``generate(n_patterns, n_units, rng, **params) -> (P, N) int8``
of -1/+1 patterns plus what the harness needs to know about it: its parameters and their
defaults, a check that turns user values into valid ones (one-line :class:`AmemError` otherwise),
the unit counts it can produce, the size of a finite data set, and where its data come from
(name and licence, recorded in the records). A user registers a family of their own exactly as
the built-in ones are registered::

    @amem.patterns.register("stripes", defaults={"width": 2})
    def stripes(n_patterns, n_units, rng, width): ...

Every built-in family draws its patterns row by row, so the patterns of a smaller load are the
first rows of a larger one for the same seed ("nested" loads); a finite data set draws a seeded
permutation of its items and takes the first P.
"""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from amem.errors import AmemError
from amem.validation import check_int


@dataclass(frozen=True)
class PatternFamily:
    """What :func:`make_patterns` needs to draw a family's patterns, and what the harness checks."""

    id: str
    generate: Callable[..., np.ndarray]
    defaults: Mapping[str, Any] = field(default_factory=dict)
    #: params (defaults filled in) -> valid params; raises a one-line AmemError for a bad value
    check: Callable[[dict], dict] | None = None
    description: str = ""
    reference: str = ""
    #: params -> the only N this family produces for them (None: any N)
    fixed_units: Callable[[dict], int | None] | None = None
    #: (params, N) -> number of distinct items of a finite data set (None: unlimited)
    n_items: Callable[[dict, int], int | None] | None = None
    #: params -> {"name", "licence", ...} of the data, recorded in each trial record
    source: Callable[[dict], dict] | None = None
    #: a bare number given as the family's parameter means this one (``--pattern-param 0.7``)
    legacy_param: str | None = None
    #: (height, width) of the patterns as images, or None (then square N reads as k x k)
    image_shape: Callable[[dict, int], tuple[int, int] | None] | None = None

    @property
    def module(self) -> str:
        return getattr(self.generate, "__module__", "") or ""


_FAMILIES: dict[str, PatternFamily] = {}


def register(id: str, generate: Callable | None = None, *, defaults: Mapping[str, Any] | None = None,
             check: Callable[[dict], dict] | None = None, description: str = "",
             reference: str = "", fixed_units=None, n_items=None, source=None,
             legacy_param: str | None = None, image_shape=None, overwrite: bool = False):
    """Register a pattern family under ``id``; without ``generate`` it works as a decorator.

    ``generate(n_patterns, n_units, rng, **params)`` must return an (n_patterns, n_units) array
    of -1/+1 drawn from the numpy Generator ``rng`` alone, with every parameter in ``defaults``
    as a keyword. Draw row by row if you can, so that loads nest (see the module docstring).
    """
    if not isinstance(id, str) or not id or id != id.strip() or ":" in id or "," in id:
        raise AmemError(f"pattern family id {id!r} must be a non-empty string without spaces, ':' or ','")
    if generate is None:
        def decorator(fn):
            register(id, fn, defaults=defaults, check=check, description=description,
                     reference=reference, fixed_units=fixed_units, n_items=n_items, source=source,
                     legacy_param=legacy_param, image_shape=image_shape, overwrite=overwrite)
            return fn
        return decorator
    if id in _FAMILIES and not overwrite:
        raise AmemError(f"pattern family {id!r} is already registered; pass overwrite=True to replace it")
    if not description and generate.__doc__:
        description = generate.__doc__.strip().splitlines()[0]
    _FAMILIES[id] = PatternFamily(id, generate, dict(defaults or {}), check, description, reference,
                                  fixed_units, n_items, source, legacy_param, image_shape)
    return None


def unregister(id: str) -> None:
    """Remove a registration (mainly for tests)."""
    _FAMILIES.pop(id, None)


def list_families(pattern: str = "*") -> list[str]:
    """Sorted ids of the registered pattern families, optionally filtered by a glob."""
    import fnmatch

    return sorted(fnmatch.filter(_FAMILIES, pattern))


def family(id: str) -> PatternFamily:
    """The family registered under ``id``; ``"pkg.module:id"`` imports ``pkg.module`` first."""
    if not isinstance(id, str):
        raise AmemError(f"pattern family must be a string id, got {id!r}")
    if ":" in id:
        module_name, _, id = id.rpartition(":")
        try:
            importlib.import_module(module_name)
        except ImportError as err:
            raise AmemError(f"cannot import {module_name!r} for pattern family {id!r} ({err})") from None
    if id not in _FAMILIES:
        close = difflib.get_close_matches(id, list(_FAMILIES), n=2, cutoff=0.5)
        hint = f"; did you mean {' or '.join(map(repr, close))}?" if close else ""
        raise AmemError(f"unknown pattern family {id!r}{hint} (known: {', '.join(sorted(_FAMILIES))}; "
                        "see: python -m amem.bench list)")
    return _FAMILIES[id]


def resolve_params(id: str, params: Mapping[str, Any] | float | None = None) -> dict:
    """Every parameter of family ``id``: defaults, overridden by ``params``, checked.

    ``params`` may be a bare number for families with a ``legacy_param`` (the harness's old
    ``pattern_param`` float: the bias of ``random``, the ``p`` of ``markov``).
    """
    fam = family(id)
    if params is None:
        params = {}
    elif not isinstance(params, Mapping):
        if fam.legacy_param is None:
            raise AmemError(f"pattern family {fam.id!r} takes named parameters; pass KEY=VALUE "
                            f"(parameters: {_names(fam)})")
        params = {fam.legacy_param: params}
    for name in params:
        if name not in fam.defaults:
            close = difflib.get_close_matches(name, list(fam.defaults), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise AmemError(f"unknown parameter {name!r} for pattern family {fam.id!r}{hint} "
                            f"(parameters: {_names(fam)})")
    resolved = {**fam.defaults, **params}
    return dict(fam.check(resolved)) if fam.check is not None else resolved


def identity_params(id: str, params: Mapping[str, Any] | float | None = None) -> dict | None:
    """The parameters that identify a trial: the checked values that differ from the defaults.

    ``None`` when every parameter has its default, so ``--patterns markov`` and
    ``--patterns markov --pattern-param p=0.5`` are the same trials (and the harness's records
    of plain random patterns keep the identity they always had).
    """
    resolved = resolve_params(id, params)
    defaults = resolve_params(id, {})
    return {k: v for k, v in resolved.items() if k not in defaults or v != defaults[k]} or None


def _names(fam: PatternFamily) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in fam.defaults.items()) or "none"


def check_load(id: str, n_patterns: int, n_units: int, params=None) -> dict:
    """Raise a one-line error when ``id`` cannot give ``n_patterns`` patterns of ``n_units`` units.

    Returns the resolved parameters.
    """
    fam = family(id)
    resolved = resolve_params(id, params)
    check_int("n_patterns", n_patterns, 1)
    check_int("n_units", n_units, 1)
    if fam.fixed_units is not None:
        fixed = fam.fixed_units(resolved)
        if fixed is not None and fixed != n_units:
            raise AmemError(f"pattern family {fam.id!r} gives N={fixed} units, not N={n_units}; "
                            f"pass --n {fixed}")
    if fam.n_items is not None:
        items = fam.n_items(resolved, n_units)
        if items is not None and n_patterns > items:
            raise AmemError(
                f"load P={n_patterns} exceeds the {items} distinct items of pattern family "
                f"{fam.id!r} at N={n_units}; use alpha <= {items / n_units:.4g} (P <= {items})")
    return resolved


def max_patterns(id: str, n_units: int, params=None) -> int | None:
    """Size of a finite data set at ``n_units`` (None: the family is unlimited)."""
    fam = family(id)
    if fam.n_items is None:
        return None
    return fam.n_items(resolve_params(id, params), n_units)


def data_source(id: str, params=None) -> dict | None:
    """Name, origin and licence of a data family's items (None for synthetic families)."""
    fam = family(id)
    return None if fam.source is None else dict(fam.source(resolve_params(id, params)))


def image_shape(id: str, n_units: int, params=None) -> tuple[int, int] | None:
    """(height, width) of the patterns read as images: the family's own, or k x k for N = k^2."""
    fam = family(id)
    if fam.image_shape is not None:
        shape = fam.image_shape(resolve_params(id, params), n_units)
        if shape is not None:
            return shape
    k = round(np.sqrt(n_units))
    return (k, k) if k * k == n_units else None


def _rng(seed) -> np.random.Generator:
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


def make_patterns(kind: str, n_patterns: int, n_units: int, seed=None, param=None, **params):
    """``n_patterns`` patterns of ``n_units`` units from family ``kind``, drawn from ``seed``.

    ``param`` is the family's parameters as a dict (or a bare number for ``random``'s bias and
    ``markov``'s ``p``); keyword arguments are merged into it. Returns an int8 (P, N) array.
    """
    if params:
        if param is not None and not isinstance(param, Mapping):
            param = resolve_params(kind, param)
        param = {**(param or {}), **params}
    resolved = check_load(kind, n_patterns, n_units, param)
    out = family(kind).generate(n_patterns, n_units, _rng(seed), **resolved)
    out = np.asarray(out)
    if out.shape != (n_patterns, n_units):
        raise AmemError(f"pattern family {kind!r} returned shape {out.shape}, "
                        f"expected ({n_patterns}, {n_units})")
    if not np.isin(out, (-1, 1)).all():
        raise AmemError(f"pattern family {kind!r} returned values other than -1/+1")
    return np.ascontiguousarray(out, dtype=np.int8)
