"""Literature learning rules for binary Hopfield networks, added to amem as a plugin.

Importing this package registers its models through amem's public ``amem.register`` (the
package is also the ``amem.models`` entry point ``baselines``), exactly as an outside user would:

* ``storkey``: Storkey (1997), incremental and local (``baselines.storkey``)
* ``pseudoinverse``: projection rule, Personnaz, Guyon & Dreyfus (1985)
  (``baselines.pseudoinverse``)
* ``krauth-mezard``: MinOver to optimal stability, Krauth & Mezard (1987)
  (``baselines.krauth_mezard``)
* ``descent-l2``: regularised squared field error, Tolmachev & Manton (2020)
  (``baselines.descent_l2``)
* ``mpf``: minimum probability flow, Hillar, Sohl-Dickstein & Koepsell (2012) (``baselines.mpf``)
* ``diederich-opper``: local perceptron rule I, Diederich & Opper (1987)
  (``baselines.diederich_opper``)

Every rule subclasses amem's public :class:`amem.RecurrentMemory`: it only turns the stored
patterns into couplings ``weights_`` (N, N), W[i, j] = coupling from unit j to unit i, and a bias
``bias_`` (N,), and recalls with the shared sign dynamics (``update="sync"`` or ``"async"``, a
zero field keeps the state, ties decided exactly). Rules whose couplings are integer counts / N
(``krauth-mezard``, ``diederich-opper``) hand the integer numerators to the dynamics, so their
recall runs in exact integer arithmetic.

``self_coupling`` has one meaning in every rule (the same as in ``hebbian``): ``True`` keeps the
diagonal W_ii that the rule itself produces (for optimisation rules the diagonal is then a free
coupling like any other); ``False`` makes W_ii = 0 (for closed-form and outer-product rules the
diagonal is zeroed; for optimisation rules W_ii is excluded from learning, so the optimum is found
under that constraint rather than spoiled afterwards).
"""

import amem

_MODELS = {
    "storkey": ("baselines.storkey:StorkeyHopfield", {},
                "Storkey (1997) incremental learning rule"),
    "pseudoinverse": ("baselines.pseudoinverse:PseudoinverseHopfield", {},
                      "Projection (pseudo-inverse) rule, Personnaz et al. (1985)"),
    "krauth-mezard": ("baselines.krauth_mezard:KrauthMezardHopfield", {},
                      "MinOver to optimal stability, Krauth & Mezard (1987)"),
    "descent-l2": ("baselines.descent_l2:DescentL2Hopfield", {},
                   "Descent L2 field regression, Tolmachev & Manton (2020)"),
    "mpf": ("baselines.mpf:MPFHopfield", {"max_iter": 200},
            "Minimum probability flow, Hillar, Sohl-Dickstein & Koepsell (2012)"),
    "diederich-opper": ("baselines.diederich_opper:DiederichOpperHopfield", {},
                        "Local perceptron rule with margin 1, Diederich & Opper (1987) rule I"),
}

#: Bumped whenever a model's results change (part of every trial key). krauth-mezard 2: MinOver
#: runs to optimal stability by default, recall in exact integer arithmetic; diederich-opper 2:
#: recall in exact integer arithmetic (ties were decided by round-off).
_VERSIONS = {"krauth-mezard": 2, "diederich-opper": 2}

for _id, (_entry, _test_params, _description) in _MODELS.items():
    amem.register(_id, _entry, test_params=_test_params, description=_description,
                  version=_VERSIONS.get(_id, 1))
