"""BROJA by convex programme (amem/pid/broja.py) against an exhaustive search, textbook gates and
its optimality conditions.

The slow twin is a brute-force grid over the whole polytope Delta_P of 2 x 2 x 2 joints (one free
cell per target value); on larger joints no feasible move may lower the minimum. dit's PID_BROJA
is no reference here: its optimiser is randomised and its answers vary between calls, sometimes
above the optimum (negative redundancies, which BROJA cannot have) and sometimes below the
exhaustive search's minimum (so outside the polytope).
"""

import numpy as np
import pytest

from amem.pid.broja import broja_atoms, broja_min_joint_mi


def _mi(pxy):
    """I(X;Y) of a 2-D joint from its entropies (the test's own arithmetic)."""
    def h(p):
        p = p[p > 0]
        return -(p * np.log2(p)).sum()

    return h(pxy.sum(1)) + h(pxy.sum(0)) - h(pxy.ravel())


def _gate(rule):
    j = np.zeros((2, 2, 2))
    for a in range(2):
        for b in range(2):
            j[a, b, rule(a, b)] = 0.25
    return j


def _random(rng, n2, zeros=0.2):
    p = rng.random((2, n2, 2)) ** 2
    p[rng.random(p.shape) < zeros] = 0.0
    p.flat[0] += 1e-3
    return p / p.sum()


def _brute_min_mi(p, steps=1201):
    """min I_q(Y; S1, S2) over Delta_P of a 2 x 2 x 2 joint on a grid of its two free cells."""
    p1y, p2y = p.sum(1), p.sum(0)
    axes = []
    for y in range(2):  # x = q(0, 0, y); the other three cells follow from the marginals
        lo = max(0.0, p1y[0, y] - p2y[1, y])
        hi = min(p1y[0, y], p2y[0, y])
        axes.append(np.linspace(lo, hi, steps))
    grid = np.meshgrid(*axes, indexing="ij")
    q = np.zeros((2, 2, 2) + grid[0].shape)
    for y, x in enumerate(grid):
        q[0, 0, y], q[0, 1, y] = x, p1y[0, y] - x
        q[1, 0, y], q[1, 1, y] = p2y[0, y] - x, p2y[1, y] - p1y[0, y] + x
    q = np.maximum(q, 0.0)
    q12 = q.sum(2, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        term = np.where(q > 0, q * np.log2(q / np.where(q12 > 0, q12, 1.0)), 0.0)
    h_y_given_s = -term.sum((0, 1, 2))
    py = p.sum((0, 1))
    h_y = -(py[py > 0] * np.log2(py[py > 0])).sum()
    return float((h_y - h_y_given_s).min())


def test_minimum_equals_an_exhaustive_search_on_small_joints():
    rng = np.random.default_rng(11)
    for _ in range(12):
        p = _random(rng, 2, zeros=0.1)
        m, q = broja_min_joint_mi(p)
        assert m == pytest.approx(_brute_min_mi(p), abs=2e-6)  # the grid's own resolution
        assert m <= _brute_min_mi(p) + 1e-9  # never above a point of the polytope


def test_the_minimiser_lies_in_the_polytope():
    rng = np.random.default_rng(12)
    for n2 in (2, 5, 20, 60):
        p = _random(rng, n2)
        m, q = broja_min_joint_mi(p)
        assert q.min() >= 0.0
        np.testing.assert_allclose(q.sum(1), p.sum(1), atol=1e-12)  # q(s1, y) = p(s1, y)
        np.testing.assert_allclose(q.sum(0), p.sum(0), atol=1e-12)  # q(s2, y) = p(s2, y)
        assert m == pytest.approx(_mi(q.reshape(-1, 2)), abs=1e-12)


def test_textbook_gates():
    np.testing.assert_allclose(broja_atoms(_gate(lambda a, b: a ^ b)), [0, 0, 0, 1, 0], atol=1e-7)
    # AND: no unique information, redundancy 0.311 bits (I(Y;S1)), synergy 0.5 (Bertschinger
    # et al. 2014, Table 1)
    np.testing.assert_allclose(broja_atoms(_gate(lambda a, b: a & b)),
                               [0, 0, 0.3112781, 0.5, 0], atol=1e-6)
    same = np.zeros((2, 2, 2))
    same[0, 0, 0] = same[1, 1, 1] = 0.5  # S1 = S2 = Y
    np.testing.assert_allclose(broja_atoms(same), [0, 0, 1, 0, 0], atol=1e-7)
    copy1 = _gate(lambda a, b: a)  # Y = S1
    np.testing.assert_allclose(broja_atoms(copy1), [1, 0, 0, 0, 0], atol=1e-7)


def test_atoms_are_non_negative_and_add_up():
    rng = np.random.default_rng(13)
    for n2 in (3, 8, 60):
        p = _random(rng, n2)
        a = broja_atoms(p)
        assert (a >= -1e-9).all()
        i1, i2, i12 = _mi(p.sum(1)), _mi(p.sum(0)), _mi(p.reshape(-1, 2))
        assert a[0] + a[2] == pytest.approx(i1, abs=1e-12)
        assert a[1] + a[2] == pytest.approx(i2, abs=1e-12)
        assert a[:4].sum() == pytest.approx(i12, abs=1e-12)


def test_no_mass_moving_cycle_lowers_the_minimum():
    """Optimality on larger joints: moving mass eps around a 2 x 2 cycle of cells
    (q(0,k,y) + eps, q(0,k',y) - eps, q(1,k,y) - eps, q(1,k',y) + eps) keeps both pair
    marginals; these moves span the polytope's directions, and I_q is convex, so no feasible
    move may lower I_q below the returned minimum."""
    rng = np.random.default_rng(14)
    for n2 in (3, 4, 6):
        p = _random(rng, n2)
        m, q = broja_min_joint_mi(p)
        for y in range(2):
            for k in range(n2):
                for k2 in range(k + 1, n2):
                    for eps in (1e-4, -1e-4):
                        move = np.zeros_like(q)
                        move[0, k, y], move[0, k2, y] = eps, -eps
                        move[1, k, y], move[1, k2, y] = -eps, eps
                        moved = q + move
                        if moved.min() < 0:
                            continue  # leaves the polytope
                        assert _mi(moved.reshape(-1, 2)) >= m - 1e-9


def test_batches_and_bad_shapes():
    rng = np.random.default_rng(15)
    joints = np.stack([_random(rng, 4) for _ in range(3)])
    np.testing.assert_allclose(broja_atoms(joints), np.stack([broja_atoms(j) for j in joints]))
    with pytest.raises(ValueError, match="shape"):
        broja_atoms(np.ones((2, 2)))
