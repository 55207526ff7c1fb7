"""Nothing secret reaches a submission in the batch grader's sandbox, and no hidden case reaches a student.

One real batch of submissions that try every trick a student with the whole kit could try:
find the reference anywhere the sandbox can reach, import another assignment's reference, the
mistake catalogue or the example answers, ask the grader's oracle for a function the exercise
may not call, forge what the harness reports, stash one exercise's hidden inputs for another,
and smuggle hidden inputs out through exception names, dict keys, warnings and printing.
Each must score no more than an honest wrong answer, and no hidden input or expected value may
appear anywhere in what is stored or in the feedback page (recomputed here from the salt).
"""
import ast
import json
import os
import subprocess
import sys

import numpy as np
import nbformat
import pytest

from autograder.assignments import exercises
from autograder.salt import assignment_salt
from autograder.trusted import cases_for, expected_output
from batch_tools import base_notebooks, grade, points, stored_results, write
from conftest import TEST_SALT

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="full isolation needs root (as on CI)")
ASSIGNMENT = "step_by_step"
# the search cell reads every Python file in reach: generous limits, so that a loaded machine
# cannot cut it short
LIMITS = ["--cell-timeout", "180", "--call-timeout", "10", "--submission-timeout", "400", "--workers", "2"]

SEARCH_CELL = r'''
import gc, importlib.util, inspect, os, sys
FOUND, SEEN = [], {"files": 0, "modules": 0, "objects": 0}
for top in ("/", os.getcwd(), sys.prefix, *sys.path):
    for folder, dirs, files in os.walk(top):
        dirs[:] = [d for d in dirs if d not in ("proc", "sys", "dev")]
        for name in files:
            SEEN["files"] += 1
            path = os.path.join(folder, name)
            if name.endswith(".py") and SEEN["files"] < 400000:
                try:
                    with open(path, errors="ignore") as handle:
                        text = handle.read(65536)
                except OSError:
                    continue
                if "def linear_backward(" in text or "def L_model_forward_with_dropout(" in text:
                    FOUND.append(path)
            elif name in ("step_by_step.ipynb", "grading_salt", "results.sqlite"):
                FOUND.append(path)
for name, module in list(sys.modules.items()):
    SEEN["modules"] += 1
    if getattr(module, "linear_backward", None) is not None:
        FOUND.append("module " + name)
for name in ("dnn_utils.step_by_step", "dnn_utils.application", "dnn_utils.optimization",
             "autograder.mistakes", "autograder.examples", "autograder.trusted", "autograder.assignments",
             "autograder.batch", "autograder.kit"):
    try:
        if importlib.util.find_spec(name) is not None:
            FOUND.append("importable " + name)
    except ModuleNotFoundError:
        pass
gc.unfreeze()   # the warm interpreter's objects are frozen: look at them too
for item in gc.get_objects():
    SEEN["objects"] += 1
    if inspect.isfunction(item) and item.__name__ in ("linear_backward", "update_parameters") \
            and not item.__code__.co_filename.startswith("<cell"):
        FOUND.append("function " + item.__code__.co_filename)
print("SEARCH", SEEN, "FOUND", FOUND)
'''

FRAME_SEARCH = r'''
import gc, inspect, sys
import numpy as np
def _reachable_arrays():
    count, frame = 0, sys._getframe(1)
    while frame is not None:
        for scope in (frame.f_locals, frame.f_globals):
            for value in list(scope.values()):
                if isinstance(value, np.ndarray):
                    count += 1
        frame = frame.f_back
    for item in gc.get_objects():
        if inspect.isfunction(item) and item.__name__ == "linear_backward" \
                and not item.__code__.co_filename.startswith("<cell"):
            print("FOUND FUNCTION", item.__code__.co_filename)
    return count
def linear_backward(dZ, cache):
    A_prev, W, b = cache
    print("ARRAYS IN REACH", _reachable_arrays())
    m = A_prev.shape[1]
    return W.T @ dZ, dZ @ A_prev.T, np.sum(dZ, axis=1, keepdims=True)   # 1/m missing: still wrong
'''

