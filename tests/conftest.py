"""Shared fixtures: a fixed grading salt and student functions under exercise names."""
import types

import pytest

from autograder.salt import ENV

TEST_SALT = "tests-salt-7f3a"


@pytest.fixture(autouse=True)
def grading_salt(monkeypatch):
    """Every test grades with the same known salt unless it removes it."""
    monkeypatch.setenv(ENV, TEST_SALT)
    return TEST_SALT


def as_student(function, name):
    """A copy of ``function`` named ``name``, as if a student had written it under that name."""
    return types.FunctionType(function.__code__, function.__globals__, name,
                              function.__defaults__, function.__closure__)
