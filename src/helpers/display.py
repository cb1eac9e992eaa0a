"""How tables appear in the notebooks and the HTML reports.

Styled tables get a fixed ``uuid`` so their HTML is the same on every run (nbval
compares it, and reports must be byte-identical); colours come from one palette.
"""

from __future__ import annotations

import pandas as pd
from pandas.io.formats.style import Styler

#: Background colours for agreement and disagreement (colour-blind safe pair).
OK_COLOUR = "#d9ead3"
PROBLEM_COLOUR = "#f4cccc"
NEUTRAL_COLOUR = "#eeeeee"
STATUS_COLOURS = {"reproduced": OK_COLOUR, "discrepancy": PROBLEM_COLOUR, "not_computable": NEUTRAL_COLOUR}


_LEFT = [{"selector": "td, th", "props": [("text-align", "left"), ("vertical-align", "top")]}]


def _styler(df: pd.DataFrame, name: str) -> Styler:
    # escape="html": free text from the data (notes, quotes) is shown, never interpreted.
    return df.style.set_uuid(name).format(na_rep="–", escape="html")


def comparison(df: pd.DataFrame, ok: str, name: str) -> Styler:
    """Highlight the rows where column ``ok`` is False (data and paper disagree)."""
    def colour(row):
        c = OK_COLOUR if bool(row[ok]) else PROBLEM_COLOUR
        return [f"background-color: {c}"] * len(row)
    return _styler(df, name).apply(colour, axis=1)


def audit(df: pd.DataFrame, name: str = "audit") -> Styler:
    """The claims audit, each row coloured by its status."""
    def colour(row):
        return [f"background-color: {STATUS_COLOURS.get(row['status'], 'white')}"] * len(row)
    return _styler(df, name).apply(colour, axis=1).hide(axis="index").set_table_styles(_LEFT)


def status_counts(df: pd.DataFrame) -> pd.DataFrame:
    """How many claims have each status (every status listed, even when none has it)."""
    from .claims import STATUSES
    counts = df["status"].value_counts().reindex(list(STATUSES), fill_value=0)
    return counts.rename("claims").to_frame()


def text_table(df: pd.DataFrame, name: str) -> Styler:
    """A table of text (Table 1 as printed): left-aligned, top-aligned, for reading."""
    return _styler(df, name).set_table_styles(_LEFT)


def audit_by_section(df: pd.DataFrame, name: str = "audit") -> None:
    """Show the audit one section at a time, each under its own heading, in reading order."""
    from IPython.display import Markdown, display

    for i, (section, rows) in enumerate(df.groupby("section", sort=False)):
        counts = rows["status"].value_counts()
        summary = ", ".join(f"{counts.get(s, 0)} {s.replace('_', ' ')}" for s in STATUS_COLOURS)
        display(Markdown(f"### {section}\n\n{len(rows)} numbers: {summary}."))
        display(audit(rows.drop(columns="section"), name=f"{name}-{i}"))
