"""Literature learning rules for binary Hopfield networks, added to amem as a plugin.

Importing this package registers its models through amem's public ``amem.register`` (the
package is also the ``amem.models`` entry point ``baselines``), exactly as an outside user would:

* ``storkey``: Storkey (1997), incremental and local (``baselines.storkey``)
* ``pseudoinverse``: projection rule, Personnaz, Guyon & Dreyfus (1985)
  (``baselines.pseudoinverse``)
* ``krauth-mezard``: MinOver to margin kappa, Krauth & Mezard (1987) (``baselines.krauth_mezard``)
* ``descent-l2``: regularised squared field error, Tolmachev & Manton (2020)
  (``baselines.descent_l2``)
* ``mpf``: minimum probability flow, Hillar, Sohl-Dickstein & Koepsell (2012) (``baselines.mpf``)
* ``diederich-opper``: local perceptron rule I, Diederich & Opper (1987)
  (``baselines.diederich_opper``)

Every model exposes ``weights_`` (N, N) and ``bias_`` (N,) and recalls with the shared sign
dynamics (``update="sync"`` or ``"async"``); see :mod:`baselines._recurrent` for the one meaning
of ``self_coupling``.
"""

import amem

_MODELS = {
    "storkey": ("baselines.storkey:StorkeyHopfield", {},
                "Storkey (1997) incremental learning rule"),
    "pseudoinverse": ("baselines.pseudoinverse:PseudoinverseHopfield", {},
                      "Projection (pseudo-inverse) rule, Personnaz et al. (1985)"),
    "krauth-mezard": ("baselines.krauth_mezard:KrauthMezardHopfield", {},
                      "MinOver with stability margin kappa, Krauth & Mezard (1987)"),
    "descent-l2": ("baselines.descent_l2:DescentL2Hopfield", {},
                   "Descent L2 field regression, Tolmachev & Manton (2020)"),
    "mpf": ("baselines.mpf:MPFHopfield", {"max_iter": 200},
            "Minimum probability flow, Hillar, Sohl-Dickstein & Koepsell (2012)"),
    "diederich-opper": ("baselines.diederich_opper:DiederichOpperHopfield", {},
                        "Local perceptron rule with margin 1, Diederich & Opper (1987) rule I"),
}

for _id, (_entry, _test_params, _description) in _MODELS.items():
    amem.register(_id, _entry, test_params=_test_params, description=_description, version=1)
