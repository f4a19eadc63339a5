"""User mistakes at the command line: one line on stderr, exit 2, nothing written; the memory
guard; Ctrl-C inside an inline (Numba) run; a fuzzed set of argument lists."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import amem  # noqa: F401
from amem.bench.cli import main
from amem.errors import AmemError
from amem.harness.memory_guard import (
    available_memory,
    cgroup_room,
    check_sweep_memory,
    ram_available,
    sweep_memory,
)
from amem.harness.sweep import SweepConfig
from amem.registry import model_class

REPO = Path(__file__).resolve().parent.parent


def run(args, capsys):
    code = main(args)
    out = capsys.readouterr()
    return code, out.out, out.err


def one_line_error(code, err, message):
    assert code == 2, err
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert message in err, err


# ------------------------------------------------------------------ memory guard
def test_guard_refuses_huge_alpha_in_one_line_fast_and_small(tmp_path):
    """The issue's case: --n 50 --alphas 1e6 once grew to 22 GB before the kernel killed it."""
    probe = ("import resource, subprocess, sys, time; t = time.monotonic(); "
             "p = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
             "print(p.returncode, time.monotonic() - t, "
             "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); "
             "sys.stderr.write(p.stderr)")
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(REPO), "MPLCONFIGDIR": str(tmp_path / ".mpl")}
    proc = subprocess.run([sys.executable, "-c", probe, sys.executable, "-m", "amem.bench",
                           "capacity", "--n", "50", "--alphas", "1e6", "--out", str(out)],
                          capture_output=True, text=True, env=env, timeout=120, check=False)
    code, seconds, max_rss_kb = proc.stdout.split()
    assert int(code) == 2 and proc.stderr.count("\n") == 1, proc.stderr
    assert "needs about" in proc.stderr and "is free" in proc.stderr and "lower --n" in proc.stderr
    assert float(seconds) < 60  # the import of amem dominates; nothing is allocated
    assert int(max_rss_kb) < 400_000  # < 400 MB (the refused sweep would need ~500 GB)
    assert not out.exists()  # refused before anything was written


def test_huge_n_is_one_line_not_memory_error(tmp_path, capsys):
    code, _, err = run(["capacity", "--n", "10000000", "--out", str(tmp_path / "o")], capsys)
    one_line_error(code, err, "lower --n")
    assert not (tmp_path / "o").exists()


def test_guard_counts_workers_and_chunks():
    config = SweepConfig(models=[("hebbian", {})], n_units=[1000], alphas=[0.1], seeds=4)
    one, _ = sweep_memory(config, workers=1, chunk_size=1)
    two, trial = sweep_memory(config, workers=2, chunk_size=1)
    whole, _ = sweep_memory(config, workers=1, chunk_size=4)
    per_trial = model_class("hebbian").estimate_memory(1000, 100)
    assert one == per_trial and two == 2 * per_trial and whole == 4 * per_trial
    assert (trial.n_units, trial.n_patterns) == (1000, 100)
    with pytest.raises(AmemError, match="fewer --workers"):
        check_sweep_memory(config, workers=2, chunk_size=1, limit=(per_trial + 1, "test"))
    assert check_sweep_memory(config, workers=1, chunk_size=1, limit=(per_trial + 1, "x")) == one


def test_estimates_grow_with_the_right_sizes():
    hebbian, modern = model_class("hebbian"), model_class("modern")
    # couplings: N^2; a dense memory keeps the patterns: P N, no N^2 term
    assert hebbian.estimate_memory(2000, 10) > 3 * hebbian.estimate_memory(1000, 10)
    assert modern.estimate_memory(100, 20000) > 1.9 * modern.estimate_memory(100, 10000)
    assert modern.estimate_memory(2000, 10) < hebbian.estimate_memory(2000, 10) / 10
    info = model_class("infomorphic")
    assert info.estimate_memory(100, 100, dtype="float64") > info.estimate_memory(100, 100)
    # soft bins on autograd keep (N, P, bins, bins) memberships; the closed form does not
    assert info.estimate_memory(100, 100, binning="soft", train_external=True) \
        > 5 * info.estimate_memory(100, 100)
    assert info.estimate_memory(100, 100, binning="soft", n_bins=60) \
        > info.estimate_memory(100, 100, binning="soft")


