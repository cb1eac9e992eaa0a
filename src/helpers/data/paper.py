"""The paper's text as passages, and every number in it.

The paper is vendored as plain text (``data/raw/nowaczyk-2021-full-text.txt``, see
``data/raw/README.md``). :func:`passages` cuts it into the parts whose numbers the audit
must account for, in reading order:

- ``Front matter`` (title, authors, dates, affiliation), ``Abstract``, ``Keywords``,
  ``Introduction``, ``Methods``, ``Results``, ``Fig. 1`` (its caption), ``Table 1``
  (caption, abbreviations, footnotes), ``Table 2`` (the same), ``Discussion``,
  ``Limitations``, ``Conclusion`` and ``Back matter`` (declarations, licence).

Two parts are left out, each checked elsewhere: the cells of Tables 1 and 2 (Table 1 cell
by cell against ``studies.csv`` by the transcription tests, Table 2 number by number by
the audit's Table 2 rows), and the reference list (``references.csv``, checked entry by
entry). Whitespace is folded, and a sentence broken by a table or a figure reads as one.

:func:`numbers` finds every number token (digits, and the number words one to twelve).
Three kinds of token are never a statement of a quantity and are named by rule rather
than one by one (:data:`MASKS`): citation brackets (``[4, 10–12]``), references to a
table or figure (``Table 1``, ``Fig. 1``) and links. Every other token is either the
``reported`` value of a claim (``claims.yaml``) or declared not a claim, with its reason,
in ``non_claims.yaml``; :func:`coverage` says which, token by token.

:func:`layout` lays the same text out for its HTML page (``reports/paper.html``,
:mod:`helpers.report.paper_page`): subheadings, paragraphs of sentences
(:func:`split_sentences`), printed lines, and the rows of Tables 1 and 2, every sentence,
line and row a numbered :class:`Unit` (anchor ``s-<n>``). :func:`locate` finds the unit a
claim's quote points to; one line classifier (``_classified``) serves :func:`passages` and
:func:`layout`, so the page and the passages never disagree on where a line belongs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import pandas as pd

from helpers.data import paths

__all__ = [
    "ABBREVIATIONS",
    "CELL_SEPARATOR",
    "COVERAGE_COLUMNS",
    "COVERAGE_STATUSES",
    "LINE_PASSAGES",
    "MASKS",
    "NUMBER_WORDS",
    "PAPER_TEXT",
    "PASSAGES",
    "Block",
    "Passage",
    "Unit",
    "cell_quote_problem",
    "claimed_tokens",
    "coverage",
    "coverage_summary",
    "fold",
    "is_cell_quote",
    "layout",
    "locate",
    "masked_numbers",
    "numbers",
    "passage_text",
    "passages",
    "section_passage",
    "source_cell",
    "split_sentences",
    "table_cells",
    "text",
    "token_run",
    "units",
    "word_value",
]

PAPER_TEXT = paths.DATA_DIR / "raw" / "nowaczyk-2021-full-text.txt"

#: The passages in reading order.
PASSAGES = (
    "Front matter",
    "Abstract",
    "Keywords",
    "Introduction",
    "Methods",
    "Results",
    "Fig. 1",
    "Table 1",
    "Table 2",
    "Discussion",
    "Limitations",
    "Conclusion",
    "Back matter",
)
#: Top-level headings of the text and the passage that follows each.
_HEADINGS = {
    "Abstract": "Abstract",
    "Introduction": "Introduction",
    "Materials and methods": "Methods",
    "Results": "Results",
    "Discussion": "Discussion",
    "Limitations": "Limitations",
    "Conclusion": "Conclusion",
}
_BACK_MATTER = (
    "Supplementary Information",
    "Acknowledgements",
    "Author contributions",
    "Funding",
    "Declarations",
    "Conflict of interest",
    "IRB approval status",
    "Disclosures",
    "Open Access",
)
_AFFILIATION = re.compile(r"✉.*|¹ .*|[\w.]+@[\w.]+|Medical University of Warsaw.*|02-006 Warsaw.*")

NUMBER_WORDS = (
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
)
#: Tokens that are never a quantity, by rule: (name, pattern, reason).
MASKS = (
    ("citation", r"\[[\d,\s–-]+\]", "a citation bracket names references, not a quantity"),
    ("cross-reference", r"\b(?:Table|Fig\.) \d+", "a table or figure number"),
    ("link", r"<https?://[^>]*>", "a web address (the DOI, the licence)"),
    (
        "footnote marker",
        r"\^[a-z]",
        "a footnote's letter (masked so that '^bOne patient' reads 'One')",
    ),
)


def word_value(token: str) -> int | None:
    """The value of a number word (:data:`NUMBER_WORDS`, any case): "Six" is 6; ``None`` for
    anything else.

    Parameters
    ----------
    token : str
        One token, a word or digits.

    Returns
    -------
    int or None
        1 to 12 for a number word; None for anything else, digits included.
    """
    low = token.lower()
    return NUMBER_WORDS.index(low) + 1 if low in NUMBER_WORDS else None


_TOKEN = re.compile(rf"\d+(?:[.,]\d+)*|\b(?:{'|'.join(NUMBER_WORDS)})\b", re.IGNORECASE)


@dataclass(frozen=True)
class Passage:
    """One part of the paper's text, whitespace folded."""

    name: str
    text: str


