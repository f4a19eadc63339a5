"""Goal search: load paths, canonical goals, the shared trial cache, pruning, samplers, renderers."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

from amem.errors import AmemError
from amem.harness.criteria import OPTIMIZE_ALPHAS
from amem.harness.sweep import BisectUnit, bisect_capacity
from amem.harness.trials import TrialSpec
from amem.search.goals import canonical_goal, grid_goals, slice_goals
from amem.search.ledger import cost_summary, key_epochs, read_ledger
from amem.search.objective import Candidate, CapacityObjective, ObjectiveConfig
from amem.search.paths import PathRunner, bisect_path, grid_path

pytestmark = pytest.mark.usefixtures("one_torch_thread")


TINY = ObjectiveConfig(n_units=20, alpha_low=0.5, alpha_high=1.0, max_alpha=1.5,
                       params={"epochs": 40})


# ---------------------------------------------------------------- paths
def _run_path(path, capacity_p):
    runner = PathRunner(path)
    runner.advance(lambda p: p <= capacity_p)
    return runner.result, runner.asked


@pytest.mark.parametrize("low,high,cap", [(4, 20, 40), (10, 30, 30), (1, 2, 64)])
def test_bisect_path_takes_the_harness_steps(low, high, cap):
    """The lockstep path is the harness's bisection, step for step (its slow twin)."""
    base = TrialSpec(model="x", n_patterns=1)
    for true_p in range(cap + 5):
        asked = []

        def runner(trials, models, search=None):
            p = trials[0].n_patterns
            asked.append(p)  # noqa: B023
            return [{"key": trials[0].key(), "n_patterns": p,
                     "mean_overlap": 1.0 if p <= true_p else 0.2}]  # noqa: B023

        unit = BisectUnit(base, low, high, cap, "paper", {}, {})
        records = bisect_capacity(unit, runner=runner)
        expected = max([r["n_patterns"] for r in records if r["mean_overlap"] >= 0.95], default=0)
        result, path_asked = _run_path(bisect_path(low, high, cap), true_p)
        assert path_asked == asked
        assert result == expected == (min(true_p, cap) if true_p >= low else expected)


def test_grid_path_stops_at_first_failure():
    loads = [round(a * 100) for a in OPTIMIZE_ALPHAS]
    assert loads[0] == 20 and loads[-1] == 200 and len(loads) == 37
    result, asked = _run_path(grid_path(loads), 137)
    assert result == 135 and asked[-1] == 140
    result, asked = _run_path(grid_path(loads), 5)
    assert result == 0 and asked == [20]


# ---------------------------------------------------------------- goals
def test_equal_goals_share_one_trial_identity():
    a = Candidate.make([0.1 + 0.2, -0.0, 1, 0, 0])
    b = Candidate.make([0.3, 0.0, 1.0000000001, 0, 0])
    assert a == b and a.goal == (0.3, 0.0, 1.0, 0.0, 0.0)
    objective = TINY
    ta = TrialSpec(model="infomorphic", params=a.params(objective), n_units=20)
    tb = TrialSpec(model="infomorphic", params=b.params(objective), n_units=20)
    assert ta.key() == tb.key()
    assert Candidate.make([0.3, 0, 1, 0, 0.001]) != a


def test_goal_sets_and_errors():
    assert len(grid_goals(3)) == 3 ** 5 - 1 and len(grid_goals(5)) == 5 ** 5 - 1
    sl = slice_goals("redundancy")
    assert len(sl) == 21 * 21 and all(g[0] == 0 and g[2] == 1 and g[4] == 0 for g in sl)
    with pytest.raises(AmemError, match="2 weights; pass 5"):
        canonical_goal([1, 2])
    with pytest.raises(AmemError, match="all zeros"):
        canonical_goal([0, 0, 1e-9, 0, 0])


