"""The PRISMA 2020 flow diagram, drawn from the data's counts.

The first edition (the paper's) has the diagram for new systematic reviews; a later edition
has the diagram for updated systematic reviews (Page et al. 2021, BMJ, Fig. 1 of the
PRISMA 2020 statement's templates): the studies included in the previous version at the
left, the new search's flow from the edition's own rows of ``prisma.csv``, and at the bottom
the new studies and the total, from :func:`helpers.analysis.prisma.edition_totals`.
"""

from __future__ import annotations

import re
import textwrap

import matplotlib.pyplot as plt
from matplotlib.patches import FancyBboxPatch

from helpers.analysis.prisma import check_flow, count, edition_totals
from helpers.data.loader import Review
from helpers.data.printed import NOT_REPORTED_WORDS
from helpers.report import style
from helpers.report.figures import describe

__all__ = ["NOT_REPORTED", "diagram"]

NOT_REPORTED = NOT_REPORTED_WORDS

#: The fill of the boxes of records and reports left out, and of the previous version's box.
_GREY = "#f2f2f2"
_PREVIOUS = "#fdf3d8"


def _text(prisma, box) -> str:
    n = count(prisma, box)
    return f"{prisma.loc[box, 'label']}\n(n = {NOT_REPORTED if n is None else n})"


#: The heading of the search box; the labels of its lines say where the records came from.
_IDENTIFIED = "Records identified from"


def _identified(prisma) -> str:
    """The search box: "Records identified from:", then one line per source, said once.

    The data label each source in full ("Records identified from databases (PubMed, ...)");
    under the heading each line keeps only what follows it ("Databases (PubMed, ...)").
    """
    lines = [f"{_IDENTIFIED}:"]
    for box in ("records_databases", "records_registers"):
        line = _text(prisma, box).replace("\n", " ")
        if line.lower().startswith(_IDENTIFIED.lower()):
            line = line[len(_IDENTIFIED) :].lstrip(" :")
            line = line[:1].upper() + line[1:]
        lines.append(line)
    return "\n".join(lines)


def _n(prisma, box) -> str:
    n = count(prisma, box)
    return NOT_REPORTED if n is None else str(n)


#: A count in a box, "(n = 12)" or "(n = not reported)": never broken across lines.
_COUNT = re.compile(r"\(n = [^)]*\)")
_KEEP = "\x00"


def _wrap(text: str, width: int) -> str:
    kept = _COUNT.sub(lambda m: m.group().replace(" ", _KEEP), text)
    lines = (textwrap.fill(line, width=width) for line in kept.split("\n"))
    return "\n".join(lines).replace(_KEEP, " ")


def _box(ax, x, y, w, h, text, colour="#ffffff") -> None:
    ax.add_patch(
        FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0.05", fc=colour, ec="#333333", lw=0.8)
    )
    wrapped = _wrap(text, int(w * 12.5))
    ax.text(x + w / 2, y + h / 2, wrapped, ha="center", va="center", fontsize=style.FONT_SIZE - 1.5)


def _arrow(ax, x1, y1, x2, y2) -> None:
    ax.annotate("", xy=(x2, y2), xytext=(x1, y1), arrowprops={"arrowstyle": "->", "lw": 0.8})


def _heading(ax, x, y, text, **kwargs) -> None:
    ax.text(x, y, text, ha="center", fontsize=style.FONT_SIZE, weight="bold", **kwargs)


def _stages(ax, included_at: float) -> None:
    for y, stage in ((8.3, "Identification"), (4.8, "Screening"), (included_at, "Included")):
        ax.text(0.05, y, stage, rotation=90, va="center", fontsize=style.FONT_SIZE, weight="bold")


