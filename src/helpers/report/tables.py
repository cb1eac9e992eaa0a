"""How tables appear in the notebooks and the HTML reports.

Styled tables get a fixed ``uuid`` so their HTML is the same on every run (nbval
compares it, and reports must be byte-identical); colours come from one palette.
"""

from __future__ import annotations

import html
import re
from functools import cache

import numpy as np
import pandas as pd
from pandas.io.formats.style import Styler

from helpers.analysis import table1
from helpers.analysis.claims import STATUSES, STUDIES_SEPARATOR
from helpers.data import escape, paper
from helpers.data.values import count_noun, is_missing
from helpers.report import wording
from helpers.report.pooled_results import tests_table

__all__ = [
    "CIRCULAR_COLOUR",
    "NEUTRAL_COLOUR",
    "OK_COLOUR",
    "PAPER_PAGE",
    "PERCENT_COLUMN",
    "PROBLEM_COLOUR",
    "PROPORTION_COLUMN",
    "STATUS_COLOURS",
    "TABLE1_PAGE",
    "AnchoredTable",
    "StyledTable",
    "audit",
    "audit_by_section",
    "bullets",
    "cell_text",
    "comparison",
    "sentence_link",
    "status_counts",
    "studies_links",
    "subgroups",
    "text_table",
    "turned",
]

#: Background colours for agreement and disagreement (colour-blind safe pair).
OK_COLOUR = "#d9ead3"
PROBLEM_COLOUR = "#f4cccc"
NEUTRAL_COLOUR = "#eeeeee"
#: Circular agreement: neither a reproduction nor a discrepancy (amber, light).
CIRCULAR_COLOUR = "#fce8b2"
STATUS_COLOURS = {
    "reproduced": OK_COLOUR,
    "circular": CIRCULAR_COLOUR,
    "discrepancy": PROBLEM_COLOUR,
    "not_computable": NEUTRAL_COLOUR,
}


_LEFT = [{"selector": "td, th", "props": [("text-align", "left"), ("vertical-align", "top")]}]
#: A row reached by a link (``#claim-...``, ``#study-...``) is highlighted (CSS ``:target``).
_TARGET = [
    {
        "selector": "tr:target td, tr:target th",
        "props": [("background-color", "#fff2a8"), ("box-shadow", "inset 0 2px #e0b400")],
    }
]


class StyledTable:
    """A styled table for notebooks: its HTML is the Styler's, its plain repr carries no address.

    pandas' Styler prints as ``<...Styler at 0x7f...>`` in plain text, which changes on
    every run; this wrapper keeps stored outputs and reports the same from run to run.
    """

    def __init__(self, styler: Styler, name: str):
        self.styler, self.name = styler, name

    def _repr_html_(self) -> str:
        return self.styler.to_html()

    def to_html(self, **kwargs) -> str:
        """The table's HTML, as the Styler writes it.

        Parameters
        ----------
        **kwargs
            Passed to :meth:`pandas.io.formats.style.Styler.to_html`.

        Returns
        -------
        str
            The HTML (with the table's fixed ``uuid``).
        """
        return self.styler.to_html(**kwargs)

    def __repr__(self) -> str:
        rows, cols = self.styler.data.shape
        return f"<styled table {self.name!r}: {rows} rows x {cols} columns>"


#: Columns holding a proportion (0 to 1), shown as a percentage with one decimal.
PROPORTION_COLUMN = re.compile(r"^(proportion|ci_low|ci_high|pi_low|pi_high)(_\w+)?$")
#: Columns holding a percentage already, shown with one decimal.
PERCENT_COLUMN = re.compile(r"(_percent$|%)")


def cell_text(value) -> str:
    """A cell as a reader sees it, HTML-escaped: words for keys, lists joined, "–" for missing.

    Parameters
    ----------
    value : object
        The cell.

    Returns
    -------
    str
        "–" for a missing value, "yes"/"no" for a boolean, the items of a list, tuple or
        set joined with ", ", a vocabulary key's words (:func:`helpers.report.wording.term`),
        and any other value as text; escaped for HTML.

    Examples
    --------
    >>> cell_text(["<b>", 2]), cell_text(True), cell_text(None), cell_text("case_series")
    ('&lt;b&gt;, 2', 'yes', '–', 'case series')
    """
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
        return ", ".join(cell_text(v) for v in items)
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if is_missing(value):
        return "–"
    if isinstance(value, float | np.floating):  # a number in a column of mixed types
        return f"{value:.0f}" if float(value).is_integer() else f"{value:.2f}"
    return html.escape(str(wording.term(value)))


