"""The student's side in a real browser (issue 11): JupyterLab in headless chromium.

A scratch course: a fresh virtual environment holding only a student kit (third-party packages by
a plain path entry, as in ``test_student_kit.py``; the project itself is not importable there) and
the three release notebooks. JupyterLab runs on 127.0.0.1 with that environment's Python as its
kernel, with ``DNN_SKIP_TRAINING=1`` (the long trainings are skipped, as when grading); playwright
drives Debian's chromium (``tests/browser.py``; skipped with the install command where it is
absent). For each assignment, with its kit installed (as a student moving on would), the test
opens the release notebook, checks it is not marked modified on opening, runs its setup cell,
runs one exercise's check on the untouched stub, then types a typical wrong answer and a right one
into that exercise and reads what ``check`` prints in the page each time: ``linear_forward``,
``two_layer_model`` (skipped, saying why, without the cat data) and
``compute_cost_with_regularization``. It also opens a batch feedback page rendered from a real
grading of a notebook. Screenshots go to ``out/screenshots/student_*.png``.
"""
import json
import os
import secrets
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from autograder.assignments import exercises
from autograder.check_text import not_started
from autograder.examples import _imports, _renamed_source, solutions
from browser import chromium_missing, open_browser, screenshot
from conftest import CAT_DATA_MISSING, free_port
from kit_tools import environment_without_the_project, install_kit
from notebook_tools import source_notebook

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = "step_by_step"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
OTHERS = ("application", "optimization")
WRONG = "def linear_forward(A, W, b):\n    Z = np.dot(W, A)\n    cache = (A, W, b)\n    return Z, cache\n"
RIGHT = "def linear_forward(A, W, b):\n    Z = W @ A + b\n    cache = (A, W, b)\n    return Z, cache\n"

pytestmark = pytest.mark.skipif(bool(chromium_missing()), reason=chromium_missing() or "-")


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab serving a scratch course whose kernel sees the step_by_step kit only:
    {"url": ..., "token": ..., "course": Path}."""
    from autograder.kit import build
    root = tmp_path_factory.mktemp("student-browser")
    # the later assignments' kits build in the background while the first one is used
    builds = {a: subprocess.Popen([sys.executable, "-c", "import sys; from autograder.kit import build; "
                                   "print(build.build_wheel(sys.argv[1], sys.argv[2]))", a, str(root / "dist" / a)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for a in OTHERS}
    env = root / "env"
    _, purelib = environment_without_the_project(env)
    wheels = {ASSIGNMENT: build.build_wheel(ASSIGNMENT, root / "dist" / ASSIGNMENT)}
    course = root / "course"
    course.mkdir()
    for assignment in (ASSIGNMENT, *OTHERS):
        shutil.copy(ROOT / "release" / assignment / f"{assignment}.ipynb", course)
    install_kit(wheels[ASSIGNMENT], purelib)
    settings = root / "lab-settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True)
    # every cell in the page, so that the test finds cells by their text as a reader would
    (settings / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    news = root / "lab-settings" / "@jupyterlab" / "apputils-extension"
    news.mkdir(parents=True)
    (news / "notification.jupyterlab-settings").write_text(json.dumps({"fetchNews": "false"}))
    token, port = secrets.token_hex(16), free_port()
    environment = {"PATH": f"{env / 'bin'}:/usr/bin:/bin", "HOME": str(root), "MPLBACKEND": "Agg",
                   "OPENBLAS_NUM_THREADS": "1", "JUPYTER_CONFIG_DIR": str(root / "jupyter-config"),
                   "JUPYTER_DATA_DIR": str(root / "jupyter-data"), "JUPYTER_RUNTIME_DIR": str(root / "runtime"),
                   "JUPYTERLAB_SETTINGS_DIR": str(root / "lab-settings"),
                   "JUPYTERLAB_WORKSPACES_DIR": str(root / "lab-workspaces"), "DNN_SKIP_TRAINING": "1"}
    if not CAT_DATA_MISSING:
        from dnn_utils.data import data_folder
        environment["DNN_DATA_DIR"] = str(data_folder())
    log = open(root / "lab.log", "w")
    server = subprocess.Popen(
        [str(env / "bin" / "python"), "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={course}", "--allow-root",
         "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
        cwd=course, env=environment, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError((root / "lab.log").read_text()[-3000:])
                time.sleep(0.5)
        yield {"url": url, "token": token, "course": course, "log": root / "lab.log", "purelib": purelib,
               "wheels": wheels, "builds": builds, "installed": [ASSIGNMENT]}
    finally:
        for building in builds.values():
            if building.poll() is None:
                building.kill()
            building.communicate()
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def _run(page, cell, seconds=180):
    """Select ``cell`` and run it with Shift+Enter as a student would; wait until its prompt shows
    a new execution number (the kernel has finished it)."""
    prompt = cell.locator(".jp-InputPrompt").first
    before = prompt.inner_text()
    prompt.click()
    page.wait_for_function("el => el.closest('.jp-Cell').classList.contains('jp-mod-selected')",
                           arg=prompt.element_handle(), timeout=10_000)
    page.keyboard.press("Shift+Enter")
    page.wait_for_function("([el, before]) => /\\[\\d+\\]/.test(el.textContent) && el.textContent !== before",
                           arg=[prompt.element_handle(), before], timeout=seconds * 1000)


def _run_first(page, lab, cell):
    """Run the notebook's first cell; if a freshly started kernel never finishes it (seen once in
    CI, a kernel hanging in its imports on a loaded machine), restart the kernel as a student
    would and run it again: a second hang fails the test."""
    from playwright.sync_api import TimeoutError as PageTimeout
    try:
        _run(page, cell, seconds=90)
    except PageTimeout:
        for kernel in _kernels(lab):
            _kernels(lab, "POST", kernel["id"], "restart")
        page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=120_000)
        _run(page, cell)


def _type_answer(page, cell, code):
    """Replace the source of ``cell`` by typing ``code`` into its editor."""
    editor = cell.locator(".cm-content").first
    editor.click()
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(code)


def _use_kit(lab, assignment):
    """Install ``assignment``'s kit in place of the one before, as a student moving on would."""
    if lab["installed"][-1] == assignment:
        return
    if assignment not in lab["wheels"]:
        out, err = lab["builds"][assignment].communicate(timeout=300)
        assert lab["builds"][assignment].returncode == 0, err[-3000:]
        lab["wheels"][assignment] = Path(out.strip().splitlines()[-1])
    for stale in ("autograder", "dnn_utils", "testcases"):
        shutil.rmtree(lab["purelib"] / stale, ignore_errors=True)
    install_kit(lab["wheels"][assignment], lab["purelib"])
    lab["installed"].append(assignment)


