"""Compare a student's output with the expected one, naming what differs.

Checks run in a fixed order, and the first stage that fails is reported:
type (including dict keys and tuple lengths), then shape, then values.
Values are compared with ``np.allclose`` under tolerances stated per check.
"""
import re
from dataclasses import dataclass

import numpy as np

SCALAR_TYPES = (int, float, np.integer, np.floating)


@dataclass(frozen=True)
class Tolerance:
    """``|actual - expected| <= atol + rtol * |expected|`` elementwise."""

    rtol: float = 1e-6
    atol: float = 1e-8


@dataclass(frozen=True)
class Mismatch:
    """One difference: the quantity, the stage (type, shape, value) and what was seen."""

    quantity: str
    stage: str
    expected: str
    actual: str
    hint: str = ""
    where: str = ""
    public_hint: object = None   # the hint in the grader's own words only, when ``hint`` quotes the output

    def describe(self, show_values=True):
        """Text for the report. Without values (hidden cases) nothing about the inputs or the
        student's output is shown: quantity names come from the expected output, and a hint
        that quotes the output (such as its unexpected keys) is replaced by ``public_hint``."""
        text = f"{self.quantity}: {self.stage} differs"
        if show_values:
            text += f"\n    expected: {self.expected}\n    got:      {self.actual}"
            if self.where:
                text += f"\n    {self.where}"
        hint = self.hint if show_values or self.public_hint is None else self.public_hint
        if hint:
            text += f"\n    {hint}"
        return text


@dataclass(frozen=True)
class Comparison:
    """Result of comparing one output: the failing stage's mismatches and the quantities that matched."""

    mismatches: tuple
    matched: tuple

    @property
    def ok(self):
        return not self.mismatches


_LAYER_KEY = re.compile(r"^(d?)([WbAZ])(\d+)$")


def describe_key(key):
    """Readable meaning of a parameter or gradient key: 'dW2' -> 'dW of layer 2'."""
    match = _LAYER_KEY.match(str(key))
    if not match:
        return ""
    d, letter, layer = match.groups()
    if d and letter == "A":
        return "gradient with respect to X" if layer == "0" else f"gradient with respect to A{layer}"
    return f"{d}{letter} of layer {layer}"


def format_value(value, limit=1200):
    """Printable form of an expected or actual value; an array is printed as NumPy prints it,
    one row per line, after a line giving its shape."""
    if isinstance(value, np.ndarray):
        if not value.ndim:
            return f"0-d array {value!r}"[:limit]
        text = np.array2string(value, precision=8, suppress_small=True, threshold=48, edgeitems=3,
                               max_line_width=88)
        if len(text) > limit:
            text = text[:limit] + " ..."
        return f"array of shape {value.shape}:" + "".join(f"\n      {line}" for line in text.splitlines())
    shown = value.item() if isinstance(value, np.generic) else value   # float64 0.28, not np.float64(0.28)
    text = " ".join(f"{type(value).__name__} {shown!r}".split())
    return text if len(text) <= limit else text[:limit] + " ..."


def _index(index):
    return "[" + ", ".join(str(int(i)) for i in index) + "]"


def _number(value):
    return np.format_float_positional(float(value), precision=8, unique=True, trim="-") \
        if np.isfinite(value) else str(float(value))


def differing_entries(expected, actual, tolerance, shown=6):
    """One line pointing out where two arrays of one shape differ: how many entries, the first
    few indices, and the largest difference with both values."""
    expected = np.asarray(expected, dtype=float)
    actual = np.asarray(actual, dtype=float)
    with np.errstate(invalid="ignore", over="ignore"):
        wrong = ~(np.abs(actual - expected) <= tolerance.atol + tolerance.rtol * np.abs(expected))
        wrong &= ~(np.isnan(actual) & np.isnan(expected))
        diff = np.where(np.isnan(actual), np.inf, np.abs(actual - expected))
    places = np.argwhere(wrong)
    worst = np.unravel_index(np.argmax(np.where(wrong, diff, -1)), expected.shape)
    listed = ", ".join(_index(p) for p in places[:shown]) + (", ..." if len(places) > shown else "")
    return (f"{len(places)} of {expected.size} entries differ, at {listed}; the largest difference is at "
            f"{_index(worst)}: expected {_number(expected[worst])}, got {_number(actual[worst])}")


def _type_name(value):
    kind = type(value)
    return kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__name__}"


def _is_scalar(value):
    return isinstance(value, SCALAR_TYPES) and not isinstance(value, bool) or (
        isinstance(value, np.ndarray) and value.ndim == 0)


def _child(path, key):
    if isinstance(key, str):
        meaning = describe_key(key)
        return f'{path}["{key}"]' + (f" ({meaning})" if meaning else "")
    return f"{path}[{key}]"


