"""Goal searches as studies: the ``[search]`` table, ``study run`` = ``search-goal``, resume,
the search renderers, and the restriction of the hyper-parameter search's binnings."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from amem.bench.cli import build_parser, main
from amem.errors import AmemError

DEFS = Path(__file__).resolve().parent.parent / "amem" / "studies" / "defs"


pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _batches(directory: Path) -> list[dict]:
    lines = (directory / "ledger.jsonl").read_text().splitlines()
    return [e for e in map(json.loads, lines) if e.get("kind") == "batch"]


# ------------------------------------------------------------------ the table is search-goal
@pytest.mark.parametrize("study_id, cli", [
    ("goal-search-cmaes", ["--sampler", "cmaes", "--trials", "100"]),
    ("goal-search-tpe", ["--sampler", "tpe", "--trials", "40"]),
    ("goal-search-hyper", ["--sampler", "cmaes", "--with-hyper", "--hyper-binning",
                           "fixed,adaptive", "--trials", "40"]),
    ("goal-search-tpe-hyper", ["--sampler", "tpe", "--with-hyper", "--hyper-binning",
                               "fixed,adaptive", "--trials", "40"]),
])
def test_shipped_search_studies_name_the_command_line_search(study_id, cli):
    """Same Optuna study name, storage and stored settings as the lead's `search-goal` run."""
    from amem.bench import search_command as sc
    from amem.bench.search_study import parse
    from amem.studies.spec import REPO_ROOT, find_study

    study = find_study(study_id)
    directory = REPO_ROOT / "results" / study_id
    assert study.out == directory and study.search.dir == "."
    mine = parse(study.search.options(), study.out / study.search.dir)
    theirs = build_parser().parse_args(["search-goal", *cli, "--dir", f"results/{study_id}"])
    assert sc.study_name(mine) == sc.study_name(theirs)
    # search-goal resolves --dir against the working folder: run it from the repository root
    assert sc.storage_url(mine) == f"sqlite:///{directory / 'optuna.db'}"

    def settings(args):
        return sc.search_settings(args, sc._objective_config(args), sc._fidelities(args.fidelity))

    assert settings(mine) == settings(theirs)
    assert mine.trials == theirs.trials == int(cli[cli.index("--trials") + 1]) and mine.seed == theirs.seed


def test_unrestricted_spaces_keep_the_settings_of_running_searches():
    """Studies made before the binning restriction existed must still match their settings."""
    from amem.search.optimize import SearchSpace

    assert SearchSpace().to_json() == {"low": -1.0, "high": 1.0, "with_hyper": False}
    assert SearchSpace(with_hyper=True).to_json() == {"low": -1.0, "high": 1.0,
                                                      "with_hyper": True}
    assert SearchSpace(with_hyper=True, binning=["soft", "adaptive", "fixed"]).to_json() == \
        SearchSpace(with_hyper=True).to_json()  # all three is the default space
    assert SearchSpace(with_hyper=True, binning="adaptive,fixed").to_json()["binning"] == \
        ["fixed", "adaptive"]


# ------------------------------------------------------------------ the binning restriction
@pytest.mark.parametrize("binning, allowed", [
    (None, {"fixed", "adaptive", "soft"}),
    (("fixed", "adaptive"), {"fixed", "adaptive"}),
    ("adaptive", {"adaptive"}),
])
def test_hyper_binning_restricts_what_the_sampler_asks(binning, allowed):
    import optuna

    from amem.search.optimize import SearchSpace

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    space = SearchSpace(with_hyper=True, binning=binning)
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    asked = set()
    for _ in range(60):
        trial = study.ask(space.distributions())
        candidate = space.candidate(trial.params)
        asked.add(dict(candidate.hyper)["binning"])
        study.tell(trial, 0.0)
    assert asked == allowed


