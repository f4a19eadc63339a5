"""The covariance rule with a threshold, for biased (low- or high-activity) patterns."""

from __future__ import annotations

import numpy as np

from amem.base import ModelTags
from amem.errors import AmemError
from amem.recurrent import RecurrentMemory
from amem.validation import check_bool, check_choice, check_float

CENTRES = ("global", "unit")


class CovarianceHopfield(RecurrentMemory):
    r"""Hopfield network with the covariance rule and its threshold (Tsodyks & Feigel'man 1988).

    M. V. Tsodyks & M. V. Feigel'man, "The enhanced storage capacity in neural networks with low
    activity level", Europhys. Lett. 6:101 (1988); the same subtraction of the bias a from each
    pattern is the "modified model" of D. J. Amit, H. Gutfreund & H. Sompolinsky, "Information
    storage in neural networks with low levels of activity", Phys. Rev. A 35:2293 (1987).

    .. math:: W_{ij} = \frac{1}{N} \sum_\mu (\xi_i^\mu - a_i)(\xi_j^\mu - a_j), \quad W_{ii} = 0,
              \qquad s_i \leftarrow \mathrm{sign}\Big(\sum_j W_{ij} s_j + \theta_i\Big)

    The plain Hebbian rule fails on biased patterns: every pattern overlaps every other by
    about a^2, so the crosstalk has a mean (P-1) a^3 and a variance (P-1) a^4 (1-a^2) that do not
    shrink with N (AGS 1987: at most a handful of patterns is retrievable). Subtracting the mean
    activity removes both. The signal a stored pattern then sends to unit i is
    :math:`(\xi_i - a_i) q` with :math:`q = \frac1N\sum_j (1 - a_j^2)`, i.e. :math:`(1-a_i)q` for
    a +1 bit and :math:`-(1+a_i)q` for a -1 bit; the threshold is placed midway between the two,
    as Tsodyks & Feigel'man place theirs between the fields of active and silent units:
    :math:`\theta_i = a_i q` (``threshold="midpoint"``). Both bits then have margin q against a
    crosstalk of standard deviation :math:`\sqrt{P/N}\, q`, the signal-to-noise ratio of the
    unbiased Hopfield model: the capacity is restored to the unbiased value at any bias.

    Parameters
    ----------
    centre : {"global", "unit"}
        ``"global"`` (the papers): a is the mean activity of all stored bits, one number;
        ``"unit"``: :math:`a_i` is unit i's own mean over the stored patterns (the covariance rule
        proper; suits images, whose pixels have very different means).
    activity : float or None
        The bias a (mean of the ±1 patterns) when it is known, as in the papers; None
        (default) estimates it from the stored patterns. Only with ``centre="global"``.
    threshold : "midpoint" or float
        ``"midpoint"``: :math:`\theta_i = a_i q` as above; a number: that threshold on every unit
        (0 switches it off).
    self_coupling : bool
        Keep :math:`W_{ii}` (default False).
    update : {"sync", "async"}
        Ties (zero field) keep the old state.
    seed : int
        Seeds the asynchronous visiting orders.
    """

    tags = ModelTags(incremental=True, recurrent_weights=True)

    def __init__(self, *, centre: str = "global", activity: float | None = None,
                 threshold="midpoint", self_coupling: bool = False, update: str = "sync",
                 seed: int = 0) -> None:
        super().__init__(seed=seed, update=update)
        self.centre = check_choice("centre", centre, CENTRES)
        if activity is not None:
            if centre != "global":
                raise AmemError("activity= is the global bias; use it with centre='global'")
            activity = check_float("activity", activity, low=-1.0, high=1.0, low_open=True,
                                   high_open=True)
        self.activity = activity
        if isinstance(threshold, str):
            check_choice("threshold", threshold, ("midpoint",))
        else:
            threshold = check_float("threshold", threshold)
        self.threshold = threshold
        self.self_coupling = check_bool("self_coupling", self_coupling)

    def _add(self, new_patterns: np.ndarray) -> None:
        # Sufficient statistics (exact integers): sum of outer products and per-unit sums.
        x = new_patterns.astype(np.int64)
        products, sums = x.T @ x, x.sum(axis=0)
        if getattr(self, "products_", None) is None:
            self.products_, self.sums_, self.count_ = products, sums, 0
        else:
            self.products_, self.sums_ = self.products_ + products, self.sums_ + sums
        self.count_ += len(x)
        self._couplings_changed()

    @property
    def centres_(self) -> np.ndarray:
        """a_i (N,): the activity subtracted from unit i."""
        self._check_stored()
        if self.centre == "unit":
            return self.sums_ / self.count_
        a = self.activity if self.activity is not None else self.sums_.sum() / self.sums_.size / self.count_
        return np.full(self.n_units_, float(a))

    @property
    def weights_(self) -> np.ndarray:
        """W (N, N): (1/N) sum_mu (xi_i - a_i)(xi_j - a_j), diagonal zero unless self_coupling."""
        self._check_stored()
        a, p = self.centres_, self.count_
        # sum_mu (x_i - a_i)(x_j - a_j) = S_ij - a_i s_j - s_i a_j + P a_i a_j
        w = (self.products_ - np.outer(a, self.sums_) - np.outer(self.sums_, a)
             + p * np.outer(a, a)) / self.n_units_
        if not self.self_coupling:
            np.fill_diagonal(w, 0.0)
        return w

    @property
    def bias_(self) -> np.ndarray:
        """theta (N,): the threshold added to every field."""
        self._check_stored()
        if self.threshold != "midpoint":
            return np.full(self.n_units_, float(self.threshold))
        a = self.centres_
        return a * np.mean(1.0 - a ** 2)
