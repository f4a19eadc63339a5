"""The verdict of one conformance row, and the rows a measure gives (shared by
:mod:`amem.studies.conformance` and :mod:`amem.studies.reproduction`)."""

from __future__ import annotations

from amem.studies.spec import ReferenceDef

VERDICT_RULE = ("agrees when the published value, widened by half its resolution on each side, "
                "overlaps amem's 95% CI; differs otherwise")


def verdict(ref: ReferenceDef, measured: dict | None) -> str:
    if ref.value is None:
        return "no published value"
    if measured is None:
        return "not run"
    half = (ref.resolution or 0.0) / 2
    lo, hi = measured["ci_low"], measured["ci_high"]
    if lo is None or hi is None or lo != lo or hi != hi:
        return "not measured"
    return "agrees" if (ref.value - half <= hi and ref.value + half >= lo) else "differs"


RESOLUTION_NOTE = ("Published values carry their resolution (the paper's capacities sit on a "
                   "0.05 load grid: +- 0.025); amem's CI is the 95% CI of the mean over seeds.")


def _expand(ref: ReferenceDef, measured):
    """(item, published value, measured) per row: a list-valued measure gives one row per entry."""
    if not isinstance(measured, list):
        return [(ref.item, ref.value, measured)]
    if not measured:
        return [(ref.item, ref.value, None)]
    return [(f"{ref.item}: {m['label']}", m.get("published", ref.value), m) for m in measured]


def _with_value(ref: ReferenceDef, value):
    from dataclasses import replace

    return replace(ref, value=value)
