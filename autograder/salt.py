"""The grading salt: the instructor's secret from which hidden cases are drawn.

It is read from the environment variable ``DNN_GRADING_SALT``. The course's
``nbgrader_config.py`` sets that variable from the file ``grading_salt`` beside
it (never committed, never released), so ``nbgrader autograde`` and the batch
grader draw the same hidden cases, and students cannot know them.
"""
import hashlib
import os

import numpy as np

ENV = "DNN_GRADING_SALT"


class SaltMissing(RuntimeError):
    """Hidden cases were asked for but no grading salt is configured."""


def grading_salt():
    """The configured salt; raises SaltMissing with instructions when there is none."""
    salt = os.environ.get(ENV, "")
    if not salt:
        raise SaltMissing(
            f"hidden cases need the instructor's grading salt: set {ENV}, or run nbgrader from the "
            "course directory whose nbgrader_config.py reads the 'grading_salt' file")
    return salt


def case_rng(salt, assignment, exercise, index):
    """A generator for one hidden case, the same for the same salt, exercise and index."""
    digest = hashlib.sha256(f"{salt}\0{assignment}\0{exercise}\0{index}".encode()).digest()
    return np.random.RandomState(int.from_bytes(digest[:4], "little"))