# ---------------------------------------------------------------- the objective
def test_objective_caches_every_trial(tmp_path):
    goals = [Candidate.make([0, 0, 1, 0, 0]), Candidate.make([0.48, -0.16, 0.25, 0.04, -0.63])]
    first = CapacityObjective(TINY, tmp_path)
    rounds = []
    res1 = first.evaluate(goals, 2, on_round=lambda r, n: rounds.append(n))
    assert first.trained and max(rounds) <= 4  # 2 goals x 2 seeds in lockstep
    assert len(first.trained) == sum(len(set(r.keys)) for r in res1)
    again = CapacityObjective(TINY, tmp_path)
    res2 = again.evaluate(goals, 2)
    assert not again.trained  # nothing trained twice
    assert [r.capacities for r in res1] == [r.capacities for r in res2]
    # one more seed trains only that seed's trials
    more = CapacityObjective(TINY, tmp_path)
    res3 = more.evaluate(goals[:1], 3)
    assert res3[0].capacities[:2] == res1[0].capacities
    assert {json.loads(json.dumps(k)) for k in more.trained} <= set(res3[0].keys)
    assert all(k not in first.trained for k in more.trained)


def test_grid_protocol_capacity_is_the_last_load_before_the_first_failure(tmp_path):
    config = replace(TINY, protocol="grid", alpha_step=0.25)
    assert config.loads() == [10, 15, 20]
    objective = CapacityObjective(config, tmp_path)
    result = objective.evaluate([Candidate.make([0.48, -0.16, 0.25, 0.04, -0.63])], 2)[0]
    for seed, cap in zip(result.seeds, result.capacities):
        base = objective.base_trial(result.candidate, seed)
        held = [objective._outcomes[replace(base, n_patterns=p).key()] for p in (10, 15, 20)
                if replace(base, n_patterns=p).key() in objective._outcomes]
        first_fail = held.index(False) if False in held else len(held)
        assert cap * 20 == ([0, 10, 15, 20][first_fail])
        assert len(held) == min(first_fail + 1, 3)  # nothing tested after the first failure


def test_ledger_counts_network_epochs(tmp_path):
    from amem.search.ledger import Ledger

    ledger = Ledger(tmp_path, "t")
    objective = CapacityObjective(TINY, tmp_path, ledger=ledger)
    objective.evaluate([Candidate.make([0, 0, 1, 0, 0])], 2)
    entries = read_ledger(tmp_path)
    epochs = key_epochs(entries)
    assert set(epochs) == objective.trained
    assert all(0 < e <= 40 for e in epochs.values())
    total = cost_summary(entries)["t"]["total"]
    assert total["network_epochs"] == sum(epochs.values()) == ledger.network_epochs
    assert total["networks_trained"] == len(objective.trained)
    assert total["cpu_s"] > 0 and total["wall_s"] > 0
    from amem.search.ledger import needed_cost

    pairs = {((0.0, 0.0, 1.0, 0.0, 0.0), s) for s in (0, 1)}
    needed = needed_cost(objective.store.load(), pairs)
    assert needed["network_epochs"] == ledger.network_epochs
    assert needed["trials"] == len(objective.trained) and not needed["trials_without_epoch_count"]
    assert needed_cost(objective.store.load(), {((0.0, 0.0, 1.0, 0.0, 0.0), 0)})["trials"] < \
        needed["trials"]


def test_bad_objective_settings_are_one_line_errors(tmp_path):
    for bad, match in [(dict(protocol="x"), "protocol"), (dict(alpha_low=2.0), "LOW < HIGH"),
                       (dict(params={"goal": "redundancy"}), "goal"),
                       (dict(params={"nope": 1}), "nope")]:
        with pytest.raises(AmemError, match=match):
            CapacityObjective(replace(TINY, **bad), tmp_path)


# ---------------------------------------------------------------- optuna: samplers, pruning, grid cache
@pytest.mark.parametrize("sampler", ["cmaes", "tpe", "random"])
def test_samplers_are_selectable(sampler):
    from amem.search.optimize import make_sampler

    names = {"cmaes": "CmaEsSampler", "tpe": "TPESampler", "random": "RandomSampler"}
    assert type(make_sampler(sampler, 0)).__name__ == names[sampler]
    with pytest.raises(AmemError, match="sampler"):
        make_sampler("grid", 0)