ATTACKS = {
    # name: (base notebook, {function: answer code} or None, extra cell or "", highest score allowed)
    "searches_everything_for_the_reference": ("partly_wrong", {"linear_backward": FRAME_SEARCH}, SEARCH_CELL, 80),
    "imports_the_reference": ("partly_wrong", {"linear_backward": (
        "import dnn_utils.step_by_step as reference\n"
        "def linear_backward(dZ, cache):\n    return reference.linear_backward(dZ, cache)\n")}, "", 80),
    "imports_a_later_assignments_reference": ("partly_wrong", {"linear_backward": (
        "from dnn_utils.optimization import L_model_backward_with_regularization as later\n"
        "def linear_backward(dZ, cache):\n    return later(dZ, cache, 0.0)\n")}, "", 80),
    "negates_the_mistake_catalogue": ("partly_wrong", {"linear_backward": (
        "from autograder.mistakes.step_by_step import linear_backward_no_mean as wrong\n"
        "def linear_backward(dZ, cache):\n    dA, dW, db = wrong(dZ, cache)\n"
        "    m = cache[0].shape[1]\n    return dA, dW / m, db / m\n")}, "", 80),
    "wraps_the_example_answers": ("partly_wrong", {"linear_backward": (
        "from autograder.examples.alternative_style import linear_backward as theirs\n"
        "def linear_backward(dZ, cache):\n    return theirs(dZ, cache)\n")}, "", 80),
    "profile_off_then_reference_in_a_thread": ("partly_wrong", {"linear_backward": (
        "import sys, threading\n"
        "def linear_backward(dZ, cache):\n    sys.setprofile(None)\n    box = []\n"
        "    def run():\n        import dnn_utils.step_by_step as r\n        box.append(r.linear_backward(dZ, cache))\n"
        "    t = threading.Thread(target=run)\n    t.start()\n    t.join()\n    return box[0]\n")}, "", 80),
    "asks_the_oracle_for_a_function_it_may_not_call": ("correct", {"L_model_forward": (
        "def L_model_forward(X, parameters):\n"
        "    oracle = type(linear_activation_forward)(linear_activation_forward.channel, 'L_model_forward')\n"
        "    return oracle(X, parameters)\n")}, "", 85),
    "forges_the_harness_observe": ("partly_wrong", None,
                                   "import autograder.runner as runner\n"
                                   "def observe(*args, **kwargs):\n"
                                   "    return runner.Observation(output=0.0, delegated=True)\n"
                                   "runner.observe.__code__ = observe.__code__\n", 80),
    "stashes_hidden_inputs_for_a_later_exercise": ("correct", {
        "linear_forward": (
            "import os, numpy as np\nSTASH = []\n"
            "def linear_forward(A, W, b):\n    STASH.append(A.ravel()[:3].tolist())\n"
            "    os.environ['STASH'] = repr(STASH)\n"
            "    for path in ('/tmp/stash', '/sandbox/stash', 'stash'):\n"
            "        try:\n            open(path, 'a').write(repr(A.ravel()[:3].tolist()))\n"
            "        except OSError:\n            pass\n"
            "    return W @ A + b, (A, W, b)\n"),
        "compute_cost": (
            "import os, numpy as np\n"
            "def compute_cost(AL, Y):\n"
            "    files = []\n"
            "    for path in ('/tmp/stash', '/sandbox/stash', 'stash'):\n"
            "        try:\n            files.append(open(path).read())\n"
            "        except OSError:\n            pass\n"
            "    print('STASH', len(STASH), STASH[-2:], os.environ.get('STASH', '')[-120:], [f[-120:] for f in files])\n"
            "    m = Y.shape[1]\n"
            "    return np.squeeze(-np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)) / m)\n")}, "", 100),
    # one exercise's observer signals the notebook's process (stopped meanwhile, resumed after it
    # died) and marks the socket all observers share, and lowers the notebook process's limits;
    # a later exercise's visible case prints what arrived
    "signals_and_socket_options_carry_hidden_inputs": ("correct", {
        "linear_forward": (
            "import os, resource, signal, socket\n"
            "RECEIVED, TRIED = [], set()\n"
            "def _collect(signum, frame):\n    RECEIVED.append(signum - signal.SIGRTMIN)\n"
            "for _number in range(signal.SIGRTMIN, signal.SIGRTMAX + 1):\n"
            "    signal.signal(_number, _collect)\n"
            "def _sockets(action):\n"
            "    for fd in range(3, 20):\n"
            "        try:\n            sock = socket.socket(fileno=fd)\n"
            "        except OSError:\n            continue\n"
            "        try:\n            action(sock)\n"
            "        except OSError as exc:\n            TRIED.add(type(exc).__name__)\n"
            "        finally:\n            sock.detach()\n"
            "def _leak(value):\n"
            "    for shift in (0, 5, 10, 15):\n"
            "        try:\n            os.kill(os.getppid(), signal.SIGRTMIN + ((value >> shift) & 31))\n"
            "        except OSError as exc:\n            TRIED.add(type(exc).__name__)\n"
            "    _sockets(lambda sock: sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVLOWAT, value + 7))\n"
            "    try:\n"
            "        hard = resource.getrlimit(resource.RLIMIT_MSGQUEUE)[1]\n"
            "        resource.prlimit(os.getppid(), resource.RLIMIT_MSGQUEUE, (value + 7, hard))\n"
            "    except (OSError, ValueError) as exc:\n        TRIED.add(type(exc).__name__)\n"
            "def linear_forward(A, W, b):\n"
            "    _leak(int(abs(A.ravel()[0]) * 1e6) % 2**20)\n"
            "    return W @ A + b, (A, W, b)\n"),
        "compute_cost": (
            "import resource, socket, numpy as np\n"
            "def compute_cost(AL, Y):\n"
            "    marks = []\n"
            "    _sockets(lambda sock: marks.append(sock.getsockopt(socket.SOL_SOCKET, socket.SO_RCVLOWAT)))\n"
            "    print('SIDE', (RECEIVED[:12], marks, resource.getrlimit(resource.RLIMIT_MSGQUEUE)[0]))\n"
            "    m = Y.shape[1]\n"
            "    return np.squeeze(-np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)) / m)\n")}, "", 100),
    "exception_class_named_after_the_inputs": ("correct", {"linear_forward": (
        "def linear_forward(A, W, b):\n"
        "    name = 'Leak_' + '_'.join(str(int(abs(v) * 1e6)) for v in A.ravel()[:3])\n"
        "    raise type(name, (Exception,), {})(repr(A))\n")}, "", 95),
    "extra_keys_named_after_the_inputs": ("correct", {"update_parameters": (
        "def update_parameters(params, grads, learning_rate):\n"
        "    out = {k: v - learning_rate * grads['d' + k] for k, v in params.items()}\n"
        "    out.update({'k%.8f' % v: 0 for v in params['W1'].ravel()[:3]})\n"
        "    return out\n")}, "", 90),
    "warns_and_prints_the_inputs": ("correct", {"linear_forward": (
        "import warnings\n"
        "def linear_forward(A, W, b):\n"
        "    warnings.warn('LEAK %r' % A.ravel()[:3].tolist())\n"
        "    print('LEAK', A.ravel()[:3].tolist())\n"
        "    return W @ A + b, (A, W, b)\n")}, "", 100),
}


