"""study runner: records made by other code are not counted as done (issue 14, item 5)."""

import json
import shutil
from pathlib import Path

from amem.studies.runner import run_study, sweep_status
from amem.studies.spec import load_study

TINY = Path(__file__).resolve().parent / "data" / "tiny_study.toml"


def test_records_of_other_code_are_missing_not_done(tmp_path):
    shutil.copy(TINY, tmp_path / "tiny.toml")
    study = load_study(tmp_path / "tiny.toml")
    run_study(study, only=["grid"], progress=False, log=lambda m: None)
    before = sweep_status(study, only=["grid"])[0]
    assert before.missing == 0 and before.total > 0
    # the same records, as if another version of amem's sources had made them
    path = study.sweep_dir(study.sweep("grid")) / "records.jsonl"
    lines = []
    for line in path.read_text().splitlines():
        record = json.loads(line)
        record["code"] = {**(record.get("code") or {}), "sources": "0" * 16}
        lines.append(json.dumps(record))
    path.write_text("\n".join(lines) + "\n")
    after = sweep_status(study, only=["grid"])[0]
    assert after.missing == after.total == before.total