def _study(tmp_path, sampler="random", pruner="median", fidelities=(1, 2)):
    import optuna

    from amem.search.optimize import make_pruner, make_sampler, open_study

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return open_study(f"sqlite:///{tmp_path / 'optuna.db'}", "t", make_sampler(sampler, 0),
                      make_pruner(pruner, list(fidelities)), {"x": 1})


def test_pruning_happens(tmp_path):
    """Median pruning over the seed steps stops goals below the running median."""
    from optuna.trial import TrialState

    from amem.search.optimize import SearchSpace, run_study

    study = _study(tmp_path)
    objective = CapacityObjective(TINY, tmp_path)
    lines = []
    run_study(study, objective, SearchSpace(), n_trials=8, batch=4, fidelities=[1, 2],
              log=lines.append)
    states = [t.state for t in study.trials]
    assert states.count(TrialState.COMPLETE) + states.count(TrialState.PRUNED) == 8
    assert states.count(TrialState.PRUNED) >= 1, lines
    pruned = [t for t in study.trials if t.state == TrialState.PRUNED]
    assert all(len(t.user_attrs["capacities"]) == 1 for t in pruned)  # stopped after 1 seed
    complete = [t for t in study.trials if t.state == TrialState.COMPLETE]
    assert all(len(t.user_attrs["capacities"]) == 2 for t in complete)
    assert any("pruned" in line for line in lines)


def test_a_search_reuses_the_grid_trials(tmp_path):
    """Goals a grid measured cost a later search nothing (same record store, same identity)."""
    from amem.search.grid import goal_cells, measure_goals
    from amem.search.optimize import SearchSpace, run_study

    goals = [[1, 0, 1, 0, -1], [0, 0, 1, 0, 0]]
    grid = CapacityObjective(TINY, tmp_path)
    measure_goals(grid, goals, 2, chunk=2, log=lambda m: None)
    assert grid.trained
    cells = goal_cells(grid, goals, 2)
    assert [c["n_seeds"] for c in cells] == [2, 2]
    study = _study(tmp_path, pruner="none", fidelities=(2,))
    for g in goals:
        study.enqueue_trial({f"g_{a}": v for a, v in zip(
            ("unq_ext", "unq_int", "red", "syn", "res"), g)})
    search = CapacityObjective(TINY, tmp_path)
    run_study(study, search, SearchSpace(), n_trials=2, batch=2, fidelities=[2],
              log=lambda m: None)
    assert not search.trained and len(search.used) == len(grid.trained)
    assert sorted(t.value for t in study.trials) == sorted(c["mean"] for c in cells)


# ---------------------------------------------------------------- renderers (hand-built cells)
def _cells(levels, value):
    import itertools

    out = []
    for g in itertools.product(levels, repeat=5):
        if any(g):
            out.append({"goal": list(g), "n_seeds": 6 if g[2] > 0 else 0,
                        "median": value(g) if g[2] > 0 else None,
                        "mean": value(g) if g[2] > 0 else None})
    return out


def test_panel_matrix_places_cells_and_seed_counts():
    from amem.search.render import panel_matrix

    cells = _cells((-1, 0, 1), lambda g: 1.0 + 0.1 * g[0] + 0.01 * g[3])
    values, seeds, rows, cols = panel_matrix(cells, "red", "syn",
                                             {"res": -1, "unq_ext": 1, "unq_int": 0})
    assert rows == cols == [-1, 0, 1]
    assert np.isnan(values[:2]).all() and (seeds[:2] == 0).all()  # red <= 0: not measured
    assert values[2, 0] == pytest.approx(1.09) and values[2, 2] == pytest.approx(1.11)
    assert (seeds[2] == 6).all()


