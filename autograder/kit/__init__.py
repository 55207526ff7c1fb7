"""The student kit: what one assignment's release notebook needs, and no answer.

- ``contents``: which modules each assignment's kit holds (given helpers, and the
  reference of the assignments that come before it in the course);
- ``record``: the data the kit's ``check`` judges with (documented inputs,
  expected outputs, mistakes' outputs, answers of the other graded functions);
- ``build``: the kit as a folder (the batch grader's sandbox imports it) and as a
  wheel (``python -m autograder kit ASSIGNMENT``).
"""