@pytest.mark.parametrize("model, n, p", [("hebbian", 600, 60), ("hebbian", 200, 400),
                                         ("modern", 100, 2000), ("storkey", 300, 30),
                                         ("descent-l2", 300, 30), ("mpf", 120, 12)])
def test_estimate_covers_measured_peak(model, n, p):
    """tracemalloc sees numpy's allocations: the estimate is at least the measured peak and not
    absurdly above it (within 4x)."""
    import tracemalloc

    from amem.harness.trials import TrialSpec, run_trials

    trial = TrialSpec(model=model, n_units=n, n_patterns=p, noise=0.1)
    run_trials([TrialSpec(model=model, n_units=16, n_patterns=2)])  # compile outside the count
    tracemalloc.start()
    try:
        run_trials([trial])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    estimate = model_class(model).estimate_memory(n, p)
    assert peak <= estimate <= 4 * peak, (model, peak, estimate)


def test_cgroup_v2_v1_and_meminfo(tmp_path):
    v2 = tmp_path / "v2"
    v2.mkdir()
    (v2 / "memory.max").write_text("1000000\n")
    (v2 / "memory.current").write_text("250000\n")
    assert cgroup_room(v2) == 750000
    (v2 / "memory.max").write_text("max\n")
    assert cgroup_room(v2) is None
    v1 = tmp_path / "v1" / "memory"
    v1.mkdir(parents=True)
    (v1 / "memory.limit_in_bytes").write_text("9223372036854771712\n")  # "no limit"
    (v1 / "memory.usage_in_bytes").write_text("5\n")
    assert cgroup_room(tmp_path / "v1") is None
    (v1 / "memory.limit_in_bytes").write_text("4096\n")
    assert cgroup_room(tmp_path / "v1") == 4091
    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemTotal: 100 kB\nMemAvailable:   42 kB\n")
    assert ram_available(meminfo, use_psutil=False) == 42 * 1024
    room = available_memory()
    assert room is None or room[0] > 0


# ------------------------------------------------------------------ one-line mistakes
@pytest.fixture
def a_file(tmp_path):
    path = tmp_path / "a_file"
    path.write_text("not a folder")
    return path


@pytest.mark.parametrize("extra, message", [
    (["--alphas", "0.1:0.3"], "has no STEP"),
    (["--noise", "0.001"], "= 0 bits at N=100"),
    (["--executor", "dask", "--scheduler", "localhost"], "not a scheduler address"),
    (["--executor", "dask", "--scheduler", "tcp://10.0.0.1"], "HOST:PORT"),
    (["--scheduler", "tcp://10.0.0.1:8786"], "needs --executor dask"),
    (["--model", "infomorphic", "--device", "mps"], "not a device infomorphic runs on"),
    (["--device", "tpu"], "use cpu or cuda"),
    (["--workers", "0", "--executor", "process"], "--workers 0"),
])
def test_capacity_mistakes(extra, message, tmp_path, capsys):
    args = ["capacity", "--model", "hebbian", "--seeds", "1", "--out", str(tmp_path / "o"), *extra]
    if "--model" in extra:
        del args[1:3]
    code, _, err = run(args, capsys)
    one_line_error(code, err, message)
    assert not (tmp_path / "o").exists()


def test_out_mistakes(a_file, tmp_path, capsys):
    base = ["capacity", "--model", "hebbian", "--n", "20", "--alphas", "0.1", "--seeds", "1"]
    one_line_error(*run(base + ["--out", str(a_file)], capsys)[::2], "is a file")
    one_line_error(*run(base + ["--out", str(a_file / "sub")], capsys)[::2], "is a file, so no")
    one_line_error(*run(base + ["--out", "/"], capsys)[::2], "holds other files")
    other = tmp_path / "someones"
    other.mkdir()
    (other / "thesis.tex").write_text("precious")
    one_line_error(*run(base + ["--out", str(other)], capsys)[::2], "no amem records")
    assert sorted(os.listdir(other)) == ["thesis.tex"]
    code, _, err = run(base + ["--out", "/proc/amem-cannot-be-here"], capsys)
    one_line_error(code, err, "")
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run(base + ["--out", str(empty), "--no-plot", "--no-progress"], capsys)[0] == 0
    assert run(base + ["--out", str(empty), "--no-plot", "--no-progress"], capsys)[0] == 0


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_out(tmp_path, capsys):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        code, _, err = run(["capacity", "--model", "hebbian", "--out", str(ro / "x")], capsys)
        one_line_error(code, err, "not writable")
    finally:
        ro.chmod(0o755)