def test_render_grid_and_slice_from_hand_built_cells():
    from amem.search.render import render_grid, render_slice

    cells = _cells((-1, -0.5, 0, 0.5, 1), lambda g: 1.5 + 0.1 * g[3])
    fig = render_grid(cells)
    panels = [ax for ax in fig.axes if ax.images]
    assert len(panels) == 25 + 0  # the colour bar has no image
    texts = [t.get_text() for t in panels[0].texts]
    assert "1.60\n6" in texts and "1.40\n6" in texts  # value / seeds
    slice_cells = [{"goal": [0, a, 1, b, 0], "n_seeds": 3, "median": 1.0 + a, "mean": 1.0}
                   for a in (-1, 0, 1) for b in (-1, 1)]
    fig = render_slice(slice_cells, [0, 0, 1, 0, 0])
    image = fig.axes[0].images[0].get_array()
    assert image.shape == (3, 2) and image[2, 0] == 2.0
    with pytest.raises(AmemError, match="no measured goal"):
        render_grid(cells, fixed=("res", 0.25))


def test_study_file_trials_are_the_search_trials(tmp_path):
    """A goal set written as a study names the very trials search-goal caches (same keys)."""
    from amem.harness.sweep import _base_trials
    from amem.search.studydef import goal_study_toml
    from amem.studies.spec import load_study

    path = tmp_path / "s.toml"
    path.write_text(goal_study_toml(slice_base="gamma-ii", seeds=2, n_units=20,
                                    alphas=(0.5, 1.0), max_alpha=1.5, out=str(tmp_path / "out"),
                                    params={"epochs": 40}))
    study = load_study(path)
    config = study.sweeps[0].config()
    assert config.search == "bisect" and config.seeds == 2 and len(config.models) == 21 * 21
    objective = CapacityObjective(TINY, tmp_path / "out")
    bases = list(_base_trials(config))
    assert len(bases) == 21 * 21 * 2
    for base in bases[::37]:
        mine = objective.base_trial(Candidate.make(base.params["goal"]), base.seed)
        assert mine.key() == base.key()
    assert study.sweeps[0].dir == "records"


def test_study_file_keeps_the_slice_step(tmp_path):
    """--write-study --slice-step 0.2 writes the 11 x 11 slice, not the default 21 x 21."""
    from amem.search.studydef import goal_study_toml
    from amem.studies.spec import load_study

    path = tmp_path / "s.toml"
    path.write_text(goal_study_toml(slice_base="redundancy", seeds=2, slice_step=0.2,
                                    out=str(tmp_path / "out")))
    goals = [params["goal"] for _, params in load_study(path).sweeps[0].config().models]
    assert len(goals) == 11 * 11 and [0.0, -0.2, 1.0, 0.4, 0.0] in goals


def test_cells_from_records_take_the_largest_stored_load():
    from amem.search.render import cells_from_records

    def rec(goal, seed, p, ok):
        return {"params": {"goal": goal}, "seed": seed, "n_patterns": p, "n_units": 100,
                "mean_overlap": 0.99 if ok else 0.5}

    g = [0.0, 0.0, 1.0, 0.0, 0.0]
    records = [rec(g, 0, 20, True), rec(g, 0, 200, False), rec(g, 0, 110, True),
               rec(g, 0, 155, True), rec(g, 0, 177, False), rec(g, 1, 20, False),
               rec(g, 1, 10, True), {"params": {}, "seed": 0, "n_patterns": 5, "n_units": 100,
                                     "mean_overlap": 1.0}]
    (cell,) = cells_from_records(records)
    assert cell["goal"] == g and cell["n_seeds"] == 2
    assert cell["capacities"] == {"0": 1.55, "1": 0.1}
    assert cell["mean"] == pytest.approx(0.825) and cell["median"] == pytest.approx(0.825)


class _StubObjective:
    """Capacity = the redundancy weight (no training): pruning decisions are exact."""

    ledger = None

    def evaluate(self, candidates, n_seeds):
        from amem.search.objective import GoalResult

        return [GoalResult(c, list(range(n_seeds)), [c.goal[2]] * n_seeds, []) for c in candidates]


