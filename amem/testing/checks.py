"""The individual conformance checks.

Each check takes an unstored model instance and either returns (passed), raises
:class:`CheckSkipped` (the check does not apply to this model, with the reason: e.g. a tag says
so), or raises :class:`ConformanceError` with a message naming the model, the check and the
numbers. Failures are raised explicitly, never with ``assert``, so the kit also works under
``python -O``. Checks never rely on one another: each stores its own patterns and hands
``recall``/``store`` fresh copies of its inputs, so a model that breaks one rule fails exactly
the check for that rule (the kit's self-tests in ``tests/test_kit_selftest.py`` show this with
one purpose-built broken model per check, as scikit-learn's ``check_estimator`` tests do).
"""

from __future__ import annotations

import copy
import inspect
import pickle
from collections.abc import Callable
from typing import Any

import numpy as np

from amem.base import STATUS_LABELS, MemoryModel, RecallResult
from amem.errors import AmemError, NotStoredError
from amem.patterns import flip_cues, random_patterns

N_UNITS = 64
LOW_LOAD_PATTERNS = 3  # alpha ~ 0.05: every model in the suite must recall here
#: alpha = 0.25: most models do not converge in one sweep here, so the order of updates, the
#: batch and the status labels all show in the outcome (checks of sameness, not of accuracy).
HARD_LOAD_PATTERNS = 16
HARD_NOISE = 0.25


class ConformanceError(AssertionError):
    """A model broke a rule of the contract (an AssertionError, for test runners)."""


class CheckSkipped(Exception):
    """The check does not apply to this model; the message says why."""


def require(condition: Any, model: MemoryModel, message: str) -> None:
    """Raise :class:`ConformanceError` (``<ClassName>: message``) unless ``condition``."""
    if not condition:
        raise ConformanceError(f"{_name(model)}: {message}")


def _name(model: MemoryModel) -> str:
    return type(model).__name__


def _store(model: MemoryModel, patterns: np.ndarray) -> MemoryModel:
    """Store a private copy (ignoring what ``store`` returns: another check looks at that)."""
    model.store(patterns.copy())
    return model


def _recall(model: MemoryModel, cues: np.ndarray, max_steps: int | None = None) -> RecallResult:
    return model.recall(cues.copy(), max_steps=max_steps)


def _hard_case(seed: int) -> tuple[np.ndarray, np.ndarray]:
    patterns = random_patterns(HARD_LOAD_PATTERNS, N_UNITS, seed)
    return patterns, flip_cues(patterns, HARD_NOISE, seed + 1)


def _same(a: RecallResult, b: RecallResult) -> bool:
    return (np.array_equal(a.states, b.states) and np.array_equal(a.steps, b.steps)
            and np.array_equal(a.status, b.status))


def _differences(a: RecallResult, b: RecallResult) -> str:
    rows = np.flatnonzero((a.states != b.states).any(axis=1) | (a.steps != b.steps)
                          | (a.status != b.status))
    return f"{len(rows)} of {len(a.states)} cues differ (first: cue {rows[0]})" if len(rows) else ""


def _with_seed(model: MemoryModel, seed: int) -> MemoryModel:
    return type(model)(**{**model.get_params(), "seed": seed})


# ------------------------------------------------------------------------------------- checks
def check_store_returns_self(model: MemoryModel) -> None:
    out = model.store(random_patterns(2, N_UNITS, 1))
    require(out is model, model, f"store() returned {out!r}, expected the model itself")


def check_recall_before_store_raises(model: MemoryModel) -> None:
    try:
        model.recall(random_patterns(1, N_UNITS, 2))
    except NotStoredError:
        return
    except Exception as err:  # noqa: BLE001 -- any other error is the failure reported
        raise ConformanceError(f"{_name(model)}: recall before store raised "
                               f"{type(err).__name__} ({err}), expected NotStoredError") from None
    raise ConformanceError(f"{_name(model)}: recall before store did not raise NotStoredError")


def check_recall_shape_and_values(model: MemoryModel) -> None:
    _store(model, random_patterns(LOW_LOAD_PATTERNS, N_UNITS, 11))
    cues = flip_cues(random_patterns(5, N_UNITS, 3), 0.2, 4)
    out = _recall(model, cues)
    require(out.states.shape == cues.shape, model,
            f"states shape {out.states.shape} != cues shape {cues.shape}")
    require(out.states.dtype == np.int8, model, f"states dtype {out.states.dtype}, expected int8")
    require(np.isin(out.states, (-1, 1)).all(), model, "states hold values other than -1/+1")
    require(out.steps.shape == (5,) and np.issubdtype(out.steps.dtype, np.integer), model,
            f"steps shape/dtype {out.steps.shape}/{out.steps.dtype}, expected (5,) integers")
    require((out.steps >= 0).all(), model, f"negative steps {out.steps}")
    require(out.status.shape == (5,) and set(out.status) <= set(STATUS_LABELS), model,
            f"status {out.status} not within {STATUS_LABELS}")
    patterns, hard = _hard_case(12)
    _store(model, patterns)
    for cap in (1, 2):
        capped = _recall(model, hard, max_steps=cap)
        require((capped.steps <= cap).all(), model,
                f"max_steps={cap} gave steps up to {capped.steps.max()}")


