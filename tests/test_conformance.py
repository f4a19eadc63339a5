"""The conformance kit runs over every registered model automatically (plugins included)."""

import copy

import numpy as np
import pytest

import amem
from amem.testing import ALL_CHECKS, CheckSkipped, check_model, make_test_instance


@pytest.mark.parametrize("check", ALL_CHECKS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("model_id", amem.list_models())
def test_registered_model_conforms(model_id, check):
    try:
        check(make_test_instance(model_id))
    except CheckSkipped as skip:
        pytest.skip(str(skip))


@pytest.mark.parametrize("model_id", [m for m in amem.list_models()
                                      if "update" in (amem.registry.accepted_params(amem.registry.model_class(m)) or [])])
def test_async_variant_conforms(model_id):
    cls = amem.registry.model_class(model_id)
    if "async" in cls.update_rules:
        check_model(model_id, update="async")


class Broken(amem.MemoryModel):
    """Mutates its cues and forgets -- the kit must catch it."""

    def _fit(self, patterns):
        pass

    def _recall(self, cues, max_steps):
        cues[:, 0] *= -1
        return cues, np.zeros(len(cues), int), np.zeros(len(cues), np.int8)


def test_kit_catches_a_broken_model():
    with pytest.raises(AssertionError, match="Broken"):
        check_model(Broken())


def test_kit_refuses_a_stored_model():
    model = amem.make("hebbian").store(np.ones((1, 8)))
    with pytest.raises(amem.AmemError, match="unstored"):
        check_model(model)


def test_checks_do_not_touch_the_given_instance():
    model = make_test_instance("hebbian")
    before = copy.deepcopy(model.__dict__)
    check_model(model)
    assert model.__dict__.keys() == before.keys() and not hasattr(model, "patterns_")
