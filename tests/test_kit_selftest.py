"""The conformance kit's own tests: one purpose-built broken model per check, each failing
exactly that check (and passing or skipping every other), as scikit-learn tests
``check_estimator``. Replacing any check by ``return`` turns one of these red."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from kit_broken_models import BROKEN, MESSAGES, Good

from amem.base import RecallResult
from amem.testing import ALL_CHECKS, CheckSkipped, ConformanceError, check_model, run_check


def outcomes(model) -> dict[str, str]:
    """Every check's outcome on ``model``: "passed", "skipped: ..." or "failed: <message>"."""
    result = {}
    for check in ALL_CHECKS:
        try:
            result[check.__name__] = run_check(check, model)
        except ConformanceError as err:
            result[check.__name__] = f"failed: {err}"
    return result


def test_every_check_has_a_broken_model():
    assert set(BROKEN.values()) == {c.__name__ for c in ALL_CHECKS}


def test_a_good_model_passes_every_check():
    results = outcomes(Good())
    assert not [r for r in results.values() if r.startswith("failed")], results


@pytest.mark.parametrize("broken", list(BROKEN), ids=lambda cls: cls.__name__)
def test_each_broken_model_fails_exactly_its_check(broken):
    results = outcomes(broken())
    failed = {name: r for name, r in results.items() if r.startswith("failed")}
    assert list(failed) == [BROKEN[broken]], failed
    assert f"failed: {broken.__name__}: " in failed[BROKEN[broken]]  # names the model


def test_check_model_stops_at_the_first_failure():
    from kit_broken_models import LyingStatus

    with pytest.raises(ConformanceError, match="LyingStatus: cue .* labelled fixed_point"):
        check_model(LyingStatus())


def test_skipped_checks_are_reported_as_skipped():
    from kit_broken_models import Forgetful

    report = check_model(Good(update="async"), verbose=False)
    assert set(report.values()) == {"passed"}
    assert set(report) == {c.__name__ for c in ALL_CHECKS}
    modern = check_model("modern", verbose=False)  # no couplings: that check does not apply
    assert modern["check_recurrent_weights_exposed"].startswith("skipped: ")
    with pytest.raises(CheckSkipped, match="recurrent_weights is False"):
        ALL_CHECKS[-1](Forgetful())


def test_the_kit_fails_a_broken_model_under_python_O():
    """Failures are raised explicitly, not by ``assert``: ``python -O`` strips asserts."""
    code = ("from kit_broken_models import BROKEN\n"
            "from amem.testing import ConformanceError, check_model\n"
            "caught = 0\n"
            "for cls in BROKEN:\n"
            "    try:\n"
            "        check_model(cls())\n"
            "    except ConformanceError:\n"
            "        caught += 1\n"
            "print(caught, len(BROKEN))\n")
    here = Path(__file__).resolve().parent
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(here.parent), str(here)])}
    out = subprocess.run([sys.executable, "-O", "-c", code], capture_output=True, text=True,
                         env=env, timeout=300, check=True).stdout.split()
    assert out[0] == out[1] and int(out[0]) == len(BROKEN)


@pytest.mark.parametrize("broken", list(MESSAGES), ids=lambda cls: cls.__name__)
def test_failure_messages_say_what_went_wrong(broken):
    check = next(c for c in ALL_CHECKS if c.__name__ == BROKEN[broken])
    with pytest.raises(ConformanceError) as err:
        run_check(check, broken())
    assert str(err.value).startswith(f"{broken.__name__}: ")
    assert MESSAGES[broken] in str(err.value)
    if broken.__name__ == "WeightsCountCalls":  # that message is all there is to say
        assert str(err.value) == f"WeightsCountCalls: {MESSAGES[broken]}"


def test_differences_count_the_cues_that_differ():
    import numpy as np

    from amem.base import RecallResult
    from amem.testing.checks import _differences

    states = np.ones((4, 3), np.int8)
    a = RecallResult(states, np.zeros(4, np.int64), np.array(["fixed_point"] * 4))
    b = RecallResult(states.copy(), np.array([0, 0, 0, 2]),
                     np.array(["fixed_point", "fixed_point", "cycle", "fixed_point"]))
    assert _differences(a, b) == "2 of 4 cues differ (first: cue 2)"
    assert _differences(a, a) == ""


def test_a_passing_model_gets_one_line_saying_so(capsys):
    """check_model on a passing model prints what passed and what was skipped (issue 12)."""
    report = check_model("modern")
    line = capsys.readouterr().out.strip()
    passed = sum(1 for outcome in report.values() if outcome == "passed")
    assert line.startswith(f"modern: {passed} conformance checks passed, 1 skipped (")
    assert "check_recurrent_weights_exposed: " in line and "\n" not in line
    check_model("modern", verbose=False)
    assert capsys.readouterr().out == ""


class _AllThreeLabels(Good):
    """Legal outcomes that use every status label among a handful of cues (the label set is a
    subset of the contract's, not a proper one)."""

    def recall(self, cues, max_steps=None):
        out = super().recall(cues, max_steps)
        status = np.array(["fixed_point", "cycle", "max_steps", *out.status[3:]])[:len(out.status)]
        return RecallResult(out.states, out.steps, status)


class _StepsContradictState(Good):
    """Says 'no sweep changed anything' (steps 0, fixed_point) while handing back another state."""

    def recall(self, cues, max_steps=None):
        out = super().recall(cues, max_steps)
        states = out.states.copy()
        if max_steps == 1:
            states[out.steps == 0, 0] *= -1
        return RecallResult(states, out.steps, out.status)


def test_shape_check_accepts_every_label_of_the_contract():
    from amem.testing.checks import check_recall_shape_and_values

    check_recall_shape_and_values(_AllThreeLabels())  # must not raise


def test_status_check_catches_steps_that_contradict_the_state():
    from amem.testing.checks import check_status_is_truthful

    with pytest.raises(ConformanceError, match="labelled fixed_point"):
        check_status_is_truthful(_StepsContradictState())
