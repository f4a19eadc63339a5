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


def check_model(model_or_id: MemoryModel | str, *, verbose: bool = True,
                **params: Any) -> dict[str, str]:
    """Run every conformance check on a model id (built with its test params) or an unstored
    instance; each check gets a fresh deep copy. Raises ConformanceError on the first failure;
    returns ``{check name: "passed" | "skipped: <reason>"}``. With ``verbose`` (the default) it
    also prints one line saying how many checks passed and which were skipped and why, so a
    passing model is not met with silence."""
    model = (make_test_instance(model_or_id, **params) if isinstance(model_or_id, str)
             else model_or_id)
    if getattr(model, "patterns_", None) is not None:
        raise AmemError("check_model needs an unstored model; pass a fresh instance or a model id")
    report = {check.__name__: run_check(check, model) for check in yield_checks(model)}
    if verbose:
        print(report_line(model_or_id if isinstance(model_or_id, str) else type(model).__name__,
                          report))
    return report


def report_line(name: str, report: dict[str, str]) -> str:
    """``"hebbian: 14 conformance checks passed, 1 skipped (check_x: reason)"``."""
    passed = sum(1 for outcome in report.values() if outcome == PASSED)
    skipped = {check: outcome.partition(": ")[2] for check, outcome in report.items()
               if outcome != PASSED}
    line = f"{name}: {passed} conformance checks passed"
    if skipped:
        line += f", {len(skipped)} skipped (" + "; ".join(
            f"{check}: {why}" for check, why in skipped.items()) + ")"
    return line
