"""Conformance kit: checks any memory model (built-in or third-party) must pass.

>>> from amem.testing import check_model
>>> check_model("hebbian")                 # or an unstored model instance     # doctest: +SKIP
"""

from amem.testing.checks import ALL_CHECKS, check_model, make_test_instance, yield_checks

__all__ = ["ALL_CHECKS", "check_model", "make_test_instance", "yield_checks"]
