"""Unit tests of the batch grader's parts that need no sandbox: wire format, reading
submissions, the results store."""
import json
import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograder.batch import wire
from autograder.batch.store import QUARANTINE_AFTER, Store
from autograder.batch.submission import InvalidNotebook, Submission, cells_to_run, find_notebooks, student_of
from autograder.compare import identical


def roundtrip(value):
    return wire.decode(wire.unpack(wire.pack(wire.encode(value))[4:]))


def test_roundtrip_keeps_types_shapes_and_values():
    value = {"W1": np.arange(6.0).reshape(2, 3), "b1": np.zeros((2, 1)), 3: (1, 2.5, "x", None, True),
             "cost": np.float64(0.25), "count": np.int32(7), "mask": np.array([[True, False]]),
             "cache": ((np.ones((1, 2)), np.eye(2), np.float32(1.5)), np.array(2.0)), "list": [1, [2]]}
    back = roundtrip(value)
    assert identical(back, value)
    assert type(back["cost"]) is np.float64 and type(back["count"]) is np.int32
    assert isinstance(back["cache"], tuple) and back["cache"][1].ndim == 0


@settings(max_examples=60, deadline=None)
@given(hnp.arrays(dtype=st.sampled_from([np.float64, np.float32, np.int64, np.bool_, np.complex128]),
                  shape=hnp.array_shapes(min_dims=0, max_dims=4, max_side=5)))
def test_any_numeric_array_survives_bit_for_bit(array):
    back = roundtrip(array)
    assert back.dtype == array.dtype and back.shape == array.shape
    assert back.tobytes() == array.tobytes()


def test_non_contiguous_and_big_endian_arrays():
    array = np.arange(12.0).reshape(3, 4).T
    assert np.array_equal(roundtrip(array), array)
    swapped = np.arange(3, dtype=">f8")
    assert np.array_equal(roundtrip(swapped), swapped)


class Sneaky(np.ndarray):
    def __eq__(self, other):
        return True


def test_what_cannot_cross_arrives_as_a_foreign_type_name():
    objects = np.array([object(), 1], dtype=object)
    back = roundtrip([objects, np.zeros(2).view(Sneaky), pickle, {1, 2}])
    assert all(isinstance(v, wire.Foreign) for v in back)
    assert "Python objects" in back[0].type_name or "object" in back[0].type_name
    assert "Sneaky" in back[1].type_name


def _frame(message_json, blob=b""):
    text = json.dumps(message_json).encode()
    return len(text).to_bytes(4, "big") + text + blob


class _Tripwire:
    """Unpickling this would append to ``TRIPPED``."""

    def __reduce__(self):
        return (TRIPPED.append, ("unpickled",))


TRIPPED = []


def test_a_pickle_in_the_blob_stays_bytes():
    payload = pickle.dumps([_Tripwire(), np.array([{"a": 1}], dtype=object)])
    node = {"$array": ["|u1", [len(payload)], {"$blob": [0, len(payload)]}]}
    value = wire.decode(wire.unpack(_frame(node, payload)))
    assert value.dtype == np.uint8 and value.tobytes() == payload
    assert TRIPPED == []
    with pytest.raises(wire.WireError, match="dtype"):   # and it cannot be read as objects
        wire.decode(wire.unpack(_frame({"$array": ["|O", [1], {"$blob": [0, 8]}]}, payload)))


@pytest.mark.parametrize("node", [
    {"$array": ["|O", [1], {"$blob": [0, 8]}]},           # objects
    {"$array": ["<f8", [2], {"$blob": [0, 8]}]},          # shape larger than its bytes
    {"$array": ["<f8", [-1], {"$blob": [0, 8]}]},         # negative shape
    {"$array": ["V8", [1], {"$blob": [0, 8]}]},           # raw void
    {"$array": ["<f8", [1], {"$blob": [4, 8]}]},          # outside the blob
    {"$pickle": "gASVAAAAAAAAAAB9lC4="},                   # unknown tag
    {"$dict": [[["unhashable"], 1]]},
])
def test_malformed_values_raise_wire_errors(node):
    with pytest.raises(wire.WireError):
        wire.decode(wire.unpack(_frame(node, bytes(8))))


