"""Run the conformance checks on a model: ``check_model`` and the helpers test suites use."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any

from amem.base import MemoryModel
from amem.errors import AmemError
from amem.registry import make, spec
from amem.testing.checks import ALL_CHECKS, CheckSkipped

PASSED = "passed"


def make_test_instance(model_id: str, **params: Any) -> MemoryModel:
    """Build a registered model with its small ``test_params`` (plus overrides) and seed 0."""
    return make(model_id, **{"seed": 0, **spec(model_id).test_params, **params})


def yield_checks(model: MemoryModel) -> Iterator[Callable[[MemoryModel], None]]:
    """The checks for ``model`` (every check; those that do not apply skip themselves)."""
    yield from ALL_CHECKS


def run_check(check: Callable[[MemoryModel], None], model: MemoryModel) -> str:
    """Run one check on a deep copy of ``model``: ``"passed"`` or ``"skipped: <reason>"``;
    a failure raises :class:`~amem.testing.checks.ConformanceError`."""
    try:
        check(copy.deepcopy(model))
    except CheckSkipped as skip:
        return f"skipped: {skip}"
    return PASSED


def check_model(model_or_id: MemoryModel | str, **params: Any) -> dict[str, str]:
    """Run every conformance check on a model id (built with its test params) or an unstored
    instance; each check gets a fresh deep copy. Raises ConformanceError on the first failure;
    returns ``{check name: "passed" | "skipped: <reason>"}``."""
    model = (make_test_instance(model_or_id, **params) if isinstance(model_or_id, str)
             else model_or_id)
    if getattr(model, "patterns_", None) is not None:
        raise AmemError("check_model needs an unstored model; pass a fresh instance or a model id")
    return {check.__name__: run_check(check, model) for check in yield_checks(model)}
