"""Plain data across the sandbox boundary: JSON, with the arrays' bytes in one raw blob.

Nothing crossing the boundary is ever unpickled or parsed as anything but JSON.
Values are encoded as JSON with a few tagged objects:

- ``{"$array": [dtype, shape, {"$blob": [offset, length]}]}``: an ndarray of
  numbers or booleans; its bytes are ``length`` bytes of the frame's blob from
  ``offset`` on (arrays of Python objects cannot be sent);
- ``{"$scalar": [dtype, {"$blob": ...}]}``: a NumPy scalar such as ``np.float64``;
- ``{"$tuple": [...]}`` and ``{"$dict": [[key, value], ...]}``: tuples, and
  dicts with their key types and order;
- ``{"$foreign": "<type name>"}``: anything else (an ndarray subclass, a custom
  class); the trusted side sees only its type name, so it fails the type check.

A frame is: 4-byte length of the rest, 4-byte length of the JSON, the JSON,
then the blob: the arrays' bytes one after the other, as they sit in memory
(C order). The reading side trusts nothing: a frame
longer than ``MAX_FRAME`` bytes, nesting deeper than ``MAX_DEPTH``, more than
``MAX_NODES`` values, a dtype that is not a number or a boolean, a shape
with more than ``MAX_ELEMENTS`` elements (counting the sides of an empty
array too: ``[0, 10**30]`` is refused) or that does not fit its bytes, a blob
reference outside the blob, an integer outside ``MAX_INTEGER`` or written with
more than ``MAX_INTEGER_DIGITS`` digits raise ``WireError``.

Bounds over a whole submission: inside ``with Budget(n):`` every frame read
by this process (``frame_length``) is charged against ``n`` bytes, and a
frame that would exceed it raises ``WireError``. The batch worker grades each
submission inside one, so a submission cannot make the trusted side hold
more than that much of what it sent, however many messages it sends.
"""
import contextvars
import json
import math
import struct

import numpy as np

MAX_FRAME = 4 * 2**20        # an honest submission sends at most ~250 kB in all (measured)
SUBMISSION_BYTES = 32 * 2**20  # the Budget the batch worker gives each submission
MAX_DEPTH = 40
MAX_NODES = 200_000
MAX_ELEMENTS = 2**25          # per array: 256 MB of float64, far above any case of the course
MAX_INTEGER = 2**64           # |n| below this: every NumPy integer fits
MAX_INTEGER_DIGITS = 25       # JSON integer literals longer than this are refused before parsing
NUMERIC_KINDS = "biufc"
_HEADER = struct.Struct(">I")
_BUDGET = contextvars.ContextVar("wire_budget", default=None)


class WireError(ValueError):
    """Bytes from the other side that are not a well-formed message."""


class Budget:
    """The bytes this process may still read, over all frames, while the ``with`` block lasts.

    Args:
        limit: total bytes of frames (headers excluded) that may be read.
    """

    def __init__(self, limit):
        self.limit, self.used, self._token = int(limit), 0, None

    def charge(self, length):
        """Count a frame of ``length`` bytes; WireError when it does not fit what is left."""
        if self.used + length > self.limit:
            raise WireError(f"the messages of this submission exceed {self.limit} bytes in total")
        self.used += length

    def __enter__(self):
        self._token = _BUDGET.set(self)
        return self

    def __exit__(self, *exc):
        _BUDGET.reset(self._token)
        return False


class Foreign:
    """A value of a type that cannot cross the boundary; only its type name does."""

    def __init__(self, type_name):
        self.type_name = str(type_name)[:100]

    def __repr__(self):
        return f"<{self.type_name} object>"

    def __eq__(self, other):
        return isinstance(other, Foreign) and other.type_name == self.type_name

    def __hash__(self):
        return hash(self.type_name)


def _plain(array):
    return [array.dtype.str, list(array.shape), np.ascontiguousarray(array).tobytes()]


def encode(value, _depth=0):
    """``value`` as JSON-ready data (see the module docstring); arrays' bytes stay ``bytes``
    until ``pack`` moves them into the blob."""
    if _depth > MAX_DEPTH:
        return {"$foreign": "value nested too deeply"}
    if value is None or type(value) in (bool, int, float, str):
        return value
    if type(value) is np.ndarray:
        if value.dtype.kind not in NUMERIC_KINDS:
            return {"$foreign": f"ndarray of dtype {value.dtype}"}
        return {"$array": _plain(value)}
    if isinstance(value, np.generic) and type(value).__module__ == "numpy" \
            and np.dtype(type(value)).kind in NUMERIC_KINDS:
        return {"$scalar": _plain(np.asarray(value))[::2]}
    if type(value) is tuple:
        return {"$tuple": [encode(v, _depth + 1) for v in value]}
    if type(value) is list:
        return [encode(v, _depth + 1) for v in value]
    if type(value) is dict:
        return {"$dict": [[encode(k, _depth + 1), encode(v, _depth + 1)] for k, v in value.items()]}
    return {"$foreign": f"{type(value).__module__}.{type(value).__qualname__}"}


_DTYPES = {}
_OUT_OF_RANGE = Foreign("integer out of range")   # what ``unpack`` leaves for a huge literal


