"""Bad input gets a clear one-line AmemError naming the value and the fix."""

import numpy as np
import pytest

import amem
from amem.errors import AmemError, NotStoredError
from amem.patterns import flip_cues, random_patterns


@pytest.mark.parametrize("bad, match", [
    (np.array([[1, 0, -1]]), r"contains 0 at index \(0, 1\); values must be -1 or \+1"),
    (np.array([[1.0, np.nan, -1.0]]), "contains NaN"),
    (np.array([1, -1, 1]), r"ndim 1.*x\[None, :\]"),
    (np.ones((2, 2, 2)), "ndim 3"),
    (np.ones((0, 5)), "is empty"),
    (np.ones((3, 0)), "is empty"),
    (np.array([[True, False]]), "boolean"),
    (np.array([["a", "b"]]), "dtype"),
    ([[1, -1], [1]], "ragged|could not be read"),
    (np.array([[2, -1]]), "contains 2"),
])
def test_store_rejects(bad, match):
    with pytest.raises(AmemError, match=match) as info:
        amem.make("hebbian").store(bad)
    assert "\n" not in str(info.value)


def test_recall_checks_n_against_store():
    model = amem.make("hebbian").store(random_patterns(2, 10, 0))
    with pytest.raises(AmemError, match=r"have 12 units but the model stores 10-unit.*\(M, 10\)"):
        model.recall(np.ones((1, 12)))


def test_second_store_must_match_n():
    model = amem.make("hebbian").store(random_patterns(2, 10, 0))
    with pytest.raises(AmemError, match="10-unit"):
        model.store(random_patterns(2, 11, 0))


def test_recall_before_store():
    with pytest.raises(NotStoredError, match="call model.store"):
        amem.make("hebbian").recall(np.ones((1, 4)))


def test_max_steps_must_be_positive():
    model = amem.make("hebbian").store(random_patterns(2, 10, 0))
    with pytest.raises(AmemError, match="max_steps=0"):
        model.recall(random_patterns(1, 10, 1), max_steps=0)


@pytest.mark.parametrize("noise", [-0.1, 1.5, float("nan")])
def test_noise_out_of_range(noise):
    with pytest.raises(AmemError, match="noise"):
        flip_cues(random_patterns(2, 10, 0), noise)


def test_harness_refuses_load_rounding_to_zero():
    from amem.harness.sweep import SweepConfig

    with pytest.raises(AmemError, match="rounds to 0 patterns"):
        SweepConfig(models=[("hebbian", {})], n_units=[100], alphas=[0.004]).validate()
