"""How tables appear in the notebooks and the HTML reports.

Styled tables get a fixed ``uuid`` so their HTML is the same on every run (nbval
compares it, and reports must be byte-identical); colours come from one palette.
"""

from __future__ import annotations

import html
import re

import numpy as np
import pandas as pd
from pandas.io.formats.style import Styler

from helpers.analysis.claims import STATUSES
from helpers.data import escape
from helpers.data.values import is_missing
from helpers.report import labels
from helpers.report.pooled_results import tests_table

__all__ = [
    "CIRCULAR_COLOUR",
    "NEUTRAL_COLOUR",
    "OK_COLOUR",
    "PROBLEM_COLOUR",
    "STATUS_COLOURS",
    "StyledTable",
    "audit",
    "audit_by_section",
    "bullets",
    "cell_text",
    "comparison",
    "status_counts",
    "subgroups",
    "text_table",
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
        set joined with ", ", a vocabulary key's words (:func:`helpers.report.labels.value`),
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
    return html.escape(str(labels.value(value)))


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
    return None if name is None else html.escape(str(labels.header(name)))


def _styler(df: pd.DataFrame, name: str) -> Styler:
    # Every cell, row label and column label is written by a formatter that escapes it
    # for HTML: free text from the data (notes, quotes, a modality's Table 1 heading as a
    # row label) is shown, never interpreted. Headers and vocabulary keys are shown in
    # words (helpers.report.labels); a numeric column has one precision; a plain row
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
        .format_index(lambda v: cell_text(labels.header(v)), axis=1)
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


def audit(df: pd.DataFrame, name: str = "audit") -> StyledTable:
    """The claims audit, each row coloured by its status.

    Parameters
    ----------
    df : DataFrame
        Audit rows with a ``status`` column (:data:`STATUS_COLOURS`; white for another).
    name : str
        The table's name, its fixed ``uuid`` in the HTML.

    Returns
    -------
    StyledTable
        Left- and top-aligned, without the index.
    """

    def colour(row):
        return [f"background-color: {STATUS_COLOURS.get(row['status'], 'white')}"] * len(row)

    return StyledTable(
        _styler(df, name).apply(colour, axis=1).hide(axis="index").set_table_styles(_LEFT), name
    )


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


def text_table(df: pd.DataFrame, name: str) -> StyledTable:
    """A table of text (Table 1 as printed): left-aligned, top-aligned, for reading.

    Parameters
    ----------
    df : DataFrame
        The table; cells, row and column labels are shown as text (HTML-escaped).
    name : str
        The table's name, its fixed ``uuid`` in the HTML.

    Returns
    -------
    StyledTable
    """
    return StyledTable(_styler(df, name).set_table_styles(_LEFT), name)


def audit_by_section(df: pd.DataFrame, name: str = "audit") -> None:
    """Show the audit one section at a time, each under its own heading, in reading order.

    Parameters
    ----------
    df : DataFrame
        Audit rows with ``section`` and ``status`` columns.
    name : str
        Start of each section's table name, ``<name>-<i>``.
    """
    from IPython.display import Markdown, display

    for i, (section, rows) in enumerate(df.groupby("section", sort=False)):
        counts = rows["status"].value_counts()
        summary = ", ".join(f"{counts.get(s, 0)} {s.replace('_', ' ')}" for s in STATUS_COLOURS)
        display(Markdown(f"### {escape.markdown(section)}\n\n{len(rows)} numbers: {summary}."))
        display(audit(rows.drop(columns="section"), name=f"{name}-{i}"))


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
    (:func:`helpers.report.labels.words`); everything is escaped for Markdown.

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

    items = "\n".join(f"- {escape.markdown(labels.words(line))}" for line in lines)
    return Markdown(f"{escape.markdown(intro)}\n\n{items or '- (none)'}")
