"""Studies: study files, run (resume, nothing rerun, SIGKILL), render, check, tables, README blocks."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from amem.errors import AmemError
from amem.records.schema import decode_record, encode_record
from amem.studies import spec as spec_module
from amem.studies.check import check_study
from amem.studies.render import render_study
from amem.studies.runner import run_study
from amem.studies.spec import load_study, parse_study, quick_fields
from amem.studies.tables import Table

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "tests" / "data" / "tiny_study.toml"


def _bench(*argv, cwd=None):
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{cwd or ''}"}
    return subprocess.run([sys.executable, "-m", "amem.bench", *argv], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)


def _strip(records):
    """Records without timings: the only fields two runs of the same trial may differ in."""
    return sorted(({k: v for k, v in r.items() if not k.endswith("_s")} for r in records),
                  key=lambda r: r["key"])


def _load(directory):
    from amem.records.store import RecordStore

    return RecordStore(directory).load()


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """The tiny study, run and rendered once in a temporary folder."""
    folder = tmp_path_factory.mktemp("tiny")
    shutil.copy(TINY, folder / "tiny.toml")
    study = load_study(folder / "tiny.toml")
    run_study(study, progress=False, log=lambda m: None)
    render_study(study)
    return study


# ------------------------------------------------------------------ study files
def _parse(text, tmp_path):
    import tomllib

    return parse_study(tomllib.loads(text), tmp_path / "s.toml")


BASE = 'id = "s"\nout = "o"\n[[sweep]]\nname = "a"\nmodel = "hebbian"\nn = [16]\nalphas = [0.1]\nseeds = 1\n'


@pytest.mark.parametrize("extra, message", [
    ("colour = 1\n", "unknown key 'colour'"),
    ('[[output]]\nname = "x"\nmake = "m:f"\ninputs = ["nope"]\n', "'nope' are not sweeps"),
    ('[[output]]\nname = "x"\nmake = "no-colon"\n', "package.module:function"),
    ('[[sweep]]\nname = "a"\nmodel = "hebbian"\n', "names must be unique"),
    ('[[sweep]]\nname = "b"\nmodel = "nosuch"\n', "sweep 'b'"),
    ('[[sweep]]\nname = "b"\nmodel = "hebbian"\nalphas = "1:x"\n', "alphas"),
    ('[[sweep]]\nname = "b"\nmodel = "hebbian"\nprobe = "nosuch"\n', "unknown probe"),
    ('[[reference]]\nitem = "r"\nvalue = "high"\nsource = "s"\n', "must be a number"),
])
def test_bad_study_files_are_one_line_errors(extra, message, tmp_path):
    with pytest.raises(AmemError, match=message) as err:
        _parse(BASE + extra, tmp_path)
    assert "\n" not in str(err.value)


def test_cli_errors_exit_2_with_one_line(tmp_path):
    (tmp_path / "bad.toml").write_text(BASE + "colour = 1\n")
    for argv in (["study", "run", "nosuch-study"], ["study", "render", str(tmp_path / "bad.toml")],
                 ["study", "run", str(tmp_path / "missing.toml")]):
        result = _bench(*argv, cwd=tmp_path)
        assert result.returncode == 2, result.stderr
        assert result.stderr.startswith("error:") and result.stderr.count("\n") == 1


def test_quick_reduces_seeds_sizes_and_loads():
    fields = {"models": [("hebbian", {})], "n_units": [400, 100], "seeds": 20,
              "alphas": [round(0.01 + 0.05 * k, 2) for k in range(41)], "search": "grid"}
    quick = quick_fields(fields, {})
    assert quick["seeds"] == 2 and quick["n_units"] == [100]
    assert len(quick["alphas"]) <= 7 and quick["alphas"][0] == 0.01 and quick["alphas"][-1] == 2.01
    assert quick_fields(fields, {"seeds": 3, "n": [50]})["n_units"] == [50]


# ------------------------------------------------------------------ run, render, check
def test_run_renders_every_output_with_sidecars(tiny):
    for name in ("accuracy", "anatomy"):
        assert (tiny.out / f"{name}.png").exists() and (tiny.out / f"{name}.pdf").exists()
        sidecar = json.loads((tiny.out / f"{name}.output.json").read_text())
        assert sidecar["study"] == "tiny" and sidecar["data"]["axes"]
        assert len(sidecar["records"]["hash"]) == 16
    for name in ("capacities", "atoms", "fmax", "references"):
        assert (tiny.out / f"{name}.md").read_text().startswith("| ")
        assert r"\toprule" in (tiny.out / f"{name}.tex").read_text()
    assert "[" in (tiny.out / "headline.md").read_text()
    page = (tiny.out / "index.html").read_text()
    assert '<img src="accuracy.png"' in page and "Provenance" in page and "<table>" in page
    assert "agrees" in (tiny.out / "references.md").read_text() or \
        "differs" in (tiny.out / "references.md").read_text()


def test_finished_study_reruns_nothing(tiny):
    files = {p: p.read_bytes() for p in tiny.out.glob("*/records.jsonl")}
    logs = {p: p.read_bytes() for p in tiny.out.glob("*/sweeps.jsonl")}
    messages = []
    report = run_study(tiny, progress=False, log=messages.append)
    assert all(r.missing == 0 for r in report)
    assert all("nothing to run" in m for m in messages) and len(messages) == len(tiny.sweeps)
    assert {p: p.read_bytes() for p in files} == files
    assert {p: p.read_bytes() for p in logs} == logs  # no configuration logged: nothing ran


def test_check_passes_on_a_fresh_render_and_fails_on_drift(tiny, tmp_path):
    assert check_study(tiny).status == "ok"
    table = tiny.out / "capacities.md"
    saved = table.read_text()
    table.write_text(saved.replace("paper", "papers", 1))
    try:
        result = check_study(tiny)
        assert result.status == "failed" and "capacities" in result.messages[0]
    finally:
        table.write_text(saved)
    sidecar = tiny.out / "accuracy.output.json"
    saved = sidecar.read_text()
    data = json.loads(saved)
    data["data"]["axes"][0]["lines"][0]["xy"][0][1] += 0.01  # the figure plotted other numbers
    sidecar.write_text(json.dumps(data))
    try:
        result = check_study(tiny)
        assert result.status == "failed"
        assert any("accuracy: the figure plots other data" in m for m in result.messages)
    finally:
        sidecar.write_text(saved)
    assert check_study(tiny).status == "ok"


def test_check_fails_when_a_record_changes(tiny):
    path = tiny.out / "grid" / "records.jsonl"
    saved = path.read_bytes()
    lines = saved.splitlines(keepends=True)
    record = decode_record(lines[0])
    record["mean_overlap"] = 0.5 if record["mean_overlap"] > 0.9 else 1.0
    lines[0] = encode_record({k: v for k, v in record.items() if k != "crc32"})
    path.write_bytes(b"".join(lines))
    try:
        result = check_study(tiny)
        assert result.status == "failed"
    finally:
        path.write_bytes(saved)


def test_check_skips_a_study_whose_records_are_missing(tmp_path):
    shutil.copy(TINY, tmp_path / "tiny.toml")
    result = check_study(load_study(tmp_path / "tiny.toml"))
    assert result.status == "skipped"
    assert any("not present" in m for m in result.messages)
    assert any("study run tiny" in m for m in result.messages)


def test_quick_run_goes_to_its_own_folder(tmp_path):
    shutil.copy(TINY, tmp_path / "tiny.toml")
    result = _bench("study", "run", "tiny.toml", "--quick", "--only", "grid", "--no-progress",
                    cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    records = _load(tmp_path / "amem-quick" / "tiny" / "grid")
    assert {r["seed"] for r in records} == {0, 1}
    assert not (tmp_path / "tiny-results").exists()


KILL_STUDY = """id = "kill"
out = "results"
[[sweep]]
name = "grid"
model = "hebbian"
n = [64]
alphas = "0.05:0.5:0.05"
noise = [0.1]
seeds = 8
"""


def test_sigkill_then_rerun_gives_the_records_of_an_uninterrupted_run(tmp_path):
    killed, clean = tmp_path / "killed", tmp_path / "clean"
    for folder in (killed, clean):
        folder.mkdir()
        (folder / "kill.toml").write_text(KILL_STUDY)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "amem.bench", "study", "run", "kill.toml",
                             "--no-progress", "--no-render"], cwd=killed, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    records = killed / "results" / "grid" / "records.jsonl"
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None:
        if records.exists() and records.stat().st_size > 0:
            break
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    partial = len(_load(killed / "results" / "grid"))
    assert 0 < partial < 80, "the kill should land mid-run"
    assert _bench("study", "run", "kill.toml", "--no-progress", "--no-render", cwd=killed).returncode == 0
    assert _bench("study", "run", "kill.toml", "--no-progress", "--no-render", cwd=clean).returncode == 0
    resumed, uninterrupted = _load(killed / "results" / "grid"), _load(clean / "results" / "grid")
    assert len(resumed) == len(uninterrupted) == 80
    assert _strip(resumed) == _strip(uninterrupted)


# ------------------------------------------------------------------ tables
def test_tables_markdown_and_booktabs_latex():
    t = Table(["model", "α_c [95% CI]"], [["a_b", "1.0 [0.9, 1.1]"], ["c&d", "50%"]], caption="x_1")
    md = t.to_markdown()
    assert md.splitlines()[0] == "| model | α_c [95% CI] |" and md.splitlines()[1] == "|---|--:|"
    tex = t.to_latex()
    for token in (r"\toprule", r"\midrule", r"\bottomrule", r"a\_b", r"c\&d", r"50\%",
                  r"$\alpha$\_c", r"\caption{x\_1}", r"\begin{tabular}{lr}"):
        assert token in tex, token
    with pytest.raises(ValueError):
        Table(["a"], [["1", "2"]])


# ------------------------------------------------------------------ README blocks
def _as_shipped(tmp_path, monkeypatch, tiny):
    """Make the tiny study (already run) look shipped: defs and repository root in tmp_path."""
    defs = tmp_path / "defs"
    defs.mkdir()
    text = TINY.read_text().replace('out = "tiny-results"', f'out = "{tiny.out}"')
    (defs / "tiny.toml").write_text(text)
    monkeypatch.setattr(spec_module, "DEFS_DIR", defs)
    monkeypatch.setattr(spec_module, "REPO_ROOT", tmp_path)


def test_readme_blocks_are_rendered_and_a_changed_record_makes_them_stale(tiny, tmp_path, monkeypatch):
    from amem.studies.readme import stale_blocks, update_file

    _as_shipped(tmp_path, monkeypatch, tiny)
    readme = tmp_path / "README.md"
    readme.write_text("# x\n\n<!-- amem:render study=tiny output=capacities -->\ntyped by hand\n"
                      "<!-- /amem:render -->\n\n| Hebbian | <!-- amem:render study=tiny output=headline -->"
                      "0.1<!-- /amem:render --> |\n")
    assert len(stale_blocks([readme])[0]) == 2
    assert len(update_file(readme)) == 2
    text = readme.read_text()
    assert "| hebbian |" in text and "typed by hand" not in text
    assert "| Hebbian | <!-- amem:render study=tiny output=headline -->0.2" in text  # one line
    assert stale_blocks([readme]) == ([], [])
    path = tiny.out / "grid" / "records.jsonl"
    saved = path.read_bytes()
    lines = saved.splitlines(keepends=True)
    record = decode_record(lines[-1])  # a bisection record of N = 32: the headline changes
    record["mean_overlap"] = 0.0 if record["mean_overlap"] >= 0.95 else 1.0
    lines[-1] = encode_record({k: v for k, v in record.items() if k != "crc32"})
    path.write_bytes(b"".join(lines))
    try:
        stale, _ = stale_blocks([readme])
        assert stale, "a hand-changed record must make the rendered README blocks stale"
    finally:
        path.write_bytes(saved)


def test_committed_readme_blocks_match_a_fresh_render():
    """Every rendered block in README.md and results/**/README.md equals a fresh render of the
    committed records (blocks whose records are not present yet are skipped, and listed)."""
    from amem.studies.readme import stale_blocks

    stale, skipped = stale_blocks()
    assert not stale, "\n".join(stale)


# ------------------------------------------------------------------ shipped studies
def test_every_results_folder_names_its_study():
    from amem.studies.spec import list_studies

    studies = list_studies()
    outs = {s.out.resolve() for s in studies}
    folders = {p.resolve() for p in (ROOT / "results").iterdir() if p.is_dir()}
    assert folders <= outs, f"result folders without a study: {sorted(map(str, folders - outs))}"
    for folder in folders:
        readme = folder / "README.md"
        ids = [s.id for s in studies if s.out.resolve() == folder]
        assert readme.exists() and any(f"study run {i}" in readme.read_text() for i in ids), folder


def test_results_hold_outputs_only():
    scripts = [p for p in (ROOT / "results").rglob("*") if p.suffix in (".py", ".sh")]
    assert not scripts, scripts


def test_shipped_studies_load_and_check_or_skip():
    from amem.studies.spec import list_studies

    for study in list_studies():
        assert (study.sweeps or study.search) and study.outputs, study.id
        assert check_study(study).status in ("ok", "skipped"), study.id


# ------------------------------------------------------------------ renderers on hand-built records
def _fake_records(config):
    """Records shaped like the harness's for every trial of a (quick) sweep, with made-up but
    load-dependent outcomes: each probe's renderers get what they read."""
    from amem.harness.sweep import bisect_capacity, plan_sweep, planned_trials

    if config.search != "grid":  # the loads a real bisection asks for, so each search settles
        out = []
        for unit in plan_sweep(config, {}):
            out += bisect_capacity(unit, lambda ts, models, search: [_fake_record(t, config)
                                                                     for t in ts])
        return out
    return [_fake_record(t, config) for t in planned_trials(config)]


