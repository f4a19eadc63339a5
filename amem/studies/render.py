"""``study render``: every output of a study from its stored records alone.

A renderer is a plain function ``f(records, **args)`` named ``"module:function"`` in the study
file; ``records`` maps each input sweep's name to its records. It returns a matplotlib Figure or
Axes (written as ``NAME.png`` and ``NAME.pdf``), a :class:`amem.studies.tables.Table` (``NAME.md``
and ``NAME.tex``) or a string (``NAME.md``). Next to each output goes its sidecar
``NAME.output.json``: study id, renderer, commit, a hash of the record keys it used and, for a
figure, the data it plots (what ``study check`` compares). References with a measure give the
conformance table ``references.md/.tex``; ``index.html`` shows it all and opens from disk.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from amem.errors import AmemError
from amem.studies.data import import_study_modules, load_function, load_inputs, records_hash
from amem.studies.spec import OutputDef, Study
from amem.studies.tables import Table

SIDECAR_SUFFIX = ".output.json"
HTML_PAGE = "index.html"
REFERENCES_OUTPUT = "references"
#: Sidecar fields that depend on where and when a render ran, not on the data.
VOLATILE = ("commit", "dirty")


@dataclass
class Rendered:
    name: str
    kind: str  # figure, table or text
    files: list[str]
    sidecar: dict
    markdown: str | None = None  # tables and texts: what README markers show
    html: str = ""
    extra: dict = field(default_factory=dict)


COST_OUTPUT = "cost"  # a reproduction study's cost table


def render_output(study: Study, output: OutputDef, out: Path | None = None, quick: bool = False):
    """(result of the renderer, the inputs it got). In a reproduction study a sweep without
    records reaches the renderer as an empty list (its curve is omitted) and a figure or table
    says which sweeps have not run; so in a ``partial`` study."""
    if not (study.reproduction or study.partial):
        inputs = load_inputs(study, output.inputs, out, quick)
        return load_function(output.make)(inputs, **output.args), inputs
    from amem.studies.data import RecordsMissing, load_sweep

    inputs, missing = {}, []
    for name in output.inputs:
        try:
            inputs[name] = load_sweep(study, name, out, quick).records
        except RecordsMissing:
            inputs[name] = []
            missing.append(name)
    result = load_function(output.make)(inputs, **output.args)
    if missing:
        result = _note_missing(result, missing)
    return result, {k: v for k, v in inputs.items() if v}


def _note_missing(result, missing: list[str]):
    """Say on the output which of its sweeps have no records yet."""
    text = f"not run yet: {', '.join(missing)}"
    if isinstance(result, Table):
        result.notes = [*result.notes, text]
        return result
    if isinstance(result, str):
        return f"{result.rstrip()}\n\n{text}\n"
    from amem.studies.figdata import as_figure

    fig = as_figure(result)
    if fig.axes:
        import textwrap

        fig.axes[0].text(0.01, 0.01, textwrap.fill(text, 70), transform=fig.axes[0].transAxes,
                         fontsize=6, color="tab:red", va="bottom")
    return result


def write_output(result, name: str, directory: Path, sidecar: dict) -> Rendered:
    from amem.studies.figdata import as_figure, figure_data

    directory.mkdir(parents=True, exist_ok=True)
    if isinstance(result, Table):
        md, tex = result.to_markdown(), result.to_latex()
        (directory / f"{name}.md").write_text(md)
        (directory / f"{name}.tex").write_text(tex)
        rendered = Rendered(name, "table", [f"{name}.md", f"{name}.tex"], sidecar, md,
                            result.to_html())
    elif isinstance(result, str):
        text = result if result.endswith("\n") else result + "\n"
        (directory / f"{name}.md").write_text(text)
        import html

        rendered = Rendered(name, "text", [f"{name}.md"], sidecar, text,
                            f"<pre>{html.escape(text)}</pre>")
    elif hasattr(result, "savefig") or hasattr(result, "figure"):
        fig = as_figure(result)
        fig.savefig(directory / f"{name}.png", dpi=150)
        fig.savefig(directory / f"{name}.pdf", metadata={"CreationDate": None, "ModDate": None})
        sidecar = {**sidecar, "data": figure_data(fig)}
        rendered = Rendered(name, "figure", [f"{name}.png", f"{name}.pdf"], sidecar, None,
                            f'<img src="{name}.png" alt="{name}" style="max-width:100%">')
    else:
        raise AmemError(f"output {name!r}: the renderer returned {type(result).__name__}; return "
                        "a matplotlib Figure or Axes, an amem.studies.tables.Table or a str")
    rendered.sidecar = {**rendered.sidecar, "kind": rendered.kind, "files": rendered.files}
    (directory / f"{name}{SIDECAR_SUFFIX}").write_text(
        json.dumps(rendered.sidecar, indent=1, sort_keys=True) + "\n")
    return rendered


def render_study(study: Study, directory: Path | None = None, out: Path | None = None,
                 quick: bool = False) -> list[Rendered]:
    """Render every output into ``directory`` (default: the study's folder) from the records
    under ``out`` (default: the study's folder). Runs no trial."""
    from amem.records.provenance import git_state

    import_study_modules(study)
    directory = directory or out or study.out
    state = git_state()
    git = {"id": state["commit"], "dirty": state["dirty"]}
    rendered = []
    for output in study.outputs:
        try:
            result, inputs = render_output(study, output, out, quick)
        except AmemError as err:
            if not quick:
                raise AmemError(f"study {study.id}, output {output.name!r}: {err}") from None
            # a reduced run may lack what an output names (e.g. the N of a headline number)
            result, inputs = f"not rendered in a --quick run: {err}\n", {}
        sidecar = {"study": study.id, "output": output.name, "renderer": output.make,
                   "args": output.args, "records": {
                       "hash": records_hash(inputs), "count": sum(map(len, inputs.values())),
                       "sweeps": sorted(inputs)},
                   "commit": git["id"], "dirty": git["dirty"]}
        if isinstance(result, Table) and output.caption and not result.caption:
            result.caption = output.caption
        rendered.append(write_output(result, output.name, directory, sidecar))
        _close(result)
    repro = None
    if study.reproduction:
        from amem.studies.reproduction import assess, cost_table

        repro = assess(study, out, quick)
        used = {p.name: p.records for p in repro.progress.values() if p.records}
        sidecar = {"study": study.id, "output": COST_OUTPUT,
                   "renderer": "amem.studies.reproduction:cost_table", "args": {},
                   "records": {"hash": records_hash(used), "count": sum(map(len, used.values())),
                               "sweeps": sorted(used)},
                   "commit": git["id"], "dirty": git["dirty"]}
        rendered.append(write_output(cost_table(repro), COST_OUTPUT, directory, sidecar))
    if study.references:
        from amem.studies.conformance import conformance_table

        table, inputs, rows = conformance_table(study, out, quick, with_rows=True, repro=repro)
        (directory / f"{REFERENCES_OUTPUT}.json").parent.mkdir(parents=True, exist_ok=True)
        (directory / f"{REFERENCES_OUTPUT}.json").write_text(
            json.dumps(rows, indent=1, sort_keys=True) + "\n")
        sidecar = {"study": study.id, "output": REFERENCES_OUTPUT,
                   "renderer": "amem.studies.conformance:conformance_table", "args": {},
                   "records": {"hash": records_hash(inputs),
                               "count": sum(map(len, inputs.values())), "sweeps": sorted(inputs)},
                   "commit": git["id"], "dirty": git["dirty"]}
        done = write_output(table, REFERENCES_OUTPUT, directory, sidecar)
        done.files.append(f"{REFERENCES_OUTPUT}.json")  # compared as text by `study check`
        rendered.append(done)
    from amem.studies.html import write_page

    write_page(study, rendered, directory, out)
    return rendered


def _close(result) -> None:
    """Figures are plain ``Figure`` objects (no pyplot state); drop their canvas promptly."""
    fig = getattr(result, "figure", None) if not hasattr(result, "savefig") else result
    if fig is not None and hasattr(fig, "clear"):
        fig.clear()
