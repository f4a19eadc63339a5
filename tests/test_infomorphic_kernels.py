"""Numba kernels of the infomorphic network against their naive twins (tests/naive_infomorphic)."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from naive_infomorphic import naive_field_grad, naive_sync_overlap  # noqa: E402

from amem.kernels.ensemble_recall import ensemble_sync_overlap  # noqa: E402
from amem.kernels.infomorphic_grad import infomorphic_field_grad  # noqa: E402
from amem.models.infomorphic_train import goal_coefficients  # noqa: E402


@pytest.mark.parametrize("binning", ["fixed", "adaptive"])
@pytest.mark.parametrize("shape,seed", [((2, 3, 17), 0), ((1, 4, 40), 1), ((3, 2, 9), 2)])
@pytest.mark.parametrize("gamma", [(0, 0, 1, 0, 0), (1, 1, 1, 1, 0), (0.5, -0.2, 0.3, 0.1, -0.6),
                                   "mixed"])
def test_field_grad_matches_naive(binning, shape, seed, gamma):
    rng = np.random.default_rng(seed)
    n_net, n_units, p_max = shape
    goals = [(0, 0, 1, 0, 0), (1, 1, 1, 1, 0), (0.5, -0.2, 0.3, 0.1, -0.6)]
    gammas = [goals[b % 3] for b in range(n_net)] if gamma == "mixed" else [gamma] * n_net
    fields = rng.normal(0, 12, shape)
    ext = np.where(rng.random(shape) < 0.5, -1, 1).astype(np.int8)
    n_valid = rng.integers(1, p_max + 1, n_net).astype(np.int64)
    fields[0, 0, :3] = [-800.0, 750.0, -40.0]  # saturated theta: exp's clipping and underflow
    grad = np.full(shape, np.nan)
    cells = np.zeros(shape, np.int16)
    hist = np.zeros((3, n_net, n_units, 120))
    ext_w = rng.uniform(0.5, 3.0, shape[:2])  # per-neuron external weights (trainable ones)
    bad = infomorphic_field_grad(fields, ext, ext_w, n_valid, goal_coefficients(gammas),
                                 np.array([-20.0, 20.0] if binning == "fixed" else [-1.0, 1.0]),
                                 60, binning == "adaptive", grad, cells, hist[0], hist[1], hist[2],
                                 3)
    assert bad == 0
    ref = np.concatenate([  # each network under its own goal
        naive_field_grad(fields[b:b + 1], lambda c, e, _, i, b=b: torch.sigmoid(c + ext_w[b, i] * e),
                         ext[b:b + 1], n_valid[b:b + 1], gammas[b], binning) for b in range(n_net)])
    np.testing.assert_allclose(grad, ref, rtol=1e-8, atol=1e-12)
    for b in range(n_net):  # padding gets a zero gradient; counts add up to M per neuron
        assert (grad[b, :, n_valid[b]:] == 0).all()
        np.testing.assert_array_equal(hist[0][b].sum(-1), n_valid[b])
    np.testing.assert_allclose(hist[1] + hist[2], hist[0])
    from amem.pid.binning import adaptive_bin_index, fixed_bin_index

    for b in range(n_net):  # the kernel bins as amem.pid.binning does (no field on an edge here)
        c = fields[b, :, :n_valid[b]].T  # samples on axis 0
        k = adaptive_bin_index(c, 60) if binning == "adaptive" else fixed_bin_index(c, 60, -20, 20)
        np.testing.assert_array_equal(cells[b, :, :n_valid[b]] % 60, k.T)
        np.testing.assert_array_equal(cells[b, :, :n_valid[b]] // 60, ext[b, :, :n_valid[b]] > 0)
    theta = torch.sigmoid(torch.tensor(fields + ext_w[..., None] * ext)).numpy()  # joint's theta
    for b in range(n_net):
        for i in range(n_units):
            m = n_valid[b]
            np.testing.assert_allclose(
                np.bincount(cells[b, i, :m], theta[b, i, :m], minlength=120), hist[1][b, i],
                rtol=1e-12, atol=1e-300)



@pytest.mark.parametrize("seed", [0, 1])
def test_float32_fields_get_theta_to_float32_rounding(seed):
    """float32 fields take the shorter exp series (to r^7): theta (its per-cell sums) within
    2e-8 of the exact sigmoid of the same float32 fields, the float32 gradient within float32
    rounding of the naive twin's."""
    rng = np.random.default_rng(seed)
    shape = (2, 5, 64)
    fields = rng.normal(0, 12, shape).astype(np.float32)
    fields[0, 0, :3] = [-800.0, 750.0, -40.0]
    ext = np.where(rng.random(shape) < 0.5, -1, 1).astype(np.int8)
    n_valid = np.array([64, 37])
    ext_w = rng.uniform(0.5, 3.0, shape[:2])
    grad = np.full(shape, np.nan, np.float32)
    cells = np.zeros(shape, np.int16)
    hist = np.zeros((3, 2, 5, 120))
    gamma = (0, 0, 1, 0, 0)
    assert infomorphic_field_grad(fields, ext, ext_w, n_valid, goal_coefficients([gamma] * 2),
                                  np.array([-20.0, 20.0]), 60, False, grad, cells, hist[0],
                                  hist[1], hist[2], 2) == 0
    f64 = fields.astype(np.float64)
    theta = torch.sigmoid(torch.tensor(f64 + ext_w[..., None] * ext)).numpy()
    for b in range(2):
        m = n_valid[b]
        for i in range(5):
            np.testing.assert_allclose(
                np.bincount(cells[b, i, :m], theta[b, i, :m], minlength=120), hist[1][b, i],
                rtol=2e-8, atol=1e-300)
    ref = np.concatenate([naive_field_grad(
        f64[b:b + 1], lambda c, e, _, i, b=b: torch.sigmoid(c + ext_w[b, i] * e), ext[b:b + 1],
        n_valid[b:b + 1], gamma, "fixed") for b in range(2)])
    np.testing.assert_allclose(grad, ref, rtol=2e-6, atol=1e-12)

