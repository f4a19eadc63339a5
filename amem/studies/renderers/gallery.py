"""A recalled image beside its cue, for the best and the worst model of a recall sweep, replayed
from the sweep's records.

The records keep numbers, not states, so the picture replays one recorded trial per model with the
harness's own functions (:func:`amem.harness.sweep.record_trial`, :func:`build_model`,
:func:`trial_patterns`, :func:`trial_cues`; every random draw derives from the trial's identity)
and refuses to draw unless the replay gives the record's per-pattern agreements and mean final
overlap exactly: same seed, same numbers, or one clear error naming the trial.

Choice rule: per (model, params), the mean over the sweep's records (one per seed) of the trial's
mean final overlap; best is the highest, worst the lowest (ties: the first label in sorted order).
Shown: the trial of the lowest seed both models ran (so both rows share patterns and cue), its
first ``items`` patterns.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import numpy as np

from amem.errors import AmemError
from amem.records.schema import canonical
from amem.studies.renderers.capacity import merged, param_text

#: the rule the caption and the figure state (kept next to the code that applies it)
CHOICE_RULE = ("best and worst model: highest and lowest mean final overlap over the sweep's "
               "seeds; shown: the lowest seed's trial (same patterns and cue for both), "
               "replayed from its record")


class ReplayMismatch(AmemError):
    """A replayed trial does not give the numbers its record holds."""


@dataclass
class Replay:
    record: dict
    patterns: np.ndarray  # (P, N) stored patterns
    cues: np.ndarray  # (P, N) cues
    states: np.ndarray  # (P, N) final states
    agreement: np.ndarray  # (P,) state . pattern

    @property
    def overlaps(self) -> np.ndarray:
        return self.agreement / self.record["n_units"]

    @property
    def mean_overlap(self) -> float:
        return float(self.overlaps.mean())


def model_key(record: dict) -> tuple[str, str]:
    return record["model"], canonical(record["params"])


def model_label(key: tuple[str, str]) -> str:
    params = param_text(json.loads(key[1]))
    return f"{key[0]} ({params})" if params else key[0]


def mean_overlaps(rows: list[dict]) -> dict[tuple[str, str], float]:
    """(model, params json) -> mean over its records of the trial's mean final overlap."""
    groups: dict[tuple[str, str], list[float]] = {}
    for r in rows:
        groups.setdefault(model_key(r), []).append(r["mean_overlap"])
    return {k: float(np.mean(v)) for k, v in sorted(groups.items())}


def best_and_worst(rows: list[dict]) -> tuple[tuple[str, str], tuple[str, str]]:
    """The (model, params json) keys with the highest and the lowest mean final overlap (ties:
    the first in sorted order)."""
    means = mean_overlaps(rows)
    if len(means) < 2:
        raise AmemError(f"a best-and-worst gallery needs records of two models or more; these "
                        f"hold {[model_label(k) for k in means]}")
    best = min(means, key=lambda k: (-means[k], k))
    worst = min(means, key=lambda k: (means[k], k))
    return best, worst


def trial_text(record: dict) -> str:
    return (f"trial {record['key']} ({model_label(model_key(record))}, resolved params "
            f"{canonical(record.get('resolved_params'))}, N={record['n_units']}, "
            f"P={record['n_patterns']}, seed {record['seed']}, patterns {record['patterns']} "
            f"{canonical(record.get('pattern_param'))}, cue {record['cue']} {record['noise']:g})")


def replay(record: dict) -> Replay:
    """Rerun the recall trial ``record`` came from; raise :class:`ReplayMismatch` unless it gives
    the recorded resolved parameters, per-pattern agreements and mean final overlap."""
    from amem.harness.sweep import record_trial
    from amem.harness.trials import build_model, trial_cues, trial_patterns, with_model_version
    from amem.records.provenance import describe_code
    from amem.records.schema import jsonable
    from amem.registry import model_class

    if record.get("probe", "recall") != "recall":
        raise AmemError(f"{trial_text(record)} is a {record['probe']!r} probe; only recall "
                        "trials can be drawn")
    trial = with_model_version(record_trial(record))
    model = build_model(trial)
    resolved = jsonable(model.get_params())
    patterns = trial_patterns(trial)
    (model,) = model_class(trial.model).store_many([model], [patterns])
    cues = trial_cues(trial, patterns)
    states = np.asarray(model.recall(cues, max_steps=trial.max_steps).states)
    agreement = np.einsum("mi,mi->m", states.astype(np.int32), patterns.astype(np.int32))
    done = Replay(record, patterns, cues, states, agreement)
    recorded = (record.get("per_pattern") or {}).get("agreement")
    problems = []
    if record.get("resolved_params") is not None and resolved != record["resolved_params"]:
        problems.append(f"resolved params {canonical(resolved)}")
    if recorded is None:
        problems.append("the record holds no per-pattern agreement to compare with")
    elif agreement.tolist() != list(recorded):
        problems.append(f"per-pattern agreement {agreement.tolist()} (recorded {list(recorded)})")
    if not math.isclose(done.mean_overlap, record["mean_overlap"], rel_tol=1e-12, abs_tol=1e-12):
        problems.append(f"mean final overlap {done.mean_overlap!r} (recorded "
                        f"{record['mean_overlap']!r})")
    if problems:
        raise ReplayMismatch(f"replay of {trial_text(record)} does not reproduce its record: "
                             f"{'; '.join(problems)}; the record was made by "
                             f"{describe_code(record.get('code'))}")
    return done