def _number_formatter(column: str, values: pd.Series):
    """How a numeric column's cells are written: one precision for the whole column."""
    if PROPORTION_COLUMN.match(str(column)):
        return lambda v: "–" if is_missing(v) else f"{100 * v:.1f}%"
    finite = values.dropna()
    if PERCENT_COLUMN.search(str(column)):
        return lambda v: "–" if is_missing(v) else f"{v:.1f}"
    if finite.empty or (finite == finite.round()).all():
        return lambda v: "–" if is_missing(v) else f"{v:.0f}"
    return lambda v: "–" if is_missing(v) else f"{v:.2f}"


def _name_text(name):
    """An index's or the columns' name as a header, escaped (None stays None)."""
    return None if name is None else html.escape(str(wording.header(name)))


def _styler(df: pd.DataFrame, name: str) -> Styler:
    # Every cell, row label and column label is written by a formatter that escapes it
    # for HTML: free text from the data (notes, quotes, a modality's Table 1 heading as a
    # row label) is shown, never interpreted. Headers and vocabulary keys are shown in
    # words (helpers.report.wording); a numeric column has one precision; a plain row
    # number (a RangeIndex) is not shown.
    # A Styler writes the index's and the columns' names as they are: escaped here.
    shown = df.rename_axis(
        index=[_name_text(n) for n in df.index.names],
        columns=[_name_text(n) for n in df.columns.names],
    )
    formatters = {
        column: _number_formatter(column, shown[column])
        if pd.api.types.is_numeric_dtype(shown[column])
        and not pd.api.types.is_bool_dtype(shown[column])
        else cell_text
        for column in shown.columns
    }
    styler = (
        shown.style.set_uuid(name)
        .format(formatters)
        .format_index(cell_text, axis=0)
        .format_index(lambda v: cell_text(wording.header(v)), axis=1)
    )
    if isinstance(df.index, pd.RangeIndex) and df.index.name is None:
        styler = styler.hide(axis="index")
    return styler


def comparison(df: pd.DataFrame, ok: str, name: str) -> StyledTable:
    """Highlight the rows where column ``ok`` is False (data and paper disagree).

    A row with nothing to compare (``ok`` missing: the paper prints no number) stays
    neutral; the others are coloured :data:`OK_COLOUR` or :data:`PROBLEM_COLOUR`.

    Parameters
    ----------
    df : DataFrame
        The comparison, one row per number.
    ok : str
        The column that says whether the row agrees (True, False or missing).
    name : str
        The table's name, its fixed ``uuid`` in the HTML.

    Returns
    -------
    StyledTable
    """

    def colour(row):
        value = row[ok]
        c = NEUTRAL_COLOUR if is_missing(value) else OK_COLOUR if bool(value) else PROBLEM_COLOUR
        return [f"background-color: {c}"] * len(row)

    return StyledTable(_styler(df, name).apply(colour, axis=1), name)


#: Where a reviewer page (``reports/runs/<run>/``) finds the paper's page and Table 1's rows.
PAPER_PAGE = "../../paper.html"
TABLE1_PAGE = "../01_extraction/01_extraction-reviewer.html"
_UNIT_WORDS = {"sentence": "sentence", "line": "line", "row": "table row"}
#: The audit's link columns as headed (other tables' "studies" is a count: not relabelled).
_LINK_HEADERS = {"sentence": "in the paper", "studies": "studies used"}


@cache
def _units() -> dict[str, paper.Unit]:
    """The units of the paper's page by anchor (read once)."""
    return {u.anchor: u for u in paper.units()}


def sentence_link(anchor) -> str:
    """The audit's link to a quote's place on the paper's page, as HTML.

    Parameters
    ----------
    anchor : str
        ``"s-<n>"`` (the audit's ``sentence`` column); empty or missing for none.

    Returns
    -------
    str
        ``<a href="../../paper.html#s-15">sentence 15</a>`` ("line" or "table row" for those
        units, :func:`helpers.data.paper.units`); "–" for none or an anchor the page does not
        have. Escaped.

    Examples
    --------
    >>> sentence_link("s-15")
    '<a href="../../paper.html#s-15">sentence 15</a>'
    """
    unit = None if is_missing(anchor) else _units().get(str(anchor))
    if unit is None:
        return "–"
    href = escape.html(f"{PAPER_PAGE}#{unit.anchor}")
    return f'<a href="{href}">{_UNIT_WORDS[unit.kind]} {unit.number}</a>'


