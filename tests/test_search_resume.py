"""A search killed with SIGKILL resumes without training any finished (goal, seed, P) again."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _command(directory: Path) -> list[str]:
    return [sys.executable, "-m", "amem.bench", "search-goal", "--dir", str(directory),
            "--n", "20", "--alphas", "0.5:1.0", "--max-alpha", "1.5", "--param", "epochs=40",
            "--sampler", "random", "--trials", "6", "--batch", "2", "--fidelity", "2",
            "--pruner", "none"]


def _env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.update(AMEM_THREADS="1", OMP_NUM_THREADS="1", NUMBA_NUM_THREADS="1")
    return env


def _batches(directory: Path) -> list[dict]:
    path = directory / "ledger.jsonl"
    if not path.exists():
        return []
    out = []
    for line in path.read_text().splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if entry.get("kind") == "batch":
            out.append(entry)
    return out


def test_killed_search_resumes_without_retraining(tmp_path):
    import optuna
    from optuna.trial import TrialState

    from amem.records.store import RecordStore

    directory = tmp_path / "search"
    proc = subprocess.Popen(_command(directory), cwd=ROOT, env=_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 240
    while len(_batches(directory)) < 3 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.02)
    assert proc.poll() is None, "the search finished before it could be killed: " + \
        proc.stdout.read().decode()[-2000:]
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    before = {k for b in _batches(directory) for k in b["epochs"]}
    assert before, "nothing was trained before the kill"

    done = subprocess.run(_command(directory), check=False, cwd=ROOT, env=_env(), capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "resuming: 2 trial(s) interrupted by a kill" in done.stdout

    trained = Counter(k for b in _batches(directory) for k in b["epochs"])
    assert max(trained.values()) == 1, [k for k, n in trained.items() if n > 1]  # none twice
    records = RecordStore(directory / "records").load()
    assert set(trained) == {r["key"] for r in records}
    study = optuna.load_study(study_name="goal-random",
                              storage=f"sqlite:///{directory / 'optuna.db'}")
    states = Counter(t.state for t in study.trials)
    assert states[TrialState.COMPLETE] == 6 and states[TrialState.FAIL] == 2
    retried = [t for t in study.trials if "amem_retry_of" in t.user_attrs]
    failed = {t.number: t.params for t in study.trials if t.state == TrialState.FAIL}
    assert sorted(t.user_attrs["amem_retry_of"] for t in retried) == sorted(failed)
    for t in retried:  # the same goal was measured again, from the records where finished
        assert t.params == failed[t.user_attrs["amem_retry_of"]]
    cost = json.loads((directory / "cost.json").read_text())["contexts"]["goal-random"]
    assert cost["total"]["sessions"] == 2
    assert cost["total"]["networks_trained"] == len(trained)
    assert cost["total"]["cache_hits"] > 0  # the resumed session reused the killed one's trials


@pytest.mark.parametrize("argv, message", [
    (["--sampler", "grid"], "invalid choice"),
    (["--fidelity", "6,2"], "--fidelity"),
    (["--alphas", "1"], "--alphas"),
    (["--param", "nope=1"], "nope"),
    (["--render"], "--render needs"),
    (["--write-study", "x.toml"], "--write-study needs"),
    (["--goal", "1,2"], "2 weights"),
    (["--trials", "0"], "--trials 0"),
    (["--storage", "nosuchdb://x"], "--storage"),
])
def test_bad_options_are_one_line_errors(tmp_path, capsys, argv, message):
    from amem.bench.cli import main

    with pytest.raises(SystemExit) if message == "invalid choice" else _nothing():
        code = main(["search-goal", "--dir", str(tmp_path / "d"), "--n", "20", *argv])
        assert code == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


@pytest.mark.slow  # spawning workers that import torch takes a minute on a loaded machine
def test_process_executor_gives_the_inline_numbers(tmp_path):
    """Goals measured on a 2-process pool equal those measured inline (seeds from identity)."""
    from amem.harness.executors import make_executor
    from amem.search.ledger import Ledger
    from amem.search.objective import Candidate, CapacityObjective, ObjectiveConfig

    config = ObjectiveConfig(n_units=20, alpha_low=0.5, alpha_high=1.0, max_alpha=1.5,
                             params={"epochs": 40})
    goals = [Candidate.make([0, 0, 1, 0, 0]), Candidate.make([1, -1, 0, 1, -1])]
    inline = CapacityObjective(config, tmp_path / "a").evaluate(goals, 2)
    pool = make_executor("process", 2)
    try:
        ledger = Ledger(tmp_path / "b", "t")
        objective = CapacityObjective(config, tmp_path / "b", pool, ledger)
        pooled = objective.evaluate(goals, 2)
    finally:
        pool.close()
    assert [r.capacities for r in pooled] == [r.capacities for r in inline]
    assert ledger.worker_cpu_s > 0 and ledger.inline_cpu_s == 0  # worker CPU is accounted
