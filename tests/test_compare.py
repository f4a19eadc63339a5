"""``python -m amem.bench compare DIR_A DIR_B``: capacities side by side, difference with its CI."""

import numpy as np
import pytest

from amem.bench.cli import main
from amem.bench.compare_command import compare, difference_ci
from amem.harness.sweep import SweepConfig, run_sweep
from amem.records.store import RecordStore


def _run(folder, seeds=4, seed_start=0, models=(("hebbian", {}),)):
    config = SweepConfig(models=list(models), n_units=[32], alphas=[0.05, 0.4], search="bisect",
                         seeds=seeds, seed_start=seed_start)
    run_sweep(config, RecordStore(folder), progress=False)


def test_identical_folders_differ_by_exactly_zero(tmp_path):
    _run(tmp_path / "a")
    _run(tmp_path / "b")
    table = compare(tmp_path / "a", tmp_path / "b", ["paper"])
    assert len(table.rows) == 1
    assert table.rows[0][-1] == "+0.000 [+0.000, +0.000]"


def test_difference_and_its_ci_by_paired_bootstrap():
    a = {s: 0.10 for s in range(10)}
    b = {s: 0.10 + 0.01 * (s % 2) for s in range(10)}
    diff, lo, hi, paired = difference_ci(a, b)
    assert paired and diff == pytest.approx(0.005) and 0.0 <= lo < diff < hi <= 0.01
    # the slow, obvious twin: resample seeds of the per-seed differences
    rng = np.random.default_rng(0)
    d = np.array([b[s] - a[s] for s in range(10)])
    means = d[rng.integers(0, 10, (10_000, 10))].mean(1)
    assert (lo, hi) == tuple(np.quantile(means, [0.025, 0.975]))


def test_unpaired_when_seeds_differ_and_curves_in_one_folder_are_listed(tmp_path):
    _run(tmp_path / "a", seeds=3)
    _run(tmp_path / "b", seeds=3, seed_start=3, models=(("hebbian", {}), ("storkey", {})))
    table = compare(tmp_path / "a", tmp_path / "b", ["paper"])
    assert table.rows[0][-1].endswith("unpaired")
    assert any(n.startswith("only in B: storkey") for n in table.notes)


def test_cli_prints_a_table_and_bad_folders_are_one_line_errors(tmp_path, capsys):
    _run(tmp_path / "a", seeds=2)
    assert main(["compare", str(tmp_path / "a"), str(tmp_path / "a"), "--format", "latex"]) == 0
    assert r"\toprule" in capsys.readouterr().out
    assert main(["compare", str(tmp_path / "a"), str(tmp_path / "nope")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and err.count("\n") == 1
