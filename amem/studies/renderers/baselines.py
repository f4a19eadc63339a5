"""Renderers of the ``baselines`` study: the capacity table of the literature rules in a fixed
order (ported from the former ``results/baselines/make_report.py``) and the README headline."""

from __future__ import annotations

from collections import defaultdict

from amem.studies.renderers.capacity import capacity_cell, summaries
from amem.studies.tables import Table

ORDER = ["hebbian", "storkey", "pseudoinverse", "descent-l2", "krauth-mezard", "diederich-opper",
         "mpf", "infomorphic"]


def _rank(model: str) -> int:
    return ORDER.index(model) if model in ORDER else len(ORDER)


def capacity_table(records):
    """paper α_c [95% CI], censored seeds, frac90 and exact α_c, seeds: one row per model."""
    by = defaultdict(dict)
    for cap in summaries(records, ["paper", "frac90", "exact"]):
        by[cap["model"]][cap["criterion"]] = cap
    rows = []
    for model in sorted(by, key=_rank):
        p, f, e = by[model]["paper"], by[model]["frac90"], by[model]["exact"]
        rows.append([model, capacity_cell(p), str(p["n_censored"]), _value(f), _value(e),
                     str(p["n_seeds"])])
    return Table(["model", "paper α_c [95% CI]", "censored seeds", "frac90 α_c", "exact α_c",
                  "seeds"], rows)


def _value(cap) -> str:
    """A capacity, or a bound when a seed still stores at the top load."""
    return ("≥ " if cap["n_censored"] else "") + f"{cap['capacity_alpha']:.3f}"


def headline_text(records, models):
    """``1.597 / 1.532 / 1.085 / 0.435``: paper capacities of ``models`` in that order."""
    caps = {c["model"]: c for c in summaries(records, ["paper"])}
    return " / ".join(f"{caps[m]['capacity_alpha']:.3f}" for m in models)
