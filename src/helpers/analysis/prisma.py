"""The PRISMA 2020 flow: its counts checked (the diagram is :mod:`helpers.report.prisma_flow`).

The counts come from ``data/prisma.csv``, as the paper's text gives them. A box the paper
does not fill reads "not reported": nothing is derived to fill it.
:data:`helpers.data.rules.PRISMA_ARITHMETIC` lists the sums the diagram must satisfy;
:func:`check_flow` applies each one whose terms are all known, and a sum that does not hold
stops the build with a clear message.
"""

from __future__ import annotations

import pandas as pd

from helpers.data.errors import DataValidationError, Problem
from helpers.data.rules import prisma_sums
from helpers.data.values import is_missing

__all__ = ["check_flow", "count"]


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