def test_hyper_binning_errors_are_one_line(tmp_path, capsys):
    from amem.search.optimize import SearchSpace

    with pytest.raises(AmemError, match="choose one or more of fixed, adaptive, soft"):
        SearchSpace(with_hyper=True, binning=("fixed", "hard"))
    with pytest.raises(AmemError, match="add --with-hyper"):
        SearchSpace(binning=("fixed",))
    for argv, message in ((["--hyper-binning", "fixed"], "needs --with-hyper"),
                          (["--with-hyper", "--hyper-binning", "fixed,hard"], "fixed,hard")):
        code = main(["search-goal", "--dir", str(tmp_path / "d"), *argv])
        err = capsys.readouterr().err.strip()
        assert code == 2 and message in err and "\n" not in err, err


# ------------------------------------------------------------------ validation of the table
TINY = """id = "tiny-search"
out = "out"

[search]
sampler = "random"
trials = 2
batch = 2
n = 12
alphas = "0.5:1.0"
max_alpha = 1.5
fidelity = [1, 2]
params = { epochs = 20 }
{extra}

[[output]]
name = "progress"
make = "amem.search.render_search:progress_figure"
args = { grid = "" }

[[output]]
name = "top_trials"
make = "amem.search.render_search:top_trials_table"

[[output]]
name = "cost"
make = "amem.search.render_search:search_cost_text"
args = { grid = "" }
"""


