"""The student's side in a real browser (issue 11): JupyterLab in headless chromium.

A scratch course: a fresh virtual environment holding only the ``step_by_step`` student kit
(third-party packages by a plain path entry, as in ``test_student_kit.py``; the project itself
is not importable there) and the release notebook. JupyterLab runs on 127.0.0.1 with that
environment's Python as its kernel; playwright drives Debian's chromium (``tests/browser.py``;
skipped with the install command where it is absent). The test opens the notebook, checks it is
not marked modified on opening, runs its first cells, types a typical wrong answer and then a
right one into ``linear_forward`` as a student would, and reads what ``check`` prints in the
page each time. It also opens a batch feedback page rendered from a real grading of a notebook.
Screenshots go to ``out/screenshots/student_*.png``.
"""
import json
import os
import secrets
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from browser import chromium_missing, open_browser, screenshot
from kit_tools import environment_without_the_project, install_kit

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = "step_by_step"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
WRONG = "def linear_forward(A, W, b):\n    Z = np.dot(W, A)\n    cache = (A, W, b)\n    return Z, cache\n"
RIGHT = "def linear_forward(A, W, b):\n    Z = W @ A + b\n    cache = (A, W, b)\n    return Z, cache\n"

pytestmark = pytest.mark.skipif(bool(chromium_missing()), reason=chromium_missing() or "-")


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab serving a scratch course whose kernel sees the step_by_step kit only:
    {"url": ..., "token": ..., "course": Path}."""
    from autograder.kit import build
    root = tmp_path_factory.mktemp("student-browser")
    env = root / "env"
    _, purelib = environment_without_the_project(env)
    install_kit(build.build_wheel(ASSIGNMENT, root / "dist"), purelib)
    course = root / "course"
    course.mkdir()
    shutil.copy(ROOT / "release" / ASSIGNMENT / NOTEBOOK, course / NOTEBOOK)
    settings = root / "lab-settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True)
    # every cell in the page, so that the test finds cells by their text as a reader would
    (settings / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    news = root / "lab-settings" / "@jupyterlab" / "apputils-extension"
    news.mkdir(parents=True)
    (news / "notification.jupyterlab-settings").write_text(json.dumps({"fetchNews": "false"}))
    token, port = secrets.token_hex(16), _free_port()
    environment = {"PATH": f"{env / 'bin'}:/usr/bin:/bin", "HOME": str(root), "MPLBACKEND": "Agg",
                   "OPENBLAS_NUM_THREADS": "1", "JUPYTER_CONFIG_DIR": str(root / "jupyter-config"),
                   "JUPYTER_DATA_DIR": str(root / "jupyter-data"), "JUPYTER_RUNTIME_DIR": str(root / "runtime"),
                   "JUPYTERLAB_SETTINGS_DIR": str(root / "lab-settings"),
                   "JUPYTERLAB_WORKSPACES_DIR": str(root / "lab-workspaces")}
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
        yield {"url": url, "token": token, "course": course, "log": root / "lab.log"}
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def _cell(page, text):
    """The notebook cell whose source holds ``text``."""
    return page.locator(".jp-Notebook .jp-Cell").filter(has_text=text).first


def _run(page, cell):
    """Select ``cell`` and run it with Shift+Enter as a student would; wait until its prompt shows
    a new execution number (the kernel has finished it)."""
    prompt = cell.locator(".jp-InputPrompt").first
    before = prompt.inner_text()
    prompt.click()
    page.wait_for_function("el => el.closest('.jp-Cell').classList.contains('jp-mod-selected')",
                           arg=prompt.element_handle(), timeout=10_000)
    page.keyboard.press("Shift+Enter")
    page.wait_for_function("([el, before]) => /\\[\\d+\\]/.test(el.textContent) && el.textContent !== before",
                           arg=[prompt.element_handle(), before], timeout=180_000)


def _type_answer(page, cell, code):
    """Replace the source of ``cell`` by typing ``code`` into its editor."""
    editor = cell.locator(".cm-content").first
    editor.click()
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(code)


def test_a_student_runs_the_release_and_reads_the_checks(lab):
    url = f"{lab['url']}/lab/tree/{NOTEBOOK}?token={lab['token']}"
    with open_browser(allow_hosts=("127.0.0.1",), viewport=(1400, 1000)) as browser:
        page = browser.page()
        page.goto(url, wait_until="domcontentloaded", timeout=120_000)
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=120_000)
        page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=120_000)
        tab = page.locator(".lm-TabBar-tab.jp-mod-current").first
        # while the kernel connects JupyterLab may flag the model for a moment; once settled, an
        # opened notebook that nothing was done to must not ask to be saved
        page.wait_for_function("el => !el.classList.contains('jp-mod-dirty')", arg=tab.element_handle(),
                               timeout=10_000)
        screenshot(page, "student_opened")

        first = _cell(page, "from autograder import check")
        _run(page, first)
        answer = _cell(page, "def linear_forward(A, W, b):")
        check_cell = _cell(page, "check(linear_forward)")

        _type_answer(page, answer, WRONG)
        _run(page, answer)
        _run(page, check_cell)
        wrong_text = check_cell.locator(".jp-OutputArea").inner_text()
        check_cell.scroll_into_view_if_needed()
        screenshot(page, "student_wrong_answer")
        assert "Exercise 3, linear_forward: 0 of 1 visible check passed." in wrong_text, wrong_text
        assert "FAILED  the example printed above [value]" in wrong_text, wrong_text
        assert "Likely mistake: the bias b is not added" in wrong_text, wrong_text
        assert "Points from this check: 0 of 5" in wrong_text, wrong_text

        _type_answer(page, answer, RIGHT)
        _run(page, answer)
        _run(page, check_cell)
        right_text = check_cell.locator(".jp-OutputArea").inner_text()
        screenshot(page, "student_right_answer")
        assert "Exercise 3, linear_forward: the visible check passed" in right_text, right_text
        assert "Points from this check: 5 of 5" in right_text, right_text
        assert "FAILED" not in right_text
        assert not browser.page_errors, browser.page_errors


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
