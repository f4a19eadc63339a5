"""Rendered numbers in READMEs: text between markers is a study's output, never typed.

    <!-- amem:render study=ID output=NAME -->
    ...the Markdown of output NAME of study ID (a table or a text output)...
    <!-- /amem:render -->

A block whose opening marker is not followed by a line break is inline (a number in a sentence
or a table cell): its body is the output's text on one line. ``study render ID`` rewrites the blocks of that study in :func:`readme_files`; the tests compare
every block with a fresh render of the committed records (:func:`stale_blocks`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from amem.errors import AmemError
from amem.studies.spec import REPO_ROOT

MARKER = re.compile(r"<!-- amem:render study=(?P<study>[\w.-]+) output=(?P<output>[\w.-]+) -->"
                    r"(?P<nl>\n?)(?P<body>.*?)<!-- /amem:render -->", re.DOTALL)


@dataclass
class Block:
    path: Path
    study: str
    output: str
    body: str
    inline: bool = False


def _shape(text: str, inline: bool) -> str:
    return text.strip() if inline else text


def readme_files(root: Path = REPO_ROOT) -> list[Path]:
    files = [root / "README.md", root / "results" / "README.md"]
    files += sorted((root / "results").glob("*/README.md"))
    return [f for f in files if f.exists()]


def blocks(path: Path) -> list[Block]:
    return [Block(path, m["study"], m["output"], m["body"], not m["nl"])
            for m in MARKER.finditer(path.read_text())]


def fresh_markdown(study_id: str, output: str, cache: dict | None = None, out: Path | None = None) -> str:
    """The Markdown of one table or text output, rendered now from the stored records."""
    from amem.studies.data import import_study_modules
    from amem.studies.render import render_output
    from amem.studies.spec import find_study
    from amem.studies.tables import Table

    key = (study_id, output, str(out))
    if cache is not None and key in cache:
        return cache[key]
    study = find_study(study_id)
    import_study_modules(study)
    matches = [o for o in study.outputs if o.name == output]
    special = _reproduction_output(study, output, out)
    if special is not None:
        if cache is not None:
            cache[key] = special
        return special
    if not matches:
        raise AmemError(f"README marker names output {output!r}, which study {study_id} lacks")
    result, _ = render_output(study, matches[0], out)
    if isinstance(result, Table):
        text = result.to_markdown()
    elif isinstance(result, str):
        text = result if result.endswith("\n") else result + "\n"
    else:
        raise AmemError(f"README marker: output {output!r} of {study_id} is a figure; markers take "
                        "tables and texts")
    if cache is not None:
        cache[key] = text
    return text


def _reproduction_output(study, output: str, out: Path | None) -> str | None:
    """The Markdown of a reproduction study's conformance (``references``) or cost table."""
    if not study.reproduction or output not in ("references", "cost"):
        return None
    from amem.studies.conformance import conformance_table
    from amem.studies.reproduction import assess, cost_table

    repro = assess(study, out)
    table = cost_table(repro) if output == "cost" else conformance_table(study, out, repro=repro)[0]
    return table.to_markdown()


def update_file(path: Path, study_id: str | None = None, cache: dict | None = None) -> list[str]:
    """Rewrite the blocks (of ``study_id``, or all) with fresh renders; return what changed.
    Blocks whose records are not present are left as they are."""
    from amem.studies.data import RecordsMissing

    cache = {} if cache is None else cache
    text = path.read_text()
    changed = []

    def replace(m):
        if study_id is not None and m["study"] != study_id:
            return m[0]
        try:
            body = _shape(fresh_markdown(m["study"], m["output"], cache), not m["nl"])
        except RecordsMissing:
            return m[0]
        if body != m["body"]:
            changed.append(f"{path}: {m['study']}/{m['output']}")
        return (f"<!-- amem:render study={m['study']} output={m['output']} -->{m['nl']}{body}"
                "<!-- /amem:render -->")

    new = MARKER.sub(replace, text)
    if new != text:
        path.write_text(new)
    return changed


def stale_blocks(paths: list[Path] | None = None) -> tuple[list[str], list[str]]:
    """(blocks that differ from a fresh render, blocks skipped because records are missing)."""
    from amem.studies.data import RecordsMissing

    cache: dict = {}
    stale, skipped = [], []
    for path in paths if paths is not None else readme_files():
        for b in blocks(path):
            try:
                body = _shape(fresh_markdown(b.study, b.output, cache), b.inline)
            except RecordsMissing as err:
                skipped.append(f"{path}: {b.study}/{b.output}: {err}")
                continue
            if body != b.body:
                stale.append(f"{path}: {b.study}/{b.output} differs from a fresh render; run "
                             f"`python -m amem.bench study render {b.study}`")
    return stale, skipped


def skeleton(study, command: str | None = None) -> str:
    """A README to start a results folder from: what the study is, the command that makes it,
    each figure linked and each table or text in an (empty) rendered block that ``study render``
    fills. An output's kind is read from its sidecar when it has been rendered, else a renderer
    named ``*_figure`` draws a figure."""
    import json

    from amem.studies.render import SIDECAR_SUFFIX

    source = study.source
    try:
        source = source.relative_to(REPO_ROOT)
    except ValueError:
        pass
    lines = [f"# {study.title}", "", study.description, "",
             f"Written by the study `{study.id}` (`{source}`):", "", "```bash",
             f"python -m amem.bench study run {study.id}      # what is missing, then render",
             f"python -m amem.bench study render {study.id}   # outputs and these blocks again"]
    if command:
        lines.append(f"# the same as: {command}")
    lines += ["```", ""]
    for output in study.outputs:
        sidecar = study.out / f"{output.name}{SIDECAR_SUFFIX}"
        kind = (json.loads(sidecar.read_text()).get("kind") if sidecar.exists()
                else "figure" if output.make.endswith("_figure") else None)
        title = output.caption or output.description or output.name
        if kind == "figure":
            lines += [f"{title}: [{output.name}.png]({output.name}.png) "
                      f"([PDF]({output.name}.pdf)).", ""]
        else:
            lines += [f"{title}:", "", f"<!-- amem:render study={study.id} output={output.name} -->",
                      "<!-- /amem:render -->", ""]
    return "\n".join(lines)
