"""trials.csv, summary.json and the printed table, from hand-built records (no model runs)."""

from __future__ import annotations

import csv
import json

import pytest
from test_known_answers import N, curve_records

from amem.harness.summary import (
    CSV_COLUMNS,
    format_table,
    group_records,
    recorded_code,
    recorded_update_rule,
    summarize,
    write_summary,
    write_trials_csv,
)
from amem.records.schema import SCHEMA_VERSION, code_fingerprint

CODE_A = {"amem": "0.1.0", "sources": "aaaa", "model_source": None, "commit": "c1", "dirty": False}
CODE_B = {"amem": "0.1.0", "sources": "bbbb", "model_source": None, "commit": "c2", "dirty": True}


def coded(rows, code, version=1):
    return [{**r, "code": code, "model_version": version, "key": f"{r['seed']}-{r['n_patterns']}"}
            for r in rows]


def test_trials_csv_rows_sorted_with_code_columns(tmp_path):
    rows = coded(curve_records({1: 2, 0: 3}, params={"self_coupling": True}), CODE_A)
    path = tmp_path / "trials.csv"
    write_trials_csv(list(reversed(rows)), path)
    with open(path) as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == CSV_COLUMNS
        table = list(reader)
    assert len(table) == len(rows)
    assert [(int(t["seed"]), int(t["n_patterns"])) for t in table[:3]] == [(0, 1), (1, 1), (0, 2)]
    first = table[0]
    assert first["params"] == '{"self_coupling":true}'
    assert json.loads(first["resolved_params"])["update"] == "sync"
    assert first["code"] == code_fingerprint(CODE_A)
    assert (first["commit"], first["dirty"]) == ("c1", "False")
    assert first["model"] == "hebbian" and first["model_version"] == "1"


def test_records_of_two_codes_or_versions_are_two_curves():
    rows = coded(curve_records(), CODE_A) + coded(curve_records(), CODE_B)
    rows += coded(curve_records(), CODE_A, version=2)
    assert len(group_records(rows)) == 3
    entries = summarize(rows, criteria=["paper"])
    assert len(entries) == 3
    assert {e["code"]["sources"] for e in entries} == {"aaaa", "bbbb"}
    assert sorted(e["model_version"] for e in entries) == [1, 1, 2]


def test_update_rule_comes_from_the_records():
    rows = curve_records()
    assert recorded_update_rule(rows) == "sync"
    assert recorded_update_rule([{**r, "resolved_params": None, "params": {"update": "async"}}
                                 for r in rows]) == "async"
    mixed = rows[:2] + [{**rows[2], "resolved_params": {"update": "async"}}]
    assert recorded_update_rule(mixed) is None


def test_recorded_code_lists_every_commit():
    rows = coded(curve_records(), CODE_A)
    rows += [{**r, "code": {**CODE_A, "commit": "c9", "dirty": True}} for r in rows[:1]]
    code = recorded_code(rows)
    assert code["id"] == code_fingerprint(CODE_A) and code["sources"] == "aaaa"
    assert code["commits"] == [{"commit": "c1", "dirty": False}, {"commit": "c9", "dirty": True}]


def test_summary_json_has_codes_configs_and_no_nan(tmp_path):
    rows = coded(curve_records(), CODE_A) + coded(curve_records({0: 0}, noise=0.2), CODE_B)
    for r in rows:
        if r["noise"] == 0.2:
            r["mean_overlap"] = float("nan")  # no seed meets the criterion: NaN-free JSON anyway
    path = tmp_path / "summary.json"
    summary = write_summary(path, rows, {"models": ["hebbian"]}, {"argv": ["x"]})
    text = path.read_text()
    assert "NaN" not in text
    on_disk = json.loads(text)
    assert on_disk["schema_version"] == SCHEMA_VERSION
    assert on_disk["written_by"] == {"argv": ["x"]}
    assert on_disk["configs"] == [{"config": {"models": ["hebbian"]}}]
    assert on_disk["n_trials"] == len(rows)
    assert len(on_disk["codes"]) == 2
    a = next(c for c in on_disk["codes"] if c["sources"] == "aaaa")
    assert a["models"] == {"hebbian": [1]}
    assert a["commits"] == [{"commit": "c1", "dirty": False}]
    assert len(summary["capacities"]) == 2 * 4
    assert write_summary(tmp_path / "s2.json", rows, None, {})["configs"] == []


def test_nan_becomes_null_at_any_depth(tmp_path):
    rows = coded(curve_records({0: 3}), CODE_A)
    summary = write_summary(tmp_path / "s.json", rows, [{"a": float("nan")}], {"x": (1.0, float("nan"))})
    on_disk = json.loads((tmp_path / "s.json").read_text())
    assert on_disk["configs"] == [{"a": None}] and on_disk["written_by"] == {"x": [1.0, None]}
    assert summary["configs"][0]["a"] != summary["configs"][0]["a"]  # the dict returned keeps NaN