def fold(value: str) -> str:
    """Whitespace folded to single spaces, as passages and quotes are compared.

    Parameters
    ----------
    value : str
        Any text (another value is converted with ``str``).

    Returns
    -------
    str
        The text with every run of white space (line breaks included) one space, and no
        spaces at its ends.
    """
    return " ".join(str(value).split())


@cache
def text() -> str:
    """The paper's full text.

    Returns
    -------
    str
        The contents of :data:`PAPER_TEXT`, read once (cached).
    """
    return PAPER_TEXT.read_text(encoding="utf-8")


@cache
def passages() -> tuple[Passage, ...]:
    """The paper cut into :data:`PASSAGES` (table cells and the reference list left out).

    Returns
    -------
    tuple of Passage
        One per name of :data:`PASSAGES`, in that order, each text folded (:func:`fold`); a
        passage with no lines has empty text. Computed once (cached).
    """
    parts: dict[str, list[str]] = {name: [] for name in PASSAGES}
    for passage, kind, line, _ in _classified():
        if kind == "text":
            parts[passage].append(line)
    return tuple(Passage(name, fold(" ".join(lines))) for name, lines in parts.items())


@cache
def table_cells() -> dict[tuple[str, str, str], str]:
    """Every cell of Tables 1 and 2 as printed: ``{(table, row, column): text}``.

    ``row`` is the row's first cell (``"Pavlov-Dolijanovic [58]"``, ``"Intralesional"``),
    footnote letters after it dropped; ``column`` is the header's text. A cell wrapped onto
    a line of its own (Eleryan's "1/2 pain reduction") is joined to the cell above it.

    Returns
    -------
    dict
        ``(table, row, column)`` to the cell's folded text; ``table`` is ``"Table 1"`` or
        ``"Table 2"``. Empty cells are left out. Computed once (cached).
    """
    cells: dict[tuple[str, str, str], str] = {}
    table, header, last = None, None, None
    for raw in text().splitlines():
        if m := re.match(r"Table (\d)\b", raw.strip()):
            table = f"Table {m.group(1)}"
            continue
        if "\t" not in raw or table is None:
            continue
        parts = [fold(c) for c in raw.split("\t")]
        if parts[0] in ("First author (publication year)", "Treatment modality"):
            header = parts
            continue
        if header is None or not any(parts[1:]):  # before a header, or a group heading
            continue
        if not parts[0] and last:  # a cell wrapped onto a line of its own
            for column, value in zip(header[1:], parts[1:], strict=False):
                if value:
                    cells[(*last, column)] = fold(cells.get((*last, column), "") + " " + value)
            continue
        row = re.sub(r"(?: \^[a-z])+$", "", parts[0])
        last = (table, row)
        for column, value in zip(header[1:], parts[1:], strict=False):
            if value:  # an empty cell (the laser rows Table 2 merges) is nothing to quote
                cells[(table, row, column)] = value
    return cells


#: How a claim quotes a table cell: ``<row> | <column> | <cell as printed>``.
CELL_SEPARATOR = " | "


def source_cell(item: str) -> tuple[str, str, str] | None:
    """A table cell named as ``"Table 2 | row | column"`` (a note's printed source): its key in
    :func:`table_cells`, or ``None`` if the text does not have that form.

    Parameters
    ----------
    item : str
        A source as a note names it.

    Returns
    -------
    tuple of (str, str, str) or None
        ``(table, row, column)`` when ``item`` has three parts separated by
        :data:`CELL_SEPARATOR` and the first is ``"Table 1"`` or ``"Table 2"``; else None.
        Whether the cell exists is not checked.
    """
    parts = item.split(CELL_SEPARATOR)
    return tuple(parts) if len(parts) == 3 and parts[0] in ("Table 1", "Table 2") else None


