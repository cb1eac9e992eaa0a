"""The PRISMA 2020 flow diagram, drawn from the data's counts."""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
from matplotlib.patches import FancyBboxPatch

from helpers.analysis.prisma import check_flow, count
from helpers.data.loader import Review
from helpers.data.printed import NOT_REPORTED_WORDS
from helpers.report import style

__all__ = ["NOT_REPORTED", "diagram"]

NOT_REPORTED = NOT_REPORTED_WORDS


def _text(prisma, box) -> str:
    n = count(prisma, box)
    return f"{prisma.loc[box, 'label']}\n(n = {NOT_REPORTED if n is None else n})"


def diagram(review: Review, ax=None):
    """The PRISMA 2020 flow diagram, with "not reported" where the paper gives no count.

    Parameters
    ----------
    review : Review
        The loaded review (:func:`helpers.data.loader.load_review`); its ``prisma`` table
        gives the boxes' labels and counts.
    ax : matplotlib Axes, optional
        Where to draw; a new figure is made when omitted.

    Returns
    -------
    matplotlib Figure
        The figure drawn on.

    Raises
    ------
    DataValidationError
        When the counts do not add up (:func:`helpers.analysis.prisma.check_flow`).

    Long: one drawing whose boxes, labels and arrows are placed on one grid of
    coordinates; split, the coordinates would be shared between functions.
    """
    style.use()
    prisma = review.prisma
    check_flow(prisma)
    if ax is None:
        _, ax = plt.subplots(figsize=(10, 9))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    ax.axis("off")

    def box(x, y, w, h, text, colour="#ffffff"):
        ax.add_patch(
            FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0.05", fc=colour, ec="#333333", lw=0.8)
        )
        wrapped = "\n".join(textwrap.fill(line, width=int(w * 12.5)) for line in text.split("\n"))
        ax.text(
            x + w / 2, y + h / 2, wrapped, ha="center", va="center", fontsize=style.FONT_SIZE - 1.5
        )

    def arrow(x1, y1, x2, y2):
        ax.annotate("", xy=(x2, y2), xytext=(x1, y1), arrowprops={"arrowstyle": "->", "lw": 0.8})

    grey = "#f2f2f2"
    ax.text(
        2.4,
        9.75,
        "Identification of studies via databases and registers",
        ha="center",
        fontsize=style.FONT_SIZE,
        weight="bold",
    )
    ax.text(
        8.2,
        9.75,
        "Identification via other methods",
        ha="center",
        fontsize=style.FONT_SIZE,
        weight="bold",
    )
    for y, stage in ((8.3, "Identification"), (4.8, "Screening"), (1.0, "Included")):
        ax.text(0.05, y, stage, rotation=90, va="center", fontsize=style.FONT_SIZE, weight="bold")
    box(
        0.4,
        8.1,
        2.6,
        1.3,
        "Records identified from:\n"
        + _text(prisma, "records_databases").replace("\n", " ")
        + "\n"
        + _text(prisma, "records_registers").replace("\n", " "),
    )
    box(3.4, 8.1, 2.6, 1.3, _text(prisma, "records_removed"), grey)
    box(0.4, 6.5, 2.6, 1.0, _text(prisma, "records_screened"))
    box(3.4, 6.5, 2.6, 1.0, _text(prisma, "records_excluded"), grey)
    box(0.4, 5.0, 2.6, 1.0, _text(prisma, "reports_sought"))
    box(3.4, 5.0, 2.6, 1.0, _text(prisma, "reports_not_retrieved"), grey)
    box(0.4, 3.5, 2.6, 1.0, _text(prisma, "reports_assessed"))
    box(6.8, 8.1, 2.8, 1.3, _text(prisma, "records_other"))
    box(6.8, 3.5, 2.8, 1.0, _text(prisma, "reports_assessed_other"))
    reasons = (
        f"{_text(prisma, 'reports_excluded')}\n(both routes; the paper does not split them)\n"
        "Patients described in other included studies: "
        f"{count(prisma, 'excluded_duplicate_patients')}\n"
        f"Insufficient data: {count(prisma, 'excluded_insufficient_data')}"
    )
    box(3.4, 2.6, 3.2, 1.6, reasons, grey)
    box(
        0.4,
        0.4,
        5.6,
        1.2,
        _text(prisma, "studies_included").replace("\n", " ")
        + "\n"
        + _text(prisma, "patients_included").replace("\n", " "),
    )
    for y1, y2 in ((8.1, 7.5), (6.5, 6.0), (5.0, 4.5), (3.5, 1.6)):
        arrow(1.7, y1, 1.7, y2)
    for y in (8.75, 7.0, 5.5):
        arrow(3.0, y, 3.4, y)
    arrow(3.0, 4.0, 3.4, 3.6)
    arrow(8.2, 8.1, 8.2, 4.5)
    arrow(6.8, 4.0, 6.6, 3.6)
    arrow(8.2, 3.5, 5.0, 1.6)
    ax.set_title("PRISMA 2020 flow diagram (counts as the paper's text gives them)", loc="left")
    return ax.figure
