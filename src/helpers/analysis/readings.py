"""The project's readings of the paper's methods: every rule that is ours, not the paper's, in
one place.

The paper states its method for Table 2's durations in two sentences: "We reported
medians with ranges for continuous variables ... Missing data were managed by mean
imputation" (Methods, Data analysis) and "Missing data were managed by available case
analysis and mean imputation was used when a mean was known for a variable of interest
but exact values were not reported for individual cases from a single study" (Table 2,
footnote a). Read strictly, that is:

- every patient whose value is known exactly enters, including the values a study's
  printed summary fixes (a range's ends are two patients' values; with three patients a
  median and a range fix all three; an odd number of patients puts one at the median);
- a study that prints a mean stands for its other patients with that mean;
- every other patient is missing (available-case analysis);
- the pooled range is the lowest and the highest of the values pooled.

The paper leaves some things unsaid (how a week becomes a month) and its printed numbers
suggest others (a study's median standing for its patients). Where the project fills such
a gap, the rule is a :class:`Reading`, listed here with what the paper says, what the
project does, what the strict reading does instead, and why the project keeps it. A
reading that was kept only because a printed cell then reproduces is not kept: it is in
:data:`WITHDRAWN`, with the reason, so that nobody brings it back unknowingly.

Every analysis reads the active readings from the review (:func:`active`; the loader's
review uses :data:`PROJECT`). :func:`using` gives the same review under other readings:
the audit withdraws each reading in turn to show which numbers rest on it
(:func:`helpers.analysis.claims.audit`, column ``reading``), and report 03 prints Table 2 under
both (:func:`helpers.analysis.table2.compare_readings`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import pandas as pd

__all__ = [
    "PROJECT",
    "READINGS",
    "STRICT",
    "WITHDRAWN",
    "Reading",
    "active",
    "frame",
    "label",
    "using",
]


@dataclass(frozen=True)
class Reading:
    """One rule of the project's that the paper does not state.

    Attributes
    ----------
    name : str
        Short id, as the audit's ``depends_on`` column names it (``reading: <name>``).
    title : str
        The rule in a few words, for tables.
    paper_says : str
        What the paper says on the point (quoted where it says anything).
    project_does : str
        The rule as the project applies it.
    strict_does : str
        What the paper's stated method alone does instead.
    why : str
        Why the project keeps the rule (never "a printed number then reproduces").
    where : str
        The function that applies it.
    """

    name: str
    title: str
    paper_says: str
    project_does: str
    strict_does: str
    why: str
    where: str


#: The readings the project applies.
READINGS: tuple[Reading, ...] = (
    Reading(
        name="four-week-month",
        title="A month is four weeks",
        paper_says="Nothing: Table 1 prints durations in days, weeks, months or years; Table 2 "
        "prints months.",
        project_does="Weeks become months at 4 weeks to the month (1 week = 0.25 months; days at "
        "28 to the month).",
        strict_does="The calendar month: 365.25 / 12 = 30.4375 days, 4.348 weeks.",
        why="The paper needs some conversion and names none. Four weeks to the month is the common "
        "clinical convention for schedules counted in weeks (a 'monthly' injection every four "
        "weeks), and the one Table 2's printed quarter months (0.25, 2.25) show the authors used; "
        "the calendar month is computed beside it, so every number that moves with the month's "
        "length is marked.",
        where="helpers.data.units.to_months",
    ),
    Reading(
        name="median-imputed",
        title="A study's median stands for its patients",
        paper_says='Footnote a: "mean imputation was used when a mean was known ... but exact '
        'values were not reported for individual cases"; it says nothing of a printed median.',
        project_does="A multi-patient study's printed median (or its single printed value) stands "
        "for each of its patients whose value the printed numbers do not fix, as footnote a does "
        "with a mean.",
        strict_does="Only a printed mean is imputed; a patient whose value is neither printed nor "
        "fixed by the study's median and range is missing (available-case analysis).",
        why="Most multi-patient studies print a median, not a mean. Without the rule a study "
        "counts only through the one to three patients its range and median fix, so Olesen's 29 "
        "patients would weigh as one and single-patient reports would decide the pooled medians. A "
        "median is the study's central value as a mean is, and the strict reading is computed "
        "beside it.",
        where="helpers.analysis.table2.study_values",
    ),
)

#: Rules an earlier version of the project applied and no longer does, with the reason.
WITHDRAWN: tuple[Reading, ...] = (
    Reading(
        name="printed-range-bounds",
        title="A study's printed range, not its value, enters the pooled range",
        paper_says='"We reported medians with ranges"; how a pooled range is formed is not said.',
        project_does="(withdrawn) The pooled range ran over the studies' printed ranges; a value "
        "imputed for a study's patients did not widen it.",
        strict_does="The pooled range is the lowest and highest of the values pooled.",
        why="Withdrawn: its one effect was the intralesional treatment-duration range. "
        "Baumgartner-Nielsen's printed range (3–4 weeks) covers only the patients who had several "
        "sessions (Table 1 footnote c), so it does not bound the 1-week median imputed for the "
        "others; the rule's only support was that Table 2's 0.5 then reproduced.",
        where="helpers.analysis.table2.duration_summary (no longer)",
    ),
    Reading(
        name="range-only-not-in-median",
        title="A study printing only a range enters the range, not the median",
        paper_says="Nothing.",
        project_does="(withdrawn) A range-only study (Bottomley [13], 8–16 weeks) entered the "
        "pooled range only.",
        strict_does="A printed range's two ends are two patients' exact values and enter the "
        "median too; the study's other patients have no printed value and are missing.",
        why="Withdrawn: a range's ends are values of real patients, which available-case analysis "
        "uses; leaving them out of the median had no reason but the rule's own tidiness.",
        where="helpers.analysis.table2.duration_summary (no longer)",
    ),
)

#: The readings the project applies, and none (the paper's stated method alone).
PROJECT = frozenset(r.name for r in READINGS)
STRICT: frozenset[str] = frozenset()
_NAMES = {r.name: r for r in READINGS}


def active(review) -> frozenset[str]:
    """The readings the analyses of ``review`` apply.

    The project's unless :func:`using` said otherwise.

    Parameters
    ----------
    review : Review
        Its ``readings`` attribute is read; ``None`` or no such attribute means the project's.

    Returns
    -------
    frozenset of str
        Names of :data:`READINGS`: ``review.readings``, or :data:`PROJECT` when it is ``None``.
    """
    chosen = getattr(review, "readings", None)
    return PROJECT if chosen is None else chosen


def using(review, readings) -> object:
    """The same review under other readings (a copy; ``review`` is unchanged).

    Parameters
    ----------
    review : Review
    readings : iterable of str
        Names of :data:`READINGS`: :data:`PROJECT`, :data:`STRICT`, or the project's
        without one of them.

    Returns
    -------
    Review
        A copy with ``readings`` set; ``review`` itself when it already applies exactly
        these readings.

    Raises
    ------
    ValueError
        For a name that is not one of :data:`READINGS` (a :data:`WITHDRAWN` one included).
    """
    chosen = frozenset(readings)
    unknown = chosen - set(_NAMES)
    if unknown:
        raise ValueError(f"unknown readings {sorted(unknown)}; known: {sorted(_NAMES)}")
    return review if chosen == active(review) else dataclasses.replace(review, readings=chosen)


def label(readings) -> str:
    """``"project"``, ``"strict"``, or ``"project without median-imputed"``.

    Parameters
    ----------
    readings : iterable of str
        Names of :data:`READINGS`.

    Returns
    -------
    str
        ``"project"`` for :data:`PROJECT`, ``"strict"`` for :data:`STRICT`; for a part of
        the project's, ``"project without "`` and the names it leaves out (sorted, joined
        by ", "); otherwise the names themselves, sorted and joined by ", ".

    Examples
    --------
    >>> label(PROJECT - {"median-imputed"})
    'project without median-imputed'
    >>> label(STRICT)
    'strict'
    """
    chosen = frozenset(readings)
    if chosen == PROJECT:
        return "project"
    if chosen == STRICT:
        return "strict"
    return (
        "project without " + ", ".join(sorted(PROJECT - chosen))
        if chosen < PROJECT
        else ", ".join(sorted(chosen))
    )


_COLUMNS = [
    "reading",
    "status",
    "title",
    "paper_says",
    "project_does",
    "strict_does",
    "why",
    "where",
]


def frame() -> pd.DataFrame:
    """Every reading, kept and withdrawn, for the reports.

    Returns
    -------
    DataFrame
        One row per reading, :data:`READINGS` (``status`` ``"kept"``) then :data:`WITHDRAWN`
        (``"withdrawn"``), each in its order; columns ``reading`` (the name), ``status``,
        ``title``, ``paper_says``, ``project_does``, ``strict_does``, ``why``, ``where`` (the
        :class:`Reading` attributes of the same names).
    """
    rows = [
        {"reading": r.name, "status": status, **{k: getattr(r, k) for k in _COLUMNS[2:]}}
        for status, group in (("kept", READINGS), ("withdrawn", WITHDRAWN))
        for r in group
    ]
    return pd.DataFrame(rows, columns=_COLUMNS)
