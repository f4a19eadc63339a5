"""Every executor gives the same records; thread caps, --device and the optional Dask extra."""

from __future__ import annotations

import os
import sys

import numpy as np
import pytest

import amem
from amem.base import MemoryModel
from amem.errors import AmemError
from amem.harness.executors import InlineExecutor, ProcessExecutor, available_cores, make_executor
from amem.harness.sweep import (
    SweepConfig,
    apply_device,
    apply_update_rule,
    plan_sweep,
    planned_trials,
    run_sweep,
)
from amem.harness.trials import TrialSpec, run_trials
from amem.records.store import RecordStore
from amem.recurrent import SignDynamics

TIMING_FIELDS = ("store_s", "recall_s")


def without_timing(records: list[dict]) -> dict[str, dict]:
    """Records by key with the wall-clock fields dropped: everything else must match exactly."""
    return {r["key"]: {k: v for k, v in r.items() if k not in TIMING_FIELDS} for r in records}


def small_config(**overrides) -> SweepConfig:
    config = dict(models=[("hebbian", {}), ("hebbian", {"update": "async"})], n_units=[48],
                  alphas=[0.05, 0.1, 0.15, 0.2, 0.25], seeds=2, noise=[0.0, 0.1])
    config.update(overrides)
    return SweepConfig(**config)


@pytest.fixture(scope="module")
def inline_records(tmp_path_factory):
    store = RecordStore(tmp_path_factory.mktemp("inline"))
    return without_timing(run_sweep(small_config(), store, InlineExecutor(), progress=False))


def test_inline_sweep_is_complete(inline_records):
    assert len(inline_records) == 2 * 5 * 2 * 2
    assert {(r["params"].get("update"), r["noise"]) for r in inline_records.values()} == \
        {(None, 0.0), (None, 0.1), ("async", 0.0), ("async", 0.1)}


@pytest.fixture(scope="module")
def pool():
    """One 2-process pool for the tests below (spawning workers costs seconds)."""
    before = os.environ.get("OMP_NUM_THREADS")
    executor = ProcessExecutor(workers=2)
    yield executor
    executor.close()
    assert os.environ.get("OMP_NUM_THREADS") == before  # the parent's environment is restored


def test_process_pool_gives_identical_records(tmp_path, inline_records, pool):
    records = run_sweep(small_config(), RecordStore(tmp_path), pool, progress=False)
    assert without_timing(records) == inline_records


def test_dask_local_cluster_gives_identical_records(tmp_path, inline_records):
    pytest.importorskip("distributed")
    from amem.harness.dask import DaskExecutor

    executor = DaskExecutor(processes=False)  # one in-process worker: fast start-up for CI
    try:
        records = run_sweep(small_config(), RecordStore(tmp_path), executor, progress=False)
    finally:
        executor.close()
    assert without_timing(records) == inline_records


def test_dask_errors_reach_the_caller():
    pytest.importorskip("distributed")
    from amem.harness.dask import DaskExecutor

    executor = DaskExecutor(processes=False)
    try:
        with pytest.raises(AmemError, match="unknown model"):
            list(executor.map_unordered(amem.make, ["no-such-model"]))
    finally:
        executor.close()


@pytest.mark.slow
def test_dask_worker_processes_give_identical_records(tmp_path, inline_records):
    pytest.importorskip("distributed")
    from amem.harness.dask import DaskExecutor

    executor = DaskExecutor(workers=2)
    try:
        records = run_sweep(small_config(), RecordStore(tmp_path), executor, progress=False)
    finally:
        executor.close()
    assert without_timing(records) == inline_records


def test_records_do_not_depend_on_chunking(tmp_path, inline_records):
    records = run_sweep(small_config(), RecordStore(tmp_path), InlineExecutor(), progress=False,
                        chunk_size=3)
    assert without_timing(records) == inline_records


@pytest.mark.parametrize("model_id", [m if m == "hebbian" else
                                      pytest.param(m, marks=pytest.mark.slow)
                                      for m in amem.list_models()])
def test_a_trial_gives_the_same_record_in_any_chunk(model_id):
    """Executors chunk trials differently (and a resumed run reruns only part of a chunk), so a
    model's batched ``store_many`` must give every trial what it gives the trial alone.
    (Trained models take tens of seconds here: slow.)"""
    params = dict(amem.spec(model_id).test_params)
    trials = [TrialSpec(model=model_id, params=params, n_units=24, n_patterns=p, seed=s)
              for p, s in [(2, 0), (3, 1), (4, 0)]]
    together = run_trials(trials)
    alone = [run_trials([t])[0] for t in trials]
    assert without_timing(together) == without_timing(alone)