def cell_quote_problem(section: str, quote: str) -> str | None:
    """Why a quote of a table cell is not one (``None`` if it is, or if it is no cell quote).

    A claim in section ``Table 1`` or ``Table 2`` may quote a cell as
    ``"<row> | <column> | <cell>"``; the cell must be printed exactly so.

    Parameters
    ----------
    section : str
        The claim's section: ``"Table 1"`` or ``"Table 2"`` for a table's cells.
    quote : str
        The claim's quote; whitespace is folded before it is split.

    Returns
    -------
    str or None
        What is wrong (no such row and column, or the cell printed otherwise), or None.
    """
    parts = fold(quote).split(CELL_SEPARATOR)
    if len(parts) != 3:
        return None
    row, column, value = parts
    printed = table_cells().get((section, row, column))
    if printed is None:
        rows = sorted({r for t, r, _ in table_cells() if t == section})
        return (
            f"{section} has no cell in row {row!r}, column {column!r} "
            f"(rows: {', '.join(rows[:6])}, ...)"
        )
    return (
        None
        if printed == value
        else f"{section} prints {printed!r} in row {row!r}, column {column!r}, not {value!r}"
    )


def is_cell_quote(section: str, quote: str) -> bool:
    """True for a quote of a table cell (:func:`cell_quote_problem`) in a table's section.

    Parameters
    ----------
    section : str
        The claim's section.
    quote : str
        The claim's quote.

    Returns
    -------
    bool
        True when ``section`` is ``"Table 1"`` or ``"Table 2"`` and the folded quote has three
        parts separated by :data:`CELL_SEPARATOR`.
    """
    return section in ("Table 1", "Table 2") and len(fold(quote).split(CELL_SEPARATOR)) == 3


def passage_text(name: str) -> str:
    """The folded text of one passage (:data:`PASSAGES`).

    Parameters
    ----------
    name : str
        One of :data:`PASSAGES`.

    Returns
    -------
    str
        The passage's text, as :func:`passages` gives it.

    Raises
    ------
    StopIteration
        When ``name`` is not a passage.
    """
    return next(p.text for p in passages() if p.name == name)


def section_passage(section: str) -> str:
    """The passage a claim's section lies in: ``"Results / Adverse effects"`` is in
    ``"Results"``.

    Parameters
    ----------
    section : str
        A claim's section, a passage's name optionally followed by ``" / "`` and a
        subheading.

    Returns
    -------
    str
        The part before the first ``" / "`` (the whole section if there is none).
    """
    return section.split(" / ")[0]


def _masked(value: str) -> str:
    for _, pattern, _ in MASKS:
        value = re.sub(pattern, lambda m: " " * len(m.group()), value)
    return value


def numbers(value: str) -> list[tuple[int, str]]:
    """Every number token of a text with its position, masked tokens (:data:`MASKS`) left out.

    Parameters
    ----------
    value : str
        The text.

    Returns
    -------
    list of (int, str)
        ``(position, token)`` in order of position; the position is the token's character
        offset in ``value``. A token is a run of digits (with inner ``.`` or ``,``, so
        ``1,000`` and ``2.5`` are one token) or a number word of :data:`NUMBER_WORDS`.
    """
    return [(m.start(), m.group()) for m in _TOKEN.finditer(_masked(value))]


def masked_numbers(value: str) -> list[tuple[int, str, str]]:
    """The number tokens :data:`MASKS` leave out: (position, token, mask name).

    Parameters
    ----------
    value : str
        The text.

    Returns
    -------
    list of (int, str, str)
        ``(position, token, mask name)``, sorted; the position is the token's character
        offset in ``value``.
    """
    found = []
    for name, pattern, _ in MASKS:
        for m in re.finditer(pattern, value):
            found += [(m.start() + t.start(), t.group(), name) for t in _TOKEN.finditer(m.group())]
    return sorted(found)


