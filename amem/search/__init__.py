"""Goal-space search for the infomorphic network (Blümel et al. 2025, Fig. 4 and its Optuna study).

* :mod:`amem.search.goals`: goal vectors as data (canonical form, the paper's named goals, the
  5^5 / 3^5 grids and the 2-D slices).
* :mod:`amem.search.paths`: the load search of one (goal, seed): bisection on P or the paper's
  optimisation grid with stop at the first failure, as resumable step-by-step paths.
* :mod:`amem.search.objective`: the capacity of a goal (mean over seeds of the ``paper``
  capacity), every trial cached in one record store under its identity, many goals and seeds
  trained together.
* :mod:`amem.search.ledger`: what every search and grid trained (network-epochs, CPU, wall).
* :mod:`amem.search.optimize`: the Optuna study (samplers, pruners, RDB storage, resume).
* :mod:`amem.search.render`: Fig. 4's heat-maps and the slice figures from the records.
"""
