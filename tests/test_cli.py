import json
import subprocess
import sys

import pytest

from amem.bench.args import parse_alphas
from amem.bench.cli import main


def run(args, capsys):
    code = main(args)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_capacity_writes_contract_outputs(tmp_path, capsys):
    code, out, _ = run(["capacity", "--model", "hebbian", "--n", "40", "--alphas", "0.05:0.25:0.05",
                        "--seeds", "3", "--noise", "0,0.1", "--out", str(tmp_path), "--no-progress"], capsys)
    assert code == 0 and "hebbian" in out
    header = (tmp_path / "trials.csv").read_text().splitlines()[0].split(",")
    for col in ("model", "n_units", "n_patterns", "alpha", "seed", "noise", "mean_overlap", "frac_exact"):
        assert col in header
    rows = (tmp_path / "trials.csv").read_text().splitlines()[1:]
    assert len(rows) == 5 * 3 * 2
    summary = json.loads((tmp_path / "summary.json").read_text())
    for key in ("amem_version", "git", "code", "created_utc", "platform", "packages", "argv"):
        assert key in summary["written_by"]
    assert [c["config"]["n_units"] for c in summary["configs"]] == [[40]]
    (code_entry,) = summary["codes"]
    assert code_entry["models"] == {"hebbian": [1]} and code_entry["sources"]
    crits = {(c["criterion"], c["noise"]) for c in summary["capacities"]}
    assert crits == {(c, n) for c in ("paper", "frac90", "exact", "all_exact") for n in (0.0, 0.1)}
    paper = [c for c in summary["capacities"] if c["criterion"] == "paper" and c["noise"] == 0][0]
    assert paper["paper_protocol"] and paper["ci_low"] <= paper["capacity_alpha"] <= paper["ci_high"]
    # Hebbian keeps an N x N coupling matrix: capacity per stored number = P_c / N^2
    assert paper["capacity_per_parameter"] == pytest.approx(paper["capacity_patterns_mean"] / 40**2)
    assert (tmp_path / "capacity.png").stat().st_size > 0 and (tmp_path / "capacity.pdf").exists()


def test_rerun_resumes_and_plot_rebuilds(tmp_path, capsys):
    args = ["capacity", "--model", "hebbian", "--n", "30", "--alphas", "0.1,0.2", "--seeds", "2",
            "--out", str(tmp_path), "--no-progress", "--no-plot"]
    assert run(args, capsys)[0] == 0
    lines = (tmp_path / "records.jsonl").read_text().splitlines()
    assert run(args, capsys)[0] == 0
    assert (tmp_path / "records.jsonl").read_text().splitlines() == lines  # nothing rerun
    (tmp_path / "summary.json").unlink()
    assert run(["plot", str(tmp_path)], capsys)[0] == 0
    assert (tmp_path / "summary.json").exists() and (tmp_path / "capacity.png").exists()


@pytest.mark.parametrize("args, message", [
    (["capacity", "--model", "hebian"], "did you mean 'hebbian'"),
    (["capacity", "--model", "hebbian", "--param", "degre=3"], "unknown parameter 'degre'"),
    (["capacity", "--model", "hebbian", "--param", "update=never"], "update='never' is not valid"),
    (["capacity", "--model", "hebbian", "--alphas", "0.001"], "rounds to 0 patterns"),
    (["capacity", "--model", "hebbian", "--noise", "1.5"], "noise=1.5"),
    (["capacity", "--model", "hebbian", "--noise", "-0.1"], "noise=-0.1"),
    (["capacity", "--model", "hebbian", "--alphas", "0.3:0.1:0.1"], "STOP >= START"),
    (["capacity", "--model", "hebbian", "--n", "ten"], "not an integer"),
    (["capacity", "--model", "hebbian", "--seeds", "0"], "seeds=0"),
    (["capacity", "--model", "hebbian", "--param", "oops"], "KEY=VALUE"),
    (["plot", "/nonexistent-dir"], "no records.jsonl"),
])
def test_user_errors_are_one_line_exit_2(args, message, capsys, tmp_path):
    code, out, err = run(args + (["--out", str(tmp_path)] if args[0] == "capacity" else []), capsys)
    assert code == 2
    assert err.startswith("error: ") and message in err and err.count("\n") == 1


def test_argparse_errors_are_one_line_too():
    proc = subprocess.run([sys.executable, "-m", "amem.bench", "capacity", "--update", "sideways"],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr


def test_list_shows_models(capsys):
    code, out, _ = run(["list"], capsys)
    assert code == 0 and "hebbian" in out and "self_coupling=False" in out


@pytest.mark.parametrize("spec, expected", [
    ("0.01:2.01:0.05", 41),
    ("0.1:0.3:0.1", 3),
    ("0.05,0.1", 2),
])
def test_alpha_specs_include_stop(spec, expected):
    values = parse_alphas(spec)
    assert len(values) == expected
    if ":" in spec:
        assert values[-1] == pytest.approx(float(spec.split(":")[1]))
