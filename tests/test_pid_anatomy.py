"""PID anatomy of stored networks (amem.anatomy) and the ``pid`` command."""

import csv
import json

import numpy as np
import pytest

import amem
from amem import AmemError
from amem.anatomy import (
    AnatomyOptions,
    neuron_anatomy,
    neuron_sources,
    recurrent_couplings,
    summarise,
)
from amem.base import MemoryModel, ModelTags
from amem.bench import pid_command
from amem.harness.sweep import SweepConfig, run_sweep
from amem.patterns import random_patterns
from amem.pid import decompose
from amem.records.store import RecordStore


def _hebbian(n_units, n_patterns, seed=0):
    return amem.make("hebbian", seed=seed).store(random_patterns(n_patterns, n_units, seed))


def test_low_load_neurons_carry_their_output_entropy_as_redundancy():
    model = _hebbian(64, 3)
    atoms = neuron_anatomy(model)
    assert atoms.shape == (64, 5)
    x = model.patterns_
    h = np.array([decompose(np.bincount((x[:, i] > 0).astype(int), minlength=2)[None, None])
                  .residual_entropy for i in range(64)])  # plug-in H(Y) over the P samples
    np.testing.assert_allclose(atoms[:, 2], h, atol=1e-12)
    np.testing.assert_allclose(atoms[:, [0, 1, 3, 4]], 0.0, atol=1e-12)


def test_hebbian_anatomy_shows_the_papers_finding():
    # redundancy dominant below capacity, falls past it; unique internal rises; synergy small
    n = 200
    mean = {a: np.mean([neuron_anatomy(_hebbian(n, int(a * n), s)).mean(0) for s in range(2)], 0)
            for a in (0.05, 0.14, 1.0)}
    for a in (0.05, 0.14):
        assert mean[a][2] > 0.9 * mean[a].sum()
    assert mean[1.0][2] < mean[0.14][2] - 0.3
    assert mean[1.0][1] > mean[0.14][1] + 0.3
    assert all(abs(m[3]) < 0.1 for m in mean.values())


def test_sign_output_is_scale_free_and_ties_are_coin_flips():
    w = np.array([[0.0, 1.0], [1.0, 0.0]])
    x = np.array([[1, -1], [1, 1], [-1, -1]])
    opts = AnatomyOptions()
    r, c, theta = neuron_sources(w, np.zeros(2), x, opts)
    np.testing.assert_array_equal(c, x[:, ::-1])
    np.testing.assert_array_equal(theta, (x[:, ::-1] > 0) * 1.0)
    _, _, theta0 = neuron_sources(np.zeros((2, 2)), np.zeros(2), x, opts)
    assert (theta0 == 0.5).all()
    a = neuron_sources(w * 7, np.zeros(2), x, opts)[2]
    np.testing.assert_array_equal(a, theta)


def test_sigmoid_output_uses_external_weight_and_beta():
    w = np.zeros((2, 2))
    x = np.array([[1, -1]])
    r, c, theta = neuron_sources(w, np.zeros(2), x, AnatomyOptions(output="sigmoid", external_weight=2.0,
                                                                  beta=0.5))
    np.testing.assert_allclose(theta, 1 / (1 + np.exp(-0.5 * 2.0 * x)))


class _NoWeights(MemoryModel):
    def _fit(self, patterns):
        pass

    def _recall(self, cues, max_steps):
        return cues, np.zeros(len(cues)), np.zeros(len(cues), np.int8)


class _RandomCouplings(MemoryModel):
    """A model of our own with recurrent weights: the anatomy must work through the registry."""

    tags = ModelTags(recurrent_weights=True)

    def _fit(self, patterns):
        n = patterns.shape[1]
        self.weights_ = patterns.T @ patterns / n + 0.01 * np.random.default_rng(self.seed).normal(size=(n, n))
        np.fill_diagonal(self.weights_, 0.0)
        self.bias_ = np.full(n, 0.01)

    def _recall(self, cues, max_steps):  # one synchronous step is enough for this test
        states = np.where(cues @ self.weights_.T + self.bias_ >= 0, 1, -1).astype(np.int8)
        return states, np.ones(len(cues), np.int64), np.full(len(cues), 2, np.int8)


