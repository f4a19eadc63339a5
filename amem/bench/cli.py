"""``python -m amem.bench``: capacity sweeps, the model list and plots from saved results.

User mistakes print one line (``error: ...``) and exit with status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import sys
from collections.abc import Sequence
from pathlib import Path

from amem.bench.outdir import check_out_dir
from amem.errors import AmemError

DEFAULT_MODELS = "hebbian,modern,infomorphic"
DEFAULT_OUT = "amem-results"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2 (argparse would print the usage too)
        self.exit(2, f"error: {message} (see --help)\n")


# ------------------------------------------------------------------------ capacity
def add_capacity_arguments(p: argparse.ArgumentParser) -> None:
    from amem.bench.args import PAPER_ALPHAS, add_sweep_arguments
    from amem.patterns import CUE_KINDS

    add_sweep_arguments(p, default_models=DEFAULT_MODELS, default_n="100",
                        default_alphas=PAPER_ALPHAS, default_seeds=10, default_out=DEFAULT_OUT)
    p.add_argument("--noise", action="append", metavar="F",
                   help="cue noise: flip exactly round(F*N) bits; repeatable/comma list (default 0)")
    p.add_argument("--cue", choices=CUE_KINDS, default="flip",
                   help="flip: --noise bits flipped; partial: --noise bits unknown (random); "
                        "occlude: a block of --noise of the image hidden; occlude-side: --noise "
                        "of the rows/columns from a random side hidden (0.5: half the image); "
                        "salt-pepper: --noise pixels set to random +1/-1")
    p.add_argument("--patterns", default="random", metavar="ID",
                   help="pattern family (default random; see: python -m amem.bench list)")
    p.add_argument("--pattern-param", action="append", metavar="KEY=VALUE",
                   help="pattern family parameter, repeatable (e.g. bias=0.4, p=0.7, "
                        "direction=temporal, alpha_d=0.1); a bare number sets random's bias or "
                        "markov's p")
    p.add_argument("--update", choices=("sync", "async"), default=None,
                   help="update rule for every model that has both (default: each model's own)")
    p.add_argument("--max-steps", type=int, default=None, help="update sweeps per cue (default N)")
    p.add_argument("--search", choices=("grid", "bisect"), default="grid",
                   help="grid: every load in --alphas; bisect: largest stored P in --alphas LOW:HIGH")
    p.add_argument("--criterion", default="paper", help="criterion bisection searches on (paper, frac90, exact)")
    p.add_argument("--max-alpha", type=float, default=None,
                   help="bisection may extend the range up to this load (default 64 x HIGH)")
    p.add_argument("--bisect-rtol", type=float, default=0.0, metavar="R",
                   help="bisection stops when the bracket is within R*P (default 0: one pattern)")
    p.add_argument("--seed-start", type=int, default=0, help="first seed (seeds run seed-start..+K-1)")
    p.add_argument("--executor", choices=("inline", "process", "dask"), default="inline",
                   help="where trials run (records are identical whichever runs them)")
    p.add_argument("--workers", type=int, default=None, help="processes for --executor process (default: all cores)")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="Dask scheduler to join, e.g. tcp://host:8786 (--executor dask; default: "
                        "a local Dask cluster)")
    p.add_argument("--chunk-size", type=int, default=None, metavar="K",
                   help="trials per work unit (default: the model's preference, at most 16)")
    p.add_argument("--device", default=None, metavar="DEV",
                   help="torch device (cpu, cuda) for models that take one, checked against what each "
                        "accepts; part of the "
                        "trial parameters (default: each model's own)")
    p.add_argument("--import", dest="imports", action="append", metavar="MODULE",
                   help="import MODULE first (registers its models), repeatable")
    p.add_argument("--no-memory-check", action="store_true",
                   help="run even if the estimated peak memory exceeds what is free")
    p.add_argument("--allow-mixed-code", action="store_true",
                   help="run into an --out holding records of other code (another amem version, "
                        "changed sources, another model version): both stay, apart; this run "
                        "reuses only its own code's records to resume")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--no-plot", action="store_true", help="skip the figures")


def import_plugins(modules: list[str] | None) -> None:
    for name in modules or []:
        if not name.strip() or name.startswith("."):
            raise AmemError(f"--import {name!r} is not a module name; pass e.g. --import mypkg.models")
        try:
            importlib.import_module(name)
        except ImportError as err:
            raise AmemError(f"--import {name}: {err}") from None


def config_from_args(args):
    from amem.bench.args import (
        parse_alphas,
        parse_float,
        parse_params,
        parse_pattern_params,
        split_list,
        sweep_models,
        sweep_sizes,
    )
    from amem.harness.sweep import SweepConfig, apply_device, apply_update_rule

    import_plugins(args.imports)
    model_ids = sweep_models(args)
    if not model_ids:
        raise AmemError("no model to run; pass --model ID (see: python -m amem.bench list)")
    params = parse_params(args.param, model_ids)
    models = apply_update_rule([(m, params[m]) for m in model_ids], args.update)
    models = apply_device(models, check_device(args.device, args.executor))
    check_device_accepted(models, args.device)
    if args.device is not None and all("device" not in p for _, p in models):
        print(f"note: --device {args.device} ignored: none of the models takes a device",
              file=sys.stderr)
    noise = [parse_float(x, "--noise") for x in split_list(args.noise)] or [0.0]
    check_grid_alphas(args.alphas, args.search)
    config = SweepConfig(models=models, n_units=sweep_sizes(args), alphas=parse_alphas(args.alphas),
                         seeds=args.seeds, seed_start=args.seed_start, noise=noise, cue=args.cue,
                         patterns=args.patterns,
                         pattern_param=parse_pattern_params(args.patterns, args.pattern_param),
                         max_steps=args.max_steps, search=args.search, criterion=args.criterion,
                         max_alpha=args.max_alpha, bisect_rtol=args.bisect_rtol)
    config.validate()
    check_noise_flips(config.noise, config.n_units, args.cue)
    return config


def check_grid_alphas(text: str, search: str) -> None:
    """A grid given as LOW:HIGH would silently mean two loads: ask for the step."""
    parts = text.strip().split(":")
    if search == "grid" and len(parts) == 2:
        low, high = parts
        raise AmemError(f"--alphas {text} has no STEP: a grid needs START:STOP:STEP (e.g. "
                        f"{low}:{high}:0.05) or a list A,B,C; LOW:HIGH is for --search bisect")


def check_noise_flips(noise: list[float], sizes: list[int], cue: str) -> None:
    """A noise that flips round(F*N) = 0 bits would silently mean clean cues."""
    what = "flips" if cue == "flip" else "hides"
    for f in noise:
        for n in sizes:
            if f > 0 and round(f * n) == 0:
                raise AmemError(f"--noise {f:g} {what} round({f:g} x {n}) = 0 bits at N={n}, i.e. "
                                f"clean cues; use --noise >= {1 / n:.3g} (one bit) or 0")


def check_scheduler(address: str | None, executor: str) -> None:
    """``--scheduler`` needs ``--executor dask`` and an address with a port."""
    import re

    if address is None:
        return
    if executor != "dask":
        raise AmemError(f"--scheduler {address} needs --executor dask")
    if address.startswith("inproc://"):
        return
    if not re.fullmatch(r"(?:[a-z]+://)?(?:\[[0-9a-fA-F:.]+\]|[\w.-]+):\d{1,5}", address):
        raise AmemError(f"--scheduler {address!r} is not a scheduler address; pass HOST:PORT, "
                        "e.g. tcp://127.0.0.1:8786 (the address `dask scheduler` prints)")
    port = int(address.rsplit(":", 1)[1])
    if not 0 < port < 65536:
        raise AmemError(f"--scheduler {address}: port {port} is not in 1..65535")


def check_device_accepted(models, device: str | None) -> None:
    """Every model that takes a device must accept ``--device`` (one line naming both)."""
    from amem.registry import make

    for model_id, params in models:
        if device is not None and params.get("device") == device:
            try:
                make(model_id, **params)
            except AmemError as err:
                raise AmemError(f"--device {device} is not a device {model_id} runs on ({err})") \
                    from None


def check_device(device: str | None, executor: str) -> str | None:
    """A torch device string; CUDA must exist here unless trials run on a Dask cluster."""
    import re

    if device is None:
        return None
    if not re.fullmatch(r"cpu|cuda(:\d+)?|mps", device):
        raise AmemError(f"--device {device!r} is not a device; use cpu or cuda (what the models "
                        "here take)")
    if device.startswith("cuda") and executor != "dask":
        import torch

        if not torch.cuda.is_available():
            raise AmemError(f"--device {device}: torch finds no CUDA GPU here "
                            "(torch.cuda.is_available() is False); use --device cpu")
        index = int(device.partition(":")[2] or 0)
        if index >= torch.cuda.device_count():
            raise AmemError(f"--device {device}: only {torch.cuda.device_count()} CUDA device(s) here")
    return device


def concurrent_units(args) -> int | None:
    """Work units running at once on this machine (None: on a remote Dask cluster)."""
    from amem.harness.executors import available_cores

    if args.executor == "inline":
        return 1
    if args.executor == "dask" and args.scheduler:
        return None
    if args.workers is not None and args.workers < 1:
        raise AmemError(f"--workers {args.workers} must be at least 1")
    return args.workers or available_cores()


def check_memory(config, args) -> None:
    """Refuse, before anything runs or is written, a sweep that cannot fit in memory."""
    from amem.harness.memory_guard import check_sweep_memory

    workers = concurrent_units(args)
    if workers is not None and not args.no_memory_check:
        check_sweep_memory(config, workers, args.chunk_size,
                           log=lambda message: print(message, file=sys.stderr))


def cmd_capacity(args) -> int:
    """Measure retrieval against load and estimate memory capacity with confidence intervals."""
    from amem.harness.executors import make_executor
    from amem.harness.sweep import CodeStamp, refuse_other_code, run_sweep
    from amem.records.provenance import code_identity, provenance
    from amem.records.store import RecordStore, append_config

    config = config_from_args(args)
    if args.chunk_size is not None and args.chunk_size < 1:
        raise AmemError(f"--chunk-size {args.chunk_size} must be at least 1")
    out = check_out_dir(args.out)
    check_scheduler(args.scheduler, args.executor)
    check_memory(config, args)
    code = code_identity()  # once, before this run writes anything
    store = RecordStore(out)
    # refused before anything in the folder changes
    refuse_other_code(store.load(), CodeStamp.for_sweep(config, code), out, args.allow_mixed_code)
    run_provenance = provenance(getattr(args, "argv", None), code=code)
    append_config(out, {"argv": run_provenance["argv"], "config": config.to_json(),
                        "allow_mixed_code": args.allow_mixed_code, "provenance": run_provenance})
    executor = None
    try:
        executor = make_executor(args.executor, args.workers, args.scheduler)
        run_sweep(config, store, executor, progress=not args.no_progress,
                  chunk_size=args.chunk_size, log=lambda message: print(message, file=sys.stderr),
                  code=code, allow_mixed_code=args.allow_mixed_code)
    except KeyboardInterrupt:
        if executor is not None:
            executor.close()  # stop the workers before anything else
        done = len(store.load())
        print(f"\ninterrupted: {done} finished trials are saved in {out}/records.jsonl; rerun the "
              "same command to resume", file=sys.stderr)
        return 130
    finally:
        if executor is not None:
            executor.close()
    # the same records `plot DIR` summarises: everything in the folder (kept apart by code)
    summary = write_outputs(out, store.load(), plot=not args.no_plot, written_by=run_provenance,
                            plot_options={"criterion": config.criterion})
    from amem.harness.summary import format_table

    print(format_table(summary["capacities"], config.criterion))
    print(f"wrote {out}/trials.csv, {out}/summary.json" + ("" if args.no_plot else f", {out}/capacity.png/.pdf"))
    return 0


def write_outputs(out: Path, records: list[dict], plot: bool = True,
                  written_by: dict | None = None, plot_options: dict | None = None) -> dict:
    """``trials.csv``, ``summary.json`` and the figures of ``records`` (every record of ``out``,
    for ``capacity`` and ``plot`` alike), with the configurations of ``out/configs.jsonl``."""
    from amem.harness.summary import write_summary, write_trials_csv
    from amem.records.provenance import provenance
    from amem.records.store import load_configs

    if not records:
        raise AmemError(f"no finished trials in {out}; run `python -m amem.bench capacity --out {out}` first")
    write_trials_csv(records, out / "trials.csv")
    summary = write_summary(out / "summary.json", records, load_configs(out),
                            written_by or provenance())
    if plot:
        from amem.plots.capacity import write_plots

        write_plots(out, records, summary["capacities"], **(plot_options or {}))
    return summary


# ------------------------------------------------------------------------ list / plot
def add_list_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("pattern", nargs="?", default="*", help="glob over model ids")
    add_import_argument(p)


def add_import_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument("--import", dest="imports", action="append", metavar="MODULE",
                   help="import MODULE first (registers its models), repeatable")


def cmd_list(args) -> int:
    """List the registered models (built-in and plugins) with their parameters."""
    import inspect

    from amem.registry import list_models, model_class, spec

    import_plugins(args.imports)
    for model_id in list_models(args.pattern):
        s = spec(model_id)
        try:
            sig = inspect.signature(model_class(model_id).__init__)
            params = ", ".join(f"{n}={p.default!r}" for n, p in sig.parameters.items()
                               if n != "self" and p.default is not inspect.Parameter.empty)
        except AmemError as err:
            params = f"(unavailable: {err})"
        print(f"{model_id:<16} {s.description}")
        print(f"{'':<16} {params}")
    _list_pattern_families(args.pattern)
    return 0


def _list_pattern_families(pattern: str) -> None:
    """The pattern families (``--patterns``) with their parameters, after the models."""
    from amem.patterns import CUE_KINDS, family, list_families

    ids = list_families(pattern) if pattern != "*" else list_families()
    if not ids:
        return
    print("\npattern families (--patterns ID --pattern-param KEY=VALUE):")
    for family_id in ids:
        fam = family(family_id)
        params = ", ".join(f"{k}={v!r}" for k, v in fam.defaults.items()) or "(no parameters)"
        print(f"{family_id:<16} {fam.description}")
        print(f"{'':<16} {params}")
    print(f"\ncue kinds (--cue): {', '.join(CUE_KINDS)}")


def add_plot_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("dir", help="a --out directory of `capacity`")
    p.add_argument("--criterion", default="paper",
                   help="capacity criterion marked on the figures (paper, frac90, exact, all_exact)")
    p.add_argument("--metric", default="mean_overlap",
                   help="y axis: mean_overlap, frac_exact, frac_retrieved or frac_stable")
    p.add_argument("--models", action="append", metavar="ID",
                   help="only these models (repeatable or comma-separated)")
    p.add_argument("--sizes", action="append", metavar="N",
                   help="only these N (repeatable or comma-separated)")
    p.add_argument("--title", default=None, help="a title above the axes")
    p.add_argument("--format", default="png,pdf", metavar="FMT",
                   help="comma-separated figure formats: png, pdf, svg (default png,pdf)")


def plot_options_from_args(args) -> dict:
    """Validated options of ``plot`` for :func:`amem.plots.capacity.write_plots`."""
    from amem.bench.args import split_list
    from amem.harness.criteria import get_criterion
    from amem.plots.style import FORMATS

    get_criterion(args.criterion)
    metrics = ("mean_overlap", "frac_exact", "frac_retrieved", "frac_stable")
    if args.metric not in metrics:
        raise AmemError(f"--metric {args.metric!r} is not valid; choose one of {', '.join(metrics)}")
    formats = split_list([args.format])
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise AmemError(f"--format {args.format!r}: use a comma list of {', '.join(FORMATS)}")
    sizes = []
    for text in split_list(args.sizes):
        try:
            sizes.append(int(text))
        except ValueError:
            raise AmemError(f"--sizes {text!r} is not an integer number of units") from None
    return {"criterion": args.criterion, "metric": args.metric,
            "models": split_list(args.models) or None, "sizes": sizes or None,
            "title": args.title, "formats": tuple(dict.fromkeys(formats))}


def cmd_plot(args) -> int:
    """Rebuild trials.csv, summary.json and the figures from the records in DIR."""
    from amem.records.store import RecordStore

    options = plot_options_from_args(args)
    out = Path(args.dir)
    if not (out / "records.jsonl").exists():
        raise AmemError(f"{out} holds no records.jsonl; pass a directory written by `capacity --out`")
    write_outputs(out, RecordStore(out).load(), plot_options=options)
    print(f"wrote {out}/trials.csv, {out}/summary.json and figures "
          f"({', '.join(options['formats'])})")
    return 0


# ------------------------------------------------------------------------ main
COMMANDS = {
    "capacity": (add_capacity_arguments, cmd_capacity),
    "list": (add_list_arguments, cmd_list),
    "plot": (add_plot_arguments, cmd_plot),
}
#: Experiment commands living in their own modules (each exposes add_arguments and run).
EXTRA_COMMANDS = {"pid": "amem.bench.pid_command", "study": "amem.bench.study_command",
                  "compare": "amem.bench.compare_command",
                  "search-goal": "amem.bench.search_command",
                  "reproduce": "amem.bench.reproduce_command"}


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m amem.bench", description="amem benchmark commands")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name, (add_arguments, run) in COMMANDS.items():
        p = sub.add_parser(name, help=run.__doc__.splitlines()[0], description=run.__doc__)
        add_arguments(p)
        p.set_defaults(run=run)
    for name, module_name in EXTRA_COMMANDS.items():  # a broken command module fails loudly
        module = importlib.import_module(module_name)
        p = sub.add_parser(name, help=module.run.__doc__.splitlines()[0], description=module.run.__doc__)
        module.add_arguments(p)
        p.set_defaults(run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    _tolerant_output()
    parser = build_parser()
    args = parser.parse_args(argv)
    args.argv = ["python", "-m", "amem.bench", *(sys.argv[1:] if argv is None else argv)]
    with _one_line_warnings():
        try:
            return args.run(args)
        except AmemError as err:
            print(f"error: {err}", file=sys.stderr)
            return 2
        except KeyboardInterrupt:  # before or after a sweep (a sweep reports its own progress)
            print("\ninterrupted", file=sys.stderr)
            return 130
        except MemoryError:
            print("error: out of memory; lower --n or the top of --alphas (or use fewer "
                  "--workers)", file=sys.stderr)
            return 2
        except OSError as err:  # a folder or file the user named cannot be written or read
            where = f" {err.filename}" if err.filename else ""
            print(f"error: cannot use{where}: {err.strerror or err}; pass a path you can "
                  "write to", file=sys.stderr)
            return 2
        except SystemError as err:  # a Ctrl-C inside compiled (Numba) code
            from amem.harness.executors import is_interrupt

            if not is_interrupt(err):
                raise
            print("\ninterrupted", file=sys.stderr)
            return 130


def _tolerant_output() -> None:
    """A terminal that cannot show a character (the table's "\u2265" on a latin-1 console)
    gets a "?" instead of a UnicodeEncodeError traceback."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="replace")
        except (AttributeError, ValueError, OSError):
            pass


@contextlib.contextmanager
def _one_line_warnings():
    """Print amem's warnings (e.g. skipped corrupt records) as ``warning: ...``, no source line."""
    import warnings

    from amem.records.store import CorruptRecordsWarning

    previous = warnings.showwarning

    def show(message, category, filename, lineno, file=None, line=None):
        if issubclass(category, CorruptRecordsWarning) or filename.startswith(_AMEM_DIR):
            print(f"warning: {message}", file=sys.stderr)
        else:
            previous(message, category, filename, lineno, file, line)

    warnings.showwarning = show
    try:
        yield
    finally:
        warnings.showwarning = previous


_AMEM_DIR = str(Path(__file__).resolve().parent.parent)


if __name__ == "__main__":
    raise SystemExit(main())
