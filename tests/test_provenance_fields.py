"""Provenance fields from given code identities (added for survivors of mutation testing):
what a summary's ``written_by`` says, and the one-phrase description of a code identity."""

from __future__ import annotations

import re

from amem.records import provenance as prov

CODE = {"amem": "0.1.0", "commit": "35702d8aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "dirty": True,
        "sources": "3f2a1b9c0d4e5f60", "model_source": None}


def test_provenance_restates_the_code_it_is_given():
    p = prov.provenance(["amem", "capacity"], code=CODE)
    assert p["amem_version"] == "0.1.0"
    assert p["git"] == {"id": CODE["commit"], "dirty": True}
    assert p["code"] is CODE
    assert p["argv"] == ["amem", "capacity"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", p["created_utc"])
    assert set(p) == {"amem_version", "created_utc", "git", "code", "argv", "python", "platform",
                      "machine", "processor", "packages", "blas", "products"}
    assert p["packages"]["numpy"] and "amem" in p["packages"]


def test_provenance_names_the_blas_kernels(monkeypatch):
    """numpy's products depend on OpenBLAS's kernel family: the record says which was loaded."""
    import numpy  # noqa: F401  (the BLAS is loaded)

    monkeypatch.setenv("OPENBLAS_CORETYPE", "Haswell")
    blas = prov.provenance([], code=CODE)["blas"]
    assert blas["openblas_coretype"] == "Haswell"
    assert all(set(lib) == {"internal_api", "version", "architecture"} for lib in blas["libraries"])
    monkeypatch.delenv("OPENBLAS_CORETYPE")
    assert prov.blas_description()["openblas_coretype"] is None


def test_provenance_names_where_the_products_ran(monkeypatch):
    """The infomorphic training's products: amem's kernel or numpy's, by AMEM_GEMM and the CPU."""
    from amem.kernels.small_gemm import target_has_avx512

    monkeypatch.setenv("AMEM_GEMM", "numpy")
    assert prov.provenance([], code=CODE)["products"] == {"amem_gemm": "numpy",
                                                          "cpu_avx512": target_has_avx512()}
    monkeypatch.delenv("AMEM_GEMM")
    assert prov.products_description()["amem_gemm"] is None


def test_describe_code_in_one_phrase():
    assert prov.describe_code(CODE) == "amem 0.1.0, commit 35702d8+dirty, sources 3f2a1b9c0d4e5f60"
    clean = {**CODE, "dirty": False, "model_source": "beef"}
    assert prov.describe_code(clean) == ("amem 0.1.0, commit 35702d8, sources 3f2a1b9c0d4e5f60, "
                                         "model file beef")
    assert prov.describe_code(None) == "amem None, no commit, sources None"


def test_git_commit_is_the_state_of_this_checkout():
    state = prov.git_state()
    assert prov.git_commit() == {"id": state["commit"], "dirty": state["dirty"]}


def test_module_source_hashes_modules_outside_the_package(tmp_path, monkeypatch):
    import hashlib
    import sys

    plugin = tmp_path / "kit_plugin_probe.py"
    plugin.write_text("X = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "kit_plugin_probe", raising=False)
    expected = hashlib.sha256(plugin.read_bytes()).hexdigest()[:16]
    assert prov.module_source("kit_plugin_probe") == expected  # imported on demand
    assert prov.module_source("kit_plugin_probe") == expected  # and once imported
    assert prov.module_source("amem.harness.criteria") is None  # the sources hash covers it
    assert prov.module_source("no_such_module_anywhere") is None
    assert prov.module_source("sys") is None  # built in: no file


def test_sources_hash_orders_files_by_their_relative_path(tmp_path):
    import hashlib

    (tmp_path / "amem" / "a").mkdir(parents=True)
    (tmp_path / "amem" / "a-b.py").write_text("B = 2\n")
    (tmp_path / "amem" / "a" / "x.py").write_text("X = 1\n")
    digest = hashlib.sha256()
    for rel in sorted(["amem/a-b.py", "amem/a/x.py"]):  # "-" sorts before "/"
        data = (tmp_path / rel).read_bytes()
        digest.update(f"{rel}\0{len(data)}\0".encode() + data)
    assert prov.sources_hash(tmp_path) == digest.hexdigest()[:16]