def _notebook(bases, base, answers, cell):
    nb = nbformat.from_dict(json.loads(json.dumps(bases[base])))
    for function, code in (answers or {}).items():
        target = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == f"{function}_answer")
        target.source = code
    if cell:
        nb.cells.insert(3, nbformat.v4.new_code_cell(cell))
    return nb


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    root = tmp_path_factory.mktemp("secrets")
    folder, out = root / "submitted", root / "out"
    bases = base_notebooks(ASSIGNMENT)
    write(folder, "honest_correct", ASSIGNMENT, bases["correct"])
    write(folder, "honest_partly_wrong", ASSIGNMENT, bases["partly_wrong"])
    for name, (base, answers, cell, _) in ATTACKS.items():
        write(folder, name, ASSIGNMENT, _notebook(bases, base, answers, cell))
    store = out / "results.sqlite"
    found, _ = grade([folder], ASSIGNMENT, store, *LIMITS)
    pages = out / "feedback"
    done = subprocess.run([sys.executable, "-m", "autograder", "feedback", "--assignment", ASSIGNMENT,
                           "--results", str(store), "--output", str(pages)],
                          capture_output=True, text=True, cwd=out)
    assert done.returncode == 0, done.stderr
    alone, _ = grade([folder / "honest_correct"], ASSIGNMENT, root / "alone" / "results.sqlite", *LIMITS)
    return {"results": stored_results(store), "listed": found, "pages": pages, "alone": alone}