def test_table_shows_one_criterion_with_censoring_and_code_when_mixed():
    one_code = summarize(coded(curve_records({0: 8, 1: 4}), CODE_A))
    table = format_table(one_code, "paper").splitlines()
    assert table[0].split() == ["model", "N", "noise", "seeds", "capacity", "alpha", "[95%",
                                "CI]", "(paper)"]
    assert len(table) == 2
    row = table[1]
    assert row.startswith("hebbian ") and f" {N} " in row and " 0.00 " in row
    assert "    2  \u2265 0.600 (" in row  # a censored seed: the mean is a lower bound
    assert "\u2265 0.600 (1 of 2 seeds still store at the top of the grid" in row
    assert "@" not in row
    params = summarize(coded(curve_records({0: 3}, params={"self_coupling": True}), CODE_A))
    line = format_table(params, "exact").splitlines()[1]
    assert line.startswith('hebbian {"self_coupling":tru ')  # the label is cut at 28 characters
    assert line.endswith("    1  0.300 [0.300, 0.300]")
    mixed = summarize(coded(curve_records({0: 3}), CODE_A) + coded(curve_records({0: 3}), CODE_B,
                                                                    version=2))
    rows = format_table(mixed, "frac90").splitlines()[1:]
    assert len(rows) == 2
    assert {" ".join(r.split()[:2]) for r in rows} == {f"hebbian v1@{code_fingerprint(CODE_A)[:8]}",
                                                       f"hebbian v2@{code_fingerprint(CODE_B)[:8]}"}


@pytest.mark.parametrize("criterion", ["paper", "all_exact"])
def test_table_skips_other_criteria(criterion):
    entries = summarize(coded(curve_records({0: 3}), CODE_A))
    assert f"({criterion})" in format_table(entries, criterion)
    assert len(format_table(entries, criterion).splitlines()) == 2


# ------------------------------------------------------------- added for surviving mutants
def test_csv_rows_are_ordered_by_pattern_parameter_and_lack_of_code_is_empty(tmp_path):
    rows = coded(curve_records({0: 2}), CODE_A)
    rows = [{**r, "patterns": "sparse", "pattern_param": p} for p in (0.3, 0.1) for r in rows]
    rows[0] = {k: v for k, v in rows[0].items() if k != "code"}
    path = tmp_path / "t.csv"
    write_trials_csv(rows, path)
    with open(path) as f:
        table = list(csv.DictReader(f))
    assert [t["pattern_param"] for t in table][::8] == ["0.1", "0.3"]
    assert sorted(t["code"] for t in table if t["pattern_param"] == "0.3")[0] == ""
    assert [t["code"] for t in table].count("") == 1
    assert {t["code"] for t in table if t["pattern_param"] == "0.1"} == {code_fingerprint(CODE_A)}


def test_pattern_family_parameters_come_back_as_a_dict():
    rows = [{**r, "patterns": "markov", "pattern_param": {"p_flip": 0.2}}
            for r in coded(curve_records({0: 3}), CODE_A)]
    entry = summarize(rows, criteria=["paper"])[0]
    assert entry["pattern_param"] == {"p_flip": 0.2}


def test_recorded_code_keeps_the_model_source():
    rows = coded(curve_records({0: 3}), {**CODE_A, "model_source": "f00d"})
    assert recorded_code(rows)["model_source"] == "f00d"


def test_summary_lists_unversioned_and_versioned_records_and_is_indented(tmp_path):
    rows = coded(curve_records({0: 3}), CODE_A) + coded(curve_records({1: 3}), CODE_A, version=None)
    summary = write_summary(tmp_path / "s.json", rows, None, {})
    assert summary["codes"][0]["models"] == {"hebbian": [1, None]}
    assert '\n  "schema_version": ' in (tmp_path / "s.json").read_text()


def test_mixed_table_labels_a_curve_without_code():
    rows = coded(curve_records({0: 3}), CODE_A)
    bare = [{k: v for k, v in r.items() if k != "code"} for r in curve_records({0: 4})]
    table = format_table(summarize(rows + [{**r, "model_version": 1} for r in bare]), "paper")
    assert any(line.startswith("hebbian v1@ ") for line in table.splitlines())


def test_study_capacity_table_shows_a_censored_estimate_as_a_bound():
    """The studies' capacity table (committed results) writes a bound, never a value, when a
    seed still stores at the top load (issue 12: censored estimates are bounds)."""
    from amem.studies.renderers.capacity import capacity_table

    censored = coded(curve_records({0: 8, 1: 4}), CODE_A)  # seed 0 stores at the top load
    cells = capacity_table({"x": censored}).rows[0]
    assert any(cell.startswith("≥ 0.600 (1 of 2 seeds") for cell in cells)
    clean = coded(curve_records({0: 3, 1: 2}), CODE_A)  # both fail below the top: values
    cells = capacity_table({"x": clean}).rows[0]
    assert not any("≥" in cell for cell in cells)
    assert any(cell.startswith("0.250 [") for cell in cells)


def test_cost_text_sums_trial_times_and_network_epochs():
    from amem.studies.renderers.cost import cost_text

    rows = [{"key": str(i), "store_s": 30.0, "recall_s": 6.0,
             "diagnostics": {"network_epochs": 250_000}} for i in range(5)]
    rows.append(dict(rows[0]))  # the same trial in two sweeps counts once
    assert cost_text({"a": rows[:3], "b": rows[3:]}) == \
        "5 trials, 3.0 min of trial time, 1.25 M network-epochs"
    assert cost_text({"a": [{"key": "h", "store_s": 0.5, "recall_s": 0.1}]}) == \
        "1 trials, 0.0 min of trial time"