def diagram(review: Review, ax=None):
    """The PRISMA 2020 flow diagram, with "not reported" where the data give no count.

    For the first edition (the paper's), the diagram for new reviews, counts as the paper's
    text gives them; for a later edition, the diagram for updated reviews: the studies of the
    previous versions, the edition's search, the new studies and the total
    (:func:`helpers.analysis.prisma.edition_totals`).

    Parameters
    ----------
    review : Review
        The review at one edition (:func:`helpers.data.loader.load_review`,
        ``review.edition(name)``); its ``prisma`` table gives the boxes' labels and counts.
    ax : matplotlib Axes, optional
        Where to draw; a new figure is made when omitted.

    Returns
    -------
    matplotlib Figure
        The figure drawn on.

    Raises
    ------
    DataValidationError
        When the counts do not add up (:func:`helpers.analysis.prisma.check_flow`), or, for
        a later edition, do not add up across editions
        (:func:`helpers.analysis.prisma.edition_totals`).
    """
    style.use()
    check_flow(review.prisma)
    if review.edition_name == review.paper_edition_name:
        return describe(
            _new_review(review, ax),
            f"PRISMA 2020 flow diagram for a new review. {_counts_in_words(review.prisma)}.",
        )
    totals = edition_totals(review)
    return describe(
        _updated_review(review, ax),
        f"PRISMA 2020 flow diagram for an updated review (edition {review.edition_name}): "
        f"{totals.previous_studies} studies ({totals.previous_patients} patients) in the "
        f"previous version, {totals.new_studies} new studies ({totals.new_patients} "
        f"patients), {totals.total_studies} in total ({totals.total_patients} patients). "
        f"The new search: {_counts_in_words(review.prisma)}.",
    )


def _counts_in_words(prisma) -> str:
    """Every box of the flow with its count, in the data's order and words."""
    return "; ".join(
        f"{' '.join(str(prisma.loc[box, 'label']).split())}: "
        f"{NOT_REPORTED if count(prisma, box) is None else count(prisma, box)}"
        for box in prisma.index
    )


def _new_review(review: Review, ax):
    """The diagram for a new review (the first edition).

    Long: one drawing whose boxes, labels and arrows are placed on one grid of
    coordinates; split, the coordinates would be shared between functions.
    """
    prisma = review.prisma
    if ax is None:
        _, ax = plt.subplots(figsize=(10, 9))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    ax.axis("off")
    _heading(ax, 2.4, 9.75, "Identification of studies via databases and registers")
    _heading(ax, 8.2, 9.75, "Identification via other methods")
    _stages(ax, 1.0)
    _box(
        ax,
        0.4,
        8.1,
        2.6,
        1.3,
        _identified(prisma),
    )
    _box(ax, 3.4, 8.1, 2.6, 1.3, _text(prisma, "records_removed"), _GREY)
    _box(ax, 0.4, 6.5, 2.6, 1.0, _text(prisma, "records_screened"))
    _box(ax, 3.4, 6.5, 2.6, 1.0, _text(prisma, "records_excluded"), _GREY)
    _box(ax, 0.4, 5.0, 2.6, 1.0, _text(prisma, "reports_sought"))
    _box(ax, 3.4, 5.0, 2.6, 1.0, _text(prisma, "reports_not_retrieved"), _GREY)
    _box(ax, 0.4, 3.5, 2.6, 1.0, _text(prisma, "reports_assessed"))
    _box(ax, 6.8, 8.1, 2.8, 1.3, _text(prisma, "records_other"))
    _box(ax, 6.8, 3.5, 2.8, 1.0, _text(prisma, "reports_assessed_other"))
    reasons = (
        f"{_text(prisma, 'reports_excluded')}\n(both routes; the paper does not split them)\n"
        "Patients described in other included studies: "
        f"{count(prisma, 'excluded_duplicate_patients')}\n"
        f"Insufficient data: {count(prisma, 'excluded_insufficient_data')}"
    )
    _box(ax, 3.4, 3.25, 3.05, 1.5, reasons, _GREY)
    _box(
        ax,
        0.4,
        0.4,
        9.2,
        1.2,
        _text(prisma, "studies_included").replace("\n", " ")
        + "\n"
        + _text(prisma, "patients_included").replace("\n", " "),
    )
    for y1, y2 in ((8.1, 7.5), (6.5, 6.0), (5.0, 4.5), (3.5, 1.6)):
        _arrow(ax, 1.7, y1, 1.7, y2)
    for y in (8.75, 7.0, 5.5):
        _arrow(ax, 3.0, y, 3.4, y)
    _arrow(ax, 3.0, 4.0, 3.4, 4.0)
    _arrow(ax, 8.2, 8.1, 8.2, 4.5)
    _arrow(ax, 6.8, 4.0, 6.45, 4.0)
    _arrow(ax, 8.2, 3.5, 8.2, 1.6)
    ax.set_title("PRISMA 2020 flow diagram (counts as the paper's text gives them)", loc="left")
    return ax.figure