def _hidden_values():
    """Distinctive numbers of every hidden input and expected output (what must never leak)."""
    salt = assignment_salt(TEST_SALT, ASSIGNMENT)
    values = set()

    def collect(item, limit=6):
        if isinstance(item, np.ndarray):
            for v in item.ravel()[:limit]:
                if abs(v) > 1e-3 and float(v) != round(float(v)):
                    values.add(repr(abs(float(v)))[:9])      # as JSON or repr() would show it
                    values.add(f"{abs(float(v)):.8f}")       # as NumPy prints it in the notebook
        elif isinstance(item, dict):
            for v in item.values():
                collect(v, limit)
        elif isinstance(item, (tuple, list)):
            for v in item:
                collect(v, limit)
    for exercise in exercises(ASSIGNMENT).values():
        for case in cases_for(ASSIGNMENT, exercise, salt):
            if case.hidden:
                collect(case.args)
                collect(expected_output(exercise, case))
    hidden, values = values, set()
    for exercise in exercises(ASSIGNMENT).values():   # the initialisers' seeds make some numbers public
        for case in exercise.visible():
            collect(case.args, None)
            collect(expected_output(exercise, case), None)
    return hidden - values


def test_the_honest_neighbours_keep_their_scores(batch):
    assert batch["results"]["honest_correct"]["score"] == 100
    assert batch["results"]["honest_partly_wrong"]["score"] == 80
    assert points(batch["results"]["honest_correct"]) == points(batch["alone"]["honest_correct"])


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_no_trick_scores_more_than_an_honest_wrong_answer(batch, name):
    result = batch["results"][name]
    assert result["status"] == "graded", result["error"]
    assert result["score"] <= ATTACKS[name][3] + 1e-9, json.dumps(result)[:3000]


def test_a_search_of_everything_in_reach_finds_no_answer(batch):
    result = batch["results"]["searches_everything_for_the_reference"]
    searched = next((c["output"] for c in result["cells"] if "SEARCH" in c["output"]), None)
    assert searched is not None, result["cells"]
    assert "FOUND []" in searched, searched
    seen = eval(searched.split("SEARCH ", 1)[1].split(" FOUND")[0])   # noqa: S307  (our own print)
    assert seen["files"] > 1000 and seen["modules"] > 100 and seen["objects"] > 10000, seen
    entry = next(e for e in result["exercises"] if e["function"] == "linear_backward")
    assert "ARRAYS IN REACH" in entry["printed"] and "FOUND FUNCTION" not in entry["printed"]
    assert entry["points"] == 0


