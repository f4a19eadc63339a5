"""The modern (dense) Hopfield model: kernels vs exact twins, Hebbian equivalence, must-shows."""

import numpy as np
import pytest
from naive_dense import decide, naive_async, naive_sync

import amem
from amem.errors import AmemError
from amem.kernels.dense import dense_async_recall, dense_sync_recall
from amem.models.modern import dense_tables
from amem.patterns import flip_cues, random_patterns
from amem.recurrent import async_orders

RULES = [
    dict(energy="poly", degree=2),
    dict(energy="poly", degree=3),
    dict(energy="poly", degree=4),
    dict(energy="poly", degree=3, rectified=True),
    dict(energy="exp"),
    dict(energy="softmax", beta=0.5),
    dict(energy="softmax", beta=2.0),
]


def _kernel(patterns, cues, rule, update, max_steps, seed=0, force_log=False):
    p, n = patterns.shape
    tables = dense_tables(rule["energy"], n, p, rule.get("degree", 3), rule.get("rectified", False),
                          rule.get("beta", 1.0), force_log=force_log)
    states = np.ascontiguousarray(cues, np.int8).copy()
    xt = np.ascontiguousarray(patterns.T)
    if update == "sync":
        steps, status = dense_sync_recall(xt, *tables.args(), states, max_steps)
    else:
        steps, status = dense_async_recall(xt, *tables.args(), states,
                                           async_orders(seed, max_steps, n), max_steps)
    return states, steps, status


def _naive(patterns, cues, rule, update, max_steps, seed=0):
    if update == "sync":
        return naive_sync(patterns, cues, max_steps, **rule)
    return naive_async(patterns, cues, async_orders(seed, max_steps, patterns.shape[1]), max_steps,
                       **rule)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: "-".join(f"{v}" for v in r.values()))
@pytest.mark.parametrize("update", ["sync", "async"])
@pytest.mark.parametrize(("n", "p", "noise", "seed"), [(6, 3, 0.34, 0), (10, 12, 0.2, 1),
                                                      (13, 40, 0.3, 2)])
def test_kernel_matches_exact_twin(rule, update, n, p, noise, seed):
    pats = random_patterns(p, n, seed)
    cues = np.concatenate([flip_cues(pats[:4], noise, seed + 10), random_patterns(3, n, seed + 20)])
    got = _kernel(pats, cues, rule, update, 6, seed)
    want = _naive(pats, cues, rule, update, 6, seed)
    for g, w in zip(got, want):
        np.testing.assert_array_equal(g, w)


def _all_states(n):
    codes = np.arange(2**n)[:, None] >> np.arange(n)[None, :]
    return np.where(codes & 1, 1, -1).astype(np.int8)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: "-".join(f"{v}" for v in r.values()))
@pytest.mark.parametrize("update", ["sync", "async"])
def test_kernel_matches_exact_twin_on_every_state_with_ties(rule, update):
    """Pattern pairs one bit apart make exact ties (equal terms of opposite sign) for every rule;
    the kernel must keep the old state exactly there, also in the log domain."""
    n = 6
    base = random_patterns(2, n, 3)
    pats = np.concatenate([base, base]).copy()
    pats[2, 0] *= -1
    pats[3, 2] *= -1
    cues = _all_states(n)
    ties = sum(decide(pats, s, i, **rule) == 0 for s in cues for i in range(n))
    assert ties > 0
    got = _kernel(pats, cues, rule, update, 5, seed=1)
    want = _naive(pats, cues, rule, update, 5, seed=1)
    for g, w in zip(got, want):
        np.testing.assert_array_equal(g, w)


@pytest.mark.parametrize("n_pairs", [2, 60])  # per-pattern exponentials / shifted table path
@pytest.mark.parametrize("rule", [dict(energy="exp"), dict(energy="softmax", beta=1.0),
                                  dict(energy="poly", degree=9)], ids=["exp", "softmax", "poly9"])
