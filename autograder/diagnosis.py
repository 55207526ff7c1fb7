"""What a wrong answer looks like, recognised from outputs alone.

Beside the catalogue of typical mistakes (``autograder.mistakes``, which needs
code the kit does not hold), many wrong answers have a recognisable *shape*
relative to the expected output: a constant factor (m, 1/m, 2, -1, keep_prob),
a transpose, a sum over the wrong axis or a lost dimension, a broadcast to
(n, n), a value that belongs to another layer or another example, the right
numbers in another order, whole numbers where fractions were expected, a recorded
list (costs) with entries left out or added. This
module only compares the expected output, the student's output and the case's
inputs, so it runs the same in the student kit and on the instructor's side.

``findings`` looks at one failing case; ``explain`` keeps a statement only
when it explains every failing case of the exercise (the same kind of finding
for each failing quantity on every case where it fails). Sentences for hidden
cases are in the grader's own words: no value, index or shape of the case.

Shapes: leaves are NumPy arrays of any shape or scalars; ``m`` is the number of
examples, read from the case's inputs by parameter name.
"""
from dataclasses import dataclass

import numpy as np

from autograder.compare import Tolerance, paired_leaves

# Parameters whose second dimension is the number of examples m.
_EXAMPLE_ARRAYS = ("X", "Y", "AL", "A", "A_prev", "dZ", "dA")
# Scalar parameters whose value may show up as a factor in a wrong answer.
_NAMED_SCALARS = ("keep_prob",)
# Kinds in order of preference: the first kind that explains every failing case is told.
KINDS = ("holds_other", "transposed", "lost_dimension", "extra_dimension", "broadcast", "wrong_axis",
         "not_summed", "lost_dimension_and_values", "factor_m", "factor_1_over_m", "factor_keep_prob", "factor_1_over_keep_prob",
         "sign", "factor_2", "factor_half", "zeros", "whole_numbers", "shifted_example", "reordered",
         "equals_input", "factor_constant", "transposed_shape",
         "list_every_kth", "list_missing_first", "list_missing_last", "list_extra_last", "list_extra_first")


@dataclass(frozen=True)
class Finding:
    """One thing seen in one failing quantity of one case.

    Attributes:
        quantity: the quantity's path, built from the expected output (e.g. 'grads["dW1"] (dW of layer 1)').
        kind: one of KINDS (no values).
        visible: the sentence for a visible case (may quote the case's sizes and factors).
        hidden: the sentence for a hidden case (the grader's own words only).
    """

    quantity: str
    kind: str
    visible: str
    hidden: str


def _first_array(value):
    """The first array found depth-first in nested tuples and lists, or None."""
    if isinstance(value, np.ndarray):
        return value
    if isinstance(value, (tuple, list)):
        for item in value:
            found = _first_array(item)
            if found is not None:
                return found
    return None


def examples_count(parameters, args):
    """m, the number of examples, read from the inputs (None when no input tells it)."""
    for name, value in zip(parameters, args):
        array = value if name in _EXAMPLE_ARRAYS else _first_array(value) if name in ("cache", "caches") else None
        if isinstance(array, np.ndarray) and array.ndim == 2:
            return int(array.shape[1])
    return None


def _scalars(parameters, args):
    return {name: float(value) for name, value in zip(parameters, args)
            if name in _NAMED_SCALARS and isinstance(value, (int, float)) and not isinstance(value, bool)}


def _close(a, b, tolerance):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        return False
    with np.errstate(invalid="ignore", over="ignore"):
        return bool(np.all(np.abs(a - b) <= tolerance.atol + tolerance.rtol * np.abs(b)))


def _g(value):
    return f"{value:g}"


def _factor(expected, actual, tolerance):
    """The constant c with actual = c * expected everywhere, or None."""
    e, a = np.asarray(expected, dtype=float).ravel(), np.asarray(actual, dtype=float).ravel()
    if not (np.isfinite(e).all() and np.isfinite(a).all()):
        return None
    big = np.abs(e) > max(1e3 * tolerance.atol, 1e-12)
    if not big.any():
        return None
    ratios = a[big] / e[big]
    c = float(np.median(ratios))
    return c if _close(a, c * e, Tolerance(tolerance.rtol * 10, tolerance.atol * 10)) else None


