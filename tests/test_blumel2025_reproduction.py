"""A reproduction study renders whatever has run (issue 14): shared sweeps hit the same trial keys,
every item keeps its conformance row (not run / provisional), each item has a cost, and figures
omit curves not run yet. The tiny study runs real Hebbian and Descent-L2 trials (well under 1 s)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from amem.harness.sweep import planned_trials
from amem.studies.spec import find_study, list_studies, load_study

ROOT = Path(__file__).resolve().parents[1]
#: blumel2025 sweeps that share another study's folder, and that study's sweep with the same
#: trials ("=": the same keys; "<": all of ours are among its keys, it holds more models)
SHARED = {"fig2c_hebbian": ("infomorphic", "fig2c_hebbian", "="),
          "fig2c_infomorphic": ("infomorphic", "fig2c_infomorphic", "="),
          "fig2d_atoms": ("infomorphic", "fig2d_atoms", "="),
          "scaling_n50": ("infomorphic", "size_n50", "="),
          "fig5a_descent-l2": ("baselines", "paper-fast", "<"),
          "fig5a_mpf": ("baselines", "paper-iterative", "<"),
          # the correlation appendix: the structure studies' Markov sweeps (bisection for the
          # infomorphic network, the 0.01 load grid for the Hebbian one)
          **{f"corr_infomorphic_p{p}": ("structure-markov-infomorphic", f"infomorphic-p0.{p}", "=")
             for p in range(50, 90, 5)},
          **{f"corr_hebbian_p{p}": ("structure-markov", f"hebbian-p0.{p}", "=")
             for p in range(50, 90, 5)}}


def _keys(sweep) -> set[str]:
    return {t.key() for t in planned_trials(sweep.config())}


# ------------------------------------------------------------------ 1. shared records
def test_shared_sweeps_resolve_to_the_same_trial_keys_and_folder():
    blumel = find_study("blumel2025")
    studies = {s.id: s for s in list_studies()}
    shared = {s.name for s in blumel.sweeps if s.dir.startswith("..")}
    assert shared == set(SHARED)
    for name, (study_id, other_name, relation) in SHARED.items():
        ours, other = blumel.sweep(name), studies[study_id].sweep(other_name)
        assert blumel.sweep_dir(ours).resolve() == studies[study_id].sweep_dir(other).resolve(), name
        mine, theirs = _keys(ours), _keys(other)
        assert mine == theirs if relation == "=" else mine < theirs, name


def test_no_unshared_sweep_retrains_trials_another_study_names():
    """Every blumel2025 sweep in its own folder has trials no other study's sweep holds in full
    (sharing is exact: a partial overlap, e.g. Hebbian Markov on another grid, is not shared)."""
    blumel = find_study("blumel2025")
    others = [(st.id, s.name, _keys(s)) for st in list_studies() if st.id != "blumel2025"
              for s in st.sweeps if s.config().search == "grid"]
    for sweep in blumel.sweeps:
        if sweep.dir.startswith(".."):
            continue
        mine = _keys(sweep)
        twins = [f"{sid}/{name}" for sid, name, keys in others if mine <= keys]
        assert not twins, f"{sweep.name}: its trials are all in {twins}; share that folder"


# ------------------------------------------------------------------ a tiny reproduction
TINY = """
id = "tiny-repro"
out = "out"
reproduction = true

[[sweep]]
name = "fig2c_hebbian"
model = "hebbian"
n = [20]
alphas = "0.05:0.5:0.05"
seeds = 4

[[sweep]]
name = "fig5a_descent-l2"
model = "descent-l2"
n = [20]
alphas = "0.05:0.5:0.05"
seeds = 4

[[sweep]]
name = "hebbian_n30"
model = "hebbian"
n = [30]
alphas = "0.05:0.5:0.05"
seeds = 4

[[output]]
name = "fig5a"
make = "amem.studies.renderers.blumel2025:fig5a"
inputs = ["fig2c_hebbian", "fig5a_descent-l2"]

[[reference]]
id = "hebbian"
item = "capacity, Hebbian"
value = 0.14
resolution = 0.05
source = "test"
criterion = "paper"
measure = "amem.studies.measures:capacity"
inputs = ["fig2c_hebbian"]
args = { model = "hebbian", n_units = "max" }

