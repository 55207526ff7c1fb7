"""What the batch worker remembers across submissions changes no result.

A worker remembers the reference's answers to identical calls (``_Oracle``), the verdicts on
identical observations (``_judged``) and the release notebook's cells translated and compiled
once in its zygote (``executor.prime``). These tests grade real submissions in a real sandbox
with and without what was remembered and compare every field of the results.
"""
import json
import traceback

import numpy as np
import pytest

from autograder import examples
from autograder.batch import executor, grading, host, submission, wire
from autograder.salt import assignment_salt
from batch_tools import base_notebooks, write
from conftest import TEST_SALT

ASSIGNMENT = "step_by_step"


@pytest.fixture(scope="module")
def notebooks(tmp_path_factory):
    """Paths of an honest, a partly wrong, an untouched and a second partly wrong submission."""
    folder = tmp_path_factory.mktemp("memo")
    bases = base_notebooks(ASSIGNMENT)
    paths = {name: write(folder, name, ASSIGNMENT, bases[name])
             for name in ("correct", "partly_wrong", "untouched")}
    paths["wrong_cost"] = write(folder, "wrong_cost", ASSIGNMENT, examples.partly_wrong(
        *_release_and_source(), {"compute_cost": "compute_cost_no_mean"}))
    return paths


def _release_and_source():
    import nbformat
    from notebook_tools import ROOT
    name = f"{ASSIGNMENT}.ipynb"
    return (nbformat.read(ROOT / "release" / ASSIGNMENT / name, as_version=4),
            nbformat.read(ROOT / "source" / ASSIGNMENT / name, as_version=4))


def _forget():
    grading._ANSWERS.entries.clear()
    grading._JUDGED.entries.clear()


def _grade(paths, zygote, salt):
    settings = grading.Settings(ASSIGNMENT, salt)
    results = {}
    for name, path in paths.items():
        with wire.Budget(wire.SUBMISSION_BYTES):
            results[name] = grading.grade_submission(submission.read(str(path), ASSIGNMENT), settings, zygote)
    return results


def test_remembered_answers_and_verdicts_change_no_result(notebooks, tmp_path):
    salt = assignment_salt(TEST_SALT, ASSIGNMENT)
    zygote = host.Zygote(str(tmp_path / "scratch"))
    try:
        _forget()
        first = _grade(notebooks, zygote, salt)
        remembered = len(grading._JUDGED.entries), len(grading._ANSWERS.entries)
        again = _grade(notebooks, zygote, salt)            # everything now comes from the memos
        _forget()
        fresh = _grade(dict(reversed(list(notebooks.items()))), zygote, salt)
    finally:
        zygote.close()
    assert remembered[0] > 0 and remembered[1] > 0, "the memos were used"
    assert first == again == fresh
    scores = {name: r["score"] for name, r in first.items()}
    assert scores["correct"] == 100 and scores["untouched"] == 0
    assert 0 < scores["partly_wrong"] < 100 and 0 < scores["wrong_cost"] < 100
    assert scores["partly_wrong"] != scores["wrong_cost"] or \
        first["partly_wrong"]["exercises"] != first["wrong_cost"]["exercises"]


def test_a_remembered_entry_is_a_copy_no_result_can_change_another(notebooks, tmp_path):
    salt = assignment_salt(TEST_SALT, ASSIGNMENT)
    zygote = host.Zygote(str(tmp_path / "scratch"))
    try:
        _forget()
        one = _grade({"correct": notebooks["correct"]}, zygote, salt)["correct"]
        one["exercises"][0]["message"] = "changed by a caller"
        two = _grade({"correct": notebooks["correct"]}, zygote, salt)["correct"]
    finally:
        zygote.close()
    assert two["exercises"][0]["message"] != "changed by a caller"


def test_verdicts_are_remembered_per_salt(notebooks, tmp_path):
    """Two assignments' salts give different cases: nothing judged under one is reused for the other."""
    zygote = host.Zygote(str(tmp_path / "scratch"))
    try:
        _forget()
        _grade({"partly_wrong": notebooks["partly_wrong"]}, zygote, assignment_salt(TEST_SALT, ASSIGNMENT))
        keys = set(grading._JUDGED.entries)
        _grade({"partly_wrong": notebooks["partly_wrong"]}, zygote, assignment_salt("another", ASSIGNMENT))
    finally:
        zygote.close()
    new = set(grading._JUDGED.entries) - keys
    assert len(new) == len(keys), "every exercise judged again under the other salt"


