"""JSON schemas of the platforms' results files, and the hidden-value detector, for the platform tests.

The schemas are written from the platforms' published specifications:

- Gradescope, "Autograder Specifications", section "Output format" (results.json):
  every field optional, ``score`` required at the top or on every test; visibility
  values ``hidden``, ``after_due_date``, ``after_published``, ``visible``; output
  formats ``text``, ``html``, ``simple_format``, ``md``, ``ansi``; a test's
  ``status`` is ``passed`` or ``failed``; ``execution_time`` in seconds.
- PrairieLearn, "External Grading", section "Grading results": ``score`` in [0, 1]
  (needed unless ``gradable`` is false), ``gradable`` boolean, ``format_errors`` a
  string or a list of strings, ``message``/``output`` strings, ``images``, and tests
  with ``name``, ``description``, ``points``, ``max_points``, ``message``,
  ``output``, ``images``; the file is at most 1 MB.
"""
import copy
import json
import math

import numpy as np

VISIBILITY = {"enum": ["hidden", "after_due_date", "after_published", "visible"]}
OUTPUT_FORMAT = {"enum": ["text", "html", "simple_format", "md", "ansi"]}

GRADESCOPE_TEST = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "score": {"type": "number"},
        "max_score": {"type": "number"},
        "status": {"enum": ["passed", "failed"]},
        "name": {"type": "string"},
        "name_format": OUTPUT_FORMAT,
        "number": {"type": "string"},
        "output": {"type": "string"},
        "output_format": OUTPUT_FORMAT,
        "tags": {"type": "array", "items": {"type": "string"}},
        "visibility": VISIBILITY,
        "extra_data": {"type": "object"},
    },
}

GRADESCOPE = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "score": {"type": "number"},
        "execution_time": {"type": "number", "minimum": 0},
        "output": {"type": "string"},
        "output_format": OUTPUT_FORMAT,
        "test_output_format": OUTPUT_FORMAT,
        "test_name_format": OUTPUT_FORMAT,
        "visibility": VISIBILITY,
        "stdout_visibility": VISIBILITY,
        "extra_data": {"type": "object"},
        "tests": {"type": "array", "items": GRADESCOPE_TEST},
        "leaderboard": {"type": "array", "items": {
            "type": "object", "required": ["name", "value"],
            "properties": {"name": {"type": "string"}, "value": {"type": ["number", "string"]},
                           "order": {"enum": ["asc", "desc"]}}}},
    },
    # "score: optional, but required if not on each test case"
    "anyOf": [{"required": ["score"]},
              {"required": ["tests"], "properties": {"tests": {"items": {"required": ["score"]}}}}],
}

IMAGES = {"type": "array", "items": {"anyOf": [
    {"type": "string"},
    {"type": "object", "required": ["url"], "properties": {"url": {"type": "string"},
                                                            "label": {"type": "string"}}}]}}

PRAIRIELEARN = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "properties": {
        "gradable": {"type": "boolean"},
        "score": {"type": "number", "minimum": 0, "maximum": 1},
        "format_errors": {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
        "message": {"type": "string"},
        "output": {"type": "string"},
        "images": IMAGES,
        "tests": {"type": "array", "items": {
            "type": "object",
            "properties": {"name": {"type": "string"}, "description": {"type": "string"},
                           "points": {"type": "number"}, "max_points": {"type": "number"},
                           "message": {"type": "string"}, "output": {"type": "string"},
                           "images": IMAGES}}},
    },
    # "If the submission is gradable, the result only has one mandatory field: score"
    "if": {"not": {"properties": {"gradable": {"const": False}}, "required": ["gradable"]}},
    "then": {"required": ["score"]},
}

PRAIRIELEARN_MAX_BYTES = 2**20

# What this project promises on top of the specifications (issue 12): one test per exercise
# with these fields.
GRADESCOPE_OURS = copy.deepcopy(GRADESCOPE)
GRADESCOPE_OURS["required"] = ["score", "tests", "output", "visibility", "stdout_visibility"]
GRADESCOPE_OURS["properties"]["tests"]["items"]["required"] = [
    "score", "max_score", "status", "name", "number", "output"]
PRAIRIELEARN_OURS = copy.deepcopy(PRAIRIELEARN)
PRAIRIELEARN_OURS["required"] = ["gradable", "message", "tests"]
PRAIRIELEARN_OURS["properties"]["tests"]["items"]["required"] = ["name", "points", "max_points",
                                                                  "message", "output"]


def numbers_in(value):
    """Every float inside nested tuples, lists, dicts and arrays."""
    if isinstance(value, dict):
        for item in value.values():
            yield from numbers_in(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from numbers_in(item)
    elif isinstance(value, np.ndarray):
        if value.dtype.kind == "f":
            yield from (float(v) for v in value.ravel())
    elif isinstance(value, float) and math.isfinite(value):
        yield value


def fingerprints(values):
    """Text a number would leave in a report (6 decimals, rounded or cut from 8), for the
    numbers that could not turn up by chance (not round, not tiny)."""
    found = set()
    for v in values:
        if abs(v) < 1e-3 or f"{v:.6f}".endswith("0"):
            continue
        found.add(f"{v:.6f}")
        found.add(f"{v:.8f}"[:-2])
    return found


def _trusted():
    from autograder import trusted
    return trusted.cases_for, trusted.expected_output


def hidden_fingerprints(assignment, secret):
    """Fingerprints of every hidden case's inputs and of the reference's output on it, for the
    course secret used as the salt and for the assignment's salt derived from it (whichever the
    grader draws from)."""
    from autograder.assignments import exercises
    from autograder.salt import assignment_salt
    cases_for, expected_output = _trusted()
    values = []
    for salt in (secret, assignment_salt(secret, assignment)):
        for exercise in exercises(assignment).values():
            for case in cases_for(assignment, exercise, salt):
                if case.hidden:
                    values.extend(numbers_in(case.args))
                    values.extend(numbers_in(expected_output(exercise, case)))
    return fingerprints(values)


def visible_fingerprints(assignment, function):
    """Fingerprints of one exercise's documented examples' expected outputs."""
    from autograder.assignments import exercises
    cases_for, expected_output = _trusted()
    exercise = exercises(assignment)[function]
    values = []
    for case in cases_for(assignment, exercise):
        values.extend(numbers_in(expected_output(exercise, case)))
    return fingerprints(values)


def leaks(text, prints):
    """The fingerprints found in ``text``."""
    return sorted(p for p in prints if p in text)


def read_json(path):
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)
