"""amem.pid.decompose / sx_atoms against independent computations (gates, random joints)."""

import math

import numpy as np
import pytest
from naive_pid import sx_atoms_pointwise

from amem import AmemError
from amem.pid import ATOM_NAMES, decompose, sx_atoms

log2 = math.log2


def _hb(x):
    return -x * log2(x) - (1 - x) * log2(1 - x)


def _joint(rows, shape):
    """p[s1, s2, y] from (s1, s2, y, probability) rows."""
    p = np.zeros(shape)
    for s1, s2, y, w in rows:
        p[s1, s2, y] += w
    return p


UNIFORM = [(a, b) for a in (0, 1) for b in (0, 1)]
# Each gate: its joint and the atoms derived by hand from the SX definition (not from the code):
# union events P(S1=a or S2=b) = 3/4 for independent uniform bits, etc.
GATES = {
    "xor": (_joint([(a, b, a ^ b, 0.25) for a, b in UNIFORM], (2, 2, 2)),
            [log2(3 / 2), log2(3 / 2), log2(2 / 3), log2(4 / 3), 0.0]),
    "and": (_joint([(a, b, a & b, 0.25) for a, b in UNIFORM], (2, 2, 2)),
            [_hb(0.25) - 0.5 - 0.5 * log2(32 / 27)] * 2
            + [0.5 * log2(32 / 27), _hb(0.25) - 2 * (_hb(0.25) - 0.5) + 0.5 * log2(32 / 27), 0.0]),
    "copy_one": (_joint([(a, b, a, 0.25) for a, b in UNIFORM], (2, 2, 2)),
                 [1 - log2(4 / 3), -log2(4 / 3), log2(4 / 3), log2(4 / 3), 0.0]),
    "copy_both": (_joint([(a, b, 2 * a + b, 0.25) for a, b in UNIFORM], (2, 2, 4)),
                  [1 - log2(4 / 3), 1 - log2(4 / 3), log2(4 / 3), log2(4 / 3), 0.0]),
    "redundant_copy": (_joint([(a, a, a, 0.5) for a in (0, 1)], (2, 2, 2)), [0, 0, 1.0, 0, 0]),
    "noisy_copy": (_joint([(a, b, y, 0.25 * (0.9 if y == a else 0.1)) for a, b in UNIFORM for y in (0, 1)],
                          (2, 2, 2)), None),
}

SHAPES = [(2, 2, 2), (3, 2, 2), (2, 4, 3), (5, 3, 4), (4, 4, 2), (2, 60, 2)]


def _random_joint(shape, seed, sparsity=0.0):
    rng = np.random.default_rng(seed)
    p = rng.dirichlet(np.full(int(np.prod(shape)), 0.7)).reshape(shape)
    if sparsity:
        p[rng.random(shape) < sparsity] = 0.0
        p[(0,) * len(shape)] += 0.05  # never all zero
    return p / p.sum()


@pytest.mark.parametrize("gate", sorted(GATES))
def test_gates_match_pointwise_reference_and_hand_values(gate):
    p, expected = GATES[gate]
    got = decompose(p).as_array()
    np.testing.assert_allclose(got, sx_atoms_pointwise(p), atol=1e-9, rtol=0)
    if expected is not None:
        np.testing.assert_allclose(got, expected, atol=1e-9, rtol=0)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_random_joints_match_pointwise_reference(shape, seed):
    p = _random_joint(shape, seed, sparsity=0.3 if seed == 2 else 0.0)
    if shape == (2, 60, 2) and seed:
        pytest.skip("one big-alphabet case is enough for the slow reference")
    np.testing.assert_allclose(decompose(p).as_array(), sx_atoms_pointwise(p), atol=1e-9, rtol=0)


def _dit_atoms(p):
    dit = pytest.importorskip("dit")
    from dit.pid import PID_SX
    from dit.shannon import conditional_entropy

    idx = np.argwhere(p > 0)
    d = dit.Distribution([tuple(int(v) for v in i) for i in idx], [float(p[tuple(i)]) for i in idx])
    pid = PID_SX(d, [[0], [1]], [2])
    return np.array([pid.get_pi(((0,),)), pid.get_pi(((1,),)), pid.get_pi(((0,), (1,))),
                     pid.get_pi(((0, 1),)), conditional_entropy(d, [2], [0, 1])])