def _kernels(lab, method="GET", kernel="", action=""):
    """The server's kernels (GET), or a DELETE or POST on one of them, through its REST API."""
    path = f"{lab['url']}/api/kernels{'/' + kernel if kernel else ''}{'/' + action if action else ''}"
    request = urllib.request.Request(f"{path}?token={lab['token']}", method=method,
                                     data=b"" if method == "POST" else None)
    with urllib.request.urlopen(request, timeout=30) as answer:
        body = answer.read()
    return json.loads(body) if body else None


def _open(page, lab, assignment):
    """Open the release notebook of ``assignment`` in JupyterLab; wait for its kernel; it must not
    be marked modified once settled. The kernels of notebooks opened before are shut down first,
    as when a student closes them."""
    for kernel in _kernels(lab):
        _kernels(lab, "DELETE", kernel["id"])
    # ?reset: a fresh workspace, so that only this notebook is open (JupyterLab would restore the
    # tabs of the notebooks opened before)
    page.goto(f"{lab['url']}/lab/tree/{assignment}.ipynb?reset&token={lab['token']}",
              wait_until="domcontentloaded", timeout=120_000)
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=120_000)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=120_000)
    tab = page.locator(".lm-TabBar-tab.jp-mod-current").first
    # while the kernel connects JupyterLab may flag the model for a moment; once settled, an
    # opened notebook that nothing was done to must not ask to be saved
    page.wait_for_function("el => !el.classList.contains('jp-mod-dirty')", arg=tab.element_handle(),
                           timeout=10_000)


def _work_on(page, lab, name, answers, shots):
    """Run the setup cell, then the check of ``name`` on the untouched stub and after typing each of
    ``answers`` into its answer cell. Returns what the check cell showed each time (the stub first).

    Args:
        shots: a screenshot name for each text returned ('' for none).
    """
    cells = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-CodeCell")
    _run_first(page, lab, cells.filter(has_text="from autograder import check").first)
    answer = cells.filter(has_text=f"def {name}(").first
    check_cell = cells.filter(has_text=f"check({name})").first
    texts = []
    for code, shot in zip([None, *answers], shots):
        if code is not None:
            _type_answer(page, answer, code)
        _run(page, answer)
        _run(page, check_cell)
        texts.append(check_cell.locator(".jp-OutputArea").inner_text())
        if shot:
            check_cell.scroll_into_view_if_needed()
            screenshot(page, shot)
    return texts


def _said_not_started(text, assignment, name):
    exercise = exercises(assignment)[name]
    wanted = not_started(exercise.number, name, exercise.points, False)
    return " ".join(wanted.split()) in " ".join(text.split())


