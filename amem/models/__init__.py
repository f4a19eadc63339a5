"""Built-in models. This file holds only registrations (entry points are imported lazily).

``version`` is bumped whenever a change to a model alters its results (see ``amem.register``).
"""

from amem.registry import register

register(
    "hebbian",
    "amem.models.hebbian:HebbianHopfield",
    version=1,
    description="Classical Hopfield network, Hebbian outer-product rule (Hopfield 1982)",
)

register(
    "modern",
    "amem.models.modern:ModernHopfield",
    version=1,
    description="Dense associative memory: polynomial / exponential energy or softmax update "
                "(Krotov & Hopfield 2016; Demircigil et al. 2017; Ramsauer et al. 2021)",
    test_params={"energy": "poly", "degree": 3},
)

register(
    "infomorphic",
    "amem.models.infomorphic:InfomorphicHopfield",
    # 2: early stopping at the authors' checkpoints (after completed epochs 1, 3, ..., 4999, 5000)
    version=2,
    test_params={"epochs": 30, "early_stopping": False},
    description="Infomorphic Hopfield network maximising PID redundancy (Blümel et al. 2025)",
)

register(
    "covariance",
    "amem.models.covariance:CovarianceHopfield",
    description="Covariance rule with threshold for biased patterns (Tsodyks & Feigel'man 1988; "
                "Amit, Gutfreund & Sompolinsky 1987)",
)
