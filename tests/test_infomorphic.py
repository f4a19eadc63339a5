"""The infomorphic model: parameters, errors, training protocol, ensembles, recall."""

import math
import pickle

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import amem  # noqa: E402
from amem.errors import AmemError, TrainingError  # noqa: E402
from amem.models.infomorphic import ABLATION_LADDER, GOALS, InfomorphicHopfield, parse_goal  # noqa: E402
from amem.models.infomorphic_train import (  # noqa: E402
    TrainConfig,
    _Bucket,
    _numpy,
    checkpoint_epochs,
    goal_coefficients,
    init_weights,
)
from amem.patterns import flip_cues, random_patterns  # noqa: E402


def overlap(model, patterns, cues=None):
    out = model.recall(patterns if cues is None else cues)
    return float((out.states.astype(int) * patterns).sum(1).mean() / patterns.shape[1])


# ------------------------------------------------------------------ parameters and errors
def test_registered_with_defaults():
    model = amem.make("infomorphic")
    assert isinstance(model, InfomorphicHopfield)
    assert model.gamma == (0, 0, 1, 0, 0) and model.epochs == 5000 and model.lr == 0.05
    assert model.external_weight == 2.3 and model.init_scale == 1e-3 and model.update == "sync"


@pytest.mark.parametrize("name,vec", list(GOALS.items()))
def test_named_goals(name, vec):
    assert parse_goal(name) == vec
    assert amem.make("infomorphic", goal=name).gamma == vec


def test_custom_goal_vector_and_string():
    assert amem.make("infomorphic", goal=[0.5, 0, 1, 0, -1]).gamma == (0.5, 0, 1, 0, -1)
    assert parse_goal("0.48,-0.16,0.25,0.04,-0.63") == (0.48, -0.16, 0.25, 0.04, -0.63)


@pytest.mark.parametrize("goal,match", [
    ([0, 0, 1, 0], "4 weights"), ([0, 0, 1, 0, 0, 0], "6 weights"), ("redundant", "not a known"),
    ([0, 0, float("nan"), 0, 0], "NaN"), ([0, 0, 0, 0, 0], "all zeros"), ("1,2,x,4,5", "5 comma"),
])
def test_bad_goal_is_a_clear_error(goal, match):
    with pytest.raises(AmemError, match=match):
        amem.make("infomorphic", goal=goal)


@pytest.mark.parametrize("params,match", [
    ({"n_bins": 1}, "n_bins=1 must be >= 2"), ({"n_bins": 0}, ">= 2"),
    ({"binning": "quantile"}, "binning"), ({"epochs": -1}, "epochs"), ({"lr": 0}, "lr"),
    ({"device": "tpu"}, "device"), ({"dtype": "float16"}, "dtype"),
    ({"backend": "numba", "binning": "soft", "train_external": True}, "backend='numba'"),
    ({"external_weight": -1.0}, "external_weight"), ({"optimizer": "lbfgs"}, "optimizer"),
    ({"testing": "noisy"}, "testing"), ({"train_external": "yes"}, "train_external"),
])
def test_bad_params_are_clear_errors(params, match):
    with pytest.raises(AmemError, match=match):
        amem.make("infomorphic", **params)


def test_divergence_raises_training_error():
    model = amem.make("infomorphic", lr=1e37, epochs=50, early_stopping=False)
    with pytest.raises(TrainingError, match="diverged"):
        model.store(random_patterns(30, 40, 0))


# ------------------------------------------------------------------ protocol pieces
AUTHORS_5000 = [1, 3, 6, 11, 20, 38, 70, 129, 238, 438, 805, 1480, 2721, 4999, 5000]


def test_checkpoints_follow_the_authors_schedule():
    # np.logspace(0, log10(5000), 15, dtype=int) as completed epochs, and once more after the last
    assert checkpoint_epochs(5000).tolist() == AUTHORS_5000
    assert checkpoint_epochs(300).tolist() == [1, 2, 3, 5, 7, 11, 17, 26, 39, 58, 88, 132, 199,
                                               300]
    assert checkpoint_epochs(1).tolist() == [1] and checkpoint_epochs(0).tolist() == []


@pytest.mark.parametrize("epochs,stop_at", [(5000, 0), (5000, 1), (5000, 7), (5000, 13),
                                            (5000, 14), (5000, None), (40, 4)])
