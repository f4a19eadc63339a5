"""The best-and-worst recall gallery of the real-data study: a replay that must give the record's
numbers, the choice rule, and the figure data that `study check` compares."""

import copy
import tempfile

import numpy as np
import pytest

from amem.errors import AmemError
from amem.harness.sweep import SweepConfig, run_sweep
from amem.records.store import RecordStore
from amem.studies.figdata import figure_data
from amem.studies.renderers.gallery import (
    ReplayMismatch,
    best_and_worst,
    gallery,
    mean_overlaps,
    recall_gallery,
    recall_gallery_caption,
    replay,
)


@pytest.fixture(scope="module")
def occluded():
    """A small occluded-letters sweep (N = 49, P = 5, 2 seeds) of two models that differ."""
    config = SweepConfig(models=[("hebbian", {}), ("pseudoinverse", {})], n_units=[49],
                         alphas=[5 / 49], seeds=2, patterns="letters", cue="occlude", noise=[0.25])
    with tempfile.TemporaryDirectory() as d:
        return {"occ": run_sweep(config, RecordStore(d), progress=False)}


def test_replay_gives_the_recorded_numbers(occluded):
    for record in occluded["occ"]:
        done = replay(record)
        assert done.agreement.tolist() == record["per_pattern"]["agreement"]
        assert done.mean_overlap == record["mean_overlap"]
        assert done.states.shape == done.patterns.shape == done.cues.shape == (5, 49)
        # the cue really is occluded and the state really is the recall's: overlap from states
        assert not np.array_equal(done.cues, done.patterns)
        np.testing.assert_array_equal(
            (done.states * done.patterns).sum(axis=1), done.agreement)


@pytest.mark.parametrize("tamper", ["mean_overlap", "agreement", "resolved_params", "no_per_pattern"])
def test_a_tampered_record_is_refused_naming_the_trial(occluded, tamper):
    bad = copy.deepcopy(occluded["occ"])
    target = next(r for r in bad if r["model"] == "hebbian" and r["seed"] == 0)
    if tamper == "mean_overlap":
        target["mean_overlap"] = target["mean_overlap"] - 0.02
    elif tamper == "agreement":
        target["per_pattern"]["agreement"][0] -= 2
    elif tamper == "resolved_params":
        target["resolved_params"] = {**target["resolved_params"], "seed": 1}
    else:
        del target["per_pattern"]
    with pytest.raises(ReplayMismatch, match=target["key"]) as err:
        recall_gallery({"occ": bad})
    message = str(err.value)
    assert "\n" not in message and "hebbian" in message and "seed 0" in message
    with pytest.raises(ReplayMismatch):
        recall_gallery_caption({"occ": bad})


def _hand(model, overlap, seed=0, params=None):
    return {"model": model, "params": params or {}, "mean_overlap": overlap, "seed": seed}


def test_best_and_worst_by_mean_final_overlap_over_seeds():
    rows = [_hand("a", 0.9, 0), _hand("a", 0.5, 1),  # mean 0.7
            _hand("b", 0.8, 0), _hand("b", 0.8, 1),  # mean 0.8: best, though a has the top trial
            _hand("c", 0.6, 0), _hand("c", 0.7, 1),  # mean 0.65: worst
            _hand("c", 0.9, 0, {"k": 1})]           # another params: its own entry
    assert mean_overlaps(rows)[("a", "{}")] == pytest.approx(0.7)
    assert best_and_worst(rows) == (("c", '{"k":1}'), ("c", "{}"))
    assert best_and_worst(rows[:6]) == (("b", "{}"), ("c", "{}"))
    tied = [_hand("y", 0.5), _hand("x", 0.5), _hand("z", 0.9)]
    assert best_and_worst(tied) == (("z", "{}"), ("x", "{}"))  # ties: first in sorted order
    with pytest.raises(AmemError, match="two models"):
        best_and_worst(rows[:2])


def test_gallery_picks_and_draws_best_and_worst(occluded):
    rows = occluded["occ"]
    means = mean_overlaps(rows)
    g = gallery(occluded, items=2)
    assert g.best.record["model"] == max(means, key=means.get)[0]
    assert g.worst.record["model"] == min(means, key=means.get)[0]
    assert g.best.record["seed"] == g.worst.record["seed"] == 0
    fig = recall_gallery(occluded, items=2)
    data = figure_data(fig)
    axes = data["axes"]
    assert len(axes) == 2 * 2 * 3  # items x (best, worst) x (stored, cue, recalled)
    for item in range(2):
        for row, shown in enumerate((g.best, g.worst)):
            stored, cue, recalled = axes[item * 6 + row * 3: item * 6 + row * 3 + 3]
            assert stored["images"][0] == shown.patterns[item].reshape(7, 7).astype(float).tolist()
            assert cue["images"][0] == shown.cues[item].reshape(7, 7).astype(float).tolist()
            assert recalled["images"][0] == shown.states[item].reshape(7, 7).astype(float).tolist()
            assert f"overlap {shown.overlaps[item]:.2f}" in stored["ylabel"]
    recorded = f"recorded {g.worst.record['mean_overlap']:.3f}, replayed {g.worst.mean_overlap:.3f}"
    assert recorded in data["suptitle"]
    assert recorded in recall_gallery_caption(occluded)


def test_figure_data_has_images_only_where_shown():
    from matplotlib.figure import Figure

    fig = Figure()
    ax_line, ax_image = fig.subplots(1, 2)
    ax_line.plot([0, 1], [1, 2])
    ax_image.imshow(np.array([[1, -1], [-1, 1]]))
    line, image = figure_data(fig)["axes"]
    assert "images" not in line  # figures without images keep the data they always had
    assert image["images"] == [[[1.0, -1.0], [-1.0, 1.0]]]


def test_the_real_data_study_lists_the_galleries():
    from amem.studies.spec import find_study

    outputs = {o.name: o for o in find_study("real-data").outputs}
    # every registered model competes: the infomorphic network's own sweep is pooled in
    assert outputs["gallery_digits"].inputs == ["digits-occlude", "digits-infomorphic-occlude"]
    assert outputs["gallery_letters"].inputs == ["letters-occlude", "letters-infomorphic-occlude"]
    assert outputs["gallery"].make.endswith("gallery:recall_gallery_caption")


def test_pooled_sweeps_compete_and_must_share_one_setting(occluded):
    x = [r for r in occluded["occ"] if r["model"] == "hebbian"]
    y = [r for r in occluded["occ"] if r["model"] == "pseudoinverse"]
    alone = gallery({"occ": occluded["occ"]})
    pooled = gallery({"x": x, "y": y})  # default: every input sweep, pooled
    assert pooled.sweep == "x + y"
    assert (pooled.best.record["key"], pooled.worst.record["key"]) == (
        alone.best.record["key"], alone.worst.record["key"])
    assert gallery({"x": x, "y": y}, sweep=["y", "x"]).sweep == "y + x"
    shifted = [dict(r, n_patterns=r["n_patterns"] + 1) for r in y]
    with pytest.raises(AmemError, match="trial settings"):
        gallery({"x": x, "y": shifted})