def _factor_findings(q, c, m, scalars, single=False):
    """Findings naming the constant factor c (actual = c * expected); ``single``: the quantity is
    one number."""
    found = []

    def near(x, y):
        return y != 0 and abs(x - y) <= 1e-6 * abs(y)

    if m and m > 1 and near(c, m):
        found.append(Finding(q, "factor_m", f"{q} is {m} times the expected value, and {m} is m, the number "
                             "of examples: is the division by m (the 1/m) missing?",
                             f"{q} is m times the expected value (m: the number of examples): is the "
                             "division by m missing?"))
    if m and m > 1 and near(c, 1 / m):
        found.append(Finding(q, "factor_1_over_m", f"{q} is the expected value divided by {m}, and {m} is m, "
                             "the number of examples: is it divided by m twice?",
                             f"{q} is the expected value divided by m (the number of examples) once "
                             "more: is it divided by m twice?"))
    for name, value in scalars.items():
        if value not in (0.0, 1.0) and near(c, value):
            found.append(Finding(q, f"factor_{name}", f"{q} is {name} ({_g(value)}) times the expected value: "
                                 f"is a division by {name} missing, or a multiplication in its place?",
                                 f"{q} is {name} times the expected value: is a division by {name} missing, "
                                 "or a multiplication in its place?"))
        if value not in (0.0, 1.0) and near(c, 1 / value):
            found.append(Finding(q, f"factor_1_over_{name}", f"{q} is the expected value divided by {name} "
                                 f"({_g(value)}) once more: is it divided by {name} twice?",
                                 f"{q} is the expected value divided by {name} once more: is it divided "
                                 f"by {name} twice?"))
    for value, kind, text in ((-1.0, "sign", "has the opposite sign of the expected value everywhere: "
                               "check the sign of the formula"),
                              (2.0, "factor_2", "is twice the expected value: is a term counted twice, "
                               "or a 1/2 missing?"),
                              (0.5, "factor_half", "is half the expected value: is a factor 2 missing, "
                               "or a 1/2 too many?")):
        if near(c, value):
            found.append(Finding(q, kind, f"{q} {text}", f"{q} {text}"))
    # always true as well; told when nothing more specific fits every case, and never of a single
    # number (any two numbers differ by a constant factor)
    if c != 0 and not near(c, 1.0) and not single:
        found.append(Finding(q, "factor_constant", f"{q} is the expected value times {c:.6g} everywhere "
                             "(a constant factor)",
                             f"{q} is the expected value times a constant factor everywhere"))
    return found


def _value_findings(q, e, a, tolerance, m, scalars):
    """Findings for a quantity of the right shape and wrong values."""
    found = []
    e_arr, a_arr = np.asarray(e, dtype=float), np.asarray(a, dtype=float)
    c = _factor(e_arr, a_arr, tolerance)
    if c is not None:
        found += _factor_findings(q, c, m, scalars, single=e_arr.size == 1)
    nonzero = np.abs(e_arr) > max(tolerance.atol, 1e-12)
    if np.all(a_arr == 0) and nonzero.any():
        where = "everywhere, where the expected values are not" if e_arr.ndim else "where the expected value is not"
        found.append(Finding(q, "zeros", f"{q} is 0 {where}: an integer division (1 // m is 0) or an integer "
                             "array?", f"{q} is 0 {where}: an integer division (1 // m is 0) or an integer array?"))
    elif (np.all(np.isfinite(a_arr)) and np.all(a_arr == np.round(a_arr))
          and not np.all(e_arr == np.round(e_arr))
          and any(_close(a_arr, f(e_arr), Tolerance(0, 1e-9)) for f in (np.trunc, np.floor, np.round))):
        found.append(Finding(q, "whole_numbers", f"{q} holds the expected values cut to whole numbers: an "
                             "integer division (//) or an array of integers (dtype=int)?",
                             f"{q} holds the expected values cut to whole numbers: an integer division "
                             "(//) or an array of integers (dtype=int)?"))
    if e_arr.ndim == 2 and e_arr.shape[0] == e_arr.shape[1] > 1 and _close(a_arr, e_arr.T, tolerance):
        found.append(Finding(q, "transposed", f"{q} is the transpose of the expected value",
                             f"{q} is the transpose of the expected value"))
    if e_arr.ndim == 2 and e_arr.shape[1] >= 3:
        if _close(a_arr[:, 1:], e_arr[:, :-1], tolerance) or _close(a_arr[:, :-1], e_arr[:, 1:], tolerance):
            found.append(Finding(q, "shifted_example", f"{q} is the expected value shifted by one column "
                                 "(one example): check the indices of the examples",
                                 f"{q} is the expected value shifted by one column (one example): check "
                                 "the indices of the examples"))
    if (e_arr.size > 1 and np.all(np.isfinite(a_arr))
            and _close(np.sort(a_arr.ravel()), np.sort(e_arr.ravel()), tolerance)):
        found.append(Finding(q, "reordered", f"{q} holds the expected numbers, in another order: the "
                             "draws or the entries are taken in another order (draw order, reshape "
                             "where a transpose was meant, or the order of a loop)",
                             f"{q} holds the expected numbers, in another order: the draws or the entries "
                             "are taken in another order"))
    return found