def test_early_stopping_only_at_the_authors_epochs(monkeypatch, epochs, stop_at):
    """Recall is tested after exactly the scheduled epochs; training stops at the first success.

    The recall check is replaced by one that succeeds on its (stop_at + 1)-th call, so the test
    sees every checkpoint of a 5000-epoch run cheaply (tiny network)."""
    import amem.models.infomorphic_train as train

    calls = []

    def fake_overlap(weights, x, n_valid, max_steps, give_up_below=-np.inf):
        calls.append(len(calls))
        return np.full(len(n_valid), 1.0 if len(calls) - 1 == stop_at else 0.0)

    monkeypatch.setattr(train, "sync_mean_overlap", fake_overlap)
    model = amem.make("infomorphic", epochs=epochs, seed=0).store(random_patterns(4, 6, 0))
    schedule = checkpoint_epochs(epochs).tolist()
    tested = schedule if stop_at is None else schedule[:stop_at + 1]
    assert model.history_["epoch"].tolist() == tested
    assert model.epochs_trained_ == tested[-1]
    assert model.met_criterion_ == (stop_at is not None)


def test_init_weights():
    w = init_weights(100, 3, 1e-3, "float64")
    assert (np.diag(w) == 0).all() and np.abs(w).max() <= 1e-4
    assert np.abs(w).max() > 0.9e-4 and not np.allclose(w, w.T)
    assert np.array_equal(w, init_weights(100, 3, 1e-3, "float64"))
    assert init_weights(10, 3, 1e-3, "float32").dtype == np.float32


@pytest.mark.parametrize("seed", [0, 3, 2**31 + 5, 2**40 + 3, 9012345678901234567])
def test_init_weights_draw_torch_generator_numbers(seed):
    """Without importing torch, the same numbers as torch.rand with a seeded torch generator."""
    from amem.models.infomorphic_train import torch_rand64

    for n in (7, 100):
        gen = torch.Generator().manual_seed(seed)
        ref = torch.rand(n * n, generator=gen, dtype=torch.float64).numpy()
        np.testing.assert_array_equal(torch_rand64(n * n, seed), ref)
    gen = torch.Generator().manual_seed(seed)
    w = (torch.rand(30, 30, generator=gen, dtype=torch.float64) * 2 - 1) / math.sqrt(30)
    w.fill_diagonal_(0.0)
    np.testing.assert_array_equal(init_weights(30, seed, 1e-3, "float32"),
                                  (w * 1e-3).to(torch.float32).numpy())


def test_goal_coefficients_recombine_the_atoms():
    rng = np.random.default_rng(0)
    atoms = rng.normal(size=5)  # u1, u2, red, syn, h
    red, u1, u2, syn, h = atoms[2], atoms[0], atoms[1], atoms[3], atoms[4]
    terms = np.array([red, u1 + red, u2 + red, u1 + u2 + red + syn, h + u1 + u2 + red + syn])
    for gamma in GOALS.values():
        assert np.isclose(goal_coefficients(gamma) @ terms, np.dot(gamma, atoms))


def test_batched_adam_equals_torch_adam():
    cfg = TrainConfig(gamma=(0, 0, 1, 0, 0), dtype="float64")
    bucket = _Bucket(np.arange(2), [random_patterns(7, 9, 0), random_patterns(5, 9, 1)], [0, 1],
                     cfg)
    ref = torch.tensor(bucket.w).requires_grad_(True)
    opt = torch.optim.Adam([ref], lr=cfg.lr)
    rng = np.random.default_rng(2)
    for _ in range(5):
        g = torch.tensor(rng.normal(size=ref.shape))
        g.diagonal(dim1=1, dim2=2).zero_()  # as every training gradient (no self-coupling)
        bucket.adam_step(g.clone().numpy())
        ref.grad = g
        opt.step()
    np.testing.assert_allclose(bucket.w, ref.detach().numpy(), rtol=1e-12, atol=1e-15)


def test_torch_adam_path_equals_the_numba_one():
    """The elementwise torch update (used off the CPU, e.g. on CUDA) checked here on the CPU."""
    buckets = [_Bucket(np.arange(2), [random_patterns(7, 9, 0), random_patterns(5, 9, 1)], [0, 1],
                       TrainConfig(gamma=(0, 0, 1, 0, 0), dtype="float64", backend=backend))
               for backend in ("numba", "autograd")]
    rng = np.random.default_rng(3)
    for _ in range(4):
        g = torch.tensor(rng.normal(size=buckets[0].w.shape))
        g.diagonal(dim1=1, dim2=2).zero_()
        buckets[0].adam_step(g.clone().numpy())
        buckets[1].adam_step(g.clone(), use_torch=True)
    np.testing.assert_allclose(buckets[0].w, buckets[1].w.numpy(), rtol=1e-12, atol=1e-15)
    assert (buckets[0].w != 0).any()


