"""Checks of the paper's words and of its own arithmetic.

Two kinds of statement carry facts without being a plain count:

- **words** ("after a single procedure", "the most common", "mainly", "the only", "all"):
  a claim whose ``reported`` value is the phrase, with ``means``: the number the words
  state, optionally with a comparison (``"1"``, ``"100%"``, ``"> 50%"``). The functions
  here give the number the data hold for it;
- **internal arithmetic**: sums and shares of numbers the paper itself prints
  (:func:`sum_of_reported`, :func:`share_of_reported`), and every percentage printed
  beside a fraction, and every Table 2 response cell against its row's total
  (:func:`arithmetic`), checked GRIM-style: can that percentage come from that fraction?

Every function takes the review first, like the computations of :mod:`helpers.analysis.claims`.
"""

from __future__ import annotations

import dataclasses
import re

import pandas as pd

from helpers.analysis.computations import response_proportion
from helpers.analysis.selection import record_studies, select_modalities, studies_of
from helpers.analysis.table2 import (
    TOO_SMALL,
    Proportion,
    duration_summary,
    fixed_values,
    round_half_up,
    table2_groups,
)
from helpers.data import paper
from helpers.data.errors import NotComputable
from helpers.data.loader import Review
from helpers.data.printed import (
    DURATION_COLUMNS,
    NOT_APPLICABLE,
    NOT_REPORTED,
    RESPONSE_CATEGORIES,
    parse_duration,
)
from helpers.data.registers import parse_reported
from helpers.data.values import is_missing

__all__ = [
    "ARITHMETIC_SECTION",
    "CITATIONS_SECTION",
    "adverse_event_rank",
    "arithmetic",
    "citations",
    "cited_refs",
    "cited_with",
    "duration_rank",
    "event_kinds",
    "least_sessions_per_month",
    "mean_imputed_share",
    "median_of_reported",
    "median_share",
    "pain_outcome_patients",
    "pain_relief_share",
    "pain_reporting_gap",
    "response_after_sessions",
    "response_in",
    "share_of_reported",
    "sum_of_reported",
    "summarised_smaller_groups",
    "title_concentration",
    "unknown_by_lesion_reporting",
]

ARITHMETIC_SECTION = "Internal arithmetic"


def response_after_sessions(
    review: Review,
    categories: list[str],
    sessions: int,
    modality: str | None = None,
    family: str | None = None,
) -> Proportion:
    """Patients in ``categories`` treated with at most ``sessions`` sessions, of all patients
    of the selection.

    The words "complete remission after a single procedure (12/21)" count the responders
    whose study printed no more than one session; the total stays every patient of the
    selection. A study whose number of sessions is not printed does not count as one.

    Parameters
    ----------
    review : Review
    categories : list of str
        Keys of :data:`helpers.data.printed.RESPONSE_CATEGORIES` (``["complete"]``).
    sessions : int
        The most sessions a study may print (its ``total_sessions_high``) for its
        responders to count.
    modality, family : str, optional
        The selection: one modality or one family
        (:func:`helpers.analysis.selection.select_modalities`); None for no restriction.

    Returns
    -------
    Proportion
        ``events``: the selection's patients in ``categories`` whose study printed at most
        ``sessions`` sessions; ``total``: every patient of the selection.
    """
    members = select_modalities(review, modality, family)
    total = response_proportion(review, categories, modality, family).total
    few = (review.studies["total_sessions_high"] <= sessions).fillna(False).to_numpy(dtype=bool)
    within = dataclasses.replace(review, studies=review.studies[few])
    events = sum(
        response_proportion(within, categories, modality=m).events
        for m in members
        if (within.studies["modality"] == m).any()
    )
    return Proportion(events, total)


def adverse_event_rank(review: Review, events: list[str]) -> int:
    """The rank of the listed events (their patients together) among all adverse-event rows:
    1 is the most common.

    Rows whose number of patients is not reported (N/R) cannot outrank anything and are
    left out; ``NotComputable`` when the listed events have no number.

    Parameters
    ----------
    review : Review
    events : list of str
        ``event_id`` values of ``review.adverse_events`` (``["co2-scarring"]``).

    Returns
    -------
    int
        1 plus the number of other rows with more patients than the listed events together;
        rows with as many share the rank.

    Raises
    ------
    NotComputable
        When a listed event's number of patients is N/R.
    """
    ae = review.adverse_events
    counted = ae["patients"].dropna()
    missing = [e for e in events if e not in counted.index]
    if missing:
        raise NotComputable(
            f"adverse events {', '.join(missing)} have no number of patients ({NOT_REPORTED})"
        )
    studies_of(review, list(ae["modality"].unique()))  # every event row is ranked
    mine = int(counted.loc[events].sum())
    others = counted.drop(index=events)
    return 1 + int((others > mine).sum())


