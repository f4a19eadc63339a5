"""A study measured as far as it goes (``partial = true``, the 5^5 goal grid) renders from the
sweeps that have records and notes the others; the grid heat-map keeps the grid's full layout.
The tiny study runs real Hebbian trials (well under a second)."""

import json

import numpy as np
import pytest

from amem.studies.spec import find_study, load_study

TINY = """
id = "tiny-partial"
out = "out"
{flag}

[[sweep]]
name = "measured"
model = "hebbian"
n = [20]
alphas = "0.05:0.5:0.05"
seeds = 2

[[sweep]]
name = "later"
model = "hebbian"
n = [30]
alphas = "0.05:0.5:0.05"
seeds = 2

[[output]]
name = "fig"
make = "amem.studies.renderers.blumel2025:fig5a"
inputs = ["measured", "later"]
"""


def _tiny(tmp_path, partial: bool):
    from amem.studies.runner import run_study

    path = tmp_path / "tiny.toml"
    path.write_text(TINY.format(flag="partial = true" if partial else ""))
    study = load_study(path)
    run_study(study, only=["measured"], progress=False, log=lambda m: None)
    return study


def test_partial_study_renders_what_has_run_and_says_what_has_not(tmp_path):
    from amem.studies.check import check_study
    from amem.studies.render import render_study

    study = _tiny(tmp_path, partial=True)
    assert study.partial and not study.reproduction
    render_study(study)
    data = json.loads((study.out / "fig.output.json").read_text())["data"]
    assert "not run yet: later" in data["axes"][0]["texts"][0]
    assert check_study(study).status == "ok"
    assert not (study.out / "cost.md").exists()  # no reproduction tables


def test_a_whole_study_still_refuses_to_render_without_its_sweeps(tmp_path):
    from amem.errors import AmemError
    from amem.studies.check import check_study
    from amem.studies.render import render_study

    study = _tiny(tmp_path, partial=False)
    with pytest.raises(AmemError, match="'later' has no records yet"):
        render_study(study)
    assert check_study(study).status == "skipped"


def test_partial_flag_must_be_a_boolean(tmp_path):
    from amem.errors import AmemError

    path = tmp_path / "bad.toml"
    path.write_text(TINY.format(flag='partial = "yes"'))
    with pytest.raises(AmemError, match="partial"):
        load_study(path)


def test_grid_figure_keeps_the_full_layout_with_levels():
    """25 panels of 5 x 5 cells for the 5^5 grid even when only the 3^5 goals are measured; a
    level nothing is measured at renders blank panels instead of failing."""
    from amem.search.render import panel_matrix, render_grid

    levels = [-1.0, -0.5, 0.0, 0.5, 1.0]
    cells = [{"goal": [a, b, c, d, -1.0], "n_seeds": 6, "median": 1.0, "mean": 1.0}
             for a in (-1.0, 0.0, 1.0) for b in (-1.0, 0.0, 1.0) for c in (-1.0, 0.0, 1.0)
             for d in (-1.0, 0.0, 1.0)]
    fig = render_grid(cells, ("res", -1.0), levels=levels)
    assert len(fig.axes) == 25 + 1  # and the colour bar
    assert "81 of 625 goals measured" in fig._suptitle.get_text()
    values, seeds, rows, cols = panel_matrix(cells, "red", "syn",
                                             {"res": -1.0, "unq_ext": 0.0, "unq_int": 0.0},
                                             levels=levels)
    assert rows == levels and values.shape == (5, 5)
    assert seeds[::2, ::2].all() and not seeds[1::2].any() and np.isnan(values[1]).all()
    blank = render_grid(cells, ("res", 0.5), levels=levels)  # nothing measured there
    assert len(blank.axes) == 26
    from amem.errors import AmemError

    with pytest.raises(AmemError, match="no measured goal"):
        render_grid(cells, ("res", 0.5))  # without levels a typo'd level still fails


def test_grid5_study_shares_the_3x5_grid_and_covers_every_goal():
    """goal-grid-5's first sweep is goal-grid-3's folder and trials; both sweeps together are
    the 3124 goals of the 5^5 grid, each once."""
    from amem.harness.sweep import planned_trials
    from amem.search.goals import grid_goals

    grid5, grid3 = find_study("goal-grid-5"), find_study("goal-grid-3")
    assert grid5.partial
    shared, rest = grid5.sweep("grid3"), grid5.sweep("rest")
    assert grid5.sweep_dir(shared).resolve() == grid3.sweep_dir(grid3.sweep("goals")).resolve()
    keys = lambda s: {t.key() for t in planned_trials(s.config())}  # noqa: E731
    assert keys(shared) == keys(grid3.sweep("goals"))
    goals = [tuple(p["goal"]) for s in (shared, rest) for _, p in s.config().models]
    assert len(goals) == len(set(goals)) == len(grid_goals(5)) == 3124
