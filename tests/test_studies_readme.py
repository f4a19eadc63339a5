"""The README's own study, for a model of your own, runs, renders and checks as written."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"


def _section(title: str) -> str:
    return README.read_text().split(f"## {title}", 1)[1].split("\n## ", 1)[0]


def test_user_study_runs_renders_and_checks_as_the_readme_shows(tmp_path):
    model_code = re.findall(r"```python\n(.*?)```", _section("Add your own model"), re.S)[0]
    section = _section("Studies: every figure and table from its sweeps")
    study = re.findall(r"```toml\n(.*?)```", section, re.S)[0]
    commands = re.findall(r"```bash\n(.*?)```", section, re.S)[0].strip().splitlines()
    (tmp_path / "my_models.py").write_text(model_code)
    (tmp_path / "my_study.toml").write_text(study)
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{tmp_path}"}
    for command in commands:
        argv = command.split()
        assert argv[:3] == ["python", "-m", "amem.bench"], command
        result = subprocess.run([sys.executable, *argv[1:]], cwd=tmp_path, env=env,
                                capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
    out = tmp_path / "clipped-study"
    for name in ("accuracy.png", "accuracy.pdf", "capacities.md", "capacities.tex",
                 "references.md", "index.html", "capacity/records.jsonl"):
        assert (out / name).exists(), name
    table = (out / "capacities.md").read_text()
    assert "clipped-hebbian" in table and "| hebbian |" in table
    assert "clipped: ok" in result.stdout  # the last command is `study check`