def test_successive_halving_ranks_a_batch_best_first(tmp_path):
    """Optuna's halving is asynchronous: asked best first, the batch's best goes on and every
    other goal is ranked against the goals before it (top third of 1, 2, ... goals)."""
    from optuna.trial import TrialState

    from amem.search.optimize import SearchSpace, run_study

    study = _study(tmp_path, pruner="halving", fidelities=(2, 6))
    reds = [0.1, 0.9, 0.3, 0.7, 0.5, 0.2]
    for r in reds:
        study.enqueue_trial({"g_unq_ext": 0.0, "g_unq_int": 0.0, "g_red": r, "g_syn": 0.0,
                             "g_res": 0.0})
    run_study(study, _StubObjective(), SearchSpace(), n_trials=6, batch=6, fidelities=[2, 6],
              log=lambda m: None)
    kept = sorted(t.params["g_red"] for t in study.trials if t.state == TrialState.COMPLETE)
    assert kept == [0.9]
    assert sum(t.state == TrialState.PRUNED for t in study.trials) == 5


def test_median_pruning_stops_goals_below_the_finished_median(tmp_path):
    from optuna.trial import TrialState

    from amem.search.optimize import SearchSpace, run_study

    study = _study(tmp_path, pruner="median", fidelities=(2, 6))
    reds = [0.1, 0.9, 0.3, 0.7, 0.5, 0.2, 0.6, 0.05]  # first 4 finish (start-up), then median 0.5
    for r in reds:
        study.enqueue_trial({"g_unq_ext": 0.0, "g_unq_int": 0.0, "g_red": r, "g_syn": 0.0,
                             "g_res": 0.0})
    run_study(study, _StubObjective(), SearchSpace(), n_trials=8, batch=4, fidelities=[2, 6],
              log=lambda m: None)
    state = {t.params["g_red"]: t.state for t in study.trials}
    assert [r for r in reds if state[r] == TrialState.PRUNED] == [0.2, 0.05]


def test_records_of_other_code_are_refused_or_kept_apart(tmp_path):
    from amem.records.provenance import code_identity

    mine = code_identity()
    goals = [Candidate.make([0, 0, 1, 0, 0])]
    first = CapacityObjective(TINY, tmp_path, code=mine)
    first.evaluate(goals, 1)
    assert all(r["code"]["sources"] == mine["sources"] for r in first.store.load())
    other = {**mine, "sources": "0" * len(str(mine.get("sources") or "x")), "commit": "other"}
    with pytest.raises(AmemError, match="other code"):
        CapacityObjective(TINY, tmp_path, code=other).evaluate(goals, 1)
    mixed = CapacityObjective(TINY, tmp_path, code=other, allow_mixed_code=True)
    result = mixed.evaluate(goals, 1)[0]
    assert mixed.trained and not (mixed.used - mixed.trained)  # nothing of the other code reused
    again = CapacityObjective(TINY, tmp_path, code=other, allow_mixed_code=True)
    assert again.evaluate(goals, 1)[0].capacities == result.capacities and not again.trained


def test_goals_share_one_batched_training_and_workers_share_the_rest():
    from amem.search.runner import batch_key, split_units

    def trial(goal, p, seed=0, **params):
        return TrialSpec(model="infomorphic", params={"goal": goal, **params}, n_units=20,
                         n_patterns=p, seed=seed)

    trials = [trial([0, 0, 1, 0, 0], p, s) for p in (10, 15) for s in (0, 1)] + \
        [trial([1, 0, 1, 0, -1], 12, s) for s in (0, 1)]
    assert len({batch_key(t) for t in trials}) == 1  # goals differ, one store_many
    (unit,) = split_units(trials, 1, {})
    assert len(unit.trials) == 6
    parts = split_units(trials, 2, {})
    assert sorted(len(u.trials) for u in parts) == [3, 3]
    assert {t.n_patterns for t in parts[0].trials} == {10, 12, 15}  # dealt by P: mixed loads
    other = trials + [trial([0, 0, 1, 0, 0], 10, epochs=7)]
    assert len(split_units(other, 1, {})) == 2  # other shared params: another training


