"""Shared fixtures: a fixed grading salt, student functions under exercise names, and running check()."""
import contextlib
import io
import socket
import types

import pytest

from autograder.salt import ENV

TEST_SALT = "tests-salt-7f3a"


@pytest.fixture(autouse=True)
def grading_salt(monkeypatch):
    """Every test grades with the same known salt unless it removes it."""
    monkeypatch.setenv(ENV, TEST_SALT)
    return TEST_SALT


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on now (for a server a test starts)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def as_student(function, name):
    """A copy of ``function`` named ``name``, as if a student had written it under that name."""
    return types.FunctionType(function.__code__, function.__globals__, name,
                              function.__defaults__, function.__closure__)


def own_copy(function):
    """The reference's code under a new code object: what a student who wrote the same would have."""
    code = function.__code__.replace(co_filename="<student>")
    return as_student(types.FunctionType(code, function.__globals__, function.__name__,
                                         function.__defaults__), function.__name__)


def run_check(function, hidden=True):
    """(points, report): what ``check(function, hidden)`` returns and prints (stdout and stderr)."""
    from autograder import check
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        points = check(function, hidden=hidden)
    return float(points), out.getvalue()


def _cat_data_missing():
    """Why the cat data cannot be used here, or "" when it can."""
    from dnn_utils.data import CatDataError, data_folder
    try:
        data_folder()
    except CatDataError as exc:
        return f"cat data not available: {exc}"
    return ""


CAT_DATA_MISSING = _cat_data_missing()
# Tests that need the cat / non-cat images: skipped, with the loader's message, when they are absent.
requires_cat_data = pytest.mark.skipif(bool(CAT_DATA_MISSING), reason=CAT_DATA_MISSING)


@pytest.fixture(scope="session")
def cat_data():
    """The loaded cat data set (skips the test, saying why, when the files are absent)."""
    if CAT_DATA_MISSING:
        pytest.skip(CAT_DATA_MISSING)
    from dnn_utils.data import load_cat_data
    return load_cat_data()
