"""dnn_utils.training: progress lines, and long cells that run for students but not when grading."""
import pytest

from dnn_utils import training
from dnn_utils.training import grading_reason, progress_line


@pytest.mark.parametrize("environ, skipped", [
    ({}, False),
    ({"NBGRADER_EXECUTION": "autograde"}, True),
    ({"NBGRADER_EXECUTION": "validate"}, True),
    ({"NBGRADER_EXECUTION": ""}, False),
    ({"DNN_SKIP_TRAINING": "1"}, True),
    ({"DNN_SKIP_TRAINING": "yes"}, True),
    ({"DNN_SKIP_TRAINING": "0"}, False),
    ({"DNN_SKIP_TRAINING": ""}, False),
    ({"DNN_GRADING_SALT": "s"}, False),   # having the salt is not grading
])
def test_when_long_cells_are_skipped(environ, skipped):
    reason = grading_reason(environ)
    assert bool(reason) is skipped
    if skipped:
        assert next(iter(environ)) in reason


def test_progress_line_shows_cost_bar_and_share():
    assert progress_line(0, 2500, 0.6930497) == \
        "Cost after iteration 0: 0.693050  [....................]   0%"
    assert progress_line(1200, 2500, 0.2749) == \
        "Cost after iteration 1200: 0.274900  [#########...........]  48%"
    assert progress_line(0, 0, 1.0).endswith("[####################] 100%")
    assert progress_line(250, 1000, 0.1, unit="epoch") == \
        "Cost after epoch 250: 0.100000  [#####...............]  25%"


def test_progress_line_accepts_a_0d_array():
    import numpy as np
    assert progress_line(100, 200, np.squeeze(np.array([[0.5]]))).startswith(
        "Cost after iteration 100: 0.500000")


@pytest.fixture
def shell(monkeypatch):
    """A fresh IPython shell with the extension loaded, outside any grader."""
    from IPython.core.interactiveshell import InteractiveShell
    monkeypatch.delenv(training.NBGRADER_ENV, raising=False)
    monkeypatch.delenv(training.SKIP_ENV, raising=False)
    shell = InteractiveShell.instance()
    shell.run_cell("%load_ext dnn_utils.training", store_history=False)
    yield shell
    shell.user_ns.pop("trained", None)


def test_magic_runs_the_cell_in_the_notebook_namespace(shell, capsys):
    shell.user_ns["steps"] = 3
    result = shell.run_cell("%%skip_when_grading training\ntrained = steps * 2\nprint('ran')")
    assert result.success
    assert shell.user_ns["trained"] == 6
    assert "ran" in capsys.readouterr().out


@pytest.mark.parametrize("variable, value", [("NBGRADER_EXECUTION", "autograde"),
                                              ("DNN_SKIP_TRAINING", "1")])
def test_magic_skips_the_cell_when_grading(shell, capsys, monkeypatch, variable, value):
    monkeypatch.setenv(variable, value)
    result = shell.run_cell("%%skip_when_grading training the model\ntrained = True")
    assert result.success and "trained" not in shell.user_ns
    out = capsys.readouterr().out
    assert out.startswith("Skipped training the model while grading:") and variable in out


def test_errors_inside_the_cell_are_the_cell_errors(shell):
    result = shell.run_cell("%%skip_when_grading\nraise ValueError('inside')")
    assert not result.success and isinstance(result.error_in_exec, ValueError)


def test_magic_lines_inside_the_cell_still_work(shell):
    result = shell.run_cell("%%skip_when_grading\n%time trained = 1 + 1")
    assert result.success and shell.user_ns["trained"] == 2
