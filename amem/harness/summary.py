"""Turn trial records into ``trials.csv`` and ``summary.json`` (capacity per model, size, noise and
criterion, with confidence intervals and the protocol that produced it)."""

from __future__ import annotations

import csv
import json
import math
from collections import defaultdict
from pathlib import Path

from amem.harness.criteria import CRITERIA, capacity_estimate
from amem.harness.trials import SCHEMA_VERSION, canonical

CSV_COLUMNS = [
    "model", "params", "n_units", "n_patterns", "alpha", "seed", "noise", "cue", "patterns",
    "pattern_param", "max_steps", "mean_overlap", "min_overlap", "frac_exact", "frac_retrieved",
    "frac_inverted", "frac_stable", "frac_fixed_point", "frac_cycle", "frac_max_steps",
    "mean_steps", "store_s", "recall_s", "key",
]
GROUP_FIELDS = ("model", "params", "n_units", "noise", "cue", "patterns", "pattern_param", "max_steps")


def _sort_key(r: dict):
    return (r["model"], canonical(r["params"]), r["n_units"], r["noise"], r["cue"], r["patterns"],
            str(r["pattern_param"]), str(r["max_steps"]), r["n_patterns"], r["seed"])


def write_trials_csv(records: list[dict], path: Path) -> None:
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=CSV_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        for r in sorted(records, key=_sort_key):
            writer.writerow({**r, "params": canonical(r["params"]),
                             "pattern_param": _param_text(r["pattern_param"])})


def _param_text(value) -> str | float | None:
    """A pattern family's parameters for one CSV cell (a dict as canonical JSON)."""
    return canonical(value) if isinstance(value, dict) else value


def group_records(records: list[dict]) -> dict[tuple, list[dict]]:
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for r in records:
        groups[tuple(canonical(r[f]) if f == "params" else
                     _param_text(r[f]) if f == "pattern_param" else r[f]
                     for f in GROUP_FIELDS)].append(r)
    return dict(sorted(groups.items(), key=lambda kv: tuple(map(str, kv[0]))))


def model_update_rule(model: str, params: dict) -> str | None:
    if "update" in params:
        return params["update"]
    try:
        from amem.registry import model_class

        return getattr(model_class(model), "update_rules", (None,))[0]
    except Exception:
        return None


def _parameter_counter(model: str):
    try:
        from amem.registry import model_class

        return model_class(model).stored_parameters
    except Exception:  # a model no longer registered: summaries still build
        return None


def summarize(records: list[dict], criteria=None, search: str = "grid") -> list[dict]:
    """One entry per curve (model, params, N, noise, ...) and criterion."""
    names = list(criteria or CRITERIA)
    out = []
    for key, rows in group_records(records).items():
        fields = dict(zip(GROUP_FIELDS, key))
        fields["params"] = json.loads(fields["params"])
        if isinstance(fields["pattern_param"], str):
            fields["pattern_param"] = json.loads(fields["pattern_param"])
        n_units = fields["n_units"]
        loads = sorted({r["n_patterns"] for r in rows})
        update = model_update_rule(fields["model"], fields["params"])
        protocol = {
            "cue": f"{fields['cue']} {fields['noise']:g} (exactly round(noise*N) bits)",
            "update": update,
            "max_steps": fields["max_steps"] or n_units,
            "patterns_tested": [loads[0], loads[-1]] if loads else [],
            "n_loads_tested": len(loads),
            "search": search,
            "capacity_of_a_seed": "largest tested P meeting the criterion, divided by N",
        }
        params_of = _parameter_counter(fields["model"])
        for name in names:
            estimate = capacity_estimate(rows, CRITERIA[name], n_units)
            per_seed = list(estimate["per_seed_patterns"].values())
            estimate["capacity_per_parameter"] = (
                sum(p / params_of(n_units, max(p, 1)) for p in per_seed) / len(per_seed)
                if per_seed and params_of else None)
            is_paper = (name == "paper" and fields["noise"] == 0 and update == "sync"
                        and fields["max_steps"] in (None, n_units) and fields["cue"] == "flip")
            out.append({**fields, **estimate, "paper_protocol": is_paper, "protocol": protocol})
    return out


def write_summary(path: Path, records: list[dict], config: dict | None, provenance: dict) -> dict:
    summary = {
        "schema_version": SCHEMA_VERSION,
        **provenance,
        "config": config,
        "n_trials": len(records),
        "capacities": summarize(records, search=(config or {}).get("search", "grid")),
    }
    path.write_text(json.dumps(_clean(summary), indent=2))
    return summary


def _clean(obj):
    """JSON has no NaN: write null instead."""
    if isinstance(obj, float) and math.isnan(obj):
        return None
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    return obj


def format_table(capacities: list[dict], criterion: str = "paper") -> str:
    """A short human-readable table of the capacities under one criterion."""
    lines = [f"{'model':<28} {'N':>6} {'noise':>6}  capacity alpha [95% CI]  seeds  ({criterion})"]
    for c in capacities:
        if c["criterion"] != criterion:
            continue
        label = c["model"] + ("" if not c["params"] else " " + canonical(c["params"]))
        cens = f" ({c['n_censored']} censored)" if c["n_censored"] else ""
        lines.append(f"{label[:28]:<28} {c['n_units']:>6} {c['noise']:>6.2f}  "
                     f"{c['capacity_alpha']:.3f} [{c['ci_low']:.3f}, {c['ci_high']:.3f}]  "
                     f"{c['n_seeds']:>5}{cens}")
    return "\n".join(lines)
