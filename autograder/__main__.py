"""``python -m autograder``: the batch grader's command line (see ``autograder.cli``)."""
import sys

from autograder.cli import main

sys.exit(main())