def test_the_memo_keeps_its_size():
    memo = grading._Memo(3)
    for key in range(10):
        memo.put(key, str(key))
        memo.get(0)                       # 0 stays: it is the most recently used
    assert list(memo.entries) == [8, 9, 0]
    assert memo.get(5) is None and memo.get(9) == "9"
    weighed = grading._Memo(100, budget=10)
    for key in range(6):
        weighed.put(key, key, size=4)
    assert list(weighed.entries) == [4, 5] and weighed.used == 8
    weighed.put(5, 5, size=9)            # put again, heavier: the older entry goes
    assert list(weighed.entries) == [5] and weighed.used == 9


def test_primed_cells_run_the_same_code_under_their_own_names():
    """A primed cell is reused only under its own source and cell number: the same text at
    another position is compiled again, so an error names the cell where it sits."""
    from IPython.core.interactiveshell import InteractiveShell
    shell = InteractiveShell.instance()
    saved = dict(executor._PRIMED)
    try:
        executor._PRIMED.clear()
        sources = ["x = 1\n", "%time y = x + 1\n", "def broken(:\n", "z = 1 / 0\n"]
        executor.prime(shell, sources)
        assert set(executor._PRIMED) == {("x = 1\n", "<cell 1>"), ("%time y = x + 1\n", "<cell 2>"),
                                         ("z = 1 / 0\n", "<cell 4>")}, "a cell that cannot compile is left out"
        primed = executor._PRIMED[("%time y = x + 1\n", "<cell 2>")][1]
        assert executor._translated(shell, "%time y = x + 1\n", "<cell 2>")[1] is primed
        executor.run_cell(shell, "x = 1\n", "<cell 1>")
        executor.run_cell(shell, "%time y = x + 1\n", "<cell 2>")
        assert shell.user_ns["y"] == 2
        with pytest.raises(ZeroDivisionError) as raised:
            executor.run_cell(shell, "z = 1 / 0\n", "<cell 7>")
        assert traceback.extract_tb(raised.value.__traceback__)[-1].filename == "<cell 7>"
        with pytest.raises(SyntaxError):
            executor.run_cell(shell, "def broken(:\n", "<cell 3>")
    finally:
        executor._PRIMED.clear()
        executor._PRIMED.update(saved)


def test_release_cells_are_what_an_untouched_submission_runs():
    cells = grading.release_cells(ASSIGNMENT)
    release, _ = _release_and_source()
    untouched = submission.Submission(path=f"x/{ASSIGNMENT}.ipynb", student="", sha256="", arrived="",
                                      raw=json.dumps(examples.untouched(release)).encode())
    assert list(cells) == submission.cells_to_run(untouched, ASSIGNMENT, list(grading.assignments.exercises(ASSIGNMENT)))
    assert grading.release_cells("no_such_assignment") == ()


def test_an_observation_sends_only_what_changed():
    class Recorder:
        def send(self, message):
            self.message = wire.unpack(wire.pack(message)[4:])

    args = (np.ones((2, 2)), {"W1": np.zeros(3)})
    after = (np.ones((2, 2)), {"W1": np.array([0.0, 1.0, 0.0])})
    recorder = Recorder()
    observation = grading.Observation(output=np.float64(0.5), repeat_output=np.float64(0.5), inputs_after=after)
    executor._send_observation(recorder, 3, args, observation)
    sent = recorder.message["observation"]
    assert sent["repeat_same"] is True and sent["repeat_output"] is None
    assert [entry[0] for entry in sent["inputs_changed"]] == [1] and sent["inputs_count"] == 2

    case = type("Case", (), {"args": args, "hidden": False})()
    back = grading._observation(sent, case)
    assert back.repeat_output == back.output == 0.5
    assert back.inputs_after[0] is args[0]
    assert np.array_equal(back.inputs_after[1]["W1"], after[1]["W1"])

    for forged in ({**sent, "inputs_count": 5}, {**sent, "inputs_changed": [[2, None]]},
                   {**sent, "inputs_changed": [["0", None]]}, {**sent, "inputs_count": "2"}):
        with pytest.raises(wire.WireError):
            grading._observation(forged, case)
