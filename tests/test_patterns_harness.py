"""Pattern families in the harness and on the command line: identity, records, errors, plugins."""

import csv
import importlib.util
import json
import sys
from dataclasses import replace

import numpy as np
import pytest

import amem.patterns as ap
from amem.bench.cli import main
from amem.harness.sweep import SweepConfig, plan_sweep, run_unit
from amem.harness.trials import TrialSpec, trial_cues, trial_patterns

needs_sklearn = pytest.mark.skipif(importlib.util.find_spec("sklearn") is None,
                                   reason="scikit-learn not installed")


def run(args, capsys):
    code = main(args)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_every_model_sees_the_same_patterns_for_a_seed():
    base = TrialSpec(model="hebbian", n_units=100, n_patterns=12, seed=3, patterns="markov",
                     pattern_param={"p": 0.7, "direction": "temporal"}, cue="occlude", noise=0.3)
    other = replace(base, model="pseudoinverse", params={"self_coupling": True})
    np.testing.assert_array_equal(trial_patterns(base), trial_patterns(other))
    np.testing.assert_array_equal(trial_cues(base, trial_patterns(base)),
                                  trial_cues(other, trial_patterns(other)))
    # and the patterns of a smaller load are the first rows
    np.testing.assert_array_equal(trial_patterns(replace(base, n_patterns=5)),
                                  trial_patterns(base)[:5])
    assert base.key() != replace(base, pattern_param={"p": 0.8, "direction": "temporal"}).key()
    hash(base)  # a dict-valued pattern_param keeps the spec hashable


def test_default_parameters_keep_the_old_trial_identity():
    config = SweepConfig(models=[("hebbian", {})], n_units=[20], alphas=[0.1], seeds=1,
                         patterns="random", pattern_param={"bias": 0.0})
    (unit,) = plan_sweep(config, {})
    assert unit.trials[0].pattern_param is None
    plain = TrialSpec(model="hebbian", n_units=20, n_patterns=2,
                      model_version=unit.trials[0].model_version)
    assert unit.trials[0].key() == plain.key()


def test_cli_runs_a_family_with_parameters(tmp_path, capsys):
    code, _out, err = run(["capacity", "--model", "hebbian,covariance", "--n", "49", "--alphas",
                          "0.05,0.1", "--seeds", "2", "--patterns", "markov", "--pattern-param",
                          "p=0.7", "--pattern-param", "direction=temporal", "--cue", "occlude",
                          "--noise", "0.2", "--out", str(tmp_path), "--no-progress", "--no-plot"],
                         capsys)
    assert code == 0, err
    with open(tmp_path / "trials.csv") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 2 * 2 * 2
    assert {r["pattern_param"] for r in rows} == {'{"direction":"temporal","p":0.7}'}
    assert {r["cue"] for r in rows} == {"occlude"}
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["capacities"][0]["pattern_param"] == {"direction": "temporal", "p": 0.7}
    # a bare number is the legacy form: random's bias
    code, _, err = run(["capacity", "--model", "hebbian", "--n", "30", "--alphas", "0.1",
                        "--seeds", "1", "--pattern-param", "0.3", "--out", str(tmp_path / "b"),
                        "--no-progress", "--no-plot"], capsys)
    assert code == 0, err
    record = json.loads((tmp_path / "b" / "records.jsonl").read_text().splitlines()[0])
    assert record["pattern_param"] == {"bias": 0.3}


@needs_sklearn
def test_real_data_records_carry_source_and_licence(tmp_path, capsys):
    code, _, err = run(["capacity", "--model", "hebbian", "--n", "64", "--alphas", "0.05",
                        "--seeds", "1", "--patterns", "digits", "--out", str(tmp_path),
                        "--no-progress", "--no-plot"], capsys)
    assert code == 0, err
    record = json.loads((tmp_path / "records.jsonl").read_text().splitlines()[0])
    assert "CC BY 4.0" in record["data_source"]["licence"]
    assert record["data_source"]["threshold"] == 8