def event_kinds(review: Review, modality: str) -> int:
    """How many kinds of adverse event the data list for a modality (rows with at least one
    patient, or N/R).

    Parameters
    ----------
    review : Review
    modality : str
        A modality of the vocabulary (``"co2_laser"``).

    Returns
    -------
    int
        The modality's rows of ``review.adverse_events`` whose ``patients`` is above zero
        or not reported.
    """
    ae = review.adverse_events[review.adverse_events["modality"] == modality]
    studies_of(review, [modality])
    return int((ae["patients"].isna() | (ae["patients"] > 0)).sum())


def pain_relief_share(review: Review, families: list[str]) -> Proportion:
    """Patients pain-free or with reduced pain in ``families``, of all such patients (Table 1's
    pain columns).

    Parameters
    ----------
    review : Review
    families : list of str
        Families of modalities (``["sts"]``; the others are ``laser``, ``eswl`` and
        ``combined``).

    Returns
    -------
    Proportion
        ``events``: ``pain_free`` plus ``pain_reduction`` over the studies of ``families``;
        ``total``: the same over every study. A count not printed counts as 0.
    """
    o = review.outcomes.join(review.studies[["family"]])
    record_studies(o.index)
    relieved = o["pain_free"].fillna(0) + o["pain_reduction"].fillna(0)
    return Proportion(int(relieved[o["family"].isin(families)].sum()), int(relieved.sum()))


def _claim_values(review: Review, claim_id: str) -> list[float]:
    """The counts another claim prints: one for a count or number, both sides of a ratio (21:90)."""
    claim = next((c for c in review.claims if c.id == claim_id), None)
    if claim is None:
        raise NotComputable(f"no claim {claim_id!r} in the register")
    reported = parse_reported(claim.reported)
    if reported.kind not in ("count", "number", "ratio"):
        raise NotComputable(f"claim {claim_id!r} prints {claim.reported!r}, not a count")
    return list(reported.value)


def _claim_value(review: Review, claim_id: str) -> float:
    values = _claim_values(review, claim_id)
    if len(values) != 1:
        raise NotComputable(f"claim {claim_id!r} prints a ratio, not one count")
    return values[0]


def sum_of_reported(review: Review, claims: list[str]) -> float:
    """The sum of the numbers other claims print: parts the paper gives, against a total it
    prints (a ratio gives both its sides).

    Parameters
    ----------
    review : Review
        Its claims register holds the claims.
    claims : list of str
        Ids of claims that print a count, a number or a ratio.

    Returns
    -------
    float

    Raises
    ------
    NotComputable
        For an id the register does not hold, or a claim that prints no count (a
        percentage, a fraction, a range).
    """
    return sum(v for c in claims for v in _claim_values(review, c))


def median_of_reported(review: Review, claims: list[str]) -> float:
    """The median of the numbers other claims print (Eleryan's 6 and 7 monthly sessions,
    against Table 1's 6).

    Parameters
    ----------
    review : Review
        Its claims register holds the claims.
    claims : list of str
        Ids of claims that print a count, a number or a ratio (a ratio gives both its
        sides).

    Returns
    -------
    float
        The median of all the printed values (the mean of the two middle ones for an even
        number).

    Raises
    ------
    NotComputable
        As :func:`sum_of_reported`.
    """
    return float(pd.Series([v for c in claims for v in _claim_values(review, c)]).median())


def share_of_reported(review: Review, part: str, whole: str) -> Proportion:
    """One printed count of another: ``high in 11`` of ``40`` studies (both numbers from the
    paper).

    Parameters
    ----------
    review : Review
        Its claims register holds the claims.
    part, whole : str
        Ids of two claims that each print one count or number.

    Returns
    -------
    Proportion
        ``part``'s number of ``whole``'s, both as integers.

    Raises
    ------
    NotComputable
        For an id the register does not hold, or a claim that prints no count or a ratio.
    """
    return Proportion(int(_claim_value(review, part)), int(_claim_value(review, whole)))


