"""One self-contained HTML page per study (``index.html`` in its folder; opens from disk): its
figures, tables, reference values and provenance. Figures are linked by relative path."""

from __future__ import annotations

import html
import json
from pathlib import Path

from amem.studies.spec import Study

STYLE = ("body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em;color:#222}"
         "table{border-collapse:collapse;margin:1em 0}th,td{padding:.2em .6em}"
         "thead{border-top:2px solid #222;border-bottom:1px solid #222}"
         "tbody{border-bottom:2px solid #222}caption{caption-side:top;text-align:left;"
         "font-style:italic}.note{font-size:.85em;color:#555}pre{background:#f6f6f6;padding:.5em;"
         "overflow:auto}code{font-size:.9em}")


def write_page(study: Study, rendered, directory: Path, out: Path | None = None) -> Path:
    e = html.escape
    parts = [f"<!doctype html><html><head><meta charset=utf-8><title>{e(study.title)}</title>",
             f"<style>{STYLE}</style></head><body>", f"<h1>{e(study.title)}</h1>",
             f"<p>{e(study.description)}</p>",
             f"<p class=note>study <code>{e(study.id)}</code>: "
             f"<code>python -m amem.bench study run {e(study.id)}</code>, then "
             f"<code>study render {e(study.id)}</code>.</p>"]
    for r in rendered:
        parts.append(f"<h2 id=\"{e(r.name)}\">{e(r.name)}</h2>{r.html}")
        parts.append("<p class=note>files: " + ", ".join(
            f'<a href="{e(f)}">{e(f)}</a>' for f in r.files) + f"; records hash "
            f"<code>{e(r.sidecar['records']['hash'])}</code></p>")
    parts.append("<h2>Provenance</h2><table><thead><tr><th>sweep</th><th>folder</th>"
                 "<th>configurations run</th><th>last run by</th></tr></thead><tbody>")
    folders = [(s.name, study.sweep_dir(s, out)) for s in study.sweeps]
    if study.search is not None:
        from amem.studies.searches import search_dir

        folders.append((study.search.name, search_dir(study, out)))
    for name, folder in folders:
        entries = _config_log(folder, name)
        last = entries[-1]["provenance"] if entries else {}
        by = (f"amem {last.get('amem_version')}, commit {((last.get('git') or {}).get('id') or '')[:10]}, "
              f"{last.get('created_utc')}" if last else "–")
        parts.append(f"<tr><td>{e(name)}</td><td><code>{e(_relative(folder, directory))}"
                     f"</code></td><td>{len(entries)}</td><td>{e(by)}</td></tr>")
    parts.append("</tbody></table>")
    parts.append(f"<h2>Study file</h2><pre>{e(study.source.read_text())}</pre></body></html>\n")
    path = directory / "index.html"
    path.write_text("".join(parts))
    return path


def _config_log(folder: Path, sweep: str) -> list[dict]:
    from amem.studies.runner import CONFIG_LOG

    path = folder / CONFIG_LOG
    if not path.exists():
        return []
    out = []
    for line in path.read_text().splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if entry.get("sweep") == sweep:
            out.append(entry)
    return out


def _relative(path: Path, start: Path) -> str:
    import os

    try:
        return os.path.relpath(path, start)
    except ValueError:
        return str(path)