def test_list_and_pid_take_import(tmp_path, capsys, monkeypatch):
    plugin = tmp_path / "my_cli_plugin.py"
    plugin.write_text("import amem\nfrom amem.models.hebbian import HebbianHopfield\n"
                      "class Mine(HebbianHopfield):\n    '''A test plugin.'''\n"
                      "amem.register('mine-cli', Mine, description='a test plugin')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        code, out, _ = run(["list", "--import", "my_cli_plugin"], capsys)
        assert code == 0 and "mine-cli" in out
        code, _, err = run(["list", "--import", "no_such_module_xyz"], capsys)
        one_line_error(code, err, "no_such_module_xyz")
        code, _, err = run(["pid", "--import", "no_such_module_xyz", "--out",
                            str(tmp_path / "p")], capsys)
        one_line_error(code, err, "no_such_module_xyz")
    finally:
        from amem.registry import _REGISTRY

        _REGISTRY.pop("mine-cli", None)


def test_ctrl_c_inside_an_inline_numba_run_exits_130_with_resume_hint(tmp_path):
    """A SIGINT that lands inside a Numba kernel used to end in a SystemError traceback."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "MPLCONFIGDIR": str(tmp_path / ".mpl")}
    for attempt in range(3):
        out = tmp_path / f"out{attempt}"
        proc = subprocess.Popen(
            [sys.executable, "-m", "amem.bench", "capacity", "--model", "hebbian", "--n", "300",
             "--alphas", "0.02:0.3:0.01", "--seeds", "20", "--chunk-size", "1", "--no-plot",
             "--no-progress", "--out", str(out)], env=env, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, start_new_session=True,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not (
                (out / "records.jsonl").exists() and (out / "records.jsonl").stat().st_size):
            time.sleep(0.02)
        time.sleep(0.1 * attempt)
        os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 130, err
        assert "Traceback" not in err and "SystemError" not in err
        assert "rerun the same command to resume" in err


# ------------------------------------------------------------------ fuzzing
GARBAGE = ["", "-", "abc", "nan", "inf", "-5", "0", "1e99", ":", "::", "\u00e9", "--"]
FLAG_VALUES = {
    "--model": ["hebbian", "modern", "hebian", "hebbian,modern", "storkey"],
    "--n": ["10", "20", "99999999999", "1", "2"],
    "--alphas": ["0.1:0.3", "0.1:0.3:0.1", "1e6", "0.1,0.2", "0.3:0.1:0.1", "0.001"],
    "--seeds": ["1", "2", "0"],
    "--noise": ["0.1", "1.5", "0.001", "0,0.1", "-0.1"],
    "--param": ["degree=3", "x=", "=", "update=never", "self_coupling=true"],
    "--update": ["sync", "async", "sideways"],
    "--device": ["cpu", "mps", "cuda:1", "gpu"],
    "--executor": ["inline", "dask", "process"],
    "--scheduler": ["localhost", "tcp://h:8786", "tcp://h"],
    "--out": ["/", "/proc/x", "out", "a_file", "a_file/sub"],
    "--search": ["bisect", "grid", "binary"],
    "--criterion": ["paper", "exact", "nope"],
    "--import": ["no_such_mod", "json"],
    "--max-steps": ["0", "5"],
    "--cue": ["partial", "flip", "blur"],
    "--chunk-size": ["0", "3"],
    "--workers": ["0", "2"],
    "--bisect-rtol": ["1.5", "0.1"],
    "--pattern-param": ["0.5", "2"],
    "--metric": ["frac_exact", "accuracy"],
    "--format": ["png,gif", "svg", ","],
    "--sizes": ["50", "x"],
}
COMMANDS = ["capacity"] * 6 + ["list", "plot", "pid", "nope", "--out"]
FLAGS = sorted(FLAG_VALUES) + ["--help-me", "--no-plot"]


@st.composite
def argvs(draw):
    """A command, then flags each followed by a plausible value or garbage (or nothing)."""
    argv = [draw(st.sampled_from(COMMANDS))]
    for _ in range(draw(st.integers(0, 3))):
        flag = draw(st.sampled_from(FLAGS))
        argv.append(flag)
        values = FLAG_VALUES.get(flag, [])
        choice = draw(st.sampled_from(["plausible"] * 4 + ["garbage", "none"]))
        if choice == "plausible" and values:
            argv.append(draw(st.sampled_from(values)))
        elif choice == "garbage":
            argv.append(draw(st.sampled_from(GARBAGE)))
    return argv


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                HealthCheck.function_scoped_fixture])
@given(argv=argvs())
def test_fuzzed_argv_gives_exit_0_or_one_line_exit_2(argv, capsys, monkeypatch, tmp_path):
    """Parse and validate only: the run itself (executors, outputs) is stubbed."""
    from amem.bench import cli

    monkeypatch.chdir(tmp_path)  # the default --out is relative
    (tmp_path / "a_file").write_text("not a folder")

    monkeypatch.setattr(cli, "check_memory", lambda config, args: None)

    def refuse_to_run(*_, **__):  # validation passed: stop before any sweep runs
        raise SystemExit(0)

    monkeypatch.setattr("amem.harness.executors.make_executor", refuse_to_run)
    monkeypatch.setattr("amem.records.store.append_config", refuse_to_run)
    monkeypatch.setattr("amem.bench.cli.write_outputs", refuse_to_run)
    monkeypatch.setattr("amem.bench.pid_command._run", refuse_to_run)
    try:
        code = main(argv)
    except SystemExit as exit_:
        code = exit_.code
    err = capsys.readouterr().err
    assert "Traceback" not in err
    if code not in (0, None):
        assert code == 2, (argv, err)
        lines = [line for line in err.splitlines() if not line.startswith(("note:", "warning:"))]
        assert len(lines) == 1 and lines[0].startswith("error:"), (argv, err)


def test_a_big_but_possible_sweep_gets_a_note():
    """Hebbian at N = 20000 needed 7.9 GB for one pattern without a word."""
    config = SweepConfig(models=[("hebbian", {})], n_units=[20000], alphas=[0.0001], seeds=1)
    notes = []
    need = check_sweep_memory(config, limit=(10**15, "test"), log=notes.append)
    assert need > 8e9 and len(notes) == 1 and "needs about" in notes[0] and "GB" in notes[0]


@pytest.mark.parametrize("argv", [
    ["pid", "--out", "{d}"],
    ["study", "run", "default", "--out", "{d}"],
    ["reproduce", "blumel2025", "--quick", "--out", "{d}"],
    ["search-goal", "--goal", "redundancy", "--dir", "{d}"],
])
def test_every_writing_command_refuses_a_folder_of_other_files(tmp_path, capsys, argv):
    """Not only ``capacity``: no command writes among a user's files (issue 12)."""
    (tmp_path / "thesis.tex").write_text("\\documentclass{article}\n")
    before = sorted(p.name for p in tmp_path.iterdir())
    assert main([a.replace("{d}", str(tmp_path)) for a in argv]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "holds other files" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_a_study_folder_of_sweep_sub_folders_is_amems(tmp_path):
    from amem.bench.outdir import check_out_dir

    (tmp_path / "fig2c").mkdir()
    (tmp_path / "fig2c" / "records.jsonl").write_text("")
    (tmp_path / "README.md").write_text("# notes\n")
    assert check_out_dir(str(tmp_path)) == tmp_path
    (tmp_path / "fig2c" / "records.jsonl").unlink()
    with pytest.raises(AmemError, match="holds other files"):
        check_out_dir(str(tmp_path))
