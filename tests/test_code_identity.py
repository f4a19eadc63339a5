"""Records name the code that made them, and a folder never silently mixes two codes.

A result-changing change (simulated: another sources hash, another model version; real: an edit
to a copy of the package, in a subprocess) followed by a rerun into the same --out is refused in
one line with exit status 2, and the folder's files stay byte-identical. With
--allow-mixed-code both codes' records stay in the folder, told apart, and summarised apart.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import amem
from amem.bench.cli import main
from amem.harness.summary import summarize
from amem.harness.sweep import SweepConfig, run_sweep
from amem.records import provenance
from amem.records.provenance import MixedCodeError, code_identity, git_state, sources_hash
from amem.records.schema import code_fingerprint, encode_record
from amem.records.store import CONFIGS_FILE, RECORDS_FILE, RecordStore

REPO = Path(__file__).resolve().parent.parent
ARGS = ["capacity", "--model", "hebbian", "--n", "24", "--alphas", "0.1,0.2", "--seeds", "2",
        "--no-progress", "--no-plot"]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def run(args, capsys):
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def other_sources(monkeypatch):
    """As if the package sources had been edited since: another sources hash."""
    real = code_identity()
    changed = {**real, "sources": "0123456789abcdef", "dirty": True}
    monkeypatch.setattr(provenance, "code_identity", lambda root=None: dict(changed))
    return real, changed


# --------------------------------------------------------------------------- refusal (CLI)
def test_changed_sources_refused_in_one_line_and_folder_unchanged(tmp_path, capsys, monkeypatch):
    out = tmp_path / "out"
    assert run([*ARGS, "--out", str(out)], capsys)[0] == 0
    before = snapshot(out)
    real, changed = other_sources(monkeypatch)
    code, stdout, err = run([*ARGS, "--out", str(out)], capsys)
    assert code == 2 and stdout == ""
    line = err.strip()
    assert "\n" not in line and line.startswith("error: ")
    # names both codes and both ways out
    assert real["sources"] in line and changed["sources"] in line
    assert "--allow-mixed-code" in line and "new --out" in line
    assert snapshot(out) == before  # byte-identical: no record, no config line, no summary


def test_allow_mixed_code_keeps_both_codes_apart(tmp_path, capsys, monkeypatch):
    out = tmp_path / "out"
    assert run([*ARGS, "--out", str(out)], capsys)[0] == 0
    old_records = RecordStore(out).load()
    real, changed = other_sources(monkeypatch)
    code, stdout, _ = run([*ARGS, "--out", str(out), "--allow-mixed-code"], capsys)
    assert code == 0
    records = RecordStore(out).load()
    assert len(records) == 2 * len(old_records)  # the trials ran again with this code
    by_code = {}
    for r in records:
        by_code.setdefault(r["code"]["sources"], set()).add(r["key"])
    # the same trials (same keys: the commit is not in the key), told apart by their code
    assert by_code == {real["sources"]: {r["key"] for r in old_records},
                       changed["sources"]: {r["key"] for r in old_records}}
    summary = json.loads((out / "summary.json").read_text())
    assert sorted(c["sources"] for c in summary["codes"]) == sorted([real["sources"],
                                                                      changed["sources"]])
    paper = [c for c in summary["capacities"] if c["criterion"] == "paper"]
    assert sorted(c["code"]["sources"] for c in paper) == sorted([real["sources"],
                                                                  changed["sources"]])
    assert all(c["n_seeds"] == 2 for c in paper)  # never pooled: 2 seeds each, not 4
    assert stdout.count("hebbian v1@") == 2  # the table says which row is which code
    assert len((out / CONFIGS_FILE).read_text().splitlines()) == 2
    # resuming the mixed folder with this code reuses this code's records only: nothing reruns
    before = (out / RECORDS_FILE).read_bytes()
    assert run([*ARGS, "--out", str(out), "--allow-mixed-code"], capsys)[0] == 0
    assert (out / RECORDS_FILE).read_bytes() == before
    # `plot DIR` summarises exactly what the end of `capacity` summarised
    capacities = json.loads((out / "summary.json").read_text())["capacities"]
    (out / "summary.json").unlink()
    assert run(["plot", str(out)], capsys)[0] == 0
    assert json.loads((out / "summary.json").read_text())["capacities"] == capacities


class Doubler(amem.MemoryModel):
    """Test model: Hebbian couplings (the version bump stands for a change of its results)."""

    def __init__(self, *, update: str = "sync", seed: int = 0):
        super().__init__(seed=seed, update=update)

    def _fit(self, patterns):
        from amem.recurrent import SignDynamics

        w = (patterns.T.astype(np.int64) @ patterns).astype(float)
        np.fill_diagonal(w, 0.0)
        self._dynamics = SignDynamics(w, exact_integer=True)

    def _recall(self, cues, max_steps):
        return self._dynamics.recall(cues, max_steps, self.update, self.seed)


@pytest.fixture
def versioned_model():
    amem.register("test-versioned", Doubler, version=1, overwrite=True)
    yield "test-versioned"
    amem.unregister("test-versioned")


def test_model_version_bump_is_refused_and_then_kept_apart(tmp_path, capsys, versioned_model):
    args = [*ARGS[:2], versioned_model, *ARGS[3:], "--out", str(tmp_path)]
    assert run(args, capsys)[0] == 0
    v1 = RecordStore(tmp_path).load()
    assert {r["model_version"] for r in v1} == {1}
    before = snapshot(tmp_path)
    amem.register(versioned_model, Doubler, version=2, overwrite=True)
    code, _, err = run(args, capsys)
    assert code == 2 and "\n" not in err.strip()
    assert f"{versioned_model} v1" in err and f"{versioned_model} v2" in err
    assert snapshot(tmp_path) == before
    assert run([*args, "--allow-mixed-code"], capsys)[0] == 0
    records = RecordStore(tmp_path).load()
    v2 = [r for r in records if r["model_version"] == 2]
    assert len(v2) == len(v1)
    assert not {r["key"] for r in v1} & {r["key"] for r in v2}  # the version is in the key


def test_library_sweep_refuses_other_code_too(tmp_path):
    config = SweepConfig(models=[("hebbian", {})], n_units=[20], alphas=[0.1, 0.2], seeds=1)
    run_sweep(config, RecordStore(tmp_path), progress=False)
    before = snapshot(tmp_path)
    other = {**code_identity(), "sources": "ffffffffffffffff"}
    with pytest.raises(MixedCodeError, match="allow-mixed-code"):
        run_sweep(config, RecordStore(tmp_path), progress=False, code=other)
    assert snapshot(tmp_path) == before
    mine = run_sweep(config, RecordStore(tmp_path), progress=False, code=other,
                     allow_mixed_code=True)
    assert {r["code"]["sources"] for r in mine} == {"ffffffffffffffff"}  # only this code's


def test_another_commit_with_the_same_sources_resumes(tmp_path, capsys, monkeypatch):
    """Committing results or docs changes no number: same sources, same code."""
    out = tmp_path / "out"
    assert run([*ARGS, "--out", str(out)], capsys)[0] == 0
    moved = {**code_identity(), "commit": "f" * 40, "dirty": False}
    monkeypatch.setattr(provenance, "code_identity", lambda root=None: dict(moved))
    before = (out / RECORDS_FILE).read_bytes()
    code, _, err = run([*ARGS, "--out", str(out)], capsys)
    assert code == 0 and "resuming: 4 of 4" in err
    assert (out / RECORDS_FILE).read_bytes() == before


# --------------------------------------------------------------------------- record contents
def test_records_carry_code_version_and_resolved_params(tmp_path):
    config = SweepConfig(models=[("hebbian", {"update": "async"})], n_units=[20], alphas=[0.1],
                         seeds=1)
    (record,) = run_sweep(config, RecordStore(tmp_path), progress=False)
    assert record["code"] == {**code_identity(), "model_source": None}
    assert record["model_version"] == amem.spec("hebbian").version == 1
    assert record["resolved_params"] == {"seed": record["resolved_params"]["seed"],
                                         "self_coupling": False, "update": "async"}
    assert "diagnostics" not in record  # hebbian reports none


class Diagnosed(Doubler):
    def diagnostics(self):
        return {"epochs": 7, "criterion_met": True, "curve": np.arange(2)}


def test_model_diagnostics_are_recorded(tmp_path):
    amem.register("test-diagnosed", Diagnosed, overwrite=True)
    try:
        config = SweepConfig(models=[("test-diagnosed", {})], n_units=[20], alphas=[0.1], seeds=1)
        (record,) = run_sweep(config, RecordStore(tmp_path), progress=False)
    finally:
        amem.unregister("test-diagnosed")
    assert record["diagnostics"] == {"epochs": 7, "criterion_met": True, "curve": [0, 1]}


def test_summary_protocol_comes_from_the_records_not_the_registry():
    """A record says it ran async; the registry's default (sync) must not overrule it, and a
    model no longer registered still summarises."""
    rows = []
    for p, seed in [(2, 0), (4, 0), (2, 1), (4, 1)]:
        rows.append({"model": "gone-model", "model_version": 3, "params": {}, "n_units": 20,
                     "n_patterns": p, "alpha": p / 20, "seed": seed, "noise": 0.0, "cue": "flip",
                     "patterns": "random", "pattern_param": None, "max_steps": None,
                     "resolved_params": {"update": "async"}, "search": "bisect",
                     "code": {"amem": "0.0.9", "sources": "abc"},
                     "mean_overlap": 1.0, "frac_exact": 1.0, "frac_retrieved": 1.0,
                     "frac_stable": 1.0,
                     "per_pattern": {"agreement": [20] * p, "stable": "1" * p}})
    (paper,) = [c for c in summarize(rows) if c["criterion"] == "paper"]
    assert paper["protocol"]["update"] == "async" and paper["protocol"]["search"] == "bisect"
    assert not paper["paper_protocol"]  # async recall is not the paper's protocol
    assert paper["model_version"] == 3 and paper["code"]["amem"] == "0.0.9"
    sync = [{**r, "resolved_params": {"update": "sync"}} for r in rows]
    (paper,) = [c for c in summarize(sync) if c["criterion"] == "paper"]
    assert paper["paper_protocol"]


# --------------------------------------------------------------------------- schema 1
def test_schema_1_folder_is_a_one_line_error(tmp_path, capsys):
    (tmp_path / RECORDS_FILE).write_bytes(encode_record({"schema": 1, "key": "k", "model": "x"}))
    before = snapshot(tmp_path)
    for args in (["plot", str(tmp_path)], [*ARGS, "--out", str(tmp_path)]):
        code, _, err = run(args, capsys)
        assert code == 2 and "\n" not in err.strip()
        assert "schema-1" in err and "new --out" in err
    assert snapshot(tmp_path) == before


# --------------------------------------------------------------------------- provenance
def copy_package(dest: Path) -> Path:
    """A git checkout holding a copy of amem/ and baselines/ (one commit, clean). No
    .gitignore: the caches a run writes (Numba's) show up as untracked and must not count."""
    for name in ("amem", "baselines"):
        shutil.copytree(REPO / name, dest / name,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    git(dest, "init", "-q")
    git(dest, "add", "-A")
    git(dest, "commit", "-qm", "copy")
    return dest


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.email=t@t", "-c", "user.name=t", *args], cwd=root,
                          check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture
def checkout(tmp_path):
    return copy_package(tmp_path / "checkout")


def test_dirty_and_sources_cover_the_package_sources_only(checkout):
    clean = code_identity(checkout)
    assert clean["commit"] == git(checkout, "rev-parse", "HEAD") and clean["dirty"] is False
    # results written into the tracked tree, even committed ones, change nothing
    (checkout / "results").mkdir()
    (checkout / "results" / "summary.json").write_text("{}")
    (checkout / "results" / "make_figure.py").write_text("print(1)\n")  # not a package source
    assert code_identity(checkout) == clean
    git(checkout, "add", "-A")
    git(checkout, "commit", "-qm", "results")
    moved = code_identity(checkout)
    assert moved["dirty"] is False and moved["sources"] == clean["sources"]
    assert moved["commit"] != clean["commit"]
    # an edited source: dirty, another sources hash; an untracked module too
    path = checkout / "amem" / "registry.py"
    path.write_text(path.read_text() + "\n# edited\n")
    edited = code_identity(checkout)
    assert edited["dirty"] is True and edited["sources"] != clean["sources"]
    git(checkout, "checkout", "--", "amem/registry.py")
    assert code_identity(checkout)["sources"] == clean["sources"]
    (checkout / "baselines" / "scratch.py").write_text("x = 1\n")
    assert code_identity(checkout)["dirty"] is True
    assert sources_hash(checkout) != clean["sources"]
    (checkout / "baselines" / "scratch.py").unlink()
    # a presentation layer (a renderer, the command line) cannot change a record: dirty, but the
    # same sources, so committed sweeps stay this code's records
    for layer in ("amem/studies/render.py", "amem/bench/cli.py", "amem/plots/capacity.py"):
        path = checkout / layer
        path.write_text(path.read_text() + "\n# edited\n")
        edited = code_identity(checkout)
        assert edited["dirty"] is True and edited["sources"] == clean["sources"], layer
        git(checkout, "checkout", "--", layer)
    # ... while the trial, a model, a kernel or a pattern family can
    for source in ("amem/harness/trials.py", "amem/models/hebbian.py",
                   "amem/kernels/sign_recall.py", "amem/patterns/random.py"):
        path = checkout / source
        path.write_text(path.read_text() + "\n# edited\n")
        assert code_identity(checkout)["sources"] != clean["sources"], source
        git(checkout, "checkout", "--", source)


def test_outside_git_there_is_no_commit_but_a_sources_hash(tmp_path):
    for name in ("amem", "baselines"):
        shutil.copytree(REPO / name, tmp_path / name,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    assert git_state(tmp_path) == {"commit": None, "dirty": None}
    assert sources_hash(tmp_path) == sources_hash(REPO)  # same files, same hash


def cli_in(checkout: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(checkout), "MPLCONFIGDIR": str(out.parent / ".mpl"),
           "NUMBA_DISABLE_JIT": "1"}  # a tiny sweep: compiling would cost more than it saves
    return subprocess.run([sys.executable, "-m", "amem.bench", *ARGS, "--out", str(out), *extra],
                          cwd=checkout, env=env, capture_output=True, text=True, timeout=300,
                          check=False)


def test_real_code_change_in_a_copy_of_the_package_is_refused(checkout):
    """The whole story in real processes: a run writes into the checkout's tracked tree (not
    dirty), a result-changing commit to the package, the rerun is refused with the folder
    untouched; with --allow-mixed-code both codes' records are there."""
    out = checkout / "results" / "run"
    first = cli_in(checkout, out)
    assert first.returncode == 0, first.stderr
    records = RecordStore(out).load()
    head = git(checkout, "rev-parse", "HEAD")
    assert {(r["code"]["commit"], r["code"]["dirty"]) for r in records} == {(head, False)}
    assert code_identity(checkout)["dirty"] is False  # its own output did not dirty it
    # a result-changing change: "retrieved" now means overlap >= 0.5
    trials = checkout / "amem" / "harness" / "trials.py"
    text = trials.read_text()
    assert "RETRIEVED_OVERLAP = 0.95" in text
    trials.write_text(text.replace("RETRIEVED_OVERLAP = 0.95", "RETRIEVED_OVERLAP = 0.5"))
    git(checkout, "commit", "-qam", "change a result")
    before = snapshot(out)
    refused = cli_in(checkout, out)
    assert refused.returncode == 2 and refused.stdout == ""
    err = refused.stderr.strip()
    assert "\n" not in err and head[:7] in err and git(checkout, "rev-parse", "HEAD")[:7] in err
    assert snapshot(out) == before
    mixed = cli_in(checkout, out, "--allow-mixed-code")
    assert mixed.returncode == 0, mixed.stderr
    codes = {code_fingerprint(r["code"]) for r in RecordStore(out).load()}
    assert len(codes) == 2
