"""Where a result came from: the code identity of the package, plus the run's environment.

The **code identity** (:func:`code_identity`) is what every record carries:

* ``amem``: the package version;
* ``commit``: ``git rev-parse HEAD`` of the checkout amem runs from (None outside git);
* ``dirty``: whether the *package sources* (the ``*.py`` files under ``amem/`` and
  ``baselines/``) differ from that commit, tracked or untracked (``git status --porcelain --
  amem baselines``). Only the sources count: a run writing its results into the tracked tree
  (``results/``), or Numba writing its cache, does not make itself dirty. It is measured
  once, before the run writes anything;
* ``sources``: a hash of the contents of every ``*.py`` file under ``amem/`` and ``baselines/``
  that can change a record's numbers, i.e. all of them except the layers that only arrange or
  present records (:data:`PRESENTATION_DIRS`: studies, plots, the command line, the goal search,
  the conformance kit). It identifies the code even when it is dirty or not in git at all, and
  it is what decides whether two records came from the same code (with the amem version and,
  for a model defined outside the package, ``model_source``: the hash of its module's file,
  :func:`module_source`). So a new figure style or a fixed study renderer does not turn hours of
  committed sweeps into "other code", while any change to a model, kernel, pattern family,
  probe, the trial or the record layer does.

:func:`provenance` adds the time, command line, platform and package versions for summaries and
the ``configs.jsonl`` log. This module imports nothing of the harness.
"""

from __future__ import annotations

import hashlib
import os
import platform
import subprocess
import sys
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from amem.errors import AmemError
from amem.records.schema import CODE_FIELDS

PACKAGES = ("amem", "numpy", "numba", "scipy", "torch", "matplotlib", "tqdm", "dask", "distributed")
#: The directories, next to each other, whose sources make the package's code identity.
SOURCE_DIRS = ("amem", "baselines")
#: Sub-packages that read, arrange or draw records but never compute a trial's numbers (a trial's
#: record is a function of its identity and of the other sources): left out of ``sources``.
#: ``dirty`` still covers them (it says whether anything of the package was uncommitted).
PRESENTATION_DIRS = ("amem/bench", "amem/plots", "amem/search", "amem/studies", "amem/testing")
GIT_TIMEOUT_S = 10


class MixedCodeError(AmemError):
    """An output directory holds records of other code than the run about to write to it."""


def package_root() -> Path:
    """The directory holding ``amem/`` (and ``baselines/``): a checkout or site-packages."""
    return Path(__file__).resolve().parents[2]


def package_versions() -> dict[str, str | None]:
    out = {}
    for name in PACKAGES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = None
    return out


def _source_files(root: Path, dirs=SOURCE_DIRS, exclude=PRESENTATION_DIRS) -> list[Path]:
    files = []
    for d in dirs:
        base = root / d
        if base.is_dir():
            files.extend(p for p in base.rglob("*.py")
                         if p.is_file() and "__pycache__" not in p.relative_to(root).parts
                         and not _under(p.relative_to(root).as_posix(), exclude))
    return sorted(files, key=lambda p: p.relative_to(root).as_posix())


def _under(relative: str, folders) -> bool:
    return any(relative == f or relative.startswith(f + "/") for f in folders)


def sources_hash(root: Path | None = None, dirs=SOURCE_DIRS) -> str:
    """SHA-256 (first 16 hex digits) over the relative paths and contents of the sources."""
    root = package_root() if root is None else Path(root)
    digest = hashlib.sha256()
    for path in _source_files(root, dirs):
        data = path.read_bytes()
        digest.update(f"{path.relative_to(root).as_posix()}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()[:16]


def _git(root: Path, *args: str) -> str | None:
    try:
        proc = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False,
                              timeout=GIT_TIMEOUT_S)
    except (OSError, subprocess.SubprocessError):
        return None
    return proc.stdout.strip() if proc.returncode == 0 else None


def git_state(root: Path | None = None, dirs=SOURCE_DIRS) -> dict[str, object]:
    """``{"commit": HEAD or None, "dirty": sources differ from HEAD (None outside git)}``.

    Only a checkout whose top level is ``root`` counts (amem installed into a virtual
    environment that happens to sit inside some other repository has no commit).
    """
    root = package_root() if root is None else Path(root)
    top = _git(root, "rev-parse", "--show-toplevel")
    if top is None or Path(top).resolve() != root.resolve():
        return {"commit": None, "dirty": None}
    commit = _git(root, "rev-parse", "HEAD")
    if not commit:
        return {"commit": None, "dirty": None}
    status = _git(root, "status", "--porcelain", "--untracked-files=all", "--", *dirs)
    if status is None:
        return {"commit": commit, "dirty": None}
    # the files the sources hash covers: caches (numba's __pycache__/*.nbi) never make it dirty
    changed = [line[3:].split(" -> ")[-1].strip('"') for line in status.splitlines()]
    return {"commit": commit, "dirty": any(p.endswith(".py") and "__pycache__" not in p
                                           for p in changed)}


