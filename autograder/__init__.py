"""The course's grading engine.

- ``autograder.check.check``: the instructor's check (source notebooks, ``nbgrader autograde``).
- ``autograder.student_check``: the check students run, from data stored in their kit.
- ``autograder.runner``, ``compare``, ``check_text``, ``exercise``, ``plain_data``: observing,
  judging and wording verdicts; no answer in them, so they ship in the student kit.
- ``autograder.trusted``: cases from the salt and expected outputs from the reference.
- ``autograder.assignments``: exercises, cases and points per assignment.
- ``autograder.mistakes``: catalogues of typical wrong answers.
- ``autograder.kit``: building each assignment's student kit.
- ``autograder.batch``: the batch grader (``python -m autograder grade``).
"""
from autograder.check import check

__all__ = ["check"]
