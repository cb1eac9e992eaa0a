"""Reading input files safely: one clear problem for every way a file can be unreadable.

Every file the project reads from a user (the data tables, the claims register, the
Table 2 notes, ``reports.yaml``, appraisal files) goes through here:

- :func:`read_text` reads a file once, whole, and returns its text or a
  :class:`~helpers.data.errors.Problem`: missing, a folder, unreadable (permissions), larger
  than its limit, empty, or not UTF-8. A UTF-8 byte order mark (what spreadsheets write
  for "CSV UTF-8") is dropped; CRLF and CR line endings read as LF.
- :func:`read_csv` splits a text into a header and rows; a malformed file (an unclosed
  quote, a field over the size limit) is a problem naming its line.
- :func:`load_yaml` reads YAML strictly: safe tags only; aliases (``*name``) only for a
  text, within a budget (a 400-byte file of nested aliases expands to gigabytes); no
  repeated keys (the second would silently replace the first); bounded nesting and size.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import yaml

from helpers.data.errors import Problem

__all__ = [
    "MAX_CSV_FIELD",
    "MAX_TABLE_BYTES",
    "MAX_YAML_BYTES",
    "MAX_YAML_DEPTH",
    "CsvTable",
    "YamlProblem",
    "describe",
    "key_lines",
    "line_of",
    "load_yaml",
    "read_csv",
    "read_text",
]

#: Size limits: far above any real file of this project, far below what exhausts memory.
MAX_TABLE_BYTES = 32 * 1024 * 1024
MAX_YAML_BYTES = 2 * 1024 * 1024
#: The longest CSV field read at all (a cell's own limit, helpers.data.values.MAX_TEXT, is lower
#: and is reported with its column).
MAX_CSV_FIELD = 100_000
#: The deepest YAML nesting accepted (the registers nest three levels).
MAX_YAML_DEPTH = 20


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n:,} bytes"


def read_text(path: Path, name: str, limit: int) -> tuple[str | None, Problem | None]:
    """Read a whole UTF-8 file: ``(text, None)``, or ``(None, problem)`` saying why not.

    Parameters
    ----------
    path : Path
        The file.
    name : str
        How messages name it (relative to the data folder: ``"studies.csv"``).
    limit : int
        The largest size accepted, in bytes.

    Returns
    -------
    text : str or None
        The file's text, a byte order mark dropped and line endings LF; None on a problem.
    problem : Problem or None
        Why the file cannot be read (missing, not a file, unreadable, over ``limit``, not
        UTF-8, empty or only white space); None when it was read.
    """
    try:
        if not path.exists():
            return None, Problem(name, "file present", f"file is missing ({path})")
        if not path.is_file():
            return None, Problem(
                name, "file present", f"{path} is not a file (a folder, or a special file)"
            )
        size = path.stat().st_size
        if size > limit:
            return None, Problem(
                name, "file size", f"file is {_size(size)}; the limit is {_size(limit)}"
            )
        raw = path.read_bytes()
    except OSError as exc:
        return None, Problem(name, "file readable", f"cannot read {path}: {exc.strerror or exc}")
    if len(raw) > limit:  # grew while being read
        return None, Problem(name, "file size", f"file is over the limit of {_size(limit)}")
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, Problem(
            name,
            "UTF-8 encoding",
            f"byte 0x{raw[exc.start]:02x} at offset {exc.start} is not UTF-8; "
            "save the file as UTF-8",
            row=line,
        )
    if not text.strip():
        return None, Problem(name, "file not empty", "file is empty")
    return text.replace("\r\n", "\n").replace("\r", "\n"), None


@dataclass
class CsvTable:
    """A CSV file split into cells: the header and the data rows, with their line numbers."""

    header: list[str]
    rows: list[list[str]]
    #: The spreadsheet row number of each data row (the header is row 1).
    row_numbers: list[int]


def read_csv(text: str, name: str) -> tuple[CsvTable | None, list[Problem]]:
    """Split a CSV text into cells.

    Blank lines at the end of the file are ignored; a blank line between rows is a
    problem (a row that was cleared, not deleted). Rows are numbered as a spreadsheet
    numbers them: the header is row 1.

    Parameters
    ----------
    text : str
        The file's text, as :func:`read_text` returns it.
    name : str
        How messages name the file (relative to the data folder: ``"studies.csv"``).

    Returns
    -------
    table : CsvTable or None
        The header and the non-blank data rows as lists of strings (cells not stripped or
        typed); None when the text is not CSV or holds only blank lines.
    problems : list of Problem
        Why the text cannot be read, or one problem per blank row between rows; empty when
        there is none.
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    old = csv.field_size_limit()
    csv.field_size_limit(MAX_CSV_FIELD)
    try:
        records = list(reader)
    except csv.Error as exc:
        line = reader.line_num
        detail = str(exc)
        if "field larger than field limit" in detail:
            detail = f"a cell is longer than {MAX_CSV_FIELD:,} characters"
        return None, [
            Problem(
                name, "CSV well formed", f"cannot read the file as CSV: {detail}", row=line or None
            )
        ]
    finally:
        csv.field_size_limit(old)
    while records and not any(c.strip() for c in records[-1]):
        records.pop()
    if not records:
        return None, [Problem(name, "file not empty", "file is empty")]
    header, problems, rows, numbers = records[0], [], [], []
    for number, cells in enumerate(records[1:], start=2):
        if not any(c.strip() for c in cells):
            problems.append(Problem(name, "no blank rows", "row is empty; delete it", row=number))
            continue
        rows.append(cells)
        numbers.append(number)
    return CsvTable(header, rows, numbers), problems


