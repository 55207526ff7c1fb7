"""Gradescope's autograder.zip, built by the command line and run in a scratch folder laid out like
Gradescope's container (``<root>/source``, ``<root>/submission``, ``<root>/results``), as root, with
the capability to create namespaces removed (``setpriv``, as Docker does); and PrairieLearn's
external-grading entrypoint in the same installation, on PrairieLearn's ``/grade`` layout."""
import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import jsonschema
import nbformat
import pytest

from autograder.assignments import exercises
from autograder.batch import isolation
from batch_tools import base_notebooks
from platforms_tools import GRADESCOPE, GRADESCOPE_OURS, PRAIRIELEARN, PRAIRIELEARN_OURS, read_json

ASSIGNMENT = "step_by_step"
SECRET = "zip-salt-0b9d"
THIEF = "SALT-READ:"
# Docker's default: no CAP_SYS_ADMIN, so unshare() fails; root keeps CAP_SETUID/SETGID.
NO_NAMESPACES = ["setpriv", "--bounding-set=-sys_admin", "--inh-caps=-sys_admin", "--"]

pytestmark = pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv"),
                                reason="needs root and setpriv (util-linux) to imitate Gradescope's container")


@pytest.fixture(scope="module")
def autograder_zip(tmp_path_factory):
    folder = tmp_path_factory.mktemp("zip")
    course = folder / "course"
    course.mkdir()
    (course / "grading_salt").write_text(SECRET + "\n")
    out = folder / "autograder.zip"
    environment = {k: v for k, v in os.environ.items() if k != "DNN_GRADING_SALT"}
    done = subprocess.run(
        [sys.executable, "-m", "autograder", "gradescope-zip", "--assignment", ASSIGNMENT, "--out", str(out),
         "--course-dir", str(course), "--grade-arg=--cell-timeout=10", "--grade-arg=--call-timeout=5"],
        capture_output=True, text=True, env=environment, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "instructor secret" in done.stderr
    return out


def test_the_zip_has_gradescopes_layout_and_keeps_the_salt_private(autograder_zip):
    assert stat.S_IMODE(autograder_zip.stat().st_mode) == 0o600
    with zipfile.ZipFile(autograder_zip) as archive:
        modes = {i.filename: (i.external_attr >> 16) & 0o777 for i in archive.infolist()}
        config = json.loads(archive.read("gradescope.json"))
        salt = archive.read("grading_salt").decode().strip()
    assert modes["setup.sh"] == 0o755 and modes["run_autograder"] == 0o755   # at the archive's root
    assert modes["grading_salt"] == 0o600 and salt == SECRET
    assert "requirements.lock" in modes and "project/pyproject.toml" in modes
    assert config["assignment"] == ASSIGNMENT
    assert {"project/autograder/platforms/gradescope_run.py", "project/dnn_utils/__init__.py",
            "project/testcases/__init__.py", f"project/source/{ASSIGNMENT}/{ASSIGNMENT}.ipynb"} <= set(modes)
    assert not [n for n in modes if "__pycache__" in n or n.startswith(("project/tests/", "project/.venv/"))]


def _unzip(archive_path, target):
    """Extract as Gradescope does, keeping the files' permissions."""
    with zipfile.ZipFile(archive_path) as archive:
        for info in archive.infolist():
            path = archive.extract(info, target)
            os.chmod(path, (info.external_attr >> 16) & 0o777 or 0o644)


def _thief(nb, secret_path):
    """A correct notebook whose first function also tries to print the salt file."""
    nb = nbformat.from_dict(json.loads(nbformat.writes(nb)))
    cell = nbformat.v4.new_code_cell(
        "_own = initialize_parameters\n"
        "def initialize_parameters(n_x, n_h, n_y):\n"
        "    try:\n"
        f"        print({THIEF!r} + open({str(secret_path)!r}).read())\n"
        "    except OSError as exc:\n"
        "        print('salt unreadable:', type(exc).__name__)\n"
        "    return _own(n_x, n_h, n_y)\n")
    index = next(i for i, c in enumerate(nb.cells)
                 if c.metadata.get("nbgrader", {}).get("grade_id") == "initialize_parameters_answer")
    nb.cells.insert(index + 1, cell)
    return nb


def _install(root):
    """What setup.sh's ``pip install -e`` does, offline: a virtual environment in ``root/venv``
    that imports the zip's project, the other dependencies taken from this interpreter's."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root / "venv")], check=True)
    site = Path(subprocess.run([str(root / "venv" / "bin" / "python"), "-c",
                                "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    dependencies = [p for p in sys.path if p.endswith("site-packages") and os.path.isdir(p)]
    (site / "zz_project.pth").write_text("\n".join([str(root / "source" / "project"), *dependencies]) + "\n")


@pytest.fixture(scope="module")
def container(autograder_zip, tmp_path_factory):
    """A scratch /autograder after setup.sh (its apt/pip part done offline by ``_install``)."""
    root = tmp_path_factory.mktemp("gs") / "autograder"
    (root / "source").mkdir(parents=True)
    _unzip(autograder_zip, root / "source")
    shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
    _install(root)
    environment = {**os.environ, "AUTOGRADER_ROOT": str(root), "DNN_SETUP_SKIP_INSTALL": "1"}
    done = subprocess.run(["bash", str(root / "source" / "setup.sh")], capture_output=True, text=True,
                          env=environment, timeout=60, cwd=root)
    assert done.returncode == 0, done.stderr
    return root


def _run(root, notebook):
    submission = root / "submission"
    shutil.rmtree(submission, ignore_errors=True)
    shutil.rmtree(root / "results", ignore_errors=True)
    submission.mkdir()
    if notebook is not None:
        nbformat.write(notebook, submission / f"{ASSIGNMENT}.ipynb")
    environment = {k: v for k, v in os.environ.items() if k != "DNN_GRADING_SALT"}
    environment.pop("PYTHONPATH", None)
    environment.update(AUTOGRADER_ROOT=str(root))   # run_autograder's default: root/venv/bin/python
    done = subprocess.run([*NO_NAMESPACES, str(root / "run_autograder")], capture_output=True, text=True,
                          env=environment, timeout=600, cwd=root)
    return done


def test_setup_moves_the_salt_where_only_root_can_read_it(container):
    salt = container / "secret" / "grading_salt"
    assert not (container / "source" / "grading_salt").exists()
    assert salt.read_text().strip() == SECRET
    assert stat.S_IMODE(salt.stat().st_mode) == 0o600 and salt.stat().st_uid == 0
    assert stat.S_IMODE((container / "secret").stat().st_mode) == 0o700
    assert stat.S_IMODE((container / "source").stat().st_mode) & 0o077 == 0
    project = container / "source" / "project"
    found = subprocess.run([str(container / "venv" / "bin" / "python"), "-I", "-c",
                            "import autograder, os; print(os.path.dirname(autograder.__file__))"],
                           capture_output=True, text=True, check=True, cwd=container).stdout.strip()
    assert Path(found) == project.resolve() / "autograder"
    for name in ("autograder", "dnn_utils", "testcases", "source"):   # the answers: root only
        assert stat.S_IMODE((project / name).stat().st_mode) & 0o077 == 0, name


def test_run_autograder_without_namespaces_grades_and_says_how_it_was_isolated(container):
    notebook = _thief(base_notebooks(ASSIGNMENT)["correct"], container / "secret" / "grading_salt")
    done = _run(container, notebook)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    results = read_json(container / "results" / "results.json")
    jsonschema.validate(results, GRADESCOPE)
    jsonschema.validate(results, GRADESCOPE_OURS)
    full = sum(e.points for e in exercises(ASSIGNMENT).values())
    assert results["score"] == full, results["output"]
    level = results["extra_data"]["isolation"]
    assert f"sandbox: {level}" in results["output"]
    assert not level.startswith(isolation.FULL), level        # namespaces were unavailable
    text = json.dumps(results)
    assert SECRET not in text and THIEF not in text           # the sandbox could not read the salt
    assert "salt unreadable: PermissionError" in text         # ... and it did try


def test_run_autograder_with_no_notebook_says_what_to_upload(container):
    done = _run(container, None)
    assert done.returncode == 0, done.stdout + done.stderr
    results = read_json(container / "results" / "results.json")
    jsonschema.validate(results, GRADESCOPE)
    assert results["score"] == 0 and f"upload {ASSIGNMENT}.ipynb" in results["output"]


def test_prairielearn_entrypoint_grades_the_student_folder(container, tmp_path):
    """PrairieLearn's layout (``/grade/student``, ``/grade/results``, the salt shipped in
    ``serverFilesCourse``), the grader installed as setup.sh leaves it, no namespaces."""
    grade_root = tmp_path / "grade"
    (grade_root / "serverFilesCourse").mkdir(parents=True)
    (grade_root / "serverFilesCourse" / "grading_salt").write_text(SECRET + "\n")
    (grade_root / "student").mkdir()
    nbformat.write(base_notebooks(ASSIGNMENT)["partly_wrong"], grade_root / "student" / f"{ASSIGNMENT}.ipynb")
    secret = tmp_path / "secret"
    environment = {k: v for k, v in os.environ.items() if k not in ("DNN_GRADING_SALT", "PYTHONPATH")}

    def run():
        return subprocess.run(
            [*NO_NAMESPACES, str(container / "venv" / "bin" / "python"), "-I", "-m",
             "autograder.platforms.prairielearn_run", "--assignment", ASSIGNMENT, "--root", str(grade_root),
             "--secret-dir", str(secret), "--", "--cell-timeout=10"],
            capture_output=True, text=True, env=environment, timeout=600, cwd=grade_root)

    done = run()
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    results = read_json(grade_root / "results" / "results.json")
    jsonschema.validate(results, PRAIRIELEARN)
    jsonschema.validate(results, PRAIRIELEARN_OURS)
    assert results["gradable"] is True and results["score"] == pytest.approx(0.8)
    failed = sorted(t["name"] for t in results["tests"] if t["points"] < t["max_points"])
    assert failed == ["10. update_parameters", "7. linear_backward"]
    assert "sandbox: " in results["message"] and SECRET not in json.dumps(results)
    assert not (grade_root / "serverFilesCourse" / "grading_salt").exists()
    assert stat.S_IMODE((secret / "grading_salt").stat().st_mode) == 0o600
    assert stat.S_IMODE((grade_root / "serverFilesCourse").stat().st_mode) == 0o700
    # nothing handed in: not gradable, so PrairieLearn does not count the attempt
    (grade_root / "student" / f"{ASSIGNMENT}.ipynb").unlink()
    done = run()
    assert done.returncode == 0, done.stdout[-3000:]
    results = read_json(grade_root / "results" / "results.json")
    jsonschema.validate(results, PRAIRIELEARN)
    assert results["gradable"] is False and f"upload {ASSIGNMENT}.ipynb" in results["format_errors"][0]