def git_commit(root: Path | None = None) -> dict[str, object]:
    """``{"id": commit, "dirty": flag}`` as summaries of schema 1 named them (see
    :func:`git_state`)."""
    state = git_state(root)
    return {"id": state["commit"], "dirty": state["dirty"]}


def code_identity(root: Path | None = None) -> dict[str, object]:
    """The package's code identity (see the module docstring). Measure it once per run, before
    the run writes anything."""
    from amem import __version__

    state = git_state(root)
    return {"amem": __version__, "commit": state["commit"], "dirty": state["dirty"],
            "sources": sources_hash(root)}


def module_source(module_name: str) -> str | None:
    """Hash of the source file of a model's module when it lies outside the package sources
    (a plugin or ``--import`` model): its edits change results without touching amem.
    None for modules inside ``amem/`` or ``baselines/`` (the sources hash covers them)."""
    module = sys.modules.get(module_name)
    if module is None:
        import importlib

        try:
            module = importlib.import_module(module_name)
        except ImportError:
            return None
    path = getattr(module, "__file__", None)
    if not path:
        return None
    path = Path(path).resolve()
    root = package_root()
    if any(path.is_relative_to(root / d) for d in SOURCE_DIRS):
        return None
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    except OSError:
        return None


def same_code(a: dict | None, b: dict | None) -> bool:
    """Whether two code identities name the same code (commit and dirty flag aside)."""
    a, b = a or {}, b or {}
    return all(a.get(f) == b.get(f) for f in CODE_FIELDS)


def describe_code(code: dict | None) -> str:
    """One phrase: ``amem 0.1.0, commit 35702d8+dirty, sources 3f2a1b9c0d4e5f60``."""
    code = code or {}
    commit = code.get("commit")
    commit = "no commit" if not commit else f"commit {commit[:7]}" + (
        "+dirty" if code.get("dirty") else "")
    text = f"amem {code.get('amem')}, {commit}, sources {code.get('sources')}"
    if code.get("model_source"):
        text += f", model file {code['model_source']}"
    return text


def blas_description() -> dict:
    """The BLAS behind numpy's products: float results depend on its kernels' summation order.

    ``OPENBLAS_CORETYPE`` overrides OpenBLAS's own CPU detection (this project's machines pin
    ``Haswell``, the AVX2 kernels, on an AVX-512 CPU whose own choice would be ``SkylakeX``);
    ``libraries`` is what threadpoolctl sees loaded (empty before numpy's BLAS loads)."""
    libraries = []
    if "numpy" in sys.modules:
        try:
            from threadpoolctl import threadpool_info

            libraries = [{k: lib.get(k) for k in ("internal_api", "version", "architecture")}
                         for lib in threadpool_info() if lib.get("user_api") == "blas"]
        except Exception:  # noqa: BLE001  (provenance must never fail a run)
            libraries = []
    return {"openblas_coretype": os.environ.get("OPENBLAS_CORETYPE"), "libraries": libraries}


def products_description() -> dict:
    """Where the infomorphic training's float32 matrix products run: amem's small-GEMM kernel
    (``AMEM_GEMM`` unset or ``auto`` on a CPU with AVX-512, or ``numba``) or numpy's matmul on the
    BLAS above (``numpy``, or no AVX-512); the two sum in different orders."""
    try:
        from amem.kernels.small_gemm import target_has_avx512

        avx512 = target_has_avx512()
    except Exception:  # noqa: BLE001  (provenance must never fail a run)
        avx512 = None
    return {"amem_gemm": os.environ.get("AMEM_GEMM"), "cpu_avx512": avx512}


def provenance(argv: list[str] | None = None, code: dict | None = None) -> dict:
    """Code identity (measured now unless given), time, command line, platform, packages."""
    code = code_identity() if code is None else code
    return {
        "amem_version": code.get("amem"),
        "created_utc": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "git": {"id": code.get("commit"), "dirty": code.get("dirty")},
        "code": code,
        "argv": list(sys.argv if argv is None else argv),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "processor": platform.processor() or None,
        "packages": package_versions(),
        "blas": blas_description(),
        "products": products_description(),
    }
