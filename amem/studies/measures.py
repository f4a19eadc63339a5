"""Measures for reference values: amem's number for a published one, from a study's records."""

from __future__ import annotations

from amem.errors import AmemError


def capacity(records: dict[str, list[dict]], criterion: str = "paper", model: str | None = None,
             n_units: int | str | None = None, noise: float = 0.0, params: dict | None = None) -> dict:
    """Mean capacity alpha over seeds with its 95% CI, for one curve of the input sweeps."""
    from amem.harness.summary import summarize

    rows = [r for recs in records.values() for r in recs]
    if n_units == "max":  # the largest N of the records (a finite-size scan's last point)
        n_units = max(r["n_units"] for r in rows if r["model"] == model)
    picked = [c for c in summarize(rows, [criterion])
              if (model is None or c["model"] == model)
              and (n_units is None or c["n_units"] == n_units)
              and abs(c["noise"] - noise) < 1e-12
              and (params is None or c["params"] == params)]
    if len(picked) != 1:
        raise AmemError(f"capacity measure: {len(picked)} curves match model={model!r}, "
                        f"n_units={n_units!r}, noise={noise!r}, params={params!r}; name one")
    c = picked[0]
    return {"value": c["capacity_alpha"], "ci_low": c["ci_low"], "ci_high": c["ci_high"],
            "n_seeds": c["n_seeds"]}
