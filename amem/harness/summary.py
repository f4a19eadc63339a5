"""Turn trial records into ``trials.csv`` and ``summary.json`` (capacity per model, size, noise and
criterion, with confidence intervals and the protocol that produced it).

Everything a summary says about how a number was made comes from the records themselves (the
update rule from each record's resolved parameters, the search from its ``search`` field, the
code from its ``code``), never from today's registry: records of two model versions or two code
identities are never pooled into one curve.
"""

from __future__ import annotations

import csv
import json
import math
from collections import defaultdict
from pathlib import Path

from amem.harness.criteria import CRITERIA, capacity_estimate
from amem.records.schema import SCHEMA_VERSION, canonical, code_fingerprint

CSV_COLUMNS = [
    "model", "model_version", "params", "n_units", "n_patterns", "alpha", "seed", "noise", "cue",
    "patterns", "pattern_param", "max_steps", "mean_overlap", "min_overlap", "frac_exact",
    "frac_retrieved", "frac_inverted", "frac_stable", "frac_fixed_point", "frac_cycle",
    "frac_max_steps", "mean_steps", "store_s", "recall_s", "resolved_params", "code", "commit",
    "dirty", "key",
]
#: A curve: its first four fields are what the plots label it by; the last two keep records of
#: different model versions and code apart.
GROUP_FIELDS = ("model", "params", "n_units", "noise", "cue", "patterns", "pattern_param",
                "max_steps", "model_version", "code")


def _sort_key(r: dict):
    return (r["model"], str(r.get("model_version")), canonical(r["params"]), r["n_units"],
            r["noise"], r["cue"], r["patterns"], str(r["pattern_param"]), str(r["max_steps"]),
            code_fingerprint(r.get("code")), r["n_patterns"], r["seed"])


def write_trials_csv(records: list[dict], path: Path) -> None:
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=CSV_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        for r in sorted(records, key=_sort_key):
            code = r.get("code") or {}
            writer.writerow({**r, "params": canonical(r["params"]),
                             "resolved_params": canonical(r.get("resolved_params")),
                             "pattern_param": _param_text(r["pattern_param"]),
                             "code": code_fingerprint(code) if code else None,
                             "commit": code.get("commit"), "dirty": code.get("dirty")})


def _group_value(record: dict, name: str):
    if name == "params":
        return canonical(record["params"])
    if name == "pattern_param":
        return _param_text(record["pattern_param"])
    if name == "code":
        return code_fingerprint(record.get("code"))
    return record.get(name)


def _param_text(value) -> str | float | None:
    """A pattern family's parameters for one CSV cell or group key (a dict as canonical JSON)."""
    return canonical(value) if isinstance(value, dict) else value


def group_records(records: list[dict]) -> dict[tuple, list[dict]]:
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for r in records:
        groups[tuple(_group_value(r, f) for f in GROUP_FIELDS)].append(r)
    return dict(sorted(groups.items(), key=lambda kv: tuple(map(str, kv[0]))))


def recorded_update_rule(rows: list[dict]) -> str | None:
    """The update rule the records ran with (resolved parameters; the overrides when a record
    lacks them); None when they do not say or disagree."""
    rules = {(r.get("resolved_params") or r["params"]).get("update") for r in rows}
    return rules.pop() if len(rules) == 1 else None


def recorded_code(rows: list[dict]) -> dict:
    """The code identity shared by ``rows`` with every (commit, dirty) they were made at."""
    codes = [r.get("code") or {} for r in rows]
    commits = sorted({(c.get("commit"), c.get("dirty")) for c in codes}, key=str)
    first = codes[0] if codes else {}
    return {"id": code_fingerprint(first) if first else None, "amem": first.get("amem"),
            "sources": first.get("sources"), "model_source": first.get("model_source"),
            "commits": [{"commit": c, "dirty": d} for c, d in commits]}