def test_log_domain_ties_survive_rounding(rule, n_pairs):
    """Cancelling pairs at very different scales: (1 + tiny) - 1 - tiny is not 0 in floats.

    Energy rules: each pattern comes with a copy with unit 0 flipped, so every pair has the same
    b at unit 0 and opposite signs there (an exact tie). Softmax: units 0 and 1 flipped, every
    pattern agrees with a on them, and cues with s_0 = a_0, s_1 = -a_1 give each pair equal
    overlaps.
    """
    n = 48
    base = random_patterns(n_pairs, n, 21)
    a = base[0]
    flipped = [0] if rule["energy"] != "softmax" else [0, 1]
    base[:, flipped] = a[flipped]
    pats = np.concatenate([base, base]).copy()
    pats[n_pairs:, flipped] *= -1
    cues = flip_cues(np.repeat(a[None], 6, axis=0), 0.1, 22)
    cues[:, 0] = a[0]
    if rule["energy"] == "softmax":
        cues[:, 1] = -a[1]
    assert sum(decide(pats, s, 0, **rule) == 0 for s in cues) > 0
    tables = dense_tables(rule["energy"], n, len(pats), rule.get("degree", 3), force_log=True)
    states = cues.copy()
    dense_sync_recall(np.ascontiguousarray(pats.T), *tables.args(), states, 1)
    want, _, _ = naive_sync(pats, cues, 1, **rule)
    np.testing.assert_array_equal(states, want)


@pytest.mark.parametrize("update", ["sync", "async"])
@pytest.mark.parametrize("degree", [2, 3, 5])
def test_log_domain_poly_matches_exact_twin(update, degree):
    """The log-domain path (used for huge N^n P) makes the same moves as exact integers."""
    pats = random_patterns(25, 12, degree)
    cues = np.concatenate([flip_cues(pats[:5], 0.3, 7), random_patterns(3, 12, 8)])
    rule = dict(energy="poly", degree=degree)
    got = _kernel(pats, cues, rule, update, 6, force_log=True)
    want = _naive(pats, cues, rule, update, 6)
    for g, w in zip(got, want):
        np.testing.assert_array_equal(g, w)


def test_exact_mode_is_chosen_when_safe_and_log_otherwise():
    assert not dense_tables("poly", 100, 2000, degree=3).log_domain
    assert dense_tables("poly", 100, 2000, degree=12).log_domain
    assert dense_tables("exp", 10, 5).log_domain


@pytest.mark.parametrize("update", ["sync", "async"])
@pytest.mark.parametrize(("n", "p", "noise"), [(40, 4, 0.1), (40, 12, 0.3), (64, 20, 0.2),
                                               (31, 30, 0.25)])
def test_degree_two_recalls_exactly_what_hebbian_recalls(update, n, p, noise):
    """F(x)=x^2: F(b+xi)-F(b-xi) = 4 xi b, so D_i = 4 N h_i with the zero-diagonal Hebbian field.

    Same patterns, same cues, same seed (same async order): identical states, steps and status,
    also above capacity where ties, 2-cycles and wrong fixed points occur.
    """
    pats = random_patterns(p, n, n + p)
    cues = np.concatenate([flip_cues(pats, noise, 3), random_patterns(10, n, 4)])
    heb = amem.make("hebbian", update=update, seed=5).store(pats).recall(cues)
    mod = amem.make("modern", degree=2, update=update, seed=5).store(pats).recall(cues)
    np.testing.assert_array_equal(mod.states, heb.states)
    np.testing.assert_array_equal(mod.steps, heb.steps)
    np.testing.assert_array_equal(mod.status, heb.status)


def _mean_overlap(states, patterns):
    return float((states.astype(np.int64) * patterns).mean())


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_paper_protocol_degree3_stores_alpha_3_at_n100(seed):
    """Paper protocol: clean cues, sync, at most N steps; stored iff mean overlap >= 0.95."""
    pats = random_patterns(300, 100, seed)
    out = amem.make("modern", degree=3, update="sync").store(pats).recall(pats)
    assert _mean_overlap(out.states, pats) >= 0.95


def test_exp_energy_recalls_3000_patterns_at_n30():
    pats = random_patterns(3000, 30, 0)
    out = amem.make("modern", energy="exp").store(pats).recall(pats)
    assert _mean_overlap(out.states, pats) >= 0.95


@pytest.mark.parametrize("params", [
    dict(degree=1), dict(degree=2.5), dict(degree=True), dict(beta=0.0), dict(beta=-1.0),
    dict(beta=float("nan")), dict(energy="cosh"), dict(energy="exp", rectified=True),
    dict(rectified="yes"), dict(update="parallel"),
])
def test_invalid_parameters_raise_one_line_errors(params):
    with pytest.raises(AmemError) as err:
        amem.make("modern", **params)
    assert "\n" not in str(err.value)
    assert str(next(iter(params))) in str(err.value)


