"""Golden capacity check of the infomorphic network (slow: minutes of CPU)."""

import numpy as np
import pytest

pytest.importorskip("torch")

from amem.harness.trials import TrialSpec, build_model, trial_patterns  # noqa: E402
from amem.models.infomorphic import InfomorphicHopfield  # noqa: E402


@pytest.mark.slow
def test_capacity_brackets_the_paper_value():
    """Paper protocol at N = 100: stored at alpha = 1.4 and not at 1.9 for (nearly) every seed.

    The paper's alpha_c = 1.59 (20 seeds; results/infomorphic/ has our 20-seed grid, 1.50-1.70
    required); here 4 seeds bracket it cheaply. Per-seed capacities spread by about +-0.1.
    """
    trials = [TrialSpec(model="infomorphic", n_units=100, n_patterns=p, seed=s)
              for s in range(4) for p in (140, 190)]
    models = InfomorphicHopfield.store_many([build_model(t) for t in trials],
                                            [trial_patterns(t) for t in trials])
    acc = {}
    for t, m in zip(trials, models):
        x = trial_patterns(t)
        acc.setdefault(t.n_patterns, []).append(
            float((m.recall(x).states.astype(int) * x).sum(1).mean() / 100))
    assert np.mean(np.array(acc[140]) >= 0.95) >= 0.75, acc
    assert np.mean(np.array(acc[190]) >= 0.95) <= 0.25, acc
    assert all(m.epochs_trained_ == 5000 for t, m in zip(trials, models) if t.n_patterns == 190
               and not m.met_criterion_)
