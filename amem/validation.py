"""Input checks shared by every model and the harness: one-line errors that name value and fix."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from amem.errors import AmemError


def as_bipolar(x: Any, name: str = "patterns", n_units: int | None = None) -> np.ndarray:
    """Return ``x`` as a fresh C-contiguous int8 (M, N) array of -1/+1, or raise AmemError."""
    try:
        arr = np.asarray(x)
    except Exception as err:  # ragged lists and the like
        raise AmemError(f"{name} could not be read as an array ({err}); pass an (M, N) array of -1/+1") from None
    if arr.dtype == object:
        raise AmemError(f"{name} is ragged or not numeric; pass an (M, N) array of -1/+1")
    if arr.ndim != 2:
        hint = "; for a single pattern use x[None, :]" if arr.ndim == 1 else ""
        raise AmemError(f"{name} has shape {arr.shape} (ndim {arr.ndim}); expected a 2-D (M, N) array{hint}")
    if arr.size == 0:
        raise AmemError(f"{name} is empty (shape {arr.shape}); pass at least one row and one unit")
    if arr.dtype == bool:
        raise AmemError(f"{name} is boolean; convert with 2 * x.astype(int) - 1 to get -1/+1")
    if not np.issubdtype(arr.dtype, np.number):
        raise AmemError(f"{name} has dtype {arr.dtype}; pass numbers -1/+1")
    if np.issubdtype(arr.dtype, np.floating) or np.issubdtype(arr.dtype, np.complexfloating):  # noqa: SIM102
        if np.isnan(arr).any():
            idx = tuple(int(i) for i in np.argwhere(np.isnan(arr))[0])
            raise AmemError(f"{name} contains NaN (first at index {idx}); pass values -1/+1 only")
    bad = (arr != 1) & (arr != -1)
    if bad.any():
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        raise AmemError(
            f"{name} contains {arr[idx].item()!r} at index {idx}; values must be -1 or +1 "
            "(for 0/1 data use 2 * x - 1)"
        )
    if n_units is not None and arr.shape[1] != n_units:
        raise AmemError(
            f"{name} have {arr.shape[1]} units but the model stores {n_units}-unit patterns; "
            f"pass arrays of shape (M, {n_units})"
        )
    return np.ascontiguousarray(arr, dtype=np.int8).copy()


def check_choice(name: str, value: Any, choices: Iterable[Any]) -> Any:
    choices = tuple(choices)
    if value not in choices:
        raise AmemError(f"{name}={value!r} is not valid; choose one of {', '.join(map(repr, choices))}")
    return value


def check_bool(name: str, value: Any) -> bool:
    """A real boolean (1, "yes" or None are refused rather than read as truthy)."""
    if not isinstance(value, (bool, np.bool_)):
        raise AmemError(f"{name}={value!r} must be True or False")
    return bool(value)


def check_int(name: str, value: Any, minimum: int | None = None, allow_none: bool = False) -> int | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise AmemError(f"{name}={value!r} must be an integer")
    if minimum is not None and value < minimum:
        raise AmemError(f"{name}={value!r} must be >= {minimum}")
    return int(value)


def check_float(
    name: str,
    value: Any,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise AmemError(f"{name}={value!r} must be a number")
    value = float(value)
    if math.isnan(value) or math.isinf(value):
        raise AmemError(f"{name}={value!r} must be a finite number")
    if low is not None and (value < low or (low_open and value == low)):
        raise AmemError(f"{name}={value!r} must be {'>' if low_open else '>='} {low}")
    if high is not None and (value > high or (high_open and value == high)):
        raise AmemError(f"{name}={value!r} must be {'<' if high_open else '<='} {high}")
    return value


def check_fraction(name: str, value: Any) -> float:
    """A fraction in [0, 1] (cue noise, unknown-bit fraction)."""
    return check_float(name, value, low=0.0, high=1.0)


def check_seed(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise AmemError(f"seed={value!r} must be a non-negative integer")
    return int(value)