def test_deep_nesting_and_oversized_frames_are_refused():
    deep = "[" * 100_000 + "]" * 100_000
    with pytest.raises(wire.WireError):
        wire.unpack(len(deep).to_bytes(4, "big") + deep.encode())
    with pytest.raises(wire.WireError, match="exceeds"):
        wire.frame_length((wire.MAX_FRAME + 1).to_bytes(4, "big"))
    nested = 0
    for _ in range(wire.MAX_DEPTH + 5):
        nested = [nested]
    with pytest.raises(wire.WireError, match="nested"):
        wire.decode(nested)


@pytest.mark.parametrize("node", [
    {"$array": ["<f8", [0, 10**30], {"$blob": [0, 0]}]},       # empty, absurd other side
    {"$array": ["<f8", [0, 2**40, 2**40], {"$blob": [0, 0]}]},
    {"$array": ["|b1", [2**26, 0], {"$blob": [0, 0]}]},
    {"$scalar": ["<f8", {"$blob": [0, 0]}]},                    # a scalar without its bytes
    10**400,
    -(2**64),
    [1, {"$tuple": [2**70]}],
])
def test_decoding_bounds_raise_wire_errors_not_numpy_or_overflow_errors(node):
    body = json.dumps(node).encode()
    frame = len(body).to_bytes(4, "big") + body
    with pytest.raises(wire.WireError):
        wire.decode(wire.unpack(frame))


def test_huge_integer_literals_are_refused_without_being_parsed():
    digits = "9" * 4000   # Python's own limit would raise a plain ValueError only past 4300
    body = ('{"event": "observation", "index": 0, "observation": {"output": ' + digits + "}}").encode()
    message = wire.unpack(len(body).to_bytes(4, "big") + body)
    assert message["index"] == 0, "the frame is read: only the value is refused, case by case"
    with pytest.raises(wire.WireError, match="integer"):
        wire.decode(message["observation"]["output"])
    body = b"[18446744073709551615, -9223372036854775808]"   # every NumPy integer still fits
    assert wire.decode(wire.unpack(len(body).to_bytes(4, "big") + body)) == [2**64 - 1, -(2**63)]


def test_a_budget_bounds_what_one_submission_can_send_over_many_frames():
    frame = wire.pack(wire.encode(np.zeros(1000)))
    length = wire.frame_length(frame[:4])
    with wire.Budget(3 * length) as budget:
        for _ in range(3):
            assert wire.frame_length(frame[:4]) == length
        with pytest.raises(wire.WireError, match="in total"):
            wire.frame_length(frame[:4])
        assert budget.used == 3 * length
    assert wire.frame_length(frame[:4]) == length, "outside the block nothing is charged"
    assert wire.SUBMISSION_BYTES >= 100 * 250_000, "far above what an honest submission sends"


def _submission(raw, name="step_by_step.ipynb"):
    return Submission(path=f"/x/alice/step_by_step/{name}", student="alice", sha256="0",
                      arrived="2026-11-01T10:00:00.000000000Z",
                      raw=raw)


def _notebook(*cells, **extra):
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": list(cells),
                       **extra}).encode()


def test_cells_to_run_keeps_code_in_order_and_drops_tagged_cells():
    raw = _notebook({"cell_type": "markdown", "source": "hi", "metadata": {}},
                    {"cell_type": "code", "source": ["def linear_forward(A, W, b):\n", "  pass"],
                     "metadata": {}},
                    {"cell_type": "code", "source": "slow()", "metadata": {"tags": ["skip-when-grading"]}},
                    {"cell_type": "code", "source": "x = 1", "metadata": {}})
    assert cells_to_run(_submission(raw), "step_by_step", ["linear_forward"]) == [
        "def linear_forward(A, W, b):\n  pass", "x = 1"]


