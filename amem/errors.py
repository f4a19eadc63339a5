"""Exceptions amem raises for mistakes a user can fix.

Every user error is an :class:`AmemError` (a ``ValueError``) whose message is one line that names
the offending value and says how to fix it. The CLI prints that line and exits with status 2.
"""


class AmemError(ValueError):
    """A mistake in what the user asked for (bad input, unknown id, impossible load)."""


class UnknownModelError(AmemError):
    """No model is registered under the requested id."""


class NotStoredError(AmemError, AttributeError):
    """``recall`` (or another method needing stored patterns) was called before ``store``."""


class TrainingError(AmemError, RuntimeError):
    """A learning rule diverged or produced non-finite weights."""
