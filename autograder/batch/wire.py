"""Plain data across the sandbox boundary: length-prefixed JSON, arrays as ``.npy`` bytes.

Nothing crossing the boundary is ever unpickled. Values are encoded as JSON
with a few tagged objects:

- ``{"$array": <base64 .npy>}``: an ndarray, written and read with
  ``allow_pickle=False`` (arrays of Python objects cannot be sent);
- ``{"$scalar": <base64 .npy>}``: a NumPy scalar such as ``np.float64``;
- ``{"$tuple": [...]}`` and ``{"$dict": [[key, value], ...]}``: tuples, and
  dicts with their key types and order;
- ``{"$foreign": "<type name>"}``: anything else (an ndarray subclass, a custom
  class); the trusted side sees only its type name, so it fails the type check.

The reading side trusts nothing: a frame longer than ``MAX_FRAME`` bytes,
nesting deeper than ``MAX_DEPTH`` or more than ``MAX_NODES`` values raise
``WireError``.
"""
import base64
import io
import json
import struct

import numpy as np

MAX_FRAME = 64 * 2**20
MAX_DEPTH = 40
MAX_NODES = 200_000
_HEADER = struct.Struct(">I")


class WireError(ValueError):
    """Bytes from the other side that are not a well-formed message."""


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


def _npy_bytes(array):
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _npy_array(text):
    try:
        return np.load(io.BytesIO(base64.b64decode(text, validate=True)), allow_pickle=False)
    except Exception as exc:  # any malformed payload is the sender's fault, reported as such
        raise WireError(f"unreadable array: {type(exc).__name__}: {exc}") from None


def encode(value, _depth=0):
    """``value`` as JSON-ready data (see the module docstring)."""
    if _depth > MAX_DEPTH:
        return {"$foreign": "value nested too deeply"}
    if value is None or type(value) in (bool, int, float, str):
        return value
    if type(value) is np.ndarray:
        if value.dtype.hasobject:
            return {"$foreign": "ndarray of Python objects"}
        return {"$array": _npy_bytes(value)}
    if isinstance(value, np.generic) and type(value).__module__ == "numpy" and not isinstance(value, np.object_):
        return {"$scalar": _npy_bytes(np.asarray(value))}
    if type(value) is tuple:
        return {"$tuple": [encode(v, _depth + 1) for v in value]}
    if type(value) is list:
        return [encode(v, _depth + 1) for v in value]
    if type(value) is dict:
        return {"$dict": [[encode(k, _depth + 1), encode(v, _depth + 1)] for k, v in value.items()]}
    return {"$foreign": f"{type(value).__module__}.{type(value).__qualname__}"}


def decode(data):
    """The value that ``encode`` produced; WireError for anything else."""
    count = [0]

    def walk(node, depth):
        count[0] += 1
        if count[0] > MAX_NODES or depth > MAX_DEPTH:
            raise WireError("message too large or nested too deeply")
        if node is None or type(node) in (bool, int, float, str):
            return node
        if type(node) is list:
            return [walk(v, depth + 1) for v in node]
        if type(node) is not dict or len(node) != 1:
            raise WireError(f"unexpected {type(node).__name__} in message")
        (tag, body), = node.items()
        if tag == "$array" and type(body) is str:
            return _npy_array(body)
        if tag == "$scalar" and type(body) is str:
            array = _npy_array(body)
            if array.ndim != 0:
                raise WireError("scalar with a shape")
            return array[()]
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
        raise WireError(f"unknown tag {tag[:20]!r}")

    return walk(data, 0)


def pack(message):
    """One frame: 4-byte big-endian length, then the JSON of ``message`` (already encoded)."""
    body = json.dumps(message, allow_nan=True, separators=(",", ":")).encode("utf-8")
    return _HEADER.pack(len(body)) + body


def unpack(body):
    """The JSON message of one frame's body; WireError when it is not valid JSON."""
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise WireError(f"malformed frame: {type(exc).__name__}") from None


def frame_length(header):
    """Length announced by a 4-byte header; WireError beyond MAX_FRAME."""
    (length,) = _HEADER.unpack(header)
    if length > MAX_FRAME:
        raise WireError(f"frame of {length} bytes exceeds the limit of {MAX_FRAME}")
    return length