def token_run(quote: str, reported: str) -> list[tuple[int, str]] | None:
    """The tokens of ``quote`` that ``reported`` stands for: its number tokens at the first
    place they follow each other among the quote's number tokens; ``None`` if nowhere.

    Parameters
    ----------
    quote : str
        The quoted text; whitespace is folded first.
    reported : str
        The reported value (any value is converted with ``str``); its number tokens are
        matched case-insensitively.

    Returns
    -------
    list of (int, str) or None
        ``(position in the folded quote, token)`` of the matched run; None when the run is
        not in the quote or ``reported`` has no number token.
    """
    tokens = numbers(fold(quote))
    wanted = [t.lower() for _, t in numbers(str(reported))]
    values = [t.lower() for _, t in tokens]
    at = next(
        (i for i in range(len(values) - len(wanted) + 1) if values[i : i + len(wanted)] == wanted),
        None,
    )
    return None if at is None or not wanted else tokens[at : at + len(wanted)]


def claimed_tokens(body: str, entries) -> dict[int, list[str]]:
    """Which entries account for which number token of ``body``: {position: [labels]}.

    ``entries`` are ``(label, quote, reported)``: an entry accounts for the tokens of its
    ``reported`` value (both ends of a range, both numbers of a fraction) at the first place
    they follow each other among its quote's tokens (:func:`token_run`), wherever the quote
    stands in ``body``. A number that only lies inside a quote checked for another of its
    numbers is not accounted for.

    Parameters
    ----------
    body : str
        The folded text of a passage.
    entries : iterable of (str, str, str)
        ``(label, quote, reported)`` for each claim or declaration.

    Returns
    -------
    dict of int to list of str
        Character offset in ``body`` of each accounted token to the labels of the entries
        that account for it, in the order of ``entries``.
    """
    owned: dict[int, list[str]] = {}
    for label, quote, reported in entries:
        quote = fold(quote)
        run = token_run(quote, reported) or []
        start = body.find(quote)
        while start != -1:
            for pos, _ in run:
                owned.setdefault(start + pos, []).append(label)
            start = body.find(quote, start + 1)
    return owned


COVERAGE_COLUMNS = ["passage", "position", "number", "context", "status", "by"]
#: ``claimed``: the reported value of a claim; ``declared``: not a claim, with a reason
#: (``non_claims.yaml``); ``masked``: not a quantity by rule (:data:`MASKS`);
#: ``unclaimed``: none of these.
COVERAGE_STATUSES = ("claimed", "declared", "masked", "unclaimed")


def coverage(review) -> pd.DataFrame:
    """Every number token of the paper's text and what accounts for it.

    Parameters
    ----------
    review : Review
        A loaded review; its ``claims`` and ``non_claims`` are matched to the passages.

    Returns
    -------
    DataFrame
        Columns :data:`COVERAGE_COLUMNS`, one row per token in reading order; ``status``
        is one of :data:`COVERAGE_STATUSES`, ``by`` names the claims, the declaration's
        kind and reason, or the mask. ``position`` is the token's character offset in the
        passage's folded text, ``context`` the 60 characters before it and 40 from it.
    """
    rows = []
    for passage in passages():
        own = [c for c in review.claims if section_passage(c.section) == passage.name]
        claimed = claimed_tokens(passage.text, [(c.id, c.quote, c.reported) for c in own])
        declared = claimed_tokens(
            passage.text,
            [
                (f"{d.kind}: {d.reason}", d.quote, " ".join(d.numbers))
                for d in review.non_claims
                if d.passage == passage.name
            ],
        )
        tokens = [(pos, number, None) for pos, number in numbers(passage.text)]
        tokens += masked_numbers(passage.text)
        for pos, number, mask in sorted(tokens):
            context = passage.text[max(0, pos - 60) : pos + 40]
            if mask:
                status, by = "masked", f"{mask}: {dict((m[0], m[2]) for m in MASKS)[mask]}"
            elif pos in claimed:
                status, by = "claimed", ", ".join(claimed[pos])
            elif pos in declared:
                status, by = "declared", "; ".join(declared[pos])
            else:
                status, by = "unclaimed", ""
            rows.append(
                {
                    "passage": passage.name,
                    "position": pos,
                    "number": number,
                    "context": context,
                    "status": status,
                    "by": by,
                }
            )
    return pd.DataFrame(rows, columns=COVERAGE_COLUMNS)


