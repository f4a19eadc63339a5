"""``python -m amem.bench search-goal``: search the goal space of the infomorphic network.

Modes (all share ``--dir``'s record store, so no (goal, seed, P) is ever trained twice):

* default: an Optuna search (``--sampler cmaes|tpe|random``) over the box [-1, 1]^5 of goal
  weights (``--with-hyper``: also external weight, learning rate, binning), ``--trials K``
  trials asked ``--batch B`` at a time, each measured in ``--fidelity`` steps of seeds with a
  pruner; the study is kept in ``--storage`` (default SQLite ``DIR/optuna.db``), so rerunning the
  same command resumes a killed search;
* ``--grid 3|5``: the 3^5 sub-grid or the paper's 5^5 grid (Fig. 4), ``--seeds`` per goal;
* ``--slice redundancy|gamma-i|gamma-ii``: the paper's (γ_unq,R, γ_syn) slice around a goal;
* ``--goal G`` (repeatable): measure given goals (e.g. the best found, with 20 fresh seeds);
* ``--render``: with ``--grid``/``--slice``, only redraw the figures from the records.

Every mode ends with its cost: network-epochs trained, wall and CPU seconds (also in
``DIR/cost.json``, per context and session).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from amem.bench.outdir import check_out_dir
from amem.errors import AmemError

DEFAULT_DIR = "amem-search"


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Options of ``search-goal``."""
    from amem.search.goals import SLICE_BASES
    from amem.search.optimize import PRUNERS, SAMPLERS

    p.add_argument("--dir", default=DEFAULT_DIR, help=f"search directory: records, optuna.db, "
                   f"ledger, cost.json, figures (default: {DEFAULT_DIR})")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--grid", type=int, choices=(3, 5), help="measure the 3^5 or 5^5 goal grid")
    mode.add_argument("--slice", dest="slice_base", choices=tuple(SLICE_BASES),
                      help="measure the paper's (γ_unq,R, γ_syn) slice around this goal")
    mode.add_argument("--goal", action="append", metavar="G",
                      help="measure this goal (name or 5 comma-separated weights), repeatable")
    p.add_argument("--render", action="store_true",
                   help="with --grid/--slice: only render the figures from the records")
    p.add_argument("--write-study", metavar="FILE",
                   help="with --grid/--slice: write the goal set as a study file for `study run` "
                        "(its records folder is DIR/records, shared with search-goal) and exit")
    p.add_argument("--slice-step", type=float, default=0.1, help="slice step (default 0.1: 21 x 21)")
    # the search
    p.add_argument("--sampler", choices=SAMPLERS, default="cmaes", help="Optuna sampler (default cmaes)")
    p.add_argument("--trials", type=int, default=50, help="finished trials the study should reach (default 50)")
    p.add_argument("--batch", type=int, default=8,
                   help="goals asked and measured together (default 8); grids: goals per chunk (default 8)")
    p.add_argument("--fidelity", default="2,6", metavar="K1,K2,...",
                   help="seeds after each pruning step, increasing (default 2,6)")
    p.add_argument("--pruner", choices=PRUNERS, default="median",
                   help="median (default): stop a goal below the median of finished goals at "
                        "the same seed count; halving: Optuna's asynchronous successive halving "
                        "(reduction factor 3); none")
    p.add_argument("--with-hyper", action="store_true",
                   help="search external_weight, lr and binning along with the goal")
    p.add_argument("--hyper-binning", default=None, metavar="B1,B2",
                   help="with --with-hyper: the binnings the search may pick (default "
                        "fixed,adaptive,soft; soft trains about 5x slower)")
    p.add_argument("--cmaes-start", default=None, metavar="G",
                   help="with --sampler cmaes: the goal the CMA-ES distribution starts at (a name "
                        "or 5 weights, e.g. a grid's best goal; default the box's centre)")
    p.add_argument("--cmaes-sigma", type=float, default=None, metavar="S",
                   help="with --sampler cmaes: its initial step size in units of the box's width "
                        "(Optuna's CMA-ES works on the unit box: 0.15 is 0.3 in each goal weight; "
                        "default Optuna's, 1/6)")
    p.add_argument("--storage", default=None, metavar="URL",
                   help="Optuna storage, any SQLAlchemy URL (default sqlite:///DIR/optuna.db)")
    p.add_argument("--study-name", default=None, help="default: goal-<sampler>[-hyper]")
    p.add_argument("--seed", type=int, default=0, help="sampler seed (default 0)")
    # the objective
    p.add_argument("--seeds", type=int, default=6, help="seeds per goal for --grid/--slice/--goal (default 6)")
    p.add_argument("--seed-start", type=int, default=0, help="first seed (default 0)")
    p.add_argument("--n", type=int, default=100, help="number of units N (default 100)")
    p.add_argument("--protocol", choices=("bisect", "grid"), default="bisect",
                   help="bisect: bisection on P in --alphas; grid: the paper's optimisation grid "
                        "(step 0.05) with stop at the first failure")
    p.add_argument("--alphas", default="0.2:2.0", metavar="LOW:HIGH",
                   help="load range (default 0.2:2.0, the paper's optimisation grid)")
    p.add_argument("--max-alpha", type=float, default=4.0,
                   help="bisection may extend the range up to this load (default 4)")
    p.add_argument("--bisect-rtol", type=float, default=0.0, help="bisection tolerance (default 0)")
    p.add_argument("--param", action="append", metavar="KEY=VALUE",
                   help="fixed infomorphic parameter (e.g. binning=soft, epochs=2000), repeatable")
    p.add_argument("--executor", choices=("inline", "process", "dask"), default="inline",
                   help="where trials run (default inline)")
    p.add_argument("--workers", type=int, default=None, help="processes (--executor process)")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS", help="Dask scheduler to join")
    p.add_argument("--no-render", action="store_true", help="grids/slices: skip the figures")
    p.add_argument("--allow-mixed-code", action="store_true",
                   help="use a DIR whose records other code made (they are kept, not reused)")


