"""Every registered model, baselines and user models included, runs on every executor.

Worker processes (the spawn pool, Dask workers) start with the built-in models only: plugin
models (``baselines``), ``--import`` models and ``module:id`` models must register there too,
with the parent's registration (entry point, defaults, version). Each model runs a tiny sweep
inline, in a 2-process pool and on a 2-process Dask LocalCluster; the records must be identical
apart from wall-clock timings.
"""

from __future__ import annotations

import json
import sys

import pytest
from helpers import strip_timing
from test_readme_example import example_code

import amem
from amem.bench.cli import main
from amem.harness.executors import InlineExecutor, ProcessExecutor
from amem.harness.sweep import SweepConfig, run_sweep
from amem.records.store import RecordStore

MODELS = amem.list_models()


def tiny_config(model_ids) -> SweepConfig:
    return SweepConfig(models=[(m, dict(amem.spec(m).test_params)) for m in model_ids],
                       n_units=[16], alphas=[0.125, 0.25], seeds=1)


def sweep(tmp_path_factory, name, executor):
    store = RecordStore(tmp_path_factory.mktemp(name))
    try:
        return strip_timing(run_sweep(tiny_config(MODELS), store, executor, progress=False))
    finally:
        executor.close()


@pytest.fixture(scope="module")
def inline(tmp_path_factory):
    return sweep(tmp_path_factory, "inline", InlineExecutor())


def test_every_model_is_in_the_sweep(inline):
    assert {"storkey", "pseudoinverse", "hebbian", "modern", "infomorphic"} <= set(MODELS)
    assert {r["model"] for r in inline} == set(MODELS)
    assert len(inline) == 2 * len(MODELS)


def test_every_model_in_the_process_pool(tmp_path_factory, inline):
    assert sweep(tmp_path_factory, "process", ProcessExecutor(workers=2)) == inline


def test_every_model_on_a_dask_local_cluster(tmp_path_factory, inline):
    pytest.importorskip("distributed")
    from amem.harness.dask import DaskExecutor

    # worker processes, not threads: their registry is their own, as on a real cluster
    assert sweep(tmp_path_factory, "dask", DaskExecutor(workers=2)) == inline


# ------------------------------------------------------------------ a README-style user model
@pytest.fixture
def user_module(tmp_path, monkeypatch):
    """The README's ``my_models.py`` in a directory of its own, importable as a user has it
    (on sys.path, which spawned workers inherit), not registered yet."""
    (tmp_path / "my_models.py").write_text(example_code())
    monkeypatch.syspath_prepend(str(tmp_path))
    amem.unregister("clipped-hebbian")
    sys.modules.pop("my_models", None)
    yield tmp_path
    amem.unregister("clipped-hebbian")
    sys.modules.pop("my_models", None)


def user_run(out, model_args, executor_args):
    assert main(["capacity", *model_args, "--n", "20", "--alphas", "0.1,0.2,0.3", "--seeds", "2",
                 "--out", str(out), "--no-progress", "--no-plot", *executor_args]) == 0
    return strip_timing(RecordStore(out).load())


@pytest.mark.parametrize("model_args", [
    ["--import", "my_models", "--model", "clipped-hebbian,storkey"],
    ["--model", "my_models:clipped-hebbian"],
], ids=["import", "module-id"])
def test_user_model_on_every_executor(user_module, tmp_path, model_args):
    pytest.importorskip("distributed")
    inline = user_run(tmp_path / "inline", model_args, [])
    assert "clipped-hebbian" in {r["model"] for r in inline}
    # the user's module file is part of the records' code identity
    sources = {r["code"]["model_source"] for r in inline if r["model"] == "clipped-hebbian"}
    assert len(sources) == 1 and None not in sources
    assert user_run(tmp_path / "process", model_args,
                    ["--executor", "process", "--workers", "2"]) == inline
    if model_args[0] == "--import":  # the workers' side is the same for both ways in
        assert user_run(tmp_path / "dask", model_args,
                        ["--executor", "dask", "--workers", "2"]) == inline


def test_workers_use_the_parents_registration(tmp_path):
    """A model re-registered at run time with other defaults and version runs with those in the
    workers too (the pool's workers import baselines, which registers the original)."""
    original = amem.spec("krauth-mezard")
    amem.register("krauth-mezard", original.entry_point, defaults={"kappa": 0.5}, version=7,
                  description=original.description, test_params=original.test_params,
                  overwrite=True)
    try:
        config = SweepConfig(models=[("krauth-mezard", {})], n_units=[16], alphas=[0.25],
                             seeds=1)
        inline = run_sweep(config, RecordStore(tmp_path / "i"), progress=False)
        pool = ProcessExecutor(workers=1)
        try:
            pooled = run_sweep(config, RecordStore(tmp_path / "p"), pool, progress=False)
        finally:
            pool.close()
    finally:
        amem.register("krauth-mezard", original.entry_point, defaults=original.defaults,
                      version=original.version, description=original.description,
                      test_params=original.test_params, overwrite=True)
    assert strip_timing(pooled) == strip_timing(inline)
    (record,) = pooled
    assert record["model_version"] == 7 and record["resolved_params"]["kappa"] == 0.5
    assert json.dumps(record)  # plain JSON


def test_dask_workers_running_other_code_are_refused(monkeypatch):
    """Records are stamped with the client's code: a worker with other sources must not run."""
    pytest.importorskip("distributed")
    import amem.harness.dask as dx
    from amem.errors import AmemError

    monkeypatch.setattr(dx, "_worker_code", lambda: "amem 0.1.0, sources 0000000000000000")
    with pytest.raises(AmemError, match="runs other code .*sources 0000000000000000"):
        dx.DaskExecutor(processes=False)