def coverage_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Tokens per passage and status (every passage in reading order, every status a column).

    Parameters
    ----------
    table : DataFrame
        As :func:`coverage` returns it (columns ``passage`` and ``status`` are used).

    Returns
    -------
    DataFrame
        Indexed by passage (every name of :data:`PASSAGES`), one count column per status of
        :data:`COVERAGE_STATUSES` and ``total``.
    """
    counts = pd.crosstab(table["passage"], table["status"]).reindex(
        columns=list(COVERAGE_STATUSES), fill_value=0
    )
    counts = counts.reindex(list(PASSAGES), fill_value=0)
    counts["total"] = counts.sum(axis=1)
    return counts


# --------------------------------------------------------------------------- sentences

#: Words ending in a full stop that never end a sentence (besides single capital initials).
ABBREVIATIONS = ("et al.", "e.g.", "i.e.", "Fig.", "Figs.", "vs.", "approx.", "No.", "Dr.", "cf.")
_SENTENCE_END = re.compile(r"[.!?][)\]”’\"]*(?=\s+[A-Z0-9(“‘\"])")
_INITIAL = re.compile(r"(?:^|\s)[A-Z]\.$")
#: Passages printed line by line (no sentences to split): the front matter, the keywords,
#: and the captions, abbreviations and footnotes of the figure and the tables.
LINE_PASSAGES = ("Front matter", "Keywords", "Fig. 1", "Table 1", "Table 2")


def split_sentences(value: str) -> list[str]:
    """Folded text cut into sentences.

    A sentence ends at ``.``, ``!`` or ``?`` (and any closing bracket or quote after it)
    followed by white space and a capital letter, a digit, an opening parenthesis or a
    quote. A full stop inside a number (``2.5``) is followed by no space and never ends
    one; neither does the full stop of :data:`ABBREVIATIONS` (``et al.``, ``e.g.``,
    ``i.e.``, ``Fig.``) or of a single capital initial (``J.``).

    Parameters
    ----------
    value : str
        Text; it is folded (:func:`fold`) first.

    Returns
    -------
    list of str
        The sentences in order; joined with single spaces they give the folded text back.

    Examples
    --------
    >>> split_sentences("Olesen et al. [17] used 2.5 ml (i.e. 10%). Then Fig. 1 shows it.")
    ['Olesen et al. [17] used 2.5 ml (i.e. 10%).', 'Then Fig. 1 shows it.']
    """
    value = fold(value)
    out, start = [], 0
    for m in _SENTENCE_END.finditer(value):
        head = value[: m.start() + 1]
        if head.endswith(ABBREVIATIONS) or _INITIAL.search(head):
            continue
        out.append(value[start : m.end()].strip())
        start = m.end()
    if value[start:].strip():
        out.append(value[start:].strip())
    return out


@dataclass(frozen=True)
class Unit:
    """One numbered piece of the paper's page: a sentence, a printed line, or a table row.

    ``number`` gives the anchor (``s-<number>``); ``passage`` the part of :data:`PASSAGES`
    it is in; ``kind`` is ``"sentence"``, ``"line"`` or ``"row"``; ``text`` the folded text
    (a row's cells joined by :data:`CELL_SEPARATOR`); ``start`` its offset in the passage's
    folded text (-1 for a table row, whose cells the passages leave out); ``cells`` a row's
    cells; ``header`` marks a table's header row.
    """

    number: int
    passage: str
    kind: str
    text: str
    start: int = -1
    cells: tuple[str, ...] = ()
    header: bool = False

    @property
    def anchor(self) -> str:
        """The unit's HTML id, ``s-<number>``."""
        return f"s-{self.number}"


@dataclass(frozen=True)
class Block:
    """A piece of a passage's layout: a ``"subheading"`` (``title`` set, no units), a
    ``"paragraph"`` (sentences or lines) or a ``"table"`` (rows)."""

    passage: str
    kind: str
    title: str = ""
    units: tuple[Unit, ...] = ()


def _is_subheading(passage: str, line: str) -> bool:
    """A subheading of the running text: a short line of words, capitalised, no full stop."""
    return (
        passage not in LINE_PASSAGES
        and len(line.split()) <= 4
        and line[:1].isupper()
        and not re.search(r"[.,;:!?)\]]$", line)
    )


def _classified():
    """Every line of the text before the references: ``(passage, kind, line, raw)``.

    ``kind`` is ``"text"`` (a line of a passage) or ``"row"`` (a table's tab-separated row,
    ``passage`` its table). The one place that says which passage a line belongs to.
    """
    current = "Front matter"
    table = None  # the table whose caption, abbreviations and footnotes come next
    last_table = None
    for raw in text().splitlines():
        line = raw.strip()
        if "\t" in raw and last_table and line:
            yield last_table, "row", line, raw
            continue
        if not line:
            continue
        if line == "References":
            return
        if line in _HEADINGS:
            current, table = _HEADINGS[line], None
            yield current, "heading", line, raw
            continue
        if line.startswith(_BACK_MATTER):
            current = "Back matter"
        if line.startswith("Keywords"):
            yield "Keywords", "text", line, raw
            continue
        if _AFFILIATION.fullmatch(line):
            yield "Front matter", "text", line, raw
            continue
        if "\t" in raw:
            continue
        if m := re.match(r"Table (\d)\b", line):
            table = last_table = f"Table {m.group(1)}"
            yield table, "text", line, raw
            continue
        if line.startswith("Fig. "):
            yield "Fig. 1", "text", line, raw
            continue
        if table and (
            line.startswith("^") or re.match(r"(CR complete response|Er:YAG erbium)", line)
        ):
            yield table, "text", line, raw
            continue
        yield current, "text", line, raw


def _row_cells(raw: str) -> tuple[str, ...]:
    cells = [fold(c) for c in raw.split("\t")]
    while cells and not cells[-1]:
        cells.pop()
    return tuple(cells)


class _Counter:
    """The next unit number: units are numbered 1, 2, 3, ... in the page's order."""

    def __init__(self):
        self.number = 0

    def unit(self, passage, kind, value, start=-1, cells=(), header=False) -> Unit:
        self.number += 1
        return Unit(self.number, passage, kind, value, start, cells, header)


def _paragraphs(passage: str, lines: list[str], offset: int, counter: _Counter) -> list[Block]:
    """A passage's run of prose lines as paragraphs of numbered sentences; a paragraph ends
    where a sentence ends at the end of a line."""
    joined = " ".join(lines)
    ends, pos = set(), 0
    for line in lines:
        pos += len(fold(line))
        ends.add(pos)
        pos += 1
    blocks, paragraph, local = [], [], 0
    for sentence in split_sentences(joined):
        paragraph.append(counter.unit(passage, "sentence", sentence, offset + local))
        local += len(sentence)
        if local in ends:
            blocks.append(Block(passage, "paragraph", units=tuple(paragraph)))
            paragraph = []
        local += 1
    if paragraph:
        blocks.append(Block(passage, "paragraph", units=tuple(paragraph)))
    return blocks


def _wrapped(last: Unit, cells: tuple[str, ...]) -> Unit:
    """A table row with a cell wrapped onto the next line joined to it (same number)."""
    width = max(len(last.cells), len(cells))
    merged = tuple(
        fold(f"{a} {b}")
        for a, b in zip(
            last.cells + ("",) * (width - len(last.cells)),
            cells + ("",) * (width - len(cells)),
            strict=True,
        )
    )
    return Unit(
        last.number, last.passage, "row", CELL_SEPARATOR.join(c for c in merged if c), cells=merged
    )


def _passage_blocks(passage: str, lines, counter: _Counter) -> list[Block]:
    """One passage's blocks: its lines (``(kind, line, raw)``) as subheadings, paragraphs,
    printed lines and tables, numbered by ``counter``."""
    blocks: list[Block] = []
    offset = 0  # position in the passage's folded text
    pending: list[str] = []  # prose lines not yet cut into sentences
    rows: list[Unit] = []

    def flush_prose():
        nonlocal offset, pending
        if pending:
            blocks.extend(_paragraphs(passage, pending, offset, counter))
            offset += len(fold(" ".join(pending))) + 1
            pending = []

    def flush_rows():
        nonlocal rows
        if rows:
            blocks.append(Block(passage, "table", units=tuple(rows)))
            rows = []

    for kind, line, raw in lines:
        if kind == "row":
            cells = _row_cells(raw)
            if not cells[0] and rows and len(cells) > 1:  # a cell wrapped onto its own line
                rows[-1] = _wrapped(rows[-1], cells)
                continue
            header = cells[0] in ("First author (publication year)", "Treatment modality")
            if header:
                flush_rows()
            text = CELL_SEPARATOR.join(c for c in cells if c)
            rows.append(counter.unit(passage, "row", text, -1, cells, header))
            continue
        flush_rows()
        if passage in LINE_PASSAGES:
            unit = counter.unit(passage, "line", fold(line), offset)
            blocks.append(Block(passage, "paragraph", units=(unit,)))
            offset += len(fold(line)) + 1
        elif _is_subheading(passage, line):
            flush_prose()
            blocks.append(Block(passage, "subheading", title=fold(line)))
            offset += len(fold(line)) + 1
        else:
            pending.append(line)
    flush_rows()
    flush_prose()
    return blocks


@cache
def layout() -> tuple[Block, ...]:
    """The paper's text laid out for its page: passages in :data:`PASSAGES` order, each a
    sequence of blocks, every sentence, printed line and table row numbered once.

    How the text is cut: the running text of a passage (its lines in reading order, a
    sentence broken by a page, a table or a figure read as one) is split into sentences by
    :func:`split_sentences`; a line of at most four capitalised words without a full stop
    is a subheading. The passages of :data:`LINE_PASSAGES` are kept line by line. A table
    row (Tables 1 and 2) is one unit; a cell wrapped onto a line of its own (Eleryan's
    "1/2 pain reduction") joins the row above it. Numbers run from 1 in the page's order,
    so the same text always gives the same anchors. A paragraph ends where a sentence ends
    at the end of a line of the text.

    Returns
    -------
    tuple of Block
        Computed once (cached).
    """
    lines: dict[str, list[tuple[str, str, str]]] = {name: [] for name in PASSAGES}
    for passage, kind, line, raw in _classified():
        if kind != "heading":
            lines[passage].append((kind, line, raw))
    counter = _Counter()
    return tuple(
        b for passage in PASSAGES for b in _passage_blocks(passage, lines[passage], counter)
    )


def units() -> tuple[Unit, ...]:
    """Every numbered unit of :func:`layout`, in order (numbers 1, 2, 3, ...).

    Returns
    -------
    tuple of Unit
    """
    return tuple(u for b in layout() for u in b.units)


def _label(value: str) -> str:
    """A table row's label compared without spaces or footnote letters ("CO ₂" is "CO₂")."""
    return re.sub(r"\s+|\^[a-z]", "", value)


_PREFIXED = re.compile(rf"^({'|'.join(re.escape(p) for p in PASSAGES)}): (?:\.\.\.)?(.*)$")
_TABLE_ROW_QUOTE = re.compile(r"^(?:(Table [12]), )?(.+?), [^:,]+: ")


def locate(section: str, quote: str, reported: str = "") -> Unit | None:
    """The unit of the page (:func:`units`) a claim's quote points to.

    - A quote of a table cell (``"<row> | <column> | <cell>"``, :func:`is_cell_quote`) or
      of a Table 2 row (``"[Table 2, ]<row label>, <column>: <cell>"``) points to that row.
    - A quote prefixed with a passage (``"Results: ...<text>"``, as the paper's own
      arithmetic quotes) is looked for in that passage, the others in their section's
      passage (:func:`section_passage`).
    - In the passage's folded text, the unit holding the ``reported`` number (its first
      place among the quote's number tokens, :func:`token_run`), else the quote's start.

    Parameters
    ----------
    section : str
        The claim's section.
    quote : str
        The claim's quote.
    reported : str
        The number as printed (optional); chooses the sentence when a quote spans two.

    Returns
    -------
    Unit or None
        None when the quote is nowhere in the passage.
    """
    quote = fold(quote)
    passage = section_passage(section)
    table, row = None, None
    if is_cell_quote(section, quote):
        table, row = section, quote.split(CELL_SEPARATOR)[0]
    elif (m := _TABLE_ROW_QUOTE.match(quote)) and (m.group(1) or section == "Table 2"):
        table, row = m.group(1) or section, m.group(2)
    if table is not None:
        found = next(
            (
                u
                for u in units()
                if u.kind == "row"
                and u.passage == table
                and not u.header
                and _label(u.cells[0]) == _label(row)
            ),
            None,
        )
        if found is not None:
            return found
    if m := _PREFIXED.match(quote):
        passage, quote = m.group(1), m.group(2)
    if passage not in PASSAGES:
        return None
    body = passage_text(passage)
    at = body.find(quote)
    if at == -1:
        return None
    run = token_run(quote, reported) if reported else None
    if run:
        at += run[0][0]
    else:
        words = fold(reported)
        at += max(quote.find(words), 0) if words else 0
    candidates = [u for u in units() if u.passage == passage and u.start >= 0]
    return next(
        (u for u in candidates if u.start <= at < u.start + len(u.text)),
        next((u for u in candidates if u.start > at), None),  # at a subheading: what follows
    )
