"""Image cues: occlusion (a block or a side), salt-and-pepper, and the cue dispatch."""

import numpy as np
import pytest

from amem.errors import AmemError
from amem.patterns import (
    CUE_KINDS,
    make_cues,
    make_patterns,
    occlusion_cues,
    partial_cues,
    salt_pepper_cues,
)


@pytest.fixture
def images():
    return make_patterns("random", 30, 100, 0)


@pytest.mark.parametrize("fraction", [0.1, 0.25, 0.5])
def test_block_occlusion_masks_one_contiguous_rectangle(images, fraction):
    cues, mask = occlusion_cues(images, fraction, 1, where="block", fill=-1, return_mask=True)
    side = round(np.sqrt(fraction) * 10)
    for cue, m, x in zip(cues, mask.reshape(-1, 10, 10), images):
        rows, cols = np.nonzero(m)
        assert m.sum() == side * side  # about fraction * N pixels
        assert m[rows.min():rows.max() + 1, cols.min():cols.max() + 1].all()  # a full rectangle
        np.testing.assert_array_equal(cue.reshape(10, 10)[m], -1)
        np.testing.assert_array_equal(cue.reshape(10, 10)[~m], x.reshape(10, 10)[~m])
    tops = {np.nonzero(m)[0].min() for m in mask.reshape(-1, 10, 10)}
    assert len(tops) > 1  # positions vary from cue to cue


def test_half_occlusion_hides_half_of_the_image(images):
    _, mask = occlusion_cues(images, 0.5, 2, where="bottom", return_mask=True)
    expected = np.zeros((10, 10), bool)
    expected[5:] = True
    assert (mask.reshape(-1, 10, 10) == expected).all()
    _cues, mask = occlusion_cues(images, 0.5, 2, where="side", return_mask=True)
    assert (mask.sum(axis=1) == 50).all()
    assert len({m.tobytes() for m in mask}) > 1  # random sides


def test_occlusion_random_fill_is_coin_flips(images):
    cues, mask = occlusion_cues(np.ones((200, 100), np.int8), 0.5, 3, where="top",
                                return_mask=True)
    assert abs((cues[mask] == 1).mean() - 0.5) < 0.03
    assert (cues[~mask] == 1).all()


def test_occlusion_on_rectangular_images():
    x = make_patterns("random", 4, 8 * 12, 0)
    _cues, mask = occlusion_cues(x, 0.25, 0, shape=(8, 12), where="left", return_mask=True)
    assert (mask.reshape(4, 8, 12)[:, :, :3]).all() and mask.sum() == 4 * 8 * 3
    with pytest.raises(AmemError, match="not a square number"):
        occlusion_cues(x, 0.25, 0)
    with pytest.raises(AmemError, match="shape=\\(9, 12\\)"):
        occlusion_cues(x, 0.25, 0, shape=(9, 12))


def test_salt_and_pepper(images):
    cues, mask = salt_pepper_cues(images, 0.2, 4, return_mask=True)
    assert (mask.sum(axis=1) == 20).all()
    np.testing.assert_array_equal(cues[~mask], images[~mask])
    salt = salt_pepper_cues(images, 0.2, 4, salt=1.0, return_mask=True)
    assert (salt[0][salt[1]] == 1).all()
    # salt=0.5 has the distribution of unknown bits (partial cues)
    wrong_sp = (salt_pepper_cues(images, 0.3, 5) != images).mean()
    wrong_partial = (partial_cues(images, 0.3, 5) != images).mean()
    assert abs(wrong_sp - 0.15) < 0.03 and abs(wrong_partial - 0.15) < 0.03


@pytest.mark.parametrize("kind", CUE_KINDS)
def test_make_cues_is_deterministic_and_leaves_input_alone(images, kind):
    before = images.copy()
    a = make_cues(kind, images, 0.3, 9)
    np.testing.assert_array_equal(a, make_cues(kind, images, 0.3, 9))
    np.testing.assert_array_equal(images, before)
    assert (a != images).any()
    np.testing.assert_array_equal(make_cues(kind, images, 0.0, 9), images)


def test_unknown_cue_kind(images):
    with pytest.raises(AmemError, match="cue='blur'"):
        make_cues("blur", images, 0.1)