def check_recall_does_not_mutate_cues(model: MemoryModel) -> None:
    _store(model, random_patterns(LOW_LOAD_PATTERNS, N_UNITS, 11))
    cues = flip_cues(random_patterns(4, N_UNITS, 5), 0.3, 6)
    before = cues.copy()
    model.recall(cues)
    require(np.array_equal(cues, before), model,
            f"recall modified its input cues ({int((cues != before).sum())} entries changed)")


def check_store_does_not_mutate_patterns(model: MemoryModel) -> None:
    patterns = random_patterns(3, N_UNITS, 7)
    before = patterns.copy()
    model.store(patterns)
    require(np.array_equal(patterns, before), model,
            f"store modified its input patterns ({int((patterns != before).sum())} entries changed)")


def check_seed_determinism(model: MemoryModel) -> None:
    """A second model built from the same parameters (seed included), the same patterns and
    cues: identical outcomes (randomness drawn from anything but ``seed`` shows here)."""
    twin = type(model)(**model.get_params())
    patterns, cues = _hard_case(8)
    a = _recall(_store(model, patterns), cues)
    b = _recall(_store(twin, patterns), cues)
    require(_same(a, b), model, "the same seed and inputs gave different outputs: "
            + _differences(a, b))


def check_batch_equals_one_by_one(model: MemoryModel) -> None:
    patterns, cues = _hard_case(10)
    _store(model, patterns)
    cues = cues[:6]
    batch = _recall(model, cues)
    for k in range(len(cues)):
        single = _recall(model, cues[k:k + 1])
        require(np.array_equal(single.states[0], batch.states[k])
                and single.steps[0] == batch.steps[k] and single.status[0] == batch.status[k],
                model, f"recall of cue {k} alone differs from its recall in a batch of "
                f"{len(cues)} (steps {single.steps[0]} vs {batch.steps[k]}, status "
                f"{single.status[0]} vs {batch.status[k]})")


def check_status_is_truthful(model: MemoryModel) -> None:
    """Every label says what happened: a ``fixed_point`` state stays put for another sweep; a
    ``cycle`` state does not; ``max_steps`` means every allowed sweep changed the state (a sweep
    that changes nothing ends the recall at a fixed point)."""
    patterns, cues = _hard_case(17)
    _store(model, patterns)
    seen = set()
    for cap in (1, 2, None):
        out = _recall(model, cues, max_steps=cap)
        again = _recall(model, out.states, max_steps=1)
        for k, label in enumerate(out.status):
            seen.add(label)
            stays = again.steps[k] == 0 and np.array_equal(again.states[k], out.states[k])
            if label == "fixed_point":
                require(stays, model, f"cue {k} (max_steps={cap}) is labelled fixed_point, but "
                        "one more sweep from its final state changes it")
            elif label == "cycle":
                require(not stays, model, f"cue {k} (max_steps={cap}) is labelled cycle, but its "
                        "final state is a fixed point")
            elif label == "max_steps":
                limit = N_UNITS if cap is None else cap
                require(out.steps[k] == limit, model, f"cue {k} is labelled max_steps after "
                        f"{out.steps[k]} changing sweeps of {limit} allowed")
    require(seen, model, "recall returned no status")


def check_low_load_recall(model: MemoryModel) -> None:
    if not model.tags.recalls_at_low_load:
        raise CheckSkipped(f"{_name(model)}.tags.recalls_at_low_load is False")
    patterns = random_patterns(LOW_LOAD_PATTERNS, N_UNITS, 13)
    _store(model, patterns)
    for noise, floor in ((0.0, 1.0), (0.1, 0.9)):
        out = _recall(model, flip_cues(patterns, noise, 14))
        overlap = (out.states.astype(float) * patterns).mean(axis=1)
        require(overlap.min() >= floor, model,
                f"overlap {overlap.min():.3f} < {floor} recalling {LOW_LOAD_PATTERNS} patterns "
                f"(N={N_UNITS}) from cues with {noise:.0%} flipped bits")


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
        raise ConformanceError(f"{_name(model)}: store accepted {what} without AmemError")
    _store(model, random_patterns(LOW_LOAD_PATTERNS, N_UNITS, 11))
    try:
        model.recall(np.ones((1, N_UNITS + 1)))
    except AmemError:
        return
    raise ConformanceError(f"{_name(model)}: recall accepted cues with a different N "
                           "without AmemError")


def check_pickle_roundtrip(model: MemoryModel) -> None:
    patterns, cues = _hard_case(15)
    _store(model, patterns)
    expected = _recall(model, cues)
    try:
        clone = pickle.loads(pickle.dumps(model))
    except Exception as err:  # noqa: BLE001 -- the failure reported
        raise ConformanceError(f"{_name(model)}: a stored model does not pickle "
                               f"({type(err).__name__}: {err}); process and Dask executors "
                               "need it") from None
    got = _recall(clone, cues)
    require(_same(expected, got), model, "the unpickled model recalls differently: "
            + _differences(expected, got))


