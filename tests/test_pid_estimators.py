"""Neuron-level estimators: vectorised joints vs a per-sample loop, NumPy vs torch, gradients."""

import numpy as np
import pytest
from naive_pid import neuron_joints_loop

from amem import AmemError
from amem.pid import decompose, neuron_atoms, neuron_joints
from amem.pid.binning import bin_edges, fixed_bin_index

torch = pytest.importorskip("torch")


def _problem(n_samples, n_units, seed, scale=5.0):
    rng = np.random.default_rng(seed)
    r = 2.3 * rng.choice([-1.0, 1.0], size=(n_samples, n_units))
    c = rng.normal(0.0, scale, (n_samples, n_units))
    c[0, 0] = 0.0  # exactly on an inner edge
    c[1, -1] = 25.0  # beyond the fixed range: clamped into the last bin
    theta = 1.0 / (1.0 + np.exp(-(r + c)))
    theta[2, 0] = 0.0
    return r, c, theta


CASES = [("fixed", None), ("fixed", (2, 7)), ("adaptive", None), ("adaptive", (3, 5)), ("soft", None),
         ("soft", (4, 6))]


@pytest.mark.parametrize(("binning", "n_bins"), CASES)
@pytest.mark.parametrize(("n_samples", "n_units", "seed"), [(6, 3, 0), (17, 5, 1)])
def test_joints_match_per_sample_loop(binning, n_bins, n_samples, n_units, seed):
    r, c, theta = _problem(n_samples, n_units, seed)
    got = neuron_joints(r, c, theta, binning=binning, n_bins=n_bins)
    ref = neuron_joints_loop(r, c, theta, binning=binning, n_bins=got.shape[1:3])
    np.testing.assert_allclose(got, ref, atol=1e-12)
    np.testing.assert_allclose(got.sum((1, 2, 3)), 1.0, atol=1e-12)


@pytest.mark.parametrize(("binning", "n_bins"), CASES)
def test_atoms_equal_decompose_of_each_neuron(binning, n_bins):
    r, c, theta = _problem(11, 4, 2)
    atoms = neuron_atoms(r, c, theta, binning=binning, n_bins=n_bins)
    joints = neuron_joints(r, c, theta, binning=binning, n_bins=n_bins)
    assert atoms.shape == (4, 5)
    for i in range(4):
        np.testing.assert_allclose(atoms[i], decompose(joints[i]).as_array(), atol=1e-12)


@pytest.mark.parametrize(("binning", "n_bins"), CASES)
def test_torch_path_agrees_with_numpy(binning, n_bins):
    r, c, theta = _problem(13, 6, 3)
    expected = neuron_atoms(r, c, theta, binning=binning, n_bins=n_bins)
    got = neuron_atoms(*(torch.tensor(x) for x in (r, c, theta)), binning=binning, n_bins=n_bins)
    assert isinstance(got, torch.Tensor)
    np.testing.assert_allclose(got.numpy(), expected, atol=1e-12)
    got32 = neuron_atoms(*(torch.tensor(x, dtype=torch.float32) for x in (r, c, theta)),
                         binning=binning, n_bins=n_bins)
    np.testing.assert_allclose(got32.numpy(), expected, atol=2e-5)


@pytest.mark.parametrize("binning", ["fixed", "adaptive", "soft"])
def test_gradient_through_theta_matches_finite_differences(binning):
    r, c, _ = _problem(9, 3, 4)
    logits = torch.tensor(np.random.default_rng(5).normal(0, 1, (9, 3)), requires_grad=True)
    rt, ct = torch.tensor(r), torch.tensor(c)

    def goal(z):  # redundancy + 0.3 synergy of every neuron, as a training goal would weight them
        atoms = neuron_atoms(rt, ct, torch.sigmoid(z), binning=binning)
        return atoms[:, 2] + 0.3 * atoms[:, 3]

    assert torch.autograd.gradcheck(goal, (logits,), eps=1e-6, atol=1e-6)


def test_gradient_through_soft_bins_matches_finite_differences():
    r, c, theta = _problem(8, 3, 6, scale=2.0)
    rt, tt = torch.tensor(r), torch.tensor(theta)
    ct = torch.tensor(c, requires_grad=True)
    opts = dict(binning="soft", n_bins=(3, 4), tau=(0.5, 0.5))

    def goal(x):
        return neuron_atoms(rt, x, tt, **opts)[:, 2].sum()

    goal(ct).backward()
    # direction that leaves the global min and max (the detached bin range) unchanged
    d = np.random.default_rng(7).normal(size=c.shape)
    d.flat[[np.argmin(c), np.argmax(c)]] = 0.0
    h = 1e-6
    fd = (goal(torch.tensor(c + h * d)) - goal(torch.tensor(c - h * d))).item() / (2 * h)
    assert ct.grad.abs().sum() > 0
    assert (ct.grad.numpy() * d).sum() == pytest.approx(fd, rel=1e-5, abs=1e-8)