# --------------------------------------------------------------------------- citations and Table 1


def _having(
    review: Review,
    categories: list[str] | None = None,
    events: list[str] | None = None,
    modalities: list[str] | None = None,
    sessions: int | None = None,
) -> set:
    """The included studies that report every property asked for.

    ``categories``: at least one patient (or lesion, for a study that reports per lesion)
    in one of these response categories; ``events``: the study's modality is one the listed
    adverse events are recorded for (Table 2's adverse-event cells); ``modalities``: the
    study's modality is one of these; ``sessions``: at most this many sessions printed.
    """
    studies = review.studies
    keep = pd.Series(True, index=studies.index)
    if modalities is not None:
        keep &= studies["modality"].isin(modalities)
    if events is not None:
        keep &= studies["modality"].isin(set(review.adverse_events.loc[events, "modality"]))
    if sessions is not None:
        keep &= (studies["total_sessions_high"] <= sessions).fillna(False).astype(bool)
    if categories is not None:
        o = review.outcomes.reindex(studies.index)
        columns = [RESPONSE_CATEGORIES[c][1] for c in categories]
        patients = o[columns].fillna(0).sum(axis=1)
        lesions = o[[f"lesions_{c}" for c in columns if f"lesions_{c}" in o]].fillna(0).sum(axis=1)
        keep &= (patients + lesions) > 0
    return set(studies.index[keep.to_numpy(dtype=bool)])


def cited_with(
    review: Review,
    refs: list[int],
    exact: bool = False,
    categories: list[str] | None = None,
    events: list[str] | None = None,
    modalities: list[str] | None = None,
    sessions: int | None = None,
) -> Proportion:
    """How many of the studies a citation lists report what they are cited for.

    ``exact=False``: the cited studies that have the properties (:func:`_having`), of all
    cited (a reference that is not an included study has none); ``exact=True``: of the
    cited and every included study that has them, so that 100% means the citation lists
    exactly those studies. A reference cited twice counts once. A property left None is not
    asked for; with none asked, every included study has them.

    Parameters
    ----------
    review : Review
    refs : list of int
        The references the citation lists (:func:`cited_refs`).
    exact : bool
        Also count, in the total, the included studies that have the properties and are
        not cited.
    categories : list of str, optional
        Keys of :data:`helpers.data.printed.RESPONSE_CATEGORIES`: the study has at least
        one patient (or lesion) in one of them.
    events : list of str, optional
        ``event_id`` values of ``review.adverse_events``: the study's modality is one they
        are recorded for.
    modalities : list of str, optional
        The study's modality is one of these.
    sessions : int, optional
        The study prints at most this many sessions (``total_sessions_high``).

    Returns
    -------
    Proportion
        ``events``: the cited studies that have the properties; ``total``: the cited
        references (``exact=False``) or the cited and the included studies that have the
        properties (``exact=True``).
    """
    cited = set(refs)
    having = _having(review, categories, events, modalities, sessions)
    record_studies((cited | having) & set(review.studies.index))
    return Proportion(len(cited & having), len(cited | having) if exact else len(cited))


def unknown_by_lesion_reporting(review: Review, modality: str | None = None) -> int:
    """Patients counted as unknown response because their study reports per lesion (Table 2
    footnote d).

    Parameters
    ----------
    review : Review
    modality : str, optional
        One modality; None for every modality.

    Returns
    -------
    int
        The ``n_cases`` of the selected studies whose ``response_unit`` is ``"lesions"``.
    """
    members = select_modalities(review, modality)
    studies = studies_of(review, members)
    lesion = review.outcomes.reindex(studies.index)["response_unit"] == "lesions"
    return int(studies.loc[lesion.to_numpy(dtype=bool), "n_cases"].sum())


