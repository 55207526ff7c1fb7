"""The batch grader's results in the tools instructors already use.

- ``gradebook``: nbgrader's gradebook (scores by grade_id, the submission's arrival time)
  and the autograded notebook that formgrader shows;
- ``gradescope``: Gradescope's ``results.json``;
- ``prairielearn``: PrairieLearn's external-grader ``results.json``;
- ``gradescope_zip``: Gradescope's ``autograder.zip`` (``setup.sh``, ``run_autograder``)
  and ``gradescope_run``, what ``run_autograder`` executes in the container;
- ``prairielearn_run``: PrairieLearn's external-grading entrypoint;
- ``container``: what both containers share (the salt made root-only, the notebook found,
  one submission graded by ``python -m autograder grade`` in a subprocess);
- ``commands``: the command-line options and subcommand, hooked into ``autograder.cli``.

Every module here works from the batch grader's result dicts (``autograder.batch.grading``);
what reaches a student is each exercise's ``message`` (which never holds a hidden case's
inputs or expected values), what the function printed on the visible cases, and the
scores.
"""
