"""Tables a reviewer can search: every table in a box of its own, the large ones made sortable,
filterable and searchable in the browser, offline.

The build, not the notebooks, does this, so the notebooks and their stored outputs (which
nbval compares) stay plain HTML tables:

- every table of the page goes into ``<div class="table-box">``, which scrolls sideways on its
  own, so a wide table never makes the page wider than the window;
- a table of at least :data:`MIN_ROWS` body rows whose structure a search can keep
  (:func:`table_shape`) is marked ``data-searchable``;
- a page with such a table carries DataTables once, as itables ships it for its offline
  mode (``itables/html/dt_bundle.js`` and ``.css``, jQuery and DataTables under the MIT
  licence): the style sheet in the page's head, the script base64-encoded in an inert
  ``<script type="application/octet-stream">`` (so no ``</script>`` or ``<!--`` inside it can
  end it early), loaded as a module from a ``blob:`` URL by :data:`INIT_SCRIPT`. Nothing is
  fetched from the network. With JavaScript off, the plain table stays.

Before DataTables takes a marked table, :data:`INIT_SCRIPT` makes it a simple grid: the
header row that pandas adds for the index's names is merged into the row of column names,
and a cell spanning several body rows (a MultiIndex's outer level) is repeated in each, so
that every row can be sorted and filtered on its own. Paging is off: every row stays on the
page (and in its PDF); the table opens in its own order.
"""

from __future__ import annotations

import base64
import functools
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from helpers.data.errors import SetupError

__all__ = [
    "BUNDLE",
    "INIT_SCRIPT",
    "MARK",
    "MIN_ROWS",
    "TableShape",
    "bundle",
    "make_searchable",
    "table_shape",
]

#: A table of at least this many body rows is made searchable (when its shape allows).
MIN_ROWS = 10

#: The attribute that marks a table for DataTables.
MARK = "data-searchable"

_TABLE_TAG = re.compile(r"<table\b|</table\s*>", re.IGNORECASE)


@dataclass(frozen=True)
class TableShape:
    """What a table's markup holds, as far as a search over it is concerned."""

    header_rows: int
    body_rows: int
    columns_per_header_row: tuple[int, ...]
    header_spans: bool  # a colspan or rowspan among the header's cells
    header_overlap: bool  # two header rows both name one column
    body_colspan: bool  # a cell of the body spans several columns
    nested: bool  # a table inside the table

    @property
    def simple(self) -> bool:
        """Whether one header row can name every column (merging pandas' row of index names
        into the row of column names) and every body row can stand alone (row spans
        repeated)."""
        return (
            self.header_rows >= 1
            and self.body_rows >= 1
            and not self.header_spans
            and not self.header_overlap
            and not self.body_colspan
            and not self.nested
            and len(set(self.columns_per_header_row)) == 1
        )

    @property
    def searchable(self) -> bool:
        """Whether the build makes the table searchable: simple, and at least
        :data:`MIN_ROWS` body rows."""
        return self.simple and self.body_rows >= MIN_ROWS