def test_bisection_stops_at_the_size_of_a_data_set(tmp_path, capsys):
    size = ap.max_patterns("letters", 100, {"chars": "digits"})
    code, _out, err = run(["capacity", "--model", "pseudoinverse", "--param", "self_coupling=true",
                          "--n", "100", "--alphas", "0.05:1.0", "--search", "bisect",
                          "--patterns", "letters", "--pattern-param", "chars=digits",
                          "--seeds", "1", "--out", str(tmp_path), "--no-progress", "--no-plot"],
                         capsys)
    assert code == 0, err
    lines = (tmp_path / "records.jsonl").read_text().splitlines()
    loads = [json.loads(line)["n_patterns"] for line in lines]
    assert max(loads) == size  # the whole set stored, never more asked for


@pytest.mark.parametrize("args, message", [
    (["--patterns", "nope"], "unknown pattern family 'nope'"),
    (["--patterns", "markov", "--pattern-param", "q=1"], "unknown parameter 'q'"),
    (["--patterns", "markov", "--pattern-param", "p=2"], "p=2.0 must be <= 1.0"),
    (["--patterns", "features", "--pattern-param", "0.3"], "needs KEY=VALUE"),
    (["--patterns", "letters", "--n", "50"], "not a square number"),
    (["--patterns", "letters", "--alphas", "0.9"], "exceeds the"),
    (["--cue", "occlude", "--n", "50"], "not images"),
])
def test_pattern_errors_are_one_line_exit_2(args, message, capsys, tmp_path):
    code, _, err = run(["capacity", "--model", "hebbian", *args, "--out", str(tmp_path)], capsys)
    assert code == 2 and message in err and err.count("\n") == 1, err


def test_list_shows_pattern_families_and_cues(capsys):
    code, out, _ = run(["list"], capsys)
    assert code == 0
    for family_id in ("random", "markov", "features", "separated", "digits", "letters", "lfw"):
        assert f"\n{family_id} " in out
    assert "covariance" in out and "occlude-side" in out


def test_a_user_family_reaches_worker_processes(tmp_path, monkeypatch):
    """A family registered by the user's module is re-imported where trials run."""
    (tmp_path / "my_patterns_plugin.py").write_text(
        "import numpy as np\n"
        "import amem.patterns\n"
        "@amem.patterns.register('stripes-test', defaults={'width': 2})\n"
        "def stripes(n_patterns, n_units, rng, width):\n"
        "    '''Stripes of random phase.'''\n"
        "    phase = rng.integers(0, 2 * width, size=(n_patterns, 1))\n"
        "    return np.where(((np.arange(n_units) + phase) // width) % 2 == 0, 1, -1)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import my_patterns_plugin  # noqa: F401

    try:
        config = SweepConfig(models=[("hebbian", {})], n_units=[16], alphas=[0.25], seeds=1,
                             patterns="stripes-test", pattern_param={"width": 4})
        (unit,) = plan_sweep(config, {})
        assert unit.trials[0].patterns == "my_patterns_plugin:stripes-test"
        spelled = replace(config, patterns="my_patterns_plugin:stripes-test")
        assert plan_sweep(spelled, {})[0].trials == unit.trials  # the same trials either way
        ap.unregister("stripes-test")  # a fresh worker does not know the family ...
        del sys.modules["my_patterns_plugin"]
        (record,) = run_unit(unit)  # ... until the trial's id imports its module
        assert record["patterns"] == "my_patterns_plugin:stripes-test"
        assert record["pattern_param"] == {"width": 4}
    finally:
        ap.unregister("stripes-test")
        sys.modules.pop("my_patterns_plugin", None)


def test_recall_gallery_draws_pattern_cue_and_recalls():
    from matplotlib.figure import Figure

    from amem.plots.recall_images import draw_recall_gallery

    x = ap.make_patterns("letters", 1, 100, 0)[0]
    cue = ap.occlusion_cues(x[None], 0.5, 0, where="bottom")[0]
    axes = draw_recall_gallery(Figure(), x, cue, {"a": x, "b": -x}, (10, 10))
    assert axes.shape == (2, 3)
    np.testing.assert_array_equal(axes[1, 2].images[0].get_array(), -x.reshape(10, 10))
    np.testing.assert_array_equal(axes[0, 1].images[0].get_array(), cue.reshape(10, 10))