def test_models_without_recurrent_weights_are_refused():
    model = _NoWeights().store(random_patterns(2, 8, 0))
    with pytest.raises(AmemError, match="recurrent_weights"):
        recurrent_couplings(model)


def _anatomy(tmp_path, model="hebbian", n=(20,), alphas=(0.1, 0.3), seeds=2, executor=None,
             name="a", **probe_params):
    config = SweepConfig(models=[(model, {})], n_units=list(n), alphas=list(alphas), seeds=seeds,
                         probe="pid-anatomy", probe_params=probe_params)
    return run_sweep(config, RecordStore(tmp_path / name), executor, progress=False)


def _strip(records):
    """Records without timings (the only fields allowed to differ between runs)."""
    return sorted(({k: v for k, v in r.items() if not k.endswith("_s")} for r in records),
                  key=lambda r: r["key"])


def test_registered_model_without_recurrent_weights_is_refused_before_the_sweep(tmp_path):
    amem.register("test-no-weights", _NoWeights, overwrite=True)
    try:
        with pytest.raises(AmemError, match="recurrent weights"):
            _anatomy(tmp_path, model="test-no-weights", n=(8,), alphas=(0.5,), seeds=1)
    finally:
        amem.unregister("test-no-weights")


def test_any_registered_model_with_recurrent_weights_works(tmp_path):
    amem.register("test-random-couplings", _RandomCouplings, overwrite=True)
    try:
        rows = _anatomy(tmp_path, model="test-random-couplings", n=(24,), alphas=(0.1, 0.5))
    finally:
        amem.unregister("test-random-couplings")
    assert len(rows) == 4 and all("bins" not in r for r in rows)
    for row in rows:
        total = sum(row[k] for k in ("unique_external", "unique_internal", "redundancy", "synergy",
                                     "residual_entropy"))
        assert total == pytest.approx(row["output_entropy"])
        assert 0 <= row["mean_overlap"] <= 1


def test_run_is_reproducible_and_resumes(tmp_path):
    a = _anatomy(tmp_path, name="a", sensitivity_bins=[2, 8])
    assert _strip(a) == _strip(_anatomy(tmp_path, name="b", sensitivity_bins=[2, 8]))
    assert len(a) == 4 and all(len(r["bins"]) == 2 for r in a)
    before = (tmp_path / "a" / "records.jsonl").read_bytes()
    assert _strip(_anatomy(tmp_path, name="a", sensitivity_bins=[2, 8])) == _strip(a)
    assert (tmp_path / "a" / "records.jsonl").read_bytes() == before  # nothing rerun


def test_anatomy_and_capacity_sweep_see_the_same_patterns(tmp_path, monkeypatch):
    """For a given seed, the anatomy probe stores exactly the patterns the capacity trial stores,
    in a model with the same seed: spy on every store call of both sweeps."""
    from amem.models.hebbian import HebbianHopfield as Hebbian

    seen = {}
    original = Hebbian.store_many.__func__

    def spy(cls, models, pattern_sets):
        for m, p in zip(models, pattern_sets):
            seen.setdefault(spy.probe, []).append((m.seed, np.asarray(p).tobytes()))
        return original(cls, models, pattern_sets)

    monkeypatch.setattr(Hebbian, "store_many", classmethod(spy))
    spy.probe = "pid-anatomy"
    _anatomy(tmp_path, n=(24,), alphas=(0.1, 0.3), seeds=3)
    spy.probe = "recall"
    run_sweep(SweepConfig(models=[("hebbian", {})], n_units=[24], alphas=[0.1, 0.3], seeds=3),
              RecordStore(tmp_path / "capacity"), progress=False)
    assert len(seen["recall"]) == 6
    assert sorted(seen["pid-anatomy"]) == sorted(seen["recall"])


