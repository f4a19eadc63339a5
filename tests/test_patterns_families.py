"""Pattern families: deterministic by seed, nested loads, statistics that match the parameter,
clear errors, user registration, and no network access."""

import importlib.util
import socket

import numpy as np
import pytest

import amem.patterns as ap
from amem.errors import AmemError
from amem.patterns import make_patterns

HAVE_SKLEARN = importlib.util.find_spec("sklearn") is not None
HAVE_SKIMAGE = importlib.util.find_spec("skimage") is not None
needs_sklearn = pytest.mark.skipif(not HAVE_SKLEARN, reason="scikit-learn not installed")
needs_skimage = pytest.mark.skipif(not HAVE_SKIMAGE, reason="scikit-image not installed")

#: (family, params, N) for every built-in family
CASES = [
    ("random", {"bias": 0.3}, 100),
    ("markov", {"p": 0.8}, 100),
    ("markov", {"p": 0.8, "direction": "temporal"}, 100),
    ("features", {"alpha_d": 0.1}, 100),
    ("separated", {"separation": 0.2}, 100),
    pytest.param("digits", {}, 64, marks=needs_sklearn),
    ("letters", {}, 100),
    ("letters", {"chars": "upper", "fonts": "all"}, 144),
    pytest.param("lfw", {}, 100, marks=needs_skimage),
]


def _uncached():
    for fn in (ap.real.digits_images, ap.real.digits_items, ap.real.letter_items,
               ap.real.lfw_images, ap.real.lfw_items):
        fn.cache_clear()


@pytest.mark.parametrize("fam, params, n", CASES)
def test_family_is_deterministic_nested_and_bipolar(fam, params, n):
    a = make_patterns(fam, 20, n, 7, params)
    assert a.shape == (20, n) and a.dtype == np.int8 and set(np.unique(a)) <= {-1, 1}
    np.testing.assert_array_equal(a, make_patterns(fam, 20, n, 7, params))
    np.testing.assert_array_equal(a[:8], make_patterns(fam, 8, n, 7, params))  # loads nest
    assert not np.array_equal(a, make_patterns(fam, 20, n, 8, params))
    # the Generator form and keyword parameters give the same patterns
    np.testing.assert_array_equal(a, make_patterns(fam, 20, n, np.random.default_rng(7), **params))


