"""Conformance kit: checks any memory model (built-in or third-party) must pass.

>>> from amem.testing import check_model
>>> check_model("hebbian")        # or an unstored model instance       # doctest: +SKIP
{'check_store_returns_self': 'passed', ..., 'check_low_load_recall': 'passed', ...}

A failed check raises :class:`ConformanceError` (an AssertionError) naming the model and the
rule; a check that does not apply (a tag says so) is reported as ``"skipped: <reason>"``.
"""

from amem.testing.checks import ALL_CHECKS, CheckSkipped, ConformanceError
from amem.testing.kit import check_model, make_test_instance, run_check, yield_checks

__all__ = ["ALL_CHECKS", "CheckSkipped", "ConformanceError", "check_model",
           "make_test_instance", "run_check", "yield_checks"]
