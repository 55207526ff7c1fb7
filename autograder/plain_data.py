"""Nested Python and NumPy values to JSON and back, exactly (types, dtypes, shapes, bits).

The student kit stores the documented examples' inputs, the expected outputs
and the catalogued mistakes' outputs this way (no pickle: loading data never
runs code). Supported: None, bool, int, float, str, tuple, list, dict (any of
these as keys), NumPy arrays of numeric or bool dtype (0-d included) and NumPy
scalars. Every container is tagged, so a dict in the data is never mistaken for
an encoded value.
"""
import base64
import gzip
import json

import numpy as np


def encode(value):
    """A JSON-compatible form of ``value``; TypeError for anything else."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biuf":
            raise TypeError(f"arrays of dtype {value.dtype} are not stored")
        data = np.ascontiguousarray(value)
        return {"a": [data.dtype.str, list(data.shape), base64.b64encode(data.tobytes()).decode()]}
    if isinstance(value, np.generic):
        return {"s": [value.dtype.str, base64.b64encode(np.asarray(value).tobytes()).decode()]}
    if isinstance(value, int):
        return {"i": str(value)}
    if isinstance(value, float):
        return {"f": value.hex()}
    if isinstance(value, tuple):
        return {"t": [encode(v) for v in value]}
    if isinstance(value, list):
        return {"l": [encode(v) for v in value]}
    if isinstance(value, dict):
        return {"d": [[encode(k), encode(v)] for k, v in value.items()]}
    raise TypeError(f"cannot store a {type(value).__name__}")


def decode(data):
    """The value ``encode`` was given (new objects every call)."""
    if data is None or isinstance(data, (bool, str)):
        return data
    (tag, body), = data.items()
    if tag == "a":
        dtype, shape, raw = body
        return np.frombuffer(base64.b64decode(raw), dtype=np.dtype(dtype)).reshape(shape).copy()
    if tag == "s":
        dtype, raw = body
        return np.frombuffer(base64.b64decode(raw), dtype=np.dtype(dtype))[0]
    if tag == "i":
        return int(body)
    if tag == "f":
        return float.fromhex(body)
    if tag == "t":
        return tuple(decode(v) for v in body)
    if tag == "l":
        return [decode(v) for v in body]
    if tag == "d":
        return {decode(k): decode(v) for k, v in body}
    raise ValueError(f"unknown tag {tag!r}")


def dump(value, path):
    """Write ``value`` (already made of plain JSON and ``encode`` forms) gzipped, reproducibly."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":")).encode()
    with open(path, "wb") as handle:
        with gzip.GzipFile(fileobj=handle, mode="wb", mtime=0, filename="") as packed:
            packed.write(text)


def load(path):
    """What ``dump`` wrote."""
    with gzip.open(path, "rb") as packed:
        return json.loads(packed.read())
