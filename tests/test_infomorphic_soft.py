"""The soft-binning closed form (amem.kernels.infomorphic_soft) equals its slow twin: autograd
through the soft joint of ``joint_distribution`` and :func:`amem.pid.sx.sx_atoms`."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import amem  # noqa: E402
from amem.models.infomorphic import GOALS  # noqa: E402
from amem.models.infomorphic_train import TrainConfig, _Bucket, train_ensemble  # noqa: E402

GOAL_CASES = list(GOALS.values()) + [(0.48, -0.16, 0.25, 0.04, -0.63),
                                     (-0.27, -0.68, 0.68, -0.77, -0.80)]


def _pair(sizes, n_units, gamma=GOALS["redundancy"], seed=0, scale=1.0, gammas=None,
          weights=None, **cfg_kw):
    """The same networks as a closed-form (numba) and an autograd bucket, float64."""
    rng = np.random.default_rng(seed)
    patterns = [np.where(rng.random((p, n_units)) < 0.5, -1, 1).astype(np.int8) for p in sizes]
    n_bins = cfg_kw.pop("n_bins", 10)
    out = []
    for backend in ("numba", "autograd"):
        cfg = TrainConfig(gamma=gamma, binning="soft", n_bins=n_bins, dtype="float64",
                          backend=backend, init_scale=scale, **cfg_kw)
        bucket = _Bucket(np.arange(len(sizes)), patterns, list(range(len(sizes))), cfg, gammas)
        if weights is not None:
            if backend == "numba":
                bucket.w[:] = weights
            else:
                bucket.w = torch.from_numpy(weights.copy())
        out.append(bucket)
    return out


def _random_weights(n_net, n_units, scale, seed):
    w = np.random.default_rng(seed).normal(size=(n_net, n_units, n_units)) * scale
    for b in range(n_net):
        np.fill_diagonal(w[b], 0.0)
    return w


@pytest.mark.parametrize("gamma", GOAL_CASES)
@pytest.mark.parametrize("scale", [0.05, 0.4, 3.0])  # fields within a bin, spread, saturated
def test_soft_closed_form_matches_autograd(gamma, scale):
    fast, ref = _pair([23, 17, 9], 12, gamma, weights=_random_weights(3, 12, scale, 1))
    g_fast = np.array(fast.gradient()[0])
    g_ref = ref.gradient()[0].numpy()
    assert np.abs(g_ref).max() > 1e-4  # a non-trivial gradient
    np.testing.assert_allclose(g_fast, g_ref, rtol=1e-7, atol=1e-10 * np.abs(g_ref).max())


def test_external_drive_on_a_bin_edge_spreads_over_two_rows():
    """r = +-4 with 10 bins on [-5, 5] sits exactly on an edge: each sign weighs two bins half
    and half, so four rows of the joint carry probability (the kernel keeps only those)."""
    fast, ref = _pair([19, 13], 10, weights=_random_weights(2, 10, 0.4, 6), external_weight=4.0)
    joint = fast.joint_numpy()
    assert ((joint.sum(axis=(3, 4)) > 0).sum(axis=2) == 4).all()
    np.testing.assert_allclose(joint, ref.joint_numpy(), atol=1e-13)
    g_ref = ref.gradient()[0].numpy()
    np.testing.assert_allclose(np.array(fast.gradient()[0]), g_ref, rtol=1e-7,
                               atol=1e-10 * np.abs(g_ref).max())


def test_soft_joint_matches_autograd_and_sums_to_one():
    fast, ref = _pair([30, 11], 10, weights=_random_weights(2, 10, 0.5, 2))
    joint = fast.joint_numpy()
    assert joint.shape == (2, 10, 10, 10, 2)
    np.testing.assert_allclose(joint, ref.joint_numpy(), atol=1e-13)
    np.testing.assert_allclose(joint.sum(axis=(2, 3, 4)), 1.0, atol=1e-12)


def test_empty_middle_bins_give_the_autograd_gradient():
    """Fields in two far clusters leave the middle bins with (numerically) zero probability:
    the guarded logs must give autograd's finite gradient, not NaN."""
    w = np.zeros((1, 8, 8))
    w[0, :, 0] = 200.0  # every field is +-200 x_0: two clusters 400 apart, 10 bins between
    np.fill_diagonal(w[0], 0.0)
    w[0, 0, 1] = 150.0
    fast, ref = _pair([12], 8, weights=w)
    g_fast = np.array(fast.gradient()[0])
    assert np.isfinite(g_fast).all()
    np.testing.assert_allclose(g_fast, ref.gradient()[0].numpy(), rtol=1e-7, atol=1e-12)


def test_mixed_goals_in_one_soft_bucket_match_autograd():
    fast, ref = _pair([23, 17, 9], 12, gammas=GOAL_CASES[-3:],
                      weights=_random_weights(3, 12, 0.4, 3))
    np.testing.assert_allclose(np.array(fast.gradient()[0]), ref.gradient()[0].numpy(),
                               rtol=1e-7, atol=1e-12)


def test_network_ranges_are_min_and_max_of_the_valid_samples():
    from amem.kernels.infomorphic_soft import network_ranges

    rng = np.random.default_rng(4)
    values = rng.normal(size=(3, 5, 7))
    n_valid = np.array([7, 3, 1])
    values[1, :, 3:] = 99.0  # padding never counts
    values[2, :, 1:] = -99.0
    out = np.empty((3, 2))
    network_ranges(values, n_valid, out)
    for b, m in enumerate(n_valid):
        assert out[b].tolist() == [values[b, :, :m].min(), values[b, :, :m].max()]


def test_soft_training_equals_autograd_training():
    """Whole trainings (Adam, checkpoints, early stopping) agree to float64 rounding."""
    rng = np.random.default_rng(5)
    sets = [np.where(rng.random((p, 20)) < 0.5, -1, 1).astype(np.int8) for p in (14, 26)]
    kw = dict(gamma=(0.48, -0.16, 0.25, 0.04, -0.63), binning="soft", n_bins=10, epochs=80,
              dtype="float64")
    fast = train_ensemble(sets, [0, 1], TrainConfig(backend="numba", **kw))
    ref = train_ensemble(sets, [0, 1], TrainConfig(backend="autograd", **kw))
    for a, b in zip(fast, ref):
        assert a.epochs_trained == b.epochs_trained
        assert np.abs(a.weights).max() > 0.1  # it trained
        np.testing.assert_allclose(a.weights, b.weights, rtol=1e-7, atol=1e-9)
        np.testing.assert_allclose(a.history["loss"], b.history["loss"], rtol=1e-8)


def test_model_picks_the_closed_form_for_soft_bins_unless_the_external_weight_trains():
    assert amem.make("infomorphic", binning="soft")._train_config().backend == "numba"
    trainable = amem.make("infomorphic", binning="soft", train_external=True)
    assert trainable._train_config().backend == "autograd"
    with pytest.raises(amem.AmemError, match="train_external=False"):
        amem.make("infomorphic", binning="soft", train_external=True, backend="numba")