def duration_rank(review: Review, modality: str, measure: str) -> int:
    """The rank of a Table 2 row's pooled median duration among the rows that have one (1: the
    longest).

    Parameters
    ----------
    review : Review
    modality : str
        A Table 2 row: a modality not merged into another row.
    measure : str
        A duration measure of ``review.durations`` (``"treatment_duration"``,
        ``"time_to_first_improvement"``).

    Returns
    -------
    int
        1 plus the number of rows with a longer pooled median
        (:func:`helpers.analysis.table2.duration_summary`); rows with the same median share
        the rank.

    Raises
    ------
    NotComputable
        When ``modality`` is pooled in another row, or its row has no pooled median.
    """
    groups = table2_groups(review)
    if modality not in groups:
        raise NotComputable(f"{modality} is pooled in another Table 2 row")
    medians = {
        row: duration_summary(review, measure, members).median for row, members in groups.items()
    }
    medians = {row: m for row, m in medians.items() if not is_missing(m)}
    if modality not in medians:
        raise NotComputable(f"the data give no median {measure.replace('_', ' ')} for {modality}")
    return 1 + sum(m > medians[modality] for m in medians.values())


def _pain(review: Review) -> pd.DataFrame:
    o = review.outcomes.join(review.studies[["family", "modality"]])
    return o.assign(
        relieved=o["pain_free"].fillna(0) + o["pain_reduction"].fillna(0),
        printed=o[["pain_free", "pain_reduction", "pain_assessed"]].notna().any(axis=1),
    )


def pain_reporting_gap(review: Review, families: list[str], others: list[str]) -> float:
    """Percentage points by which the studies of ``families`` print a pain outcome more often
    than those of ``others``.

    Below zero, the first are the less well reported. A study prints a pain outcome when
    Table 1's outcome cell names pain freedom or pain reduction.

    Parameters
    ----------
    review : Review
    families, others : list of str
        The families of modalities of the two groups (``["sts"]``, ``["eswl", "laser"]``).

    Returns
    -------
    float
        100 times the share of the first group's studies that print ``pain_free``,
        ``pain_reduction`` or ``pain_assessed``, less the same share of the second's.

    Raises
    ------
    NotComputable
        When one of the groups has no study.
    """
    p = _pain(review)
    first, second = p[p["family"].isin(families)], p[p["family"].isin(others)]
    record_studies(first.index.union(second.index))
    if first.empty or second.empty:
        raise NotComputable("no study in one of the groups")
    return 100 * (first["printed"].mean() - second["printed"].mean())


def pain_outcome_patients(review: Review, modality: str) -> int:
    """Patients Table 1 prints as pain-free or with reduced pain, for one modality.

    Parameters
    ----------
    review : Review
    modality : str
        A modality of the vocabulary (``"topical_sts"``).

    Returns
    -------
    int
        ``pain_free`` plus ``pain_reduction`` over the modality's studies (a count not
        printed counts as 0).
    """
    p = _pain(review)
    record_studies(p.index[p["modality"] == modality])
    return int(p.loc[p["modality"] == modality, "relieved"].sum())


_TITLE_STRENGTH = re.compile(r"(\d+(?:\.\d+)?)\s?%")


def title_concentration(review: Review, ref: int) -> float:
    """The STS concentration a study's reference title names, in mg/ml (10% is 100 mg/ml).

    Parameters
    ----------
    review : Review
    ref : int
        A reference of ``review.references``.

    Returns
    -------
    float
        10 times the one percentage the title prints.

    Raises
    ------
    NotComputable
        When the title names no percentage, or more than one.
    """
    record_studies({ref} & set(review.studies.index))
    title = str(review.references.loc[ref, "title"])
    found = _TITLE_STRENGTH.findall(title)
    if len(found) != 1:
        raise NotComputable(
            f"the title of reference {ref} names {len(found) or 'no'} concentration(s)"
        )
    return 10 * float(found[0])


def least_sessions_per_month(review: Review, ref: int) -> float:
    """The least intensive end of a study's printed treatment frequency, in sessions per month.

    Parameters
    ----------
    review : Review
    ref : int
        An included study.

    Returns
    -------
    float
        Its ``sessions_per_month_low``.

    Raises
    ------
    NotComputable
        When Table 1 prints no recurring frequency for it (the value is missing).
    """
    record_studies([ref])
    value = review.studies.loc[ref, "sessions_per_month_low"]
    if is_missing(value):
        raise NotComputable(f"Table 1 prints no recurring frequency for reference {ref}")
    return float(value)