def _shape_findings(q, e, a, tolerance, m):
    """Findings for a quantity of the wrong shape."""
    found = []
    e_shape, a_shape = np.shape(e), np.shape(a)
    shapes = f" (shape {a_shape} where {e_shape} is expected)"
    if len(e_shape) == 2 and a_shape == e_shape[::-1]:
        if _close(np.transpose(a), e, tolerance):
            found.append(Finding(q, "transposed", f"{q} is the transpose of the expected value{shapes}",
                                 f"{q} is the transpose of the expected value"))
        else:
            found.append(Finding(q, "transposed_shape", f"{q} has the transposed shape{shapes}: check the "
                                 "order of the factors of the product and the transposes",
                                 f"{q} has the transposed shape: check the order of the factors of the "
                                 "product and the transposes"))
    if np.size(a) == np.size(e) and len(a_shape) < len(e_shape):
        fits = _close(np.reshape(a, e_shape), e, tolerance)
        found.append(Finding(q, "lost_dimension" if fits else "lost_dimension_and_values",
                             f"{q} lost a dimension{shapes}"
                             + (", with the right values" if fits else "")
                             + ": keepdims=True keeps it (or reshape the result)",
                             f"{q} lost a dimension" + (", with the right values" if fits else "")
                             + ": keepdims=True keeps it (or reshape the result)"))
    if np.size(a) == np.size(e) and len(a_shape) > len(e_shape):
        found.append(Finding(q, "extra_dimension", f"{q} has an extra dimension{shapes}: squeeze or reshape it",
                             f"{q} has an extra dimension: squeeze or reshape it"))
    if len(e_shape) == 2 and 1 in e_shape and len(a_shape) == 2 and a_shape[0] == a_shape[1] == max(e_shape) > 1:
        found.append(Finding(q, "broadcast", f"{q} has shape {a_shape} where {e_shape} is expected: an array of "
                             f"shape ({max(e_shape)},) met one of shape {e_shape} and NumPy broadcast them to "
                             "a square; keep both as columns (keepdims=True, or reshape)",
                             f"{q} is a square array where a column or a row is expected: an array that "
                             "lost a dimension met one that kept it, and NumPy broadcast them to a square; "
                             "keep both as columns (keepdims=True, or reshape)"))
    if m and len(e_shape) == 2 and e_shape[1] == 1 and e_shape[0] != m and a_shape in ((1, m), (m,)):
        found.append(Finding(q, "wrong_axis", f"{q} has shape {a_shape} where {e_shape} is expected: it is "
                             "summed over the wrong axis; sum each row, over the examples (axis=1, keepdims=True)",
                             f"{q} is summed over the wrong axis: sum each row, over the examples "
                             "(axis=1, keepdims=True)"))
    if m and m > 1 and len(e_shape) == 2 and e_shape[1] == 1 and a_shape == (e_shape[0], m):
        found.append(Finding(q, "not_summed", f"{q} has one column per example{shapes}: it is not summed "
                             "over the examples (np.sum(..., axis=1, keepdims=True))",
                             f"{q} has one column per example: it is not summed over the examples "
                             "(np.sum(..., axis=1, keepdims=True))"))
    return found


