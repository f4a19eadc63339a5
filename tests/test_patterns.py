import numpy as np
import pytest

from amem.errors import AmemError
from amem.patterns import flip_cues, markov_patterns, n_flips, partial_cues, random_patterns


def test_random_patterns_shape_values_and_seed():
    a = random_patterns(50, 40, 3)
    assert a.shape == (50, 40) and a.dtype == np.int8 and set(np.unique(a)) == {-1, 1}
    np.testing.assert_array_equal(a, random_patterns(50, 40, 3))
    assert abs(a.mean()) < 0.1


def test_patterns_are_nested_across_loads():
    np.testing.assert_array_equal(random_patterns(30, 20, 5)[:10], random_patterns(10, 20, 5))
    np.testing.assert_array_equal(markov_patterns(30, 20, 5, 0.7)[:10], markov_patterns(10, 20, 5, 0.7))


def test_bias_sets_the_fraction_of_plus_ones():
    a = random_patterns(400, 100, 0, bias=0.6)
    assert abs((a == 1).mean() - 0.8) < 0.01
    with pytest.raises(AmemError, match="bias"):
        random_patterns(2, 2, 0, bias=1.0)


def test_markov_correlation():
    a = markov_patterns(500, 100, 1, p_same=0.8)
    same = (a[:, 1:] == a[:, :-1]).mean()
    assert abs(same - 0.8) < 0.01
    assert abs((markov_patterns(500, 100, 1, 0.5)[:, 1:] == markov_patterns(500, 100, 1, 0.5)[:, :-1]).mean() - 0.5) < 0.01


@pytest.mark.parametrize("noise", [0.0, 0.1, 0.137, 0.5, 1.0])
def test_flip_cues_flip_exactly_round_fn_bits(noise):
    p = random_patterns(30, 73, 2)
    cues = flip_cues(p, noise, 4)
    k = round(noise * 73)
    assert n_flips(noise, 73) == k
    np.testing.assert_array_equal((cues != p).sum(axis=1), np.full(30, k))
    assert not np.shares_memory(cues, p)


def test_partial_cues_mask():
    p = random_patterns(20, 50, 2)
    cues, mask = partial_cues(p, 0.4, 3, return_mask=True)
    assert (mask.sum(axis=1) == 20).all()
    np.testing.assert_array_equal(cues[~mask], p[~mask])
    assert 0.3 < (cues[mask] != p[mask]).mean() < 0.7  # unknown bits are coin flips