# ------------------------------------------------------------------ ablation parameters
def test_ablation_ladder_rows_are_model_parameters():
    """Each row of the paper's ladder is one change of parameters to the row above."""
    assert [r[0] for r in ABLATION_LADDER] == list(range(1, 8))
    assert [r[3] for r in ABLATION_LADDER] == [0.40, 0.89, 0.92, 1.35, 1.65, 1.60, 1.69]
    patterns = random_patterns(12, 20, 0)
    previous = None
    for row, _, params, _ in ABLATION_LADDER:
        model = amem.make("infomorphic", epochs=3, seed=0, **params).store(patterns)
        got = model.get_params()
        if previous is not None:
            changed = {k for k in got if got[k] != previous[k]}
            assert len(changed) == 1, (row, changed)
        previous = got
        assert model.recall(patterns).states.shape == patterns.shape


def test_sgd_step_is_plain_gradient_descent():
    for backend in ("numba", "autograd"):
        cfg = TrainConfig(gamma=(0, 0, 1, 0, 0), dtype="float64", optimizer="sgd", lr=0.3,
                          backend=backend, init_scale=50.0)
        bucket = _Bucket(np.arange(2), [random_patterns(7, 9, 0), random_patterns(5, 9, 1)],
                         [0, 1], cfg)
        w0 = np.array(_numpy(bucket.w))
        grad = np.array(_numpy(bucket.gradient()[0]))
        grad[:, np.arange(9), np.arange(9)] = 0
        assert np.abs(grad).max() > 1e-3
        bucket.step(bucket.gradient(zero_diagonal=False)[0])
        np.testing.assert_allclose(_numpy(bucket.w), w0 - 0.3 * grad, rtol=1e-12, atol=1e-14)


def test_sgd_and_adam_train_different_networks():
    patterns = random_patterns(30, 30, 2)
    kw = dict(epochs=20, early_stopping=False, seed=0)
    adam = amem.make("infomorphic", **kw).store(patterns)
    sgd = amem.make("infomorphic", optimizer="sgd", **kw).store(patterns)
    assert np.abs(adam.weights_ - sgd.weights_).max() > 0.1 and adam.lr == sgd.lr


@pytest.mark.parametrize("binning", ["fixed", "adaptive"])
def test_external_weight_gradient_closed_form_matches_autograd(binning):
    cfgs = [TrainConfig(gamma=(0.48, -0.16, 0.25, 0.04, -0.63), binning=binning, dtype="float64",
                        backend=b, train_external=True, external_weight=1.3,
                        init_scale=60.0 if binning == "fixed" else 1.0)
            for b in ("numba", "autograd")]
    sets = [random_patterns(23, 12, 0), random_patterns(15, 12, 1)]
    fast, ref = (_Bucket(np.arange(2), sets, [0, 1], c) for c in cfgs)
    fast.gradient()
    ref.gradient()
    assert ref.grad_ext.abs().max() > 1e-3
    np.testing.assert_allclose(fast.grad_ext, ref.grad_ext.numpy(), rtol=1e-7, atol=1e-10)


def test_trainable_external_weight_moves_frozen_one_does_not():
    patterns = random_patterns(30, 30, 3)
    kw = dict(epochs=20, early_stopping=False, external_weight=1.0, seed=0)
    frozen = amem.make("infomorphic", **kw).store(patterns)
    free = amem.make("infomorphic", train_external=True, **kw).store(patterns)
    assert (frozen.external_weights_ == 1.0).all()
    assert np.abs(free.external_weights_ - 1.0).max() > 0.1
    assert np.abs(frozen.weights_ - free.weights_).max() > 1e-3
    autograd = amem.make("infomorphic", train_external=True, backend="autograd",
                         dtype="float64", **kw).store(patterns)
    np.testing.assert_allclose(free.external_weights_, autograd.external_weights_, rtol=1e-4)


def test_external_weight_scale_reaches_training():
    patterns = random_patterns(30, 30, 3)
    kw = dict(epochs=10, early_stopping=False, seed=0)
    one = amem.make("infomorphic", external_weight=1.0, **kw).store(patterns)
    ref = amem.make("infomorphic", external_weight=1.0, backend="autograd", dtype="float64",
                    **kw).store(patterns)
    big = amem.make("infomorphic", external_weight=2.3, **kw).store(patterns)
    np.testing.assert_allclose(one.weights_, ref.weights_, rtol=1e-3, atol=1e-6)
    assert np.abs(one.weights_ - big.weights_).max() > 1e-3


