"""How tables appear in the notebooks and the HTML reports.

Styled tables get a fixed ``uuid`` so their HTML is the same on every run (nbval
compares it, and reports must be byte-identical); colours come from one palette.
"""

from __future__ import annotations

import pandas as pd
from pandas.io.formats.style import Styler

from helpers.analysis.claims import STATUSES
from helpers.data import escape
from helpers.data.values import is_missing
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


def _styler(df: pd.DataFrame, name: str) -> Styler:
    # escape="html" on the cells, the row labels and the column labels: free text from the
    # data (notes, quotes, a modality's Table 1 heading as a row label) is shown, never
    # interpreted. A Styler escapes only the cells unless told.
    return (
        df.style.set_uuid(name)
        .format(na_rep="–", escape="html")
        .format_index(escape="html", axis=0)
        .format_index(escape="html", axis=1)
    )


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