[[reference]]
id = "descent"
item = "capacity, Descent L2"
source = "test"
criterion = "paper"
measure = "amem.studies.measures:capacity"
inputs = ["fig5a_descent-l2"]
args = { model = "descent-l2", n_units = "max" }

[[reference]]
id = "per-n"
item = "capacity per N"
source = "test"
criterion = "paper"
measure = "amem.studies.renderers.blumel2025:capacity_rows"
inputs = ["fig2c_hebbian", "hebbian_n30"]
args = { by = "n_units" }
"""


@pytest.fixture
def tiny(tmp_path):
    """The tiny study with fig2c_hebbian run, and seed 3 cut after its first five loads
    (partial); the other two sweeps not run."""
    from amem.records.store import RECORDS_FILE
    from amem.studies.runner import run_study

    path = tmp_path / "tiny.toml"
    path.write_text(TINY)
    study = load_study(path)
    run_study(study, only=["fig2c_hebbian"], progress=False, log=lambda m: None)
    records_file = study.sweep_dir(study.sweep("fig2c_hebbian")) / RECORDS_FILE
    lines = records_file.read_text().splitlines()
    keep = [ln for ln in lines if json.loads(ln)["seed"] != 3 or json.loads(ln)["alpha"] <= 0.25]
    assert len(keep) < len(lines)
    records_file.write_text("\n".join(keep) + "\n")
    return study


def test_every_item_has_a_row_missing_ones_with_command_and_cost(tiny):
    from amem.studies.conformance import conformance_rows

    rows, _ = conformance_rows(tiny)
    assert {r["id"] for r in rows} == {"hebbian", "descent", "per-n"}
    descent = next(r for r in rows if r["id"] == "descent")
    assert descent["verdict"] == "not run" and descent["measured"] is None
    assert "`python -m amem.bench reproduce tiny-repro --only descent`" in descent["note"]
    assert "CPU h" in descent["note"]
    # a curve item: the measured curve, and a not-run row for the sweep without records
    per_n = [r for r in rows if r["id"] == "per-n"]
    assert [r["verdict"] for r in per_n] == ["no published value (provisional)", "not run"]
    assert per_n[1]["item"].endswith("hebbian_n30")


def test_a_partial_sweep_is_provisional_and_measured_on_complete_seeds_only(tiny):
    from amem.studies.conformance import conformance_rows
    from amem.studies.data import load_sweep
    from amem.studies.measures import capacity

    rows, _ = conformance_rows(tiny)
    row = next(r for r in rows if r["id"] == "hebbian")
    assert row["verdict"].endswith("(provisional)") and row["status"] == "provisional"
    assert row["measured"]["n_seeds"] == 3
    assert "3 of 4 seeds" in row["note"]
    complete = [r for r in load_sweep(tiny, "fig2c_hebbian").records if r["seed"] != 3]
    expected = capacity({"x": complete}, model="hebbian", n_units="max")
    assert row["measured"]["value"] == pytest.approx(expected["value"])


def test_render_writes_every_format_and_check_passes_with_sweeps_missing(tiny):
    from amem.studies.check import check_study
    from amem.studies.render import render_study

    render_study(tiny)
    out = tiny.out
    md = (out / "references.md").read_text()
    assert md.count("\n| capacity") == 4 and "Status: not run" in md  # the rule, once
    assert r"\toprule" in (out / "references.tex").read_text()
    assert {r["id"] for r in json.loads((out / "references.json").read_text())} == \
        {"hebbian", "descent", "per-n"}
    data = json.loads((out / "fig5a.output.json").read_text())["data"]
    assert "not run yet: fig5a_descent-l2" in data["axes"][0]["texts"][0]
    assert [ln["label"] for ln in data["axes"][0]["lines"] if ln["label"]] == ["Hebb"]
    assert (out / "cost.md").exists() and (out / "fig5a.png").exists()
    assert check_study(tiny).status == "ok"


# ------------------------------------------------------------------ 3. cost
def test_cost_per_item_measured_from_records_and_projected_for_the_rest(tiny):
    from amem.studies.cost_model import measured
    from amem.studies.data import load_sweep
    from amem.studies.reproduction import assess, cost_table

    repro = assess(tiny)
    heb, descent, per_n = (repro.item(i) for i in ("hebbian", "descent", "per-n"))
    records = load_sweep(tiny, "fig2c_hebbian").records
    assert heb.measured_s == pytest.approx(measured(records)[0]) and heb.measured_s > 0
    assert heb.to_run == 40 - len(records)  # 10 loads x 4 seeds planned
    assert descent.measured_s == 0 and descent.to_run == 40 and descent.projected_s > 0
    assert per_n.paid == ["hebbian_n30"]  # fig2c_hebbian is priced once, with "hebbian"
    table = cost_table(repro)
    assert [r[0] for r in table.rows] == ["hebbian", "descent", "per-n", "total"]
    assert table.rows[-1][5] == str(heb.to_run + descent.to_run + per_n.to_run)


def test_cost_model_scales_with_epochs_n_squared_and_soft_binning():
    from amem.harness.trials import TrialSpec
    from amem.studies.cost_model import DEFAULT_EPOCHS, CostModel, soft_factor

    def rec(n, p, epochs, s, seed=0, ok=1.0):
        return {"model": "infomorphic", "params": {}, "n_units": n, "n_patterns": p, "seed": seed,
                "alpha": p / n, "store_s": s, "recall_s": 0.0, "noise": 0.0, "cue": "flip",
                "patterns": "random", "pattern_param": None, "max_steps": None, "key": f"{n}{p}{seed}",
                "search": "grid", "update": "sync", "mean_overlap": ok, "frac_retrieved": ok,
                "frac_stable": ok, "frac_exact": ok, "min_overlap": ok, "n_censored": 0,
                "diagnostics": {"network_epochs": epochs}}

    recs = [rec(100, 50, 100, 0.1), rec(100, 100, 200, 0.2), rec(100, 150, 5000, 5.0, ok=0.2),
            rec(200, 100, 1000, 4.0)]
    model = CostModel.from_records(recs)  # profile {0.5: 100, 1.0: 200, 1.5: 5000}, alpha_c 1.0
    assert model.r100 == pytest.approx(9.3 / (100 + 200 + 5000 + 4000))
    assert model.profile_alpha_c == pytest.approx(1.0)
    low = TrialSpec("infomorphic", {}, n_units=100, n_patterns=50)
    assert model.epochs(low, alpha_c=1.0) == 100  # the profile's epochs at the same load
    assert model.epochs(low, alpha_c=0.5) == 200  # capacity 0.5 lower: as the profile at 1.0
    assert model.epochs(low, alpha_c=0.0) == DEFAULT_EPOCHS  # above capacity: every epoch
    assert model.epochs(low, alpha_c=-1.0) == DEFAULT_EPOCHS  # beyond the profile
    s100 = model.trial_seconds(low, 1.0)[0]
    assert model.trial_seconds(TrialSpec("infomorphic", {}, n_units=200, n_patterns=100), 1.0)[0] \
        == pytest.approx(4 * s100)
    soft = TrialSpec("infomorphic", {"binning": "soft"}, n_units=100, n_patterns=50)
    assert model.trial_seconds(soft, 1.0)[0] == pytest.approx(soft_factor(10) * s100)
    soft60 = TrialSpec("infomorphic", {"binning": "soft", "n_bins": 60}, n_units=100, n_patterns=50)
    assert model.trial_seconds(soft60, 1.0)[0] == pytest.approx(6 * soft_factor(10) * s100)


def test_committed_cost_table_prices_every_item_and_the_authors_fmax_job():
    text = (ROOT / "results" / "blumel2025" / "cost.md").read_text()
    study = find_study("blumel2025")
    for ref in study.references:
        assert f"\n| {ref.id} |" in text, ref.id
    assert "| total |" in text and "1536 (their f_max job: 32 CPUs x 48 h)" in text


# ------------------------------------------------------------------ 4. figures and reproduce
def test_every_blumel_figure_renders_with_no_records():
    from matplotlib.figure import Figure

    from amem.studies.data import load_function

    study = find_study("blumel2025")
    for output in study.outputs:
        fig = load_function(output.make)({name: [] for name in output.inputs}, **output.args)
        assert isinstance(fig, Figure), output.name
        curves = [ln.get_label() for ax in fig.axes for ln in ax.get_lines()
                  if not ln.get_label().startswith("_") and ln.get_label() != "paper"]
        assert not curves, (output.name, curves)  # the paper's own values may stay


def test_reproduce_prints_the_figures_it_wrote(tiny):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "amem.bench", "reproduce", str(tiny.source),
                           "--no-run"], env=env, cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert f"wrote figure {tiny.out / 'fig5a.png'}" in done.stdout
    assert "| capacity, Descent L2 |" in done.stdout and "not run" in done.stdout
    assert (tiny.out / "conformance.json").exists() and (tiny.out / "cost.md").exists()


def test_reproduce_runs_the_other_sweeps_when_one_holds_another_codes_records(tiny):
    """A folder of another code's records is refused (named, exit 1); the rest still runs."""
    from amem.records.store import RECORDS_FILE

    records_file = tiny.sweep_dir(tiny.sweep("fig2c_hebbian")) / RECORDS_FILE
    lines = []
    for line in records_file.read_text().splitlines():
        r = json.loads(line)
        r.pop("crc32", None)
        r["code"] = {**r["code"], "sources": "0123456789abcdef"}
        lines.append(json.dumps(r))
    records_file.write_text("\n".join(lines) + "\n")
    config_log = records_file.parent / "sweeps.jsonl"
    logged = config_log.read_text()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "amem.bench", "reproduce", str(tiny.source),
                           "--no-progress"], env=env, cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 1, done.stderr
    assert "error: not run: fig2c_hebbian:" in done.stderr and "Traceback" not in done.stderr
    refusal = next(line for line in done.stderr.splitlines() if "not run: fig2c_hebbian:" in line)
    # the way out is one this command has (it has no --allow-mixed-code), and nothing was logged
    assert "reproduce --no-run" in refusal and "--out DIR" in refusal
    assert "allow-mixed-code" not in refusal
    assert config_log.read_text() == logged
    assert "note: fig2c_hebbian:" in done.stderr
    for name in ("fig5a_descent-l2", "hebbian_n30"):
        assert (tiny.sweep_dir(tiny.sweep(name)) / RECORDS_FILE).exists(), name
    assert (tiny.out / "conformance.md").exists()


