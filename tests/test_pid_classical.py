"""The closed-form MMI, Williams-Beer and PM measures (amem/pid/classical.py) against dit.

dit (PID_MMI, PID_WB, PID_PM) is the slow, independent twin; textbook joints pin the values
without it.
"""

import numpy as np
import pytest

from amem.pid.classical import MEASURES, classical_atoms


def _joint(rule, n=2):
    """Joint of two uniform sources on n values and Y = rule(s1, s2) in {0, 1}."""
    j = np.zeros((n, n, 2))
    for a in range(n):
        for b in range(n):
            j[a, b, rule(a, b)] = 1.0 / n**2
    return j


def _random_joints(rng, count):
    """Joints of the infomorphic kind and rougher ones: uneven sizes, empty cells, a
    deterministic output, an unused source value."""
    out = []
    for k in range(count):
        n1, n2 = int(rng.integers(2, 4)), int(rng.integers(2, 9))
        p = rng.random((n1, n2, 2)) ** 3
        p[rng.random(p.shape) < 0.3] = 0.0
        if k % 5 == 0:
            p[:, :, 0] = 0.0  # Y constant
        if k % 7 == 0:
            p[0] = 0.0  # a source value never occurs
        p.flat[0] += 1e-3  # never all zero
        out.append(p / p.sum())
    return out


@pytest.mark.parametrize("measure", MEASURES)
def test_closed_forms_equal_dit(measure):
    pytest.importorskip("dit")
    from amem.harness.pid_measures import dit_atoms

    rng = np.random.default_rng(3)
    for p in _random_joints(rng, 40):
        np.testing.assert_allclose(classical_atoms(p, measure), dit_atoms(p, measure),
                                   atol=1e-10, rtol=0)


@pytest.mark.parametrize("measure", MEASURES)
def test_textbook_joints(measure):
    xor = classical_atoms(_joint(lambda a, b: a ^ b), measure)
    np.testing.assert_allclose(xor, [0, 0, 0, 1, 0], atol=1e-12)
    same = np.zeros((2, 2, 2))
    same[0, 0, 0] = same[1, 1, 1] = 0.5  # S1 = S2 = Y
    np.testing.assert_allclose(classical_atoms(same, measure), [0, 0, 1, 0, 0], atol=1e-12)
    copy1 = classical_atoms(_joint(lambda a, b: a), measure)  # Y = S1, S2 independent noise
    if measure == "pm":
        # by hand: every outcome has h(s1) = h(s2) = 1, h(s1|y) = 0, h(s2|y) = 1, so R = 1 - 0;
        # I1 = I12 = 1, I2 = 0: unique_1 = 0, unique_2 = -1, synergy = 1 - 1 - 0 + 1 = 1
        np.testing.assert_allclose(copy1, [0, -1, 1, 1, 0], atol=1e-12)
    else:
        np.testing.assert_allclose(copy1, [1, 0, 0, 0, 0], atol=1e-12)


def test_atoms_sum_to_the_informations():
    """unq1 + red = I1, unq1 + unq2 + red + syn = I12, and + res = H(Y), for every measure."""
    rng = np.random.default_rng(5)
    p = np.stack(_random_joints(rng, 12)[:1] * 3)  # a batch of identical joints works too
    for measure in MEASURES:
        a = classical_atoms(p, measure)
        assert a.shape == (3, 5)
        np.testing.assert_allclose(a[0], a[2])
        mmi = classical_atoms(p, "mmi")
        # I1 and I12 do not depend on the measure
        np.testing.assert_allclose(a[:, 0] + a[:, 2], mmi[:, 0] + mmi[:, 2], atol=1e-12)
        np.testing.assert_allclose(a[:, :4].sum(-1), mmi[:, :4].sum(-1), atol=1e-12)
        np.testing.assert_allclose(a.sum(-1), mmi.sum(-1), atol=1e-12)


def test_a_batch_equals_one_by_one():
    rng = np.random.default_rng(7)
    joints = [p for p in _random_joints(rng, 30) if p.shape == (2, 4, 2)][:5]
    batch = np.stack(joints)
    for measure in MEASURES:
        np.testing.assert_allclose(classical_atoms(batch, measure),
                                   np.stack([classical_atoms(p, measure) for p in joints]))


def test_bad_input_is_one_clear_error():
    with pytest.raises(ValueError, match="shape"):
        classical_atoms(np.ones((2, 2)), "wb")
    with pytest.raises(ValueError, match="choose from"):
        classical_atoms(np.ones((2, 2, 2)) / 8, "broja")


def test_probe_uses_the_closed_forms_without_dit(monkeypatch):
    """The pid-measures probe needs no dit: WB/PM/MMI in closed form, BROJA by amem's programme."""
    import builtins

    from amem.harness.pid_measures import check_probe_params

    real_import = builtins.__import__

    def no_dit(name, *args, **kwargs):
        if name == "dit" or name.startswith("dit."):
            raise ImportError("no dit here")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_dit)
    check_probe_params({"measures": ["sx", "wb", "pm", "mmi", "broja"], "neurons": 3})
