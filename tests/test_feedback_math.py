"""Formulas on nbgrader's own feedback pages, rendered with no network (issue 11).

A small course made of the real ``step_by_step`` source notebook's markdown cells (every formula
of the lesson), its setup cell and one exercise with its hidden tests is released, submitted
untouched, autograded and given feedback by the real nbgrader commands with the course's
``nbgrader_config.py``. The page must hold each formula as MathML (``autograder.math_html``),
no raw LaTeX where a formula was, and no reference to MathJax or any other remote script; opened
in chromium with the network refused, the formulas take up space on the page.
"""
import re
import shutil
import subprocess
import sys

import nbformat
import pytest

from autograder import demo
from autograder.assignments import exercises
from autograder.math_html import MathMLRenderer, to_mathml
from browser import chromium_missing, open_browser, screenshot
from nbconvert.filters.markdown_mistune import MarkdownWithMath
from notebook_tools import ROOT, nbgrader_environment, source_notebook

ASSIGNMENT = "step_by_step"
EXERCISE = "linear_forward"
SALT = "feedback-math-salt"
# Wrong on the printed example's output shape only: the visible check earns nothing, the hidden
# cases (other shapes) pass. Under autograde the cell's score is the hidden check's number.
ONLY_THE_EXAMPLE_WRONG = ("def linear_forward(A, W, b):\n    Z = W @ A + b\n    if Z.shape == (1, 2):\n"
                          "        Z = 2 * Z\n    return Z, (A, W, b)\n")


def _formulas(nb):
    """[(LaTeX, display)] of every formula nbconvert's markdown parser finds in ``nb``."""
    found = []

    class Collect(MathMLRenderer):
        def block_math(self, body):
            found.append((body, True))
            return ""

        def inline_math(self, body):
            found.append((body, False))
            return ""

        def latex_environment(self, name, body):
            found.append((f"\\begin{{{name}}}{body}\\end{{{name}}}", True))
            return ""

    for cell in nb.cells:
        if cell.cell_type == "markdown":
            MarkdownWithMath(renderer=Collect(escape=False)).render(cell.source)
    return found


def _small_source():
    """The source notebook's markdown cells, setup cell and one exercise (answer and test cells)."""
    nb = source_notebook(ASSIGNMENT)
    keep = {"setup", f"{EXERCISE}_answer", EXERCISE}
    nb.cells = [c for c in nb.cells if c.cell_type == "markdown"
                or c.metadata.get("nbgrader", {}).get("grade_id") in keep]
    return nb


@pytest.fixture(scope="module")
def feedback(tmp_path_factory):
    """(the untouched submission's feedback page, the small source notebook, the course root).
    A second student, bob, answers with ``ONLY_THE_EXAMPLE_WRONG``."""
    root = tmp_path_factory.mktemp("feedback-math")
    (root / "source" / ASSIGNMENT).mkdir(parents=True)
    shutil.copy(ROOT / "nbgrader_config.py", root)
    shutil.copy(ROOT / "source" / "header.ipynb", root / "source")
    (root / "grading_salt").write_text(SALT + "\n")
    small = _small_source()
    nbformat.write(small, root / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    env = nbgrader_environment()

    def nbgrader(*args):
        done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=root, capture_output=True,
                              text=True, env=demo.tool_environment(env))
        assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]

    nbgrader("generate_assignment", ASSIGNMENT, "--force")
    release = root / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    for student in ("alice", "bob"):
        (root / "submitted" / student / ASSIGNMENT).mkdir(parents=True)
    shutil.copy(release, root / "submitted" / "alice" / ASSIGNMENT)
    bob = nbformat.read(release, as_version=4)
    for cell in bob.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == f"{EXERCISE}_answer":
            cell.source = ONLY_THE_EXAMPLE_WRONG
    nbformat.write(bob, root / "submitted" / "bob" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    nbgrader("autograde", ASSIGNMENT, "--force", "--Autograde.create_student=True")
    nbgrader("generate_feedback", ASSIGNMENT, "--force")
    page = root / "feedback" / "alice" / ASSIGNMENT / f"{ASSIGNMENT}.html"
    return page, small, root


def test_every_formula_of_the_lesson_is_mathml_on_the_feedback_page(feedback):
    page, small, _ = feedback
    html = page.read_text(encoding="utf-8")
    formulas = _formulas(small)
    assert len(formulas) > 50, len(formulas)
    for tex, display in formulas:
        rendered = to_mathml(tex, display)
        assert rendered.startswith("<math "), (tex, rendered)   # every formula of the lesson converts
        assert rendered in html, tex
    assert html.count("<math ") >= len(formulas)
    # no formula left for MathJax: the raw source of a formula never appears between dollars
    assert "$W^{[l]}$" not in html and "\\frac{" not in html


def test_the_feedback_page_loads_nothing_from_the_network(feedback):
    page, _, _ = feedback
    html = page.read_text(encoding="utf-8")
    assert "mathjax" not in html.lower(), "MathJax is still loaded"
    remote = re.findall(r"""<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)=["']?(?:https?:)?//[^>]*>""",
                        html, flags=re.IGNORECASE)
    assert remote == []
    assert "cdnjs" not in html and "cdn.jsdelivr" not in html
    # still nbgrader's feedback page: the graded cell's output and its score are there
    number = exercises(ASSIGNMENT)[EXERCISE].number
    assert f"Exercise {number}, {EXERCISE}: not implemented" in html
    assert f"Score: 0.0 / {exercises(ASSIGNMENT)[EXERCISE].points:.1f}" in html


@pytest.mark.skipif(bool(chromium_missing()), reason=chromium_missing() or "-")
def test_the_formulas_are_drawn_offline_in_chromium(feedback):
    page, _, _ = feedback
    with open_browser() as browser:
        tab = browser.page()
        tab.goto(page.as_uri())
        sizes = tab.eval_on_selector_all(
            "math", "els => els.map(e => { const r = e.getBoundingClientRect(); return [r.width, r.height]; })")
        tab.locator("math").nth(5).scroll_into_view_if_needed()
        screenshot(tab, "feedback_math_nbgrader")
        assert not browser.problems(), browser.problems()
    assert len(sizes) > 50
    assert all(width > 0 and height > 0 for width, height in sizes), [s for s in sizes if not all(s)][:5]


def test_autograde_keeps_the_points_of_a_cell_whose_visible_check_earns_nothing(feedback, monkeypatch):
    """The visible check's verdict goes to stderr except under autograde (check_text): there it
    would zero the cell whose score is the hidden check's number."""
    from autograder import check
    from autograder.salt import ASSIGNMENT_ENV, ENV
    _, _, root = feedback
    monkeypatch.setenv(ENV, SALT)
    monkeypatch.delenv(ASSIGNMENT_ENV, raising=False)
    namespace = {}
    exec(compile(ONLY_THE_EXAMPLE_WRONG, "<bob>", "exec"), namespace)   # noqa: S102  (the test's own answer)
    function = namespace[EXERCISE]
    assert float(check(function)) == 0   # the situation: the documented example fails...
    graded = float(check(function, hidden=True))
    assert 0 < graded < exercises(ASSIGNMENT)[EXERCISE].points   # ...and hidden cases pass
    scores = demo.read_scores(root, ASSIGNMENT, students=("alice", "bob"))
    assert scores["bob"][EXERCISE] == pytest.approx(graded), scores
    assert scores["alice"][EXERCISE] == 0
