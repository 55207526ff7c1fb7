"""The adversarial submissions: faulty, malicious and malformed notebooks, with what each must get.

Each attack starts from an honest notebook (``correct``: 100 points, or
``partly_wrong``: 80, with ``linear_backward`` and ``update_parameters`` wrong)
and changes it: an extra cell at the end (``cell``), a replaced answer
(``answer``: {function: code}), an edit of the notebook (``edit``), extra files
beside it (``files``) or raw bytes instead of a notebook (``raw``). ``score`` is
the honest baseline it must get; ``category`` checks the message it must get.

Code may use ``{repo}`` (the course directory), ``{store}`` (the results store)
and ``{canary}`` (a folder outside the output folder that must stay empty).
"""
import copy
import json
from dataclasses import dataclass, field

import nbformat


@dataclass
class Attack:
    name: str
    base: str
    score: float
    category: object
    cell: str = ""
    answer: dict = field(default_factory=dict)
    edit: object = None
    files: dict = field(default_factory=dict)
    raw: object = None
    filename: str = ""


# ---- categories: what the result must say -------------------------------------------------

def status_of(function, *statuses):
    def check(result):
        entry = next(e for e in result["exercises"] if e["function"] == function)
        return entry["status"] in statuses
    check.__doc__ = f"{function} is {' or '.join(statuses)}"
    return check


def cell_error(*words):
    def check(result):
        return result["status"] == "graded" and any(
            all(w in (c.get("error") or "") + (c.get("output") or "") for w in words)
            for c in result["cells"])
    check.__doc__ = f"a cell reports {words}"
    return check


def invalid(*words):
    def check(result):
        return result["status"] == "invalid_notebook" and all(w in result["error"] for w in words)
    check.__doc__ = f"invalid_notebook mentioning {words}"
    return check


def graded_clean(result):
    """graded, with every exercise judged"""
    return result["status"] == "graded" and all(e["status"] != "not graded" for e in result["exercises"])


def both(*checks):
    def check(result):
        return all(c(result) for c in checks)
    check.__doc__ = " and ".join(c.__doc__ or c.__name__ for c in checks)
    return check


# ---- notebook edits -------------------------------------------------------------------------

