"""A synthetic class of step_by_step submissions with planted facts, for the tests and the benchmark.

Built from the project's own material: the release notebook, the source
solutions, the alternative-style answers and the mistake catalogue. What is
planted (``Plan``) is known, so a report on the class can be checked against it:

- named mistakes with chosen counts per exercise (catalogue code);
- one idiosyncratic ``L_model_forward`` copied by a second student with every
  name changed and the layout redone, and a wrong ``linear_activation_forward``
  (a leaky ReLU) copied the same way: the only pair sharing a rare wrong output;
- three students who each wrote ``linear_backward`` differently but with the
  same unnamed mistake (``db`` not divided by m), so identical hidden outputs;
- honest students whose answers mix the source's and the alternative style,
  one untouched release, one exercise that timed out, and a student with a
  hostile name and hostile text in an answer (one of the three above).

``write_store`` puts the class into a results store with results in the
grader's schema, ``case_results`` included (outputs as digests, the way the
grader reports them), without running the grader. ``notebooks`` returns the
notebooks themselves, for grading through the real batch grader.
"""
import hashlib
import json
import random
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from autograder import assignments, examples

ASSIGNMENT = "step_by_step"
ROOT = Path(__file__).resolve().parents[2]

# The planted named mistakes: {exercise: {mistake: how many students}}; distinct counts rank them.
PLANTED = {"update_parameters": {"update_parameters_no_rate": 5, "update_parameters_sign": 2},
           "compute_cost": {"compute_cost_no_mean": 4, "compute_cost_sign": 1},
           "linear_backward": {"linear_backward_no_mean": 3}}

# One student's own way of writing L_model_forward ...
ORIGINAL_FORWARD = '''def L_model_forward(X, parameters):
    """Forward pass of [LINEAR -> RELU] x (L-1) -> LINEAR -> SIGMOID."""
    depth = len(parameters) // 2
    history = []
    current = X
    layer = 1
    while layer < depth:
        weights, bias = parameters["W%d" % layer], parameters["b%d" % layer]
        current, record = linear_activation_forward(current, weights, bias, activation="relu")
        history.append(record)
        layer = layer + 1
    final, record = linear_activation_forward(current, parameters["W%d" % depth],
                                              parameters["b%d" % depth], activation="sigmoid")
    history += [record]
    assert final.shape == (1, X.shape[1]) or final.shape[1] == X.shape[1]
    return final, history
'''

# ... and the copy: every name changed, the layout and comments redone.
COPIED_FORWARD = '''def L_model_forward(X, parameters):
    # my forward pass
    n_layers = len(parameters)//2
    all_caches = []
    out = X
    i = 1
    while i < n_layers:   # hidden layers
        Wi, bi = parameters["W%d" % i], parameters["b%d" % i]
        out, c = linear_activation_forward(out, Wi, bi,
                                           activation="relu")
        all_caches.append(c)
        i = i + 1
    # output layer
    result, c = linear_activation_forward(
        out,
        parameters["W%d" % n_layers],
        parameters["b%d" % n_layers],
        activation="sigmoid",
    )
    all_caches += [c]
    assert result.shape == (1, X.shape[1]) or result.shape[1] == X.shape[1]
    return result, all_caches
'''

# Three independent ways of forgetting to divide db by m (no catalogue entry names it).
UNNAMED_DB = [
    '''import numpy as np

def linear_backward(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    dW = np.dot(dZ, A_prev.T) / m
    db = np.sum(dZ, axis=1, keepdims=True)
    dA_prev = np.dot(W.T, dZ)
    return dA_prev, dW, db
''',
    '''import numpy as np

def linear_backward(dZ, cache):
    """Backward step."""
    a_prev, w, _ = cache
    grad_w = (dZ @ a_prev.T) * (1.0 / a_prev.shape[1])
    grad_b = dZ.sum(axis=1).reshape(-1, 1)
    return w.T @ dZ, grad_w, grad_b
''',
    '''import numpy as np

def linear_backward(dZ, cache):
    prev, weights, bias = cache
    count = prev.shape[1]
    gradients = []
    gradients.append(np.matmul(np.transpose(weights), dZ))
    gradients.append(np.matmul(dZ, np.transpose(prev)) / count)
    gradients.append(np.sum(dZ, 1, keepdims=True))
    return tuple(gradients)
''',
]

