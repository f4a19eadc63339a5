"""``python -m amem.bench reproduce STUDY [--quick] [--only ITEM] [--executor ...]``.

Runs what is missing of the sweeps behind the study's reference items (through the study runner:
resumable, any executor) and writes the conformance table: item, the paper's value with its
resolution, amem's value with its 95% CI and seeds, the verdict (one rule for every row, stated in
the caption) and a note. Printed as Markdown and written as ``conformance.md``, ``.tex`` and
``.json`` in the study's folder (``--out`` or ``./amem-quick/STUDY`` with ``--quick``).

A reproduction study (``reproduction = true``, e.g. blumel2025) runs every sweep (``--only``: the
items' sweeps), then renders every figure from whatever records exist (paths printed) and the
cost table ``cost.md``; its conformance table keeps every item: not run (with the command and
its projected cost) or provisional (measured on complete seeds). A sweep whose folder holds
another code's records is refused (the runner reuses only this code's records) and named; the
other sweeps still run, and the exit status is then 1.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from amem.bench.outdir import check_out_dir
from amem.errors import AmemError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("study", help="study id (e.g. blumel2025) or path/to/study.toml")
    parser.add_argument("--quick", action="store_true",
                        help="reduced sizes: checks the pipeline, not the numbers")
    parser.add_argument("--only", action="append", metavar="ITEM",
                        help="only these reference items (their ids; repeatable or comma-separated)")
    parser.add_argument("--out", default=None, metavar="DIR", help="records and table go here")
    parser.add_argument("--executor", choices=("inline", "process", "dask"), default="inline")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--scheduler", default=None, metavar="ADDRESS")
    parser.add_argument("--no-run", action="store_true", help="table from the stored records only")
    parser.add_argument("--no-progress", action="store_true")


def select(study, only: list[str] | None):
    """The study's references named by ``only`` (ids), or all; an unknown id is an AmemError."""
    if not only:
        return list(study.references)
    ids = [r.id for r in study.references]
    unknown = [i for i in only if i not in ids]
    if unknown:
        raise AmemError(f"--only {unknown[0]!r} is not an item of {study.id}; choose from "
                        f"{', '.join(ids)}")
    return [r for r in study.references if r.id in only]


def run(args: argparse.Namespace) -> int:
    """Reproduce a paper: run what is missing and write its conformance table."""
    # user errors (AmemError) become one line and exit 2 in amem.bench.cli.main, like every command
    import dataclasses
    import time

    from amem.bench.args import split_list
    from amem.bench.study_command import QUICK_DIR
    from amem.harness.executors import make_executor
    from amem.studies.conformance import conformance_table
    from amem.studies.runner import run_study
    from amem.studies.spec import find_study

    study = find_study(args.study)
    refs = select(study, split_list(args.only) or None)
    sweeps = sorted({s for r in refs for s in r.inputs}, key=[s.name for s in study.sweeps].index)
    if study.reproduction and not args.only:  # the whole paper: figure-only sweeps too
        sweeps = [s.name for s in study.sweeps]
    out = (check_out_dir(args.out).resolve() if args.out else
           (Path.cwd() / QUICK_DIR / study.id).resolve() if args.quick else None)
    t0 = time.perf_counter()
    refused: list[str] = []
    if not args.no_run and sweeps:
        executor = make_executor(args.executor, args.workers, args.scheduler)
        try:
            run_study(study, only=sweeps, executor=executor, quick=args.quick, out=out,
                      progress=not args.no_progress, argv=sys.argv,
                      refused=refused if study.reproduction else None)
        except KeyboardInterrupt:
            print("\ninterrupted: finished trials are saved; rerun to resume", file=sys.stderr)
            return 130
        finally:
            executor.close()
    chosen = dataclasses.replace(study, references=refs)
    where = out or study.out
    where.mkdir(parents=True, exist_ok=True)
    figures: list[Path] = []
    repro = None
    if study.reproduction:  # every figure from whatever records exist, and the cost table
        from amem.studies.render import render_study
        from amem.studies.reproduction import assess, rerun_notes

        repro = assess(study, out, args.quick)
        for r in render_study(study, out=out, quick=args.quick):
            if r.kind == "figure":
                figures += [where / f for f in r.files]
        repro = dataclasses.replace(repro, study=chosen)
        for line in rerun_notes(repro):
            print(f"note: {line}", file=sys.stderr)
    table, _, rows = conformance_table(chosen, out, args.quick, with_rows=True, repro=repro)
    quick_note = ("Quick run: reduced sizes, a check of the pipeline, not of the numbers. "
                  if args.quick else "")
    if study.reproduction:
        table.caption = quick_note + table.caption
        table.notes = [table.caption]
    else:
        from amem.studies.conformance import RESOLUTION_NOTE

        table.caption = f"{quick_note}{table.caption} {RESOLUTION_NOTE}"
    stem = "conformance" + ("" if not args.only else "-" + "-".join(r.id for r in refs)[:60])
    markdown = table.to_markdown() if table.notes else \
        f"{table.to_markdown().rstrip()}\n\n{table.caption}\n"
    (where / f"{stem}.md").write_text(markdown)
    (where / f"{stem}.tex").write_text(table.to_latex())
    (where / f"{stem}.json").write_text(json.dumps(
        {"study": study.id, "quick": args.quick, "caption": table.caption, "rows": rows,
         "wall_s": time.perf_counter() - t0}, indent=1, default=str) + "\n")
    print(markdown)
    for path in figures:
        print(f"wrote figure {path}")
    if study.reproduction:
        print(f"wrote {where}/cost.md, .tex (the cost of every item)")
    print(f"wrote {where}/{stem}.md, .tex, .json ({time.perf_counter() - t0:.0f} s)")
    for line in refused:  # the other sweeps ran; these need a new --out or their records moved
        print(f"error: not run: {line}", file=sys.stderr)
    return 1 if refused else 0
