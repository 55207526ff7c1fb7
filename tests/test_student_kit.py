"""The student kit: it holds no answer, and its check says exactly what the instructor's says.

- The kit's data-driven ``check`` gives the same points and prints the same words as the
  instructor's ``check`` for the source solutions, every alternative-style answer, every
  catalogued mistake and the untouched stub, for every graded function (in-process).
- A scan of every kit finds no definition of a graded function of its assignment or a later
  one, no copy of the mistake catalogues, example answers, batch grader or source notebooks,
  and no hidden-case generator.
- Each kit, installed as a wheel into a fresh virtual environment that cannot see the project,
  runs its release notebook: untouched, every check says "not implemented yet" and nothing else
  breaks; with the source solutions every visible check passes; every catalogued mistake is
  named there as by the instructor's check.
"""
import ast
import contextlib
import importlib
import io
import json
import os
import subprocess
import sys
from functools import lru_cache

import nbformat
import pytest

from autograder import assignments, examples
from autograder.check import check as instructor_check
from autograder.examples import ALTERNATIVE_MODULES
from autograder.kit import build, contents, record
from autograder.student_check import check as kit_check
from conftest import CAT_DATA_MISSING, as_student
from kit_tools import environment_without_the_project, install_kit
from notebook_tools import ROOT, solution_namespace, source_notebook

ASSIGNMENTS = assignments.ASSIGNMENT_IDS


@lru_cache(maxsize=None)
def stored_checks(assignment):
    return json.loads(json.dumps(record.checks(assignment)))


def _printed(check, function, **options):
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        points = check(function, **options)
    return float(points), out.getvalue()


def _stub(name):
    def stub(*args, **kwargs):
        raise NotImplementedError()
    return as_student(stub, name)


def _answers(assignment, name, exercise):
    """(label, function) of every answer whose verdict the kit must reproduce."""
    found = [("source solution", solution_namespace(source_notebook(assignment))[name]),
             ("untouched stub", _stub(name))]
    for module_name in ALTERNATIVE_MODULES:
        module = importlib.import_module(f"autograder.examples.{module_name}")
        function = getattr(module, name, None)
        if function is not None and function.__module__ == module.__name__:
            found.append((module_name, function))
    found += [(mistake.name, as_student(mistake.variant, name)) for mistake in exercise.mistakes]
    return found


GRADED = [(a, n) for a in ASSIGNMENTS for n in assignments.exercises(a)]


@pytest.mark.parametrize("assignment,name", GRADED, ids=[f"{a}.{n}" for a, n in GRADED])
def test_kit_check_says_what_the_instructors_check_says(assignment, name):
    exercise = assignments.exercises(assignment)[name]
    checks = stored_checks(assignment)
    answers = _answers(assignment, name, exercise)
    assert len(answers) >= 3
    for label, function in answers:
        expected = _printed(instructor_check, function)
        got = _printed(kit_check, function, checks=checks)
        assert got == expected, f"{label}:\ninstructor: {expected}\nkit:        {got}"
    named = {m.name for m in exercise.mistakes}
    if named:   # the kit names mistakes from stored outputs only
        assert all("variant" not in m for m in checks["exercises"][name]["mistakes"])


