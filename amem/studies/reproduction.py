"""A paper reproduction (a study with ``reproduction = true``): every item, whatever has run.

The conformance table keeps a row for every reference item: *not run* (no complete seed yet:
the note gives the command that runs it and its projected cost), *provisional* (measured on the
complete seeds of a sweep still missing some: the verdict carries "(provisional)" and the note
says how many seeds and what the rest costs) or final. The cost table prices each item in CPU
hours on this machine, measured from its records where they exist and projected with
:mod:`amem.studies.cost_model` for what is still to run, next to the authors' cost where known.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from amem.errors import AmemError
from amem.studies.progress import SweepProgress, study_progress
from amem.studies.spec import ReferenceDef, Study
from amem.studies.tables import Table

PROVISIONAL = " (provisional)"
#: the authors' stored noise-stability job (spec §10): 32 CPUs for 48 hours
AUTHORS_FMAX_CPU_H = 32 * 48
STATUS_RULE = ("not run: no complete seed yet (the note gives the command and its projected "
               "cost); provisional: measured on the complete seeds of a sweep still missing "
               "some (a seed is complete when every load of its curve has a record)")


def rerun_notes(repro: Reproduction) -> list[str]:
    """Sweeps whose records this code would not reuse (the runner refuses a folder of other
    code's records unless told): printed by ``reproduce``, never rendered (outputs depend on the
    records alone)."""
    return [f"{p.name}: {p.present - p.current} of its records were made by other code "
            f"({p.other_code}); the runner will not reuse them" for p in repro.progress.values()
            if p.present > p.current]


def command(study: Study, item: str | None, quick: bool, sweep: str | None = None) -> str:
    q = " --quick" if quick else ""
    if item is None:
        return f"python -m amem.bench study run {study.id} --only {sweep}{q}"
    return f"python -m amem.bench reproduce {study.id} --only {item}{q}"


@dataclass
class Item:
    """One row of the cost table: a reference item (or a figure-only sweep) and the sweeps it
    pays for (a sweep shared by several items is paid by the first)."""

    id: str
    ref: ReferenceDef | None
    sweeps: list[str]
    paid: list[str]
    measured_s: float = 0.0
    measured_epochs: int = 0
    to_run: int = 0
    projected_s: float = 0.0
    projected_epochs: float = 0.0
    authors_s: list[float] = field(default_factory=lambda: [0.0, 0.0])
    progress: list[SweepProgress] = field(default_factory=list)

    @property
    def status(self) -> str:
        states = {p.status for p in self.progress}
        if states == {"complete"}:
            return "complete"
        if states == {"not run"}:
            return "not run"
        return "partial"

    @property
    def seeds(self) -> tuple[int, int]:
        return (sum(p.seeds_complete for p in self.progress),
                sum(p.seeds_planned for p in self.progress))


@dataclass
class Reproduction:
    study: Study
    quick: bool
    progress: dict[str, SweepProgress]
    items: list[Item]
    basis: list[str]
    sweep_cost: dict[str, float] = field(default_factory=dict)  # projected s of what is missing

    def item(self, item_id: str) -> Item:
        return next(i for i in self.items if i.id == item_id)


def _expected_alpha_c(ref: ReferenceDef | None, prog: SweepProgress) -> float | None:
    """amem's capacity of the sweep's complete seeds, else the published one, else None."""
    recall = [r for r in prog.complete_records if r.get("probe", "recall") == "recall"]
    if recall:  # probes (f_max, PID) measure no capacity
        from amem.harness.summary import summarize

        curves = summarize(recall, ["paper"])
        if len(curves) == 1 and curves[0]["capacity_alpha"] is not None:
            return float(curves[0]["capacity_alpha"])
    if ref is not None and ref.value is not None and ref.measure and ref.measure.endswith(":capacity"):
        return float(ref.value)
    return None


def assess(study: Study, out: Path | None = None, quick: bool = False) -> Reproduction:
    """Progress and cost of every item (runs nothing)."""
    from amem.studies.cost_model import AUTHORS_S_PER_EPOCH, CostModel, _epochs, measured

    progress = study_progress(study, out, quick)
    model = CostModel.from_records([r for p in progress.values() for r in p.records])
    paid: set[str] = set()
    sweep_cost: dict[str, float] = {}
    items = []
    for ref in study.references:
        mine = [s for s in ref.inputs if s not in paid]
        paid.update(mine)
        items.append(Item(ref.id, ref, list(ref.inputs), mine))
    for out_def in study.outputs:
        for s in out_def.inputs:
            if s not in paid:
                paid.add(s)
                items.append(Item(f"{s} (figure {out_def.name} only)", None, [s], [s]))
    for item in items:
        item.progress = [progress[s] for s in item.sweeps]
        for s in item.paid:
            p = progress[s]
            item.measured_s, item.measured_epochs = (
                a + b for a, b in zip((item.measured_s, item.measured_epochs), measured(p.records)))
            alpha_c = _expected_alpha_c(item.ref, p)
            item.to_run += len(p.to_run)
            rates = model.with_rate_of(p.records)  # the sweep's own rate once it has records
            sweep_cost[s] = 0.0
            for t in p.to_run:
                sec, ep = rates.trial_seconds(t, alpha_c)
                sweep_cost[s] += sec
                item.projected_s += sec
                item.projected_epochs += ep
            # the authors' code, per network-epoch at N = 100 scaled like ours (N^2)
            for t in p.to_run:
                if t.model == "infomorphic":
                    ep = model.epochs(t, alpha_c)
                    for k in (0, 1):
                        item.authors_s[k] += ep * AUTHORS_S_PER_EPOCH[k] * (t.n_units / 100) ** 2
            for r in p.records:
                for k in (0, 1):
                    item.authors_s[k] += _epochs(r) * AUTHORS_S_PER_EPOCH[k] * (r["n_units"] / 100) ** 2
    return Reproduction(study, quick, progress, items, model.basis, sweep_cost)


# ------------------------------------------------------------------ conformance
def conformance_rows(study: Study, out: Path | None = None, quick: bool = False,
                     repro: Reproduction | None = None):
    """(one dict per row, the records the measures used), every reference item present."""
    from amem.studies.data import load_function
    from amem.studies.verdicts import _expand, _with_value, verdict

    repro = repro or assess(study, out, quick)
    rows, used = [], {}
    for ref in study.references:
        progress = [repro.progress[s] for s in ref.inputs]
        inputs = {p.name: p.complete_records for p in progress if p.complete_records}
        lacking = [p for p in progress if p.status != "complete"]
        cost = sum(repro.sweep_cost.get(p.name, 0.0) for p in lacking)
        notes = [ref.note] if ref.note else []
        measured = None
        if ref.measure and inputs:
            used.update(inputs)
            try:
                measured = load_function(ref.measure)(inputs, **ref.args)
            except AmemError as err:  # e.g. a --quick run lacks the size the item names
                notes.append(f"not measured: {err}")
        # a sweep with some complete seeds makes the item provisional; one not run gets a row
        provisional = any(p.status == "partial" for p in progress) and measured is not None
        missing = {p.name: p for p in lacking if not p.complete_records}
        if lacking and not inputs:
            notes.append(f"not run: `{command(study, ref.id, quick)}` (est. {_hours(cost)} CPU h)")
        elif lacking:
            seeds = ", ".join(f"{p.name}: {p.seeds_complete} of {p.seeds_planned} seeds"
                              for p in lacking if p.name not in missing)
            if seeds:
                notes.append(f"provisional ({seeds})")
            if missing:
                notes.append(f"not run yet: {', '.join(missing)} (rows below)")
            notes.append(f"the rest: `{command(study, ref.id, quick)}` (est. {_hours(cost)} CPU h)")
        note = "; ".join(notes)
        expanded = [(label, published, m, note) for label, published, m in _expand(ref, measured)]
        if inputs and len(ref.inputs) > 1:  # a curve item: one row per sweep not run yet
            expanded += [(f"{ref.item}: {name}", ref.value, None,
                          f"not run: `{command(study, ref.id, quick)}` (this sweep: est. "
                          f"{_hours(repro.sweep_cost.get(name, 0.0))} CPU h)")
                         for name in missing]
        for label, published, m, note in expanded:
            v = verdict(_with_value(ref, published), m) if m is not None else "not run"
            if provisional and v in ("agrees", "differs", "no published value", "not measured"):
                v += PROVISIONAL
            row_note = (m or {}).get("note") if m else None
            rows.append({"id": ref.id, "item": label, "published": published,
                         "resolution": ref.resolution, "source": ref.source,
                         "criterion": ref.criterion, "measured": m, "verdict": v,
                         "status": "not run" if m is None and lacking else
                         ("provisional" if provisional else "final"),
                         "note": "; ".join(x for x in (row_note, note) if x)})
    return rows, used


def _hours(seconds: float) -> str:
    h = seconds / 3600
    return f"{h:.2f}" if h < 10 else f"{h:.0f}"


# ------------------------------------------------------------------ cost
def cost_table(repro: Reproduction) -> Table:
    """Per item: seeds, measured CPU hours, what is left and its projected CPU hours, and the
    authors' cost where known; a total row."""
    cells = []
    tot = [0.0, 0.0, 0, 0.0, 0.0, 0.0]
    for item in repro.items:
        done, planned = item.seeds
        authors = ""
        if item.authors_s[1] > 0:
            authors = f"{item.authors_s[0] / 3600:.1f}-{item.authors_s[1] / 3600:.1f}"
        if item.id == "fmax":
            authors = (authors + "; " if authors else "") + \
                f"{AUTHORS_FMAX_CPU_H} (their f_max job: 32 CPUs x 48 h)"
        cells.append([item.id, item.status, f"{done}/{planned}",
                      _hours(item.measured_s), f"{item.measured_epochs / 1e6:.2f}",
                      str(item.to_run), _hours(item.projected_s),
                      f"{item.projected_epochs / 1e6:.2f}", authors])
        for k, v in enumerate((item.measured_s, item.measured_epochs, item.to_run,
                               item.projected_s, item.projected_epochs, item.authors_s[1])):
            tot[k] += v
    lo = sum(i.authors_s[0] for i in repro.items) / 3600
    cells.append(["total", "", "", _hours(tot[0]), f"{tot[1] / 1e6:.2f}", str(tot[2]),
                  _hours(tot[3]), f"{tot[4] / 1e6:.2f}", f"{lo:.0f}-{tot[5] / 3600:.0f}"])
    from amem.studies.cost_model import AUTHORS_S_PER_EPOCH, SOFT_FACTOR_PER_BIN

    caption = (f"Cost of study {repro.study.id} in CPU hours on this 2-core machine: measured = "
               "sum of the trial times of its records (one executor slot each); projected = the "
               "trials without a record, priced per network-"
               f"epoch ({'; '.join(repro.basis) or 'no infomorphic records yet'}; soft binning "
               f"x{SOFT_FACTOR_PER_BIN:g} per bin; N^2 scaling; see amem/studies/cost_model.py). Authors: their "
               f"code's {AUTHORS_S_PER_EPOCH[0] * 1e3:g}-{AUTHORS_S_PER_EPOCH[1] * 1e3:g} ms CPU "
               "per network-epoch at N = 100 (spec §10) on the same network-epochs, and their "
               "stored noise-stability job. A sweep shared by several items is priced once, "
               "with the first. Projections hold to a factor ~2-4.")
    return Table(["item", "status", "seeds complete", "measured CPU h", "measured M epochs",
                  "trials without record", "projected CPU h", "projected M epochs",
                  "authors' CPU h"], cells, caption=caption,
                 align=["l", "l", "r", "r", "r", "r", "r", "r", "l"], notes=[caption])
