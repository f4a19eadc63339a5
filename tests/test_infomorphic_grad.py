"""The closed-form (Numba) gradient of the infomorphic goal equals autograd through sx_atoms."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from amem.models.infomorphic import GOALS  # noqa: E402
from amem.models.infomorphic_train import TrainConfig, _Bucket  # noqa: E402
from amem.pid.sx import sx_atoms  # noqa: E402


def _bucket(sizes, n_units, gamma, binning, scale, seed=0, dtype="float64", backend="numba",
            gammas=None):
    rng = np.random.default_rng(seed)
    patterns = [np.where(rng.random((p, n_units)) < 0.5, -1, 1).astype(np.int8) for p in sizes]
    cfg = TrainConfig(gamma=gamma, binning=binning, n_bins=60 if binning != "soft" else 10,
                      dtype=dtype, backend=backend, init_scale=scale)
    return _Bucket(np.arange(len(sizes)), patterns, list(range(len(sizes))), cfg, gammas)


GOAL_CASES = list(GOALS.values()) + [(0.48, -0.16, 0.25, 0.04, -0.63),
                                     (-0.27, -0.68, 0.68, -0.77, -0.80)]


@pytest.mark.parametrize("binning", ["fixed", "adaptive"])
@pytest.mark.parametrize("gamma", GOAL_CASES)
def test_closed_form_matches_autograd(binning, gamma):
    # a large init scale spreads the fields over many bins; ragged loads exercise the padding
    scale = 60.0 if binning == "fixed" else 1.0
    fast = _bucket([23, 17, 9], 12, gamma, binning, scale, seed=3)
    ref = _bucket([23, 17, 9], 12, gamma, binning, scale, seed=3, backend="autograd")
    g_fast = np.array(fast.gradient()[0])
    g_ref = ref.gradient()[0]
    assert g_ref.abs().max() > 1e-3  # a non-trivial gradient
    np.testing.assert_allclose(g_fast, g_ref.numpy(), rtol=1e-7, atol=1e-10)


@pytest.mark.parametrize("binning", ["fixed", "adaptive"])
def test_mixed_goals_in_one_bucket_match_autograd(binning):
    """Each network of a bucket has its own goal; closed form and autograd agree per network."""
    scale = 60.0 if binning == "fixed" else 1.0
    gammas = GOAL_CASES[-3:]
    fast = _bucket([23, 17, 9], 12, GOALS["redundancy"], binning, scale, seed=4, gammas=gammas)
    ref = _bucket([23, 17, 9], 12, GOALS["redundancy"], binning, scale, seed=4,
                  backend="autograd", gammas=gammas)
    g_fast = np.array(fast.gradient()[0])
    np.testing.assert_allclose(g_fast, ref.gradient()[0].numpy(), rtol=1e-7, atol=1e-10)
    for b, gamma in enumerate(gammas):  # and each equals the network alone under its goal
        alone = _bucket([23, 17, 9], 12, gamma, binning, scale, seed=4)
        np.testing.assert_allclose(g_fast[b], alone.gradient()[0][b],
                                   rtol=1e-12, atol=1e-15)


def test_joint_histogram_matches_torch_reference():
    fast = _bucket([30, 11], 10, GOALS["redundancy"], "fixed", 60.0, seed=5)
    ref = _bucket([30, 11], 10, GOALS["redundancy"], "fixed", 60.0, seed=5, backend="autograd")
    np.testing.assert_allclose(fast.joint_numpy(), ref.joint_numpy(), atol=1e-12)
    atoms = sx_atoms(fast.joint_numpy(), np)
    assert atoms.shape == (2, 10, 5) and np.isfinite(atoms).all()


def test_float32_gradient_close_to_float64():
    g32 = _bucket([40], 20, GOALS["redundancy"], "fixed", 30.0, dtype="float32").gradient()[0]
    g64 = _bucket([40], 20, GOALS["redundancy"], "fixed", 30.0).gradient()[0]
    np.testing.assert_allclose(g32.astype(np.float64), g64, rtol=2e-3, atol=1e-6)


def test_pattern_count_groups():
    from amem.models.infomorphic_train import pattern_count_groups

    groups = pattern_count_groups(np.array([40, 40, 37, 30, 30, 30]))
    assert [(g.start, g.stop, p) for g, p in groups] == [(0, 2, 40), (2, 3, 37), (3, 6, 30)]
    assert pattern_count_groups(np.array([5, 4, 3]), max_groups=2) == [(slice(None), 5)]


@pytest.mark.parametrize("gemm", ["numpy", "numba"])
def test_float32_network_trains_as_alone_beside_larger_p(monkeypatch, gemm):
    """A bucket's matrix products run over each network's own P (numpy: runs of equal P; amem's
    kernel: each network alone), so a network trained beside one with more patterns ends
    bit-identical to the same network trained alone (the products over the bucket's padded
    P_max round differently)."""
    from amem.models.infomorphic_train import train_ensemble

    monkeypatch.setenv("AMEM_GEMM", gemm)
    monkeypatch.setenv("AMEM_THREADS", "1")  # both networks in one training thread's bucket
    rng = np.random.default_rng(3)
    sets = [np.where(rng.random((p, 40)) < 0.5, -1, 1).astype(np.int8) for p in (50, 45)]
    cfg = TrainConfig(gamma=GOALS["redundancy"], epochs=40, early_stopping=False)
    together = train_ensemble(sets, [0, 1], cfg)
    alone = train_ensemble(sets[1:], [1], cfg)
    np.testing.assert_array_equal(together[1].weights, alone[0].weights)


def test_products_by_amem_or_numpy_train_the_same_networks(monkeypatch):
    """amem's small-GEMM kernel and numpy's matmul sum the products in different orders: the
    trained networks agree to float32 rounding carried through the epochs, not bit for bit."""
    from amem.models.infomorphic_train import train_ensemble

    rng = np.random.default_rng(4)
    sets = [np.where(rng.random((p, 40)) < 0.5, -1, 1).astype(np.int8) for p in (20, 50)]
    cfg = TrainConfig(gamma=GOALS["redundancy"], epochs=60, early_stopping=False)
    trained = {}
    for gemm in ("numpy", "numba"):
        monkeypatch.setenv("AMEM_GEMM", gemm)
        trained[gemm] = [r.weights for r in train_ensemble(sets, [0, 1], cfg)]
    for a, b in zip(trained["numpy"], trained["numba"]):
        scale = np.abs(a).max()
        assert 0 < np.abs(a - b).max() <= 1e-5 * scale  # measured 2.6e-7
