"""Known answers on hand-built records (no model runs): criteria, per-pattern outcomes, capacity
summaries (mean vs median, per seed, censoring, per parameter), bootstrap bands, the paper
protocol flag, registry defaults and the provenance dirty flag.

Every expected number here is worked out by hand from the inputs written in the test, so a
wrong formula in the code under test cannot produce it.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

import amem
from amem.base import RecallResult, status_labels
from amem.harness.criteria import CRITERIA, bootstrap_ci, capacity_estimate, seed_capacities
from amem.harness.summary import summarize
from amem.harness.trials import TrialSpec, _recall_record

# ------------------------------------------------------------------------------------ criteria
PASSING = {"mean_overlap": 1.0, "frac_retrieved": 1.0, "frac_stable": 1.0, "frac_exact": 1.0}
FIELD_OF = {"paper": ("mean_overlap", 0.95), "frac90": ("frac_retrieved", 0.9),
            "exact": ("frac_stable", 1.0), "all_exact": ("frac_exact", 1.0)}


def test_the_four_criteria_are_the_documented_ones():
    assert set(CRITERIA) == set(FIELD_OF)


@pytest.mark.parametrize("name", sorted(FIELD_OF))
def test_each_criterion_reads_one_field_with_its_threshold(name):
    field, threshold = FIELD_OF[name]
    holds = CRITERIA[name].holds
    assert holds(PASSING)
    assert holds({**PASSING, field: threshold})  # the threshold itself meets the criterion
    assert not holds({**PASSING, field: threshold - 1e-9})
    assert not holds({**PASSING, field: 0.0})
    failing_elsewhere = {k: (v if k == field else 0.0) for k, v in PASSING.items()}
    assert holds(failing_elsewhere)  # only its own field counts


# ------------------------------------------------------------------ per-pattern trial outcomes
class ScriptedModel:
    """Stands in for a model: recall returns fixed, hand-written states, steps and status."""

    def __init__(self, states, steps, codes):
        self.out = RecallResult(np.asarray(states, np.int8), np.asarray(steps, np.int64),
                                status_labels(codes))

    def recall(self, cues, max_steps=None):
        return self.out

    def diagnostics(self):
        return {}


def test_a_record_counts_exact_retrieved_inverted_and_stable_patterns_by_hand():
    n = 20
    patterns = np.ones((5, n), np.int8)
    patterns[1::2] *= -1
    states = patterns.copy()
    states[1, :1] *= -1  # 1 wrong bit: overlap 0.9 (not retrieved at 0.95)
    states[2] *= -1  # inverted: overlap -1
    states[3, :5] *= -1  # overlap 0.5
    # patterns 0 and 4 exact; 4 took a step (so it is not stable from its clean cue)
    trial = TrialSpec("hebbian", n_units=n, n_patterns=5, noise=0.0)
    model = ScriptedModel(states, [0, 1, 0, 3, 1], [0, 0, 1, 2, 0])
    record = _recall_record(trial, model, patterns, 0.0, {"update": "sync"}, "grid")
    overlaps = [1.0, 0.9, -1.0, 0.5, 1.0]
    assert record["mean_overlap"] == pytest.approx(np.mean(overlaps))
    assert record["min_overlap"] == -1.0
    assert record["frac_exact"] == pytest.approx(2 / 5)
    assert record["frac_retrieved"] == pytest.approx(2 / 5)
    assert record["frac_inverted"] == pytest.approx(1 / 5)
    assert record["frac_stable"] == pytest.approx(1 / 5)  # steps 0 and fixed point: pattern 0
    assert (record["frac_fixed_point"], record["frac_cycle"], record["frac_max_steps"]) == \
        pytest.approx((3 / 5, 1 / 5, 1 / 5))
    assert record["mean_steps"] == pytest.approx(1.0)
    assert record["per_pattern"]["status"] == "FFCMF"
    assert record["per_pattern"]["stable"] == "10000"


def test_retrieved_means_overlap_at_least_095():
    n = 40
    patterns = np.ones((2, n), np.int8)
    states = patterns.copy()
    states[0, :1] = -1  # overlap 0.95: retrieved
    states[1, :2] = -1  # overlap 0.90: not
    record = _recall_record(TrialSpec("hebbian", n_units=n, n_patterns=2), ScriptedModel(
        states, [1, 1], [0, 0]), patterns, 0.0, {"update": "sync"}, "grid")
    assert record["frac_retrieved"] == 0.5 and record["frac_exact"] == 0.0


# ------------------------------------------------------------------------ capacity summaries
N = 10
LOADS = range(1, 9)  # P = 1..8 at N = 10
CAPACITY = {0: 2, 1: 3, 2: 7}  # per seed: the criterion holds up to this P


def curve_records(capacity=CAPACITY, model="hebbian", params=None, noise=0.0, cue="flip",
                  max_steps=None, extra=None):
    rows = []
    for seed, cap in capacity.items():
        for p in LOADS:
            ok = p <= cap
            value = 1.0 if ok else 0.5
            rows.append({"model": model, "params": params or {}, "n_units": N, "noise": noise,
                         "cue": cue, "patterns": "random", "pattern_param": None,
                         "max_steps": max_steps, "n_patterns": p, "seed": seed, "alpha": p / N,
                         "mean_overlap": value, "frac_retrieved": value, "frac_stable": value,
                         "frac_exact": value,
                         # what the model ran with (a summary reads the update rule from here)
                         "resolved_params": {"update": "sync", **(params or {})},
                         **(extra or {})})
    return rows


def test_seed_capacity_is_the_largest_load_meeting_the_criterion():
    rows = curve_records()
    # a non-monotone seed: fails at P=2 and P=3, holds again at P=4
    rows += [{**r, "seed": 3, "mean_overlap": 1.0 if r["n_patterns"] in (1, 4) else 0.5}
             for r in curve_records({0: 0})]
    assert seed_capacities(rows, CRITERIA["paper"]) == {0: (2, False), 1: (3, False),
                                                        2: (7, False), 3: (4, False)}


def test_capacity_at_the_top_of_the_grid_is_censored():
    rows = curve_records({0: 8, 1: 3, 2: 0})
    assert seed_capacities(rows, CRITERIA["paper"]) == {0: (8, True), 1: (3, False),
                                                        2: (0, False)}
    estimate = capacity_estimate(rows, CRITERIA["paper"], N)
    assert estimate["n_censored"] == 1


def test_mean_median_spread_and_per_seed_values():
    estimate = capacity_estimate(curve_records(), CRITERIA["paper"], N)
    assert estimate["capacity_alpha"] == pytest.approx(0.4)  # (0.2 + 0.3 + 0.7) / 3
    assert estimate["median_alpha"] == pytest.approx(0.3)
    assert estimate["std_alpha"] == pytest.approx(np.sqrt(((.2 - .4)**2 + (.3 - .4)**2
                                                           + (.7 - .4)**2) / 2))
    assert estimate["capacity_patterns_mean"] == pytest.approx(4.0)
    assert estimate["per_seed_patterns"] == {"0": 2, "1": 3, "2": 7}
    assert estimate["n_seeds"] == 3 and estimate["n_censored"] == 0
    assert estimate["criterion"] == "paper"
    assert estimate["ci_low"] < 0.4 < estimate["ci_high"]


def test_one_seed_and_identical_seeds_give_a_point_band():
    one = capacity_estimate(curve_records({5: 4}), CRITERIA["paper"], N)
    assert (one["capacity_alpha"], one["ci_low"], one["ci_high"], one["std_alpha"]) == \
        pytest.approx((0.4, 0.4, 0.4, 0.0))
    same = capacity_estimate(curve_records({0: 4, 1: 4}), CRITERIA["paper"], N)
    assert (same["ci_low"], same["ci_high"]) == pytest.approx((0.4, 0.4))


def test_bootstrap_band_of_two_values_is_their_range():
    # resampled means of (a, b) take a, (a+b)/2, b with probabilities 1/4, 1/2, 1/4: the 2.5%
    # and 97.5% quantiles are a and b themselves
    assert bootstrap_ci([0.1, 0.3]) == pytest.approx((0.1, 0.3))


def test_bootstrap_band_width_matches_the_standard_error():
    x = np.random.default_rng(0).normal(0.3, 0.05, size=40)
    lo, hi = bootstrap_ci(x)
    se = x.std(ddof=1) / np.sqrt(len(x))
    assert lo < x.mean() < hi
    assert hi - lo == pytest.approx(2 * 1.96 * se, rel=0.15)
    assert bootstrap_ci(x) == (lo, hi)  # deterministic
    assert bootstrap_ci(x, level=0.5)[1] - bootstrap_ci(x, level=0.5)[0] < (hi - lo) / 2
    assert np.isnan(bootstrap_ci([])).all()


def test_summary_entries_per_criterion():
    rows = curve_records()
    entries = summarize(rows)
    assert [e["criterion"] for e in entries] == list(CRITERIA)
    paper = entries[0]
    assert paper["capacity_alpha"] == pytest.approx(0.4)
    assert paper["median_alpha"] == pytest.approx(0.3)
    assert paper["ci_high"] > paper["ci_low"]
    assert paper["protocol"]["patterns_tested"] == [1, 8]
    assert paper["protocol"]["n_loads_tested"] == 8
    assert paper["protocol"]["update"] == "sync"
    assert paper["protocol"]["max_steps"] == N


def test_each_criterion_reads_its_own_field_in_the_summary():
    rows = curve_records()
    for r in rows:  # only frac_stable fails above P = 1: the exact criterion gives 0.1
        r["frac_stable"] = 1.0 if r["n_patterns"] <= 1 else 0.99
    by_name = {e["criterion"]: e for e in summarize(rows)}
    assert by_name["exact"]["capacity_alpha"] == pytest.approx(0.1)
    assert by_name["paper"]["capacity_alpha"] == pytest.approx(0.4)
    assert by_name["frac90"]["capacity_alpha"] == pytest.approx(0.4)
    assert by_name["all_exact"]["capacity_alpha"] == pytest.approx(0.4)


def test_capacity_per_parameter_divides_by_the_stored_numbers():
    entry = summarize(curve_records(), criteria=["paper"])[0]  # hebbian keeps N*N couplings
    assert entry["capacity_per_parameter"] == pytest.approx((2 + 3 + 7) / 3 / N**2)
    modern = summarize(curve_records(model="modern"), criteria=["paper"])[0]
    counts = amem.registry.model_class("modern").stored_parameters
    expected = np.mean([p / counts(N, p) for p in CAPACITY.values()])
    assert modern["capacity_per_parameter"] == pytest.approx(expected)
    assert counts(N, 7) != N**2  # the patterns-keeping model really counts differently
    gone = summarize(curve_records(model="no-such-model"), criteria=["paper"])[0]
    assert gone["capacity_per_parameter"] is None
    assert gone["capacity_alpha"] == pytest.approx(0.4)


@pytest.mark.parametrize("change", [
    {}, {"criterion": "frac90"}, {"noise": 0.1}, {"params": {"update": "async"}},
    {"max_steps": 1}, {"max_steps": N}, {"cue": "partial"}])
def test_paper_protocol_only_for_the_paper_setting(change):
    criterion = change.get("criterion", "paper")
    kwargs = {k: v for k, v in change.items() if k != "criterion"}
    entry = next(e for e in summarize(curve_records(**kwargs)) if e["criterion"] == criterion)
    expected = change in ({}, {"max_steps": N})
    assert entry["paper_protocol"] is expected


# ----------------------------------------------------------------------------------- registry
class Scaled(amem.MemoryModel):
    """A model with one extra parameter, registered with a default for it."""

    def __init__(self, *, gain=1.0, update=None, seed=0):
        super().__init__(seed=seed, update=update)
        self.gain = gain

    def _fit(self, patterns):
        pass

    def _recall(self, cues, max_steps):
        return cues, np.zeros(len(cues), np.int64), np.zeros(len(cues), np.int8)


@pytest.fixture
def scaled_id():
    amem.register("known-answer-scaled", Scaled, defaults={"gain": 2.5},
                  test_params={"gain": 0.5, "seed": 9})
    yield "known-answer-scaled"
    amem.registry.unregister("known-answer-scaled")


def test_make_applies_registered_defaults_and_caller_wins(scaled_id):
    assert amem.make(scaled_id).gain == 2.5
    assert amem.make(scaled_id, gain=4.0).gain == 4.0
    assert amem.make(scaled_id, seed=3).get_params() == {"gain": 2.5, "update": "sync",
                                                         "seed": 3}


def test_test_params_build_the_kit_instance(scaled_id):
    from amem.testing import make_test_instance

    model = make_test_instance(scaled_id)
    assert (model.gain, model.seed) == (0.5, 9)
    assert make_test_instance(scaled_id, gain=7.0).gain == 7.0
    assert make_test_instance("hebbian").seed == 0


# --------------------------------------------------------------------------------- provenance
def _git(*args, cwd):
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=cwd,
                   check=True, capture_output=True, text=True)


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_dirty_flag_follows_the_package_sources_only(tmp_path):
    """A copy of the package sources in a fresh git repository: clean after the commit; dirty
    once a source changes or a new source appears; never for results or caches."""
    from amem.records.provenance import code_identity, git_state

    repo = tmp_path / "repo"
    source = Path(amem.__file__).resolve().parent
    shutil.copytree(source, repo / "amem", ignore=shutil.ignore_patterns("__pycache__"))
    (repo / "baselines").mkdir()
    (repo / "baselines" / "x.py").write_text("X = 1\n")
    (repo / "results").mkdir()
    (repo / "results" / "old.json").write_text("{}")
    _git("init", "-q", cwd=repo)
    _git("add", "-A", cwd=repo)
    _git("commit", "-qm", "copy", cwd=repo)
    clean = git_state(repo)
    assert clean["dirty"] is False and clean["commit"]
    clean_code = code_identity(repo)
    # a run writing results or a cache next to the sources does not make the code dirty
    (repo / "results" / "old.json").write_text('{"new": 1}')
    (repo / "results" / "new.json").write_text("{}")
    (repo / "amem" / "__pycache__").mkdir(exist_ok=True)
    (repo / "amem" / "__pycache__" / "x.nbi").write_text("cache")
    assert git_state(repo)["dirty"] is False
    assert code_identity(repo)["sources"] == clean_code["sources"]
    target = repo / "amem" / "harness" / "criteria.py"
    original = target.read_text()
    target.write_text(original + "\n# a change\n")
    assert git_state(repo) == {"commit": clean["commit"], "dirty": True}
    assert code_identity(repo)["sources"] != clean_code["sources"]
    target.write_text(original)
    assert git_state(repo)["dirty"] is False
    (repo / "baselines" / "new_model.py").write_text("Y = 2\n")  # untracked source
    assert git_state(repo)["dirty"] is True
    assert code_identity(repo)["sources"] != clean_code["sources"]
    (repo / "baselines" / "new_model.py").unlink()
    assert code_identity(repo) == clean_code
    # only *.py files under amem/ and baselines/ count
    (repo / "scripts").mkdir()
    (repo / "scripts" / "tool.py").write_text("T = 1\n")  # a source outside the package
    (repo / "amem" / "notes.txt").write_text("notes")  # not a source
    (repo / "amem" / "__pycache__" / "stale.py").write_text("S = 1\n")  # a cache directory
    assert git_state(repo)["dirty"] is False
    assert set(code_identity(repo)) == {"amem", "commit", "dirty", "sources"}
    assert code_identity(repo)["commit"] == clean["commit"]


# ------------------------------------------------------------- added for surviving mutants
def test_unknown_criterion_is_one_clear_line():
    from amem.errors import AmemError
    from amem.harness.criteria import get_criterion

    assert get_criterion("frac90") is CRITERIA["frac90"]
    with pytest.raises(AmemError) as err:
        get_criterion("nope")
    assert str(err.value) == "unknown criterion 'nope'; choose one of paper, frac90, exact, all_exact"


def test_censoring_does_not_depend_on_record_order():
    rows = curve_records({0: 8, 1: 3})
    shuffled = [rows[i] for i in np.random.default_rng(0).permutation(len(rows))]
    assert seed_capacities(shuffled, CRITERIA["paper"]) == {0: (8, True), 1: (3, False)}
    descending = sorted(rows, key=lambda r: -r["n_patterns"])
    assert seed_capacities(descending, CRITERIA["paper"]) == {0: (8, True), 1: (3, False)}


def test_estimate_fields_and_their_documented_values():
    estimate = capacity_estimate(curve_records(), CRITERIA["frac90"], N)
    assert set(estimate) == {"criterion", "criterion_description", "capacity_alpha", "ci_low",
                             "ci_high", "ci_level", "ci_method", "median_alpha", "std_alpha",
                             "capacity_patterns_mean", "n_seeds", "n_censored",
                             "per_seed_patterns"}
    assert estimate["criterion_description"] == CRITERIA["frac90"].description
    assert estimate["ci_level"] == 0.95
    assert estimate["ci_method"] == ("percentile bootstrap of the mean over seeds "
                                     "(10000 resamples)")


def test_no_records_give_nan_estimates():
    estimate = capacity_estimate([], CRITERIA["paper"], N)
    for key in ("capacity_alpha", "median_alpha", "capacity_patterns_mean", "ci_low", "ci_high"):
        assert np.isnan(estimate[key]), key
    assert (estimate["n_seeds"], estimate["std_alpha"], estimate["per_seed_patterns"]) == (0, 0.0, {})


def test_two_seeds_have_a_spread():
    estimate = capacity_estimate(curve_records({0: 2, 1: 4}), CRITERIA["paper"], N)
    assert estimate["std_alpha"] == pytest.approx(np.std([0.2, 0.4], ddof=1))


def test_identical_values_give_exactly_that_value():
    # the mean of three 0.1s is 0.10000000000000002 in floating point: no resampling for them
    assert bootstrap_ci([0.1, 0.1, 0.1]) == (0.1, 0.1)
    assert bootstrap_ci([0.7]) == (0.7, 0.7)


def test_bootstrap_band_ends_sit_196_standard_errors_out():
    """For 40 normal values the bootstrap distribution of the mean is close to normal with the
    plug-in standard error: each end lies 1.96 of them from the mean (quantile noise of 10000
    resamples: about 1.5%)."""
    x = np.random.default_rng(5).normal(0.3, 0.05, size=40)
    lo, hi = bootstrap_ci(x)
    se = x.std() / np.sqrt(len(x))
    assert (x.mean() - lo) / se == pytest.approx(1.96, rel=0.05)
    assert (hi - x.mean()) / se == pytest.approx(1.96, rel=0.05)
    lo50, hi50 = bootstrap_ci(x, level=0.5)
    assert (x.mean() - lo50) / se == pytest.approx(0.674, rel=0.08)
    assert (hi50 - x.mean()) / se == pytest.approx(0.674, rel=0.08)
