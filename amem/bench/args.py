"""Parsing of the sweep options shared by ``capacity`` and the other experiment commands."""

from __future__ import annotations

import argparse
import json

import numpy as np

from amem.errors import AmemError

#: The paper's 41 loads 0.01, 0.06, ..., 2.01 (Blümel et al. 2025, Fig. 2C).
PAPER_ALPHAS = "0.01:2.01:0.05"


def split_list(values: list[str] | None) -> list[str]:
    """``--x a --x b,c`` -> ["a", "b", "c"]."""
    out: list[str] = []
    for v in values or []:
        out.extend(p.strip() for p in v.split(",") if p.strip())
    return out


def parse_float(text: str, what: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise AmemError(f"{what} {text!r} is not a number") from None


def parse_alphas(text: str) -> list[float]:
    """``START:STOP:STEP`` (STOP included, up to rounding), ``LOW:HIGH`` or ``A,B,C``."""
    text = text.strip()
    if ":" in text:
        parts = [parse_float(p, "--alphas") for p in text.split(":")]
        if len(parts) == 2:
            return parts
        if len(parts) != 3:
            raise AmemError(f"--alphas {text!r}: use START:STOP:STEP, LOW:HIGH or A,B,C")
        start, stop, step = parts
        if step <= 0 or stop < start:
            raise AmemError(f"--alphas {text!r}: need STEP > 0 and STOP >= START")
        count = int(np.floor((stop - start) / step + 1e-9)) + 1
        return [round(start + k * step, 10) for k in range(count)]
    values = [parse_float(p, "--alphas value") for p in text.split(",") if p.strip()]
    if not values:
        raise AmemError("--alphas is empty; use START:STOP:STEP or A,B,C")
    return values


def parse_value(text: str):
    """A parameter value: JSON (numbers, true/false, lists) or else a plain string."""
    try:
        return json.loads(text)
    except ValueError:
        lowered = text.lower()
        if lowered in ("true", "false"):
            return lowered == "true"
        return text


def parse_params(items: list[str] | None, model_ids: list[str]) -> dict[str, dict]:
    """``KEY=VALUE`` (every model that accepts KEY) or ``MODEL.KEY=VALUE`` -> params per model."""
    from amem.registry import accepted_params, model_class, spec

    per_model: dict[str, dict] = {m: {} for m in model_ids}
    for item in items or []:
        if "=" not in item:
            raise AmemError(f"--param {item!r} must look like KEY=VALUE (or MODEL.KEY=VALUE)")
        key, value = item.split("=", 1)
        value = parse_value(value)
        target = [m for m in model_ids if key.startswith(spec(m).id + ".")]
        if target:
            key = key[len(spec(target[0]).id) + 1:]
        else:
            target = [m for m in model_ids
                      if (accepted_params(model_class(m)) is None
                          or key in accepted_params(model_class(m)))]
            if not target:
                from amem.registry import make

                make(model_ids[0], **{key: value})  # raises the "unknown parameter" message
        for m in target:
            per_model[m][key] = value
    return per_model


def parse_pattern_params(family_id: str, items: list[str] | None):
    """``--pattern-param KEY=VALUE`` (repeatable) -> the family's identifying parameters.

    A bare number is the family's one legacy parameter (random: bias, markov: p). Unknown
    families and parameters, and bad values, raise one-line errors.
    """
    from amem.patterns import identity_params

    params: dict = {}
    legacy = None
    for item in items or []:
        if "=" not in item:
            legacy = parse_float(item, "--pattern-param (KEY=VALUE, or a number)")
            continue
        key, value = item.split("=", 1)
        params[key.strip()] = parse_value(value)
    if legacy is not None:
        from amem.patterns import family

        name = family(family_id).legacy_param
        if name is None:
            raise AmemError(f"--pattern-param {legacy:g}: pattern family {family_id!r} needs "
                            "KEY=VALUE (see: python -m amem.bench list)")
        params.setdefault(name, legacy)
    return identity_params(family_id, params)


def add_sweep_arguments(parser: argparse.ArgumentParser, *, default_models: str, default_n: str,
                        default_alphas: str, default_seeds: int, default_out: str) -> None:
    parser.add_argument("--model", action="append", metavar="ID",
                        help=f"model id(s), repeatable or comma-separated (default: {default_models})")
    parser.add_argument("--param", action="append", metavar="KEY=VALUE",
                        help="model parameter, repeatable; MODEL.KEY=VALUE targets one model")
    parser.add_argument("--n", action="append", metavar="N",
                        help=f"number of units, repeatable or comma-separated (default: {default_n})")
    parser.add_argument("--alphas", default=default_alphas, metavar="SPEC",
                        help=f"loads P/N: START:STOP:STEP (inclusive), A,B,C, or LOW:HIGH for "
                             f"--search bisect (default: {default_alphas})")
    parser.add_argument("--seeds", type=int, default=default_seeds, metavar="K",
                        help=f"number of seeds (default: {default_seeds})")
    parser.add_argument("--out", default=default_out, metavar="DIR",
                        help=f"output directory; rerunning with the same DIR resumes (default: {default_out})")
    parser.set_defaults(_default_models=default_models, _default_n=default_n)


def sweep_models(args) -> list[str]:
    from amem.registry import list_models, spec

    ids = split_list(args.model) or [m for m in split_list([args._default_models])
                                     if m in list_models()]
    return [spec(m).id for m in ids]


def sweep_sizes(args) -> list[int]:
    out = []
    for text in split_list(args.n) or split_list([args._default_n]):
        try:
            out.append(int(text))
        except ValueError:
            raise AmemError(f"--n {text!r} is not an integer number of units") from None
    return out
