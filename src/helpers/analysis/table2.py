"""Table 2 of the paper, recomputed from the data, and compared with the paper cell by cell.

The rules Table 2 follows are written here once:

Rows
    One row per treatment modality, in the order of ``vocabularies/modalities.csv``.
    Table 2 prints the laser rows' *n* and largest diameter per laser, but pools every
    other column over all lasers in the CO₂ row: ``paper_table2.csv`` says so in its
    ``merged_into`` column, and :func:`table2_groups` reads it from there.

Response
    Patients are counted in four categories: complete, partial, none, unknown. A study
    that reports response per lesion instead of per patient (Bottomley [13]) counts
    its patients as unknown (Table 2 footnote d). Percentages are of all patients in
    the row (the paper's denominators), printed as integers rounded half up.

Durations (treatment duration, time to first clinical improvement)
    Available-case analysis at patient level, with mean imputation (Table 2 footnote a):
    the values a study's printed numbers fix exactly (a range's ends, the median of an odd
    number of patients, all three patients of a median and a range) enter as they are;
    its other patients take its printed mean, or, by the project's reading
    ``median-imputed``, its printed median. The pooled range runs from the lowest to the
    highest value pooled. Weeks become months at 4 weeks to the month (reading
    ``four-week-month``). Both readings are the project's, listed with their alternatives
    in :mod:`helpers.analysis.readings`; :func:`compare_readings` gives Table 2 under the paper's
    stated method alone. A row with no value prints ``N/A`` when every study says not
    applicable, ``N/R`` otherwise.

Largest diameter
    The largest printed diameter in the row, with its qualifier ("<20.0"); ``N/R`` when
    no study reports one.

Frequency
    From the least to the most intensive regime any study of the row prints; a fixed
    number of sessions ranks below any recurring rate ("Single session to once a month").

Adverse events
    As ``adverse_events.csv`` lists them for the row's modalities.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

from helpers.analysis import readings
from helpers.analysis.selection import studies_of
from helpers.data.loader import Review
from helpers.data.printed import (
    DURATION_COLUMNS,
    NOT_APPLICABLE,
    NOT_REPORTED,
    POOLED_COLUMNS,
    RESPONSE_CATEGORIES,
    frequency_ends,
    parse_adverse_events,
    parse_diameter,
    parse_duration,
    parse_response,
    strip_footnotes,
)
from helpers.data.units import Alternative, parse_frequency, to_months
from helpers.data.values import is_missing

__all__ = [
    "COMPARISON_COLUMNS",
    "READING_COLUMNS",
    "TOO_SMALL",
    "Diameter",
    "PooledDuration",
    "Proportion",
    "adverse_events",
    "compare_readings",
    "compare_table2",
    "diameter_summary",
    "duration_summary",
    "event_counts",
    "fixed_values",
    "format_adverse_events",
    "format_end",
    "format_frequency",
    "format_months",
    "format_response",
    "frequency_range",
    "patient_median",
    "pooled_values",
    "response_counts",
    "round_half_up",
    "study_values",
    "table2",
    "table2_groups",
    "table2_printed",
]

COMPARISON_COLUMNS = ["modality", "column", "part", "paper", "recomputed", "status", "note"]


def round_half_up(x: float, decimals: int = 0) -> float:
    """Round as the paper prints: 62.5 -> 63, 24.5 -> 25.

    Parameters
    ----------
    x : float
    decimals : int
        Decimals to keep.

    Returns
    -------
    float
        ``x`` rounded half away from zero, on its shortest decimal text (``str(x)``), so
        2.675 gives 2.68 whatever its binary value.
    """
    return float(Decimal(str(x)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Proportion:
    """``events`` of ``total`` patients."""

    events: int
    total: int

    @property
    def percent(self) -> float:
        return 100 * self.events / self.total if self.total else math.nan

    def __str__(self) -> str:
        return f"{self.events}/{self.total}"


# --------------------------------------------------------------------------- groups


def table2_groups(review: Review) -> dict[str, list[str]]:
    """For each Table 2 row (a modality), the modalities its pooled columns cover.

    A modality whose Table 2 row is merged into another (``merged_into``) is pooled
    there; a modality that Table 2 does not print (one added later) is a row of its own.

    Parameters
    ----------
    review : Review

    Returns
    -------
    dict of str to list of str
        Keyed by the modality of each row that pools, in the paper's order: that modality
        first, then the modalities merged into it.
    """
    modalities = list(review.modalities.index)
    merged = review.paper_table2["merged_into"].reindex(modalities)
    groups = {m: [m] for m in modalities if is_missing(merged[m])}
    for m in modalities:
        if not is_missing(merged[m]):
            groups[merged[m]].append(m)
    return groups


# --------------------------------------------------------------------------- response


def response_counts(review: Review, modalities: list[str]) -> dict[str, Proportion]:
    """Patients per response category among the studies of ``modalities``.

    Patients of studies reporting per lesion count as unknown (Table 2 footnote d).

    Parameters
    ----------
    review : Review
    modalities : list of str
        The modalities pooled (a Table 2 row's group, or any selection).

    Returns
    -------
    dict of str to Proportion
        Keyed by the categories of :data:`~helpers.data.printed.RESPONSE_CATEGORIES`
        (``complete``, ``partial``, ``none``, ``unknown``), each of all the studies'
        patients (total 0 when no study is selected).
    """
    studies = studies_of(review, modalities)
    total = int(studies["n_cases"].sum())
    counts = dict.fromkeys(RESPONSE_CATEGORIES, 0)
    for ref, study in studies.iterrows():
        o = review.outcomes.loc[ref]
        if o["response_unit"] == "lesions":
            counts["unknown"] += int(study["n_cases"])
            continue
        for key, (_, column) in RESPONSE_CATEGORIES.items():
            counts[key] += int(o[column])
    return {k: Proportion(v, total) for k, v in counts.items()}


def format_response(counts: dict[str, Proportion]) -> str:
    """``Complete, 19, 9/48 Partial, 63, 30/48 ...``: categories with no patient left out.

    Parameters
    ----------
    counts : dict of str to Proportion
        As :func:`response_counts` returns.

    Returns
    -------
    str
        Label, percent (rounded half up) and fraction per category, joined by spaces;
        ``N/R`` when no category has a patient.
    """
    parts = []
    for key, (label, _) in RESPONSE_CATEGORIES.items():
        p = counts[key]
        if p.events:
            parts.append(f"{label}, {round_half_up(p.percent):g}, {p}")
    return " ".join(parts) if parts else NOT_REPORTED


# --------------------------------------------------------------------------- durations


@dataclass(frozen=True)
class PooledDuration:
    """A Table 2 duration cell: median and range in months, and what entered them."""

    median: float
    low: float
    high: float
    patients: int
    studies: int
    status: str  # "reported", "not_applicable", "not_reported" or "not_determined"

    def __str__(self) -> str:
        if self.status == "not_applicable":
            return NOT_APPLICABLE
        if self.status == "not_reported":
            return NOT_REPORTED
        if self.status == "not_determined":
            return "no exact value"
        text = format_months(self.median) if not math.isnan(self.median) else "–"
        if self.low < self.high:
            text += f" ({format_end(self.low)}–{format_end(self.high)})"
        return text


#: Table 2's footnote c, "A group of patients was too small", as the printed cells mark it.
TOO_SMALL = "^c"


def format_months(x: float) -> str:
    """A median in months as Table 2 prints it: one decimal, two where needed (2.25).

    Parameters
    ----------
    x : float
        Months.

    Returns
    -------
    str
        ``x`` to two decimals with a trailing zero dropped (``"3.9"``, ``"1.0"``,
        ``"2.25"``).
    """
    text = f"{x:.2f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def format_end(x: float) -> str:
    """A range's end as Table 2 prints it: no trailing zeros (0.3, 24, 2.25), at most two
    decimals.

    Parameters
    ----------
    x : float
        Months.

    Returns
    -------
    str
        ``x`` rounded half up to two decimals, trailing zeros and point dropped.
    """
    return f"{round_half_up(x, 2):.2f}".rstrip("0").rstrip(".")


def patient_median(values: list[float], patients: list[int]) -> float:
    """The median over patients, each study's value standing for each of its patients.

    The same number as ``np.median`` of the list with every value repeated for its
    patients, computed without building that list (a study may report many patients):
    the middle patient, or the mean of the two middle ones.

    Parameters
    ----------
    values : list of float
        One value per study (or per value a study fixes).
    patients : list of int
        How many patients each value stands for, in the same order.

    Returns
    -------
    float
        The median; NaN when there is no value or no patient.

    Examples
    --------
    >>> patient_median([4.0, 13.0], [1, 2])
    13.0
    >>> patient_median([1.0, 3.0], [1, 1])
    2.0
    """
    if not values or sum(patients) == 0:
        return math.nan
    order = np.argsort(values, kind="stable")
    v = np.asarray(values, dtype=float)[order]
    cumulative = np.cumsum(np.asarray(patients, dtype=np.int64)[order])
    total = int(cumulative[-1])

    def at(position):  # the value of the patient at a 0-based position
        return float(v[np.searchsorted(cumulative, position, side="right")])

    return at(total // 2) if total % 2 else (at(total // 2 - 1) + at(total // 2)) / 2


def fixed_values(
    statistic: str, value: float, low: float, high: float, n: int
) -> tuple[list[tuple[float, int]], int]:
    """The patient values one study's printed numbers fix exactly, and how many patients are
    left.

    A range's ends are two patients' values; an odd number of patients puts one at the
    median; a median at an end of the range puts every patient up to the middle there; with
    three patients a median and a range fix all three, and so do a mean and a range (the
    third is three times the mean less the ends), as does a mean at an end of the range.

    Parameters
    ----------
    statistic : {"value", "median", "mean", "range"}
    value, low, high : float
        The printed value (none for ``range``) and the range's ends; NaN where not printed.
    n : int
        The study's number of patients.

    Returns
    -------
    tuple of (list of tuple of (float, int), int)
        The fixed ``(value, patients)`` pairs, in the unit given, and the patients left.

    Examples
    --------
    >>> fixed_values("median", 8.0, 2.0, 13.0, 6)
    ([(2.0, 1), (13.0, 1)], 4)
    """
    has_range = not (math.isnan(low) or math.isnan(high))
    has_value = not math.isnan(value) and statistic != "range"
    if n <= 0:
        return [], 0
    if has_range and low == high:
        return [(low, n)], 0
    if n == 1:
        return ([(value, 1)], 0) if has_value else ([], 1)
    fixed: list[tuple[float, int]] = [(low, 1), (high, 1)] if has_range else []
    left = n - len(fixed)
    if not has_value or not left:
        return fixed, left
    if statistic == "mean":
        if has_range:  # the other patients' sum is known
            rest = n * value - low - high
            if left == 1 and low <= rest <= high:
                return [*fixed, (rest, 1)], 0
            for end in (low, high):
                if math.isclose(rest, left * end, rel_tol=1e-12, abs_tol=1e-12):
                    return [*fixed, (end, left)], 0
        return fixed, left
    # a median, or one value printed for several patients
    if has_range and value in (low, high):  # every patient from that end to the middle is there
        at_end = n // 2  # beyond the end's own patient
        return [
            (low, 1 + at_end * (value == low)),
            (high, 1 + at_end * (value == high)),
        ], left - at_end
    if n % 2:
        return [*fixed, (value, 1)], left - 1
    return fixed, left


def study_values(
    statistic: str, value: float, low: float, high: float, n: int, impute_median: bool = True
) -> list[tuple[float, int]]:
    """The patient values one study's printed duration gives: ``[(value, patients), ...]``.

    First every value the printed numbers fix exactly (:func:`fixed_values`; the paper's
    method uses exact values where they are known). The patients left take the printed
    mean (Table 2 footnote a), or the printed median or single value when ``impute_median``
    (the project's reading ``median-imputed``, :mod:`helpers.analysis.readings`); otherwise they are
    missing. Values are in one unit (months).

    Parameters
    ----------
    statistic : {"value", "median", "mean", "range"}
        What the printed value is.
    value : float
        The printed value; NaN when none.
    low, high : float
        The printed range's ends; NaN when no range.
    n : int
        The study's number of patients.
    impute_median : bool
        Whether the patients left take a printed median or single value (a printed mean
        is imputed regardless).

    Returns
    -------
    list of tuple of (float, int)
        ``(value, patients)`` pairs: the fixed values, then the imputed value with the
        patients left, if any is imputed. Patients not imputed are left out.

    Examples
    --------
    >>> study_values("median", 13.0, 4.0, 13.4, 3)
    [(4.0, 1), (13.4, 1), (13.0, 1)]
    >>> study_values("median", 8.0, 2.0, 13.0, 6)
    [(2.0, 1), (13.0, 1), (8.0, 4)]
    >>> study_values("median", 8.0, 2.0, 13.0, 6, impute_median=False)
    [(2.0, 1), (13.0, 1)]
    >>> study_values("mean", 4.0, 1.0, 8.0, 3)
    [(1.0, 1), (8.0, 1), (3.0, 1)]
    """
    fixed, left = fixed_values(statistic, value, low, high, n)
    imputable = (
        not math.isnan(value) and statistic != "range" and (statistic == "mean" or impute_median)
    )
    return [*fixed, (value, left)] if left and imputable else fixed


def pooled_values(review: Review, measure: str, modalities: list[str]) -> pd.DataFrame:
    """The patient values :func:`duration_summary` pools: one row per (study, value).

    Parameters
    ----------
    review : Review
    measure : str
        ``"treatment_duration"`` or ``"time_to_first_improvement"`` (a ``measure`` of
        ``durations.csv``).
    modalities : list of str
        The modalities pooled.

    Returns
    -------
    DataFrame
        Columns ``ref``, ``months`` and ``patients`` (how many patients the value stands
        for), under the review's readings (:mod:`helpers.analysis.readings`). A value with a
        qualifier (``> 36``) is not a value and does not enter.
    """
    rules = readings.active(review)
    studies = studies_of(review, modalities)
    d = review.durations.loc[review.durations.index.isin(studies.index)]
    d = d[(d["measure"] == measure) & (d["status"] == "reported") & d["qualifier"].isna()]
    rows = [
        (ref, value, patients)
        for ref, row in d.iterrows()
        for value, patients in study_values(
            row["statistic"],
            *(
                to_months(row[c], row["unit"], "four-week-month" in rules)
                for c in ("value", "low", "high")
            ),
            int(studies.loc[ref, "n_cases"]),
            impute_median="median-imputed" in rules,
        )
    ]
    return pd.DataFrame(rows, columns=["ref", "months", "patients"])


def duration_summary(review: Review, measure: str, modalities: list[str]) -> PooledDuration:
    """Pool one duration measure over the studies of ``modalities``, at patient level.

    Each study's printed numbers give its patients' values (:func:`pooled_values`,
    :func:`study_values`); the median is over those values, the range runs from the lowest
    to the highest of them. A row with no value prints ``N/A`` when every study says not
    applicable, ``N/R`` when none reports one, and "no exact value" when studies print
    values but, under the readings used, none fixes a patient's value.

    Parameters
    ----------
    review : Review
    measure : str
        ``"treatment_duration"`` or ``"time_to_first_improvement"``.
    modalities : list of str
        The modalities pooled.

    Returns
    -------
    PooledDuration
        Median, low and high in months, the patients and studies pooled, and the
        ``status``; NaN values and zero counts unless the status is ``reported``.
    """
    d = review.durations.loc[review.durations.index.isin(studies_of(review, modalities).index)]
    d = d[d["measure"] == measure]
    if not (d["status"] == "reported").any():
        status = (
            "not_applicable"
            if len(d) and (d["status"] == "not_applicable").all()
            else "not_reported"
        )
        return PooledDuration(math.nan, math.nan, math.nan, 0, 0, status)
    pooled = pooled_values(review, measure, modalities)
    if pooled.empty:
        return PooledDuration(math.nan, math.nan, math.nan, 0, 0, "not_determined")
    return PooledDuration(
        median=patient_median(list(pooled["months"]), list(pooled["patients"])),
        low=float(pooled["months"].min()),
        high=float(pooled["months"].max()),
        patients=int(pooled["patients"].sum()),
        studies=pooled["ref"].nunique(),
        status="reported",
    )


# --------------------------------------------------------------------------- diameter and frequency


@dataclass(frozen=True)
class Diameter:
    """The largest lesion diameter of a row: value in cm and its printed qualifier."""

    value: float
    qualifier: str = ""

    def __str__(self) -> str:
        return NOT_REPORTED if math.isnan(self.value) else f"{self.qualifier}{self.value:.1f}"


def diameter_summary(review: Review, modalities: list[str]) -> Diameter:
    """The largest printed diameter among the studies of ``modalities``.

    Parameters
    ----------
    review : Review
    modalities : list of str

    Returns
    -------
    Diameter
        The value in cm with its qualifier (of the last such study in the data's order,
        when several print the same value); NaN when no study reports a diameter.
    """
    s = studies_of(review, modalities).dropna(subset=["largest_diameter_cm"])
    if s.empty:
        return Diameter(math.nan)
    top = s.sort_values("largest_diameter_cm", kind="stable").iloc[-1]
    q = top["largest_diameter_qualifier"]
    return Diameter(float(top["largest_diameter_cm"]), "" if is_missing(q) else q)


def frequency_range(texts: list[str]) -> tuple[Alternative, Alternative] | None:
    """The least and the most intensive alternative among printed frequencies (None if
    none).

    Parameters
    ----------
    texts : list of str
        Frequencies as Table 1 prints them (``"Twice a day"``).

    Returns
    -------
    tuple of (Alternative, Alternative) or None
        The lowest and highest by :meth:`~helpers.data.units.Alternative.rank`; None when
        no text names a frequency.
    """
    alternatives = [a for t in texts for a in parse_frequency(t).alternatives]
    if not alternatives:
        return None
    ranked = sorted(alternatives, key=Alternative.rank)
    return ranked[0], ranked[-1]


def format_frequency(ends: tuple[Alternative, Alternative] | None) -> str:
    """A frequency range as Table 2 prints it: ``Single session to once a month``.

    Parameters
    ----------
    ends : tuple of (Alternative, Alternative) or None
        The least and the most intensive alternative, as :func:`frequency_range` returns.

    Returns
    -------
    str
        ``"<low> to <high>"``, or one phrase when both rank the same, first letter in
        upper case; ``N/R`` for None.
    """
    if ends is None:
        return NOT_REPORTED
    low, high = ends
    text = low.phrase if low.rank() == high.rank() else f"{low.phrase} to {high.phrase}"
    return text[0].upper() + text[1:]


def _frequency_texts(review: Review, modalities: list[str]) -> list[str]:
    return [t for t in studies_of(review, modalities)["frequency"] if isinstance(t, str)]


# --------------------------------------------------------------------------- adverse events


def adverse_events(review: Review, modalities: list[str]) -> pd.DataFrame:
    """The adverse events listed for ``modalities``.

    Parameters
    ----------
    review : Review
    modalities : list of str

    Returns
    -------
    DataFrame
        The rows of ``review.adverse_events`` (indexed by ``event_id``: ``modality``,
        ``event``, ``patients``, ``refs``) of those modalities, in the data's order.
    """
    ae = review.adverse_events
    return ae[ae["modality"].isin(modalities)]


def event_counts(events: pd.DataFrame) -> dict[str, tuple[str, str]]:
    """The adverse events of a Table 2 row, as its cell lists them: ``{key: (name, count)}``.

    The key is the event's name in lower case; events of the same name (two modalities of a
    merged row) are one entry, their patients added, ``N/R`` if any count is not reported.
    A modality that reports no adverse event lists ``None``; it stands for the row only when
    no modality of the row lists an event (``{"none": ("None", "0")}``).

    Parameters
    ----------
    events : DataFrame
        Rows of ``review.adverse_events``, as :func:`adverse_events` returns.

    Returns
    -------
    dict of str to tuple of (str, str)
        In the order the events first appear; empty when ``events`` is.
    """
    real = events[events["event"] != "None"]
    if real.empty:
        return {"none": ("None", "0")} if len(events) else {}
    out: dict[str, tuple[str, str]] = {}
    for name, patients in zip(real["event"], real["patients"], strict=True):
        key = str(name).strip().lower()
        count = NOT_REPORTED if is_missing(patients) else str(int(patients))
        if key in out:
            before = out[key][1]
            count = (
                NOT_REPORTED if NOT_REPORTED in (before, count) else str(int(before) + int(count))
            )
        out[key] = (out[key][0] if key in out else str(name), count)
    return out


def format_adverse_events(events: pd.DataFrame) -> str:
    """``Infection (5), injection pain (6), skin discoloration (N/R)``; ``None`` when none;
    ``N/R`` when none is listed.

    Parameters
    ----------
    events : DataFrame
        Rows of ``review.adverse_events``, as :func:`adverse_events` returns.

    Returns
    -------
    str
        The events of :func:`event_counts` with their patients, the first as listed and
        the rest starting in lower case; ``None`` when the modalities report no event;
        ``N/R`` when no row is listed.
    """
    counts = event_counts(events)
    if list(counts) == ["none"]:
        return "None"
    parts = [
        f"{name if i == 0 else name[0].lower() + name[1:]} ({count})"
        for i, (name, count) in enumerate(counts.values())
    ]
    return ", ".join(parts) if parts else NOT_REPORTED


# --------------------------------------------------------------------------- the table


def table2(review: Review) -> pd.DataFrame:
    """Table 2 recomputed from the data, with numbers (one row per modality).

    Parameters
    ----------
    review : Review

    Returns
    -------
    DataFrame
        Indexed by modality, in the paper's order. Columns: ``label``, ``family``,
        ``group`` (the Table 2 row whose pooled columns cover it), ``n``,
        ``largest_diameter_cm`` and ``largest_diameter_qualifier``, the frequency range
        (``frequency_low``, ``frequency_high`` as printed phrases), for each duration
        measure ``<measure>_median``, ``_low``, ``_high`` (months) and ``_patients``,
        and per response category ``<category>_n``, ``<category>_total`` and
        ``<category>_percent``. Pooled columns are filled on the group's row only.
    """
    groups = table2_groups(review)
    group_of = {m: g for g, members in groups.items() for m in members}
    rows = []
    for modality, mod in review.modalities.iterrows():
        diameter = diameter_summary(review, [modality])
        row = {
            "modality": modality,
            "label": mod["label"],
            "family": mod["family"],
            "group": group_of[modality],
            "n": int(studies_of(review, [modality])["n_cases"].sum()),
            "largest_diameter_cm": diameter.value,
            "largest_diameter_qualifier": diameter.qualifier,
        }
        if modality in groups:
            members = groups[modality]
            ends = frequency_range(_frequency_texts(review, members))
            row["frequency_low"], row["frequency_high"] = (
                (ends[0].phrase, ends[1].phrase) if ends else (None, None)
            )
            for measure in DURATION_COLUMNS:
                p = duration_summary(review, measure, members)
                row |= {
                    f"{measure}_median": p.median,
                    f"{measure}_low": p.low,
                    f"{measure}_high": p.high,
                    f"{measure}_patients": p.patients,
                }
            for key, p in response_counts(review, members).items():
                row |= {f"{key}_n": p.events, f"{key}_total": p.total, f"{key}_percent": p.percent}
        rows.append(row)
    return pd.DataFrame(rows).set_index("modality")


def table2_printed(review: Review) -> pd.DataFrame:
    """Table 2 recomputed, printed the way the paper prints it (same columns as
    ``paper_table2.csv``).

    Parameters
    ----------
    review : Review

    Returns
    -------
    DataFrame
        Indexed by modality, in the paper's order; text columns ``row_label``, ``n``,
        ``largest_diameter`` and the pooled columns
        (:data:`~helpers.data.printed.POOLED_COLUMNS`), which are empty on a row merged
        into another.
    """
    groups = table2_groups(review)
    rows = []
    for modality, mod in review.modalities.iterrows():
        row = {
            "modality": modality,
            "row_label": mod["table2_label"],
            "n": str(int(studies_of(review, [modality])["n_cases"].sum())),
            "largest_diameter": str(diameter_summary(review, [modality])),
        }
        if modality in groups:
            members = groups[modality]
            row["frequency"] = format_frequency(frequency_range(_frequency_texts(review, members)))
            for measure in DURATION_COLUMNS:
                row[measure] = str(duration_summary(review, measure, members))
            row["response_rates"] = format_response(response_counts(review, members))
            row["adverse_events"] = format_adverse_events(adverse_events(review, members))
        else:
            row |= dict.fromkeys(POOLED_COLUMNS, "")
        rows.append(row)
    return pd.DataFrame(rows).set_index("modality")


# --------------------------------------------------------------------------- comparison


def _decimals(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0


def _same_number(printed: str, value: float) -> bool:
    return not math.isnan(value) and round_half_up(value, _decimals(printed)) == float(printed)


def _events(events: pd.DataFrame) -> dict[str, str]:
    """The data's adverse events of a row as the printed cell names them:
    {"infection": "5", "recurrence": "N/R"}."""
    return {key: count for key, (_, count) in event_counts(events).items()}


def compare_table2(review: Review) -> pd.DataFrame:
    """The paper's Table 2 beside the recomputed one, one row per number.

    Long: one pass over the paper's rows in which every column's numbers go through the one
    ``add`` that applies the notes and the status rule; split by column, each part would
    need the row, its group, the notes and the shared list of results.

    Parameters
    ----------
    review : Review
        The loaded review, under the readings it carries (:mod:`helpers.analysis.readings`).

    Returns
    -------
    DataFrame
        Columns :data:`COMPARISON_COLUMNS`. ``part`` names the number within the cell
        (``median``, ``range``, a response category, an adverse event); ``status`` is
        ``reproduced``, ``discrepancy``, or ``not_computable`` where the paper prints a
        number and the data have none (no study of the row, or none reporting it); ``note``
        explains a discrepancy, from ``data/table2_notes.yaml`` (``review.table2_notes``,
        checked by the loader: every note names a cell part that exists, and each appears
        here).
    """
    review = review.paper_edition()  # the printed Table 2 describes the paper's studies
    groups = table2_groups(review)
    notes = review.table2_notes
    rows = []

    def add(modality, column, part, paper, recomputed, ok, computable=True, note=""):
        # not computable: the paper prints a number the data have none of (no study, nothing
        # reported)
        status = "not_computable" if not computable else "reproduced" if ok else "discrepancy"
        note = " ".join(filter(None, [note, notes.get((modality, column, part), "")]))
        rows.append(
            {
                "modality": modality,
                "column": column,
                "part": part,
                "paper": paper,
                "recomputed": recomputed,
                "status": status,
                "note": note,
            }
        )

    for modality, printed in review.paper_table2.iterrows():
        members = groups.get(modality, [modality])
        n = int(studies_of(review, [modality])["n_cases"].sum())
        add(modality, "n", "n", str(printed["n"]), str(n), n == printed["n"])
        paper_d, ours_d = (
            Diameter(*parse_diameter(printed["largest_diameter"])),
            diameter_summary(review, [modality]),
        )
        same = (math.isnan(paper_d.value) and math.isnan(ours_d.value)) or (
            paper_d.value == ours_d.value and paper_d.qualifier == ours_d.qualifier
        )
        add(
            modality,
            "largest_diameter",
            "value",
            strip_footnotes(printed["largest_diameter"]),
            str(ours_d),
            same,
            computable=not (math.isnan(ours_d.value) and not math.isnan(paper_d.value)),
        )
        if not is_missing(printed["merged_into"]):
            continue
        texts = _frequency_texts(review, members)
        ours_f = format_frequency(frequency_range(texts))
        add(
            modality,
            "frequency",
            "range",
            printed["frequency"],
            ours_f,
            frequency_ends(printed["frequency"]) == frequency_ends(ours_f),
            computable=frequency_ends(ours_f) is not None
            or frequency_ends(printed["frequency"]) is None,
        )
        for measure in DURATION_COLUMNS:
            pooled = duration_summary(review, measure, members)
            median, low, high = parse_duration(printed[measure])
            if median == NOT_APPLICABLE and TOO_SMALL in str(printed[measure]):
                # Footnote c, "A group of patients was too small": a judgment not to summarise,
                # scored the same way in every cell, whatever the data hold, with their value
                # beside it.
                have = (
                    "nothing to pool"
                    if pooled.status != "reported"
                    else f"{pooled} (a median over {pooled.patients} "
                    f"patient{'s' * (pooled.patients != 1)}, "
                    f"{pooled.studies} stud{'ies' if pooled.studies != 1 else 'y'} in all)"
                )
                add(
                    modality,
                    measure,
                    "median",
                    strip_footnotes(printed[measure]),
                    str(pooled),
                    False,
                    computable=False,
                    note=f"Table 2 footnote c: the paper judged the group too small to summarise, "
                    f"a judgment rather than a number; the data give {have}.",
                )
                continue
            if median in (NOT_APPLICABLE, NOT_REPORTED):
                # N/A (not applicable) or N/R: no number, which holds when the data have none
                # to pool.
                ok = pooled.status != "reported"
                add(modality, measure, "median", strip_footnotes(printed[measure]), str(pooled), ok)
                continue
            ours_median = (
                format_months(pooled.median) if not math.isnan(pooled.median) else str(pooled)
            )
            add(
                modality,
                measure,
                "median",
                median,
                ours_median,
                _same_number(median, pooled.median),
                computable=not math.isnan(pooled.median),
            )
            reported = pooled.status == "reported"
            ours_range = (
                (
                    f"{format_end(pooled.low)}–{format_end(pooled.high)}"
                    if pooled.low < pooled.high
                    else "no range"
                )
                if reported
                else str(pooled)
            )
            if low is None:
                add(
                    modality,
                    measure,
                    "range",
                    "no range",
                    ours_range,
                    reported and ours_range == "no range",
                    computable=reported,
                )
            else:
                ok = _same_number(low, pooled.low) and _same_number(high, pooled.high)
                add(
                    modality, measure, "range", f"{low}–{high}", ours_range, ok, computable=reported
                )
        paper_r = parse_response(printed["response_rates"])
        counts = response_counts(review, members)
        for key in RESPONSE_CATEGORIES:
            p = counts[key]
            if (
                key not in paper_r
                and not p.events
                and (modality, "response_rates", key) not in notes
            ):
                continue
            pct, k, total = paper_r.get(key, ("0", 0, p.total))
            ok = (k, total) == (p.events, p.total) and round_half_up(p.percent) == float(pct)
            add(
                modality,
                "response_rates",
                key,
                f"{pct}%, {k}/{total}",
                f"{round_half_up(p.percent):g}%, {p}" if p.total else "no patients",
                ok,
                computable=p.total > 0,
            )
        paper_ae = parse_adverse_events(printed["adverse_events"])
        ours_ae = _events(adverse_events(review, members))
        for event in dict.fromkeys([*paper_ae, *ours_ae]):
            add(
                modality,
                "adverse_events",
                event,
                paper_ae.get(event, "not listed"),
                ours_ae.get(event, "not listed"),
                paper_ae.get(event) == ours_ae.get(event),
            )
    table = pd.DataFrame(rows, columns=COMPARISON_COLUMNS)
    return table


READING_COLUMNS = [
    "modality",
    "column",
    "part",
    "paper",
    "project",
    "project_status",
    "strict",
    "strict_status",
    "reproduces",
    "rests_on",
]


def compare_readings(review: Review) -> pd.DataFrame:
    """Table 2's numbers under the project's readings and under the paper's stated method alone.

    :func:`compare_table2` twice: with the project's readings
    (:data:`helpers.analysis.readings.PROJECT`) and with none
    (:data:`helpers.analysis.readings.STRICT`), one row per number that either reading
    recomputes differently.

    Long: the project's run, one run per reading withdrawn and the strict run are compared
    in one place, so ``reproduces`` and ``rests_on`` of each row come from the same runs.

    Parameters
    ----------
    review : Review
        The loaded review; the readings it carries are replaced in every run.

    Returns
    -------
    DataFrame
        Columns :data:`READING_COLUMNS`. ``reproduces`` says which reading gives the printed
        number: ``both``, ``project only``, ``strict only``, ``neither``, or ``not computable``
        (the paper prints no number to compare, or neither reading gives one). ``rests_on``
        names the project's readings whose withdrawal alone changes the number.
    """
    review = review.paper_edition()  # the printed Table 2 describes the paper's studies
    project = compare_table2(readings.using(review, readings.PROJECT))
    keyed = project.set_index(["modality", "column", "part"])
    moved_by = {}
    for name in sorted(readings.PROJECT):
        other = compare_table2(readings.using(review, readings.PROJECT - {name})).set_index(
            keyed.index.names
        )
        moved = (other["recomputed"] != keyed["recomputed"]) | (other["status"] != keyed["status"])
        for key in keyed.index[moved.to_numpy()]:
            moved_by.setdefault(key, []).append(name)
    strict = compare_table2(readings.using(review, readings.STRICT))
    keys = ["modality", "column", "part"]
    both = project.merge(strict, on=keys, suffixes=("_project", "_strict"), validate="one_to_one")
    differs = (both["recomputed_project"] != both["recomputed_strict"]) | (
        both["status_project"] != both["status_strict"]
    )
    both = both[differs]

    def which(p: str, s: str) -> str:
        if "not_computable" in (p, s) and "reproduced" not in (p, s):
            return "not computable"
        return {
            (True, True): "both",
            (True, False): "project only",
            (False, True): "strict only",
            (False, False): "neither",
        }[(p == "reproduced", s == "reproduced")]

    return pd.DataFrame(
        {
            "modality": both["modality"],
            "column": both["column"],
            "part": both["part"],
            "paper": both["paper_project"],
            "project": both["recomputed_project"],
            "project_status": both["status_project"],
            "strict": both["recomputed_strict"],
            "strict_status": both["status_strict"],
            "reproduces": [
                which(p, s)
                for p, s in zip(both["status_project"], both["status_strict"], strict=True)
            ],
            "rests_on": [
                ", ".join(moved_by.get(key, []))
                for key in zip(both["modality"], both["column"], both["part"], strict=True)
            ],
        },
        columns=READING_COLUMNS,
    ).reset_index(drop=True)