def _updated_review(review: Review, ax):
    """The diagram for an updated review (an edition after the first).

    Long: one drawing whose boxes, labels and arrows are placed on one grid of
    coordinates; split, the coordinates would be shared between functions.
    """
    prisma = review.prisma
    totals = edition_totals(review)
    if ax is None:
        _, ax = plt.subplots(figsize=(14, 9))
    ax.set_xlim(0, 14)
    ax.set_ylim(0, 10)
    ax.axis("off")
    _heading(ax, 1.7, 9.75, "Previous studies")
    _heading(ax, 6.1, 9.75, "Identification of new studies via databases and registers")
    _heading(ax, 11.4, 9.75, "Identification of new studies via other methods")
    _stages(ax, 1.1)
    _box(
        ax,
        0.4,
        7.75,
        2.6,
        1.65,
        f"Studies included in previous version of review (n = {totals.previous_studies})\n"
        f"Patients in those studies (n = {totals.previous_patients})\n"
        f"Reports of studies included in previous version of review (n = {NOT_REPORTED})",
        _PREVIOUS,
    )
    _box(
        ax,
        3.3,
        8.1,
        2.6,
        1.3,
        _identified(prisma),
    )
    _box(ax, 6.3, 8.1, 2.6, 1.3, _text(prisma, "records_removed"), _GREY)
    _box(ax, 3.3, 6.5, 2.6, 1.0, _text(prisma, "records_screened"))
    _box(ax, 6.3, 6.5, 2.6, 1.0, _text(prisma, "records_excluded"), _GREY)
    _box(ax, 3.3, 5.0, 2.6, 1.0, _text(prisma, "reports_sought"))
    _box(ax, 6.3, 5.0, 2.6, 1.0, _text(prisma, "reports_not_retrieved"), _GREY)
    _box(ax, 3.3, 3.5, 2.6, 1.0, _text(prisma, "reports_assessed"))
    _box(ax, 10.0, 8.1, 2.8, 1.3, _text(prisma, "records_other"))
    _box(ax, 10.0, 3.5, 2.8, 1.0, _text(prisma, "reports_assessed_other"))
    reasons = (
        f"{_text(prisma, 'reports_excluded')}\n(both routes together)\n"
        "Patients described in other included studies: "
        f"{_n(prisma, 'excluded_duplicate_patients')}\n"
        f"Insufficient data: {_n(prisma, 'excluded_insufficient_data')}"
    )
    _box(ax, 6.3, 2.6, 3.3, 1.6, reasons, _GREY)
    _box(
        ax,
        3.3,
        1.5,
        9.5,
        0.75,
        f"New studies included in review (n = {totals.new_studies})\n"
        f"Patients in the new studies (n = {totals.new_patients})",
    )
    _box(
        ax,
        0.4,
        0.2,
        12.4,
        0.8,
        f"Total studies included in review (n = {totals.total_studies})\n"
        f"Patients in the included studies (n = {totals.total_patients})",
    )
    _arrow(ax, 1.7, 7.75, 1.7, 1.0)
    for y1, y2 in ((8.1, 7.5), (6.5, 6.0), (5.0, 4.5), (3.5, 2.25)):
        _arrow(ax, 4.6, y1, 4.6, y2)
    for y in (8.75, 7.0, 5.5):
        _arrow(ax, 5.9, y, 6.3, y)
    _arrow(ax, 5.9, 3.9, 6.3, 3.9)
    _arrow(ax, 11.4, 8.1, 11.4, 4.5)
    _arrow(ax, 10.0, 3.9, 9.6, 3.9)
    _arrow(ax, 11.4, 3.5, 11.4, 2.25)
    _arrow(ax, 8.05, 1.5, 8.05, 1.0)
    title = " ".join(str(review.editions.loc[review.edition_name, "title"]).split())
    ax.set_title(
        textwrap.fill(
            f"PRISMA 2020 flow diagram for updated reviews: {title} "
            f"(edition {review.edition_name}; counts from the edition's records)",
            width=140,
        ),
        loc="left",
    )
    return ax.figure