class _ShapeParser(HTMLParser):
    """Counts a table's header and body rows and finds the spans a search cannot keep."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.nested = False
        self.section = ""
        self.head_rows: list[list[str]] = []
        self.body_rows = 0
        self.header_spans = False
        self.body_colspan = False
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self.depth += 1
            self.nested = self.nested or self.depth > 1
        if self.depth != 1:
            return
        if tag in ("thead", "tbody", "tfoot"):
            self.section = tag
        elif tag == "tr":
            if self.section == "thead":
                self.head_rows.append([])
            elif self.section in ("tbody", ""):
                self.body_rows += 1
        elif tag in ("td", "th"):
            colspan = _span(attrs.get("colspan"))
            rowspan = _span(attrs.get("rowspan"))
            if self.section == "thead":
                self.header_spans = self.header_spans or colspan > 1 or rowspan > 1
                if self.head_rows:
                    self.cell = []
            else:
                self.body_colspan = self.body_colspan or colspan > 1

    def handle_endtag(self, tag):
        if tag == "table":
            self.depth -= 1
        elif tag in ("td", "th") and self.cell is not None and self.depth == 1:
            self.head_rows[-1].append("".join(self.cell).strip())
            self.cell = None
        elif tag in ("thead", "tbody", "tfoot") and self.depth == 1:
            self.section = ""

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def _span(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 1


def table_shape(table: str) -> TableShape:
    """The shape of one table's markup.

    Parameters
    ----------
    table : str
        A ``<table>…</table>`` element as HTML (a body row outside ``<tbody>`` counts as a body
        row).

    Returns
    -------
    TableShape
        Its header and body rows, the number of cells of each header row, and whether spans,
        a second name for one column or a nested table keep it from being searchable.

    Examples
    --------
    >>> shape = table_shape(
    ...     "<table><thead><tr><th></th><th>a</th></tr><tr><th>ref</th><th></th></tr></thead>"
    ...     "<tbody><tr><th>1</th><td>x</td></tr></tbody></table>"
    ... )
    >>> shape.header_rows, shape.body_rows, shape.simple
    (2, 1, True)
    """
    parser = _ShapeParser()
    parser.feed(table)
    parser.close()
    rows = parser.head_rows
    named = [{i for i, text in enumerate(row) if text} for row in rows]
    overlap = any(named[i] & named[j] for i in range(len(named)) for j in range(i))
    return TableShape(
        header_rows=len(rows),
        body_rows=parser.body_rows,
        columns_per_header_row=tuple(len(row) for row in rows),
        header_spans=parser.header_spans,
        header_overlap=overlap,
        body_colspan=parser.body_colspan,
        nested=parser.nested,
    )


def _tables(html: str) -> list[tuple[int, int]]:
    """The start and end offsets of each outermost ``<table>`` element of ``html``."""
    spans, depth, start = [], 0, 0
    for match in _TABLE_TAG.finditer(html):
        if match.group(0).startswith("</"):
            if depth == 0:
                continue  # a stray end tag: the browser ignores it, so do we
            depth -= 1
            if depth == 0:
                spans.append((start, match.end()))
        else:
            if depth == 0:
                start = match.start()
            depth += 1
    return spans


def make_searchable(html: str) -> tuple[str, int]:
    """Box every table of a page's ``<main>`` and mark the large simple ones for DataTables.

    Parameters
    ----------
    html : str
        A report page with a ``<main>`` element.

    Returns
    -------
    tuple of (str, int)
        The page, each table of ``<main>`` wrapped in ``<div class="table-box">`` and the
        searchable ones (:attr:`TableShape.searchable`) given the ``data-searchable``
        attribute; and how many were marked. Unchanged when there is no ``<main>``.

    Examples
    --------
    >>> page, marked = make_searchable("<main><table><tr><td>1</td></tr></table></main>")
    >>> page, marked
    ('<main><div class="table-box"><table><tr><td>1</td></tr></table></div></main>', 0)
    """
    start, end = html.find("<main>"), html.rfind("</main>")
    if start < 0 or end < start:
        return html, 0
    main = html[start:end]
    parts, last, marked = [], 0, 0
    for a, b in _tables(main):
        table = main[a:b]
        if table_shape(table).searchable:
            table = f"<table {MARK}=''" + table[len("<table") :]
            marked += 1
        parts += [main[last:a], '<div class="table-box">', table, "</div>"]
        last = b
    parts.append(main[last:])
    return html[:start] + "".join(parts) + html[end:], marked


#: Where itables keeps DataTables for its offline mode, inside the installed package.
BUNDLE = ("html", "dt_bundle.js")


@functools.cache
def _bundle_files() -> tuple[str, str]:
    """DataTables' script and style sheet as itables ships them."""
    try:
        import itables
    except ImportError:
        raise SetupError(
            "itables is not installed; the reports' searchable tables need its offline bundle "
            "(make setup installs requirements.lock)"
        ) from None
    script = Path(itables.__file__).parent.joinpath(*BUNDLE)
    try:
        return (
            script.read_text(encoding="utf-8"),
            script.with_suffix(".css").read_text(encoding="utf-8"),
        )
    except OSError as exc:
        raise SetupError(
            f"itables {getattr(itables, '__version__', '')} ships no offline bundle at "
            f"{'/'.join(BUNDLE)} ({exc.strerror})"
        ) from None


