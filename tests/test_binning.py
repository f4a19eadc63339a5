"""amem.pid.binning, the one binning implementation: against loop twins (tests/naive_pid.py),
NumPy against torch, and the trainer's layout (networks x neurons x samples, masked samples)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from naive_pid import fixed_bin_loop, soft_weights_loop

from amem.pid import binning


def _values(rng, shape, scale=8.0):
    x = rng.normal(0, scale, size=shape)
    x.flat[:5] = [0.0, -20.0, 20.0, 25.0, -30.0]  # an inner edge, both ends, beyond both ends
    return x


@pytest.mark.parametrize("n_bins,low,high", [(60, -20.0, 20.0), (7, -1.0, 1.0), (2, -3.0, 5.0)])
def test_fixed_index_equals_the_loop_for_numpy_and_torch(n_bins, low, high):
    x = _values(np.random.default_rng(0), (40, 6), scale=(high - low) / 3)
    edges = binning.bin_edges(n_bins, low, high)
    x.flat[5:5 + len(edges)] = edges  # every edge exactly: right-closed puts it in the lower bin
    expected = np.vectorize(lambda v: fixed_bin_loop(v, n_bins, low, high))(x)
    np.testing.assert_array_equal(binning.fixed_bin_index(x, n_bins, low, high), expected)
    got = binning.fixed_bin_index(torch.tensor(x), n_bins, low, high)
    assert got.dtype == torch.int64
    np.testing.assert_array_equal(got.numpy(), expected)


def test_adaptive_index_on_samples_along_any_axis_with_a_mask():
    rng = np.random.default_rng(1)
    fields = _values(rng, (3, 5, 9))  # (networks, neurons, samples), trainer layout
    valid = np.arange(9)[None, None, :] < np.array([9, 6, 1])[:, None, None]  # padded samples
    fields[~np.broadcast_to(valid, fields.shape)] = 1e6  # padding must not set the scale
    fields[1, 2, :6] = 0.0  # a silent neuron: scale 1
    got = binning.adaptive_bin_index(fields, 12, axis=-1, valid=valid)
    for b in range(3):
        for i in range(5):
            m = int(valid[b, 0].sum())
            scale = np.abs(fields[b, i, :m]).max() or 1.0
            for mu in range(m):
                assert got[b, i, mu] == fixed_bin_loop(fields[b, i, mu] / scale, 12, -1.0, 1.0)
    torch_got = binning.adaptive_bin_index(torch.tensor(fields), 12, axis=-1,
                                           valid=torch.tensor(valid))
    np.testing.assert_array_equal(torch_got.numpy(), got)
    # samples on axis 0 (the PID estimators), no mask: the same as moving the axis
    np.testing.assert_array_equal(binning.adaptive_bin_index(fields[0].T, 12),
                                  binning.adaptive_bin_index(fields[0], 12, axis=-1).T)


@pytest.mark.parametrize("tau", [1e-5, 0.5, 3.0])
def test_soft_weights_equal_the_loop_for_numpy_and_torch(tau):
    x = _values(np.random.default_rng(2), (10, 4), scale=2.0)
    low, high = binning.soft_bin_range(x)
    assert (low, high) == (x.min() - 1.0, x.max() + 1.0)
    got = binning.soft_bin_weights(x, 9, low, high, tau)
    expected = np.array([[soft_weights_loop(v, 9, low, high, tau) for v in row] for row in x])
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(got.sum(-1), 1.0)
    got_t = binning.soft_bin_weights(torch.tensor(x), 9, low, high, tau)
    np.testing.assert_allclose(got_t.numpy(), got, rtol=1e-12, atol=1e-15)


def test_soft_ranges_per_network_over_valid_samples():
    rng = np.random.default_rng(3)
    x = _values(rng, (4, 3, 7), scale=3.0)
    valid = np.arange(7)[None, None, :] < np.array([7, 3, 5, 2])[:, None, None]
    low, high = binning.soft_bin_range(x, axis=(1, 2), valid=valid)
    assert low.shape == high.shape == (4, 1, 1)
    for b in range(4):
        m = int(valid[b, 0].sum())
        assert low[b, 0, 0] == x[b, :, :m].min() - 1.0 and high[b, 0, 0] == x[b, :, :m].max() + 1.0
    w = binning.soft_bin_weights(x, 6, low, high, 0.5)
    assert w.shape == (4, 3, 7, 6)
    for b, i, mu in [(0, 0, 0), (1, 2, 2), (3, 1, 1)]:
        np.testing.assert_allclose(w[b, i, mu], soft_weights_loop(x[b, i, mu], 6, low[b, 0, 0],
                                                                    high[b, 0, 0], 0.5), rtol=1e-9, atol=1e-15)
    xt = torch.tensor(x, requires_grad=True)
    lt, ht = binning.soft_bin_range(xt, axis=(1, 2), valid=torch.tensor(valid))
    np.testing.assert_array_equal(lt.numpy(), low)
    assert not lt.requires_grad  # the range carries no gradient
    wt = binning.soft_bin_weights(xt, 6, lt, ht, 0.5)
    np.testing.assert_allclose(wt.detach().numpy(), w, rtol=1e-12, atol=1e-15)
    (wt[..., 0] * torch.arange(7.0)).sum().backward()  # soft weights do carry one
    assert xt.grad is not None and torch.count_nonzero(xt.grad) > 0
    assert binning.soft_bin_range(x, valid=valid) == (x[valid.repeat(3, 1)].min() - 1.0,
                                                      x[valid.repeat(3, 1)].max() + 1.0)


def test_hard_indices_carry_no_gradient():
    x = torch.tensor(_values(np.random.default_rng(4), (6, 3)), requires_grad=True)
    assert not binning.fixed_bin_index(x, 10, -20.0, 20.0).requires_grad
    assert not binning.adaptive_bin_index(x, 10).requires_grad