def _dtype(name):
    """The numeric dtype named ``name``; WireError for anything else (objects, records, junk)."""
    found = _DTYPES.get(name) if type(name) is str else None
    if found is None:
        try:
            found = np.dtype(name) if type(name) is str and len(name) <= 8 else None
        except TypeError:
            found = None
        if found is None or found.kind not in NUMERIC_KINDS or found.hasobject:
            raise WireError(f"array of unsupported dtype {str(name)[:20]!r}")
        _DTYPES[name] = found
    return found


def _array(dtype, shape, data):
    """An ndarray from untrusted parts; WireError unless they describe a numeric array exactly."""
    kind = _dtype(dtype)
    if type(shape) is not list or len(shape) > 32 or not all(type(n) is int and n >= 0 for n in shape):
        raise WireError("malformed array shape")
    # An empty array's other sides count too: NumPy refuses shapes like [0, 10**30] with errors
    # of its own, which must not reach the code judging the result.
    if math.prod(max(n, 1) for n in shape) > MAX_ELEMENTS:
        raise WireError(f"array shape {str(shape)[:60]} exceeds {MAX_ELEMENTS} elements")
    if type(data) is not bytes or math.prod(shape) * kind.itemsize != len(data):
        raise WireError("array bytes do not match its shape")
    return np.frombuffer(data, dtype=kind).reshape(shape).copy()


def decode(data):
    """The value that ``encode`` produced (after ``pack``/``unpack``); WireError for anything else."""
    count = [0]

    def walk(node, depth):
        count[0] += 1
        if count[0] > MAX_NODES or depth > MAX_DEPTH:
            raise WireError("message too large or nested too deeply")
        if node is _OUT_OF_RANGE or type(node) is int and not -MAX_INTEGER < node < MAX_INTEGER:
            raise WireError("integer out of range")
        if node is None or type(node) in (bool, int, float, str):
            return node
        if type(node) is list:
            return [walk(v, depth + 1) for v in node]
        if type(node) is not dict or len(node) != 1:
            raise WireError(f"unexpected {type(node).__name__} in message")
        (tag, body), = node.items()
        if tag == "$array" and type(body) is list and len(body) == 3:
            return _array(*body)
        if tag == "$scalar" and type(body) is list and len(body) == 2:
            return _array(body[0], [], body[1])[()]
        if tag == "$tuple" and type(body) is list:
            return tuple(walk(v, depth + 1) for v in body)
        if tag == "$dict" and type(body) is list:
            pairs = []
            for pair in body:
                if type(pair) is not list or len(pair) != 2:
                    raise WireError("malformed dict entry")
                key = walk(pair[0], depth + 1)
                try:
                    hash(key)
                except TypeError:
                    raise WireError("unhashable dict key") from None
                pairs.append((key, walk(pair[1], depth + 1)))
            return dict(pairs)
        if tag == "$foreign" and type(body) is str:
            return Foreign(body)
        raise WireError(f"unknown tag {str(tag)[:20]!r}")

    return walk(data, 0)


def pack(message):
    """One frame holding ``message`` (JSON-ready, with ``bytes`` where ``encode`` put arrays)."""
    parts, offset = [], [0]

    def to_blob(data):
        if type(data) is not bytes:
            raise TypeError(f"cannot send {type(data).__name__}")
        parts.append(data)
        offset[0] += len(data)
        return {"$blob": [offset[0] - len(data), len(data)]}

    text = json.dumps(message, allow_nan=True, separators=(",", ":"), default=to_blob).encode("utf-8")
    blob = b"".join(parts)
    return _HEADER.pack(4 + len(text) + len(blob)) + _HEADER.pack(len(text)) + text + blob


def unpack(body):
    """The message of one frame's body, arrays' bytes back in place; WireError when malformed."""
    if len(body) < 4:
        raise WireError("frame too short")
    (length,) = _HEADER.unpack(body[:4])
    if length > len(body) - 4:
        raise WireError("frame shorter than announced")
    blob = body[4 + length:]

    def resolve(node):
        if len(node) == 1 and "$blob" in node:
            where = node["$blob"]
            if (type(where) is not list or len(where) != 2 or not all(type(n) is int for n in where)
                    or where[0] < 0 or where[1] < 0 or where[0] + where[1] > len(blob)):
                raise WireError("array bytes out of range")
            return blob[where[0]:where[0] + where[1]]
        return node

    def integer(text):
        # not parsed (a 4000-digit literal costs time); ``decode`` refuses the value it stands for
        return _OUT_OF_RANGE if len(text.lstrip("-")) > MAX_INTEGER_DIGITS else int(text)

    try:
        return json.loads(body[4:4 + length].decode("utf-8"), object_hook=resolve, parse_int=integer)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        if isinstance(exc, WireError):
            raise
        raise WireError(f"malformed frame: {type(exc).__name__}") from None


def frame_length(header):
    """Length announced by a 4-byte header; WireError beyond MAX_FRAME or the current Budget."""
    (length,) = _HEADER.unpack(header)
    if length > MAX_FRAME:
        raise WireError(f"frame of {length} bytes exceeds the limit of {MAX_FRAME}")
    budget = _BUDGET.get()
    if budget is not None:
        budget.charge(length)
    return length