def test_top_goals_table_ranks_by_mean_capacity_with_seeds_and_cost():
    from amem.search.render import top_goals_table

    def rec(goal, seed, p, ok, epochs=100):
        return {"params": {"goal": goal}, "seed": seed, "n_patterns": p, "n_units": 100,
                "mean_overlap": 0.99 if ok else 0.5, "store_s": 0.5, "recall_s": 0.0,
                "diagnostics": {"network_epochs": epochs}, "key": f"{goal}{seed}{p}"}

    good, bad = [0.0, 0.0, 1.0, 0.0, 0.0], [1.0, 0.0, 0.0, 0.0, 0.0]
    records = {"goals": [rec(good, 0, 160, True), rec(good, 1, 150, True), rec(good, 1, 170, False),
                         rec(bad, 0, 40, True), rec(bad, 1, 60, True), rec(bad, 2, 50, True)]}
    table = top_goals_table(records, k=5)
    assert [r[1] for r in table.rows] == ["[+0.0, +0.0, +1.0, +0.0, +0.0]",
                                          "[+1.0, +0.0, +0.0, +0.0, +0.0]"]
    assert table.rows[0][2] == "2" and table.rows[1][2] == "3"
    assert table.rows[0][3].startswith("1.550 [1.500, 1.600]")
    assert "2 goals measured (1 with the most seeds)" in table.notes[0]
    assert "cost: 6 trials, 0.1 min of trial time, 0.00 M network-epochs." in table.notes[0]
    assert len(top_goals_table(records, k=1).rows) == 1


def test_grid_study_file_draws_every_residual_level_and_the_top_goals():
    from amem.search.studydef import goal_study_toml

    text = goal_study_toml(grid=3, seeds=6)
    for name in ("heatmap_res_m1", "heatmap_res_0", "heatmap_res_p1", "top_goals"):
        assert f'name = "{name}"' in text
    assert "fixed_value = 0.0" in text and "fixed_value = 1.0" in text


def test_grid_cost_text_projects_the_measured_cost_per_goal():
    from amem.search.render import grid_cost_text

    def rec(goal, seed, p, ok):
        return {"params": {"goal": goal}, "seed": seed, "n_patterns": p, "n_units": 100,
                "mean_overlap": 0.99 if ok else 0.5, "store_s": 36.0, "recall_s": 0.0,
                "diagnostics": {"network_epochs": 1000}}

    a, b, c = [1.0, 0.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0, 0.0]
    records = {"goals": [rec(a, 0, 50, True), rec(a, 1, 50, True), rec(b, 0, 60, True),
                         rec(b, 1, 70, False), rec(c, 0, 80, True)]}  # c: one seed of two
    text = grid_cost_text(records)
    assert "3 goals, 2 of them with all 2 seeds" in text
    assert "2 k network-epochs and 1.2 min of trial time per goal" in text
    assert "(3124 goals, 2 seeds) at the same cost per goal: 6 M network-epochs, 62 h" in text
    assert grid_cost_text({"goals": []}).startswith("no goal measured")


def test_cmaes_measures_its_start_alone_then_samples_around_it(tmp_path):
    """Optuna's CMA-ES draws uniformly until a trial is complete: the start goal is measured
    alone first, so the next batch is CMA-ES's generation around it (within a few sigma), not
    uniform goals over the box."""
    import optuna

    from amem.search.optimize import (
        SearchSpace,
        cmaes_first_goal,
        make_pruner,
        make_sampler,
        open_study,
        run_study,
    )

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    start = [0.5, -0.5, 0.5, -0.5, 0.5]
    study = open_study(f"sqlite:///{tmp_path / 'optuna.db'}", "t",
                       make_sampler("cmaes", 0, start, 0.02), make_pruner("none", [1]), {"x": 1})
    run_study(study, CapacityObjective(TINY, tmp_path), SearchSpace(), n_trials=5, batch=4,
              fidelities=[1], log=lambda _: None, first=cmaes_first_goal(start))
    goals = np.array([[t.params[f"g_{a}"] for a in ("unq_ext", "unq_int", "red", "syn", "res")]
                      for t in study.trials])
    assert len(goals) == 5 and study.trials[0].user_attrs["amem_cmaes_start"]
    np.testing.assert_allclose(goals[0], start)
    assert np.abs(goals[1:] - start).max() < 0.15, goals  # uniform draws: ~0.5 from the start
