"""What a study's trials cost on this machine: measured where records exist, projected otherwise.

*Measured*: a record's ``store_s + recall_s`` (wall seconds of its trial on one executor slot,
i.e. about one core: on this 2-core machine two slots run at once). Probe records carry
``store_s`` only, so their measured cost is a lower bound.

*Projected* (the per-network-epoch model, for trials without a record of this code):

* infomorphic training: ``s_epoch(N) = r100 * (N / 100)^2`` seconds per network-epoch, with
  ``r100`` the pooled rate of the study's own fixed-binning infomorphic records (sum of store_s
  over sum of network-epochs scaled to N = 100; N^2 because the fields and the histogram grow as
  N^2 per epoch: a fit over N = 50 ... 400 records gave exponent 2.1). Soft (marginal) binning
  costs ``soft_factor(n_bins)`` times more per epoch, about ``SOFT_FACTOR_PER_BIN`` per bin of
  the recurrent source (closed-form soft kernel, measured on this machine 2026-12-05, 4 networks
  at N = 100, P = 160, one thread: 0.68 ms with 10 bins and 4.06 ms with 60 against 0.165 ms
  with fixed bins per network-epoch; autograd, the path before that kernel, took 19.6 ms at 10);
* a sweep with records of its own is priced at its own measured rate instead;
* network-epochs of a trial: the mean network-epochs at the same load of the study's redundancy
  curve at N = 100 (the profile), shifted by the item's expected capacity minus the profile's
  (the published capacity when the item has one, else ``DEFAULT_ALPHA_C``): a trial above its
  capacity trains every epoch (no checkpoint stores it), one below stops at an early checkpoint;
* a model without training (Hebbian, Descent L2, MPF): the mean trial time of its records in the
  study, scaled by (N / N_records)^2;
* probes: noise-robustness recalls once per noise level (its records' recall time each);
  pid-measures adds, per neuron, each measure's cost (``PID_S_PER_NEURON``, measured on this
  machine: BROJA's convex programme dominates); pid-anatomy adds ``PID_S_PER_BIN_COUNT`` per bin count.

Read projections to a factor ~2-4: the measured rates themselves differ that much between runs
on this shared machine (load average 1-11).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

SOFT_FACTOR_PER_BIN = 0.41


def soft_factor(n_bins: int | None = None) -> float:
    """Cost of a soft-binning epoch over a fixed-binning one (``n_bins``: the recurrent
    source's bins, default the model's)."""
    from amem.models.infomorphic import DEFAULT_BINS

    return SOFT_FACTOR_PER_BIN * (n_bins or DEFAULT_BINS["soft"])


DEFAULT_ALPHA_C = 1.6  # infomorphic, redundancy goal (amem: 1.623)
DEFAULT_EPOCHS = 5000
# WB, PM and MMI in closed form (amem/pid/classical.py): about 10 us per neuron; BROJA by
# amem/pid/broja.py's convex programme: 0.2-2 s (2026-12-05; through dit they took 5.2, 0.15,
# 0.04 and 212 s).
PID_S_PER_NEURON = {"sx": 0.0, "wb": 1e-5, "pm": 1e-5, "mmi": 1e-5, "broja": 1.0}
PID_S_PER_BIN_COUNT = 0.05  # stated, not measured: the Hebbian anatomy of one bin count
FALLBACK_TRIAL_S = 0.01  # a non-training model with no record anywhere in the study
#: the authors' code: CPU per network-epoch at N = 100 on one thread (spec §7/§10)
AUTHORS_S_PER_EPOCH = (0.007, 0.013)


def _trial_s(r: dict) -> float:
    return float(r.get("store_s") or 0.0) + float(r.get("recall_s") or 0.0)


def _epochs(r: dict) -> int:
    d = r.get("diagnostics") or {}
    e = d.get("network_epochs")
    if e is None:
        e = r.get("epochs_trained")
    return int(e or 0)


@dataclass
class CostModel:
    r100: float | None  # seconds per network-epoch at N = 100, fixed binning
    profile: dict[float, float]  # load -> mean network-epochs (redundancy, N = 100)
    profile_alpha_c: float
    trial_s: dict[str, tuple[float, int]] = field(default_factory=dict)  # model -> (s, N)
    recall_s: dict[str, tuple[float, int]] = field(default_factory=dict)
    basis: list[str] = field(default_factory=list)

    # ---------------------------------------------------------------- building
    @classmethod
    def from_records(cls, records: list[dict]) -> CostModel:
        """Rates and the epoch profile from every record of the study (any code)."""
        info = [r for r in records if r.get("model") == "infomorphic" and _epochs(r) > 0
                and (r.get("params") or {}).get("binning", "fixed") == "fixed"
                and r.get("store_s")]
        scaled = sum(_epochs(r) * (r["n_units"] / 100) ** 2 for r in info)
        r100 = sum(r["store_s"] for r in info) / scaled if scaled else None
        red = [r for r in info if not r.get("params") and r["n_units"] == 100
               and r.get("probe", "recall") == "recall" and not r.get("noise")
               and r.get("patterns", "random") == "random"]
        by: dict[float, list[int]] = {}
        for r in red:
            by.setdefault(round(float(r["alpha"]), 6), []).append(_epochs(r))
        profile = {a: float(np.mean(v)) for a, v in sorted(by.items())}
        alpha_c = DEFAULT_ALPHA_C
        if red:
            from amem.harness.summary import summarize

            curves = summarize(red, ["paper"])
            if len(curves) == 1 and curves[0]["capacity_alpha"] is not None:
                alpha_c = float(curves[0]["capacity_alpha"])
        trial_s: dict[str, list] = {}
        recall_s: dict[str, list] = {}
        for r in records:
            if r.get("probe", "recall") != "recall":
                continue
            trial_s.setdefault(r["model"], []).append((_trial_s(r), r["n_units"]))
            if r.get("recall_s") is not None:
                recall_s.setdefault(r["model"], []).append((float(r["recall_s"]), r["n_units"]))

        def mean(pairs):
            return (float(np.mean([s for s, _ in pairs])), int(np.median([n for _, n in pairs])))

        basis = []
        if r100:
            basis.append(f"{r100 * 1e3:.2f} ms per network-epoch at N = 100 (fixed binning, "
                         f"{len(info)} records, {sum(map(_epochs, info)) / 1e6:.2f} M network-epochs)")
        if profile:
            basis.append(f"epoch profile: redundancy at N = 100 ({len(red)} records, "
                         f"alpha_c {alpha_c:.3f})")
        return cls(r100, profile, alpha_c, {m: mean(v) for m, v in trial_s.items()},
                   {m: mean(v) for m, v in recall_s.items()}, basis)

    def with_rate_of(self, records: list[dict]) -> CostModel:
        """This model with ``r100`` measured on ``records`` when they have any training (the rest
        of a partial sweep is priced at the rate its own trials ran at)."""
        from dataclasses import replace

        own = CostModel.from_records(records).r100
        return replace(self, r100=own) if own else self

    # ---------------------------------------------------------------- projecting
    def epochs(self, trial, alpha_c: float | None) -> float:
        params = trial.params or {}
        cap = int(params.get("epochs", DEFAULT_EPOCHS))
        if params.get("early_stopping") is False or not self.profile:
            return float(cap)
        shift = (alpha_c if alpha_c is not None else DEFAULT_ALPHA_C) - self.profile_alpha_c
        at = trial.alpha - shift
        loads = np.array(list(self.profile))
        if at > loads.max() + 1e-9:
            return float(cap)
        nearest = float(loads[np.argmin(np.abs(loads - at))])
        return min(self.profile[nearest], float(cap + 1))

    def _scaled(self, table, model, n) -> float:
        if model not in table:
            return FALLBACK_TRIAL_S
        s, n0 = table[model]
        return s * (n / n0) ** 2

    def trial_seconds(self, trial, alpha_c: float | None = None) -> tuple[float, float]:
        """(projected CPU seconds, network-epochs) of one trial."""
        epochs = 0.0
        if trial.model == "infomorphic":
            epochs = self.epochs(trial, alpha_c)
            rate = (self.r100 or 0.0) * (trial.n_units / 100) ** 2
            if (trial.params or {}).get("binning") == "soft":
                rate *= soft_factor((trial.params or {}).get("n_bins"))
            seconds = epochs * rate
            recall = self._scaled(self.recall_s, "infomorphic", trial.n_units)
        else:
            seconds = self._scaled(self.trial_s, trial.model, trial.n_units)
            recall = self._scaled(self.recall_s, trial.model, trial.n_units)
        pp = trial.probe_params or {}
        if trial.probe == "noise-robustness":
            seconds += len(pp.get("noises") or [0] * 50) * recall
        elif trial.probe == "pid-measures":
            measures = pp.get("measures") or list(PID_S_PER_NEURON)
            seconds += int(pp.get("neurons", 5)) * sum(PID_S_PER_NEURON.get(m, 0.0)
                                                       for m in measures)
        elif trial.probe == "pid-anatomy":
            seconds += len(pp.get("sensitivity_bins") or [1]) * PID_S_PER_BIN_COUNT
        return seconds, epochs


def measured(records: list[dict]) -> tuple[float, int]:
    """(CPU seconds, network-epochs) the records took."""
    return sum(map(_trial_s, records)), sum(map(_epochs, records))