def test_chunk_sizes_are_bounded_and_cover_every_trial():
    config = small_config(alphas=[0.02 * k for k in range(1, 41)], seeds=10, noise=[0.0])
    for workers in (1, 2, 16):
        units = plan_sweep(config, {}, workers)
        sizes = [len(u.trials) for u in units]
        assert max(sizes) <= 16 and sum(sizes) == len(planned_trials(config))
        assert len(units) >= min(4 * workers, len(planned_trials(config)) // 16)
    # per (model, params, N): 38 loads x 10 seeds = 380 trials -> 126 chunks of 3, one of 2
    assert sorted({len(u.trials) for u in plan_sweep(config, {}, 2, chunk_size=3)}) == [2, 3]


def _thread_report(_unit):
    import numba

    return os.environ.get("OMP_NUM_THREADS"), numba.get_num_threads()


def test_pool_workers_share_the_cores(pool):
    reports = list(pool.map_unordered(_thread_report, range(4)))
    threads = max(1, available_cores() // 2)
    assert reports == [(str(threads), threads)] * 4


def test_pool_errors_reach_the_caller(pool):
    with pytest.raises(AmemError, match="unknown model"):
        list(pool.map_unordered(amem.make, ["no-such-model"]))


def test_missing_dask_gives_install_hint(tmp_path, monkeypatch, capsys):
    from amem.bench.cli import main

    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    with pytest.raises(AmemError, match=r"pip install 'amem\[dask\]'"):
        make_executor("dask")
    code = main(["capacity", "--model", "hebbian", "--n", "16", "--alphas", "0.1", "--seeds", "1",
                 "--executor", "dask", "--no-progress", "--no-plot", "--out", str(tmp_path)])
    err = capsys.readouterr().err.strip()
    assert code == 2 and err.count("\n") == 0 and "pip install 'amem[dask]'" in err


def test_scheduler_needs_dask_executor():
    with pytest.raises(AmemError, match="--executor dask"):
        make_executor("process", scheduler="tcp://127.0.0.1:8786")


def test_unreachable_scheduler_is_a_clear_error(monkeypatch):
    pytest.importorskip("distributed")
    import amem.harness.dask as dx

    monkeypatch.setattr(dx, "CONNECT_TIMEOUT_S", 1)
    with pytest.raises(AmemError, match="cannot reach the Dask scheduler at tcp://127.0.0.1:9"):
        dx.DaskExecutor(scheduler="tcp://127.0.0.1:9")


# ------------------------------------------------------------------------------- --device
class TorchHebbian(MemoryModel):
    """Test model: Hebbian couplings computed with torch on ``device`` (a stand-in for the torch
    models, e.g. the infomorphic network, that take a ``device`` parameter)."""

    update_rules = ("sync", "async")

    def __init__(self, *, device: str = "cpu", update: str = "sync", seed: int = 0) -> None:
        super().__init__(seed=seed, update=update)
        self.device = device

    def _fit(self, patterns):
        import torch

        x = torch.as_tensor(patterns, dtype=torch.float64, device=self.device)
        w = x.T @ x
        w.fill_diagonal_(0)
        self.weights_ = w.cpu().numpy()
        self._dynamics = SignDynamics(self.weights_, exact_integer=True)

    def _recall(self, cues, max_steps):
        return self._dynamics.recall(cues, max_steps, self.update, self.seed)


@pytest.fixture
def torch_model():
    pytest.importorskip("torch")
    amem.register("test-torch-hebbian", TorchHebbian, overwrite=True)
    yield "test-torch-hebbian"
    amem.unregister("test-torch-hebbian")


def test_device_reaches_only_models_that_take_it(torch_model):
    models = apply_device([("hebbian", {}), (torch_model, {"update": "async"})], "cpu")
    assert models == [("hebbian", {}), (torch_model, {"update": "async", "device": "cpu"})]
    assert apply_device(models, None) == models
    # --update keeps working through the same mechanism
    assert apply_update_rule([("hebbian", {})], "async") == [("hebbian", {"update": "async"})]


def _device_sweep(tmp_path, model_id, device):
    from amem.bench.cli import main

    out = tmp_path / device
    code = main(["capacity", "--model", f"hebbian,{model_id}", "--n", "32", "--alphas", "0.1,0.2",
                 "--seeds", "2", "--device", device, "--out", str(out), "--no-plot",
                 "--no-progress"])
    assert code == 0
    return without_timing(RecordStore(out).load())


def test_device_option_reaches_a_torch_model_through_the_cli(tmp_path, torch_model):
    records = _device_sweep(tmp_path, torch_model, "cpu")
    by_model = {r["model"]: r["params"] for r in records.values()}
    assert by_model == {"hebbian": {}, torch_model: {"device": "cpu"}}
    # the torch model computes the same couplings as the Numba Hebbian model
    ours = sorted((r["n_patterns"], r["seed"], r["mean_overlap"]) for r in records.values()
                  if r["model"] == torch_model)
    theirs = sorted((r["n_patterns"], r["seed"], r["mean_overlap"]) for r in records.values()
                    if r["model"] == "hebbian")
    assert ours == theirs


@pytest.mark.cuda
def test_device_cuda_runs_a_torch_model_on_the_gpu(tmp_path, torch_model):
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("no CUDA GPU")
    gpu = _device_sweep(tmp_path, torch_model, "cuda")
    cpu = _device_sweep(tmp_path, torch_model, "cpu")
    def strip(recs):
        return sorted((r["model"], r["n_patterns"], r["seed"], r["mean_overlap"])
                      for r in recs.values())
    assert strip(gpu) == strip(cpu)  # integer-valued couplings: exact on either device


@pytest.mark.parametrize("device,message", [("banana", "is not a device"),
                                            ("cuda:99", "CUDA")])
def test_bad_device_is_one_line_error(tmp_path, capsys, device, message):
    from amem.bench.cli import main

    code = main(["capacity", "--model", "hebbian", "--n", "16", "--alphas", "0.1", "--seeds", "1",
                 "--device", device, "--out", str(tmp_path), "--no-progress", "--no-plot"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and "\n" not in err and message in err


def test_device_without_a_taker_is_noted(tmp_path, capsys):
    from amem.bench.cli import main

    assert main(["capacity", "--model", "hebbian", "--n", "16", "--alphas", "0.1", "--seeds", "1",
                 "--device", "cpu", "--out", str(tmp_path), "--no-progress", "--no-plot"]) == 0
    assert "--device cpu ignored" in capsys.readouterr().err
    assert np.all([r["params"] == {} for r in RecordStore(tmp_path).load()])
