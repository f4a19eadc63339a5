"""The capacity harness: trials, sweeps (grid or bisection), criteria, summaries and executors.

* :mod:`amem.harness.trials` -- one trial: store a pattern set, recall from cues, one record.
* :mod:`amem.harness.sweep` -- plan and run a sweep of trials; resume from the record store.
* :mod:`amem.harness.criteria` -- named capacity criteria and the bootstrap confidence interval.
* :mod:`amem.harness.summary` -- capacity tables, ``summary.json`` and ``trials.csv``.
* :mod:`amem.harness.executors` / :mod:`amem.harness.dask` -- where work units run.
"""

from amem.harness.sweep import SweepConfig, run_sweep

__all__ = ["SweepConfig", "run_sweep"]
