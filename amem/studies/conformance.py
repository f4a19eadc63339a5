"""Reference values: a published number, amem's measurement of it, and a verdict.

A study's ``[[reference]]`` names a published value (with the resolution it was reported at:
capacities on a 0.05 load grid, say), its source and criterion, and optionally a ``measure``
(``"module:function"``, called with the records of its ``inputs`` and its ``args``) that returns
amem's value as ``{"value", "ci_low", "ci_high", "n_seeds"}``, or a list of such dicts with a
``label`` (one row each, e.g. alpha_c against a parameter; a dict may carry its own ``published``). The verdict rule is one for every
row, and the table's caption states it.
"""

from __future__ import annotations

from pathlib import Path

from amem.errors import AmemError
from amem.studies.data import RecordsMissing, load_function, load_inputs
from amem.studies.spec import Study
from amem.studies.tables import Table
from amem.studies.verdicts import (  # noqa: F401  (re-exported: the verdict rule lives there)
    RESOLUTION_NOTE,
    VERDICT_RULE,
    _expand,
    _with_value,
    verdict,
)


def conformance_rows(study: Study, out: Path | None = None, quick: bool = False, repro=None):
    """(one dict per reference, the records the measures used). A reproduction study keeps
    every item, run or not (:func:`amem.studies.reproduction.conformance_rows`)."""
    if study.reproduction:
        from amem.studies.reproduction import conformance_rows as every_item

        return every_item(study, out, quick, repro)
    rows, used = [], {}
    for ref in study.references:
        measured, note = None, ref.note
        if ref.measure:
            try:
                inputs = load_inputs(study, ref.inputs, out, quick)
            except RecordsMissing:
                inputs = None
            if inputs is not None:
                used.update(inputs)
                try:
                    measured = load_function(ref.measure)(inputs, **ref.args)
                except AmemError as err:  # e.g. a --quick run lacks the size the item names
                    note = f"not measured: {err}"
        for item, published, m in _expand(ref, measured):
            rows.append({"id": ref.id, "item": item, "published": published,
                         "resolution": ref.resolution, "source": ref.source,
                         "criterion": ref.criterion, "measured": m,
                         "verdict": verdict(_with_value(ref, published), m),
                         "note": (m or {}).get("note", note) if m else note})
    return rows, used


def conformance_table(study: Study, out: Path | None = None, quick: bool = False,
                      with_rows: bool = False, repro=None):
    """The conformance table (Markdown/LaTeX via :class:`Table`); with ``with_rows`` also the
    rows as dicts (written as ``references.json``)."""
    rows, used = conformance_rows(study, out, quick, repro)
    cells = []
    for r in rows:
        published = "–" if r["published"] is None else (
            f"{r['published']:g}" + (f" ± {r['resolution'] / 2:g}" if r["resolution"] else ""))
        m = r["measured"]
        amem_value = "–" if m is None or m.get("value") is None else (
            f"{m['value']:.3f} [{_num(m['ci_low'])}, {_num(m['ci_high'])}], {m['n_seeds']} seeds")
        cells.append([r["item"], published, amem_value, r["verdict"], r["criterion"], r["source"],
                      r["note"]])
    caption = f"Reference values of study {study.id}. Verdict: {VERDICT_RULE}."
    notes = []
    if study.reproduction:  # the rule is the table's, so the Markdown shows it too
        from amem.studies.reproduction import STATUS_RULE

        caption += f" {RESOLUTION_NOTE} Status: {STATUS_RULE}."
        notes = [caption]
    table = Table(["item", "published", "amem [95% CI]", "verdict", "criterion", "source", "note"],
                  cells, caption=caption, align=["l", "r", "r", "l", "l", "l", "l"], notes=notes)
    return (table, used, rows) if with_rows else (table, used)


def _num(x) -> str:
    return "–" if x is None or x != x else f"{x:.3f}"