@dataclass
class Gallery:
    sweep: str
    means: dict[tuple[str, str], float]
    seeds: dict[tuple[str, str], int]  # how many records each mean is over
    best: Replay
    worst: Replay
    items: int
    shape: tuple[int, int]


def gallery(records: dict[str, list[dict]], sweep: str | list[str] | None = None,
            items: int = 3) -> Gallery:
    """Choose best and worst model of a recall sweep and replay their shared trial.

    ``sweep``: one sweep, or several pooled (e.g. the infomorphic network's own sweep at the
    same setting); default: every input sweep, pooled. Pooled sweeps must hold one setting."""
    from amem.patterns import image_shape

    names = list(records) if sweep is None else [sweep] if isinstance(sweep, str) else list(sweep)
    sweep = names[0] + "".join(f" + {n}" for n in names[1:])
    rows = merged(records, names)
    loads = {(r["n_units"], r["n_patterns"], r["patterns"], canonical(r.get("pattern_param")),
              r["cue"], r["noise"]) for r in rows}
    if len(loads) != 1:
        raise AmemError(f"recall_gallery: sweep {sweep!r} holds {len(loads)} trial settings "
                        "(N, P, patterns, cue); draw a sweep at one setting")
    best_key, worst_key = best_and_worst(rows)
    by_seed = {k: {r["seed"]: r for r in rows if model_key(r) == k} for k in (best_key, worst_key)}
    shared = sorted(set(by_seed[best_key]) & set(by_seed[worst_key]))
    if not shared:
        raise AmemError(f"recall_gallery: {model_label(best_key)} and {model_label(worst_key)} "
                        f"share no seed in sweep {sweep!r}")
    best, worst = (replay(by_seed[k][shared[0]]) for k in (best_key, worst_key))
    if not (np.array_equal(best.patterns, worst.patterns) and np.array_equal(best.cues, worst.cues)):
        raise AmemError(f"recall_gallery: {trial_text(best.record)} and "
                        f"{trial_text(worst.record)} do not share patterns and cues")
    n, p, family, _, _, _ = next(iter(loads))
    shape = image_shape(family, n, best.record.get("pattern_param"))
    if shape is None:
        raise AmemError(f"recall_gallery: patterns {family!r} at N={n} are not images")
    counts: dict[tuple[str, str], int] = {}
    for r in rows:
        counts[model_key(r)] = counts.get(model_key(r), 0) + 1
    return Gallery(sweep, mean_overlaps(rows), counts, best, worst, min(items, p), shape)


def _trial_summary(g: Gallery, which: str) -> str:
    r = getattr(g, which)
    key = model_key(r.record)
    return (f"{which} {model_label(key)}: mean final overlap {g.means[key]:.3f} over "
            f"{g.seeds[key]} seeds; shown trial recorded {r.record['mean_overlap']:.3f}, "
            f"replayed {r.mean_overlap:.3f}")


def recall_gallery(records, sweep: str | None = None, items: int = 3):
    """Figure: for each of the first ``items`` patterns of the shown trial, the stored pattern,
    its cue and the final state of the best (top row) and the worst model (bottom row)."""
    from matplotlib.figure import Figure

    from amem.plots.recall_images import draw_recall_gallery

    g = gallery(records, sweep, items)
    h, w = g.shape
    fig = Figure(figsize=(g.items * 3 * 0.85 * max(1.0, w / h), 2.7), layout="constrained")
    subs = np.atleast_1d(fig.subfigures(1, g.items))
    for i, sub in enumerate(subs):
        recalls = {f"{model_label(model_key(r.record))}\noverlap {r.overlaps[i]:.2f}": r.states[i]
                   for r in (g.best, g.worst)}
        axes = draw_recall_gallery(sub, g.best.patterns[i], g.best.cues[i], recalls, g.shape)
        axes[0, 0].set_title(f"pattern {i}: stored", fontsize=8)
    rec = g.best.record
    fig.suptitle(f"{g.sweep}: cue {rec['cue']} {rec['noise']:g}, N = {rec['n_units']}, "
                 f"P = {rec['n_patterns']}, seed {rec['seed']}, patterns 0-{g.items - 1}\n"
                 f"{_trial_summary(g, 'best')}\n{_trial_summary(g, 'worst')}", fontsize=7)
    return fig


def recall_gallery_caption(records, items: int = 3, groups: list[list[str]] | None = None) -> str:
    """Markdown: per input sweep (or per group of pooled sweeps), the rule, the chosen models and
    the replayed numbers."""
    lines = []
    for sweep in groups or list(records):
        g = gallery(records, sweep, items)
        rec = g.best.record
        lines.append(f"- `{g.sweep}` (cue {rec['cue']} {rec['noise']:g}, N = {rec['n_units']}, "
                     f"P = {rec['n_patterns']}, seed {rec['seed']}, patterns 0-{g.items - 1}): "
                     f"{_trial_summary(g, 'best')}; {_trial_summary(g, 'worst')}.")
    return f"Rule: {CHOICE_RULE}.\n\n" + "\n".join(lines) + "\n"
