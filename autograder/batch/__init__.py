"""The batch grader: ``python -m autograder grade`` (command line in ``autograder.cli``).

Where each part lives:

- ``submission``: finding notebooks, reading them untrusted, the cells to run;
- ``zygote``, ``isolation``, ``executor``: the warm interpreter that forks
  sandboxes, the isolation of a sandbox, and what runs inside one;
- ``host``, ``channel``, ``wire``: the grader's side of a sandbox and the plain
  data (JSON, with arrays' bytes in a raw blob) that crosses between them;
- ``grading``: one submission, judged on the trusted side;
- ``pool``, ``store``: workers, and the SQLite results store;
- ``report``, ``feedback``: JSON/table/CSV output and per-student HTML.
"""
