"""Study files: load a study's TOML, check every field, and turn each sweep into a SweepConfig.

A study is "this figure or table, from these sweeps" (see ``amem/studies/README.md`` for the
format). Mistakes in a study file are one-line :class:`AmemError` s naming the file, the entry and
the field, and saying what would be valid.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from amem.errors import AmemError

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

DEFS_DIR = Path(__file__).resolve().parent / "defs"
#: Shipped studies write below the repository root (``out = "results/..."``).
REPO_ROOT = Path(__file__).resolve().parents[2]

TOP_KEYS = {"id", "title", "description", "out", "imports", "sweep", "output", "reference",
            "quick", "reproduction", "partial", "search"}
SWEEP_KEYS = {"name", "dir", "model", "models", "params", "n", "alphas", "seeds", "seed_start",
              "noise", "cue", "patterns", "pattern_param", "max_steps", "search", "criterion",
              "max_alpha", "bisect_rtol", "probe", "probe_params", "quick", "description"}
OUTPUT_KEYS = {"name", "make", "inputs", "args", "caption", "description"}
REFERENCE_KEYS = {"id", "item", "value", "source", "criterion", "resolution", "measure", "inputs",
                  "args", "note"}
QUICK_KEYS = {"seeds", "n", "alphas", "noise", "models", "params", "probe_params", "max_loads"}
QUICK_SEEDS = 2  # seeds of a --quick run unless the study says otherwise
QUICK_MAX_LOADS = 6  # loads of a --quick grid sweep unless the study says otherwise


@dataclass
class SweepDef:
    name: str
    dir: str
    fields: dict[str, Any]  # SweepConfig keyword arguments
    quick: dict[str, Any] = field(default_factory=dict)
    description: str = ""

    def config(self, quick: bool = False, quick_defaults: dict | None = None):
        from amem.harness.sweep import SweepConfig

        fields = dict(self.fields)
        if quick:
            fields = quick_fields(fields, {**(quick_defaults or {}), **self.quick})
        return SweepConfig(**fields)


@dataclass
class OutputDef:
    name: str
    make: str
    inputs: list[str]
    args: dict[str, Any] = field(default_factory=dict)
    caption: str = ""
    description: str = ""


@dataclass
class ReferenceDef:
    item: str
    value: float | None
    source: str
    criterion: str = ""
    resolution: float | None = None
    measure: str | None = None  # "module:function" -> {"value", "ci_low", "ci_high", "n_seeds"}
    inputs: list[str] = field(default_factory=list)
    args: dict[str, Any] = field(default_factory=dict)
    note: str = ""
    id: str = ""  # short id (``reproduce --only ID``); defaults to the item text


@dataclass
class Study:
    id: str
    title: str
    description: str
    out: Path
    source: Path
    sweeps: list[SweepDef]
    outputs: list[OutputDef]
    references: list[ReferenceDef]
    imports: list[str] = field(default_factory=list)
    quick: dict[str, Any] = field(default_factory=dict)
    #: a paper reproduction (``reproduction = true``): outputs render from whatever records exist
    #: (a missing sweep is noted, not an error), the conformance table keeps every item (not run,
    #: provisional) and a cost table prices each item; see :mod:`amem.studies.reproduction`
    reproduction: bool = False
    #: ``partial = true``: a study measured as far as it goes (a grid too large for one run):
    #: its outputs render from the sweeps that have records and note the others, as a
    #: reproduction's do, without the conformance and cost tables
    partial: bool = False
    #: an Optuna goal search (``[search]``, :mod:`amem.studies.searches`), an input like a sweep
    search: Any = None

    @property
    def inputs(self) -> list[str]:
        """Names outputs may take as inputs: the sweeps and the search."""
        return [s.name for s in self.sweeps] + ([self.search.name] if self.search else [])

    def sweep(self, name: str) -> SweepDef:
        for s in self.sweeps:
            if s.name == name:
                return s
        raise AmemError(f"study {self.id!r} has no sweep {name!r}; its sweeps: "
                        f"{', '.join(s.name for s in self.sweeps)}")

    def sweep_dir(self, sweep: SweepDef, out: Path | None = None) -> Path:
        return (out or self.out) / sweep.dir

    @property
    def shipped(self) -> bool:
        return self.source.parent == DEFS_DIR


# ------------------------------------------------------------------ finding studies
def shipped_files() -> list[Path]:
    return sorted(DEFS_DIR.glob("*.toml"))


def list_studies() -> list[Study]:
    return [load_study(p) for p in shipped_files()]


def find_study(name: str) -> Study:
    """A shipped study by id, or a study file by path (``path/to/file.toml``)."""
    path = Path(name)
    if name.endswith(".toml") or path.is_file():
        if not path.is_file():
            raise AmemError(f"study file {name} does not exist")
        return load_study(path)
    for p in shipped_files():
        if p.stem == name:
            return load_study(p)
    ids = ", ".join(p.stem for p in shipped_files())
    raise AmemError(f"unknown study {name!r}; choose one of {ids} (see `study list`), "
                    "or pass a path to a .toml file")


# ------------------------------------------------------------------ loading
def load_study(path: str | Path) -> Study:
    path = Path(path).resolve()
    try:
        data = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as err:
        raise AmemError(f"{path}: not valid TOML ({err})") from None
    return parse_study(data, path)


def parse_study(data: dict, path: Path) -> Study:
    where = str(path)
    _check_keys(data, TOP_KEYS, where)
    study_id = _need(data, "id", str, where)
    if path.parent == DEFS_DIR and study_id != path.stem:
        raise AmemError(f"{where}: id {study_id!r} must equal the file name {path.stem!r}")
    base = REPO_ROOT if path.parent == DEFS_DIR else path.parent
    out = Path(_need(data, "out", str, where))
    out = out if out.is_absolute() else base / out
    quick = data.get("quick", {})
    _check_keys(quick, QUICK_KEYS, f"{where}: [quick]")
    imports = data.get("imports", [])
    if not isinstance(imports, list) or not all(isinstance(m, str) for m in imports):
        raise AmemError(f"{where}: imports must be a list of module names")
    import_modules(imports, path.parent, where)  # the sweeps may name the models they register
    sweeps = [_parse_sweep(s, f"{where}: sweep #{i + 1}") for i, s in enumerate(data.get("sweep", []))]
    names = [s.name for s in sweeps]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise AmemError(f"{where}: sweep names must be unique; {', '.join(duplicates)} repeat")
    search = None
    if "search" in data:
        from amem.studies.searches import parse_search

        search = parse_search(data["search"], where, names)
        names = names + [search.name]
    outputs = [_parse_output(o, f"{where}: output #{i + 1}", names)
               for i, o in enumerate(data.get("output", []))]
    out_names = [o.name for o in outputs]
    if len(set(out_names)) != len(out_names):
        raise AmemError(f"{where}: output names must be unique")
    references = [_parse_reference(r, f"{where}: reference #{i + 1}", names)
                  for i, r in enumerate(data.get("reference", []))]
    reproduction = data.get("reproduction", False)
    partial = data.get("partial", False)
    for key, value in (("reproduction", reproduction), ("partial", partial)):
        if not isinstance(value, bool):
            raise AmemError(f"{where}: {key} = {value!r} must be true or false")
    return Study(id=study_id, title=data.get("title", study_id),
                 description=data.get("description", ""), out=out, source=path, sweeps=sweeps,
                 outputs=outputs, references=references, imports=imports, quick=quick,
                 reproduction=reproduction, partial=partial, search=search)


def import_modules(names: list[str], folder: Path, where: str) -> None:
    """Import a study's modules (they register its models); the study file's folder is searched
    first, so a ``my_models.py`` beside ``my_study.toml`` is found."""
    import importlib
    import sys

    if names and str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
    for name in names:
        try:
            importlib.import_module(name)
        except ImportError as err:
            raise AmemError(f"{where}: imports {name!r}: {err}") from None


def _parse_sweep(d: dict, where: str) -> SweepDef:
    _check_keys(d, SWEEP_KEYS, where)
    name = _need(d, "name", str, where)
    where = f"{where.rsplit(': ', 1)[0]}: sweep {name!r}"
    if ("model" in d) == ("models" in d):
        raise AmemError(f"{where}: give either model = \"ID\" (with params) or models = "
                        "[{id = ..., params = {...}}, ...]")
    if "model" in d:
        models = [(d["model"], dict(d.get("params", {})))]
    else:
        if "params" in d:
            raise AmemError(f"{where}: with models = [...], give params inside each model entry")
        models = []
        for m in d["models"]:
            if isinstance(m, str):
                models.append((m, {}))
            elif isinstance(m, dict) and isinstance(m.get("id"), str):
                models.append((m["id"], dict(m.get("params", {}))))
            else:
                raise AmemError(f"{where}: models entries are \"ID\" or {{id = \"ID\", params = {{...}}}}")
    fields: dict[str, Any] = {"models": models}
    n = d.get("n", [100])
    fields["n_units"] = [n] if isinstance(n, int) else list(n)
    if "alphas" in d:
        fields["alphas"] = parse_loads(d["alphas"], where)
    noise = d.get("noise", [0.0])
    fields["noise"] = [float(x) for x in (noise if isinstance(noise, list) else [noise])]
    for key in ("seeds", "seed_start", "cue", "patterns", "pattern_param", "max_steps", "search",
                "criterion", "max_alpha", "bisect_rtol", "probe", "probe_params"):
        if key in d:
            fields[key] = d[key]
    sweep = SweepDef(name=name, dir=d.get("dir", name), fields=fields, quick=d.get("quick", {}),
                     description=d.get("description", ""))
    _check_keys(sweep.quick, QUICK_KEYS, f"{where}: quick")
    try:
        sweep.config().validate()
        sweep.config(quick=True).validate()
    except AmemError as err:
        raise AmemError(f"{where}: {err}") from None
    except TypeError as err:
        raise AmemError(f"{where}: {err}") from None
    return sweep


def parse_loads(value, where: str) -> list[float]:
    """``"START:STOP:STEP"`` (STOP included up to rounding), ``"LOW:HIGH"`` (bisection) or a list
    of loads."""
    if isinstance(value, str):
        try:
            parts = [float(p) for p in value.split(":")]
        except ValueError:
            parts = []
        if len(parts) == 2:
            return parts
        if len(parts) == 3 and parts[2] > 0 and parts[1] >= parts[0]:
            start, stop, step = parts
            count = int(math.floor((stop - start) / step + 1e-9)) + 1
            return [round(start + k * step, 10) for k in range(count)]
    elif isinstance(value, list) and value and all(isinstance(a, (int, float)) for a in value):
        return [float(a) for a in value]
    raise AmemError(f"{where}: alphas={value!r}; use \"START:STOP:STEP\" (STEP > 0, STOP >= "
                    "START), \"LOW:HIGH\" or a list of numbers")


def _parse_output(d: dict, where: str, sweeps: list[str]) -> OutputDef:
    _check_keys(d, OUTPUT_KEYS, where)
    name = _need(d, "name", str, where)
    where = f"{where.rsplit(': ', 1)[0]}: output {name!r}"
    if not name.replace("-", "").replace("_", "").replace(".", "").isalnum():
        raise AmemError(f"{where}: name {name!r} may hold letters, digits, '-', '_' and '.' only")
    make = _need(d, "make", str, where)
    _check_ref(make, where)
    inputs = _inputs(d, where, sweeps)
    return OutputDef(name=name, make=make, inputs=inputs, args=dict(d.get("args", {})),
                     caption=d.get("caption", ""), description=d.get("description", ""))


def _parse_reference(d: dict, where: str, sweeps: list[str]) -> ReferenceDef:
    _check_keys(d, REFERENCE_KEYS, where)
    item = _need(d, "item", str, where)
    where = f"{where.rsplit(': ', 1)[0]}: reference {item!r}"
    value = d.get("value")
    if value is not None and not isinstance(value, (int, float)):
        raise AmemError(f"{where}: value={value!r} must be a number")
    resolution = d.get("resolution")
    if resolution is not None and (not isinstance(resolution, (int, float)) or resolution < 0):
        raise AmemError(f"{where}: resolution={resolution!r} must be a number >= 0")
    measure = d.get("measure")
    if measure is not None:
        _check_ref(measure, where)
    return ReferenceDef(item=item, value=value, source=_need(d, "source", str, where),
                        criterion=d.get("criterion", ""), resolution=resolution, measure=measure,
                        inputs=_inputs(d, where, sweeps), args=dict(d.get("args", {})),
                        note=d.get("note", ""), id=str(d.get("id", item)))


def _inputs(d: dict, where: str, sweeps: list[str]) -> list[str]:
    inputs = d.get("inputs", list(sweeps))
    if isinstance(inputs, str):
        inputs = [inputs]
    unknown = [s for s in inputs if s not in sweeps]
    if unknown:
        raise AmemError(f"{where}: inputs {', '.join(map(repr, unknown))} are not sweeps of the "
                        f"study; its sweeps: {', '.join(sweeps) or 'none'}")
    return list(inputs)


def _check_ref(ref: str, where: str) -> None:
    module, sep, name = ref.partition(":")
    if not sep or not module or not name.isidentifier():
        raise AmemError(f"{where}: {ref!r} must look like \"package.module:function\"")


def _check_keys(d: dict, allowed: set[str], where: str) -> None:
    if not isinstance(d, dict):
        raise AmemError(f"{where}: expected a table, got {d!r}")
    unknown = sorted(set(d) - allowed)
    if unknown:
        raise AmemError(f"{where}: unknown key {unknown[0]!r}; allowed: {', '.join(sorted(allowed))}")


def _need(d: dict, key: str, kind: type, where: str):
    if key not in d:
        raise AmemError(f"{where}: missing {key!r}")
    if not isinstance(d[key], kind):
        raise AmemError(f"{where}: {key} = {d[key]!r} must be a {kind.__name__}")
    return d[key]


# ------------------------------------------------------------------ --quick
def quick_fields(fields: dict, quick: dict) -> dict:
    """A reduced sweep that checks the pipeline, not the numbers: few seeds, the smallest N, a
    thinned load grid (first and last load kept), unless the study's ``quick`` says otherwise."""
    out = dict(fields)
    out["seeds"] = int(quick.get("seeds", min(int(fields.get("seeds", 5)), QUICK_SEEDS)))
    out["n_units"] = list(quick.get("n", [min(fields["n_units"])]))
    if "noise" in quick:
        out["noise"] = [float(x) for x in quick["noise"]]
    if "models" in quick:
        keep = set(quick["models"])
        out["models"] = [(m, p) for m, p in fields["models"] if m in keep]
    if "params" in quick:
        out["models"] = [(m, {**p, **quick["params"]}) for m, p in out["models"]]
    if "probe_params" in quick:
        out["probe_params"] = {**fields.get("probe_params", {}), **quick["probe_params"]}
    if "alphas" in quick:
        out["alphas"] = parse_loads(quick["alphas"], "quick")
    elif fields.get("search", "grid") == "grid" and "alphas" in fields:
        alphas = fields["alphas"]
        limit = int(quick.get("max_loads", QUICK_MAX_LOADS))
        if len(alphas) > limit:
            step = math.ceil((len(alphas) - 1) / (limit - 1))
            out["alphas"] = sorted(set(alphas[::step]) | {alphas[-1]})
    return out