def _walk(expected, actual, path, leaves, problems):
    """Check types and structure; collect comparable leaves as (path, expected, actual)."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            problems.append(Mismatch(path, "type", "dict", _type_name(actual)))
            return
        missing = [k for k in expected if k not in actual]
        extra = [k for k in actual if k not in expected]
        if missing or extra:
            unexpected = f"{len(extra)} unexpected key{'s' if len(extra) != 1 else ''}"
            problems.append(Mismatch(path, "keys", f"keys {sorted(expected, key=str)}",
                                     f"keys {sorted(actual, key=str)}",
                                     (f"missing {missing}" if missing else "")
                                     + ("; " if missing and extra else "")
                                     + (f"unexpected {extra}" if extra else ""),
                                     public_hint=(f"missing {missing}" if missing else "")
                                     + ("; " if missing and extra else "")
                                     + (unexpected if extra else "")))
        for key in expected:
            if key in actual:
                _walk(expected[key], actual[key], _child(path, key), leaves, problems)
    elif isinstance(expected, (tuple, list)):
        if not isinstance(actual, (tuple, list)):
            problems.append(Mismatch(path, "type", f"{_type_name(expected)} of {len(expected)}",
                                     _type_name(actual)))
            return
        if len(actual) != len(expected):
            problems.append(Mismatch(path, "length", f"{len(expected)} items", f"{len(actual)} items"))
            return
        for i, (e, a) in enumerate(zip(expected, actual)):
            _walk(e, a, _child(path, i), leaves, problems)
    elif isinstance(expected, np.ndarray) and expected.ndim > 0:
        if not isinstance(actual, np.ndarray):
            problems.append(Mismatch(path, "type", f"numpy.ndarray of shape {expected.shape}",
                                     _type_name(actual), "return a NumPy array"))
        elif not np.issubdtype(actual.dtype, np.number) and actual.dtype != bool:
            problems.append(Mismatch(path, "type", "numeric array", f"array of dtype {actual.dtype}"))
        else:
            leaves.append((path, expected, actual))
    elif _is_scalar(expected):
        if isinstance(actual, np.ndarray) and actual.ndim > 0:
            problems.append(Mismatch(path, "type", "a scalar (Python float, NumPy float or 0-d array)",
                                     f"array of shape {actual.shape}",
                                     "np.squeeze turns [[x]] into x"))
        elif not _is_scalar(actual):
            problems.append(Mismatch(path, "type", "a number", _type_name(actual)))
        else:
            leaves.append((path, expected, actual))
    else:
        if not (type(actual) is type(expected) and actual == expected):
            problems.append(Mismatch(path, "value", format_value(expected), format_value(actual)))


def paired_leaves(expected, actual, name):
    """[(path, expected leaf, actual leaf)] of every number and numeric array that sits where the
    expected output has one, whatever its shape (paths are built from the expected output)."""
    leaves = []
    _walk(expected, actual, name, leaves, [])
    return leaves


def _close(actual, expected, tolerance):
    """``np.allclose(actual, expected, rtol, atol, equal_nan=True)``, without its overhead.

    NaN equals NaN: expected values from the reference are finite, so this only lets a
    catalogued mistake that diverges (NaN like the student's) be recognised and named.
    """
    expected = np.asarray(expected, dtype=float)
    with np.errstate(invalid="ignore", over="ignore"):
        ok = np.abs(actual - expected) <= tolerance.atol + tolerance.rtol * np.abs(expected)
    if ok.all():
        return True
    both_nan = np.isnan(actual) & np.isnan(expected)
    same_infinity = np.isinf(actual) & (actual == expected)
    return bool((ok | both_nan | same_infinity).all())


def compare(expected, actual, name, tolerance=Tolerance(), describe=True):
    """Compare ``actual`` with ``expected``; report type, then shape, then value problems.

    Args:
        expected: the reference output (arrays, scalars, tuples, lists, dicts).
        actual: what the student's function returned.
        name: the quantity's name, e.g. "cache" or "grads".
        tolerance: allowed difference for numbers.
        describe: False when only ``ok`` matters: stops at the first differing value
            without formatting it.
    """
    leaves, problems = [], []
    _walk(expected, actual, name, leaves, problems)
    if problems:
        return Comparison(tuple(problems), ())
    shapes = [Mismatch(path, "shape", str(np.shape(e)), str(np.shape(a)))
              for path, e, a in leaves if np.shape(e) != np.shape(a)]
    if shapes:
        return Comparison(tuple(shapes), ())
    values, matched = [], []
    for path, e, a in leaves:
        a_float = np.asarray(a, dtype=float)
        if _close(a_float, e, tolerance):
            matched.append(path)
            continue
        if not describe:
            return Comparison((Mismatch(path, "value", "", ""),), ())
        where = differing_entries(e, a_float, tolerance) if np.ndim(e) else ""
        hint = "contains NaN or infinity" if not np.isfinite(a_float).all() else ""
        values.append(Mismatch(path, "value", format_value(np.asarray(e) if np.ndim(e) else e),
                               format_value(a), hint, where))
    return Comparison(tuple(values), tuple(matched))


def same(expected, actual, tolerance=Tolerance()):
    """True when ``actual`` matches ``expected`` in type, shape and value."""
    return compare(expected, actual, "value", tolerance, describe=False).ok


def identical(a, b):
    """True when ``a`` and ``b`` are the same values bit for bit, of the same types (a fast path
    before ``compare``: most inputs are left alone and most answers repeat exactly)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, np.ndarray):
        return a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()
    if isinstance(a, dict):
        return list(a) == list(b) and all(identical(a[k], b[k]) for k in a)
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(identical(x, y) for x, y in zip(a, b))
    if isinstance(a, (float, np.floating)):
        return a == b or (a != a and b != b)
    return isinstance(a, (int, str, bool, type(None), np.generic)) and a == b
