"""nbgrader configuration of the course: the repository root is the course directory.

The grading salt (the secret hidden cases are drawn from) lives in the file
``grading_salt`` beside this one, which git ignores and nbgrader never
releases. Setting it in the environment here hands it to every kernel that
nbgrader starts, so ``nbgrader autograde`` runs the same hidden cases as the
batch grader.

When the command line names the assignment being graded (``nbgrader autograde
step_by_step``), the kernels get that assignment's derived salt only
(``autograder.salt``), not the course's secret.
"""
import os
import sys
from pathlib import Path

c = get_config()  # noqa: F821  (provided by traitlets when nbgrader loads this file)

c.CourseDirectory.course_id = "dnn-from-scratch"
c.IncludeHeaderFooter.header = "source/header.ipynb"
c.Execute.timeout = 300
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}

# Locked test cells get their hidden tests back without a false "checksum has changed" warning
# for every cell of every submission (autograder/nbgrader_hooks.py); a real change still warns.
from nbgrader.preprocessors import CheckCellMetadata, ClearOutput, DeduplicateIds, OverwriteKernelspec  # noqa: E402

from autograder.nbgrader_hooks import OverwriteCellsKeepingHiddenTests  # noqa: E402

c.Autograde.sanitize_preprocessors = [ClearOutput, DeduplicateIds, OverwriteKernelspec,
                                      OverwriteCellsKeepingHiddenTests, CheckCellMetadata]

# Feedback pages show the notebooks' formulas as MathML made when the page is, with no MathJax
# from a CDN: they read the same offline (autograder/math_html.py).
c.GenerateFeedback.exporter_class = "autograder.math_html.MathMLHTMLExporter"

_salt_file = Path(__file__).resolve().with_name("grading_salt")
if not os.environ.get("DNN_GRADING_SALT") and _salt_file.is_file():
    os.environ["DNN_GRADING_SALT"] = _salt_file.read_text(encoding="utf-8").strip()


def _assignment_on_command_line(argv, known):
    named = {arg.split("=", 1)[1] for arg in argv if arg.startswith("--assignment=")}
    named |= {arg for arg in argv[1:] if arg in known}
    return named.pop() if len(named) == 1 else None


_graded = _assignment_on_command_line(sys.argv, ("step_by_step", "application", "optimization"))
if _graded and os.environ.get("DNN_GRADING_SALT") and not os.environ.get("DNN_GRADING_SALT_ASSIGNMENT"):
    from autograder.salt import assignment_salt
    os.environ["DNN_GRADING_SALT"] = assignment_salt(os.environ["DNN_GRADING_SALT"], _graded)
    os.environ["DNN_GRADING_SALT_ASSIGNMENT"] = _graded