def test_stochastic_testing():
    from amem.models.infomorphic_train import stochastic_accuracy, stochastic_states

    patterns = random_patterns(5, 40, 4)
    strong = torch.tensor(100.0 * (patterns.T @ patterns - 5 * np.eye(40)))[None]
    x = torch.tensor(patterns, dtype=torch.float64)[None]
    n_valid = torch.tensor([5])
    # saturated fields: sampling is deterministic and the patterns are stable
    assert stochastic_accuracy(strong, x, n_valid, 20, [0], 1)[0] == 1.0
    # no couplings: every unit is a fair coin, so states agree with the first by chance
    acc = stochastic_accuracy(torch.zeros(1, 40, 40, dtype=torch.float64), x, n_valid, 20,
                              [0], 1)[0]
    assert abs(acc) < 0.1
    first, rest = stochastic_states(np.zeros((40, 40)), patterns, 20, np.random.default_rng(0))
    assert rest.shape == (20, 5, 40) and abs((rest == 1).mean() - 0.5) < 0.05
    # the model: recall is stochastic but seeded; training's early stopping uses the test
    kw = dict(epochs=60, seed=0, testing="stochastic")
    model = amem.make("infomorphic", **kw).store(random_patterns(8, 30, 0))
    twin = amem.make("infomorphic", **kw).store(random_patterns(8, 30, 0))
    p = random_patterns(8, 30, 0)
    out = model.recall(p)
    assert np.array_equal(out.states, twin.recall(p).states)
    assert (out.status == "max_steps").all() and (out.steps == 21).all()
    assert model.met_criterion_ == (model.history_["mean_overlap"][-1] >= 0.95)


# ------------------------------------------------------------------ training and recall
@pytest.fixture(scope="module")
def trained():
    patterns = random_patterns(20, 50, 7)
    return amem.make("infomorphic", epochs=300, seed=1).store(patterns), patterns


def test_low_load_recall_and_history(trained):
    model, patterns = trained
    assert overlap(model, patterns) >= 0.95
    assert model.met_criterion_ and model.epochs_trained_ in checkpoint_epochs(300)
    h = model.history_
    assert len(h["epoch"]) == len(h["loss"]) == len(h["mean_overlap"]) == h["atoms"].shape[0]
    assert h["mean_overlap"][-1] >= 0.95 and np.isclose(h["mean_overlap"][-1], overlap(model, patterns))
    # loss = -sum_i redundancy_i, and the atoms of the final network are stored per neuron
    assert np.isclose(h["loss"][-1], -model.atoms_[:, 2].sum())
    assert model.weights_.shape == (50, 50) and (np.diag(model.weights_) == 0).all()


@pytest.mark.parametrize("gemm", ["numpy", "numba"])
def test_diagnostics_count_epochs_and_matmul_flops(monkeypatch, gemm):
    """The reported FLOPs equal those of the matrix products training actually ran (numpy's
    matmul or amem's small-GEMM kernel)."""
    from amem.kernels import small_gemm

    monkeypatch.setenv("AMEM_GEMM", gemm)
    assert amem.make("infomorphic").diagnostics() == {}
    flops = []
    matmul, products = np.matmul, small_gemm.products

    def counting_matmul(a, b, **kw):
        flops.append(2 * a.shape[0] * a.shape[1] * a.shape[2] * b.shape[2])
        return matmul(a, b, **kw)

    def counting_products(a, k_of, panels, n_of, out):
        flops.append(int(2 * a.shape[1] * (k_of * n_of).sum()))
        return products(a, k_of, panels, n_of, out)

    monkeypatch.setattr(np, "matmul", counting_matmul)
    monkeypatch.setattr(small_gemm, "products", counting_products)
    patterns = random_patterns(20, 50, 7)
    model = amem.make("infomorphic", epochs=300, seed=1).store(patterns)
    d = model.diagnostics()
    assert d["epochs_trained"] == model.epochs_trained_ == d["network_epochs"]
    assert d["met_criterion"] is True and d["checkpoints"] == len(model.history_["epoch"])
    assert d["matmul_flops"] == sum(flops) > 0
    monkeypatch.setattr(np, "matmul", matmul)
    monkeypatch.setattr(small_gemm, "products", products)
    full = amem.make("infomorphic", epochs=12, early_stopping=False).store(patterns).diagnostics()
    assert full["epochs_trained"] == 12 and full["checkpoints"] == len(checkpoint_epochs(12))
    assert full["matmul_flops"] == 4 * 50 * 50 * 20 * (12 + full["checkpoints"])