def check_get_params_roundtrip(model: MemoryModel) -> None:
    params = model.get_params()
    names = [p.name for p in inspect.signature(type(model).__init__).parameters.values()
             if p.name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    missing = [n for n in names if n not in params]
    require(not missing, model, f"get_params() lacks constructor parameter(s) {missing}: save "
            "each as an attribute of the same name in __init__")
    rebuilt = type(model)(**params)
    require(rebuilt.get_params() == params, model, "get_params() does not rebuild the model: "
            f"{rebuilt.get_params()} != {params}")


def check_store_many_equals_store(model: MemoryModel) -> None:
    """``store_many`` (the harness's batched path) gives each model what ``store`` alone would."""
    seeds = (3, 4, 5)
    pattern_sets = [random_patterns(n, N_UNITS, 20 + n) for n in (4, HARD_LOAD_PATTERNS, 9)]
    cues = [flip_cues(p, HARD_NOISE, 30 + k) for k, p in enumerate(pattern_sets)]
    models = [_with_seed(model, s) for s in seeds]
    twins = copy.deepcopy(models)  # stored one by one below
    batched = type(model).store_many(models, [p.copy() for p in pattern_sets])
    require(isinstance(batched, list) and len(batched) == len(seeds), model,
            f"store_many returned {type(batched).__name__} of length "
            f"{len(batched) if hasattr(batched, '__len__') else '?'}, expected a list of "
            f"{len(seeds)} models")
    for k, patterns in enumerate(pattern_sets):
        alone = _recall(_store(twins[k], patterns), cues[k])
        together = _recall(batched[k], cues[k])
        require(_same(alone, together), model, f"store_many differs from store for model {k} "
                f"of {len(seeds)} ({len(patterns)} patterns): " + _differences(alone, together))


def check_incremental_equals_batch(model: MemoryModel) -> None:
    """Storing patterns in two calls equals storing them all at once (the contract: a second
    ``store`` adds to the memory); incremental models (``tags.incremental``) learn the second
    part without revisiting the first, which is where this goes wrong."""
    patterns, cues = _hard_case(40)
    first, second = patterns[:5], patterns[5:]
    twin = copy.deepcopy(model)
    _store(_store(model, first), second)
    _store(twin, patterns)
    require(model.n_patterns_ == len(patterns), model,
            f"after storing 5 then {len(second)} patterns n_patterns_ is {model.n_patterns_}")
    a, b = _recall(model, cues), _recall(twin, cues)
    require(_same(a, b), model, f"storing 5 then {len(second)} patterns recalls unlike storing "
            f"all {len(patterns)} at once: " + _differences(a, b))
    if model.tags.recurrent_weights:
        require(np.allclose(model.weights_, twin.weights_), model,
                "weights_ after two stores differ from weights_ after one")


def check_recurrent_weights_exposed(model: MemoryModel) -> None:
    """Models tagged ``recurrent_weights`` expose ``weights_`` (N, N) and ``bias_`` (N,), and
    their recall is the sign dynamics of those couplings (the PID anatomy relies on it)."""
    if not model.tags.recurrent_weights:
        raise CheckSkipped(f"{_name(model)}.tags.recurrent_weights is False")
    patterns, cues = _hard_case(50)
    _store(model, patterns)
    w, b = np.asarray(model.weights_), np.asarray(model.bias_)
    require(w.shape == (N_UNITS, N_UNITS) and b.shape == (N_UNITS,), model,
            f"weights_ {w.shape} / bias_ {b.shape}, expected ({N_UNITS}, {N_UNITS}) / "
            f"({N_UNITS},)")
    if model.update != "sync":
        return  # one synchronous sweep is what can be recomputed from the couplings alone
    out = _recall(model, cues, max_steps=1)
    fields = cues.astype(float) @ w.T + b
    expected = np.where(fields > 0, 1, np.where(fields < 0, -1, cues)).astype(np.int8)
    clear = (np.abs(fields) > 1e-6 * (1 + np.abs(w).sum(axis=1))).all(axis=1)  # no near-ties
    require(np.array_equal(out.states[clear], expected[clear]), model,
            "one synchronous sweep does not match sign(weights_ @ s + bias_)")


ALL_CHECKS: tuple[Callable[[MemoryModel], None], ...] = (
    check_store_returns_self,
    check_recall_before_store_raises,
    check_recall_shape_and_values,
    check_recall_does_not_mutate_cues,
    check_store_does_not_mutate_patterns,
    check_seed_determinism,
    check_batch_equals_one_by_one,
    check_status_is_truthful,
    check_low_load_recall,
    check_bad_input_raises,
    check_pickle_roundtrip,
    check_get_params_roundtrip,
    check_store_many_equals_store,
    check_incremental_equals_batch,
    check_recurrent_weights_exposed,
)
