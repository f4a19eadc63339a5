"""Purpose-built broken models for the conformance kit's self-tests (tests/test_kit_selftest.py).

``Good`` is the Hebbian Hopfield network; each other model breaks exactly one rule of the
contract and ``BROKEN`` names the one check that must catch it (as scikit-learn tests its
``check_estimator`` with one broken estimator per check).
"""

from __future__ import annotations

import numpy as np

from amem.base import ModelTags, RecallResult
from amem.models.hebbian import HebbianHopfield
from amem.recurrent import SignDynamics


class Good(HebbianHopfield):
    """Breaks nothing: every check passes or skips."""


class ReturnsNone(Good):
    def store(self, patterns):
        super().store(patterns)
        return None

    @classmethod
    def store_many(cls, models, pattern_sets):  # the default would return its Nones
        for m, p in zip(models, pattern_sets):
            m.store(p)
        return models


class RecallsBeforeStore(Good):
    def recall(self, cues, max_steps=None):
        if getattr(self, "patterns_", None) is None:  # answers with the cues instead of raising
            x = np.asarray(cues, np.int8)
            return RecallResult(x, np.zeros(len(x), np.int64), np.full(len(x), "fixed_point"))
        return super().recall(cues, max_steps)


class WrongDtype(Good):
    def recall(self, cues, max_steps=None):
        out = super().recall(cues, max_steps)
        return RecallResult(out.states.astype(np.int64), out.steps, out.status)


class MutatesCues(Good):
    """Overrides ``recall`` (the base class hands ``_recall`` a private copy) and flips a bit."""

    def recall(self, cues, max_steps=None):
        out = super().recall(cues, max_steps)
        np.asarray(cues)[:, 0] *= -1
        return out


class MutatesPatterns(Good):
    def store(self, patterns):
        super().store(patterns)
        np.asarray(patterns)[:, 0] *= -1
        return self


class Unseeded(Good):
    """Draws its asynchronous visiting orders from fresh entropy at construction, not ``seed``."""

    def __init__(self, *, self_coupling=False, update="async", seed=0):
        super().__init__(self_coupling=self_coupling, update=update, seed=seed)
        self.order_seed_ = int(np.random.default_rng().integers(2**31))

    def _recall(self, cues, max_steps):
        dynamics = SignDynamics(self._coupling_matrix(), exact_integer=True)
        return dynamics.recall(cues, max_steps, self.update, self.order_seed_)


class BatchDependent(Good):
    """Its asynchronous visiting orders depend on how many cues come in one call."""

    def __init__(self, *, self_coupling=False, update="async", seed=0):
        super().__init__(self_coupling=self_coupling, update=update, seed=seed)

    def _recall(self, cues, max_steps):
        dynamics = SignDynamics(self._coupling_matrix(), exact_integer=True)
        return dynamics.recall(cues, max_steps, self.update, self.seed + len(cues))


class LyingStatus(Good):
    """Reports every recall as converged."""

    def recall(self, cues, max_steps=None):
        out = super().recall(cues, max_steps)
        return RecallResult(out.states, out.steps, np.full(len(out.states), "fixed_point"))


class Forgetful(Good):
    """No dynamics: returns the cues as they came (so no recall from noisy cues)."""

    tags = ModelTags(incremental=True, recurrent_weights=False)

    def _recall(self, cues, max_steps):
        return cues.copy(), np.zeros(len(cues), np.int64), np.zeros(len(cues), np.int8)


class AcceptsBadInput(Good):
    def store(self, patterns):
        x = np.asarray(patterns, dtype=float)
        return super().store(np.where(x >= 0, 1, -1) if x.ndim == 2 and x.size else x)


class Unpicklable(Good):
    def __init__(self, *, self_coupling=False, update="sync", seed=0):
        super().__init__(self_coupling=self_coupling, update=update, seed=seed)
        self._log = lambda message: None  # a lambda does not pickle