def _holds_other(q, a, others, tolerance):
    """A finding when ``a`` equals the expected value of another quantity (another layer, another
    returned value, another example's cache)."""
    for path, value in others:
        if path != q and np.size(value) > 1 and _close(a, value, tolerance):
            return [Finding(q, "holds_other", f"{q} holds what {path} should hold: check the index, key or "
                            "order used for it", f"{q} holds what {path} should hold: check the index, key "
                            "or order used for it")]
    return []


def _equals_input(q, a, inputs, tolerance):
    for path, value in inputs:
        if np.size(value) > 1 and _close(a, value, Tolerance(0.0, 0.0)):
            return [Finding(q, "equals_input", f"{q} is the input {path}, unchanged",
                            f"{q} is the input {path}, unchanged")]
    return []


def _numbers(value):
    """``value`` as a 1-D float array when it is a list or tuple of plain numbers (or a 1-D
    numeric array), else None."""
    if isinstance(value, np.ndarray):
        return value.astype(float) if value.ndim == 1 and np.issubdtype(value.dtype, np.number) else None
    if not isinstance(value, (list, tuple)) or not value:
        return None
    if not all(isinstance(v, (int, float, np.number)) and not isinstance(v, bool)
               or isinstance(v, np.ndarray) and v.ndim == 0 and np.issubdtype(v.dtype, np.number)
               for v in value):
        return None
    return np.array([float(v) for v in value])


def _list_findings(q, e, a, tolerance):
    """Findings for a recorded list (costs, ...) of another length than expected, whose entries
    are the expected ones with some left out or added: what was recorded, and when."""
    found = []
    if len(a) > len(e) >= 2:
        step = next((k for k in range(2, len(a) + 1) if len(a[::k]) == len(e) and _close(a[::k], e, tolerance)),
                    None)
        if step is not None:
            found.append(Finding(q, "list_every_kth", f"{q} holds {len(a)} entries, and taking every {step}th "
                                 f"of them gives the expected list: an entry is recorded {step} times as often "
                                 "as asked", f"{q} holds more entries than expected, and taking one every so "
                                 "often gives the expected list: an entry is recorded more often than asked"))
    if len(a) == len(e) - 1 and len(e) >= 2:
        if _close(a, e[1:], tolerance):
            found.append(Finding(q, "list_missing_first", f"{q} is the expected list without its first entry: "
                                 "is the first value (before any update) recorded?", f"{q} is the expected list "
                                 "without its first entry: is the first value (before any update) recorded?"))
        elif _close(a, e[:-1], tolerance):
            found.append(Finding(q, "list_missing_last", f"{q} is the expected list without its last entry: "
                                 "check the loop's range and the condition that records an entry",
                                 f"{q} is the expected list without its last entry: check the loop's range "
                                 "and the condition that records an entry"))
    if len(a) == len(e) + 1 and len(e) >= 1:
        if _close(a[:-1], e, tolerance):
            found.append(Finding(q, "list_extra_last", f"{q} is the expected list with one entry more at the "
                                 "end: is a value recorded again after the loop, or on the last pass?",
                                 f"{q} is the expected list with one entry more at the end: is a value "
                                 "recorded again after the loop, or on the last pass?"))
        elif _close(a[1:], e, tolerance):
            found.append(Finding(q, "list_extra_first", f"{q} is the expected list with one entry more at the "
                                 "start: is a value recorded before the loop as well?", f"{q} is the expected "
                                 "list with one entry more at the start: is a value recorded before the loop "
                                 "as well?"))
    return found


def _lists(pairs):
    """[(path, expected numbers, actual numbers)] of the outputs that are lists of numbers whose
    length differs from the expected one (``paired_leaves`` gives no leaf for them)."""
    found = []
    for name, e, a in pairs:
        e_numbers, a_numbers = _numbers(e), _numbers(a)
        if (isinstance(e, (list, tuple)) and e_numbers is not None and a_numbers is not None
                and len(a_numbers) != len(e_numbers)):
            found.append((name, e_numbers, a_numbers))
    return found