def _parameter_counter(model: str):
    from amem.errors import AmemError
    from amem.registry import model_class

    try:
        return model_class(model).stored_parameters
    except AmemError:  # a model no longer registered or loadable: summaries still build
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
        fields["code"] = recorded_code(rows)
        n_units = fields["n_units"]
        loads = sorted({r["n_patterns"] for r in rows})
        update = recorded_update_rule(rows)
        searches = sorted({r.get("search") or search for r in rows})
        protocol = {
            "cue": f"{fields['cue']} {fields['noise']:g} (exactly round(noise*N) bits)",
            "update": update,
            "max_steps": fields["max_steps"] or n_units,
            "patterns_tested": [loads[0], loads[-1]] if loads else [],
            "n_loads_tested": len(loads),
            "search": "+".join(searches),
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
            out.append({**fields, **estimate, **censoring(estimate, search),
                        "paper_protocol": is_paper, "protocol": protocol})
    return out


def write_summary(path: Path, records: list[dict], configs: list[dict] | dict | None,
                  provenance: dict) -> dict:
    """``summary.json`` of ``records``: ``written_by`` is the process writing the summary; the
    code that made the numbers is in ``codes`` and in each capacity's ``code``."""
    if isinstance(configs, dict):
        configs = [{"config": configs}]
    configs = list(configs or [])
    codes = {}
    for r in records:
        code = r.get("code") or {}
        entry = codes.setdefault(code_fingerprint(code), {**recorded_code([r]), "models": {}})
        commit = {"commit": code.get("commit"), "dirty": code.get("dirty")}
        if commit not in entry["commits"]:
            entry["commits"].append(commit)
        entry["models"].setdefault(r["model"], set()).add(r.get("model_version"))
    for entry in codes.values():
        entry["models"] = {m: sorted(v, key=str) for m, v in sorted(entry["models"].items())}
    summary = {
        "schema_version": SCHEMA_VERSION,
        "written_by": provenance,
        "codes": list(codes.values()),
        "configs": configs,
        "n_trials": len(records),
        "capacities": summarize(records),
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


def censoring(estimate: dict, search: str = "grid") -> dict:
    """Whether an estimate is only a lower bound: a seed that still stores at the largest load
    tested has an unknown capacity above it, so the mean over seeds is a bound, not a value."""
    k, n = estimate["n_censored"], estimate["n_seeds"]
    where, fix = (("the top of the grid", "raise --alphas or use --search bisect")
                  if search != "bisect" else ("the largest load searched", "raise --max-alpha"))
    return {"censored": k > 0, "lower_bound": k > 0,
            "censored_note": f"{k} of {n} seeds still store at {where}: {fix}" if k else None}


def format_capacity(c: dict) -> str:
    """``0.141 [0.130, 0.152]``, or ``>= 2.010 (10 of 10 seeds still store ...)`` for a bound."""
    if c.get("lower_bound") or c.get("n_censored"):
        note = c.get("censored_note") or censoring(c)["censored_note"]
        return f"\u2265 {c['capacity_alpha']:.3f} ({note})"
    return f"{c['capacity_alpha']:.3f} [{c['ci_low']:.3f}, {c['ci_high']:.3f}]"


def format_table(capacities: list[dict], criterion: str = "paper") -> str:
    """A short human-readable table of the capacities under one criterion; a censored estimate
    reads as a bound (``>= 2.010 (10 of 10 seeds still store at the top of the grid: ...)``)."""
    lines = [f"{'model':<28} {'N':>6} {'noise':>6}  seeds  capacity alpha [95% CI]  ({criterion})"]
    mixed = len({(c["code"] or {}).get("id") for c in capacities}) > 1
    for c in capacities:
        if c["criterion"] != criterion:
            continue
        name = c["model"]
        if mixed:  # records of several code versions: say which row is which
            name += f" v{c['model_version']}@{((c['code'] or {}).get('id') or '')[:8]}"
        label = name + ("" if not c["params"] else " " + canonical(c["params"]))
        lines.append(f"{label[:28]:<28} {c['n_units']:>6} {c['noise']:>6.2f}  {c['n_seeds']:>5}  "
                     f"{format_capacity(c)}")
    return "\n".join(lines)