class HidesAParameter(Good):
    def __init__(self, *, self_coupling=False, gain=1.0, update="sync", seed=0):
        super().__init__(self_coupling=self_coupling, update=update, seed=seed)
        self._gain = gain  # saved under another name: get_params() cannot report it


class StoreManyShuffles(Good):
    @classmethod
    def store_many(cls, models, pattern_sets):
        shifted = list(pattern_sets[1:]) + list(pattern_sets[:1])  # off by one
        return [m.store(p) for m, p in zip(models, shifted)]


class AddReplaces(Good):
    """Incremental storage that forgets what was stored before (replaces the couplings)."""

    def _add(self, new_patterns):
        x = new_patterns.astype(np.int32)
        self.coupling_counts_ = x.T @ x
        self._dynamics = None


class MisreportsWeights(Good):
    @property
    def weights_(self):
        return -super().weights_


#: broken model -> the one check that must fail for it
BROKEN = {
    ReturnsNone: "check_store_returns_self",
    RecallsBeforeStore: "check_recall_before_store_raises",
    WrongDtype: "check_recall_shape_and_values",
    MutatesCues: "check_recall_does_not_mutate_cues",
    MutatesPatterns: "check_store_does_not_mutate_patterns",
    Unseeded: "check_seed_determinism",
    BatchDependent: "check_batch_equals_one_by_one",
    LyingStatus: "check_status_is_truthful",
    Forgetful: "check_low_load_recall",
    AcceptsBadInput: "check_bad_input_raises",
    Unpicklable: "check_pickle_roundtrip",
    HidesAParameter: "check_get_params_roundtrip",
    StoreManyShuffles: "check_store_many_equals_store",
    AddReplaces: "check_incremental_equals_batch",
    MisreportsWeights: "check_recurrent_weights_exposed",
}


class CycleForFixedPoint(Good):
    """Calls a converged recall a cycle."""

    def recall(self, cues, max_steps=None):
        out = super().recall(cues, max_steps)
        status = np.where(out.status == "fixed_point", "cycle", out.status)
        return RecallResult(out.states, out.steps, status)


class GivesUpOnCycles(Good):
    """Reports a 2-cycle as running out of steps."""

    def recall(self, cues, max_steps=None):
        out = super().recall(cues, max_steps)
        return RecallResult(out.states, out.steps, np.where(out.status == "cycle", "max_steps",
                                                            out.status))


class WeightsCountCalls(Good):
    """Recalls right, but its reported couplings grow with every store call."""

    def _add(self, new_patterns):
        super()._add(new_patterns)
        self.calls_ = getattr(self, "calls_", 0) + 1

    @property
    def weights_(self):
        return super().weights_ * self.calls_


class StoreManyGenerator(Good):
    """Returns a generator from store_many: the harness indexes the result."""

    @classmethod
    def store_many(cls, models, pattern_sets):
        return (m.store(p) for m, p in zip(models, pattern_sets))


BROKEN.update({
    StoreManyGenerator: "check_store_many_equals_store",
    CycleForFixedPoint: "check_status_is_truthful",
    GivesUpOnCycles: "check_status_is_truthful",
    WeightsCountCalls: "check_incremental_equals_batch",
})

#: what the failure message of some broken models must say (the numbers that make it useful)
MESSAGES = {
    WrongDtype: "states dtype int64, expected int8",
    StoreManyGenerator: "store_many returned generator of length ?, expected a list of 3 models",
    CycleForFixedPoint: "is labelled cycle, but its final state is a fixed point",
    GivesUpOnCycles: "is labelled max_steps after",
    WeightsCountCalls: "weights_ after two stores differ from weights_ after one",
    MisreportsWeights: "one synchronous sweep does not match sign(weights_ @ s + bias_)",
    LyingStatus: "one more sweep from its final state changes it",
    AddReplaces: "recalls unlike storing all 16 at once",
}