#: Loads the bundle from its inert script element and makes each marked table a DataTable.
INIT_SCRIPT = """
(function () {
  "use strict";
  var tables = Array.prototype.slice.call(document.querySelectorAll("table[data-searchable]"));
  var data = document.getElementById("report-tables-bundle");
  if (!tables.length || !data || typeof URL.createObjectURL !== "function") { return; }
  function merge_header(table) {
    var rows = table.tHead ? Array.prototype.slice.call(table.tHead.rows) : [];
    for (var r = 1; r < rows.length; r++) {
      for (var c = 0; c < rows[r].cells.length; c++) {
        var cell = rows[r].cells[c];
        if (cell.textContent.trim() && rows[0].cells[c]) {
          rows[0].cells[c].innerHTML = cell.innerHTML;
          rows[0].cells[c].className = cell.className;
        }
      }
      rows[r].parentNode.removeChild(rows[r]);
    }
  }
  function repeat_row_spans(table) {
    var carried = [];
    Array.prototype.slice.call(table.tBodies).forEach(function (body) {
      Array.prototype.slice.call(body.rows).forEach(function (row) {
        var cells = Array.prototype.slice.call(row.cells), column = 0, next = 0;
        while (next < cells.length || (carried[column] && carried[column].left > 0)) {
          var carry = carried[column];
          if (carry && carry.left > 0) {
            var copy = carry.cell.cloneNode(true);
            copy.removeAttribute("id");
            row.insertBefore(copy, cells[next] || null);
            carry.left -= 1;
          } else {
            var cell = cells[next++];
            var span = parseInt(cell.getAttribute("rowspan") || "1", 10);
            if (span > 1) {
              cell.removeAttribute("rowspan");
              carried[column] = { cell: cell, left: span - 1 };
            }
          }
          column += 1;
        }
      });
    });
  }
  var text = atob(data.textContent.trim());
  var bytes = Uint8Array.from(text, function (c) { return c.charCodeAt(0); });
  var url = URL.createObjectURL(new Blob([bytes], { type: "text/javascript" }));
  import(url).then(function (module) {
    URL.revokeObjectURL(url);
    tables.forEach(function (table) {
      merge_header(table);
      repeat_row_spans(table);
      new module.default(table, {
        paging: false,
        order: [],
        autoWidth: false,
        layout: { topStart: "search", topEnd: "info", bottomStart: null, bottomEnd: null }
      });
    });
    document.documentElement.setAttribute("data-tables-ready", String(tables.length));
  });
})();
"""


def bundle() -> tuple[str, str]:
    """DataTables for a page: what goes into its head and what goes at the end of its body.

    Returns
    -------
    tuple of (str, str)
        The ``<style>`` element of DataTables' style sheet; and the inert script element
        holding DataTables (base64), followed by :data:`INIT_SCRIPT`.

    Raises
    ------
    SetupError
        When itables, or its offline bundle, is missing.
    """
    script, css = _bundle_files()
    encoded = base64.b64encode(script.encode("utf-8")).decode("ascii")
    head = f'<style id="report-tables-style">\n{css}\n</style>'
    body = (
        '<script id="report-tables-bundle" type="application/octet-stream">'
        f"{encoded}</script>\n<script>{INIT_SCRIPT}</script>"
    )
    return head, body
