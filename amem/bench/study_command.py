"""``python -m amem.bench study list | run ID | render ID | check [ID ...]``: studies.

A study (``amem/studies/defs/*.toml``, or any ``path/to/file.toml``) names the sweeps behind a
figure or table, the renderers that draw it and the published values it is held against.
``run`` does what is missing (resumable, any executor) and renders; ``render`` rebuilds every
output from the stored records; ``check`` renders into a temporary folder and compares.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from amem.bench.outdir import check_out_dir
from amem.errors import AmemError

QUICK_DIR = "amem-quick"  # --quick runs go to ./amem-quick/<study id> unless --out says otherwise


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="study_command", required=True,
                                metavar="list|run|status|readme|render|check")
    sub.add_parser("list", help="every shipped study, its folder and sweeps")
    run = sub.add_parser("run", help="run what is missing of a study, then render it")
    run.add_argument("study", help="study id (see `study list`) or path/to/study.toml")
    run.add_argument("--only", action="append", metavar="SWEEP",
                     help="run only these sweeps (repeatable or comma-separated)")
    run.add_argument("--executor", choices=("inline", "process", "dask"), default="inline",
                     help="where trials run (records are identical whichever runs them)")
    run.add_argument("--workers", type=int, default=None, help="processes or Dask workers")
    run.add_argument("--scheduler", default=None, metavar="ADDRESS", help="Dask scheduler address")
    run.add_argument("--no-render", action="store_true", help="run the sweeps only")
    run.add_argument("--no-progress", action="store_true", help="no progress bars")
    status = sub.add_parser("status", help="what is finished and what is missing (runs nothing)")
    readme = sub.add_parser("readme", help="print a README to start the study's folder from")
    readme.add_argument("study", help="study id or path/to/study.toml")
    readme.add_argument("--write", action="store_true",
                        help="write it as README.md in the study's folder (never over one)")
    for p in (run, sub.add_parser("render", help="rebuild every output from the stored records"),
              status):
        if p is not run:
            p.add_argument("study", help="study id or path/to/study.toml")
        p.add_argument("--quick", action="store_true",
                       help=f"reduced sizes (few seeds, the smallest N, fewer loads): checks the "
                            f"pipeline, not the numbers; writes to ./{QUICK_DIR}/ID unless --out")
        p.add_argument("--out", default=None, metavar="DIR",
                       help="records and outputs go here instead of the study's folder")
        p.add_argument("--import", dest="imports", action="append", metavar="MODULE",
                       help="import MODULE first (registers your models), repeatable")
    check = sub.add_parser("check", help="render into a temporary folder and compare with the "
                                         "committed outputs (all studies when no ID)")
    check.add_argument("studies", nargs="*", metavar="ID", help="study ids or .toml paths")
    check.add_argument("--import", dest="imports", action="append", metavar="MODULE",
                       help="import MODULE first, repeatable")


def run(args: argparse.Namespace) -> int:
    """Studies: a figure or table from its sweeps; list, run, render and check them."""
    try:
        from amem.bench.cli import import_plugins

        import_plugins(getattr(args, "imports", None))
        return COMMANDS[args.study_command](args)
    except AmemError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


def _list(args) -> int:
    from amem.studies.spec import REPO_ROOT, list_studies

    for study in list_studies():
        try:
            where = study.out.relative_to(REPO_ROOT)
        except ValueError:
            where = study.out
        inputs = f"{len(study.sweeps)} sweeps" + (", a goal search" if study.search else "")
        print(f"{study.id:<24} {where!s:<30} {inputs}, "
              f"{len(study.outputs)} outputs, {len(study.references)} references")
        print(f"{'':<24} {study.title}")
    return 0


def _out(args, study) -> Path | None:
    if args.out:
        return check_out_dir(args.out).resolve()
    if args.quick:
        return (Path.cwd() / QUICK_DIR / study.id).resolve()
    return None


def _run(args) -> int:
    from amem.bench.args import split_list
    from amem.harness.executors import make_executor
    from amem.studies.runner import run_study
    from amem.studies.spec import find_study

    study = find_study(args.study)
    only = split_list(args.only) or None
    out = _out(args, study)
    executor = make_executor(args.executor, args.workers, args.scheduler)
    try:
        run_study(study, only=only, executor=executor, quick=args.quick, out=out,
                  progress=not args.no_progress, argv=sys.argv)
    except KeyboardInterrupt:
        executor.close()
        print(f"\ninterrupted: finished trials are saved; rerun `study run {args.study}` to resume",
              file=sys.stderr)
        return 130
    finally:
        executor.close()
    if args.no_render or only:
        return 0
    return _render_into(study, out, args.quick)


def _status(args) -> int:
    from amem.studies.runner import sweep_status
    from amem.studies.spec import find_study

    study = find_study(args.study)
    out = _out(args, study)
    if study.search is not None:
        from amem.bench.search_study import status_lines

        print("\n".join(status_lines(study, out, args.quick)))
    for s in sweep_status(study, out, args.quick):
        if study.search is not None and s.name == study.search.name:
            continue
        state = "finished" if s.missing == 0 else f"{s.missing} of {s.total} to run"
        print(f"{s.name}: {state}; {s.records} records in {s.directory}")
    return 0


def _readme(args) -> int:
    from amem.studies.readme import skeleton
    from amem.studies.spec import find_study

    study = find_study(args.study)
    command = None
    if study.search is not None:
        from amem.bench.search_study import equivalent_command

        command = equivalent_command(study)
    text = skeleton(study, command)
    if not args.write:
        print(text, end="")
        return 0
    path = study.out / "README.md"
    if path.exists():
        raise AmemError(f"{path} exists; edit it, or print a fresh one without --write")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    print(f"wrote {path}; run `python -m amem.bench study render {study.id}` to fill its blocks")
    return 0


def _render(args) -> int:
    from amem.studies.spec import find_study

    study = find_study(args.study)
    return _render_into(study, _out(args, study), args.quick)


def _render_into(study, out, quick) -> int:
    from amem.studies.render import render_study

    rendered = render_study(study, out=out, quick=quick)
    where = out or study.out
    for r in rendered:
        print(f"wrote {where}/{', '.join(r.files)}")
    print(f"wrote {where}/index.html")
    if out is None and not quick:
        from amem.studies.readme import readme_files, update_file

        cache: dict = {}
        for path in readme_files():
            for change in update_file(path, study.id, cache):
                print(f"updated {change}")
    return 0


def _check(args) -> int:
    from amem.studies.check import check_study
    from amem.studies.spec import find_study, list_studies

    studies = [find_study(s) for s in args.studies] if args.studies else list_studies()
    failed = 0
    for study in studies:
        result = check_study(study)
        print(f"{study.id}: {result.status}")
        for message in result.messages:
            print(f"  {message}")
        failed += result.status == "failed"
    if not args.studies:
        from amem.studies.readme import stale_blocks

        stale, skipped = stale_blocks()
        for line in stale:
            print(f"README: {line}")
        for line in skipped:
            print(f"README (skipped, records not present): {line}")
        failed += bool(stale)
    if failed:
        print(f"study check: {failed} failed", file=sys.stderr)
        return 1
    return 0


COMMANDS = {"list": _list, "run": _run, "status": _status, "readme": _readme, "render": _render,
            "check": _check}
