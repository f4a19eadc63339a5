"""A zero field keeps the state (the contract), decided on the exact field, in every recurrent
model: hebbian, infomorphic and every baseline.

Two kinds of exact zero fields:
* built ones: couplings whose terms cancel exactly for a cue while their floating-point sum does
  not (non-dyadic values added in a mixing order), put into each model's own coupling
  representation (integer numerators for the rational models, floats for the others);
* learned ones: Hebbian, Krauth-Mezard and Diederich-Opper couplings are integer counts / N, so
  zero fields are common; recall must agree with exact integer arithmetic on every final state.
"""

import numpy as np
import pytest
from naive import naive_async_recall, naive_sync_recall

import amem
import baselines  # noqa: F401  (registers the baselines)
from amem.models.hebbian import HebbianHopfield
from amem.models.infomorphic import InfomorphicHopfield
from amem.patterns import flip_cues, random_patterns
from amem.recurrent import SignDynamics, async_orders

FLOAT_MODELS = ["infomorphic", "storkey", "pseudoinverse", "descent-l2", "mpf", "covariance"]
RATIONAL_MODELS = ["hebbian", "krauth-mezard", "diederich-opper"]
SMALL = {"infomorphic": {"epochs": 2, "early_stopping": False}}


def cancelling_couplings(cue, rng, with_bias, integer=False):
    """(W, b) with sum_j W_ij cue_j + b_i = 0 exactly for every i, W_ii = 0.

    Row i: the other units (and the bias) are split into pairs whose terms are +a and -a; the
    +a terms come first and the -a terms follow in another order, with magnitudes spread over
    six decades, so a floating-point sum rounds to non-zero values (checked by the callers).
    """
    n = len(cue)
    w = np.zeros((n, n), dtype=np.int64 if integer else np.float64)
    b = np.zeros(n, dtype=w.dtype)
    for i in range(n):
        slots = [j for j in range(n) if j != i] + (["bias"] if with_bias else [])
        assert len(slots) % 2 == 0
        half = len(slots) // 2
        if integer:
            values = rng.integers(1, 10**6, size=half)
        else:
            values = 10.0 ** rng.uniform(-3, 3, size=half) * rng.uniform(1, 2, size=half)
        plus, minus = slots[:half], list(np.array(slots[half:], dtype=object)[rng.permutation(half)])
        for a, p, m in zip(values, plus, minus):
            for slot, term in ((p, a), (m, -a)):
                if slot == "bias":
                    b[i] = term
                else:
                    w[i, slot] = term * cue[slot]  # term = W_ij s_j
    return w, b


def stored(model_id, n_units, seed=0):
    model = amem.make(model_id, seed=seed, **SMALL.get(model_id, {}))
    return model.store(random_patterns(3, n_units, seed=seed))


def model_id_of(model) -> str:
    return type(model).__name__.replace("Hopfield", "").lower()


def put_couplings(model, w, b):
    """Replace a stored model's couplings by (W, b) in the model's own representation."""
    if isinstance(model, HebbianHopfield):
        model.coupling_counts_ = w
        model._couplings_changed()
    elif getattr(model, "coupling_numerators_", None) is not None:
        model._set_rational_couplings(w, 7)  # 1/7: the float weights_ are not exact
    elif isinstance(model, InfomorphicHopfield):
        model.weights_ = w
        model._couplings_changed()
    elif model_id_of(model) == "covariance":  # couplings derived from stored sums: hand the
        model._dynamics_couplings = lambda: (w, b, False)  # dynamics (W, b) directly
        model._couplings_changed()
    else:
        model._set_couplings(w, b)


@pytest.mark.parametrize("model_id", FLOAT_MODELS + RATIONAL_MODELS)
@pytest.mark.parametrize("update", ["sync", "async"])
def test_built_zero_fields_keep_the_state(model_id, update):
    rng = np.random.default_rng(1)
    integer = model_id in RATIONAL_MODELS
    with_bias = model_id in ("storkey", "pseudoinverse", "descent-l2", "mpf", "covariance")  # b
    n_units = 22 if with_bias else 21  # the other units (and the bias) pair up
    cues = random_patterns(4, n_units, seed=2)
    model = stored(model_id, n_units)
    model.update = update
    for cue in cues:
        w, b = cancelling_couplings(cue, rng, with_bias, integer)
        put_couplings(model, w, b)
        if not integer:  # the test has teeth: rounded sums are not all zero
            assert np.count_nonzero(cue @ w.T.astype(float) + b) > 0
        else:
            assert np.count_nonzero(cue @ model.weights_.T) > 0
        out = model.recall(cue[None, :])
        np.testing.assert_array_equal(out.states[0], cue)
        assert out.status[0] == "fixed_point" and out.steps[0] == 0


