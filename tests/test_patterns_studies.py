"""Capacity-against-structure renderers and the shipped structure studies."""

import tempfile

import numpy as np

from amem.harness.sweep import SweepConfig, run_sweep
from amem.records.store import RecordStore
from amem.studies.renderers.structure import (
    real_data_table,
    structure_figure,
    structure_points,
    structure_table,
)


def _records(**fields):
    config = SweepConfig(**{"seeds": 2, **fields})
    with tempfile.TemporaryDirectory() as d:
        return run_sweep(config, RecordStore(d), progress=False)


def test_structure_renderers_read_the_family_parameter():
    records = {f"b{b}": _records(models=[("hebbian", {})], n_units=[40], alphas=[0.02, 0.4],
                                 search="bisect", patterns="random", pattern_param={"bias": b})
               for b in (0.0, 0.5)}
    curves = structure_points(records, param="bias")
    (key, points), = curves.items()
    assert key[0] == "hebbian" and [p[0] for p in points] == [0.0, 0.5]
    assert points[1][1] < points[0][1]  # the collapse, already at N = 40
    table = structure_table(records, param="bias")
    assert [row[2] for row in table.rows] == ["0", "0.5"]
    fig = structure_figure(records, param="bias", theory="biased-hebbian")
    labels = [line.get_label() for line in fig.axes[0].get_lines()]
    assert any("S/N theory" in label for label in labels)


def test_real_data_table_joins_capacity_and_recall():
    records = {
        "cap": _records(models=[("hebbian", {}), ("storkey", {})], n_units=[49], alphas=[0.02, 0.2],
                        search="bisect", patterns="letters", max_alpha=1.0),
        "occ": _records(models=[("hebbian", {}), ("storkey", {})], n_units=[49], alphas=[5 / 49],
                        patterns="letters", cue="occlude", noise=[0.25]),
    }
    table = real_data_table(records, capacity=["cap"], recall=["occ"])
    assert [row[2] for row in table.rows] == ["hebbian", "storkey"]
    assert table.columns[-1] == "occlude 0.25, P=5: overlap / retrieved"
    overlap = float(table.rows[0][-1].split(" ± ")[0])
    assert np.isclose(overlap, np.mean([r["mean_overlap"] for r in records["occ"]
                                        if r["model"] == "hebbian"]), atol=1e-3)


def test_structure_studies_are_shipped():
    from amem.studies.spec import list_studies

    ids = {s.id for s in list_studies()}
    assert {"structure-bias", "structure-markov", "structure-features", "real-data"} <= ids


def test_structure_renderers_mark_lower_bounds_and_draw_the_bounds_of_theory():
    # the zero-diagonal pseudo-inverse stores clean cues up to the cap alpha < 1: every seed is
    # censored there, so the table gives a bound and the figure an open marker, not a value
    records = {f"p{p}": _records(models=[("pseudoinverse", {}), ("hebbian", {})], n_units=[20],
                                 alphas=[0.05, 0.5], max_alpha=0.95, search="bisect",
                                 patterns="markov", pattern_param={"p": p})
               for p in (0.5, 0.8)}
    table = structure_table(records, param="p")
    rows = {(row[0], row[2]): row for row in table.rows}
    assert rows[("pseudoinverse", "0.5")][3] == "≥ 0.950" and rows[("pseudoinverse", "0.5")][5] == "2"
    assert not rows[("hebbian", "0.5")][3].startswith("≥") and rows[("hebbian", "0.5")][5] == "0"
    fig = structure_figure(records, param="p", theory=["pseudoinverse", "gardner"])
    labels = [line.get_label() for line in fig.axes[0].get_lines()]
    assert any("pseudo-inverse keeps any independent set" in label for label in labels)
    assert any("Gardner" in label for label in labels)
    assert any("lower bound" in label for label in labels)
    gardner = next(line for line in fig.axes[0].get_lines() if "Gardner" in line.get_label())
    assert list(gardner.get_xdata()) == [0.5] and np.isclose(gardner.get_ydata()[0], 2.0)
    default = structure_figure(records, param="p")
    assert not any("Gardner" in line.get_label() for line in default.axes[0].get_lines())


def test_structure_label_names_the_default_energy_of_modern():
    from amem.studies.renderers.structure import _label

    assert _label("modern", "{}", 100) == "modern (poly, degree 3)"
    assert _label("modern", '{"degree": 4}', 100) == "modern (degree=4)"