@pytest.mark.parametrize("case", sorted(GATES) + [f"random{s}" for s in SHAPES[:5]])
def test_matches_dit_pid_sx_when_installed(case):
    p = GATES[case][0] if case in GATES else _random_joint(eval(case[6:]), 7, sparsity=0.2)
    np.testing.assert_allclose(decompose(p).as_array(), _dit_atoms(p / p.sum()), atol=1e-9, rtol=0)


def test_atoms_add_up_to_entropy_and_mutual_information():
    p = _random_joint((3, 4, 3), 5)
    u1, u2, red, syn, hres = decompose(p).as_array()
    py = p.sum((0, 1))
    hy = -(py * np.log2(py)).sum()
    ps = p.sum(-1, keepdims=True)
    mi = (p * np.log2(p / (ps * py))).sum()
    assert u1 + u2 + red + syn == pytest.approx(mi, abs=1e-12)
    assert u1 + u2 + red + syn + hres == pytest.approx(hy, abs=1e-12)
    p1 = p.sum(1)
    mi1 = (p1 * np.log2(p1 / (p1.sum(-1, keepdims=True) * py))).sum()
    assert u1 + red == pytest.approx(mi1, abs=1e-12)


def test_swapping_sources_swaps_unique_atoms():
    p = _random_joint((3, 5, 2), 11)
    a, b = decompose(p).as_array(), decompose(p.transpose(1, 0, 2)).as_array()
    np.testing.assert_allclose(b, a[[1, 0, 2, 3, 4]], atol=1e-12)


def test_counts_are_normalised():
    p = _random_joint((2, 3, 2), 3)
    np.testing.assert_allclose(decompose(p * 37).as_array(), decompose(p).as_array(), atol=1e-12)


def test_batched_sx_atoms_equal_one_by_one():
    ps = np.stack([_random_joint((3, 4, 2), s) for s in range(6)]).reshape(2, 3, 3, 4, 2)
    batched = sx_atoms(ps)
    assert batched.shape == (2, 3, 5)
    for i in range(2):
        for j in range(3):
            np.testing.assert_allclose(batched[i, j], decompose(ps[i, j]).as_array(), atol=1e-12)


def test_torch_sx_atoms_agree_with_numpy_and_have_correct_gradients():
    torch = pytest.importorskip("torch")
    ps = np.stack([_random_joint((3, 4, 2), s) for s in range(4)])
    t = torch.tensor(ps, requires_grad=True)
    np.testing.assert_allclose(sx_atoms(t).detach().numpy(), sx_atoms(ps), atol=1e-12)
    # strictly positive cells: every atom is smooth, so gradcheck compares with finite differences
    assert torch.autograd.gradcheck(lambda x: sx_atoms(x), (t,), eps=1e-7, atol=1e-6)


def test_torch_gradient_is_finite_with_empty_cells():
    torch = pytest.importorskip("torch")
    p = torch.tensor(GATES["xor"][0], requires_grad=True)
    sx_atoms(p)[..., 2].backward()
    assert torch.isfinite(p.grad).all()


def test_atom_names_order():
    assert ATOM_NAMES == ("unique_1", "unique_2", "redundancy", "synergy", "residual_entropy")


@pytest.mark.parametrize(("bad", "match"), [
    (-np.ones((2, 2, 2)), "negative"),
    (np.full((2, 2, 2), np.nan), "NaN"),
    (np.zeros((2, 2, 2)), "all zeros"),
    (np.ones((2, 2)), "shape"),
    (np.ones((2, 2, 2, 2)), "shape"),
    (np.ones((0, 2, 2)), "empty"),
])
def test_decompose_refuses_bad_input(bad, match):
    with pytest.raises(AmemError, match=match):
        decompose(bad)