@pytest.mark.parametrize("raw, name, reason", [
    (_notebook({"cell_type": "code", "source": "def f(): pass", "metadata": {}}), "step_by_step.ipynb",
     "another assignment"),
    (_notebook(), "Copy1.ipynb", "named 'Copy1.ipynb'"),
    (b"\x89PNG\r\n", "step_by_step.ipynb", "UTF-8"),
    (b'{"cells": [', "step_by_step.ipynb", "not valid JSON"),
    (json.dumps({"nbformat": 5, "cells": []}).encode(), "step_by_step.ipynb", "format 5"),
    (_notebook("just text"), "step_by_step.ipynb", "not a notebook cell"),
])
def test_invalid_notebooks_say_why(raw, name, reason):
    with pytest.raises(InvalidNotebook, match=reason):
        cells_to_run(_submission(raw, name), "step_by_step", ["linear_forward"])


def test_finding_notebooks_and_their_students(tmp_path):
    for student in ("bob", "alice"):
        folder = tmp_path / "submitted" / student / "step_by_step"
        folder.mkdir(parents=True)
        (folder / "step_by_step.ipynb").write_text("{}")
        (folder / ".ipynb_checkpoints").mkdir()
        (folder / ".ipynb_checkpoints" / "step_by_step-checkpoint.ipynb").write_text("{}")
    other = tmp_path / "submitted" / "alice" / "application"
    other.mkdir()
    (other / "application.ipynb").write_text("{}")
    (tmp_path / "submitted" / "carol" / "step_by_step").mkdir(parents=True)
    (tmp_path / "submitted" / "carol" / "step_by_step" / "renamed.ipynb").write_text("{}")
    found = find_notebooks([tmp_path / "submitted"], "step_by_step", ("step_by_step", "application"))
    assert [student_of(p, "step_by_step") for p in found] == ["alice", "bob", "carol"]
    assert found[-1].endswith("renamed.ipynb"), "a misnamed notebook is kept, to be reported"
    with pytest.raises(FileNotFoundError):
        find_notebooks([tmp_path / "missing"], "step_by_step")


def _result(score):
    return {"status": "graded", "score": score, "max_score": 100, "exercises": []}


def test_store_adds_each_submission_once_and_counts_unfinished_attempts(tmp_path):
    store = Store(str(tmp_path / "out" / "r.sqlite"))
    item = _submission(b"abc")
    first, again = store.add(item, "step_by_step"), store.add(item, "step_by_step")
    assert first == again
    resubmitted = store.add(Submission(item.path, "alice", "1", "2026-11-02T09:00:00.000000000Z", b"abcd"),
                            "step_by_step")
    assert resubmitted != first
    for _ in range(QUARANTINE_AFTER):
        store.start_attempt(first, "cfg")     # left open: a grader killed while grading it
    store.close_attempt(store.start_attempt(first, "cfg"), "interrupted: the grader stopped")
    assert store.failed_attempts(first, "cfg") == 0, "a killed or stopped grader never counts"
    store.close_open_attempts("interrupted")
    assert store.open_attempts(first, "cfg") == 0
    for _ in range(QUARANTINE_AFTER):
        store.fail_attempt(store.start_attempt(first, "cfg"), "the grading worker died")
    assert store.failed_attempts(first, "cfg") == QUARANTINE_AFTER
    attempt = store.start_attempt(first, "cfg")
    store.save(first, "cfg", _result(42), attempt)
    assert store.result(first, "cfg")["score"] == 42 and store.result(first, "other") is None
    assert store.failed_attempts(first, "cfg") == QUARANTINE_AFTER, "the finished attempt is not counted"
    assert store.descriptors(), "the store's open files are known, for children to let go of"
    store.save(resubmitted, "cfg", _result(90))
    assert [r["score"] for r in store.latest("step_by_step")] == [90], "the newest arrival wins"
    store.close()
    assert (tmp_path / "out" / "r.sqlite").stat().st_mode & 0o077 == 0, "the store is private"


# ---- text made safe ---------------------------------------------------------------------------

from autograder.batch import safe_text  # noqa: E402


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x10FFFF), max_size=60))
def test_safe_text_is_always_valid_utf8_without_controls_or_escapes(value):
    for cleaned in (safe_text.text(value), safe_text.line(value)):
        cleaned.encode("utf-8")   # raises on a lone surrogate
        assert not any(ord(c) < 32 and c not in "\n\t" or 0x7F <= ord(c) <= 0x9F for c in cleaned)
    assert "\n" not in safe_text.line(value) and "\t" not in safe_text.line(value)