def _objective_config(args):
    from amem.bench.args import parse_params
    from amem.search.objective import ObjectiveConfig

    parts = args.alphas.split(":")
    try:
        low, high = (float(x) for x in parts)
    except ValueError:
        raise AmemError(f"--alphas {args.alphas!r} must be LOW:HIGH, e.g. 0.2:2.0") from None
    params = parse_params(args.param, ["infomorphic"])["infomorphic"]
    config = ObjectiveConfig(n_units=args.n, protocol=args.protocol, alpha_low=low,
                             alpha_high=high, max_alpha=args.max_alpha, rtol=args.bisect_rtol,
                             params=params, seed_start=args.seed_start)
    config.validate()
    return config


def _fidelities(text: str) -> list[int]:
    try:
        steps = [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise AmemError(f"--fidelity {text!r} must be seed counts like 2,6,20") from None
    if not steps or steps[0] < 1 or any(b <= a for a, b in zip(steps, steps[1:])):
        raise AmemError(f"--fidelity {text!r} must be increasing seed counts >= 1, like 2,6,20")
    return steps


def _check(args) -> None:
    for name in ("trials", "batch", "seeds"):
        if getattr(args, name) < 1:
            raise AmemError(f"--{name} {getattr(args, name)} must be at least 1")
    for flag, value in (("--render", args.render), ("--write-study", args.write_study)):
        if value and args.grid is None and args.slice_base is None:
            raise AmemError(f"{flag} needs --grid or --slice")
    if args.with_hyper and (args.grid is not None or args.slice_base is not None or args.goal):
        raise AmemError("--with-hyper applies to the search only; pass fixed values with --param")
    if args.cmaes_start is not None or args.cmaes_sigma is not None:
        if args.sampler != "cmaes" or args.with_hyper:
            raise AmemError("--cmaes-start/--cmaes-sigma shape the CMA-ES sampler over the goal "
                            "box: use them with --sampler cmaes and without --with-hyper")
        if args.cmaes_sigma is not None and not args.cmaes_sigma > 0:
            raise AmemError(f"--cmaes-sigma {args.cmaes_sigma} must be positive, e.g. 0.2")
        if args.cmaes_start is not None:
            from amem.search.goals import parse_goal_text

            if any(abs(g) > 1 for g in parse_goal_text(args.cmaes_start)):
                raise AmemError(f"--cmaes-start {args.cmaes_start} lies outside the box [-1, 1]^5; "
                                "scale it (under Adam a goal's direction is what matters)")
    if args.hyper_binning is not None:
        from amem.search.optimize import parse_binnings

        if not args.with_hyper:
            raise AmemError(f"--hyper-binning {args.hyper_binning} needs --with-hyper (a fixed "
                            "binning is --param binning=...)")
        parse_binnings(args.hyper_binning)


def run(args, executor=None) -> int:
    """Search the goal space (Optuna), measure the paper's goal grids and slices, or given goals."""
    from amem.harness.executors import make_executor
    from amem.search.ledger import Ledger, format_cost, write_cost_file
    from amem.search.objective import CapacityObjective

    _check(args)
    config = _objective_config(args)
    fidelities = _fidelities(args.fidelity)
    directory = check_out_dir(args.dir, "--dir")
    log = lambda message: print(message, flush=True)  # noqa: E731
    if args.render:
        return _render(args, config, directory, log)
    if args.write_study:
        return _write_study(args, config, directory, log)
    directory.mkdir(parents=True, exist_ok=True)
    context = _context(args)
    ledger = Ledger(directory, context)
    own_executor = executor is None  # `study run` lends its executor and closes it itself
    try:
        if own_executor:
            executor = make_executor(args.executor, args.workers, args.scheduler)
        objective = CapacityObjective(config, directory, executor, ledger, log,
                                      allow_mixed_code=args.allow_mixed_code)
        if args.grid is not None or args.slice_base is not None:
            _run_goal_set(args, objective, log)
        elif args.goal:
            _run_goals(args, objective, log)
        else:
            _run_search(args, objective, fidelities, log)
    except KeyboardInterrupt:
        if own_executor and executor is not None:
            executor.close()
        ledger.checkpoint()
        write_cost_file(directory)
        print(f"\ninterrupted: finished trials are saved in {directory}/records; rerun the same "
              "command to resume", file=sys.stderr)
        return 130
    finally:
        if own_executor and executor is not None:
            executor.close()
    totals = ledger.checkpoint(final=True)
    needed = _needed(args, objective, context)
    write_cost_file(directory, {context: needed} if needed else None)
    log(f"cost of this run ({context}): {format_cost(totals)}; all runs: {directory}/cost.json")
    if needed:
        log(f"needed by {context} in all (trained here or before): "
            f"{needed['network_epochs']:,} network-epochs in {needed['trials']:,} trials")
    return 0


def _needed(args, objective, context) -> dict | None:
    """What the goals of this context cost to measure, whoever trained them (see ledger)."""
    from amem.search.ledger import needed_cost
    from amem.search.objective import Candidate

    seeds = objective.config.seeds
    if args.grid is not None or args.slice_base is not None:
        from amem.search.grid import goal_set

        goals = goal_set(args.grid, args.slice_base, args.slice_step)[1]
        pairs = {(tuple(Candidate.make(g).goal), s) for g in goals for s in seeds(args.seeds)}
    elif args.goal:
        return None
    else:
        import optuna

        study = optuna.load_study(study_name=_study_name(args), storage=storage_url(args))
        pairs = set()
        for t in study.get_trials(deepcopy=False):
            goal, caps = t.user_attrs.get("goal"), t.user_attrs.get("capacities")
            if goal is not None and caps is not None:
                pairs |= {(tuple(goal), s) for s in seeds(len(caps))}
    return needed_cost([r for r in objective.store.load() if objective.stamp.made(r)], pairs)


def _context(args) -> str:
    if args.grid is not None:
        return f"grid-{args.grid}"
    if args.slice_base is not None:
        return f"slice-{args.slice_base}"
    if args.goal:
        return "measure"
    return _study_name(args)


def _study_name(args) -> str:
    return args.study_name or f"goal-{args.sampler}" + ("-hyper" if args.with_hyper else "")


def study_name(args) -> str:
    """The Optuna study name of a search (``--study-name``, else ``goal-<sampler>[-hyper]``)."""
    return _study_name(args)


def storage_url(args) -> str:
    """The Optuna storage of a search (``--storage``, else SQLite ``DIR/optuna.db``)."""
    return args.storage or f"sqlite:///{Path(args.dir).resolve() / 'optuna.db'}"


def search_space(args):
    from amem.search.optimize import SearchSpace

    return SearchSpace(with_hyper=args.with_hyper, binning=args.hyper_binning)


def search_settings(args, objective_config, fidelities) -> dict:
    """What a search's Optuna study stores as ``amem_settings`` (a rerun must match it)."""
    out = {"objective": objective_config.to_json(), "space": search_space(args).to_json(),
           "fidelity": fidelities, "sampler": args.sampler, "pruner": args.pruner}
    # only when set: studies started without them keep their stored settings
    if getattr(args, "cmaes_start", None) is not None:
        out["cmaes_start"] = _cmaes_start(args)
    if getattr(args, "cmaes_sigma", None) is not None:
        out["cmaes_sigma"] = args.cmaes_sigma
    return out


def _cmaes_start(args) -> list[float] | None:
    from amem.search.goals import parse_goal_text

    return None if args.cmaes_start is None else parse_goal_text(args.cmaes_start)


def _run_search(args, objective, fidelities, log) -> None:
    import optuna

    from amem.search.optimize import (
        best_trial,
        cmaes_first_goal,
        finished_count,
        make_pruner,
        make_sampler,
        open_study,
        run_study,
    )

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    storage = storage_url(args)
    space = search_space(args)
    name = _study_name(args)
    settings = search_settings(args, objective.config, fidelities)
    # a resumed run must not replay the sampler's random stream from the start
    probe = open_study(storage, name, None, None, settings)
    seed = args.seed + len(probe.trials)
    study = open_study(storage, name, make_sampler(args.sampler, seed, _cmaes_start(args),
                                                   args.cmaes_sigma),
                       make_pruner(args.pruner, fidelities), settings)
    already = finished_count(study)
    log(f"study {name} in {storage}: {already} of {args.trials} trials finished; sampler "
        f"{args.sampler}, pruner {args.pruner}, fidelity {fidelities} seeds, N={args.n}, "
        f"protocol {args.protocol}")
    first = cmaes_first_goal(_cmaes_start(args)) if args.sampler == "cmaes" else None
    run_study(study, objective, space, args.trials, args.batch, fidelities, log, first)
    best = best_trial(study)
    if best is not None:
        goal = best.user_attrs.get("goal")
        hyper = {k: v for k, v in best.params.items() if not k.startswith("g_")}
        log(f"best: alpha_c {best.value:.3f} over {fidelities[-1]} seeds, trial {best.number}, "
            f"goal {goal}" + (f" {hyper}" if hyper else ""))


def _run_goals(args, objective, log) -> None:
    from amem.harness.criteria import bootstrap_ci
    from amem.search.goals import parse_goal_text
    from amem.search.objective import Candidate

    candidates = [Candidate.make(parse_goal_text(g)) for g in args.goal]
    results = objective.evaluate(candidates, args.seeds)
    for r in results:
        lo, hi = bootstrap_ci(r.capacities)
        log(f"{r.candidate.label()}: alpha_c mean {r.mean:.3f} [95% CI {lo:.3f}, {hi:.3f}], "
            f"median {r.median:.3f}, {len(r.seeds)} seeds (from {r.seeds[0]})")


def _run_goal_set(args, objective, log) -> None:
    from amem.search.grid import goal_set, measure_goals

    name, goals = goal_set(args.grid, args.slice_base, args.slice_step)
    log(f"{name}: {len(goals)} goals x {args.seeds} seeds, N={args.n}, protocol {args.protocol}")
    measure_goals(objective, goals, args.seeds, args.batch, log)
    if not args.no_render:
        _render(args, objective.config, Path(args.dir), log)


def _write_study(args, config, directory: Path, log) -> int:
    from amem.records.store import atomic_write_text
    from amem.search.studydef import goal_study_toml

    if config.protocol != "bisect" or config.rtol or config.seed_start:
        raise AmemError("--write-study writes the bisection protocol from seed 0; drop "
                        "--protocol grid, --bisect-rtol and --seed-start")
    import os

    path = Path(args.write_study)
    # a study file's relative ``out`` is read from the file's folder: point it at DIR
    out = os.path.relpath(directory.resolve(), path.resolve().parent)
    text = goal_study_toml(args.grid, args.slice_base, seeds=args.seeds, n_units=config.n_units,
                           alphas=(config.alpha_low, config.alpha_high),
                           max_alpha=config.max_alpha, out=out, params=config.params,
                           slice_step=args.slice_step)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, text)
    log(f"wrote {path}: run it with `python -m amem.bench study run {path}` (records in "
        f"{directory}/records, shared with search-goal --dir {directory})")
    return 0


def _render(args, config, directory: Path, log) -> int:
    from amem.search.goals import SLICE_BASES
    from amem.search.grid import goal_cells, goal_set, write_cells
    from amem.search.objective import CapacityObjective
    from amem.search.render import render_grid, render_slice

    if not (directory / "records").exists():
        raise AmemError(f"{directory} holds no records; run search-goal --dir {directory} first")
    name, goals = goal_set(args.grid, args.slice_base, args.slice_step)
    objective = CapacityObjective(config, directory, allow_mixed_code=args.allow_mixed_code)
    cells = goal_cells(objective, goals, args.seeds)
    write_cells(directory / f"{name}.json", name, cells, config.to_json())
    if args.grid is not None:
        fig = render_grid(cells, title=f"{name}: α_c (median) / seeds, N={config.n_units}")
    else:
        fig = render_slice(cells, SLICE_BASES[args.slice_base])
    for ext in ("png", "pdf"):
        fig.savefig(directory / f"{name}.{ext}", dpi=150)
    measured = sum(1 for c in cells if c["n_seeds"])
    log(f"wrote {directory}/{name}.json and {name}.png/.pdf ({measured} of {len(cells)} goals "
        "measured)")
    return 0
