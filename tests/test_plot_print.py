"""Figures for print: colours, legend order, TrueType fonts, censored bounds, caption, options."""

from __future__ import annotations

import json

import numpy as np
import pytest

from amem.bench.cli import main
from amem.harness.summary import censoring, format_table, summarize
from amem.harness.sweep import SweepConfig, run_sweep
from amem.plots.capacity import plot_accuracy, plot_capacity_vs_n, save_figure, write_plots
from amem.plots.style import OKABE_ITO, curve_style
from amem.records.store import RecordStore


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    out = tmp_path_factory.mktemp("sweep")
    config = SweepConfig(models=[("hebbian", {}), ("modern", {})], n_units=[50, 100, 200, 400][:3],
                         alphas=[0.05, 0.1, 0.2, 0.4], seeds=3)
    records = run_sweep(config, RecordStore(out), progress=False)
    return out, records, summarize(records)


def legend_labels(ax):
    legends = ax.figure.legends or [ax.get_legend()]
    return [t.get_text() for t in legends[0].get_texts()]


def test_twenty_curves_have_distinct_colour_blind_safe_styles():
    styles = [curve_style(i) for i in range(20)]
    assert len({(s["color"], s["linestyle"]) for s in styles}) == 20
    assert len({s["marker"] for s in styles[:10]}) == 10
    assert {s["color"] for s in styles} <= set(OKABE_ITO)


def test_legend_in_numeric_order_and_off_the_axes(sweep):
    _, records, caps = sweep
    ax = plot_accuracy(records, capacities=caps)
    labels = [lab for lab in legend_labels(ax) if lab.startswith("hebbian")]
    assert labels == ["hebbian N=50", "hebbian N=100", "hebbian N=200"]  # not string order
    assert ax.figure.legends and ax.get_legend() is None  # a figure legend, below the axes


def test_pdf_embeds_truetype_not_type3(sweep, tmp_path):
    _, records, caps = sweep
    paths = save_figure(plot_accuracy(records, capacities=caps), tmp_path / "fig", ("pdf",))
    data = paths[0].read_bytes()
    assert b"/Subtype /Type3" not in data and b"/Type3" not in data
    assert b"/FontFile2" in data  # an embedded TrueType font program
    import matplotlib

    assert matplotlib.rcParams["pdf.fonttype"] == 3  # set for the save only, not globally


def censored_cap(alpha=0.2, n=50):
    cap = {"model": "modern", "params": {}, "n_units": n, "noise": 0.0, "criterion": "paper",
           "capacity_alpha": alpha, "ci_low": alpha, "ci_high": alpha, "n_seeds": 10,
           "n_censored": 10, "code": None, "model_version": 1}
    return {**cap, **censoring(cap)}


def test_censored_estimate_is_a_bound_in_table_and_summary(sweep):
    cap = censored_cap(2.01, 100)
    assert cap["lower_bound"] and cap["censored"]
    line = format_table([cap]).splitlines()[1]
    assert "\u2265 2.010" in line
    assert "10 of 10 seeds still store at the top of the grid: raise --alphas or use " \
           "--search bisect" in line
    _, _, caps = sweep
    modern = [c for c in caps if c["model"] == "modern" and c["criterion"] == "paper"]
    assert all(c["lower_bound"] and "still store" in c["censored_note"] for c in modern)
    hebbian = [c for c in caps if c["model"] == "hebbian" and c["criterion"] == "paper"]
    assert not any(c["lower_bound"] for c in hebbian)
    assert "\u2265" not in format_table(hebbian)


def test_censored_drawn_as_marker_not_capacity_line(sweep):
    _, records, _ = sweep
    modern = [r for r in records if r["model"] == "modern" and r["n_units"] == 50]
    ax = plot_accuracy(modern, capacities=[censored_cap(0.2)], theory=False)
    assert not [ln for ln in ax.get_lines() if ln.get_xdata()[0] == 0.2 and ln.get_linestyle() == ":"]
    marks = [ln for ln in ax.get_lines() if ln.get_marker() == ">"]
    assert len(marks) == 1 and marks[0].get_xdata()[0] == 0.2
    ax = plot_capacity_vs_n([censored_cap(0.2, 50), censored_cap(0.3, 100)], theory=False)
    assert [ln for ln in ax.get_lines() if ln.get_marker() == "^" and ln.get_linestyle() == "None"]


def test_criterion_used_is_marked_and_log_ticks_are_the_sizes(sweep):
    _, records, caps = sweep
    heb = [r for r in records if r["model"] == "hebbian"]
    paper = plot_accuracy(heb, capacities=caps, criterion="paper", theory=False)
    exact = plot_accuracy(heb, capacities=caps, criterion="exact", theory=False)

    def vlines(ax):
        return sorted(ln.get_xdata()[0] for ln in ax.get_lines() if ln.get_linestyle() == ":")

    want = sorted(c["capacity_alpha"] for c in caps
                  if c["model"] == "hebbian" and c["criterion"] == "exact")
    assert vlines(exact) == pytest.approx(want)
    assert "exact" in plot_capacity_vs_n(caps, "exact").get_ylabel()
    ax = plot_capacity_vs_n(caps)
    assert list(ax.get_xticks()) == [50, 100, 200]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["50", "100", "200"]
    assert vlines(paper) != vlines(exact) or want == vlines(paper)


def test_write_plots_caption_title_formats_and_filters(sweep, tmp_path):
    _, records, caps = sweep
    paths = write_plots(tmp_path, records, caps, criterion="frac90", models=["hebbian"],
                        sizes=[50, 100], title="My title", formats=("svg",))
    assert sorted(p.name for p in paths) == ["capacity.svg", "capacity_vs_n.svg"]
    svg = (tmp_path / "capacity.svg").read_text()
    for text in ("N = 50, 100", "3 seeds", "criterion frac90", "My title"):
        assert text in svg
    assert "N=200" not in svg and "modern" not in svg


def test_plot_command_options(sweep, capsys):
    out, _, _ = sweep
    code = main(["plot", str(out), "--criterion", "exact", "--metric", "frac_exact", "--models",
                 "hebbian", "--sizes", "50,100", "--title", "T", "--format", "png,svg"])
    assert code == 0, capsys.readouterr().err
    assert (out / "capacity.svg").exists() and (out / "capacity_vs_n.svg").exists()
    for bad, message in ((["--format", "gif"], "--format"), (["--metric", "x"], "--metric"),
                         (["--criterion", "nope"], "unknown criterion"),
                         (["--models", "nope"], "no records of models")):
        assert main(["plot", str(out), *bad]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and message in err, err


def test_summary_json_has_bound_fields(tmp_path, capsys):
    code = main(["capacity", "--model", "modern", "--n", "30", "--alphas", "0.1,0.2", "--seeds",
                 "2", "--no-plot", "--no-progress", "--out", str(tmp_path)])
    assert code == 0
    out = capsys.readouterr().out
    assert "\u2265 0.200 (2 of 2 seeds still store at the top of the grid" in out
    summary = json.loads((tmp_path / "summary.json").read_text())
    paper = next(c for c in summary["capacities"] if c["criterion"] == "paper")
    assert paper["censored"] is True and paper["lower_bound"] is True
    assert np.isclose(paper["capacity_alpha"], 0.2)
