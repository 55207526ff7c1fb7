"""The course's grading engine.

- ``autograder.check.check``: the visible check under each exercise.
- ``autograder.runner``: observe a function on cases, judge its outputs.
- ``autograder.compare``: type, shape and value comparison that names quantities.
- ``autograder.assignments``: exercises, cases and points per assignment.
- ``autograder.mistakes``: catalogues of typical wrong answers.
"""
from autograder.check import check

__all__ = ["check"]