@pytest.mark.parametrize("fam, params, n", CASES)
def test_family_runs_with_the_network_disabled(fam, params, n, monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("network disabled by the test")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    _uncached()  # data sets are read afresh, with the network off
    try:
        assert make_patterns(fam, 5, n, 0, params).shape == (5, n)
    finally:
        _uncached()


@pytest.mark.parametrize("bias", [-0.6, 0.0, 0.3, 0.8])
def test_bias_sets_the_mean_activity(bias):
    p, n = 400, 200
    a = make_patterns("random", p, n, 1, {"bias": bias})
    assert abs(a.mean() - bias) < 4 * np.sqrt((1 - bias ** 2) / (p * n))


@pytest.mark.parametrize("p", [0.5, 0.7, 0.85, 0.2])
def test_markov_p_sets_neighbour_agreement(p):
    rows, n = 300, 200
    spatial = make_patterns("markov", rows, n, 2, {"p": p})
    same = (spatial[:, 1:] == spatial[:, :-1]).mean()
    assert abs(same - p) < 4 * np.sqrt(p * (1 - p) / (rows * (n - 1)))
    temporal = make_patterns("markov", rows, n, 2, {"p": p, "direction": "temporal"})
    same_t = (temporal[1:] == temporal[:-1]).mean()
    assert abs(same_t - p) < 4 * np.sqrt(p * (1 - p) / ((rows - 1) * n))
    # the symmetric chain leaves every bit unbiased
    assert abs(spatial.mean()) < 0.05 and abs(temporal.mean()) < 0.05


def _features_twin(n_patterns, n_units, d, rng, latent):
    """Slow, obviously-correct twin of the random-features model: one pattern at a time."""
    f = rng.standard_normal((n_units, d))
    out = []
    for _ in range(n_patterns):
        z = rng.choice([-1.0, 1.0], size=d) if latent == "binary" else rng.standard_normal(d)
        out.append(np.where(f @ z >= 0, 1, -1))
    return np.array(out)


def _mean_square_unit_correlation(x):
    c = np.corrcoef(x.T.astype(float))
    off = c[~np.eye(len(c), dtype=bool)]
    return float(np.mean(off ** 2) - 1.0 / len(x))  # minus the sampling noise 1/P


@pytest.mark.parametrize("d, latent", [(3, "gaussian"), (30, "gaussian"), (3, "binary")])
def test_features_dimension_sets_the_unit_correlation(d, latent):
    n, p = 40, 2000
    params = {"d": d, "latent": latent}
    ours = np.mean([_mean_square_unit_correlation(make_patterns("features", p, n, s, params))
                    for s in range(4)])
    twin = np.mean([_mean_square_unit_correlation(
        _features_twin(p, n, d, np.random.default_rng(100 + s), latent)) for s in range(4)])
    assert ours == pytest.approx(twin, rel=0.2)
    # fewer latent dimensions, stronger correlation: about (2/pi)^2 / D for large D
    if d == 30:
        assert ours == pytest.approx((2 / np.pi) ** 2 / d, rel=0.35)


def test_binary_latents_give_at_most_2_to_the_d_patterns():
    x = make_patterns("features", 300, 50, 0, {"d": 4, "latent": "binary"})
    assert len(np.unique(x, axis=0)) <= 16
    assert len(np.unique(make_patterns("features", 300, 50, 0, {"d": 4}), axis=0)) > 100


def test_features_alpha_d_sets_d():
    assert ap.features.latent_dimension(100, 0.1) == 10
    a = make_patterns("features", 30, 100, 0, {"alpha_d": 0.1})
    b = make_patterns("features", 30, 100, 0, {"d": 10})
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("separation", [0.05, 0.2, 0.5])
def test_separated_patterns_sit_at_the_set_distance(separation):
    n, p = 200, 400
    x = make_patterns("separated", p, n, 3, {"separation": separation})
    k = ap.separated.flips_for_separation(separation, n)
    prototype = np.where(x.sum(axis=0) >= 0, 1, -1)  # majority vote recovers it when k < N/2
    if k < n // 2 - 10:
        np.testing.assert_array_equal((x != prototype).sum(axis=1), np.full(p, k))
    d = (x[:, None, :] != x[None, :, :]).sum(axis=2)[np.triu_indices(p, 1)] / n
    assert abs(d.mean() - 2 * (k / n) * (1 - k / n)) < 0.01
    assert abs(d.mean() - separation) < 0.01


@needs_sklearn
def test_digits_are_sklearns_digits_binarised():
    from sklearn.datasets import load_digits

    binarised = np.where(load_digits().data >= 8, 1, -1)
    x = make_patterns("digits", 50, 64, 0)
    assert len(np.unique(x, axis=0)) == 50  # distinct items
    rows = {r.tobytes() for r in binarised.astype(np.int8)}
    assert all(r.tobytes() in rows for r in x)
    assert ap.max_patterns("digits", 64) == len(np.unique(binarised, axis=0))


@needs_sklearn
def test_digits_errors():
    with pytest.raises(AmemError, match="N=64"):
        make_patterns("digits", 5, 100, 0)
    size = ap.max_patterns("digits", 64)
    with pytest.raises(AmemError, match=f"exceeds the {size} distinct items"):
        make_patterns("digits", size + 1, 64, 0)
    with pytest.raises(AmemError, match="threshold=17"):
        make_patterns("digits", 5, 64, 0, {"threshold": 17})


def test_letters_render_at_any_square_size():
    for k in (7, 10, 16):
        x = make_patterns("letters", 10, k * k, 0)
        assert len(np.unique(x, axis=0)) == 10
    capital_o = ap.real.glyph_coverage("O", "DejaVuSans", 10)
    assert capital_o[5, 5] < 0.5 and capital_o[0].max() > 0.5  # a ring: hollow, inked rim
    assert ap.max_patterns("letters", 100) <= 62
    with pytest.raises(AmemError, match="not a square"):
        make_patterns("letters", 3, 99, 0)
    with pytest.raises(AmemError, match="chars='greek'"):
        make_patterns("letters", 3, 100, 0, {"chars": "greek"})
    size = ap.max_patterns("letters", 100, {"chars": "upper"})
    with pytest.raises(AmemError, match="exceeds"):
        make_patterns("letters", size + 1, 100, 0, {"chars": "upper"})


@needs_skimage
def test_lfw_is_median_binarised():
    x = make_patterns("lfw", 40, 625, 0)
    assert abs((x == 1).mean() - 0.5) < 0.02
    with pytest.raises(AmemError, match="25 x 25 images at most"):
        make_patterns("lfw", 3, 900, 0)


def test_area_resample_keeps_the_mean():
    image = np.random.default_rng(0).random((25, 25))
    small = ap.real.area_resample(image, 10, 10)
    assert small.mean() == pytest.approx(image.mean())
    np.testing.assert_allclose(ap.real.area_resample(image, 25, 25), image)


@pytest.mark.parametrize("call, message", [
    (lambda: make_patterns("nope", 3, 10, 0), "unknown pattern family 'nope'"),
    (lambda: make_patterns("markv", 3, 10, 0), "did you mean 'markov'"),
    (lambda: make_patterns("markov", 3, 10, 0, {"q": 1}), "unknown parameter 'q'"),
    (lambda: make_patterns("markov", 3, 10, 0, {"p": 1.5}), "p=1.5 must be <= 1.0"),
    (lambda: make_patterns("markov", 3, 10, 0, {"direction": "up"}), "direction='up'"),
    (lambda: make_patterns("random", 3, 10, 0, {"bias": 1}), "bias=1"),
    (lambda: make_patterns("features", 3, 10, 0, {"d": 0}), "d \\(latent dimensions\\)=0"),
    (lambda: make_patterns("separated", 3, 10, 0, {"separation": 0.7}), "separation=0.7"),
    (lambda: make_patterns("features", 3, 10, 0, 0.5), "takes named parameters"),
])
def test_bad_input_is_one_clear_line(call, message):
    with pytest.raises(AmemError, match=message) as err:
        call()
    assert "\n" not in str(err.value)


def test_legacy_number_and_identity_params():
    np.testing.assert_array_equal(make_patterns("random", 5, 20, 0, 0.4),
                                  make_patterns("random", 5, 20, 0, {"bias": 0.4}))
    assert ap.identity_params("markov", {"p": 0.5}) is None  # defaults identify nothing
    assert ap.identity_params("random", None) is None
    assert ap.identity_params("markov", {"p": 0.7}) == {"p": 0.7}


def test_user_registered_family():
    @ap.register("checker-test", defaults={"phase": 0})
    def checker(n_patterns, n_units, rng, phase):
        """Checkerboards shifted by a random offset per pattern."""
        shift = rng.integers(0, 2, size=(n_patterns, 1))
        return np.where((np.arange(n_units)[None, :] + shift + phase) % 2 == 0, 1, -1)

    try:
        assert "checker-test" in ap.list_families()
        x = make_patterns("checker-test", 4, 6, 0, {"phase": 1})
        assert x.shape == (4, 6) and (x[:, 1:] != x[:, :-1]).all()
        with pytest.raises(AmemError, match="already registered"):
            ap.register("checker-test", checker)
        with pytest.raises(AmemError, match="unknown parameter 'phas'"):
            make_patterns("checker-test", 4, 6, 0, {"phas": 1})
    finally:
        ap.unregister("checker-test")
