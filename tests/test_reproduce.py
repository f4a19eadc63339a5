"""`reproduce blumel2025`: every §10 item has a conformance row, --only, the authors' f_max rule,
the study's measures and renderers on hand-built records (issue 14)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from amem.harness.noise_search import authors_boundary, largest_level
from amem.records.store import RecordStore
from amem.studies.renderers import blumel2025 as b25
from amem.studies.spec import find_study

ROOT = Path(__file__).resolve().parents[1]
#: every target of spec §10 (and its item id in the study)
SECTION_10 = {"hebbian", "redundancy", "external-mi", "co-information", "joint-mi", "gamma-unq-t",
              "goal-i", "goal-ii", *(f"ablation-{k}" for k in range(1, 8)), "fig5a-descent-l2",
              "fig5a-mpf", "fmax", "correlation-infomorphic", "correlation-hebbian",
              "pid-measures", "pid-measures-broja", "bins", "scaling"}
# amem variants set beside a §10 row (not the paper's setting; their notes say so)
VARIANTS = {"ablation-6-bins60", "ablation-7-bins60"}


def _bench(*argv):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "amem.bench", *argv], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=900)


def test_every_section_10_item_is_a_reference_with_published_values():
    study = find_study("blumel2025")
    refs = {r.id: r for r in study.references}
    assert set(refs) == SECTION_10 | VARIANTS
    published = {"hebbian": 0.14, "redundancy": 1.59, "external-mi": 1.62, "goal-i": 1.68,
                 "goal-ii": 1.70, "ablation-1": 0.40, "ablation-2": 0.89, "ablation-3": 0.92,
                 "ablation-4": 1.35, "ablation-5": 1.65, "ablation-6": 1.60, "ablation-7": 1.69}
    for rid, value in published.items():
        assert refs[rid].value == value and refs[rid].resolution == 0.05, rid
    for sweep in ("ablation_1", "fig4_goal_i", "fig4_goal_ii", "corr_infomorphic_p85",
                  "corr_hebbian_p50", "scaling_n200"):
        assert study.sweep(sweep).config().seeds == 20, sweep
    assert study.sweep("scaling_n800_w30").config().models[0][1] == {"external_weight": 3.0}


def _fake(config):
    from tests.test_studies import _fake_records

    records = _fake_records(config)
    if config.probe == "pid-measures":
        atoms = dict(zip(b25.ATOM_NAMES if hasattr(b25, "ATOM_NAMES") else
                         ("unique_external", "unique_internal", "redundancy", "synergy",
                          "residual_entropy"), (0.0, 0.01, 0.8, 0.0, 0.1)))
        for r in records:
            r |= {m: dict(atoms) for m in ("sx", "wb", "pm", "mmi", "broja")}
    return records


def test_quick_conformance_has_a_row_for_every_item(tmp_path):
    """Hand-built records for every quick sweep: the table names every item (--no-run)."""
    study = find_study("blumel2025")
    out = tmp_path / "q"
    for sweep in study.sweeps:
        RecordStore(study.sweep_dir(sweep, out)).append(_fake(sweep.config(True, study.quick)))
    done = _bench("reproduce", "blumel2025", "--quick", "--no-run", "--out", str(out))
    assert done.returncode == 0, done.stderr
    rows = json.loads((out / "conformance.json").read_text())["rows"]
    assert {r["id"] for r in rows} == SECTION_10 | VARIANTS
    assert all(r["measured"] is not None for r in rows), [r["id"] for r in rows if not r["measured"]]
    text = (out / "conformance.md").read_text()
    assert "agrees when the published value" in text and r"\toprule" in (out / "conformance.tex").read_text()


def test_only_selects_items_and_a_bad_item_is_one_line_exit_2(tmp_path):
    bad = _bench("reproduce", "blumel2025", "--quick", "--only", "nosuch", "--out", str(tmp_path))
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "nosuch" in bad.stderr
    assert "Traceback" not in bad.stderr


@pytest.mark.slow
def test_quick_pipeline_runs_every_item(tmp_path):
    done = _bench("reproduce", "blumel2025", "--quick", "--no-progress", "--out", str(tmp_path / "b"))
    assert done.returncode == 0, done.stderr[-2000:]
    rows = json.loads((tmp_path / "b" / "conformance.json").read_text())["rows"]
    assert {r["id"] for r in rows} == SECTION_10 | VARIANTS


# ------------------------------------------------------------------ the authors' boundary rule
def test_authors_rule_tolerates_an_isolated_dip_that_scan_stops_at():
    overlaps = [1, 1, 0.9, 1, 1, 1, 1, 0.9, 0.9, 0.9, 0.9, 0.9]
    assert largest_level(len(overlaps), lambda k: overlaps[k] >= 0.95, "scan") == 1
    assert authors_boundary(overlaps, 0.95) == 4  # next five: 1, 1, .9, .9, .9 -> 0.94 < 0.95


def _authors_twin(overlaps, threshold):
    """The rule read off spec §10 literally, one flip count at a time."""
    for j in range(len(overlaps)):
        rest = overlaps[j + 1:j + 6]
        if overlaps[j] > threshold and len(rest) > 0 and sum(rest) / len(rest) < threshold:
            return j
    return len(overlaps) - 1 if all(m > threshold for m in overlaps) else -1


def test_authors_rule_matches_its_twin_on_random_curves():
    rng = np.random.default_rng(0)
    for _ in range(300):
        curve = list(np.clip(1 - np.cumsum(rng.random(15) * 0.05) + rng.normal(0, 0.03, 15), 0, 1))
        assert authors_boundary(curve, 0.95) == _authors_twin(curve, 0.95)
    assert authors_boundary([0.5, 0.4], 0.95) == -1 and authors_boundary([1.0, 1.0], 0.95) == 1


# ------------------------------------------------------------------ measures and figures
def _cap_records(model="infomorphic", p=None, goal=None, n=20, capacity_p=10):
    recs = []
    for seed in range(3):
        for n_patterns in (5, 10, 15):
            ok = 1.0 if n_patterns <= capacity_p + 5 * (seed == 2) else 0.5
            params = {} if goal is None else {"goal": goal}
            recs.append({"schema": 2, "key": f"{model}{p}{goal}{seed}{n_patterns}", "model": model,
                         "params": params, "n_units": n, "n_patterns": n_patterns, "seed": seed,
                         "noise": 0.0, "cue": "flip", "patterns": "markov" if p else "random",
                         "pattern_param": {} if p in (None, 0.5) else {"p": p},
                         "max_steps": None, "alpha": n_patterns / n, "search": "grid",
                         "mean_overlap": ok, "frac_retrieved": ok, "frac_stable": ok,
                         "frac_exact": ok, "min_overlap": ok, "n_censored": 0, "update": "sync",
                         "probe": "recall"})
    return recs


def test_capacity_rows_label_and_order_by_parameter():
    rows = b25.capacity_rows({"a": _cap_records(p=0.7), "b": _cap_records(p=0.5, capacity_p=5)}, by="p")
    assert [r["label"] for r in rows] == ["p = 0.5", "p = 0.7"]
    assert rows[0]["value"] == pytest.approx(np.mean([0.25, 0.25, 0.5]))
    assert rows[1]["value"] == pytest.approx(np.mean([0.5, 0.5, 0.75])) and rows[1]["n_seeds"] == 3
    g = b25.capacity_rows({"g": _cap_records(goal=[0.5, 0, 1, 0, 0]) + _cap_records(goal=[-1, 0, 1, 0, 0])},
                          by="goal0")
    assert [r["label"] for r in g] == ["gamma_unq,T = -1", "gamma_unq,T = 0.5"]


def test_fmax_rows_count_a_failed_seed_as_zero():
    recs = [{"alpha": 0.5, "f_max": 0.2}, {"alpha": 0.5, "f_max": None}, {"alpha": 1.0, "f_max": 0.1}]
    (row,) = b25.fmax_rows({"fig5_fmax_hebbian": recs}, alpha=0.51)
    assert row["label"] == "hebbian at alpha = 0.5" and row["value"] == pytest.approx(0.1)
    assert row["n_seeds"] == 2


def test_bins_rows_hold_the_closed_form_as_reference():
    from amem.theory.pid_hebbian import hebbian_sx_atoms

    recs = [{"alpha": 0.5, "n_units": 30, "n_patterns": 15,
             "bins": [{"n_bins": 2, "redundancy": 0.7}, {"n_bins": 4, "redundancy": 0.6}]}] * 2
    rows = b25.bins_rows({"x": recs})
    assert [r["label"] for r in rows] == ["2 bins, alpha = 0.5", "4 bins, alpha = 0.5"]
    assert rows[0]["published"] == pytest.approx(hebbian_sx_atoms(30, 15)[2])
    assert rows[1]["value"] == pytest.approx(0.6)


def test_every_figure_draws_from_hand_built_records():
    from matplotlib.figure import Figure

    caps = {"fig2c_infomorphic": _cap_records(), "fig3_external-mi": _cap_records(),
            "fig3_gamma_unq_T": _cap_records(goal=[0.5, 0, 1, 0, 0])}
    fmax = {"fig5_fmax_mpf": [{"alpha": 0.5, "f_max": 0.2}, {"alpha": 1.0, "f_max": None}]}
    atoms = {"redundancy": 0.8, "unique_external": 0, "unique_internal": 0, "synergy": 0,
             "residual_entropy": 0.1}
    pid = {"pid_measures": [{"alpha": a, "sx": atoms, "wb": atoms} for a in (0.5, 1.0)]}
    bins = {"bins_hebbian": [{"alpha": a, "n_units": 30, "n_patterns": int(30 * a),
                              "bins": [{"n_bins": 2, "redundancy": 0.5}]} for a in (0.5, 1.0)]}
    figures = [b25.fig3(caps), b25.fig5a(caps), b25.fmax_figure(fmax),
               b25.ablation_figure({f"ablation_{k}": _cap_records() for k in range(1, 8)}),
               b25.correlation_figure({"corr_infomorphic_p70": _cap_records(p=0.7),
                                       "corr_hebbian_p70": _cap_records(model="hebbian", p=0.7)}),
               b25.pid_measures_figure(pid), b25.bins_figure(bins),
               b25.scaling_figure({"scaling_n50": _cap_records(n=50)})]
    for fig in figures:
        assert isinstance(fig, Figure)
        lines = [ln for ax in fig.axes for ln in ax.get_lines()]
        assert lines, fig
    # the ablation panel shows the paper's seven values
    ax = figures[3].axes[0]
    assert list(ax.get_lines()[-1].get_ydata()) == list(b25.ABLATION_PAPER)

    # a variant of a row is an open marker at that row, not an eighth row of the ladder
    ladder = {f"ablation_{k}": _cap_records() for k in range(1, 8)}
    fig = b25.ablation_figure({**ladder, "ablation_6_bins60": _cap_records(),
                               "ablation_7_bins60": _cap_records()},
                              variants={"ablation_6_bins60": {"row": 6, "label": "60 bins"},
                                        "ablation_7_bins60": {"row": 7, "label": "60 bins"}})
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels.count("amem, 60 bins (95% CI)") == 1
    ladder_x = [ln.get_xdata() for ln in ax.get_lines() if ln.get_marker() == "o"
                and ln.get_markerfacecolor() != "none"]
    assert len(ladder_x[0]) == 7
    variant_x = [ln.get_xdata() for ln in ax.get_lines() if ln.get_markerfacecolor() == "none"]
    assert [list(x) for x in variant_x] == [[6 - 0.25], [7 - 0.25]]


# ------------------------------------------------------------------ pid-measures probe
def _joint(rule):
    """(2, 2, 2) joint of two uniform bits and Y = rule(s1, s2) (target axis [-1, +1] as 0, 1)."""
    j = np.zeros((2, 2, 2))
    for a in (0, 1):
        for b in (0, 1):
            j[a, b, rule(a, b)] = 0.25
    return j


@pytest.mark.parametrize("measure", ["wb", "pm", "mmi"])
def test_dit_measures_on_textbook_joints(measure):
    pytest.importorskip("dit")
    from amem.harness.pid_measures import dit_atoms

    xor = dit_atoms(_joint(lambda a, b: a ^ b), measure)
    copy1 = dit_atoms(_joint(lambda a, b: a), measure)
    assert xor == pytest.approx([0, 0, 0, 1, 0], abs=1e-9)
    if measure != "pm":  # PM gives Y = S1 a redundancy and a negative unique part (pointwise)
        assert copy1 == pytest.approx([1, 0, 0, 0, 0], abs=1e-9)
    same = np.zeros((2, 2, 2))
    same[0, 0, 0] = same[1, 1, 1] = 0.5  # S1 = S2 = Y
    assert dit_atoms(same, measure) == pytest.approx([0, 0, 1, 0, 0], abs=1e-9)


def test_pid_measures_probe_params_are_checked():
    from amem.errors import AmemError
    from amem.harness.pid_measures import check_probe_params

    check_probe_params({"measures": ["sx"], "neurons": 3})
    for bad in ({"measures": ["nope"]}, {"neurons": 0}, {"colour": 1}):
        with pytest.raises(AmemError):
            check_probe_params(bad)
