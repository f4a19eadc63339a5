"""Pattern families and cues.

Families are registered by id (``list_families()``, ``make_patterns(id, P, N, seed, params)``,
``register(...)`` for your own); importing this package registers the built-in ones:
``random`` (bias), ``markov`` (spatial/temporal p), ``features`` (random features, alpha_d),
``separated`` (Hamming separation), and the data sets shipped inside installed packages
``digits``, ``letters`` and ``lfw``. Cues: :func:`flip_cues`, :func:`partial_cues`,
:func:`occlusion_cues`, :func:`salt_pepper_cues`, or :func:`make_cues` by kind.
"""

from amem.patterns.cues import (
                                CUE_KINDS,
                                flip_cues,
                                make_cues,
                                n_flips,
                                occlusion_cues,
                                partial_cues,
                                salt_pepper_cues,
)
from amem.patterns.features import feature_patterns
from amem.patterns.markov import markov_patterns
from amem.patterns.random import random_patterns
from amem.patterns.real import digits_patterns, letter_patterns, lfw_patterns
from amem.patterns.registry import (
                                PatternFamily,
                                check_load,
                                data_source,
                                family,
                                identity_params,
                                image_shape,
                                list_families,
                                make_patterns,
                                max_patterns,
                                register,
                                resolve_params,
                                unregister,
)
from amem.patterns.separated import separated_patterns

#: The built-in families at import time (``list_families()`` also lists user-registered ones).
PATTERN_KINDS = tuple(list_families())

__all__ = [
    "CUE_KINDS", "PATTERN_KINDS", "PatternFamily", "check_load", "data_source", "digits_patterns",
    "family", "feature_patterns", "flip_cues", "identity_params", "image_shape", "letter_patterns",
    "lfw_patterns", "list_families", "make_cues", "make_patterns", "markov_patterns",
    "max_patterns", "n_flips", "occlusion_cues", "partial_cues", "random_patterns", "register",
    "resolve_params", "salt_pepper_cues", "separated_patterns", "unregister",
]