def _named_leaves(parameters, args):
    leaves = []
    for name, value in zip(parameters, args):
        leaves += [(path, v) for path, v, _ in paired_leaves(value, value, name)]
    return leaves


def findings(spec, args, expected, output):
    """{quantity: [Finding, ...]} for every failing numeric quantity of one case's output, or None
    when some failing quantity is not numeric (a wrong type or keys: nothing to recognise).

    Args:
        spec: the exercise's Spec (``outputs``, ``tolerance``, ``parameters``).
        args: the case's inputs.
        expected, output: the reference's and the student's outputs.
    """
    tolerance = spec.tolerance
    if isinstance(spec.outputs, str):
        pairs = [(spec.outputs, expected, output)]
    elif isinstance(output, (tuple, list)) and len(output) == len(spec.outputs):
        pairs = list(zip(spec.outputs, expected, output))
    else:
        return None
    leaves = [leaf for name, e, a in pairs for leaf in paired_leaves(e, a, name)]
    expected_leaves = [(path, e) for path, e, _ in leaves]
    m = examples_count(spec.parameters, args)
    scalars = _scalars(spec.parameters, args)
    inputs = None
    found = {}
    for path, e, a in leaves:
        if np.shape(e) == np.shape(a) and _close(a, e, tolerance):
            continue
        seen = _holds_other(path, a, expected_leaves, tolerance)
        if np.shape(e) != np.shape(a):
            seen += _shape_findings(path, e, a, tolerance, m)
        else:
            seen += _value_findings(path, e, a, tolerance, m, scalars)
        if inputs is None:
            inputs = _named_leaves(spec.parameters, args)
        seen += _equals_input(path, a, inputs, tolerance)
        found[path] = seen
    for path, e, a in _lists(pairs):
        found[path] = _list_findings(path, e, a, tolerance)
    return found


def case_findings(spec, args, expected, output):
    """``findings`` that never raises: an output too odd to look at gives None."""
    try:
        with np.errstate(all="ignore"):
            return findings(spec, args, expected, output)
    except Exception:   # recognising a shape is a courtesy; the verdict stands without it
        return None


def explain(per_case):
    """The sentences that explain every failing case, or None.

    A quantity is described when one kind of finding holds for it on every case where it fails
    (the first such kind in KINDS); the statement is made only when every failing case has at
    least one quantity described, so that nothing is said that some failing case contradicts.

    Args:
        per_case: [(hidden, {quantity: [Finding]})] for every case that failed on its output.

    Returns:
        [sentence per case] in the order given, joining the chosen findings of that case's
        described quantities; None when some case has nothing that can be said.
    """
    if not per_case or any(not found for _, found in per_case):
        return None
    chosen = {}
    for quantity in dict.fromkeys(q for _, found in per_case for q in found):
        kinds = None
        for _, found in per_case:
            if quantity in found:
                here = {f.kind for f in found[quantity]}
                kinds = here if kinds is None else kinds & here
        common = [k for k in KINDS if k in (kinds or ())]
        if common:
            chosen[quantity] = common[0]
    sentences = []
    for hidden, found in per_case:
        parts = [next(f for f in found[q] if f.kind == chosen[q]) for q in found if q in chosen]
        if not parts:
            return None
        sentences.append(_joined([(f.quantity, f.hidden if hidden else f.visible) for f in parts]))
    return sentences


def _joined(parts):
    """One sentence from (quantity, sentence starting with the quantity) pairs: quantities whose
    sentences say the same about them are named together ("W1, b1 and W2: each holds ...")."""
    groups = {}
    for quantity, sentence in parts:
        rest = sentence[len(quantity):].lstrip() if sentence.startswith(quantity) else sentence
        groups.setdefault(rest, []).append(quantity)
    said = []
    for rest, quantities in groups.items():
        if len(quantities) == 1:
            said.append(f"{quantities[0]} {rest}")
        elif len(quantities) <= 3:
            names = ", ".join(quantities[:-1]) + " and " + quantities[-1]
            said.append(f"{names}: each {rest}")
        else:   # how many there are can tell a hidden case's size: not said
            said.append(f"{', '.join(quantities[:3])} and the others like them: each {rest}")
    return "; ".join(said)