def test_lone_surrogates_escapes_and_sizes():
    assert safe_text.text("a\udc80b") == "a\ufffdb"
    assert safe_text.text("\U0001F600") == "\U0001F600", "a real pair is kept"
    shown = safe_text.line("\x1b[2J\x1b]0;pwned\x07bob\r\nx")
    assert "\x1b" not in shown and "\x07" not in shown and "\r" not in shown and "bob" in shown
    assert safe_text.text(b"caf\xc3\xa9 \xff") == "caf\u00e9 \ufffd"
    capped = safe_text.text("x" * 5000, limit=100)
    assert capped.startswith("x" * 100) and "4900 more characters cut" in capped
    assert safe_text.escaped("notes-\udcff\x1b.ipynb") == "notes-\\xff\\x1b.ipynb"
    assert not safe_text.is_safe_name("a\u202eb") and safe_text.is_safe_name("Zo\u00eb")


@pytest.mark.parametrize("cell, shown", [
    ("=HYPERLINK(\"http://x\",\"y\")", "'=HYPERLINK(\"http://x\",\"y\")"),
    ("+1+2", "'+1+2"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"), ("  =1", "'  =1"),
    ("\t=1", "' =1"), ("\r=1", "\ufffd=1"), ("\uff1d1+1", "'\uff1d1+1"),
    ("-1.5", "-1.5"), ("80", "80"), ("alice", "alice"), (None, ""),
])
def test_csv_cells_a_spreadsheet_would_run_are_neutralised(cell, shown):
    assert safe_text.csv_cell(cell) == shown


def test_clean_result_makes_every_string_safe_and_keeps_numbers():
    result = {"student": "bob\x1b[31m", "score": 80.0, "exercises": [
        {"function": "f", "message": "m\udc80", "printed": "p" * 10**5, "points": 5.0}],
        "cells": [{"cell": 1, "output": "\x07" + "o" * 10**5, "error": None}]}
    clean = safe_text.clean_result(result)
    assert clean["student"] == "bob\ufffd[31m" and clean["score"] == 80.0
    assert clean["exercises"][0]["message"] == "m\ufffd" and clean["exercises"][0]["points"] == 5.0
    assert len(clean["exercises"][0]["printed"]) < 3000 and len(clean["cells"][0]["output"]) < 10000
    assert clean["cells"][0]["error"] is None
    json.dumps(clean).encode("utf-8")


def test_the_cells_output_kept_per_result_is_capped_in_total():
    cells = [{"cell": i, "output": "y" * safe_text.OUTPUT_LIMIT, "error": ""} for i in range(2000)]
    clean = safe_text.clean_result({"student": "s", "cells": cells})
    kept = sum(len(c["output"]) for c in clean["cells"])
    assert safe_text.CELLS_OUTPUT_LIMIT <= kept < safe_text.CELLS_OUTPUT_LIMIT + 2000
    assert len(clean["cells"]) == 2000 and clean["cells"][0]["output"] == "y" * safe_text.OUTPUT_LIMIT
    assert len(json.dumps(clean)) < 2 * safe_text.CELLS_OUTPUT_LIMIT + 2000 * 60


def test_the_worker_grades_each_submission_within_its_own_byte_budget(monkeypatch):
    from autograder.batch import grading, pool
    header = wire.MAX_FRAME.to_bytes(4, "big")
    frames = wire.SUBMISSION_BYTES // wire.MAX_FRAME

    def receives(count):
        def grade_submission(item, settings, zygote):
            for _ in range(count):
                wire.frame_length(header)
            return {"status": "graded"}
        return grade_submission

    monkeypatch.setattr(grading, "grade_submission", receives(frames))
    for _ in range(3):   # the budget is per submission: each one starts afresh
        assert pool._grade_one(_submission(b""), None, None) == {"status": "graded"}
    monkeypatch.setattr(grading, "grade_submission", receives(frames + 1))
    refused = pool._grade_one(_submission(b""), None, None)
    assert isinstance(refused, pool.GraderError) and "WireError" in str(refused)
