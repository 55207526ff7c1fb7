"""Text from a submission made safe to store, print, put in a page or a spreadsheet.

Everything a submission controls (its folder and file names, what its code
printed, exception messages) passes through here before it is stored or shown:

- ``text``: valid UTF-8 (lone surrogates such as ``'\\udc80'`` and undecodable
  bytes become U+FFFD), no control characters or terminal escapes (newlines and
  tabs kept), no bidirectional overrides, at most ``limit`` characters;
- ``line``: the same on one line (newlines and tabs become spaces), for names
  and table cells;
- ``escaped``: a name shown with its control characters and undecodable bytes
  as visible escapes, for reporting a name that was refused;
- ``csv_cell``: a value a spreadsheet will read as text, never as a formula.
"""
import re
import unicodedata

NAME_LIMIT = 200
MESSAGE_LIMIT = 2000
OUTPUT_LIMIT = 9000

# C0 and C1 controls (ESC, CSI, BEL, CR ...), DEL, and the bidirectional overrides and isolates
# that make a line display in another order than it is stored.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
_BREAKS = re.compile("[\n\t\u2028\u2029\x85]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def _valid(value):
    """``value`` as a str holding only valid Unicode scalar values (encodable as UTF-8)."""
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", "replace")
    text = value if isinstance(value, str) else str(value)
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        # surrogatepass keeps well-formed pairs together; lone halves become U+FFFD
        return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def _cap(text, limit):
    if limit is None or len(text) <= limit:
        return text
    return text[:limit] + f"... [{len(text) - limit} more characters cut]"


def text(value, limit=MESSAGE_LIMIT):
    """Multi-line text: valid UTF-8, no control characters but newline and tab, capped."""
    cleaned = _valid(value).replace("\r\n", "\n")
    return _cap(_UNSAFE.sub("\ufffd", cleaned), limit)


def line(value, limit=NAME_LIMIT):
    """One line of safe text (newlines and tabs become spaces), capped."""
    return text(_BREAKS.sub(" ", _valid(value)), limit)


def is_safe_name(name):
    """Whether a file or folder name can be stored and shown as it is (it is its own ``line``)."""
    return isinstance(name, str) and bool(name) and line(name) == name \
        and unicodedata.normalize("NFC", name) == name


def escaped(name, limit=NAME_LIMIT):
    """``name`` with undecodable bytes, control and invisible direction characters as escapes."""
    if isinstance(name, (bytes, bytearray)):
        name = bytes(name).decode("utf-8", "surrogateescape")
    out = []
    for char in str(name):
        code = ord(char)
        if 0xDC80 <= code <= 0xDCFF:          # an undecodable byte, as os.fsdecode keeps it
            out.append(f"\\x{code - 0xDC00:02x}")
        elif 0xD800 <= code <= 0xDFFF or _UNSAFE.match(char) or _BREAKS.match(char):
            out.append(f"\\u{code:04x}" if code > 0xFF else f"\\x{code:02x}")
        elif char == "\\":
            out.append("\\\\")
        else:
            out.append(char)
    return _cap("".join(out), limit)


def csv_cell(value):
    """A CSV cell a spreadsheet reads as text: one line, and a formula start neutralised with
    a leading apostrophe (plain numbers such as ``-1.5`` are left as numbers)."""
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    cell = line(value, limit=MESSAGE_LIMIT)
    if _NUMBER.fullmatch(cell):
        return cell
    if cell.lstrip(" ").startswith(_FORMULA_START):
        return "'" + cell
    return cell


_ONE_LINE_FIELDS = {"student", "submission", "assignment", "status", "function", "sha256", "arrived",
                    "isolation"}
_LONG_FIELDS = {"output": OUTPUT_LIMIT, "printed": MESSAGE_LIMIT, "message": 4 * MESSAGE_LIMIT}


CELLS_OUTPUT_LIMIT = 100_000   # characters of output kept over all the cells of one result


def _cap_cells(cells):
    """Cells' outputs cut to CELLS_OUTPUT_LIMIT characters in all (a notebook of 2000 cells each
    printing its maximum would otherwise store megabytes per submission)."""
    left, noted = CELLS_OUTPUT_LIMIT, False
    for cell in cells:
        if isinstance(cell, dict) and isinstance(cell.get("output"), str):
            output = cell["output"]
            if len(output) > left:
                cell["output"] = output[:left] + ("" if noted else
                                                  "... [the rest of the notebook's output is not kept]")
                noted = True
            left = max(0, left - len(output))
    return cells


def clean_result(value, _key=None):
    """A copy of a result dict (or any JSON-like value) with every string made safe: names and
    statuses with ``line``, outputs and messages with ``text`` (each field with its own cap, and
    the cells' outputs together at most CELLS_OUTPUT_LIMIT characters)."""
    if isinstance(value, dict):
        cleaned = {key: clean_result(item, key) for key, item in value.items()}
        if isinstance(cleaned.get("cells"), list):
            _cap_cells(cleaned["cells"])
        return cleaned
    if isinstance(value, (list, tuple)):
        return [clean_result(item, _key) for item in value]
    if isinstance(value, str):
        if _key in _ONE_LINE_FIELDS:
            return line(value, limit=4 * NAME_LIMIT)
        return text(value, limit=_LONG_FIELDS.get(_key, MESSAGE_LIMIT))
    return value