def median_share(review: Review) -> Proportion:
    """Of the pooled continuous summaries the paper prints (Table 2's durations and the
    text's), the medians.

    Table 2's duration cells that print a number are medians; a claim of the register that
    recomputes a pooled duration says which statistic the paper printed (``statistic``).

    Parameters
    ----------
    review : Review

    Returns
    -------
    Proportion
        ``events``: Table 2's duration cells that start with a digit plus the
        ``pooled_duration`` claims whose ``statistic`` is ``"median"``; ``total``: the same
        cells plus the ``pooled_duration`` claims whose ``statistic`` is ``"median"`` or
        ``"mean"``.
    """
    cells = [
        printed_cell
        for column in DURATION_COLUMNS
        for printed_cell in review.paper_table2[column]
        if isinstance(printed_cell, str) and re.match(r"\d", printed_cell)
    ]
    text = [
        c.args["statistic"]
        for c in review.claims
        if c.computation == "pooled_duration" and c.args.get("statistic") in ("median", "mean")
    ]
    return Proportion(len(cells) + text.count("median"), len(cells) + len(text))


def response_in(review: Review, refs: list[int], categories: list[str]) -> Proportion:
    """Patients of the studies ``refs`` in the given response categories, of all their patients.

    A study that reports per lesion counts its patients as unknown (Table 2 footnote d).

    Parameters
    ----------
    review : Review
    refs : list of int
        The studies; a reference that is not an included study is left out.
    categories : list of str
        Keys of :data:`helpers.data.printed.RESPONSE_CATEGORIES`.

    Returns
    -------
    Proportion
        ``events``: the studies' patients in ``categories``; ``total``: their ``n_cases``.
    """
    studies = review.studies.loc[[r for r in refs if r in review.studies.index]]
    record_studies(studies.index)
    events = 0
    for ref, study in studies.iterrows():
        o = review.outcomes.loc[ref]
        if o["response_unit"] == "lesions":
            events += int(study["n_cases"]) if "unknown" in categories else 0
            continue
        events += sum(int(o[RESPONSE_CATEGORIES[c][1]]) for c in categories)
    return Proportion(events, int(studies["n_cases"].sum()))


def summarised_smaller_groups(review: Review) -> int:
    """Table 2's duration cells with a printed median in a row of fewer patients than one
    marked "too small".

    Footnote c ("A group of patients was too small") explains an N/A; a row printed with a
    median while a larger row is too small contradicts it. A row's patients are those its
    pooled columns cover (the laser rows merged into CO₂ count there). Both sides are the
    paper's own: Table 2's *n* and its cells.

    Parameters
    ----------
    review : Review

    Returns
    -------
    int
        The duration cells printing a value (neither N/A nor N/R, nor too small) whose row
        has fewer patients than the largest row with a cell marked too small.

    Raises
    ------
    NotComputable
        When Table 2 marks no duration cell as too small.
    """
    table = review.paper_table2
    merged = table["merged_into"].where(table["merged_into"].notna(), table.index.to_series())
    patients = table["n"].groupby(merged).sum()
    small, summarised = [], []
    for row in patients.index:
        for column in DURATION_COLUMNS:
            cell = str(table.loc[row, column])
            if TOO_SMALL in cell:
                small.append(patients[row])
            elif parse_duration(cell)[0] not in (NOT_APPLICABLE, NOT_REPORTED):
                summarised.append(patients[row])
    if not small:
        raise NotComputable("Table 2 marks no duration cell as too small (footnote c)")
    return int(sum(n < max(small) for n in summarised))


def mean_imputed_share(review: Review, measure: str) -> Proportion:
    """Of the patients whose duration the printed numbers do not fix exactly, those Table 2's
    footnote a imputes.

    Footnote a imputes a mean where a study prints one; a patient of a study that prints a
    median has no exact value and, by footnote a's available-case analysis, is left out.
    Exactly fixed values are those :func:`helpers.analysis.table2.fixed_values` recovers.

    Parameters
    ----------
    review : Review
    measure : str
        A duration measure of ``review.durations`` (``"treatment_duration"``).

    Returns
    -------
    Proportion
        Over the studies that report the measure: ``events``, the patients left unfixed in
        the studies that print a mean; ``total``, every patient left unfixed.
    """
    d = review.durations[
        (review.durations["measure"] == measure) & (review.durations["status"] == "reported")
    ]
    record_studies(d.index)
    imputed = missing = 0
    for ref, row in d.iterrows():
        _, left = fixed_values(
            row["statistic"],
            *(float(row[c]) for c in ("value", "low", "high")),
            int(review.studies.loc[ref, "n_cases"]),
        )
        missing += left
        imputed += left if row["statistic"] == "mean" else 0
    return Proportion(imputed, missing)