def _test_cells(nb):
    return [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade", False)]


def edit_test_cells(nb):
    for cell in _test_cells(nb):
        cell.source = "print('All checks passed')\n10"
        cell.metadata["nbgrader"]["points"] = 1000


def delete_test_cells(nb):
    nb.cells = [c for c in nb.cells if c not in _test_cells(nb)]


def duplicate_test_cells(nb):
    copies = []
    for cell in _test_cells(nb):
        for k in range(3):
            copies.append(copy.deepcopy(cell))
            copies[-1]["id"] = f"{cell.get('id', 'cell')}-copy{k}"
    nb.cells = nb.cells + copies


def repoint_grade_ids(nb):
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader")
        if meta and meta.get("grade_id") == "linear_backward":
            meta["grade_id"] = "linear_forward"
            meta["points"] = 500


def points_in_metadata(nb):
    nb.metadata["nbgrader"] = {"max_score": 5}
    for cell in _test_cells(nb):
        cell.metadata["nbgrader"]["points"] = 0.001


def skip_tags_on_answers(nb):
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "compute_cost_answer":
            cell.metadata["tags"] = ["skip-when-grading"]


def fake_outputs(nb):
    for cell in _test_cells(nb):
        cell.outputs = [nbformat.v4.new_output("execute_result", {"text/plain": "10"}, execution_count=1)]
        cell.execution_count = 1


# ---- malformed files ------------------------------------------------------------------------

def nested_json():
    return b'{"cells": ' + b"[" * 200_000 + b"]" * 200_000 + b', "nbformat": 4}'


def nbformat3():
    return json.dumps({"nbformat": 3, "nbformat_minor": 0, "worksheets": [], "metadata": {}}).encode()


ATTACKS = [
    # --- winning points for wrong answers, from inside the notebook ---
    Attack("monkeypatched_numpy", "partly_wrong", 80, status_of("linear_backward", "failed"),
           cell="import numpy as np\nnp.allclose = lambda *a, **k: True\nnp.isclose = lambda *a, **k: True\n"
                "np.array_equal = lambda *a, **k: True\nnp.testing.assert_allclose = lambda *a, **k: None\n"
                "np.ndarray  # the type itself cannot be changed"),
    Attack("monkeypatched_builtins", "partly_wrong", 80, status_of("update_parameters", "failed"),
           cell="import builtins\nbuiltins.isinstance = lambda *a: True\nbuiltins.all = lambda x: True\n"
                "builtins.abs = lambda x: 0\nbuiltins.round = lambda *a: 100"),
    Attack("redefined_check_helper", "partly_wrong", 80, status_of("linear_backward", "failed"),
           cell="def check(*args, **kwargs):\n    return 10\nimport autograder\nautograder.check = check"),
    Attack("patched_grader_modules", "partly_wrong", 80, status_of("linear_backward", "failed"),
           cell="import autograder.compare, autograder.runner\n"
                "autograder.compare.compare = lambda *a, **k: None\n"
                "autograder.runner.judge = lambda *a, **k: None\nautograder.compare.same = lambda *a, **k: True"),
    Attack("sys_modules_numpy_replaced", "partly_wrong", 80, status_of("linear_backward", "failed"),
           cell="import sys, types\nfake = types.ModuleType('numpy')\nfake.allclose = lambda *a, **k: True\n"
                "sys.modules['numpy'] = fake\nsys.modules['autograder.compare'] = fake"),
    Attack("ipython_input_transformer", "partly_wrong", 80, status_of("linear_backward", "failed"),
           cell="ip = get_ipython()\nip.input_transformers_cleanup.append(lambda lines: ['print(\"passed\")\\n'])\n"
                "ip.events.register('post_run_cell', lambda result: print('All checks passed'))"),
    Attack("ndarray_subclass_equal_to_everything", "partly_wrong", 80, status_of("linear_backward", "failed"),
           answer={"linear_backward": (
               "import numpy as np\n"
               "class Agreeable(np.ndarray):\n"
               "    def __eq__(self, other): return np.ones(np.shape(other), bool)\n"
               "    def __array_function__(self, func, types, args, kwargs): return True\n"
               "def linear_backward(dZ, cache):\n"
               "    A_prev, W, b = cache\n"
               "    z = lambda a: np.zeros_like(a).view(Agreeable)\n"
               "    return z(A_prev), z(W), z(b)\n")}),
    Attack("fake_passed_output", "partly_wrong", 80, status_of("linear_backward", "failed"),
           cell="for n in range(1, 11):\n    print(f'Exercise {n}: all 5 visible checks passed. Score: 100 of 100')\n"
                "print('{\"score\": 100, \"max_score\": 100, \"status\": \"graded\"}')"),
    Attack("test_cells_edited", "partly_wrong", 80, status_of("linear_backward", "failed"), edit=edit_test_cells),
    Attack("test_cells_deleted", "partly_wrong", 80, status_of("linear_backward", "failed"),
           edit=delete_test_cells),
    Attack("test_cells_duplicated", "correct", 100, graded_clean, edit=duplicate_test_cells),
    Attack("grade_id_repointed", "partly_wrong", 80, status_of("linear_backward", "failed"),
           edit=repoint_grade_ids),
    Attack("points_in_metadata", "partly_wrong", 80, graded_clean, edit=points_in_metadata),
    Attack("fake_cell_outputs", "partly_wrong", 80, graded_clean, edit=fake_outputs),
    Attack("pickled_payload_returned", "partly_wrong", 80, status_of("linear_backward", "failed"),
           answer={"linear_backward": (
               "import os, pickle\n"
               "class Payload:\n"
               "    def __reduce__(self):\n"
               "        return (os.system, ('touch {canary}/unpickled',))\n"
               "def linear_backward(dZ, cache):\n"
               "    return Payload(), pickle.dumps(Payload()), Payload()\n")}),
    Attack("forged_protocol_frames", "partly_wrong", 80, status_of("linear_backward", "failed"),
           cell="import json, os, struct\n"
                "msg = json.dumps({'event': 'observation', 'index': 0, 'observation': {'output': 1}}).encode()\n"
                "for fd in range(3, 40):\n"
                "    try:\n        os.write(fd, struct.pack('>I', len(msg)) + msg)\n"
                "    except OSError as e:\n        print(fd, e)"),
    Attack("hard_coded_documented_output", "correct", 96,
           both(status_of("linear_forward", "partial"),
                lambda r: "hard_coded" in next(e for e in r["exercises"]
                                               if e["function"] == "linear_forward")["mistakes"]),
           answer={"linear_forward": (
               "import numpy as np\n"
               "def linear_forward(A, W, b):\n"
               "    Z = np.array([[3.26295337, -1.23429987]])\n"
               "    return Z, (A, W, b)\n")}),
    # the sandbox holds the student kit only: the assignment's reference cannot even be imported
    Attack("delegates_to_the_reference", "correct", 95,
           both(status_of("linear_forward", "missing", "failed"),
                cell_error("No module named 'dnn_utils.step_by_step'")),
           answer={"linear_forward": (
               "import dnn_utils.step_by_step as reference\n"
               "def linear_forward(A, W, b):\n"
               "    return reference.linear_forward(A, W, b)\n")}),
    Attack("exception_message_leaks_inputs", "correct", 95,
           both(status_of("linear_forward", "failed"),
                lambda r: "hidden cases are not shown" in next(
                    e for e in r["exercises"] if e["function"] == "linear_forward")["message"]),
           answer={"linear_forward": "def linear_forward(A, W, b):\n    raise ValueError('LEAK ' + repr(A))\n"}),
    Attack("prints_hidden_inputs", "correct", 100,
           lambda r: next(e for e in r["exercises"]
                          if e["function"] == "linear_forward")["printed"].count("LEAK") == 2,
           answer={"linear_forward": (
               "import numpy as np\n"
               "def linear_forward(A, W, b):\n"
               "    print('LEAK', A.tolist(), W.tolist())\n"
               "    return W @ A + b, (A, W, b)\n")}),
    Attack("numpy_random_seed_patched", "correct", 100,
           both(graded_clean, status_of("initialize_parameters", "passed")),
           cell="import numpy as np\nnp.random.seed = lambda *a, **k: None"),
    # --- reaching outside the sandbox ---
    Attack("reads_course_directory", "correct", 100,
           both(cell_error("FileNotFoundError"), lambda r: "BEGIN SOLUTION" not in json.dumps(r)),
           cell="print(open('{repo}/source/step_by_step/step_by_step.ipynb').read()[:5000])"),
    Attack("reads_the_salt_and_store", "correct", 100, cell_error("FileNotFoundError"),
           cell="import glob\nprint(glob.glob('{repo}/*'))\nprint(open('{repo}/grading_salt').read())\n"
                "print(open('{store}', 'rb').read()[:100])"),
    Attack("writes_results_store", "correct", 100, cell_error("Error"),
           cell="import sqlite3\ndb = sqlite3.connect('{store}')\n"
                "db.execute(\"UPDATE results SET score = 100\")\ndb.commit()"),
    Attack("writes_outside_files", "correct", 100,
           both(cell_error("Error"), lambda r: "ESCAPED" not in json.dumps(r["cells"])),
           cell="import os\nfor path in ['{canary}/written', '{repo}/written-by-submission']:\n"
                "    try:\n        open(path, 'w').write('x')\n        print('ESCAPED', path)\n"
                "    except OSError as e:\n        print(type(e).__name__, path)\n"
                "for path in ['/tmp/written-by-submission', os.path.expanduser('~/written')]:\n"
                "    with open(path, 'w') as private:\n        private.write('x')  # its own tmpfs\n"
                "open('{canary}/written', 'w')"),
    Attack("kills_the_parent", "correct", 100, graded_clean,
           cell="import os, signal\nfor pid in (os.getppid(), 0, -1, 1):\n    try:\n        os.kill(pid, signal.SIGKILL)\n"
                "    except OSError as e:\n        print(pid, e)"),
    Attack("orphan_processes", "correct", 100, graded_clean,
           cell="import subprocess, os\n"
                "subprocess.Popen(['sleep', '300'], start_new_session=True)\n"
                "if os.fork() == 0:\n    os.setsid()\n    import time\n    time.sleep(300)\n    os._exit(0)"),
    Attack("fork_bomb", "correct", 100, graded_clean,
           cell="import os\nchildren = 0\ntry:\n    while True:\n        if os.fork() == 0:\n"
                "            os.execvp('sleep', ['sleep', '300'])\n"
                "        children += 1\nexcept OSError as e:\n    print('stopped after', children, e)"),
    Attack("memory_bomb_cell", "correct", 100, cell_error("MemoryError"),
           cell="hog = bytearray(64 * 2**30)"),
    Attack("memory_bomb_numpy", "correct", 100, cell_error("MemoryError"),
           cell="import numpy as np\nhog = np.ones((2**17, 2**17))"),
    Attack("memory_bomb_in_function", "correct", 95, status_of("linear_forward", "failed"),
           answer={"linear_forward": (
               "import numpy as np\n"
               "def linear_forward(A, W, b):\n"
               "    hog = np.ones((2**17, 2**17))\n"
               "    return W @ A + b, (A, W, b)\n")}),
    Attack("infinite_loop_cell", "correct", 100, cell_error("timed out"),
           cell="while True:\n    pass"),
    Attack("infinite_loop_ignoring_alarm", "correct", 100, cell_error("skipped"),
           cell="import signal, time\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\nwhile True:\n"
                "    try:\n        time.sleep(1)\n    except BaseException:\n        continue"),
    # the call's own alarm ends it and says so; the next exercises go on (in a fresh sandbox)
    Attack("infinite_loop_in_function", "correct", 95,
           both(status_of("linear_forward", "failed", "stopped"),
                lambda r: "GradingStopped: timed out after" in next(
                    e for e in r["exercises"] if e["function"] == "linear_forward")["message"]),
           answer={"linear_forward": "def linear_forward(A, W, b):\n    while True:\n        pass\n"}),
    Attack("function_blocks_alarm", "correct", 95, status_of("linear_forward", "stopped"),
           answer={"linear_forward": (
               "import signal, time\n"
               "def linear_forward(A, W, b):\n"
               "    signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGALRM])\n"
               "    time.sleep(3600)\n")}),
    Attack("huge_output", "correct", 100, cell_error("more characters not kept"),
           cell="for i in range(20000):\n    print('x' * 500)"),
    Attack("huge_output_to_descriptors", "correct", 100, graded_clean,
           cell="import os\nfor i in range(2000):\n    os.write(1, b'y' * 65536)\n    os.write(2, b'z' * 65536)"),
    Attack("network_access", "correct", 100,
           both(cell_error("no network"), lambda r: "connected" not in json.dumps(r["cells"])),
           cell="import socket\nfor host in [('1.1.1.1', 80), ('127.0.0.1', 22), ('example.com', 443)]:\n"
                "    try:\n        socket.create_connection(host, timeout=2)\n        print('connected', host)\n"
                "    except OSError as e:\n        print(type(e).__name__, e)\nprint('no network')"),
    Attack("shadow_numpy_beside_notebook", "partly_wrong", 80, status_of("linear_backward", "failed"),
           files={"numpy.py": "allclose = lambda *a, **k: True\nraise SystemExit('shadowed')\n",
                  "autograder.py": "raise SystemExit('shadowed')\n"}),
    Attack("os_exit_in_cell", "correct", 100, cell_error("skipped"), cell="import os\nos._exit(3)"),
    Attack("os_exit_in_function", "correct", 95, status_of("linear_forward", "stopped"),
           answer={"linear_forward": "import os\ndef linear_forward(A, W, b):\n    os._exit(0)\n"}),
    Attack("segfault_in_cell", "correct", 100, cell_error("skipped"),
           cell="import ctypes\nctypes.string_at(0)"),
    Attack("signal_kills_itself_in_function", "correct", 95,
           status_of("linear_forward", "failed", "stopped"),
           answer={"linear_forward": "import os, signal\ndef linear_forward(A, W, b):\n"
                                     "    os.kill(os.getpid(), signal.SIGSEGV)\n"}),
    Attack("sys_exit_in_cell", "correct", 100, graded_clean, cell="import sys\nsys.exit('bye')"),
    Attack("imports_what_was_not_preloaded", "correct", 100,
           lambda r: "imported" in r["cells"][-1]["output"] and not r["cells"][-1]["error"],
           cell="import matplotlib.backends.backend_svg, numpy.polynomial, json.tool, fractions\n"
                "import dnn_utils.activations, testcases.step_by_step\nprint('imported')"),
    Attack("warning_from_correct_answer", "correct", 100,
           lambda r: any("UserWarning" in w for e in r["exercises"] for w in e["warnings"]),
           answer={"linear_forward": (
               "import warnings\n"
               "def linear_forward(A, W, b):\n"
               "    warnings.warn('just so you know')\n"
               "    return W @ A + b, (A, W, b)\n")}),
    Attack("skip_tag_on_an_answer", "correct", 90, status_of("compute_cost", "missing"),
           edit=skip_tags_on_answers),
    # --- data the trusted side must refuse without dying (wire bounds) ---
    Attack("cost_beyond_any_float", "correct", 90, status_of("compute_cost", "failed"),
           answer={"compute_cost": "def compute_cost(AL, Y):\n    return 10 ** 400\n"}),
    # a frame the function forges is read as its own answer: it only spoils that exercise
    Attack("forged_impossible_shape", "correct", 95,
           both(status_of("linear_forward", "failed", "partial", "stopped"),
                lambda r: "could not read" in next(e for e in r["exercises"]
                                                   if e["function"] == "linear_forward")["message"]),
           answer={"linear_forward": (
               "import json, os, stat, struct\n"
               "import numpy as np\n"
               "SENT = []\n"
               "def _forge():\n"
               "    blob = b''\n"
               "    for output in ({'$array': ['<f8', [0, 10**30], {'$blob': [0, 0]}]},):\n"
               "        text = json.dumps({'event': 'observation', 'index': 0,\n"
               "                           'observation': {'output': output}}).encode()\n"
               "        body = struct.pack('>I', len(text)) + text\n"
               "        for fd in range(3, 64):\n"
               "            try:\n"
               "                if stat.S_ISSOCK(os.fstat(fd).st_mode):\n"
               "                    os.write(fd, struct.pack('>I', len(body)) + body)\n"
               "            except OSError:\n"
               "                pass\n"
               "def linear_forward(A, W, b):\n"
               "    if not SENT:\n"
               "        SENT.append(1)\n"
               "        _forge()\n"
               "    return W @ A + b, (A, W, b)\n")}),
    # --- malformed files ---
    Attack("renamed_notebook", "correct", 0, invalid("named"), filename="my_work.ipynb"),
    Attack("wrong_assignment", "correct", 0, invalid("another assignment"), raw="application"),
    Attack("invalid_json", "correct", 0, invalid("not valid JSON"), raw=b'{"cells": [ {"cell_type": '),
    Attack("unsupported_nbformat", "correct", 0, invalid("format 3"), raw=nbformat3()),
    Attack("not_utf8", "correct", 0, invalid("UTF-8"), raw=b'{"cells": [], "x": "\xff\xfe"}'),
    Attack("huge_file", "correct", 0, invalid("larger than"), raw=b" " * (21 * 2**20)),
    Attack("deeply_nested", "correct", 0, invalid("nested too deeply"), raw=nested_json()),
    Attack("json_but_not_a_notebook", "correct", 0, invalid("not a notebook"), raw=b"[1, 2, 3]"),
    Attack("cell_source_not_text", "correct", 0, invalid("source"),
           raw=json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {},
                           "cells": [{"cell_type": "code", "source": {"x": 1}, "metadata": {}}]}).encode()),
]
