"""The README's "Add your own model" example runs as written: registers, conforms, benchmarks."""

import json
import re
from pathlib import Path

import pytest

import amem
from amem.bench.cli import main as bench_main
from amem.testing import check_model

README = Path(__file__).resolve().parents[1] / "README.md"


def example_code() -> str:
    text = README.read_text()
    section = text.split("## Add your own model", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    assert blocks, "README 'Add your own model' section has no python code block"
    return blocks[0]


@pytest.fixture
def example_module(tmp_path, monkeypatch):
    (tmp_path / "my_models.py").write_text(example_code())
    monkeypatch.syspath_prepend(str(tmp_path))
    amem.unregister("clipped-hebbian")
    import importlib
    import sys

    sys.modules.pop("my_models", None)
    module = importlib.import_module("my_models")
    yield module
    amem.unregister("clipped-hebbian")
    sys.modules.pop("my_models", None)


def test_example_is_about_twenty_lines():
    code = [line for line in example_code().splitlines() if line.strip()]
    assert len(code) <= 30


def test_example_registers_and_passes_conformance(example_module):
    assert "clipped-hebbian" in amem.list_models()
    assert amem.spec("clipped-hebbian").entry_point == "my_models:ClippedHebbian"
    check_model("clipped-hebbian")


def test_example_runs_through_the_capacity_cli(example_module, tmp_path):
    out = tmp_path / "clipped-results"
    code = bench_main(["capacity", "--import", "my_models", "--model", "clipped-hebbian",
                       "--n", "40", "--alphas", "0.05,0.1,0.2", "--seeds", "2", "--out", str(out),
                       "--no-progress", "--no-plot"])
    assert code == 0
    trials = (out / "trials.csv").read_text().splitlines()
    assert trials[0].startswith("model") or "model" in trials[0]
    assert sum("clipped-hebbian" in row for row in trials[1:]) == 3 * 2
    summary = json.loads((out / "summary.json").read_text())
    assert "clipped-hebbian" in json.dumps(summary)