def _fake_record(t, config):
    good = 1.0 if t.alpha < 0.4 + 0.1 * (t.seed % 3) + 2.0 * (t.model == "modern") else 0.4
    r = {"schema": 2, "key": t.key(), **t.identity(), "alpha": t.alpha, "search": config.search,
         "mean_overlap": good, "frac_retrieved": good, "frac_stable": good,
         "frac_exact": good, "min_overlap": good, "n_censored": 0}
    if t.probe == "pid-anatomy":
        r |= {"unique_external": 0.0, "unique_internal": 0.1 * t.alpha, "redundancy": good,
              "synergy": 0.01, "residual_entropy": 0.0, "output_entropy": good + 0.01}
        bins = t.probe_params.get("sensitivity_bins", [])
        if bins:
            r["bins"] = [{"n_bins": k, "unique_external": 0.0, "unique_internal": 0.0,
                          "redundancy": good, "synergy": 0.0, "residual_entropy": 0.0,
                          "output_entropy": good} for k in bins]
    elif t.probe == "noise-robustness":
        r |= {"f_max": None if good < 1 and t.seed == 0 else 0.2 * good, "levels": [[0.0, good]]}
    elif t.probe == "training":
        r |= {"unique_1": 0.0, "unique_2": -0.01, "redundancy": good, "synergy": 0.02,
              "residual_entropy": 0.05, "epochs_trained": 100, "met_criterion": True}
    return r


def test_every_shipped_renderer_draws_from_hand_built_records(tmp_path):
    from amem.records.store import RecordStore
    from amem.studies.spec import list_studies

    for study in list_studies():
        out = tmp_path / study.id
        for sweep in study.sweeps:
            RecordStore(study.sweep_dir(sweep, out)).append(
                _fake_records(sweep.config(True, study.quick)))
        rendered = render_study(study, out=out, quick=True)
        assert {r.name for r in rendered} >= {o.name for o in study.outputs}, study.id
        for r in rendered:
            for f in r.files:
                assert (out / f).stat().st_size > 0, (study.id, f)
