"""The interface every memory model shares: ``store`` patterns, ``recall`` them from cues.

Contract (see ``shared/docs/contract.md``): ``store(patterns)`` takes a (P, N) array of -1/+1 and
returns the model; ``recall(cues, max_steps=None)`` takes an (M, N) array of -1/+1 and returns a
:class:`RecallResult` with the final ``states`` (int8), the update ``steps`` each cue took and a
``status`` label per cue: ``"fixed_point"``, ``"cycle"`` or ``"max_steps"``.
"""

from __future__ import annotations

import abc
import inspect
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from amem.errors import NotStoredError
from amem.validation import as_bipolar, check_choice, check_int, check_seed

#: Status codes the kernels return, and the labels users see (index = code).
FIXED_POINT, CYCLE, MAX_STEPS = 0, 1, 2
STATUS_LABELS = ("fixed_point", "cycle", "max_steps")
#: Bytes per pattern entry a trial holds besides the couplings (patterns drawn in float64, cues,
#: recalled states, float64 fields, integer overlaps); :meth:`MemoryModel.estimate_memory` adds it to every model.
TRIAL_BYTES_PER_ENTRY = 48


def async_order_bytes(n_units: int, params: dict) -> int:
    """Asynchronous recall draws an int64 visiting order per sweep: N sweeps x N units."""
    return 8 * n_units * n_units if params.get("update") == "async" else 0


@dataclass(frozen=True)
class ModelTags:
    """Static facts the harness and the conformance kit branch on."""

    #: ``store`` adds to what is stored without revisiting old patterns (Hebbian, Storkey).
    incremental: bool = False
    #: the model exposes ``weights_`` (N, N), ``bias_`` (N,) recurrent couplings (for PID anatomy).
    recurrent_weights: bool = False
    #: low-load recall from clean and 10%-noisy cues is expected to succeed (conformance check).
    recalls_at_low_load: bool = True


@dataclass(frozen=True)
class RecallResult:
    """Outcome of :meth:`MemoryModel.recall` for a batch of M cues."""

    states: np.ndarray  # (M, N) int8 of -1/+1
    steps: np.ndarray  # (M,) int64: update sweeps that changed the state
    status: np.ndarray  # (M,) str labels from STATUS_LABELS

    @property
    def status_codes(self) -> np.ndarray:
        """Status as int8 codes (0 fixed_point, 1 cycle, 2 max_steps)."""
        return np.array([STATUS_LABELS.index(s) for s in self.status], dtype=np.int8)

    def __len__(self) -> int:
        return len(self.states)


def status_labels(codes: np.ndarray) -> np.ndarray:
    """Map kernel status codes to the contract's labels."""
    return np.asarray(STATUS_LABELS)[np.asarray(codes, dtype=np.intp)]