# --------------------------------------------------------------------------- generated arithmetic

#: A percentage with the fraction printed beside it: "81% (39/48)", "(57%; 12/21)", "9% (5/53)".
_PERCENT_FRACTION = re.compile(r"(\d+(?:\.\d+)?)%(?:\)|;)? ?\(?(\d+)/(\d+)\)?")
_TABLE2_PART = re.compile(r"(Complete|Partial|None|Unknown), (\d+(?:\.\d+)?), (\d+)/(\d+)")


def _percent_row(claim_id, section, quote, percent, events, total, source) -> dict:
    reported = parse_reported(f"{percent}%")
    exact = 100 * events / total if total else float("nan")
    holds = (
        total > 0
        and events <= total
        and round_half_up(exact, reported.decimals) == reported.value[0]
    )
    possible = holds or (
        total > 0
        and any(
            round_half_up(100 * k / total, reported.decimals) == reported.value[0]
            for k in range(total + 1)
        )
    )
    note = (
        ""
        if holds
        else (
            f"{source}: {events}/{total} is {exact:.1f}%, which rounds to "
            f"{round_half_up(exact, reported.decimals):g}%, not {percent}%"
            + ("" if possible else f"; no count of {total} gives {percent}%")
            + "."
        )
    )
    return {
        "claim_id": claim_id,
        "section": section,
        "quote": quote,
        "reported": f"{percent}%",
        "recomputed": f"{exact:.1f}% ({events}/{total})" if total else "",
        "status": "reproduced" if holds else "discrepancy",
        "note": note,
    }


def arithmetic(review: Review) -> pd.DataFrame:
    """Every percentage the paper prints beside a fraction, and every Table 2 response row's
    parts against its total.

    Generated from the text (:mod:`helpers.data.paper`) and the printed Table 2, not listed:
    a percentage added to the text is checked without a new entry. Both numbers come from
    the paper, so a discrepancy here is the paper disagreeing with itself, whatever the data
    hold.

    Long: it builds every row of one audit section, the text's percentages and then
    Table 2's cells and parts, with one scheme of ids and quotes; split, that scheme would
    be spread over several functions.

    Parameters
    ----------
    review : Review
        Only its printed Table 2 (``review.paper_table2``) is read; the text comes from
        :func:`helpers.data.paper.passages`.

    Returns
    -------
    DataFrame
        Audit rows (``claim_id, section, quote, reported, recomputed, status, note``) with
        section :data:`ARITHMETIC_SECTION`: ``percent-check-<passage>-<k>`` for the
        text's k-th percentage of a passage, ``percent-check-table2-<modality>-<category>``
        for a response cell's percentage, ``parts-check-table2-<modality>`` for a row's
        categories summed against their common denominator.
    """
    rows = []
    for passage in paper.passages():
        for k, m in enumerate(_PERCENT_FRACTION.finditer(passage.text), start=1):
            quote = passage.text[max(0, m.start() - 60) : m.end() + 1].split(" ", 1)[-1]
            rows.append(
                _percent_row(
                    f"percent-check-{passage.name.lower().replace(' ', '-').replace('.', '')}-{k}",
                    ARITHMETIC_SECTION,
                    f"{passage.name}: ...{quote}",
                    m.group(1),
                    int(m.group(2)),
                    int(m.group(3)),
                    f"{passage.name}",
                )
            )
    for modality, row in review.paper_table2.iterrows():
        cell = str(row["response_rates"])
        parts = _TABLE2_PART.findall(cell)
        for label, percent, events, total in parts:
            rows.append(
                _percent_row(
                    f"percent-check-table2-{modality}-{label.lower()}",
                    ARITHMETIC_SECTION,
                    f"Table 2, {row['row_label']}, response rates: {label}, {percent}, "
                    f"{events}/{total}",
                    percent,
                    int(events),
                    int(total),
                    f"Table 2 ({row['row_label']})",
                )
            )
        if parts:
            totals = {int(t) for *_, t in parts}
            n = int(row["n"]) if not is_missing(row["n"]) else None
            summed = sum(int(e) for _, _, e, _ in parts)
            (total,) = totals if len(totals) == 1 else (None,)
            holds = total is not None and summed == total
            rows.append(
                {
                    "claim_id": f"parts-check-table2-{modality}",
                    "section": ARITHMETIC_SECTION,
                    "quote": f"Table 2, {row['row_label']}, response rates: {cell}",
                    "reported": str(
                        total if total is not None else "/".join(map(str, sorted(totals)))
                    ),
                    "recomputed": f"{summed} (the categories' patients)",
                    "status": "reproduced" if holds else "discrepancy",
                    "note": ""
                    if holds
                    else (
                        f"Table 2 ({row['row_label']}): the response categories count {summed} "
                        f"patients, the denominators {', '.join(map(str, sorted(totals)))}"
                        + (f"; the row's n is {n}" if n is not None else "")
                        + "."
                    ),
                }
            )
    return pd.DataFrame(
        rows, columns=["claim_id", "section", "quote", "reported", "recomputed", "status", "note"]
    )


