"""Table 1 of the paper, rebuilt from the structured data.

:func:`render` writes every cell the way the paper prints it ("SSc×15, overlap×4",
"Mean 3.9 (range 0.3–24)", "2/6 CR, 4/6 PR", "N/R"), one row per study, grouped by
modality in the paper's order. It is what notebook 01 shows, and
``tests/test_transcription.py`` compares it cell by cell with the paper's own text.

Rows follow the order of ``studies.csv`` within each modality; that file lists the
studies in Table 1's order.
"""

from __future__ import annotations

import pandas as pd

from helpers.data.loader import Review
from helpers.data.printed import (
    LESION_RESPONSE_COLUMNS,
    NOT_APPLICABLE,
    NOT_REPORTED,
    RESPONSE_ABBREVIATIONS,
    RESPONSE_CATEGORIES,
    UNKNOWN_CATEGORY,
)
from helpers.data.values import is_missing

__all__ = [
    "COLUMNS",
    "format_diameter",
    "format_diseases",
    "format_duration",
    "format_number",
    "format_outcomes",
    "render",
    "row_ids",
    "study_anchor",
]

#: Table 1's column headers, as printed.
COLUMNS = [
    "First author (publication year)",
    "No of cases",
    "Underlying disease",
    "Location of lesion(s)",
    "Maximal diameter of the largest lesion [cm]",
    "Treatment frequency, range",
    "Median (range) treatment duration (months)",
    "Median (range) time to the first clinical improvement (months)",
    "Outcomes",
    "Median (range) follow-up (months)",
]

_RESPONSE_ABBREVIATIONS = {
    column: RESPONSE_ABBREVIATIONS[key] for key, (_, column) in RESPONSE_CATEGORIES.items()
}
_LESION_ABBREVIATIONS = {
    column: RESPONSE_ABBREVIATIONS[key]
    for key, column in zip(
        (k for k in RESPONSE_CATEGORIES if k != UNKNOWN_CATEGORY),
        LESION_RESPONSE_COLUMNS,
        strict=True,
    )
}
_OTHER_OUTCOMES = {
    "pain_free": "pain free",
    "pain_reduction": "pain reduction",
    "regained_mobility": "regained mobility",
}


def format_number(x: float) -> str:
    """A number as the paper prints it: no trailing ``.0`` except for diameters.

    Parameters
    ----------
    x : float

    Returns
    -------
    str
        ``x`` in ``g`` format: ``10``, ``0.3``, ``3.9`` (six significant digits at most).
        Diameters keep their decimal through :func:`format_diameter`.
    """
    return f"{x:g}"


def format_diameter(value, qualifier) -> str:
    """``4.0``, ``<20.0``, ``>0.6`` or ``N/R``.

    Parameters
    ----------
    value : float or missing
        The largest diameter in cm (``largest_diameter_cm``); missing is not reported.
    qualifier : str or missing
        The printed qualifier (``"<"``, ``">"``), or missing for none.

    Returns
    -------
    str
        The qualifier and the value with one decimal, or ``N/R``.
    """
    if is_missing(value):
        return NOT_REPORTED
    return f"{'' if is_missing(qualifier) else qualifier}{value:.1f}"


def _with_unit(text: str, value, unit: str) -> str:
    if unit == "months":
        return text
    singular = unit[:-1]
    return f"{text} {singular if value == 1 else unit}"


def format_duration(row) -> str:
    """One duration cell: ``10 weeks``, ``8 (range 2–13)``, ``Mean 3.9 (range 0.3–24)``,
    ``(12–16 weeks)``, ``> 36``.

    Parameters
    ----------
    row : namedtuple
        One row of ``review.durations`` (from ``itertuples``), with ``status``,
        ``statistic``, ``qualifier``, ``value``, ``low``, ``high`` and ``unit``.

    Returns
    -------
    str
        The cell as Table 1 prints it: the unit is written unless it is months; ``N/R``
        and ``N/A`` for not reported and not applicable.
    """
    if row.status == "not_reported":
        return NOT_REPORTED
    if row.status == "not_applicable":
        return NOT_APPLICABLE
    rng = None
    if not is_missing(row.low):
        rng = f"{format_number(row.low)}–{format_number(row.high)}"
    if row.statistic == "range":
        return f"({_with_unit(rng, row.high, row.unit)})"
    qualifier = "" if is_missing(row.qualifier) else f"{row.qualifier} "
    text = _with_unit(f"{qualifier}{format_number(row.value)}", row.value, row.unit)
    if row.statistic == "mean":
        text = f"Mean {text}"
    if rng is not None:
        text += f" (range {rng})"
    return text