class MemoryModel(abc.ABC):
    """Associative memory: store ±1 patterns, recall them from (noisy) cues.

    Subclasses implement :meth:`_fit` (learn from all patterns stored so far) or, when
    ``tags.incremental`` is set, :meth:`_add` (learn from new patterns only), and :meth:`_recall`.

    * ``__init__`` validates and saves its keyword arguments; learned state ends in ``_``.
    * :meth:`store` returns ``self``; calling it again adds patterns to the memory.
    * :meth:`recall` never mutates its input and raises :class:`NotStoredError` before ``store``.
    * Randomness comes only from the ``seed`` parameter: same seed + same inputs, same outputs.
    """

    tags: ClassVar[ModelTags] = ModelTags()
    #: update rules the model supports; the first one is its default.
    update_rules: ClassVar[tuple[str, ...]] = ("sync", "async")

    def __init__(self, *, seed: int = 0, update: str | None = None) -> None:
        self.seed = check_seed(seed)
        self.update = check_choice("update", self.update_rules[0] if update is None else update,
                                   self.update_rules)

    # ----------------------------------------------------------------- public API
    def store(self, patterns: Any) -> MemoryModel:
        """Store a (P, N) array of -1/+1 patterns (in addition to any stored before)."""
        new = as_bipolar(patterns, "patterns", getattr(self, "n_units_", None))
        stored = getattr(self, "patterns_", None)
        all_patterns = new if stored is None else np.concatenate([stored, new])
        self.n_units_ = new.shape[1]
        if self.tags.incremental:
            self._add(new)
        else:
            self._fit(all_patterns)
        self.patterns_ = all_patterns
        return self

    def recall(self, cues: Any, max_steps: int | None = None) -> RecallResult:
        """Run the recall dynamics from each cue; ``max_steps`` defaults to N sweeps."""
        self._check_stored()
        x = as_bipolar(cues, "cues", self.n_units_)
        steps_cap = self.n_units_ if max_steps is None else check_int("max_steps", max_steps, 1)
        states, steps, codes = self._recall(x, steps_cap)
        return RecallResult(states=states, steps=np.asarray(steps, dtype=np.int64),
                            status=status_labels(codes))

    @classmethod
    def store_many(cls, models: list[MemoryModel], pattern_sets: list[np.ndarray]) -> list[MemoryModel]:
        """Store one pattern set in each of several independent models (same class and params).

        The harness calls this for every chunk of trials; models that can train an ensemble in one
        batched computation (the infomorphic network) override it. The default stores one by one.
        """
        return [m.store(p) for m, p in zip(models, pattern_sets)]

    @classmethod
    def stored_parameters(cls, n_units: int, n_patterns: int) -> int:
        """Numbers the memory keeps after storing ``n_patterns`` patterns (for per-parameter
        capacity). Default: a full N x N coupling matrix; pattern-keeping models override it."""
        return n_units * n_units

    @classmethod
    def estimate_memory(cls, n_units: int, n_patterns: int, **params: Any) -> int:
        """Peak bytes one trial (store ``n_patterns`` patterns of ``n_units`` units, recall them
        from as many cues) needs, for the harness's memory guard; an upper-side estimate.

        Default: an N x N float64 coupling matrix with two working copies (24 N^2) plus the
        trial's P x N arrays (patterns drawn as float64, cues, recalled states, float64 fields
        and the integer overlaps: 48 P N), plus the visiting orders of asynchronous recall. Models that keep more (optimiser state, an ensemble of networks) or
        less (the patterns only) override it; ``params`` are the model's constructor parameters.
        """
        return (24 * n_units * n_units + TRIAL_BYTES_PER_ENTRY * n_units * n_patterns
                + async_order_bytes(n_units, params))

    def get_params(self) -> dict[str, Any]:
        """The constructor parameters, read back from the instance (sklearn style)."""
        names = [p for p in inspect.signature(type(self).__init__).parameters if p != "self"]
        return {n: getattr(self, n) for n in names if hasattr(self, n)}

    def diagnostics(self) -> dict[str, Any]:
        """Facts about the last :meth:`store` worth keeping with each result (JSON values).

        The harness stores a non-empty answer in the trial's record under ``diagnostics``; a
        trained model might report the epochs it trained and whether its stopping criterion was
        met. Default: nothing.
        """
        return {}

    @property
    def n_patterns_(self) -> int:
        self._check_stored()
        return int(self.patterns_.shape[0])

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({params})"

    # ----------------------------------------------------------------- for subclasses
    def _fit(self, patterns: np.ndarray) -> None:
        """Learn from every pattern stored so far (non-incremental models)."""
        raise NotImplementedError(f"{type(self).__name__} must implement _fit or set tags.incremental")

    def _add(self, new_patterns: np.ndarray) -> None:
        """Learn from newly stored patterns only (incremental models)."""
        raise NotImplementedError(f"{type(self).__name__} must implement _add")

    @abc.abstractmethod
    def _recall(self, cues: np.ndarray, max_steps: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Validated int8 cues (a private copy) -> (states int8, steps int, status codes int8)."""

    def _check_stored(self) -> None:
        if getattr(self, "patterns_", None) is None:
            raise NotStoredError(
                f"{type(self).__name__} has no stored patterns; call model.store(patterns) before recall"
            )