@pytest.mark.parametrize("update", ["sync", "async"])
def test_exp_energy_is_stable_at_large_n(update):
    """e^N overflows float64 for N > 709; the shifted log-domain terms must still recall."""
    pats = random_patterns(40, 2000, 3)
    cues = flip_cues(pats, 0.3, 4)
    with np.errstate(all="raise"):
        out = amem.make("modern", energy="exp", update=update).store(pats).recall(cues)
    np.testing.assert_array_equal(out.states, pats)


def test_softmax_large_beta_and_large_degree_are_stable():
    pats = random_patterns(30, 800, 5)
    cues = flip_cues(pats, 0.4, 6)
    out = amem.make("modern", energy="softmax", beta=1e6).store(pats).recall(cues)
    np.testing.assert_array_equal(out.states, pats)
    out = amem.make("modern", degree=60).store(pats).recall(cues)  # 800^60 ~ 1e174: log domain
    np.testing.assert_array_equal(out.states, pats)


def test_high_degree_log_domain_matches_exact_twin_at_large_n():
    pats = random_patterns(6, 150, 9)
    cues = np.concatenate([flip_cues(pats[:2], 0.45, 10), random_patterns(1, 150, 11)])
    rule = dict(energy="poly", degree=40)
    assert dense_tables("poly", 150, 6, degree=40).log_domain
    for update in ("sync", "async"):
        got = _kernel(pats, cues, rule, update, 3)
        want = _naive(pats, cues, rule, update, 3)
        for g, w in zip(got, want):
            np.testing.assert_array_equal(g, w)


def test_softmax_beta_overflow_is_a_clear_error():
    model = amem.make("modern", energy="softmax", beta=1e307).store(random_patterns(3, 100, 0))
    with pytest.raises(AmemError, match="beta"):
        model.recall(random_patterns(1, 100, 1))


@pytest.mark.parametrize("energy", ["poly", "exp", "softmax"])
def test_async_recall_never_raises_the_energy(energy):
    pats = random_patterns(60, 20, 1)
    cues = random_patterns(20, 20, 2)
    model = amem.make("modern", energy=energy, update="async").store(pats)
    out = model.recall(cues)
    assert (model.energy_of(out.states) <= model.energy_of(cues) + 1e-9).all()
    assert set(out.status) == {"fixed_point"}


def test_recall_before_store_and_bad_cues_raise():
    model = amem.make("modern")
    with pytest.raises(AmemError, match="store"):
        model.recall(np.ones((1, 5)))
    model.store(random_patterns(4, 5, 0))
    with pytest.raises(AmemError):
        model.recall(np.ones((1, 6)))


@pytest.mark.parametrize("params", [dict(update="async"), dict(energy="exp"),
                                    dict(energy="softmax", beta=0.5, update="async"),
                                    dict(degree=4, rectified=True)])
def test_conformance_kit_on_variants(params):
    from amem.testing import check_model

    check_model("modern", **params)


def test_bisection_relative_tolerance_brackets_the_one_pattern_search(tmp_path):
    """--bisect-rtol (added for dense memories, P in the thousands): fewer trials, and the
    per-seed capacity stays within the tolerance of the one-pattern bisection."""
    from amem.harness.criteria import CRITERIA, seed_capacities
    from amem.harness.sweep import SweepConfig, run_sweep
    from amem.records.store import RecordStore

    results = {}
    for rtol in (0.0, 0.1):
        config = SweepConfig(models=[("modern", {"degree": 3})], n_units=[24], alphas=[1.0, 2.0],
                             seeds=2, search="bisect", bisect_rtol=rtol)
        records = run_sweep(config, RecordStore(tmp_path / str(rtol)), progress=False)
        results[rtol] = (len(records), seed_capacities(records, CRITERIA["paper"]))
    (n_exact, caps_exact), (n_rtol, caps_rtol) = results[0.0], results[0.1]
    assert n_rtol < n_exact
    for seed, (p, _) in caps_exact.items():
        assert 0.9 * p - 1 <= caps_rtol[seed][0] <= p
    with pytest.raises(AmemError, match="bisect_rtol"):
        SweepConfig(models=[("modern", {})], alphas=[1.0, 2.0], search="bisect",
                    bisect_rtol=1.5).validate()