def _write(tmp_path: Path, text: str, name: str = "tiny-search.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def _tiny(tmp_path: Path, extra: str = "", replace: tuple[str, str] | None = None) -> Path:
    text = TINY.replace("{extra}", extra)
    if replace:
        assert replace[0] in text
        text = text.replace(*replace)
    return _write(tmp_path, text)


@pytest.mark.parametrize("edit, message", [
    (("trials = 2", "trials = 0"), "[search]: trials 0 must be at least 1"),
    (("trials = 2", "trials = true"), "[search]: trials = True must be an integer >= 1"),
    (("sampler = \"random\"", "sampler = \"grid\""), "[search]: argument sampler: invalid choice"),
    (("batch = 2", "samplr = \"tpe\""), "[search]: unknown key 'samplr'"),
    (("fidelity = [1, 2]", "fidelity = [2, 1]"), "fidelity '2,1' must be increasing"),
    (("params = { epochs = 20 }", "params = { nope = 1 }"), "nope"),
    (("n = 12", "hyper_binning = [\"fixed\"]"), "hyper_binning fixed needs with_hyper"),
    (("n = 12", "with_hyper = true\nhyper_binning = [\"soft\", \"hard\"]"),
     "hyper_binning soft,hard: choose one or more of fixed, adaptive, soft"),
    (("alphas = \"0.5:1.0\"", "alphas = \"1.0\""), "alphas '1.0' must be LOW:HIGH"),
    (("[[output]]\nname = \"progress\"", "[[output]]\ninputs = [\"serch\"]\nname = \"progress\""),
     "inputs 'serch' are not sweeps of the study; its sweeps: search"),
])
def test_bad_search_fields_are_one_line_errors_naming_file_and_field(tmp_path, capsys, edit,
                                                                       message):
    path = _tiny(tmp_path, replace=edit)
    code = main(["study", "run", str(path), "--quick", "--out", str(tmp_path / "q")])
    err = capsys.readouterr().err.strip()
    assert code == 2, err
    assert "\n" not in err and str(path) in err and message in err, err
    assert not (tmp_path / "q").exists()  # nothing ran


def test_bad_quick_field_is_named(tmp_path, capsys):
    path = _tiny(tmp_path, extra="[search.quick]\ntrials = -1")
    assert main(["study", "status", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert "[search] (with [search.quick]): trials -1 must be at least 1" in err and "\n" not in err


def test_quick_defaults_and_overrides():
    from amem.studies.searches import SearchDef

    s = SearchDef("search", ".", {"sampler": "tpe", "trials": 40, "params": {"lr": 0.1}},
                  quick={"n": 12, "params": {"epochs": 20}})
    assert s.options() == {"sampler": "tpe", "trials": 40, "params": {"lr": 0.1}}
    assert s.options(quick=True) == {"sampler": "tpe", "trials": 2, "batch": 2, "fidelity": [1, 2],
                                     "n": 12, "params": {"lr": 0.1, "epochs": 20}}


# ------------------------------------------------------------------ a tiny search, end to end
@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    """`study run` of a 2-trial search (N = 12, 20 epochs, 1 then 2 seeds), then a rerun."""
    tmp = tmp_path_factory.mktemp("search-study")
    path = _tiny(tmp)
    out = tmp / "out"
    assert main(["study", "run", str(path), "--no-progress"]) == 0
    batches = _batches(out)
    records = (out / "records" / "records.jsonl").read_text()
    assert main(["study", "run", str(path), "--no-progress"]) == 0  # resumes: nothing to train
    return {"path": path, "out": out, "batches": batches, "records": records}


def test_study_run_is_the_search_goal_search(tiny_run, tmp_path):
    import optuna

    out = tmp_path / "copy"  # search-goal adds a session to the ledger: keep the run's as it is
    shutil.copytree(tiny_run["out"], out)
    study = optuna.load_study(study_name="goal-random", storage=f"sqlite:///{out / 'optuna.db'}")
    assert len([t for t in study.trials if t.state.name in ("COMPLETE", "PRUNED")]) == 2
    assert study.user_attrs["amem_settings"]["objective"]["n_units"] == 12
    log = [json.loads(line) for line in (out / "sweeps.jsonl").read_text().splitlines()]
    args = log[0]["config"]["search_goal"]
    assert log[0]["sweep"] == "search" and args[:2] == ["--dir", str(tiny_run["out"])]
    # the same search through search-goal's own command line: finished, trains nothing more
    assert main(["search-goal", "--dir", str(out), *args[2:]]) == 0
    assert len(_batches(out)) == len(tiny_run["batches"])


def test_rerun_trains_nothing_new(tiny_run):
    out = tiny_run["out"]
    assert tiny_run["batches"], "the first run trained nothing"
    assert _batches(out) == tiny_run["batches"]
    assert (out / "records" / "records.jsonl").read_text() == tiny_run["records"]


def test_a_search_started_over_takes_every_trial_from_the_records(tiny_run, tmp_path):
    """Without its Optuna database the same search asks the same goals (same sampler seed) and
    measures them from the stored records: no (goal, seed, P) is trained again."""
    import optuna

    copy = tmp_path / "copy"
    shutil.copytree(tiny_run["out"], copy)
    path = _write(copy, tiny_run["path"].read_text().replace('out = "out"', 'out = "."'))
    before = optuna.load_study(study_name="goal-random", storage=f"sqlite:///{copy / 'optuna.db'}")
    values = [t.value for t in before.trials]
    (copy / "optuna.db").unlink()
    assert main(["study", "run", str(path), "--no-progress", "--no-render"]) == 0
    assert _batches(copy) == tiny_run["batches"]
    after = optuna.load_study(study_name="goal-random", storage=f"sqlite:///{copy / 'optuna.db'}")
    assert [t.value for t in after.trials] == values


def test_outputs_are_rendered_and_checked(tiny_run, capsys):
    out = tiny_run["out"]
    for f in ("progress.png", "progress.pdf", "top_trials.md", "top_trials.tex", "cost.md",
              "index.html"):
        assert (out / f).stat().st_size > 0, f
    sidecar = json.loads((out / "progress.output.json").read_text())
    points = sum(len(line["xy"]) for line in sidecar["data"]["axes"][0]["lines"]
                 if line["label"].startswith(("complete", "pruned")))
    assert points == 2  # one marker per finished trial
    assert "2 trials finished" in (out / "cost.md").read_text()
    assert main(["study", "check", str(tiny_run["path"])]) == 0
    assert "tiny-search: ok" in capsys.readouterr().out
    assert main(["study", "status", str(tiny_run["path"])]) == 0
    text = capsys.readouterr().out
    assert "2 of 2 trials finished" in text and "search-goal --dir" in text


def test_check_fails_when_optuna_disagrees_with_the_records(tiny_run, tmp_path, capsys):
    """A tampered capacity in the Optuna study is caught (the records do not give it)."""
    import optuna

    copy = tmp_path / "copy"
    shutil.copytree(tiny_run["out"], copy)
    path = _write(copy, tiny_run["path"].read_text().replace('out = "out"', 'out = "."'))
    assert main(["study", "check", str(path)]) == 0
    capsys.readouterr()
    study = optuna.load_study(study_name="goal-random", storage=f"sqlite:///{copy / 'optuna.db'}")
    trial = study.trials[0]
    tampered = json.dumps([c + 0.5 for c in trial.user_attrs["capacities"]])
    with sqlite3.connect(copy / "optuna.db") as db:  # Optuna refuses to edit finished trials
        db.execute("UPDATE trial_user_attributes SET value_json = ? WHERE trial_id = ? AND "
                   "key = 'capacities'", (tampered, trial._trial_id))
    assert main(["study", "check", str(path)]) == 1
    assert "Optuna holds" in capsys.readouterr().out


def test_check_fails_when_the_study_file_names_other_settings(tiny_run, tmp_path, capsys):
    copy = tmp_path / "copy"
    shutil.copytree(tiny_run["out"], copy)
    text = tiny_run["path"].read_text().replace('out = "out"', 'out = "."')
    path = _write(copy, text.replace("max_alpha = 1.5", "max_alpha = 2.0"))
    assert main(["study", "check", str(path)]) == 1
    assert "other settings (objective differ)" in capsys.readouterr().out


# ------------------------------------------------------------------ renderers on hand-built data
def _hand_built():
    from amem.search.objective import Candidate, ObjectiveConfig
    from amem.search.searchdata import SearchData, SearchRecords, TrialRow

    def rec(key, epochs):
        return {"key": key, "diagnostics": {"network_epochs": epochs}, "store_s": 1.0,
                "recall_s": 0.0}

    records = {k: rec(k, e) for k, e in (("a", 100), ("b", 200), ("c", 50), ("d", 1000))}
    goal = Candidate.make([0, 0, 1, 0, 0])
    trials = [TrialRow(0, "complete", goal, [0, 1], [1.0, 1.2], [1.0, 1.2], ["a", "b"]),
              TrialRow(1, "pruned", Candidate.make([1, 0, 0, 0, 0]), [0], [0.3], [0.3],
                       ["a", "c"]),
              TrialRow(2, "complete", Candidate.make([0, 1, 0, 0, 0]), [0, 1], [0.9, 0.7],
                       [0.9, 0.7], ["d"]),
              TrialRow(3, "running", None)]
    settings = {"sampler": "cmaes", "pruner": "median", "fidelity": [1, 2],
                "space": {"low": -1.0, "high": 1.0, "with_hyper": False}}
    data = SearchData(Path("."), "goal-cmaes", settings, ObjectiveConfig(), trials, records, [])
    return {"search": SearchRecords(data)}


def test_cumulative_epochs_count_each_record_once():
    from amem.search.render_search import cumulative_epochs

    assert cumulative_epochs(_hand_built()["search"].search) == {0: 300, 1: 350, 2: 1350, 3: 1350}


def test_progress_figure_draws_trials_best_so_far_and_the_paper_optima():
    from amem.search.render_search import progress_figure
    from amem.studies.figdata import figure_data

    data = figure_data(progress_figure(_hand_built(), grid=None))
    by_label = {line["label"]: line["xy"] for line in data["axes"][0]["lines"]}
    assert by_label["complete (2 seeds)"] == [[0.0, 1.1], [2.0, 0.8]]
    assert by_label["pruned (after 1 seed)"] == [[1.0, 0.3]]
    assert [p[1] for p in by_label["best complete trial so far"]] == [1.1, 1.1]
    assert [p[1] for p in by_label["paper γ(ii): 1.70"]] == [1.7, 1.7]
    right = {line["label"]: line["xy"] for line in data["axes"][1]["lines"]}
    assert right["complete (2 seeds)"] == [[0.0003, 1.1], [0.00135, 0.8]]


def test_top_trials_table_and_cost_text():
    from amem.search.render_search import search_cost_text, top_trials_table

    table = top_trials_table(_hand_built(), k=2)
    assert [r[1] for r in table.rows] == ["0", "2"]
    assert table.rows[0][3:] == ["2", "1.100 [1.000, 1.200]", "complete"]
    assert "3 trials finished (2 complete, 1 pruned)" in table.notes[0]
    assert len(top_trials_table(_hand_built(), k=5).rows) == 3
    text = search_cost_text(_hand_built(), grid=None)
    assert text.startswith("goal-cmaes: 3 trials finished (2 complete, 1 pruned), 1 other "
                           "(running).")
    assert "1,350 network-epochs in 4 trials, 4 s of trial time" in text


def test_readme_skeleton_names_the_study_and_leaves_blocks_to_render(tiny_run, capsys):
    from amem.studies.readme import MARKER

    assert main(["study", "readme", str(tiny_run["path"])]) == 0
    text = capsys.readouterr().out
    assert "python -m amem.bench study run tiny-search" in text
    assert "# the same as: python -m amem.bench search-goal --dir" in text
    assert "[progress.png](progress.png)" in text
    assert [m["output"] for m in MARKER.finditer(text)] == ["top_trials", "cost"]
    assert main(["study", "readme", str(tiny_run["path"]), "--write"]) == 0
    assert (tiny_run["out"] / "README.md").read_text() == text
    assert main(["study", "readme", str(tiny_run["path"]), "--write"]) == 2  # never over one
    capsys.readouterr()


# ------------------------------------------------------------------ CMA-ES started at a goal
def test_cmaes_starts_where_it_is_told():
    """Once a trial has finished (before, Optuna samples independently: it infers the search
    space from finished trials), a CMA-ES started at a goal with a small step samples around it."""
    import numpy as np
    import optuna

    from amem.search.optimize import SearchSpace, make_sampler

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    start = [1.0, -1.0, 0.0, -1.0, -0.5]
    study = optuna.create_study(direction="maximize",
                                sampler=make_sampler("cmaes", 0, start=start, sigma=0.02))
    space = SearchSpace().distributions()
    goals = []
    study.tell(study.ask(space), 0.0)  # the independent first trial
    for _ in range(6):
        trial = study.ask(space)
        goals.append([trial.params[f"g_{a}"] for a in ("unq_ext", "unq_int", "red", "syn", "res")])
        study.tell(trial, 0.0)
    assert np.abs(np.array(goals) - start).max() < 0.15, goals


def test_cmaes_start_is_a_stored_setting_and_its_errors_are_one_line(tmp_path, capsys):
    from amem.bench.search_command import add_arguments, search_settings
    from amem.search.objective import ObjectiveConfig

    parser = __import__("argparse").ArgumentParser()
    add_arguments(parser)
    plain = parser.parse_args(["--dir", "d"])
    started = parser.parse_args(["--dir", "d", "--cmaes-start", "1,-1,0,-1,-1", "--cmaes-sigma", "0.2"])
    assert "cmaes_start" not in search_settings(plain, ObjectiveConfig(), [2, 6])  # old searches match
    settings = search_settings(started, ObjectiveConfig(), [2, 6])
    assert settings["cmaes_start"] == [1.0, -1.0, 0.0, -1.0, -1.0] and settings["cmaes_sigma"] == 0.2
    for argv, message in ((["--sampler", "tpe", "--cmaes-start", "gamma-i"], "--sampler cmaes"),
                          (["--cmaes-start", "2,0,0,0,0"], "outside the box"),
                          (["--cmaes-sigma", "0"], "must be positive")):
        code = main(["search-goal", "--dir", str(tmp_path / "d"), *argv])
        err = capsys.readouterr().err.strip()
        assert code == 2 and message in err and "\n" not in err, err
