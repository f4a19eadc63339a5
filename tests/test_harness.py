import numpy as np
import pytest
from helpers import strip_timing

import amem
from amem.harness.criteria import CRITERIA, bootstrap_ci, seed_capacities
from amem.harness.executors import ProcessExecutor
from amem.harness.sweep import SweepConfig, bisect_capacity, plan_sweep, run_sweep, sweep_records
from amem.harness.trials import TrialSpec, run_trials, trial_cues, trial_patterns
from amem.records.store import RecordStore


def small_config(**kw):
    base = dict(models=[("hebbian", {})], n_units=[40], alphas=[0.05, 0.1, 0.2, 0.3], seeds=3,
                noise=[0.0, 0.1])
    return SweepConfig(**{**base, **kw})


def test_trial_seeds_derive_from_identity_only():
    t = TrialSpec("hebbian", {}, 50, 7, seed=3, noise=0.1)
    np.testing.assert_array_equal(trial_patterns(t), trial_patterns(TrialSpec("hebbian", {}, 50, 7, seed=3)))
    # paired comparisons: another model sees the same patterns and cues
    other = TrialSpec("hebbian", {"update": "async"}, 50, 7, seed=3, noise=0.1)
    np.testing.assert_array_equal(trial_cues(t, trial_patterns(t)), trial_cues(other, trial_patterns(other)))
    assert t.model_seed() != other.model_seed() and t.key() != other.key()
    assert TrialSpec("hebbian", {}, 50, 7, seed=4).key() != TrialSpec("hebbian", {}, 50, 7, seed=3).key()


def test_record_holds_per_pattern_outcomes():
    (record,) = run_trials([TrialSpec("hebbian", {}, 60, 20, seed=0, noise=0.1)])
    per = record["per_pattern"]
    agreement = np.array(per["agreement"])
    assert len(agreement) == len(per["steps"]) == len(per["status"]) == len(per["stable"]) == 20
    assert record["mean_overlap"] == pytest.approx((agreement / 60).mean())
    assert record["frac_exact"] == pytest.approx(np.mean(agreement == 60))
    assert record["frac_inverted"] == pytest.approx(np.mean(agreement == -60))
    assert record["frac_fixed_point"] + record["frac_cycle"] + record["frac_max_steps"] == pytest.approx(1)
    assert set(per["status"]) <= set("FCM")


def test_stable_fraction_matches_direct_fixed_point_test():
    trial = TrialSpec("hebbian", {}, 50, 12, seed=1, noise=0.2)
    (record,) = run_trials([trial])
    patterns = trial_patterns(trial)
    w = amem.make("hebbian").store(patterns).weights_
    fixed = np.all(np.where(patterns @ w.T > 0, 1, np.where(patterns @ w.T < 0, -1, patterns)) == patterns, axis=1)
    assert record["per_pattern"]["stable"] == "".join("1" if f else "0" for f in fixed)


def test_sweep_is_reproducible_and_resumes(tmp_path):
    config = small_config()
    first = run_sweep(config, RecordStore(tmp_path / "a"), progress=False)
    assert len(first) == 1 * 1 * 4 * 3 * 2
    again = run_sweep(config, RecordStore(tmp_path / "b"), progress=False)
    assert strip_timing(first) == strip_timing(again)
    # a rerun into the same directory runs nothing new
    fresh = []
    run_sweep(config, RecordStore(tmp_path / "a"), progress=False, on_records=fresh.extend)
    assert fresh == []
    # more seeds: only the new seed's trials run
    run_sweep(small_config(seeds=4), RecordStore(tmp_path / "a"), progress=False, on_records=fresh.extend)
    assert {r["seed"] for r in fresh} == {3} and len(fresh) == 8


def test_process_executor_gives_identical_records(tmp_path):
    config = small_config(seeds=2)
    inline = run_sweep(config, RecordStore(tmp_path / "i"), progress=False)
    pool = ProcessExecutor(2)
    try:
        parallel = run_sweep(config, RecordStore(tmp_path / "p"), pool, progress=False)
    finally:
        pool.close()
    assert strip_timing(inline) == strip_timing(parallel)


