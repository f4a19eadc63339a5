import pickle

import numpy as np
import pytest

import amem
from amem.errors import AmemError, UnknownModelError


class Echo(amem.MemoryModel):
    """Returns its cues unchanged (a registry test double)."""

    def __init__(self, *, gain: float = 1.0, update: str = "sync", seed: int = 0):
        super().__init__(seed=seed, update=update)
        self.gain = gain

    def _fit(self, patterns):
        self.fitted_ = True

    def _recall(self, cues, max_steps):
        n = len(cues)
        return cues, np.zeros(n, int), np.zeros(n, np.int8)


@pytest.fixture
def echo_id():
    amem.register("test-echo", Echo)
    yield "test-echo"
    amem.unregister("test-echo")


def test_builtins_listed():
    ids = amem.list_models()
    assert "hebbian" in ids and ids == sorted(ids)


def test_register_and_make(echo_id):
    assert echo_id in amem.list_models()
    model = amem.make(echo_id, gain=2.0)
    assert isinstance(model, Echo) and model.gain == 2.0
    assert amem.spec(echo_id).entry_point.endswith(":Echo")


def test_decorator_registration():
    @amem.register("test-deco", test_params={"gain": 3.0})
    class Deco(Echo):
        pass

    try:
        assert amem.make("test-deco").gain == 1.0
        assert amem.spec("test-deco").test_params == {"gain": 3.0}
    finally:
        amem.unregister("test-deco")


def test_duplicate_registration_refused(echo_id):
    with pytest.raises(AmemError, match="already registered"):
        amem.register(echo_id, Echo)
    amem.register(echo_id, Echo, overwrite=True)


def test_unknown_id_suggests_close_match():
    with pytest.raises(UnknownModelError, match="did you mean 'hebbian'"):
        amem.make("hebbain")


def test_unknown_parameter_suggests_close_match():
    with pytest.raises(AmemError, match="unknown parameter 'self_coupled'.*did you mean 'self_coupling'"):
        amem.make("hebbian", self_coupled=True)


@pytest.mark.parametrize("params, match", [
    ({"update": "random"}, "update='random' is not valid"),
    ({"seed": -1}, "seed=-1"),
    ({"self_coupling": "yes"}, "self_coupling"),
])
def test_invalid_parameter_values(params, match):
    with pytest.raises(AmemError, match=match):
        amem.make("hebbian", **params)


def test_non_model_class_refused():
    with pytest.raises(AmemError, match="must subclass"):
        amem.register("test-bad", dict)


def test_module_colon_id_imports_module(tmp_path, monkeypatch):
    (tmp_path / "my_plugin_mod.py").write_text(
        "import amem\nfrom amem.models.hebbian import HebbianHopfield\n"
        "amem.register('plugin-hebb', HebbianHopfield, overwrite=True)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        model = amem.make("my_plugin_mod:plugin-hebb")
        assert type(model).__name__ == "HebbianHopfield"
    finally:
        amem.unregister("plugin-hebb")


def test_recall_result_contract():
    from amem.patterns import random_patterns

    p = random_patterns(3, 20, 0)
    out = amem.make("hebbian").store(p).recall(p)
    assert out.states.dtype == np.int8 and out.steps.dtype == np.int64
    assert list(out.status) == ["fixed_point"] * 3 and len(out) == 3
    assert pickle.loads(pickle.dumps(out)).states.shape == (3, 20)


def test_models_have_versions(echo_id):
    assert amem.spec(echo_id).version == 1  # the default
    for model_id in amem.list_models():
        assert isinstance(amem.spec(model_id).version, int) and amem.spec(model_id).version >= 1
    amem.register(echo_id, Echo, version=3, overwrite=True)
    assert amem.spec(echo_id).version == 3


@pytest.mark.parametrize("version", [0, -1, 1.5, "2", True])
def test_bad_version_is_refused(version):
    with pytest.raises(AmemError, match=f"version={version!r} must be a positive integer"):
        amem.register("test-bad-version", Echo, version=version)
    assert "test-bad-version" not in amem.list_models()


def test_decorator_passes_the_version():
    @amem.register("test-deco-version", version=4)
    class Versioned(Echo):
        pass

    try:
        assert amem.spec("test-deco-version").version == 4
    finally:
        amem.unregister("test-deco-version")


def test_diagnostics_default_to_nothing():
    assert amem.make("hebbian").diagnostics() == {}


def test_make_uses_registered_defaults_and_overrides_win():
    amem.register("test-defaults", Echo, defaults={"gain": 2.5})
    try:
        assert amem.make("test-defaults").gain == 2.5
        assert amem.make("test-defaults", gain=4.0).gain == 4.0
        assert amem.make("test-defaults").get_params() == {"gain": 2.5, "update": "sync",
                                                           "seed": 0}
    finally:
        amem.unregister("test-defaults")