@pytest.mark.parametrize("update", ["sync", "async"])
def test_real_couplings_near_a_tie_are_decided_exactly(update):
    # one unit's exact field is +tiny or -tiny (a non-tie that round-off could turn into a tie or
    # the wrong sign): the sign of the exact sum wins
    rng = np.random.default_rng(3)
    cue = random_patterns(1, 21, seed=4)[0]
    w, _ = cancelling_couplings(cue, rng, with_bias=False)
    tiny = np.nextafter(0.0, 1.0) * 2**60  # far below any rounding error of the sums
    w[0, 0] = tiny * cue[0]  # unit 0: exact field +tiny (W_ii was 0, so nothing is lost)
    w[2, 2] = -tiny * cue[2]  # unit 2: exact field -tiny
    dyn = SignDynamics(w)
    states, _, _ = dyn.recall(cue[None, :], 1, update, 0)
    ref = (naive_sync_recall(w, np.zeros(21), cue[None, :], 1) if update == "sync" else
           naive_async_recall(w, np.zeros(21), cue[None, :], async_orders(0, 1, 21), 1))
    np.testing.assert_array_equal(states, ref[0])
    assert states[0, 0] == 1 and states[0, 2] == -1


def test_learned_storkey_zero_fields_keep_the_state():
    # one pattern: W_ij = xi_i xi_j fl(1/n), all of one magnitude, so the exact field of a cue
    # whose overlap with the pattern (without unit i) is 0 is exactly 0; n = 21 (1/21 inexact)
    n = 21
    xi = random_patterns(1, n, seed=5)[0]
    cue = xi.copy()
    cue[:10] *= -1  # overlap 1: units that agree with xi see 0 from the others
    model = amem.make("storkey").store(xi[None, :])
    out = model.recall(cue[None, :], max_steps=1)
    agree = cue == xi
    np.testing.assert_array_equal(out.states[0][agree], cue[agree])  # zero field: kept
    np.testing.assert_array_equal(out.states[0][~agree], xi[~agree])  # field 2 xi_i / n


def exact_integer_recall(numerators, cues, max_steps, update, seed):
    """The slow twins run on the integer numerators: every field exact."""
    w = numerators.astype(np.float64)  # integers far below 2**53: exact
    zeros = np.zeros(len(w))
    if update == "sync":
        return naive_sync_recall(w, zeros, cues, max_steps)
    return naive_async_recall(w, zeros, cues, async_orders(seed, max_steps, len(w)), max_steps)


@pytest.mark.parametrize("model_id,params", [
    ("hebbian", {}), ("krauth-mezard", {}), ("krauth-mezard", {"optimal": False}),
    ("diederich-opper", {})])
@pytest.mark.parametrize("update", ["sync", "async"])
def test_learned_rational_couplings_recall_in_exact_arithmetic(model_id, params, update):
    # the case of the issue: N = 100, P = 30, 10%-noisy cues
    xi = random_patterns(30, 100, seed=0)
    cues = flip_cues(xi, 0.1, seed=1)
    model = amem.make(model_id, update=update, seed=2, **params).store(xi)
    if model_id == "hebbian":
        numerators = model._coupling_matrix().astype(np.int64)
    else:
        numerators = model.coupling_numerators_
        np.testing.assert_allclose(numerators / model.coupling_denominator_, model.weights_)
    out = model.recall(cues)
    ref = exact_integer_recall(numerators, cues, 100, update, 2)
    np.testing.assert_array_equal(out.states, ref[0])
    np.testing.assert_array_equal(out.steps, ref[1])
    np.testing.assert_array_equal(out.status_codes, ref[2])
    if model_id == "diederich-opper" or params:  # teeth: small counts, exact zero fields
        assert (cues.astype(np.int64) @ numerators.T == 0).sum() >= 4  # 4 (DO), 12 (KM first)


def test_rounded_couplings_would_decide_the_issue_case_differently():
    # Krauth-Mezard's first solution (optimal=False, the old default) at N = 100, P = 30: float
    # recall on W = counts / N, even with an exact re-sum of the rounded couplings, ends in
    # other states than exact arithmetic for most cues (22 resp. 21 of 30 at these seeds)
    xi = random_patterns(30, 100, seed=0)
    cues = flip_cues(xi, 0.1, seed=1)
    model = amem.make("krauth-mezard", optimal=False).store(xi)
    exact = model.recall(cues).states
    rounded = SignDynamics(model.weights_).recall(cues, 100, "sync", 0)[0]
    assert (exact != rounded).any(axis=1).sum() > 10
