"""``study check``: render into a temporary folder and compare with the committed outputs.

Text outputs (Markdown, LaTeX) must match byte for byte; figures are compared by the data they
plot (the ``data`` of their sidecars), never by pixels; every sidecar must name the same records
(hash of their keys). A study whose records are not present yet (never run, or written by an
amem with another record format) is skipped with a message saying so; it does not fail.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from amem.studies.data import RecordsMissing, import_study_modules, load_sweep
from amem.studies.render import SIDECAR_SUFFIX, VOLATILE, render_study
from amem.studies.spec import Study


@dataclass
class CheckResult:
    study: str
    status: str  # ok, skipped or failed
    messages: list[str] = field(default_factory=list)


def check_study(study: Study) -> CheckResult:
    import_study_modules(study)
    needed = sorted({s for o in study.outputs for s in o.inputs}
                    | {s for r in study.references if r.measure for s in r.inputs})
    missing = []
    for name in needed:
        try:
            load_sweep(study, name)
        except RecordsMissing as err:
            missing.append(str(err))
    # a reproduction renders whatever has run; a partial study needs at least one sweep
    if missing and not study.reproduction and (not study.partial or len(missing) == len(needed)):
        return CheckResult(study.id, "skipped", [
            f"records of {len(missing)} of {len(needed)} sweeps not present (e.g. {missing[0]}); "
            f"run `python -m amem.bench study run {study.id}` to make them"])
    problems, notes = [], []
    if study.search is not None:  # its stored study against the file, its numbers against records
        from amem.studies.searches import check_search

        problems, notes = check_search(study)
    with tempfile.TemporaryDirectory(prefix=f"amem-check-{study.id}-") as tmp:
        fresh = Path(tmp)
        rendered = render_study(study, directory=fresh)
        for r in rendered:
            problems += compare_output(r.name, r.kind, r.files, fresh, study.out)
    return CheckResult(study.id, "failed" if problems else "ok", problems + notes)


def compare_output(name: str, kind: str, files: list[str], fresh: Path, committed: Path) -> list[str]:
    problems = []
    sidecar = committed / f"{name}{SIDECAR_SUFFIX}"
    if not sidecar.exists():
        return [f"{name}: {sidecar} is missing; run `study render` and commit the outputs"]
    old, new = _sidecar(sidecar), _sidecar(fresh / f"{name}{SIDECAR_SUFFIX}")
    if old.get("records") != new.get("records"):
        problems.append(f"{name}: made from other records than the committed output "
                        f"({old.get('records', {}).get('hash')} != {new['records']['hash']})")
    if kind == "figure":  # noqa: SIM102
        if old.get("data") != new.get("data"):
            problems.append(f"{name}: the figure plots other data than the committed one "
                            f"({first_difference(old.get('data'), new.get('data'))})")
    for f in files:
        if not (committed / f).exists():
            problems.append(f"{name}: {committed / f} is missing")
        elif kind != "figure" and (committed / f).read_bytes() != (fresh / f).read_bytes():
            problems.append(f"{name}: {committed / f} differs from a fresh render "
                            f"({_first_line_difference(committed / f, fresh / f)})")
    rest_old = {k: v for k, v in old.items() if k not in VOLATILE + ("data", "records")}
    rest_new = {k: v for k, v in new.items() if k not in VOLATILE + ("data", "records")}
    if rest_old != rest_new:
        problems.append(f"{name}: sidecar differs ({first_difference(rest_old, rest_new)})")
    return problems


def _sidecar(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except ValueError:
        return {}


def first_difference(a, b, where: str = "") -> str:
    """Where two JSON values first differ, e.g. ``axes[0].lines[1].xy[3][1]: 0.5 != 0.55``."""
    if type(a) is not type(b):
        return f"{where or 'value'}: {_short(a)} != {_short(b)}"
    if isinstance(a, dict):
        for k in sorted(set(a) | set(b)):
            if a.get(k) != b.get(k):
                return first_difference(a.get(k), b.get(k), f"{where}.{k}" if where else k)
    elif isinstance(a, list):
        if len(a) != len(b):
            return f"{where}: {len(a)} items != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            if x != y:
                return first_difference(x, y, f"{where}[{i}]")
    return f"{where or 'value'}: {_short(a)} != {_short(b)}"


def _short(v) -> str:
    text = json.dumps(v)
    return text if len(text) < 60 else text[:57] + "..."


def _first_line_difference(a: Path, b: Path) -> str:
    la, lb = a.read_text().splitlines(), b.read_text().splitlines()
    for i, (x, y) in enumerate(zip(la, lb), start=1):
        if x != y:
            return f"line {i}: {x!r} != {y!r}"
    return f"{len(la)} lines != {len(lb)} lines"
