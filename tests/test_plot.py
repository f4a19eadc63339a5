import numpy as np

from amem.harness.summary import summarize
from amem.harness.sweep import SweepConfig, run_sweep
from amem.plots.capacity import accuracy_curves, capacity_points, plot_accuracy, plot_capacity_vs_n
from amem.records.store import RecordStore


def records(tmp_path, n_units=(30, 60)):
    config = SweepConfig(models=[("hebbian", {})], n_units=list(n_units), alphas=[0.05, 0.15, 0.3], seeds=4)
    return run_sweep(config, RecordStore(tmp_path), progress=False)


def test_accuracy_curves_are_medians_and_bands(tmp_path):
    recs = records(tmp_path)
    curves = accuracy_curves(recs)
    assert len(curves) == 2
    c = [c for c in curves if c.n_units == 30][0]
    vals = [r["mean_overlap"] for r in recs if r["n_units"] == 30 and r["n_patterns"] == 9]
    i = list(np.round(c.alpha * 30).astype(int)).index(9)
    assert c.median[i] == np.median(vals) and c.low[i] <= c.median[i] <= c.high[i]
    assert "N=30" in c.label  # N varies, so labels say which


def test_plots_have_labels_theory_and_one_line_per_curve(tmp_path):
    recs = records(tmp_path)
    caps = summarize(recs)
    ax = plot_accuracy(recs, capacities=caps)
    labels = [line.get_label() for line in ax.get_lines()]
    assert sum(lab.startswith("hebbian") for lab in labels) == 2
    assert any("0.138" in lab for lab in labels)
    assert "load" in ax.get_xlabel() and ax.get_ylabel()
    ax2 = plot_capacity_vs_n(caps)
    assert ax2.get_xscale() == "log" and any("McEliece" in line.get_label() for line in ax2.get_lines())
    pts = capacity_points(caps)
    assert list(pts.values())[0]["n"].tolist() == [30, 60]