# The same pair also shares a wrong linear_activation_forward (a leaky ReLU), copied and renamed:
# identical wrong outputs that no catalogue entry names and nobody else gave.
ORIGINAL_LEAKY = '''import numpy as np

def linear_activation_forward(A_prev, W, b, activation):
    Z, linear_cache = linear_forward(A_prev, W, b)
    if activation == "sigmoid":
        A = 1 / (1 + np.exp(-Z))
    else:
        A = np.where(Z > 0, Z, 0.01 * Z)
    return A, (linear_cache, Z)
'''
COPIED_LEAKY = '''import numpy as np
def linear_activation_forward(A_prev, W, b, activation):
    z, lin = linear_forward(A_prev, W, b)
    if activation == "sigmoid": a = 1/(1+np.exp(-z))
    else: a = np.where(z > 0, z, 0.01*z)
    return a, (lin, z)
'''

# The cases a leaky ReLU still passes: the sigmoid example and the hidden cases without negative Z.
LEAKY_PASSES = (0, 2, 3, 4)

HOSTILE_NAME = "<script>alert('name')</script>"
# Put into the third unnamed answer, whose author is named HOSTILE_NAME: the page shows both.
HOSTILE_LINE = "    note = \"</pre><script>alert('code')</script><img src=x onerror=alert(1)>\"\n"


VISIBLE_FAMILIES = ("documented example", "second documented example")
HIDDEN_FAMILIES = ("hidden: other shapes", "hidden: other shapes", "hidden: deeper network",
                   "hidden: odd batch size")


@dataclass
class Answer:
    """What one student handed in for one exercise and how it fares.

    ``kind``: "right" (``detail`` = its style, "source" or "alternative"),
    "mistake" (``detail`` = catalogue name), "unnamed" (``detail`` = key shared by
    answers with identical outputs), "stub" or "timeout".
    """

    code: str
    kind: str = "right"
    detail: str = ""
    passing: tuple = ()     # "unnamed": the cases it passes anyway (as the checker finds)


@dataclass
class Plan:
    """The class and what was planted in it."""

    students: dict = field(default_factory=dict)       # name -> {exercise: Answer}
    copied_pair: tuple = ()
    unnamed_group: tuple = ()
    planted: dict = field(default_factory=dict)        # exercise -> {mistake: [students]}
    honest: tuple = ()                                 # students who copied nothing


def _release():
    return nbformat.read(ROOT / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)


def _source():
    return nbformat.read(ROOT / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)


def _alternatives():
    from autograder.examples import alternative_style
    found = {}
    for name in assignments.exercises(ASSIGNMENT):
        function = getattr(alternative_style, name, None)
        if function is not None:
            found[name] = examples._imports(function) + examples._renamed_source(function, name)
    return found


# Planted mistakes are written the way a student makes them: one edit of the student's own answer
# (source style or alternative style), so two students with the same mistake do not share whole
# answers. {(exercise, mistake): {style: [(old, new), ...]}}; each edit must change the text.
MISTAKE_EDITS = {
    ("update_parameters", "update_parameters_no_rate"): {
        "source": [("params[key] - learning_rate * grads", "params[key] - grads")],
        "alternative": [("-= learning_rate * grads", "-= grads")]},
    ("update_parameters", "update_parameters_sign"): {
        "source": [("params[key] - learning_rate", "params[key] + learning_rate")],
        "alternative": [("-= learning_rate", "+= learning_rate")]},
    ("compute_cost", "compute_cost_no_mean"): {
        "source": [("cost = -(1 / m) * np.sum(", "cost = -np.sum(")],
        "alternative": [("-np.mean(", "-np.sum(")]},
    ("compute_cost", "compute_cost_sign"): {
        "source": [("cost = -(1 / m) *", "cost = (1 / m) *")],
        "alternative": [("float(-np.mean(", "float(np.mean(")]},
    ("linear_backward", "linear_backward_no_mean"): {
        "source": [("(1 / m) * np.dot", "np.dot"), ("(1 / m) * np.sum", "np.sum")],
        "alternative": [(" / A_prev.shape[1]", ""), ("np.mean(dZ", "np.sum(dZ")]},
}


