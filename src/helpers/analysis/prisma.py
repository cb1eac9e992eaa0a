"""The PRISMA 2020 flow: its counts checked (the diagram is :mod:`helpers.report.prisma_flow`).

The counts come from ``data/prisma.csv``, as the paper's text gives them. A box the paper
does not fill reads "not reported": nothing is derived to fill it.
:data:`helpers.data.rules.PRISMA_ARITHMETIC` lists the sums the diagram must satisfy;
:func:`check_flow` applies each one whose terms are all known, and a sum that does not hold
stops the build with a clear message.

A review with editions (:mod:`helpers.data.editions`) has, for each edition after the
first, the flow of PRISMA 2020 for updated reviews: the studies included in the previous
versions, the new studies this edition's search added, and the total.
:func:`edition_totals` derives them from the data (``review.editions``) and checks them
against the review's studies and each edition's stored counts.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from helpers.data.errors import DataValidationError, Problem
from helpers.data.loader import Review
from helpers.data.rules import prisma_sums
from helpers.data.values import is_missing

__all__ = ["EditionTotals", "check_flow", "count", "edition_totals"]


def count(prisma: pd.DataFrame, box: str) -> int | None:
    """A box's count, or None where the paper gives none.

    Parameters
    ----------
    prisma : DataFrame
        The PRISMA flow (``review.prisma``), indexed by ``box``, with a ``count`` column
        (missing where the paper gives no number).
    box : str
        A box name (``"records_databases"``); a box not in the table counts as not given.

    Returns
    -------
    int or None
        The box's count; None when the paper gives none or the box is not listed.
    """
    value = prisma.loc[box, "count"] if box in prisma.index else pd.NA
    return None if is_missing(value) else int(value)


def check_flow(prisma: pd.DataFrame) -> list[str]:
    """The PRISMA sums (:data:`helpers.data.rules.PRISMA_ARITHMETIC`) that can be checked:
    return those made.

    The loader has already refused a flow that does not add up; this lists, for the
    report, which sums were checked. A sum with a term the paper does not give is skipped.

    Parameters
    ----------
    prisma : DataFrame
        The PRISMA flow (``review.prisma``), indexed by ``box``, with a ``count`` column.

    Returns
    -------
    list of str
        One line per sum checked, in the order of ``PRISMA_ARITHMETIC``:
        ``"<box> = <what> (<count>)"``.

    Raises
    ------
    DataValidationError
        Naming ``prisma.csv``, the box and the sum that does not hold (for a table not
        from :func:`helpers.load_review`).
    """
    done, failed = prisma_sums({box: count(prisma, box) for box in prisma.index})
    if failed:
        raise DataValidationError(
            [
                Problem("prisma.csv", "flow adds up", message, column="count")
                for _, message in failed
            ],
            source="PRISMA flow",
        )
    return done


#: The boxes of an edition's flow that count what it included, with the column of
#: ``review.editions`` holding the same count derived from the data, and what it counts.
_INCLUDED_BOXES = (
    ("studies_included", "n_studies", "studies"),
    ("patients_included", "n_patients", "patients"),
)


@dataclass(frozen=True)
class EditionTotals:
    """The studies and patients of a review's edition across editions: those of the
    previous versions, the new ones this edition added, and the total.

    Parameters
    ----------
    edition : str
        The edition (``review.edition_name``).
    previous_editions : tuple of str
        The editions before it, first to last (empty for the first edition).
    previous_studies, previous_patients : int
        The studies, and their patients, that the previous editions included.
    new_studies, new_patients : int
        The studies, and their patients, that this edition added.
    """

    edition: str
    previous_editions: tuple[str, ...]
    previous_studies: int
    previous_patients: int
    new_studies: int
    new_patients: int

    @property
    def total_studies(self) -> int:
        """The studies included in the review at this edition: previous plus new."""
        return self.previous_studies + self.new_studies

    @property
    def total_patients(self) -> int:
        """Their patients: previous plus new."""
        return self.previous_patients + self.new_patients

    def to_frame(self) -> pd.DataFrame:
        """The totals as a table.

        Returns
        -------
        DataFrame
            Rows ``previous``, ``new`` and ``total`` (index ``included``); columns
            ``studies`` and ``patients``.
        """
        return pd.DataFrame(
            {
                "studies": [self.previous_studies, self.new_studies, self.total_studies],
                "patients": [self.previous_patients, self.new_patients, self.total_patients],
            },
            index=pd.Index(["previous", "new", "total"], name="included"),
        )


def edition_totals(review: Review) -> EditionTotals:
    """The studies and patients included before the review's edition, by it, and in all,
    from the data; checked across editions.

    Each edition's count is the studies of ``studies.csv`` that name it
    (``review.editions``, ``n_studies`` and ``n_patients``). The total must be the review's
    own (``review.n_studies``, ``review.n_patients``), and each edition up to this one whose
    flow gives ``studies_included`` or ``patients_included`` (``review.prisma_by_edition``)
    must give the data's count. The loader refuses most such disagreements already; this is
    the report's check, as :func:`check_flow` is.

    Parameters
    ----------
    review : Review
        The review at one edition (``review.edition(name)``; as loaded, the last).

    Returns
    -------
    EditionTotals
        Previous, new and total studies and patients; for the first edition, previous is 0.

    Raises
    ------
    DataValidationError
        Naming ``prisma.csv``, the edition and the box whose stored count differs from the
        data, or ``studies.csv`` when the editions' studies do not add up to the review's.
    """
    editions = review.editions
    names = [str(name) for name in editions.index]
    here = names.index(review.edition_name)
    previous = names[:here]
    totals = EditionTotals(
        edition=review.edition_name,
        previous_editions=tuple(previous),
        previous_studies=int(editions.loc[previous, "n_studies"].sum()),
        previous_patients=int(editions.loc[previous, "n_patients"].sum()),
        new_studies=int(editions.loc[review.edition_name, "n_studies"]),
        new_patients=int(editions.loc[review.edition_name, "n_patients"]),
    )
    problems = []
    for name in names[: here + 1]:
        flow = review.prisma_by_edition.xs(name, level="edition")
        for box, column, what in _INCLUDED_BOXES:
            stored, data = count(flow, box), int(editions.loc[name, column])
            if stored is not None and stored != data:
                problems.append(
                    Problem(
                        "prisma.csv",
                        "flow adds up",
                        f"edition {name!r}, box {box!r}: the flow says {stored}, but "
                        f"studies.csv holds {data} {what} of that edition",
                        column="count",
                    )
                )
    t = totals
    for what, before, added, held in (
        ("studies", t.previous_studies, t.new_studies, review.n_studies),
        ("patients", t.previous_patients, t.new_patients, review.n_patients),
    ):
        if before + added != held:
            problems.append(
                Problem(
                    "studies.csv",
                    "editions add up",
                    f"edition {t.edition!r}: the editions' {what} add up to {before + added} "
                    f"({before} previous + {added} new), but the review holds {held}",
                    column="edition",
                )
            )
    if problems:
        raise DataValidationError(problems, source="PRISMA flow across editions")
    return totals