def format_diseases(group: pd.DataFrame) -> str:
    """``SSc×15, overlap×4, SLE``: a count when Table 1 prints one.

    Parameters
    ----------
    group : DataFrame
        The rows of ``review.diseases`` of one study: ``disease``, ``n_patients`` and
        ``count_printed``.

    Returns
    -------
    str
        The diseases in the rows' order, joined by ``", "``.
    """
    return ", ".join(
        f"{r.disease}×{r.n_patients}" if r.count_printed else r.disease for r in group.itertuples()
    )


def format_outcomes(row, n_cases: int) -> str:
    """One outcomes cell: ``CR pain free`` for one patient, ``2/6 CR, 4/6 PR`` for several.

    Response counts the data take from Table 2 (``response_source = table2``) are left
    out, because Table 1 does not print them.

    Parameters
    ----------
    row : namedtuple
        The study's row of ``review.outcomes`` (from ``itertuples``): response counts per
        patient or per lesion, pain and mobility counts, ``uncounted_outcomes``.
    n_cases : int
        The study's number of patients (the denominator printed for several).

    Returns
    -------
    str
        Response parts first, then pain free, pain reduction and regained mobility;
        empty when nothing is printed.
    """
    parts = []
    if row.response_unit == "lesions":
        parts.append(
            ", ".join(
                f"{int(getattr(row, c))}/{int(row.lesions)} lesions {abbr}"
                for c, abbr in _LESION_ABBREVIATIONS.items()
                if getattr(row, c)
            )
        )
    elif row.response_source == "table1":
        counts = {
            abbr: int(getattr(row, c))
            for c, abbr in _RESPONSE_ABBREVIATIONS.items()
            if getattr(row, c)
        }
        if n_cases == 1:
            parts += list(counts)
        else:
            parts.append(", ".join(f"{k}/{n_cases} {abbr}" for abbr, k in counts.items()))
    uncounted = (
        []
        if is_missing(row.uncounted_outcomes)
        else [u.strip() for u in row.uncounted_outcomes.split(";")]
    )
    for col, label in _OTHER_OUTCOMES.items():
        k = getattr(row, col)
        if col in uncounted:
            parts.append(label)
        elif is_missing(k):
            continue
        elif n_cases == 1:
            if k:  # one patient had it; a count of 0 is printed as nothing, as the paper prints it
                parts.append(label)
        elif not is_missing(row.pain_assessed) and col != "regained_mobility":
            parts.append(f"{int(k)}/{int(row.pain_assessed)} {label}")
        else:
            parts.append(f"{label}×{int(k)}")
    return " ".join(p for p in parts if p)


def render(review: Review) -> pd.DataFrame:
    """Table 1 as the paper prints it, from the structured data.

    Parameters
    ----------
    review : Review
        The loaded review.

    Returns
    -------
    DataFrame
        One row per study, indexed by (modality heading, ref), with the paper's ten
        columns as text. Not reported and not applicable print as ``N/R`` and ``N/A``.
    """
    studies = review.studies
    modalities = review.modalities
    durations = {
        (ref, r.measure): r
        for ref, r in zip(review.durations.index, review.durations.itertuples(), strict=True)
    }
    rows, index = [], []
    for modality, mod in modalities.iterrows():
        for ref, s in studies[studies["modality"] == modality].iterrows():
            n = int(s["n_cases"])
            locations = s["lesion_locations"]
            rows.append(
                [
                    f"{s['first_author']} [{ref}]",
                    str(n),
                    format_diseases(review.diseases.loc[[ref]]),
                    ", ".join(locations) if locations else NOT_REPORTED,
                    format_diameter(s["largest_diameter_cm"], s["largest_diameter_qualifier"]),
                    NOT_REPORTED if is_missing(s["frequency"]) else s["frequency"],
                    format_duration(durations[(ref, "treatment_duration")]),
                    format_duration(durations[(ref, "time_to_first_improvement")]),
                    format_outcomes(next(review.outcomes.loc[[ref]].itertuples()), n),
                    format_duration(durations[(ref, "follow_up")]),
                ]
            )
            index.append((mod["table1_heading"], ref))
    return pd.DataFrame(
        rows, columns=COLUMNS, index=pd.MultiIndex.from_tuples(index, names=["Treatment", "ref"])
    )


def study_anchor(ref) -> str:
    """The HTML id of a study's row of Table 1, ``study-<ref>``: the one place it is written.

    Parameters
    ----------
    ref : int or str
        The study's reference number.

    Returns
    -------
    str

    Examples
    --------
    >>> study_anchor(17)
    'study-17'
    """
    return f"study-{ref}"


def row_ids(review: Review) -> list[str]:
    """The HTML id of each row of Table 1 (:func:`render`), in its order: ``study-<ref>``.

    The claims audit links each study a number used to its row (``#study-17``).

    Parameters
    ----------
    review : Review
        The loaded review.

    Returns
    -------
    list of str
        One id per row of ``render(review)``, in the same order.
    """
    return [study_anchor(ref) for ref in render(review).index.get_level_values("ref")]