@pytest.mark.slow
def test_executors_do_not_change_records(tmp_path):
    from amem.harness.executors import ProcessExecutor

    executor = ProcessExecutor(2)
    try:
        a = _anatomy(tmp_path, name="p", executor=executor, sensitivity_bins=[2, 8])
    finally:
        executor.close()
    assert _strip(a) == _strip(_anatomy(tmp_path, name="i", sensitivity_bins=[2, 8]))


def test_probe_params_are_checked(tmp_path):
    with pytest.raises(AmemError, match="unknown probe_params"):
        _anatomy(tmp_path, bogus=1)
    with pytest.raises(AmemError, match="binning"):
        _anatomy(tmp_path, binning="kde")


def test_summarise_median_and_band():
    rows = [{"alpha": 0.1, "redundancy": v, "mean_overlap": 1.0} for v in (0.0, 1.0, 2.0)]
    s = summarise(rows, columns=("redundancy",))
    assert s["redundancy"][0] == 1.0 and s["redundancy_lo"][0] == pytest.approx(0.1)


def test_options_are_validated():
    with pytest.raises(AmemError, match="binning"):
        AnatomyOptions(binning="kde")
    with pytest.raises(AmemError, match="n_bins"):
        AnatomyOptions(n_bins=1)
    with pytest.raises(AmemError, match="output"):
        AnatomyOptions(output="tanh")


def _main(*argv):
    from amem.bench.cli import main

    return main(["pid", *argv])


def test_command_writes_csv_json_and_figures(tmp_path):
    out = tmp_path / "pid"
    assert _main("--n", "24", "--alphas", "0.05:0.45:0.2", "--seeds", "2", "--out", str(out),
                 "--sensitivity-bins", "2,8", "--sensitivity-alphas", "0.3") == 0
    with (out / "pid.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 6
    for col in ("model", "n_units", "n_patterns", "alpha", "seed", "unique_external", "unique_internal",
                "redundancy", "synergy", "residual_entropy", "mean_overlap"):
        assert col in rows[0]
    assert {r["n_patterns"] for r in rows} == {"1", "6", "11"}
    for name in ("pid.png", "pid.pdf", "pid_bins.png", "pid_bins.pdf", "pid_theory.csv", "pid.json",
                 "pid_summary.csv"):
        assert (out / name).exists(), name
    meta = json.loads((out / "pid.json").read_text())
    assert meta["options"]["binning"] == "adaptive" and meta["seeds"] == [0, 1]


@pytest.mark.slow
def test_plot_only_redraws_from_csv(tmp_path):
    out = tmp_path / "pid"
    assert _main("--n", "16", "--alphas", "0.1,0.5", "--seeds", "2", "--out", str(out)) == 0
    (out / "pid.png").unlink()
    assert _main("--out", str(out), "--plot-only") == 0
    assert (out / "pid.png").exists()


def test_alpha_grid_default_is_the_papers_41_loads():
    grid = pid_command.parse_alphas(pid_command.DEFAULT_ALPHAS)
    assert len(grid) == 41 and grid[0] == 0.01 and grid[-1] == 2.01
    assert pid_command.parse_alphas("0.3,0.1") == [0.1, 0.3]


@pytest.mark.parametrize("argv", [
    ["--alphas", "a:b"], ["--alphas", "0.5:0.1:0.1"], ["--alphas", "-1"], ["--model", "nope"],
    ["--n", "1"], ["--seeds", "0"], ["--param", "oops"], ["--bins", "1"], ["--plot-only"],
    ["--param", "nosuch=1"],
])
def test_command_user_errors_exit_2_with_one_line(argv, tmp_path, capsys):
    small = ["--n", "16", "--seeds", "1", "--alphas", "0.1", "--sensitivity-bins", ""]
    assert _main(*small, *argv, "--out", str(tmp_path / "x")) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error:") and "\n" not in err