def studies_links(studies, status: str = "") -> str:
    """The studies a claim's computation used, each a link to its row of Table 1, as HTML.

    Parameters
    ----------
    studies : str
        Reference numbers joined by ``"; "`` (the audit's ``studies`` column); empty or
        missing for none.
    status : str
        The row's status: with no study, ``not_computable`` reads "none (not recomputed)",
        any other "none (the paper's own numbers)".

    Returns
    -------
    str
        ``<a href="../01_extraction/01_extraction-reviewer.html#study-17">[17]</a>, ...``.
        Escaped.

    Examples
    --------
    >>> studies_links("4; 17")  # doctest: +ELLIPSIS
    '<a href="...#study-4">[4]</a>, <a href="...#study-17">[17]</a>'
    >>> studies_links("", "not_computable")
    'none (not recomputed)'
    """
    refs = [] if is_missing(studies) else [r for r in str(studies).split(STUDIES_SEPARATOR) if r]
    if not refs:
        return (
            "none (not recomputed)"
            if status == "not_computable"
            else ("none (the paper's own numbers)")
        )
    return ", ".join(
        f'<a href="{escape.html(f"{TABLE1_PAGE}#{table1.study_anchor(ref)}")}">'
        f"[{escape.html(ref)}]</a>"
        for ref in refs
    )


class AnchoredTable(StyledTable):
    """A styled table whose body rows carry ids (``claim-<claim_id>``, ``study-<ref>``): links
    from other pages land on a row."""

    def __init__(self, styler: Styler, name: str, row_ids: list[str]):
        super().__init__(styler, name)
        self.row_ids = row_ids

    def _repr_html_(self) -> str:
        return self.to_html()

    def to_html(self, **kwargs) -> str:
        """The table's HTML, each body row carrying its id (in the rows' order).

        Parameters
        ----------
        **kwargs
            Passed to :meth:`pandas.io.formats.style.Styler.to_html`.

        Returns
        -------
        str
        """
        page = self.styler.to_html(**kwargs)
        if not self.row_ids:
            return page
        head, _, rest = page.partition("<tbody>")
        body, _, tail = rest.partition("</tbody>")
        ids = iter(self.row_ids)
        body = re.sub(r"<tr>", lambda _: f'<tr id="{escape.html(next(ids))}">', body)
        return f"{head}<tbody>{body}</tbody>{tail}"


def audit(df: pd.DataFrame, name: str = "audit", anchors: bool = True) -> StyledTable:
    """The claims audit, each row coloured by its status, traced to the paper and the studies.

    A row with a ``claim_id`` carries ``id="claim-<claim_id>"`` (unless ``anchors`` is
    False: a second table of the same rows on one page); its ``sentence`` links to the
    paper's page (:func:`sentence_link`) and its ``studies`` to Table 1's rows
    (:func:`studies_links`).

    Parameters
    ----------
    df : DataFrame
        Audit rows with a ``status`` column (:data:`STATUS_COLOURS`; white for another).
    name : str
        The table's name, its fixed ``uuid`` in the HTML.
    anchors : bool
        Give each row its ``claim-<claim_id>`` id (default); False for a table repeating
        rows that another table of the page anchors.

    Returns
    -------
    StyledTable
        Left- and top-aligned, without the index.
    """

    def colour(row):
        return [f"background-color: {STATUS_COLOURS.get(row['status'], 'white')}"] * len(row)

    df = df.reset_index(drop=True)
    links = {}  # columns shown as links: their HTML, built here from escaped pieces
    if "sentence" in df:
        links["sentence"] = [sentence_link(v) for v in df["sentence"]]
    if "studies" in df:
        status = df["status"] if "status" in df else [""] * len(df)
        links["studies"] = [
            studies_links(v, st) for v, st in zip(df["studies"], status, strict=True)
        ]
    shown = df.assign(**links).rename(columns=_LINK_HEADERS)
    styler = _styler(shown, name)
    if links:
        styler = styler.format(lambda v: v, subset=[_LINK_HEADERS[c] for c in links])
    styler = styler.apply(colour, axis=1).hide(axis="index").set_table_styles(_LEFT + _TARGET)
    ids = [f"claim-{c}" for c in df["claim_id"]] if anchors and "claim_id" in df else []
    return AnchoredTable(styler, name, ids)


def status_counts(df: pd.DataFrame) -> pd.DataFrame:
    """How many claims have each status (every status listed, even when none has it).

    Parameters
    ----------
    df : DataFrame
        Audit rows with a ``status`` column.

    Returns
    -------
    DataFrame
        Indexed by status, in the order of :data:`helpers.analysis.claims.STATUSES`; one
        column, ``claims``.
    """

    counts = df["status"].value_counts().reindex(list(STATUSES), fill_value=0)
    return counts.rename("claims").to_frame()


