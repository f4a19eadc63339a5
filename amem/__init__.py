"""amem: an associative-memory benchmark suite.

>>> import amem
>>> model = amem.make("hebbian", seed=0).store(patterns)      # doctest: +SKIP
>>> out = model.recall(cues)                                   # doctest: +SKIP
"""

from amem import models as _builtin_models  # noqa: F401  (registers the built-in models)
from amem.base import MemoryModel, ModelTags, RecallResult
from amem.errors import AmemError, NotStoredError, UnknownModelError
from amem.recurrent import RecurrentMemory
from amem.registry import list_models, make, register, spec, unregister

__version__ = "0.1.0"

__all__ = [
    "AmemError",
    "MemoryModel",
    "ModelTags",
    "NotStoredError",
    "RecallResult",
    "RecurrentMemory",
    "UnknownModelError",
    "list_models",
    "make",
    "register",
    "spec",
    "unregister",
    "__version__",
]


def __getattr__(name):  # lazy submodules: amem.pid, amem.patterns, ... without import cost
    import importlib

    if name in {"pid", "patterns", "harness", "records", "testing", "plots", "theory"}:
        return importlib.import_module(f"amem.{name}")
    raise AttributeError(f"module 'amem' has no attribute {name!r}")