def test_forbidden_imports_fail_for_want_of_the_module(batch):
    for name, module in (("imports_the_reference", "dnn_utils.step_by_step"),
                         ("imports_a_later_assignments_reference", "dnn_utils.optimization"),
                         ("negates_the_mistake_catalogue", "autograder.mistakes"),
                         ("wraps_the_example_answers", "autograder.examples")):
        cells = batch["results"][name]["cells"]
        assert any(f"No module named '{module}" in (c["error"] or "") for c in cells), (name, cells)


def test_the_oracle_answers_only_what_the_exercise_may_call(batch):
    entry = next(e for e in batch["results"]["asks_the_oracle_for_a_function_it_may_not_call"]["exercises"]
                 if e["function"] == "L_model_forward")
    assert entry["points"] == 0 and "is not a graded function this exercise may call" in entry["message"]


def _hidden_cases(name):
    salt = assignment_salt(TEST_SALT, ASSIGNMENT)
    return [c for c in cases_for(ASSIGNMENT, exercises(ASSIGNMENT)[name], salt) if c.hidden]


def test_one_exercises_observer_leaves_nothing_for_the_next(batch):
    result = batch["results"]["stashes_hidden_inputs_for_a_later_exercise"]
    entry = next(e for e in result["exercises"] if e["function"] == "compute_cost")
    assert "STASH" in entry["printed"], entry["printed"]
    hidden = [repr(case.args[0].ravel()[:3].tolist())[1:12] for case in _hidden_cases("linear_forward")]
    assert not [h for h in hidden if h in entry["printed"]], entry["printed"]
    assert result["score"] == 100


def test_signals_socket_options_and_limits_carry_nothing_between_observers(batch):
    result = batch["results"]["signals_and_socket_options_carry_hidden_inputs"]
    printed = next(e for e in result["exercises"] if e["function"] == "compute_cost")["printed"]
    line = next(line for line in printed.splitlines() if line.startswith("SIDE"))
    received, marks, limit = ast.literal_eval(line[len("SIDE "):])
    sent = {int(abs(case.args[0].ravel()[0]) * 1e6) % 2**20 for case in _hidden_cases("linear_forward")}
    assert received == [], "no signal reached the notebook's process"
    assert marks and not {m - 7 for m in marks} & sent, "the shared socket's options carry nothing"
    assert limit - 7 not in sent, "the notebook process's limits were not changed"
    assert result["score"] == 100


def test_no_hidden_input_or_expected_value_is_stored_or_shown(batch):
    secrets = _hidden_values()
    assert len(secrets) > 100
    for name, result in batch["results"].items():
        text = json.dumps(result)
        leaked = sorted(s for s in secrets if s in text)
        assert not leaked, (name, leaked[:5])
    for page in batch["pages"].rglob("*.html"):
        html = page.read_text()
        leaked = sorted(s for s in secrets if s in html)
        assert not leaked, (page, leaked[:5])


def test_names_built_from_hidden_inputs_never_reach_the_student(batch):
    classes = ["Leak_" + "_".join(str(int(abs(v) * 1e6)) for v in case.args[0].ravel()[:3])
               for case in _hidden_cases("linear_forward")]
    keys = ["k%.8f" % v for case in _hidden_cases("update_parameters") for v in case.args[0]["W1"].ravel()[:3]]
    for name, built in (("exception_class_named_after_the_inputs", classes),
                        ("extra_keys_named_after_the_inputs", keys)):
        text = json.dumps(batch["results"][name])
        html = (batch["pages"] / name / f"{ASSIGNMENT}.html").read_text()
        assert not [b for b in built if b in text or b in html], name
    message = next(e for e in batch["results"]["exception_class_named_after_the_inputs"]["exercises"]
                   if e["function"] == "linear_forward")["message"]
    assert "raised an exception (details of hidden cases are not shown)" in message
    message = next(e for e in batch["results"]["extra_keys_named_after_the_inputs"]["exercises"]
                   if e["function"] == "update_parameters")["message"]
    assert "unexpected key" in message