def test_a_student_runs_the_release_and_reads_the_checks(lab):
    _use_kit(lab, ASSIGNMENT)
    with open_browser(allow_hosts=("127.0.0.1",), viewport=(1400, 1000)) as browser:
        page = browser.page()
        _open(page, lab, ASSIGNMENT)
        screenshot(page, "student_opened")
        stub_text, wrong_text, right_text = _work_on(
            page, lab, "linear_forward", [WRONG, RIGHT], ["", "student_wrong_answer", "student_right_answer"])
        assert _said_not_started(stub_text, ASSIGNMENT, "linear_forward"), stub_text
        assert "FAILED" not in stub_text, stub_text

        assert "Exercise 3, linear_forward: 0 of 1 visible check passed." in wrong_text, wrong_text
        assert "FAILED  the example printed above [value]" in wrong_text, wrong_text
        assert "Likely mistake: the bias b is not added" in wrong_text, wrong_text
        assert "Points from this check: 0 of 5" in wrong_text, wrong_text

        assert "Exercise 3, linear_forward: the visible check passed" in right_text, right_text
        assert "Points from this check: 5 of 5" in right_text, right_text
        assert "FAILED" not in right_text
        assert not browser.page_errors, browser.page_errors


# One cheap exercise of each later assignment: (exercise, a typical wrong answer, the catalogued
# mistake the check must name for it). The wrong answer to compute_cost_with_regularization is
# typed as a student would write it (the catalogue's variant is made by a factory).
OTHER_EXERCISES = {
    "application": ("two_layer_model", None, "two_layer_model_not_updated"),
    "optimization": ("compute_cost_with_regularization",
                     "def compute_cost_with_regularization(AL, Y, parameters, lambd):\n"
                     "    m = Y.shape[1]\n"
                     "    L = len(parameters) // 2\n"
                     "    squares = sum(np.sum(np.square(parameters[\"W\" + str(l)])) for l in range(1, L + 1))\n"
                     "    return compute_cost(AL, Y) + lambd / m * squares\n",
                     "compute_cost_with_regularization_no_2"),
}


@pytest.mark.parametrize("assignment", OTHERS)
def test_the_later_assignments_in_the_browser(lab, assignment):
    if assignment == "application" and CAT_DATA_MISSING:
        pytest.skip(CAT_DATA_MISSING)
    name, wrong, mistake_name = OTHER_EXERCISES[assignment]
    exercise = exercises(assignment)[name]
    mistake = next(m for m in exercise.mistakes if m.name == mistake_name)
    if wrong is None:
        wrong = _imports(mistake.variant) + _renamed_source(mistake.variant, name)
    right = solutions(source_notebook(assignment))[name]
    _use_kit(lab, assignment)
    with open_browser(allow_hosts=("127.0.0.1",), viewport=(1400, 1000)) as browser:
        page = browser.page()
        _open(page, lab, assignment)
        stub_text, wrong_text, right_text = _work_on(
            page, lab, name, [wrong, right],
            ["", f"student_{assignment}_wrong_answer", f"student_{assignment}_right_answer"])
        assert not browser.page_errors, browser.page_errors
    title = f"Exercise {exercise.number}, {name}:"
    assert _said_not_started(stub_text, assignment, name), stub_text
    assert "FAILED" in wrong_text and title in wrong_text, wrong_text
    assert f"Likely mistake: {mistake.message}" in " ".join(wrong_text.split()) or \
        f"Likely mistake: {mistake.message}" in wrong_text, wrong_text
    assert f"Points from this check: {exercise.points:g} of {exercise.points:g}" not in wrong_text, wrong_text
    assert "FAILED" not in right_text and f"{title} " in right_text, right_text
    assert "passed (type, shape, values" in right_text, right_text
    assert f"Points from this check: {exercise.points:g} of {exercise.points:g}" in right_text, right_text


def test_a_feedback_page_reads_as_sentences(tmp_path):
    """A batch feedback page of a graded notebook with typical mistakes, opened in chromium:
    mistakes as sentences, statuses explained, nothing fetched from the network."""
    from autograder.batch import feedback
    from batch_tools import base_notebooks, grade, stored_results, write
    folder = tmp_path / "submitted"
    write(folder, "student_a", ASSIGNMENT, base_notebooks(ASSIGNMENT)["partly_wrong"])
    store = tmp_path / "results.sqlite"
    grade([folder], ASSIGNMENT, store)
    result = stored_results(store)["student_a"]
    page_path = tmp_path / "student_a.html"
    page_path.write_text(feedback.render(result), encoding="utf-8")
    with open_browser() as browser:
        page = browser.page()
        page.goto(page_path.as_uri())
        text = page.inner_text("body")
        screenshot(page, "student_feedback_page")
        assert not browser.problems(), browser.problems()
    assert "linear_backward_no_mean" not in text
    assert "dW and db are not divided by m" in text, text
    assert "some cases passed" in text or "no case passed" in text
    assert "shared equally among its cases" in text
