"""String-id registry of memory models: ``register``, ``make``, ``list_models``, ``spec``.

Built-in models register in :mod:`amem.models`; third-party models register from their own
module with :func:`register` (call or decorator) or through a package entry point in the group
``amem.models`` (``name = "pkg.module:Class"`` registers that class under ``name``;
``name = "pkg.module"`` imports a module whose import registers its models). ``baselines/`` uses
exactly that public mechanism.
"""

from __future__ import annotations

import difflib
import importlib
import inspect
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from amem.errors import AmemError, UnknownModelError

ENTRY_POINT_GROUP = "amem.models"


@dataclass(frozen=True)
class ModelSpec:
    """What :func:`make` needs to build a model: where the class lives and its default params."""

    id: str
    entry_point: str  # "package.module:ClassName", importable in any process
    defaults: Mapping[str, Any] = field(default_factory=dict)
    test_params: Mapping[str, Any] = field(default_factory=dict)  # small, fast config for checks
    description: str = ""
    cls: type | None = field(default=None, compare=False, repr=False)  # when registered as a class
    #: bumped by the model's author whenever its results change (part of every trial's identity)
    version: int = 1

    def load(self) -> type:
        if self.cls is not None:
            return self.cls
        module_name, _, qualname = self.entry_point.partition(":")
        try:
            obj: Any = importlib.import_module(module_name)
            for part in qualname.split("."):
                obj = getattr(obj, part)
        except (ImportError, AttributeError) as err:
            raise AmemError(f"model {self.id!r}: cannot load {self.entry_point!r} ({err})") from None
        return obj


_REGISTRY: dict[str, ModelSpec] = {}
_plugins_loaded = False


def _entry_point_of(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


def register(
    id: str,
    entry_point: str | type | None = None,
    *,
    defaults: Mapping[str, Any] | None = None,
    test_params: Mapping[str, Any] | None = None,
    description: str = "",
    overwrite: bool = False,
    version: int = 1,
) -> Any:
    """Register a model class under ``id``; without ``entry_point`` it works as a decorator.

    Parameters
    ----------
    id : str
        The name users pass to :func:`make` and ``--model``.
    entry_point : str or type, optional
        ``"module:Class"`` (imported lazily) or the class itself.
    defaults : mapping, optional
        Parameter values :func:`make` uses unless the caller overrides them.
    test_params : mapping, optional
        A small, fast configuration for the conformance kit.
    version : int
        The model's version (default 1). Bump it whenever a change to the model alters its
        results: it is part of every trial's identity and recorded with every result, and a run
        into an ``--out`` holding records of another version is refused.
    overwrite : bool
        Replace an existing registration instead of raising.

    Examples
    --------
    >>> @amem.register("my-model")            # doctest: +SKIP
    ... class MyModel(amem.MemoryModel): ...
    """
    if not isinstance(id, str) or not id or id != id.strip() or ":" in id:
        raise AmemError(f"model id {id!r} must be a non-empty string without spaces or ':'")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise AmemError(f"model {id!r}: version={version!r} must be a positive integer")
    if entry_point is None:
        def decorator(cls: type) -> type:
            register(id, cls, defaults=defaults, test_params=test_params,
                     description=description, overwrite=overwrite, version=version)
            return cls
        return decorator
    if id in _REGISTRY and not overwrite:
        raise AmemError(f"model id {id!r} is already registered; pass overwrite=True to replace it")
    cls = None
    if isinstance(entry_point, type):
        from amem.base import MemoryModel

        if not issubclass(entry_point, MemoryModel):
            raise AmemError(f"{entry_point.__name__} must subclass amem.MemoryModel to be registered")
        if not description and entry_point.__doc__:
            description = entry_point.__doc__.strip().splitlines()[0]
        cls, entry_point = entry_point, _entry_point_of(entry_point)
    _REGISTRY[id] = ModelSpec(id, entry_point, dict(defaults or {}), dict(test_params or {}),
                              description, cls, version)
    return None


def unregister(id: str) -> None:
    """Remove a registration (mainly for tests)."""
    _REGISTRY.pop(id, None)


def _load_plugins() -> None:
    """Import every ``amem.models`` entry point once (lazily, on the first registry query)."""
    global _plugins_loaded
    if _plugins_loaded:
        return
    _plugins_loaded = True
    from importlib.metadata import entry_points

    for ep in entry_points(group=ENTRY_POINT_GROUP):
        try:
            obj = ep.load()
        except Exception as err:  # noqa: BLE001 (a broken plugin must not break amem)
            import warnings

            warnings.warn(f"amem: could not load model plugin {ep.name!r} ({ep.value}): {err}",
                          stacklevel=2)
            continue
        if isinstance(obj, type) and ep.name not in _REGISTRY:
            register(ep.name, obj)


def list_models(pattern: str = "*") -> list[str]:
    """Sorted ids of all registered models (plugins included), optionally filtered by a glob."""
    import fnmatch

    _load_plugins()
    return sorted(fnmatch.filter(_REGISTRY, pattern))


def _resolve_id(id: str) -> str:
    """``"pkg.module:model-id"`` imports ``pkg.module`` (which registers) and returns the id."""
    if ":" in id:
        module_name, _, id = id.rpartition(":")
        try:
            importlib.import_module(module_name)
        except ImportError as err:
            raise UnknownModelError(f"cannot import {module_name!r} for model {id!r} ({err})") from None
    return id


def spec(id: str) -> ModelSpec:
    """The :class:`ModelSpec` registered under ``id``; unknown ids suggest close matches."""
    if not isinstance(id, str):
        raise UnknownModelError(f"model id must be a string, got {id!r}")
    id = _resolve_id(id)
    if id not in _REGISTRY:
        _load_plugins()
    if id not in _REGISTRY:
        close = difflib.get_close_matches(id, list(_REGISTRY), n=3, cutoff=0.5)
        hint = f"; did you mean {' or '.join(map(repr, close))}?" if close else ""
        raise UnknownModelError(
            f"unknown model id {id!r}{hint} (known: {', '.join(sorted(_REGISTRY))})"
        )
    return _REGISTRY[id]


def accepted_params(cls: type) -> list[str] | None:
    """Constructor keyword names of ``cls`` (None when it takes ``**kwargs``)."""
    params = inspect.signature(cls.__init__).parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return None
    return [n for n, p in params.items() if n != "self" and p.kind is not inspect.Parameter.VAR_POSITIONAL]


def make(id: str, **params: Any):
    """Build the model registered under ``id`` with ``params`` over its registered defaults.

    Unknown ids and unknown parameter names raise :class:`amem.errors.AmemError` with a
    suggestion; invalid values are refused by the model's constructor.
    """
    model_spec = spec(id)
    cls = model_spec.load()
    valid = accepted_params(cls)
    if valid is not None:
        for name in params:
            if name not in valid:
                close = difflib.get_close_matches(name, valid, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise AmemError(
                    f"unknown parameter {name!r} for model {model_spec.id!r}{hint} "
                    f"(valid: {', '.join(valid)})"
                )
    return cls(**{**model_spec.defaults, **params})


def model_class(id: str) -> type:
    """The class registered under ``id`` (without building an instance)."""
    return spec(id).load()