# --------------------------------------------------------------------------- YAML


class YamlProblem(Exception):
    """Raised by the strict loader; carries the line and the reason."""

    def __init__(self, message: str, line: int | None):
        super().__init__(message)
        self.message, self.line = message, line


class _StrictLoader(yaml.SafeLoader):
    """PyYAML's safe loader with the YAML 1.2 core schema's plain scalars, no aliases of lists or
    mappings, no repeated keys, and bounded nesting.

    PyYAML follows YAML 1.1, which reads an unquoted ``2:16`` as 136 (base 60), ``0x28`` and
    ``4_0`` as 40, ``017`` as 15, ``no`` as false and ``2021-06-24`` as a date. Here a plain
    scalar is an integer only in decimal digits, a float only in decimal notation, a
    boolean only as true or false, null only as null or ~ or nothing; anything else is text.
    """

    yaml_implicit_resolvers: ClassVar[dict] = {}

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            target = self.anchors.get(event.anchor)
            line = event.start_mark.line + 1
            if target is not None and not isinstance(target, yaml.ScalarNode):
                raise YamlProblem(
                    f"the alias *{event.anchor} repeats a list or mapping; "
                    "aliases may only repeat a text "
                    "(nested aliases can expand a small file into gigabytes)",
                    line,
                )
            self._expanded = getattr(self, "_expanded", 0) + (
                len(target.value) if target is not None else 0
            )
            if self._expanded > MAX_YAML_BYTES:
                raise YamlProblem(
                    f"aliases expand to more than {_size(MAX_YAML_BYTES)} of text", line
                )
        self._depth = getattr(self, "_depth", 0) + 1
        try:
            if self._depth > MAX_YAML_DEPTH:
                raise YamlProblem(
                    f"nested more than {MAX_YAML_DEPTH} levels deep",
                    self.peek_event().start_mark.line + 1,
                )
            event = self.peek_event()
            tag = getattr(event, "tag", None)
            if tag is not None and not isinstance(event, yaml.AliasEvent):
                raise YamlProblem(
                    f"tags ({tag}) are not allowed; write the value plainly",
                    event.start_mark.line + 1,
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node, deep=False):
        seen = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                raise YamlProblem(
                    "a key must be a plain value, not a list or mapping",
                    key_node.start_mark.line + 1,
                ) from None
            if key in seen:
                raise YamlProblem(
                    f"key {key!r} appears twice "
                    f"(lines {seen[key]} and {key_node.start_mark.line + 1}); "
                    "the second would silently replace the first",
                    key_node.start_mark.line + 1,
                )
            seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(
    "tag:yaml.org,2002:int", lambda loader, node: int(loader.construct_scalar(node), 10)
)
_StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)
_StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?[0-9]+$"), list("-+0123456789")
)
_StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+.0123456789"),
)


def load_yaml(text: str):
    """Parse YAML strictly; return ``(value, node)``, the node giving every value's line.

    Parameters
    ----------
    text : str
        The YAML document (one document), as :func:`read_text` returns it.

    Returns
    -------
    value : object
        The parsed document: dicts, lists, str, int, float, bool and None; None for an empty
        document.
    node : yaml.Node or None
        The composed root node (for :func:`line_of` and :func:`key_lines`); None for an
        empty document.

    Raises
    ------
    YamlProblem
        For invalid YAML, a tag, an alias of a list or mapping, aliases expanding past
        :data:`MAX_YAML_BYTES`, a repeated key, a non-scalar key or nesting deeper than
        :data:`MAX_YAML_DEPTH`, with the line where it is.
    """
    loader = _StrictLoader(text)
    try:
        node = loader.get_single_node()
        value = loader.construct_document(node) if node is not None else None
    except YamlProblem:
        raise
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise YamlProblem(f"not valid YAML: {reason}", mark.line + 1 if mark else None) from None
    except RecursionError:
        raise YamlProblem("nested too deeply", None) from None
    except (
        ValueError,
        TypeError,
        KeyError,
        AttributeError,
    ) as exc:  # a value the constructors cannot build
        raise YamlProblem(f"cannot read a value: {exc}", None) from None
    finally:
        loader.dispose()
    return value, node


def line_of(node) -> int | None:
    """The 1-based line where a composed YAML node starts.

    Parameters
    ----------
    node : yaml.Node or None
        A node from :func:`load_yaml`.

    Returns
    -------
    int or None
        The line; None when ``node`` is None.
    """
    return None if node is None else node.start_mark.line + 1


def key_lines(node) -> dict:
    """For a mapping node: each key's line (1-based).

    Parameters
    ----------
    node : yaml.Node or None
        A node from :func:`load_yaml`.

    Returns
    -------
    dict
        Each plain (scalar) key's text to its line; empty when ``node`` is not a mapping.
    """
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {k.value: k.start_mark.line + 1 for k, _ in node.value if isinstance(k, yaml.ScalarNode)}


def describe(value) -> str:
    """A short, bounded description of a parsed YAML value, for messages (never ``str()`` of a
    whole structure, which could be huge).

    Parameters
    ----------
    value : object
        A value from :func:`load_yaml`.

    Returns
    -------
    str
        The ``repr`` of a scalar (a text over 60 characters cut to 57 and ``...``); the
        number of items of a list or keys of a mapping; else the type's name.
    """
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return repr(value if len(value) <= 60 else value[:57] + "...")
    if isinstance(value, list):
        return f"a list of {len(value)} item(s)"
    if isinstance(value, dict):
        return f"a mapping of {len(value)} key(s)"
    return f"a {type(value).__name__}"