def with_mistake(answer, exercise, mistake_name):
    """``answer`` (right, in its style) edited to make the catalogued mistake."""
    code = answer.code
    for old, new in MISTAKE_EDITS[(exercise, mistake_name)][answer.detail]:
        if old not in code:
            raise ValueError(f"cannot plant {mistake_name}: {old!r} is not in the answer")
        code = code.replace(old, new)
    return Answer(code, "mistake", mistake_name)


def plan_class(honest=12, seed=0):
    """The synthetic class: ``honest`` plain students plus the planted ones (about honest + 12)."""
    rng = random.Random(seed)
    names = list(assignments.exercises(ASSIGNMENT))
    solutions = examples.solutions(_source())
    alternatives = _alternatives()
    stubs = {name: cell.source for name, cell in examples._answer_cells(_release()).items()}
    plan = Plan()

    def honest_answers(index):
        # Each student mixes the two styles; every style of every exercise is used by several students.
        found = {}
        for position, name in enumerate(names):
            style = "alternative" if (index + position) % 3 == 0 and name in alternatives else "source"
            found[name] = Answer(alternatives[name] if style == "alternative" else solutions[name],
                                 "right", style)
        return found

    count = 0

    def add(answers, prefix="student"):
        nonlocal count
        count += 1
        name = f"{prefix}_{count:03d}"
        plan.students[name] = answers
        return name

    honest_names = [add(honest_answers(i)) for i in range(honest)]
    for exercise, planted in PLANTED.items():
        plan.planted[exercise] = {}
        for mistake_name, how_many in planted.items():
            who = []
            for _ in range(how_many):
                answers = honest_answers(rng.randrange(3))
                answers[exercise] = with_mistake(answers[exercise], exercise, mistake_name)
                who.append(add(answers))
            plan.planted[exercise][mistake_name] = who
    group = []
    for position, code in enumerate(UNNAMED_DB):
        answers = honest_answers(rng.randrange(3))
        if position == len(UNNAMED_DB) - 1:
            code = code.replace("    prev, weights, bias = cache\n",
                                "    prev, weights, bias = cache\n" + HOSTILE_LINE)
            answers["linear_backward"] = Answer(code, "unnamed", "db not divided by m")
            plan.students[HOSTILE_NAME] = answers
            group.append(HOSTILE_NAME)
        else:
            answers["linear_backward"] = Answer(code, "unnamed", "db not divided by m")
            group.append(add(answers))
    plan.unnamed_group = tuple(group)
    original = honest_answers(1)
    original["L_model_forward"] = Answer(ORIGINAL_FORWARD)
    original["linear_activation_forward"] = Answer(ORIGINAL_LEAKY, "unnamed", "leaky relu", LEAKY_PASSES)
    copier = honest_answers(2)
    copier["L_model_forward"] = Answer(COPIED_FORWARD)
    copier["linear_activation_forward"] = Answer(COPIED_LEAKY, "unnamed", "leaky relu", LEAKY_PASSES)
    plan.copied_pair = (add(original), add(copier))
    untouched = add({name: Answer(stubs[name], "stub") for name in names})
    slow = honest_answers(0)
    slow["L_model_backward"] = Answer(solutions["L_model_backward"].replace(
        "    grads = {}", "    import time\n    time.sleep(60)\n    grads = {}"), "timeout")
    slow_name = add(slow)
    plan.honest = tuple(honest_names + [untouched, slow_name, *group])
    return plan


