"""Renderers of README numbers (inline texts and compact tables), on hand-built records."""

import math

import pytest

from amem.studies.tables import Table

CODE = {"amem": "0", "commit": "c", "dirty": False, "model_source": None, "sources": "s"}


def _recall(model, params, n, p, seed, ok, noise=0.0, max_steps=None):
    v = 1.0 if ok else 0.0
    return {"schema": 2, "key": f"{model}-{params}-{n}-{p}-{seed}-{noise}-{max_steps}",
            "model": model, "params": params, "n_units": n, "noise": noise, "cue": "flip",
            "patterns": "random", "pattern_param": None, "max_steps": max_steps,
            "model_version": 1, "code": CODE, "seed": seed, "n_patterns": p, "alpha": p / n,
            "mean_overlap": v, "frac_retrieved": v, "frac_stable": v, "frac_exact": v,
            "min_overlap": v}


def _curve(model, params, sizes, capacity, seeds=(0, 1), **kw):
    """Each seed stores exactly ``capacity(n)`` patterns: a trial there and one above it."""
    return [_recall(model, params, n, p, s, p <= capacity(n), **kw)
            for n in sizes for s in seeds for p in (capacity(n), capacity(n) + 1)]


# ------------------------------------------------------------------ modern
def test_exponent_text_fits_the_power_of_n():
    from amem.studies.renderers.modern import exponent_text

    sizes = [5, 10, 20, 40]
    records = {"poly3": _curve("modern", {"degree": 3}, sizes, lambda n: n * n)
               + _curve("modern", {"degree": 3}, sizes, lambda n: 2 * n * n, noise=0.1),
               "poly3-exact": [r | {"mean_overlap": 1.0} for r in
                               _curve("modern", {"degree": 3}, sizes, lambda n: n)]}
    assert exponent_text(records, "poly3") == "2.00 ± 0.00"
    k, se = (float(x) for x in exponent_text(records, "poly3", "exponent_noise").split(" ± "))
    assert (k, se) == (2.0, 0.0)
    # exact criterion fits P ln N, not P
    k = float(exponent_text(records, "poly3", "exponent_exact").split(" ± ")[0])
    assert k > 1.0


def test_exp_rate_text_fits_the_exponential_rate_and_drops_the_error_of_two_sizes():
    from amem.studies.renderers.modern import exp_rate_text

    cap = lambda n: round(math.exp(0.5 * n))  # noqa: E731
    records = {"exp": _curve("modern", {"energy": "exp"}, [8, 10, 12], cap),
               "exp-noise10": _curve("modern", {"energy": "exp"}, [10, 20], cap, noise=0.1)}
    r, se = (float(x) for x in exp_rate_text(records, "paper").split(" ± "))
    assert r == pytest.approx(0.5, abs=0.01) and se < 0.01
    assert " ± " not in exp_rate_text(records, "paper-noise")  # two sizes: no standard error
    assert float(exp_rate_text(records, "paper-noise")) == pytest.approx(0.5, abs=0.01)


# ------------------------------------------------------------------ noise robustness
def _fmax(model, params, p, seed, f):
    return {"schema": 2, "key": f"{model}{params}{p}{seed}", "model": model, "params": params,
            "n_units": 100, "n_patterns": p, "seed": seed, "f_max": f}


def test_fmax_wide_table_has_a_row_per_load_and_a_dash_where_every_seed_fails_clean():
    from amem.studies.renderers.noise import fmax_wide_table

    rows = [_fmax("hebbian", {}, 10, 0, 0.2), _fmax("hebbian", {}, 10, 1, 0.3),
            _fmax("hebbian", {}, 20, 0, None), _fmax("hebbian", {}, 20, 1, None),
            _fmax("krauth-mezard", {"kappa": 1.0}, 10, 0, 0.1),
            _fmax("krauth-mezard", {"kappa": 1.0}, 20, 0, None),
            _fmax("krauth-mezard", {"kappa": 1.0}, 20, 1, 0.04)]
    table = fmax_wide_table({"noise": rows}, label_params=True)
    assert isinstance(table, Table)
    assert table.columns == ["α", "hebbian", "krauth-mezard kappa=1.0"]
    assert table.rows == [["0.1", "0.25", "0.10"], ["0.2", "–", "0.02"]]


# ------------------------------------------------------------------ PID anatomy
def test_closed_form_gap_table_is_zero_for_records_equal_to_the_closed_form():
    from amem.anatomy import ATOM_COLUMNS
    from amem.studies.renderers.anatomy import closed_form_gap_table
    from amem.theory.pid_hebbian import hebbian_sx_atoms

    n, rows = 20, []
    for p in (2, 4, 8):
        atoms = hebbian_sx_atoms(n, p)
        for seed in (0, 1):
            shift = 0.01 if (p, seed) == (8, 0) else 0.0
            rows.append({"key": f"{p}-{seed}", "model": "hebbian", "n_units": n, "n_patterns": p,
                         "seed": seed, "probe": "pid-anatomy", "mean_overlap": 1.0,
                         "probe_params": {"output": "sign"},
                         **{c: float(atoms[i]) + (shift if c == "synergy" else 0.0)
                            for i, c in enumerate(ATOM_COLUMNS)}})
    table = closed_form_gap_table({"n": rows}, min_alpha=0.16)
    assert table.rows[0][:3] == ["hebbian", "20", "2"]  # loads 4 and 8 of 20 are ≥ 0.16
    gaps = dict(zip(table.columns[3:], table.rows[0][3:]))
    assert gaps["synergy"] == "0.005"  # median of 0.01 and 0 above the closed form
    assert {v for k, v in gaps.items() if k != "synergy"} == {"0.000"}
    sigmoid = [r | {"probe_params": {"output": "sigmoid"}} for r in rows]
    assert closed_form_gap_table({"n": sigmoid}).rows == []