def test_field_grad_flags_nan():
    shape = (1, 2, 5)
    fields = np.zeros(shape)
    fields[0, 1, 2] = np.nan
    grad = np.zeros(shape)
    none = np.zeros((0, 0, 0))
    bad = infomorphic_field_grad(fields, np.ones(shape, np.int8), np.full((1, 2), 2.3),
                                 np.array([5]),
                                 goal_coefficients([(0, 0, 1, 0, 0)]), np.array([-20.0, 20.0]), 60,
                                 False, grad, np.zeros(shape, np.int16), none, none, none, 1)
    assert bad == 1


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_ensemble_recall_matches_naive(seed):
    rng = np.random.default_rng(seed)
    n_net, p_max, n_units = 4, 12, 15
    w = rng.normal(size=(n_net, n_units, n_units)).astype(np.float32)
    w[:, np.arange(n_units), np.arange(n_units)] = 0
    w[1] = np.round(w[1])  # integer couplings produce exact zero fields (ties keep the state)
    x = np.where(rng.random((n_net, p_max, n_units)) < 0.5, -1, 1).astype(np.int8)
    n_valid = np.array([12, 1, 7, 3])
    wt = np.ascontiguousarray(w.transpose(0, 2, 1))
    got = ensemble_sync_overlap(wt, x, n_valid, n_units, -np.inf)
    ref = naive_sync_overlap(w.astype(np.float64), x, n_valid, n_units)
    np.testing.assert_allclose(got, ref, atol=1e-12)
    # giving up: NaN exactly where the exact mean is below the threshold
    for threshold in (0.0, 0.5, 0.95):
        gave_up = np.isnan(ensemble_sync_overlap(wt, x, n_valid, n_units, threshold))
        np.testing.assert_array_equal(gave_up, ref < threshold)