def test_a_call_the_kit_has_no_answer_for_is_reported_as_such():
    checks = stored_checks("step_by_step")

    def L_model_forward(X, parameters):   # passes the activations in the wrong order
        A = X
        caches = []
        for l in range(1, len(parameters) // 2 + 1):
            A, cache = linear_activation_forward(A, parameters["W" + str(l)], parameters["b" + str(l)],
                                                 "sigmoid" if l < len(parameters) // 2 else "relu")
            caches.append(cache)
        return A, caches

    L_model_forward.__globals__["linear_activation_forward"] = None
    points, text = _printed(kit_check, L_model_forward, checks=checks)
    assert points == 0
    assert "linear_activation_forward() was called with arguments the reference never passes it" in text


# ---- what a kit holds -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def trees(tmp_path_factory):
    found = {}
    for assignment in ASSIGNMENTS:
        target = tmp_path_factory.mktemp(f"kit-{assignment}")
        files = build.build_tree(assignment, target)
        found[assignment] = (target, files)
    return found


def _defined_functions(path):
    tree = ast.parse(path.read_text())
    return {node.name for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}


def _project_files(*folders):
    return {p.read_bytes() for folder in folders for p in (ROOT / folder).rglob("*")
            if p.is_file() and "__pycache__" not in p.parts}


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_kit_holds_no_answer_of_its_assignment_or_a_later_one(trees, assignment):
    target, files = trees[assignment]
    forbidden = {name for later in contents.later_or_same(assignment) for name in assignments.exercises(later)}
    allowed_earlier = {name for before in contents.earlier(assignment) for name in assignments.exercises(before)}
    secret_files = _project_files("autograder/mistakes", "autograder/examples", "autograder/batch",
                                  "autograder/assignments", "source")
    for relative in files:
        path = target / relative
        assert path.read_bytes() not in secret_files, f"{relative} is a copy of an instructor's file"
        if relative.endswith(".py"):
            defined = _defined_functions(path)
            assert not defined & forbidden, f"{relative} defines {sorted(defined & forbidden)}"
            assert not any(n.startswith("_hidden") for n in defined), relative
            text = path.read_text()
            assert "grading_salt" not in text and "case_rng" not in text, relative
    for module in ("dnn_utils", "autograder", "testcases"):
        listed = {f.split("/", 1)[1] for f in files if f.startswith(module + "/")}
        assert "__init__.py" in listed
    assert not any(f.startswith(("autograder/batch", "autograder/mistakes", "autograder/examples",
                                 "autograder/assignments", "autograder/kit", "source"))
                   for f in files)
    assert {f"dnn_utils/{before}.py" for before in contents.earlier(assignment)} <= set(files)
    for later in contents.later_or_same(assignment):
        assert f"dnn_utils/{later}.py" not in files
    earlier_defined = set().union(*[_defined_functions(target / f"dnn_utils/{b}.py")
                                    for b in contents.earlier(assignment)] or [set()])
    assert allowed_earlier <= earlier_defined   # the earlier references are really there


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_kit_data_holds_only_the_visible_cases(trees, assignment):
    target, _ = trees[assignment]
    from autograder import plain_data
    stored = plain_data.load(target / "autograder" / "visible_checks.json.gz")
    for name, exercise in assignments.exercises(assignment).items():
        entry = stored["exercises"][name]
        assert [c["label"] for c in entry["cases"]] == [c.label for c in exercise.visible()]
        assert not any(c["label"].startswith("hidden") for c in entry["cases"])
        assert set(entry) == {"spec", "cases", "expected", "mistakes", "recorded"}


def test_the_wheel_is_reproducible(tmp_path):
    first = build.build_wheel("step_by_step", tmp_path / "a")
    second = build.build_wheel("step_by_step", tmp_path / "b")
    assert first.name == "dnn_course_kit-1.1.0-py3-none-any.whl"
    assert first.read_bytes() == second.read_bytes()


# ---- the kit installed where the project is out of reach ------------------------------------

@pytest.fixture(scope="module")
def kit_env(tmp_path_factory):
    """A fresh virtual environment with the three kits' wheels built; third-party packages come
    from the project's environment by a plain path entry (its .pth files, among them the
    project's editable install, are not processed)."""
    root = tmp_path_factory.mktemp("kit-env")
    python, purelib = environment_without_the_project(root / "env")
    wheels = {a: build.build_wheel(a, root / "dist") for a in ASSIGNMENTS}
    kernels = root / "jupyter" / "kernels" / "kit"
    kernels.mkdir(parents=True)
    (kernels / "kernel.json").write_text(json.dumps({
        "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "kit", "language": "python"}))
    return {"root": root, "python": python, "purelib": purelib, "wheels": wheels}


def _install(kit_env, assignment):
    """Install one kit (replacing the one before, as a student moving on would)."""
    for stale in ("autograder", "dnn_utils", "testcases"):
        subprocess.run(["rm", "-rf", str(kit_env["purelib"] / stale)], check=True)
    install_kit(kit_env["wheels"][assignment], kit_env["purelib"])


def _run_in_kit(kit_env, code, stdin=""):
    done = subprocess.run([str(kit_env["python"]), "-I", "-c", code], input=stdin, capture_output=True,
                          text=True, cwd=kit_env["root"], env={"PATH": "/usr/bin:/bin", "MPLBACKEND": "Agg",
                                                               "OPENBLAS_NUM_THREADS": "1"})
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _execute(kit_env, nb, monkeypatch):
    from nbclient import NotebookClient
    monkeypatch.setenv("JUPYTER_PATH", str(kit_env["root"] / "jupyter"))
    monkeypatch.setenv("DNN_SKIP_TRAINING", "1")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")
    monkeypatch.delenv("PYTHONPATH", raising=False)
    monkeypatch.delenv("DNN_GRADING_SALT", raising=False)
    if not CAT_DATA_MISSING:
        from dnn_utils.data import data_folder
        monkeypatch.setenv("DNN_DATA_DIR", str(data_folder()))
    NotebookClient(nb, timeout=600, kernel_name="kit", allow_errors=True,
                   resources={"metadata": {"path": str(kit_env["root"])}}).execute()
    return nb


def _check_outputs(nb):
    return {c.metadata["nbgrader"]["grade_id"]: "".join(o.get("text", "") for o in c.outputs)
            for c in nb.cells if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade")}


def _errors(nb):
    return [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]


@pytest.mark.notebook
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_notebook_runs_on_the_installed_kit(kit_env, assignment, monkeypatch):
    if assignment != "step_by_step" and CAT_DATA_MISSING:
        pytest.skip(CAT_DATA_MISSING)
    _install(kit_env, assignment)
    probe = _run_in_kit(kit_env, (
        "import importlib.util as u\n"
        "for name in ('dnn_utils.step_by_step', 'dnn_utils.application', 'dnn_utils.optimization',\n"
        "             'autograder.batch', 'autograder.mistakes', 'autograder.examples', 'autograder.trusted',\n"
        "             'autograder.assignments', 'autograder.kit'):\n"
        "    try:\n        found = u.find_spec(name) is not None\n"
        "    except ModuleNotFoundError:\n        found = False\n"
        "    print(name, found)\n"))
    present = dict(line.split() for line in probe.splitlines())
    for name, there in present.items():
        owner = name.split(".")[1]
        expected = owner in contents.earlier(assignment)
        assert there == str(expected), f"{name} importable: {there} in the {assignment} kit"
    release = nbformat.read(ROOT / "release" / assignment / f"{assignment}.ipynb", as_version=4)
    untouched = _execute(kit_env, examples.untouched(release), monkeypatch)
    errors = _errors(untouched)
    assert errors and {e["ename"] for e in errors} == {"NotImplementedError"}, \
        sorted({(e["ename"], e["evalue"][:80]) for e in errors})
    for grade_id, text in _check_outputs(untouched).items():
        assert "not implemented yet" in text and "passed (type, shape" not in text, (grade_id, text)
    solved = _execute(kit_env, examples.correct(release, source_notebook(assignment)), monkeypatch)
    assert not _errors(solved), [(e["ename"], e["evalue"][:200]) for e in _errors(solved)]
    for grade_id, text in _check_outputs(solved).items():
        assert "passed (type, shape, values" in text, (grade_id, text)


_MISTAKES_IN_KIT = """
import contextlib, io, json, sys, types
import numpy as np
from autograder import check
import dnn_utils
requests = json.load(sys.stdin)
answers = {}
for item in requests:
    namespace = {"np": np, **{n: getattr(dnn_utils, n) for n in dnn_utils.__all__}}
    for line in item["setup"]:
        exec(line, namespace)
    exec(item["code"], namespace)
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        points = check(namespace[item["name"]])
    answers[item["key"]] = [float(points), out.getvalue()]
print(json.dumps(answers))
"""


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_catalogued_mistake_is_named_by_the_installed_kit(kit_env, assignment):
    """Each mistake's code, as a student would paste it, checked by the installed kit in the
    fresh environment: the same points and words as the instructor's check."""
    _install(kit_env, assignment)
    source = source_notebook(assignment)
    setup = next(c.source for c in source.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "setup")
    setup_lines = [line for line in setup.splitlines() if line and not line.lstrip().startswith("%")]
    setup_code = "\n".join(setup_lines)
    provided = examples.provided_definitions(source)
    requests, expected = [], {}
    solved = examples.solutions(source)
    for name, exercise in assignments.exercises(assignment).items():
        for mistake in exercise.mistakes:
            key = f"{name}/{mistake.name}"
            try:   # a variant made by a factory has no source of its own to paste
                code = examples._imports(mistake.variant) + examples._renamed_source(mistake.variant, name)
            except StopIteration:
                continue
            others = "\n".join(solved[n] for n in assignments.exercises(assignment) if n != name)
            requests.append({"key": key, "name": name, "setup": [setup_code, others, *provided], "code": code})
            namespace = {}
            exec(setup_code, namespace)
            exec(others, namespace)
            for text in provided:
                exec(text, namespace)
            exec(code, namespace)
            expected[key] = list(_printed(instructor_check, namespace[name]))
    # mistakes made by a factory have no source to paste: the in-process test above covers them
    assert len(requests) >= 3, len(requests)
    got = json.loads(_run_in_kit(kit_env, _MISTAKES_IN_KIT, stdin=json.dumps(requests)))
    for key, want in expected.items():
        assert got[key] == want, f"{key}:\ninstructor: {want}\nkit:        {got[key]}"
    assert sum("Likely mistake" in want[1] for want in expected.values()) >= len(expected) // 2


def test_the_kit_cache_keeps_other_assignments_kits_out_of_sight(tmp_path):
    """A sandbox knows its own kit's folder; the cache cannot be listed by others and the other
    kits' names carry a digest keyed with a secret only the grader can read."""
    cache = tmp_path / "kits"
    first = build.unpacked("step_by_step", cache)
    again = build.unpacked("step_by_step", cache)
    assert first == again and first.parent == cache
    assert os.stat(cache).st_mode & 0o777 == 0o711
    assert os.stat(cache / ".key").st_mode & 0o777 == 0o600
    assert os.stat(first).st_mode & 0o777 == 0o755
    fingerprint = first.name.split("-")[1]
    other = build.unpacked("application", cache)
    assert other.name.startswith(f"application-{fingerprint}-")
    assert other.name.split("-")[2] != first.name.split("-")[2]
    (cache / ".key").write_bytes(b"another grader's secret")
    os.utime(cache / ".key")
    assert build.unpacked("application", cache) != other   # the name depends on the secret