CITATIONS_SECTION = "Citations"
_BRACKET = re.compile(r"\[([\d,\s–-]+)\]")


def cited_refs(bracket: str) -> list[int]:
    """The references a citation bracket lists, ranges spelt out: ``"13, 49–51"`` is 13, 49,
    50, 51.

    Parameters
    ----------
    bracket : str
        The inside of a citation bracket: numbers separated by commas, a range's ends by an
        en dash or a hyphen.

    Returns
    -------
    list of int
        In the bracket's order, repeats kept; a range written backwards keeps its two ends.

    Examples
    --------
    >>> cited_refs("13, 23, 35, 35, 49–51")
    [13, 23, 35, 35, 49, 50, 51]
    """
    refs = []
    for part in bracket.split(","):
        ends = [int(x) for x in re.split(r"[–-]", part.strip()) if x]
        refs += (
            list(range(ends[0], ends[-1] + 1)) if len(ends) == 2 and ends[0] <= ends[1] else ends
        )
    return refs


def citations(review: Review) -> pd.DataFrame:
    """Every citation bracket of the paper's text that lists a reference twice, or one the
    list does not hold.

    Generated from the text (:mod:`helpers.data.paper`), not listed: a bracket added to the
    text is checked without a new entry. Only brackets with a problem become audit rows
    (section :data:`CITATIONS_SECTION`, status ``discrepancy``); a citation is not a number
    the audit could reproduce.

    Parameters
    ----------
    review : Review
        Its reference list (``review.references``) says which references exist.

    Returns
    -------
    DataFrame
        Audit rows (``claim_id, section, quote, reported, recomputed, status, note``):
        ``citation-check-<passage>-<k>`` for a passage's k-th bracket, the sentence up to
        the bracket as the quote, the bracket as printed, the number of distinct listed
        references the list holds, and the problem in the note.
    """
    known = set(review.references.index)
    rows = []
    for passage in paper.passages():
        for k, m in enumerate(_BRACKET.finditer(passage.text), start=1):
            refs = cited_refs(m.group(1))
            twice = sorted({r for r in refs if refs.count(r) > 1})
            unknown = sorted(set(refs) - known)
            if not (twice or unknown):
                continue
            problems = ([f"lists {', '.join(map(str, twice))} twice"] if twice else []) + (
                [f"cites {', '.join(map(str, unknown))}, which the reference list does not hold"]
                if unknown
                else []
            )
            start = passage.text.rfind(". ", 0, m.start()) + 2
            rows.append(
                {
                    "claim_id": "citation-check-"
                    f"{passage.name.lower().replace(' ', '-').replace('.', '')}-{k}",
                    "section": CITATIONS_SECTION,
                    "quote": f"{passage.name}: {passage.text[start : m.end()]}",
                    "reported": m.group(0),
                    "recomputed": f"{len(set(refs) & known)} distinct references",
                    "status": "discrepancy",
                    "note": f"The citation {m.group(0)} ({passage.name}) {' and '.join(problems)}.",
                }
            )
    return pd.DataFrame(
        rows, columns=["claim_id", "section", "quote", "reported", "recomputed", "status", "note"]
    )