def text_table(
    df: pd.DataFrame, name: str, row_ids: list[str] | None = None, spelled=()
) -> StyledTable:
    """A table of text (Table 1 as printed): left-aligned, top-aligned, for reading.

    Parameters
    ----------
    df : DataFrame
        The table; cells, row and column labels are shown as text (HTML-escaped).
    name : str
        The table's name, its fixed ``uuid`` in the HTML.
    row_ids : list of str, optional
        An HTML id for each row, in order (Table 1's ``study-<ref>``,
        :func:`helpers.analysis.table1.row_ids`); escaped.
    spelled : sequence of str, optional
        Columns whose cells name the project's identifiers (a computation's name): each
        written as words (:func:`helpers.report.wording.spell_out`).

    Returns
    -------
    StyledTable
        An :class:`AnchoredTable` when ``row_ids`` are given.

    Raises
    ------
    ValueError
        When ``row_ids`` does not give one id per row.
    """
    styler = _styler(df, name)
    for column in spelled:
        styler = styler.format(
            lambda v: cell_text(wording.spell_out(v) if isinstance(v, str) else v),
            subset=[column],
        )
    if row_ids is None:
        return StyledTable(styler.set_table_styles(_LEFT), name)
    styler = styler.set_table_styles(_LEFT + _TARGET)
    if len(row_ids) != len(df):
        raise ValueError(f"table {name!r}: {len(row_ids)} row ids for {len(df)} rows")
    return AnchoredTable(styler, name, list(row_ids))


def audit_by_section(df: pd.DataFrame, name: str = "audit", anchors: bool = True) -> None:
    """Show the audit one section at a time, each under its own heading, in reading order.

    Parameters
    ----------
    df : DataFrame
        Audit rows with ``section`` and ``status`` columns.
    name : str
        Start of each section's table name, ``<name>-<i>``.
    anchors : bool
        Give each row its ``claim-<claim_id>`` id (:func:`audit`).
    """
    from IPython.display import Markdown, display

    for i, (section, rows) in enumerate(df.groupby("section", sort=False)):
        counts = rows["status"].value_counts()
        summary = ", ".join(f"{counts.get(s, 0)} {s.replace('_', ' ')}" for s in STATUS_COLOURS)
        numbers = count_noun(len(rows), "number")
        display(Markdown(f"### {escape.markdown(section)}\n\n{numbers}: {summary}."))
        display(audit(rows.drop(columns="section"), name=f"{name}-{i}", anchors=anchors))


def subgroups(analysis, title: str, name: str) -> None:
    """Show a :class:`helpers.analysis.pooling.SubgroupAnalysis` under its own heading.

    The subgroups, the tests (each named), and the subgroups left out of the tests, apart.

    Parameters
    ----------
    analysis : SubgroupAnalysis
        From :func:`helpers.analysis.pooling.subgroups`.
    title : str
        The heading (escaped as Markdown).
    name : str
        Start of the tables' names: ``<name>-subgroups``, ``<name>-tests``,
        ``<name>-excluded``.
    """
    from IPython.display import Markdown, display

    display(Markdown(f"### {escape.markdown(title)}"))
    if analysis.table.empty:
        display(Markdown("No subgroup to compare."))
    else:
        display(text_table(analysis.table, name=f"{name}-subgroups"))
    display(Markdown("Tests of a difference between the subgroups:"))
    display(text_table(tests_table(analysis), name=f"{name}-tests"))
    if not analysis.excluded.empty:
        display(
            Markdown(
                'Left out of both tests (the column "not tested" says why), shown for completeness:'
            )
        )
        display(text_table(analysis.excluded, name=f"{name}-excluded"))


def bullets(lines: list[str], intro: str):
    """A list of sentences as a Markdown bullet list under an introduction.

    Identifiers in the sentences (``reports_excluded``) are written as words
    (:func:`helpers.report.wording.spell_out`); everything is escaped for Markdown.

    Parameters
    ----------
    lines : list of str
        The sentences.
    intro : str
        The line before the list.

    Returns
    -------
    IPython.display.Markdown
    """
    from IPython.display import Markdown

    items = "\n".join(f"- {escape.markdown(wording.spell_out(line))}" for line in lines)
    return Markdown(f"{escape.markdown(intro)}\n\n{items or '- (none)'}")


def turned(df: pd.DataFrame, name: str) -> StyledTable:
    """A wide table turned on its side: one row per column, one column per row.

    For a table of many columns and few rows (Table 2's numbers: 28 quantities of 10
    modalities), which would not fit a page's width. Each row is headed by its column's
    header (:func:`helpers.report.wording.header`); cells are written as
    :func:`cell_text` writes them.

    Parameters
    ----------
    df : DataFrame
        The table.
    name : str
        The table's name, its fixed ``uuid`` in the HTML.

    Returns
    -------
    StyledTable
    """
    shown = df.astype(object).T
    shown.index = [wording.header(c) for c in df.columns]
    return text_table(shown, name)
