"""Text from the data, made safe for wherever it lands: HTML, Markdown and CSV.

Text in the data and in parameters is never trusted as markup. Every place that puts
such text into a report goes through one of these functions:

- :func:`html` for HTML (``<``, ``>``, ``&`` and quotes become entities);
- :func:`markdown` for Markdown cells (every Markdown and HTML special character is
  escaped, so ``[x](javascript:...)``, ``<script>``, backticks and ``$`` are shown as
  typed, never interpreted);
- :func:`csv_cell` and :func:`write_csv` for CSV files opened in a spreadsheet: a text
  cell beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is prefixed
  with ``'`` so the spreadsheet shows it as text instead of running it as a formula
  (the common practice against CSV injection). Numbers are written as numbers.

SVG figures need nothing here: matplotlib escapes text in SVG, and
:mod:`helpers.report.style` turns off its math parsing, so a ``$`` in a label is a dollar
sign.
"""

from __future__ import annotations

import csv
import html as _html
import os
from pathlib import Path

import pandas as pd

__all__ = ["FORMULA_START", "csv_cell", "csv_value", "html", "markdown", "read_csv", "write_csv"]

#: Characters that make a spreadsheet read a cell as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_MARKDOWN_SPECIAL = set("\\`*_{}[]()#+-.!|~<>&$\"'=:")


def html(text) -> str:
    """``text`` as HTML text: ``<b>`` is shown, never rendered.

    Parameters
    ----------
    text : object
        Any value; it is converted with ``str``.

    Returns
    -------
    str
        The text with ``<``, ``>``, ``&`` and both quotes as entities.
    """
    return _html.escape(str(text), quote=True)


def markdown(text) -> str:
    """``text`` for a Markdown cell: shown as typed, on one line, never interpreted.

    Markdown and HTML punctuation is backslash-escaped (CommonMark shows an escaped
    character as itself), ``<``, ``>``, ``&`` and quotes become numeric entities, and line
    breaks become spaces (a line break could start a heading or a list).

    Parameters
    ----------
    text : object
        Any value; it is converted with ``str``.

    Returns
    -------
    str
        The escaped text, its runs of white space collapsed to single spaces and its ends
        stripped.
    """
    out = []
    for ch in " ".join(str(text).split()):
        if ch in "<>&\"'":
            out.append(f"&#{ord(ch)};")
        elif ch in _MARKDOWN_SPECIAL:
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


def csv_cell(value):
    """A CSV cell that a spreadsheet shows as text: a formula-leading text gets a ``'`` prefix.

    A text that already begins with ``'`` and then a formula character gets one too, so that
    :func:`csv_value` gives back exactly the text that was written.

    Parameters
    ----------
    value : object
        A cell's value; only a ``str`` can be changed.

    Returns
    -------
    object
        ``value`` with ``'`` prefixed when it needs one, else ``value`` unchanged.
    """
    if isinstance(value, str) and (
        value.startswith(FORMULA_START)
        or (value.lstrip("'").startswith(FORMULA_START) and value.startswith("'"))
    ):
        return "'" + value
    return value


def csv_value(cell):
    """The text a cell held before :func:`csv_cell` (for reading back a file this project
    wrote).

    Parameters
    ----------
    cell : object
        A cell as read from the file.

    Returns
    -------
    object
        ``cell`` without the ``'`` that :func:`csv_cell` prefixed, else ``cell`` unchanged.
    """
    if (
        isinstance(cell, str)
        and cell.startswith("'")
        and cell.lstrip("'").startswith(FORMULA_START)
    ):
        return cell[1:]
    return cell


def write_csv(frame: pd.DataFrame, path: Path | str, decimals: int | None = None) -> Path:
    """Write ``frame`` (no index) as UTF-8 CSV with ``\\n`` line ends, every text quoted,
    formula-leading text neutralised (:func:`csv_cell`), atomically: the file is complete or
    absent.

    Parameters
    ----------
    frame : DataFrame
        The table to write; its index is left out. Text columns go through :func:`csv_cell`.
    path : Path or str
        The file to write; missing parent folders are created.
    decimals : int, optional
        Round float columns to this many decimals (for stable bytes); None writes them as
        they are.

    Returns
    -------
    Path
        ``path``, as a Path.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(csv_cell)
        elif decimals is not None and pd.api.types.is_float_dtype(safe[column]):
            safe[column] = safe[column].round(decimals)  # stable bytes, still numbers (unquoted)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        # Every text is quoted (QUOTE_NONNUMERIC), numbers are not: a carriage return inside a
        # text, which the csv module would leave unquoted with "\n" line ends, stays in its cell.
        safe.to_csv(
            tmp, index=False, encoding="utf-8", lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC
        )
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def read_csv(path: Path | str, columns, text_columns) -> pd.DataFrame:
    """Read a file :func:`write_csv` wrote back as it was before it was written.

    Parameters
    ----------
    path : Path or str
        The file.
    columns : sequence of str
        The columns the file must hold, in the order returned (others are left out).
    text_columns : iterable of str
        Those of ``columns`` that hold text: read as written (an empty text stays empty,
        "NA" and "None" are labels, not missing values; the ``'`` that kept a formula from
        running is removed, :func:`csv_value`). The other columns are numbers, each empty
        cell NaN.

    Returns
    -------
    DataFrame
        ``columns``, in their order.

    Raises
    ------
    ValueError
        When the file does not hold every one of ``columns`` (the message names the file and
        the columns missing).
    """
    columns, text = list(columns), set(text_columns)
    header = pd.read_csv(path, nrows=0).columns
    missing = [c for c in columns if c not in header]
    if missing:
        raise ValueError(f"{Path(path).name}: no column(s) {', '.join(missing)}")
    frame = pd.read_csv(
        path,
        usecols=columns,
        dtype={c: str for c in columns if c in text},
        keep_default_na=False,
        na_values={c: [""] for c in columns if c not in text},
    )
    for column in columns:
        if column in text:
            frame[column] = frame[column].map(csv_value)
    return frame[columns]