def test_longer_training_widens_the_basins(trained):
    """Early stopping ends training as soon as clean cues are recalled (epoch 7 here), with
    narrow basins; training on for all 300 epochs recalls from 10%-noisy cues as well."""
    early, patterns = trained
    full = amem.make("infomorphic", epochs=300, early_stopping=False, seed=1).store(patterns)
    cues = flip_cues(patterns, 0.1, 3)
    assert overlap(full, patterns, cues) >= 0.95 > overlap(early, patterns, cues)


def test_redundancy_rises_during_training():
    model = amem.make("infomorphic", epochs=200, early_stopping=False, seed=0)
    model.store(random_patterns(60, 40, 1))
    red = model.history_["atoms"][:, 2]
    assert red[-1] > red[0] + 0.3 and model.epochs_trained_ == 200


def test_numba_and_autograd_backends_train_alike():
    patterns = random_patterns(30, 30, 4)
    kw = dict(epochs=15, early_stopping=False, dtype="float64", seed=2)
    fast = amem.make("infomorphic", backend="numba", **kw).store(patterns)
    slow = amem.make("infomorphic", backend="autograd", **kw).store(patterns)
    np.testing.assert_allclose(fast.weights_, slow.weights_, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("binning", ["adaptive", "soft"])
def test_other_binnings_learn(binning):
    patterns = random_patterns(10, 30, 5)
    model = amem.make("infomorphic", binning=binning, epochs=100, seed=0).store(patterns)
    assert overlap(model, patterns) >= 0.95


@pytest.mark.parametrize("goal", ["joint-mi", "external-mi", "co-information"])
def test_other_goals_learn(goal):
    patterns = random_patterns(10, 30, 6)
    assert overlap(amem.make("infomorphic", goal=goal, epochs=100).store(patterns), patterns) >= 0.95


def test_store_many_matches_store_one_by_one():
    sets = [random_patterns(p, 40, s) for p, s in [(8, 0), (30, 1), (17, 2), (30, 1)]]
    kw = dict(epochs=60, early_stopping=False)
    batch = InfomorphicHopfield.store_many(
        [amem.make("infomorphic", seed=s, **kw) for s in (0, 1, 2, 1)], sets)
    for model, p, s in zip(batch, sets, (0, 1, 2, 1)):
        single = amem.make("infomorphic", seed=s, **kw).store(p)
        np.testing.assert_allclose(model.weights_, single.weights_, rtol=1e-4, atol=1e-6)
        assert np.array_equal(model.recall(p).states, single.recall(p).states)
    assert np.array_equal(batch[1].weights_, batch[3].weights_)  # duplicate trained once


@pytest.mark.parametrize("backend,binning", [("numba", "fixed"), ("numba", "soft"),
                                            ("autograd", "soft")])
def test_mixed_goals_in_one_batch_equal_each_trained_alone(backend, binning):
    """Goals are data: networks of one store_many call train under their own goals."""
    goals = ["redundancy", (0.48, -0.16, 0.25, 0.04, -0.63), "co-information", "joint-mi",
             "redundancy"]
    sets = [random_patterns(p, 30, s) for p, s in [(20, 0), (20, 0), (26, 1), (12, 2), (26, 1)]]
    kw = dict(epochs=40, early_stopping=False, backend=backend, binning=binning)
    batch = InfomorphicHopfield.store_many(
        [amem.make("infomorphic", goal=g, seed=3, **kw) for g in goals], sets)
    for model, g, p in zip(batch, goals, sets):
        single = amem.make("infomorphic", goal=g, seed=3, **kw).store(p)
        assert model.gamma == single.gamma
        np.testing.assert_allclose(model.weights_, single.weights_, rtol=1e-4, atol=1e-6)
        np.testing.assert_allclose(model.history_["loss"], single.history_["loss"], rtol=1e-4)
    # same patterns and seed, different goal: different networks
    assert np.abs(batch[0].weights_ - batch[1].weights_).max() > 1e-2


def test_training_threads_do_not_change_the_networks(monkeypatch):
    from amem.models.infomorphic_train import _deal

    sizes = np.array([5, 30, 12, 30, 7])
    groups = _deal(sizes, 2)
    assert sorted(np.concatenate(groups).tolist()) == list(range(5))
    assert [sorted(sizes[g].tolist()) for g in groups] == [[5, 12, 30], [7, 30]]
    sets = [random_patterns(p, 30, s) for s, p in enumerate(sizes)]
    kw = dict(epochs=40, early_stopping=False)
    trained = {}
    for threads in ("1", "2"):
        monkeypatch.setenv("AMEM_THREADS", threads)
        trained[threads] = InfomorphicHopfield.store_many(
            [amem.make("infomorphic", seed=s, **kw) for s in range(5)], sets)
    for one, two, p in zip(trained["1"], trained["2"], sets):
        np.testing.assert_allclose(one.weights_, two.weights_, rtol=1e-4, atol=1e-6)
        assert np.array_equal(one.recall(p).states, two.recall(p).states)


def test_training_threads_fall_back_under_numba_workqueue():
    """Numba's workqueue layer aborts on concurrent parallel kernels: training must not split."""
    import os
    import subprocess
    import sys

    code = ("import numpy as np, amem; from amem.models.infomorphic import InfomorphicHopfield\n"
            "sets = [np.where(np.random.default_rng(s).random((p, 20)) < .5, -1, 1)"
            " for s, p in enumerate((8, 12, 5, 9))]\n"
            "ms = InfomorphicHopfield.store_many([amem.make('infomorphic', epochs=20, seed=s)"
            " for s in range(4)], sets)\n"
            "import numba; print(numba.threading_layer(), len(ms))\n")
    env = dict(os.environ, NUMBA_THREADING_LAYER="workqueue", AMEM_THREADS="2")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["workqueue", "4"]


def test_store_again_retrains_on_everything():
    a, b = random_patterns(5, 30, 0), random_patterns(5, 30, 1)
    model = amem.make("infomorphic", epochs=100).store(a).store(b)
    assert model.n_patterns_ == 10 and overlap(model, np.concatenate([a, b])) >= 0.95


def test_async_recall_and_pickle(trained):
    model, patterns = trained
    twin = pickle.loads(pickle.dumps(model))
    assert np.array_equal(twin.recall(patterns).states, model.recall(patterns).states)
    twin.update = "async"
    assert overlap(twin, patterns) >= 0.95


def test_untrained_network_is_empty():
    model = amem.make("infomorphic", epochs=0).store(random_patterns(3, 20, 0))
    assert model.epochs_trained_ == 0 and np.abs(model.weights_).max() <= 1e-3 / math.sqrt(20)


def test_gpu_path_on_the_cpu_matches_the_numba_path(monkeypatch):
    """The code path CUDA runs (torch autograd, torch's elementwise Adam, recall checks on the
    host) run on the CPU trains the same networks as the Numba path."""
    from amem.models.infomorphic_train import _TorchBucket

    torch_adam = _TorchBucket.adam_step
    monkeypatch.setattr(_TorchBucket, "adam_step",
                        lambda self, grad, use_torch=None: torch_adam(self, grad, use_torch=True))
    sets = [random_patterns(p, 40, s) for p, s in [(12, 0), (50, 1)]]
    kw = dict(epochs=40, dtype="float64")
    gpu_path = InfomorphicHopfield.store_many(
        [amem.make("infomorphic", backend="autograd", seed=s, **kw) for s in (0, 1)], sets)
    numba = InfomorphicHopfield.store_many(
        [amem.make("infomorphic", seed=s, **kw) for s in (0, 1)], sets)
    for g, c in zip(gpu_path, numba):
        assert g.epochs_trained_ == c.epochs_trained_
        np.testing.assert_allclose(g.weights_, c.weights_, rtol=1e-6, atol=1e-9)


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_cuda_matches_cpu():
    sets = [random_patterns(p, 60, s) for p, s in [(20, 0), (90, 1)]]
    kw = dict(epochs=50, early_stopping=False, dtype="float64", backend="autograd")
    gpu = InfomorphicHopfield.store_many([amem.make("infomorphic", device="cuda", seed=s, **kw)
                                          for s in (0, 1)], sets)
    cpu = InfomorphicHopfield.store_many([amem.make("infomorphic", seed=s, **kw)
                                          for s in (0, 1)], sets)
    for g, c in zip(gpu, cpu):
        np.testing.assert_allclose(g.weights_, c.weights_, rtol=1e-6, atol=1e-9)
    assert overlap(gpu[0], sets[0]) >= 0.95