def notebook(answers):
    """The release notebook with these answers ({exercise: Answer}) in its answer cells."""
    return examples._fill(_release(), {name: a.code for name, a in answers.items()})


def _digest(*parts):
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:16]


def case_results(exercise, answer):
    """The per-case results the grader would report for ``answer`` (outputs as digests)."""
    families = [(False, f) for f in VISIBLE_FAMILIES] + [(True, f) for f in HIDDEN_FAMILIES]
    found = []
    for index, (hidden, family) in enumerate(families):
        passed, stage, mistake, digest = True, "", "", _digest(exercise, "reference", index)
        if answer.kind == "mistake":
            passed, stage, mistake = False, "value", answer.detail
            digest = _digest(exercise, answer.detail, index)
        elif answer.kind == "unnamed" and index not in answer.passing:
            passed, stage, digest = False, "value", _digest(exercise, answer.detail, index)
        elif answer.kind in ("stub", "timeout"):
            passed, stage, digest = False, "error", ""
        found.append({"index": index, "hidden": hidden, "family": family, "passed": passed,
                      "stage": stage, "mistake": mistake, "output_digest": digest})
    return found


def result(student, path, answers):
    """The grader's result dict for one planned student."""
    entries = []
    for name, exercise in assignments.exercises(ASSIGNMENT).items():
        answer = answers[name]
        cases = case_results(name, answer)
        passed = sum(c["passed"] for c in cases)
        status = {"right": "passed", "mistake": "failed", "unnamed": "partial" if passed else "failed",
                  "stub": "failed", "timeout": "stopped"}[answer.kind]
        message = {"timeout": "GradingStopped: timed out after 2 s while running this case",
                   "stub": "raised NotImplementedError"}.get(answer.kind, f"{passed} of {len(cases)} cases passed")
        entries.append({
            "function": name, "number": exercise.number,
            "points": round(exercise.points * passed / len(cases), 4) if answer.kind == "unnamed"
            else (float(exercise.points) if answer.kind == "right" else 0.0),
            "max_points": float(exercise.points), "status": status, "message": message,
            "cases_passed": passed, "cases": len(cases),
            "mistakes": [answer.detail] if answer.kind == "mistake" else [],
            "warnings": [], "printed": "", "case_results": cases})
    return {"submission": path, "student": student, "assignment": ASSIGNMENT, "status": "graded",
            "score": round(sum(e["points"] for e in entries), 4),
            "max_score": float(sum(e["max_points"] for e in entries)), "exercises": entries,
            "error": None, "cells": [], "isolation": "synthetic"}


def write_store(plan, store_path, extra=None):
    """Write the planned class into a store, and ``extra`` rows: (student, notebook bytes, result),
    with an arrival time as a fourth item when given (a later one is a resubmission)."""
    from autograder.batch.store import Store
    from autograder.batch.submission import Submission
    store = Store(str(store_path))
    try:
        for student, answers in plan.students.items():
            path = f"submitted/{student}/{ASSIGNMENT}/{ASSIGNMENT}.ipynb"
            raw = nbformat.writes(notebook(answers)).encode()
            _save(store, Submission(path, student, hashlib.sha256(raw).hexdigest(),
                                    "2026-12-01T12:00:00Z", raw), result(student, path, answers))
        for student, raw, found, *arrived in extra or ():
            path = f"submitted/{student}/{ASSIGNMENT}/{ASSIGNMENT}.ipynb"
            _save(store, Submission(path, student, hashlib.sha256(raw).hexdigest(),
                                    arrived[0] if arrived else "2026-12-01T12:00:00Z", raw), found)
    finally:
        store.close()


def _save(store, submission, found):
    store.save(store.add(submission, ASSIGNMENT), "synthetic", found)


def dump(plan):
    """The plan as JSON-ready data (for debugging a failing test)."""
    return json.dumps({"copied": plan.copied_pair, "group": plan.unnamed_group,
                       "planted": plan.planted}, indent=1)