def test_hard_bins_carry_no_gradient_to_sources():
    r, c, theta = _problem(7, 2, 8)
    ct = torch.tensor(c, requires_grad=True)
    out = neuron_atoms(torch.tensor(r), ct, torch.tensor(theta), binning="adaptive")
    assert not out.requires_grad


def test_fixed_bins_are_right_closed_and_clamped():
    edges = bin_edges(60, -20.0, 20.0)
    assert edges[30] == 0.0
    x = np.array([0.0, -1e-9, 1e-9, -20.0, -50.0, 20.0, 30.0, edges[1], edges[1] + 1e-9])
    idx = fixed_bin_index(x, 60, -20.0, 20.0)
    np.testing.assert_array_equal(idx, [29, 29, 30, 0, 0, 59, 59, 0, 1])
    np.testing.assert_array_equal(fixed_bin_index(np.array([-2.3, 0.0, 2.3]), 2, -20, 20), [0, 0, 1])
    np.testing.assert_array_equal(fixed_bin_index(torch.tensor(x), 60, -20.0, 20.0).numpy(), idx)


def test_adaptive_binning_handles_silent_source():
    r = np.zeros((5, 2))  # external weight 0: every sample in the lower bin, no division by zero
    c = np.random.default_rng(0).normal(size=(5, 2))
    j = neuron_joints(r, c, np.full((5, 2), 0.5), binning="adaptive")
    assert np.isfinite(j).all() and j[:, 0].sum() == pytest.approx(2.0)


def test_adaptive_is_scale_invariant_per_neuron():
    r, c, theta = _problem(12, 4, 9)
    scale = np.array([1.0, 3.0, 1e-6, 50.0])
    a = neuron_atoms(r, c, theta, binning="adaptive")
    b = neuron_atoms(r * scale, c * scale, theta, binning="adaptive")
    np.testing.assert_allclose(a, b, atol=1e-12)


def test_deterministic_copy_neuron_is_all_redundancy():
    bits = np.random.default_rng(1).choice([-1.0, 1.0], size=(64, 3))
    atoms = neuron_atoms(bits, 40 * bits, (bits > 0).astype(float), binning="adaptive")
    hy = np.array([decompose(np.bincount((b > 0).astype(int), minlength=2)[None, None]).residual_entropy
                   for b in bits.T])
    np.testing.assert_allclose(atoms[:, 2], hy, atol=1e-12)
    np.testing.assert_allclose(atoms[:, [0, 1, 3, 4]], 0.0, atol=1e-12)


GOOD = _problem(4, 3, 0)


@pytest.mark.parametrize(("args", "kwargs", "match"), [
    ((GOOD[0][0], GOOD[1][0], GOOD[2][0]), {}, "2-D"),
    ((GOOD[0], GOOD[1][:, :2], GOOD[2]), {}, "shape"),
    ((GOOD[0], np.where(GOOD[1] > 0, np.nan, GOOD[1]), GOOD[2]), {}, "NaN"),
    ((GOOD[0], GOOD[1], GOOD[2] + 1.5), {}, r"\[0, 1\]"),
    ((GOOD[0], GOOD[1], -GOOD[2]), {}, r"\[0, 1\]"),
    ((GOOD[0][:0], GOOD[1][:0], GOOD[2][:0]), {}, "empty"),
    (GOOD, {"binning": "kde"}, "binning"),
    (GOOD, {"n_bins": (2, 1)}, ">= 2"),
    (GOOD, {"n_bins": (1, 60)}, ">= 2"),
    (GOOD, {"n_bins": 60}, "pair"),
    (GOOD, {"ranges": ((1, -1), (-20, 20))}, "low < high"),
    (GOOD, {"binning": "soft", "tau": (0.0, 0.5)}, "positive"),
])
def test_bad_input_raises_one_line_error(args, kwargs, match):
    with pytest.raises(AmemError, match=match) as err:
        neuron_joints(*args, **kwargs)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize(("n_bins", "low", "high"), [(60, -20.0, 20.0), (7, -1.0, 1.0), (2, -20, 20),
                                                     (13, -0.3, 2.9)])
def test_fixed_bin_index_equals_binary_search_on_edges(n_bins, low, high):
    edges = bin_edges(n_bins, low, high)
    rng = np.random.default_rng(n_bins)
    x = np.concatenate([rng.uniform(low - 1, high + 1, 5000), edges, np.nextafter(edges, np.inf),
                        np.nextafter(edges, -np.inf)])
    expected = np.clip(np.searchsorted(edges, np.clip(x, low + 1e-4, high), side="left") - 1, 0, n_bins - 1)
    np.testing.assert_array_equal(fixed_bin_index(x, n_bins, low, high), expected)
    np.testing.assert_array_equal(fixed_bin_index(torch.tensor(x), n_bins, low, high).numpy(), expected)