def test_user_registered_model_runs_in_worker_processes(tmp_path):
    # A model registered at run time (importable module) reaches spawned workers.
    config = SweepConfig(models=[("hebbian-alias", {})], n_units=[30], alphas=[0.1], seeds=2)
    amem.register("hebbian-alias", "amem.models.hebbian:HebbianHopfield")
    pool = ProcessExecutor(2)
    try:
        records = run_sweep(config, RecordStore(tmp_path), pool, progress=False)
    finally:
        pool.close()
        amem.unregister("hebbian-alias")
    assert {r["model"] for r in records} == {"hebbian-alias"} and len(records) == 2


def test_bisection_brackets_the_capacity(tmp_path):
    config = SweepConfig(models=[("hebbian", {})], n_units=[50], alphas=[0.02, 0.5], seeds=3,
                         search="bisect", criterion="paper")
    records = run_sweep(config, RecordStore(tmp_path), progress=False)
    caps = seed_capacities(records, CRITERIA["paper"])
    for seed, (p_star, _) in caps.items():
        # the bracket is tight: P* meets the criterion, P*+1 does not
        above = run_trials([TrialSpec("hebbian", {}, 50, p_star + 1, seed=seed)])[0]
        at = [r for r in records if r["seed"] == seed and r["n_patterns"] == p_star][0]
        assert CRITERIA["paper"].holds(at) and not CRITERIA["paper"].holds(above)
    # each search costs about log2 of the range, not the whole range
    assert len(records) <= 3 * 8


def test_bisection_extends_range_for_large_capacities(tmp_path):
    config = SweepConfig(models=[("hebbian", {})], n_units=[40], alphas=[0.025, 0.05], seeds=1,
                         search="bisect")
    records = run_sweep(config, RecordStore(tmp_path), progress=False)
    (p_star, censored), = seed_capacities(records, CRITERIA["paper"]).values()
    assert p_star > 2 and not censored  # grew past the given HIGH=2 patterns


def test_bisection_resume_replays_finished_trials(tmp_path):
    config = SweepConfig(models=[("hebbian", {})], n_units=[40], alphas=[0.05, 0.5], seeds=1,
                         search="bisect")
    store = RecordStore(tmp_path)
    first = run_sweep(config, store, progress=False)
    done = {r["key"]: r for r in store.load()}
    assert plan_sweep(config, done) == []  # a settled search is not even submitted
    (unit,) = plan_sweep(config, {})
    unit.known = done
    assert bisect_capacity(unit) == [] and len(first) > 2  # everything known: nothing reruns


def test_sweep_records_filters_to_the_config(tmp_path):
    store = RecordStore(tmp_path)
    run_sweep(small_config(), store, progress=False)
    subset = sweep_records(small_config(alphas=[0.1], seeds=2, noise=[0.0]), store.load())
    assert len(subset) == 2 and {r["n_patterns"] for r in subset} == {4}


def test_seed_capacities_and_censoring():
    recs = [dict(seed=0, n_patterns=p, mean_overlap=m) for p, m in [(5, 1.0), (10, 0.97), (15, 0.5)]]
    recs += [dict(seed=1, n_patterns=p, mean_overlap=m) for p, m in [(5, 0.9), (10, 0.99), (15, 0.96)]]
    caps = seed_capacities(recs, CRITERIA["paper"])
    assert caps == {0: (10, False), 1: (15, True)}  # seed 1: the last load, so censored


def test_bootstrap_ci_is_deterministic_and_brackets_the_mean():
    x = np.random.default_rng(0).normal(0.15, 0.02, 20)
    lo, hi = bootstrap_ci(x)
    assert lo < x.mean() < hi and (lo, hi) == bootstrap_ci(x)
    assert hi - lo == pytest.approx(2 * 1.96 * x.std(ddof=1) / np.sqrt(20), rel=0.25)
