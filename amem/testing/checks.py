"""The individual conformance checks. Each takes an unstored model instance and raises
AssertionError with a message naming the model, the check and the numbers when it fails."""

from __future__ import annotations

import copy
import pickle
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from amem.base import STATUS_LABELS, MemoryModel
from amem.errors import AmemError, NotStoredError
from amem.patterns import flip_cues, random_patterns
from amem.registry import make, spec

N_UNITS = 64
LOW_LOAD_PATTERNS = 3  # alpha ~ 0.05: every model in the suite must recall here


def _name(model: MemoryModel) -> str:
    return type(model).__name__


def _stored(model: MemoryModel, n_patterns: int = LOW_LOAD_PATTERNS, seed: int = 11) -> MemoryModel:
    return model.store(random_patterns(n_patterns, N_UNITS, seed))


def check_store_returns_self(model: MemoryModel) -> None:
    out = model.store(random_patterns(2, N_UNITS, 1))
    assert out is model, f"{_name(model)}: store() returned {out!r}, expected the model itself"


def check_recall_before_store_raises(model: MemoryModel) -> None:
    try:
        model.recall(random_patterns(1, N_UNITS, 2))
    except NotStoredError:
        return
    raise AssertionError(f"{_name(model)}: recall before store did not raise NotStoredError")


def check_recall_shape_and_values(model: MemoryModel) -> None:
    _stored(model)
    cues = flip_cues(random_patterns(5, N_UNITS, 3), 0.2, 4)
    out = model.recall(cues)
    assert out.states.shape == cues.shape, f"{_name(model)}: states shape {out.states.shape} != {cues.shape}"
    assert out.states.dtype == np.int8, f"{_name(model)}: states dtype {out.states.dtype}, expected int8"
    assert np.isin(out.states, (-1, 1)).all(), f"{_name(model)}: states hold values other than -1/+1"
    assert out.steps.shape == (5,) and np.issubdtype(out.steps.dtype, np.integer), \
        f"{_name(model)}: steps shape/dtype {out.steps.shape}/{out.steps.dtype}"
    assert (out.steps >= 0).all(), f"{_name(model)}: negative steps {out.steps}"
    assert out.status.shape == (5,) and set(out.status) <= set(STATUS_LABELS), \
        f"{_name(model)}: status {out.status} not within {STATUS_LABELS}"
    capped = model.recall(cues, max_steps=1)
    assert (capped.steps <= 1).all(), f"{_name(model)}: max_steps=1 gave steps {capped.steps}"


def check_recall_does_not_mutate_cues(model: MemoryModel) -> None:
    _stored(model)
    cues = flip_cues(random_patterns(4, N_UNITS, 5), 0.3, 6)
    before = cues.copy()
    model.recall(cues)
    assert np.array_equal(cues, before), f"{_name(model)}: recall modified its input cues"


def check_store_does_not_mutate_patterns(model: MemoryModel) -> None:
    patterns = random_patterns(3, N_UNITS, 7)
    before = patterns.copy()
    model.store(patterns)
    assert np.array_equal(patterns, before), f"{_name(model)}: store modified its input patterns"


def check_seed_determinism(model: MemoryModel) -> None:
    twin = copy.deepcopy(model)
    cues = flip_cues(random_patterns(6, N_UNITS, 8), 0.25, 9)
    a = _stored(model).recall(cues)
    b = _stored(twin).recall(cues)
    assert np.array_equal(a.states, b.states) and np.array_equal(a.steps, b.steps), \
        f"{_name(model)}: the same seed and inputs gave different outputs"


def check_batch_equals_one_by_one(model: MemoryModel) -> None:
    _stored(model)
    cues = flip_cues(random_patterns(5, N_UNITS, 10), 0.2, 12)
    batch = model.recall(cues)
    for k in range(len(cues)):
        single = model.recall(cues[k:k + 1])
        assert np.array_equal(single.states[0], batch.states[k]) and single.steps[0] == batch.steps[k] \
            and single.status[0] == batch.status[k], \
            f"{_name(model)}: recall of cue {k} alone differs from its recall in a batch"


def check_low_load_recall(model: MemoryModel) -> None:
    if not model.tags.recalls_at_low_load:
        return
    patterns = random_patterns(LOW_LOAD_PATTERNS, N_UNITS, 13)
    model.store(patterns)
    for noise, floor in ((0.0, 1.0), (0.1, 0.9)):
        out = model.recall(flip_cues(patterns, noise, 14))
        overlap = (out.states.astype(float) * patterns).mean(axis=1)
        assert overlap.min() >= floor, (
            f"{_name(model)}: overlap {overlap.min():.3f} < {floor} recalling "
            f"{LOW_LOAD_PATTERNS} patterns (N={N_UNITS}) from cues with {noise:.0%} flipped bits"
        )


def check_bad_input_raises(model: MemoryModel) -> None:
    bad_inputs = {
        "values other than +-1": np.zeros((2, N_UNITS)),
        "NaN": np.full((2, N_UNITS), np.nan),
        "1-D array": np.ones(N_UNITS),
        "empty": np.ones((0, N_UNITS)),
    }
    for what, x in bad_inputs.items():
        try:
            copy.deepcopy(model).store(x)
        except AmemError:
            continue
        raise AssertionError(f"{_name(model)}: store accepted {what} without AmemError")
    _stored(model)
    try:
        model.recall(np.ones((1, N_UNITS + 1)))
    except AmemError:
        return
    raise AssertionError(f"{_name(model)}: recall accepted cues with a different N without AmemError")


def check_pickle_roundtrip(model: MemoryModel) -> None:
    _stored(model)
    cues = flip_cues(random_patterns(3, N_UNITS, 15), 0.2, 16)
    expected = model.recall(cues)
    clone = pickle.loads(pickle.dumps(model))
    got = clone.recall(cues)
    assert np.array_equal(expected.states, got.states), f"{_name(model)}: unpickled model recalls differently"


def check_get_params_roundtrip(model: MemoryModel) -> None:
    params = model.get_params()
    rebuilt = type(model)(**params)
    assert rebuilt.get_params() == params, f"{_name(model)}: get_params() does not rebuild the model"


ALL_CHECKS: tuple[Callable[[MemoryModel], None], ...] = (
    check_store_returns_self,
    check_recall_before_store_raises,
    check_recall_shape_and_values,
    check_recall_does_not_mutate_cues,
    check_store_does_not_mutate_patterns,
    check_seed_determinism,
    check_batch_equals_one_by_one,
    check_low_load_recall,
    check_bad_input_raises,
    check_pickle_roundtrip,
    check_get_params_roundtrip,
)


def make_test_instance(model_id: str, **params: Any) -> MemoryModel:
    """Build a registered model with its small ``test_params`` (plus overrides) and seed 0."""
    return make(model_id, **{"seed": 0, **spec(model_id).test_params, **params})


def yield_checks(model: MemoryModel) -> Iterator[Callable[[MemoryModel], None]]:
    yield from ALL_CHECKS


def check_model(model_or_id: MemoryModel | str, **params: Any) -> None:
    """Run every conformance check on a model id (built with its test params) or an unstored
    instance; each check gets a fresh deep copy. Raises AssertionError on the first failure."""
    model = make_test_instance(model_or_id, **params) if isinstance(model_or_id, str) else model_or_id
    if getattr(model, "patterns_", None) is not None:
        raise AmemError("check_model needs an unstored model; pass a fresh instance or a model id")
    for check in yield_checks(model):
        check(copy.deepcopy(model))