BISECT = """
id = "tiny-bisect"
out = "out"

[[sweep]]
name = "b"
model = "hebbian"
n = [20]
alphas = "0.05:0.5"
search = "bisect"
seeds = 3
"""


def test_a_bisection_seed_is_complete_when_its_records_settle_the_search(tmp_path):
    from amem.records.store import RECORDS_FILE
    from amem.studies.progress import sweep_progress
    from amem.studies.runner import run_study

    path = tmp_path / "b.toml"
    path.write_text(BISECT)
    study = load_study(path)
    fresh = sweep_progress(study, "b")
    assert (fresh.status, fresh.seeds_planned, fresh.seeds_complete) == ("not run", 3, 0)
    assert len(fresh.to_run) >= 3
    run_study(study, progress=False, log=lambda m: None)
    done = sweep_progress(study, "b")
    assert (done.status, done.seeds_complete, done.to_run) == ("complete", 3, [])
    assert len(done.complete_records) == len(done.records) > 3
    records_file = study.sweep_dir(study.sweep("b")) / RECORDS_FILE
    lines = records_file.read_text().splitlines()
    seed1 = [i for i, ln in enumerate(lines) if json.loads(ln)["seed"] == 1]
    records_file.write_text("\n".join(ln for i, ln in enumerate(lines) if i != seed1[-1]) + "\n")
    cut = sweep_progress(study, "b")  # seed 1 lost its last bisection step: open again
    assert (cut.status, cut.seeds_complete) == ("partial", 2)
    assert {r["seed"] for r in cut.complete_records} == {0, 2} and cut.to_run
