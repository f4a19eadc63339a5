"""The re-measure renderers: one row per (goal, other parameters), each seed's capacity its largest
passing load, labels and the paper's value matched by goal."""

import os

import pytest

from amem.studies.renderers import goals as g

os.environ.setdefault("MPLCONFIGDIR", "/tmp/mpl-amem-tests")

GOAL = [0.5, 0.0, 1.0, 0.0, 0.0]


def _rec(key, seed, p, ok, goal=GOAL, **params):
    return {"key": key, "seed": seed, "n_patterns": p, "n_units": 100,
            "mean_overlap": 1.0 if ok else 0.5, "params": {"goal": goal, **params}}


def _records():
    rows = [_rec("a", 0, 150, True), _rec("b", 0, 160, False), _rec("c", 1, 170, True),
            _rec("d", 1, 171, False), _rec("e", 2, 20, False),  # seed 2 never passes: 0
            _rec("f", 0, 180, True, external_weight=3.0), _rec("g", 0, 181, False, external_weight=3.0)]
    return {"goals": rows}


def test_each_seed_reads_its_largest_passing_load_and_settings_stay_apart():
    caps = g.goal_capacities(_records())
    plain = caps[(tuple(GOAL), ())]
    assert plain == {0: 1.5, 1: 1.7, 2: 0.0}
    assert caps[(tuple(GOAL), (("external_weight", "3.0"),))] == {0: 1.8}


def test_table_labels_means_and_paper_values():
    labels = [{"goal": GOAL, "label": "mine", "paper": 1.7},
              {"goal": GOAL, "params": {"external_weight": 3.0}, "label": "mine, w = 3"}]
    table = g.remeasured_table(_records(), labels=labels)
    md = table.to_markdown()
    first, second = table.rows[0], table.rows[1]
    assert first[0] == "mine, w = 3" and first[4].startswith("1.800")
    assert second[0] == "mine" and second[3] == "3" and second[4].startswith("1.067")
    assert second[7] == "1.70" and "external_weight = 3.0" in md
    assert first[6] == "1.800" and second[6] == "1.067"  # 1.5, 1.7 and 0 are grid loads


def test_paper_grid_floors_to_its_loads():
    from amem.harness.criteria import on_paper_grid

    assert [on_paper_grid(a) for a in (1.72, 1.70, 1.699, 0.19, 2.3)] == [1.7, 1.7, 1.65, 0.0, 2.0]


def test_figure_draws_every_setting():
    fig = g.remeasured_figure(_records(), labels=[{"goal": GOAL, "label": "mine", "paper": 1.7}])
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert "mine" in labels and len(labels) == 2


@pytest.mark.parametrize("broken", ["max", "params"])
def test_the_tests_see_a_broken_renderer(monkeypatch, broken):
    if broken == "max":  # last record instead of the largest passing load
        monkeypatch.setattr(g, "goal_capacities", lambda *a, **k: {(tuple(GOAL), ()): {0: 0.0}})
        with pytest.raises(AssertionError):
            test_each_seed_reads_its_largest_passing_load_and_settings_stay_apart()
    else:  # settings merged by goal alone
        monkeypatch.setattr(g, "_setting", lambda r: (tuple(r["params"]["goal"]), ()))
        with pytest.raises((AssertionError, KeyError)):
            test_each_seed_reads_its_largest_passing_load_and_settings_stay_apart()


def test_implementation_agreement_counts_seeds_verdicts_and_epochs():
    def rec(key, seed, p, overlap, epochs):
        return {"key": key, "seed": seed, "n_patterns": p, "n_units": 100,
                "mean_overlap": overlap, "params": {"goal": GOAL},
                "diagnostics": {"epochs_trained": epochs}}

    ref = [rec("a", 0, 150, 1.0, 38), rec("b", 0, 160, 0.5, 5000), rec("c", 1, 170, 0.99, 70)]
    cand = [rec("a", 0, 150, 1.0, 38), rec("b", 0, 160, 0.96, 2721), rec("c", 1, 170, 0.98, 70),
            rec("d", 2, 100, 1.0, 20)]  # seed 2 only in the candidate: not compared
    table = g.implementation_agreement_table({"ref": ref, "new": cand}, "ref", "new")
    assert [row[0] for row in table.rows] == ["0", "1"]
    assert table.rows[0][1:] == ["1.50", "1.60", "no"] and table.rows[1][3] == "yes"
    note = table.notes[0]
    assert "1 of 2 seeds" in note and "3 trials both ran, 2 reach the same verdict" in note
    assert "2 train the same epochs" in note and "0.4600" in note
