"""Random-features patterns: signs of random combinations of D hidden features."""

from __future__ import annotations

import numpy as np

from amem.patterns.registry import _rng, register
from amem.validation import check_choice, check_float, check_int


def latent_dimension(n_units: int, alpha_d: float, d: int | None = None) -> int:
    """D: ``d`` when given, else round(alpha_d * N), at least 1."""
    return int(d) if d is not None else max(1, round(alpha_d * n_units))


LATENTS = ("gaussian", "binary")


def feature_patterns(n_patterns: int, n_units: int, seed=None, alpha_d: float = 0.2,
                     d: int | None = None, latent: str = "gaussian") -> np.ndarray:
    r"""Random-features patterns :math:`\xi^\mu = \mathrm{sign}(F z^\mu)` (Negri, Lauditi,
    Perugini, Lucibello & Malatesta, "Storage and learning phase transitions in the
    random-features Hopfield model", Phys. Rev. Lett. 131:257301, 2023).

    F is an (N, D) matrix of i.i.d. standard Gaussian features (one per seed, shared by every
    pattern) and each pattern has its own latent vector :math:`z^\mu` of D i.i.d. standard
    Gaussian (``latent="gaussian"``) or ±1 (``latent="binary"``) coefficients. Binary
    coefficients give at most :math:`2^D` distinct patterns (D = 5: 32), so small alpha_D at small
    N repeats patterns; Gaussian ones never do. (The sign makes the scale of F and z irrelevant.)
    The load of the hidden manifold is alpha_D = D / N: small alpha_D means few features and
    strongly correlated units (unit-unit correlation about :math:`(2/\pi)\arcsin\rho` with
    :math:`\rho` the cosine of two feature rows, of order :math:`1/\sqrt{D}`); large alpha_D
    approaches independent patterns. ``d`` (when given) sets D directly and overrides
    ``alpha_d``. F is drawn first, then z row by row: loads nest.
    """
    check_int("n_patterns", n_patterns, 1)
    check_int("n_units", n_units, 1)
    dim = latent_dimension(n_units, alpha_d, d)
    rng = _rng(seed)
    features = rng.standard_normal((n_units, dim))
    if latent == "binary":
        latent = np.where(rng.random((n_patterns, dim)) < 0.5, 1.0, -1.0)
    else:
        latent = rng.standard_normal((n_patterns, dim))
    fields = latent @ features.T
    # A zero field has probability zero with Gaussian features; map it to +1 all the same.
    return np.where(fields >= 0, 1, -1).astype(np.int8)


def _check(params: dict) -> dict:
    alpha_d = check_float("alpha_d", params["alpha_d"], low=0.0, low_open=True)
    d = None if params["d"] is None else check_int("d (latent dimensions)", params["d"], 1)
    return {"alpha_d": alpha_d, "d": d,
            "latent": check_choice("latent", params["latent"], LATENTS)}


def _generate(n_patterns, n_units, rng, alpha_d, d, latent):
    return feature_patterns(n_patterns, n_units, rng, alpha_d=alpha_d, d=d, latent=latent)


register("features", _generate, defaults={"alpha_d": 0.2, "d": None, "latent": "gaussian"},
         check=_check,
         description="random-features patterns sign(F z), D = alpha_d*N hidden features",
         reference="Negri, Lauditi, Perugini, Lucibello & Malatesta, PRL 131:257301 (2023)")
