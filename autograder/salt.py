"""The grading salt: the instructor's secret from which hidden cases are drawn.

The course's secret is read from the environment variable ``DNN_GRADING_SALT``
(the course's ``nbgrader_config.py`` sets it from the git-ignored file
``grading_salt``; the batch grader reads the file itself). Hidden cases never
use it directly: each assignment draws from its own salt,
``HMAC-SHA256(secret, assignment)``, so the cases of one assignment, leaked or
published, reveal nothing of another's, and a process that grades one
assignment can be handed that assignment's salt only. When
``DNN_GRADING_SALT_ASSIGNMENT`` names an assignment, ``DNN_GRADING_SALT``
already holds that assignment's derived salt (``nbgrader_config.py`` does this
when it can tell which assignment nbgrader is grading).
"""
import hashlib
import hmac
import os

import numpy as np

ENV = "DNN_GRADING_SALT"
ASSIGNMENT_ENV = "DNN_GRADING_SALT_ASSIGNMENT"


class SaltMissing(RuntimeError):
    """Hidden cases were asked for but no grading salt is configured."""


def assignment_salt(secret, assignment):
    """The salt of one assignment, derived from the course's secret (hex text)."""
    return hmac.new(secret.encode(), f"dnn-course/{assignment}".encode(), hashlib.sha256).hexdigest()


def grading_salt(assignment, environ=None):
    """The salt of ``assignment`` from the environment; SaltMissing with instructions when absent."""
    environ = os.environ if environ is None else environ
    secret = environ.get(ENV, "")
    if not secret:
        raise SaltMissing(
            f"hidden cases need the instructor's grading salt: set {ENV}, or run nbgrader from the "
            "course directory whose nbgrader_config.py reads the 'grading_salt' file")
    derived_for = environ.get(ASSIGNMENT_ENV, "")
    if not derived_for:
        return assignment_salt(secret, assignment)
    if derived_for != assignment:
        raise SaltMissing(f"this environment holds the salt of {derived_for!r} only, not of {assignment!r}")
    return secret


def case_rng(salt, exercise, index):
    """A generator for one hidden case, the same for the same assignment salt, exercise and index."""
    digest = hashlib.sha256(f"{salt}\0{exercise}\0{index}".encode()).digest()
    return np.random.RandomState(int.from_bytes(digest[:4], "little"))
