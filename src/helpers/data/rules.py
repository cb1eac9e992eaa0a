"""Cross-table rules, and the paper's inconsistencies the data make visible.

The data dictionary (``data/datapackage.yaml``) checks each table on its own: types,
allowed values, keys, references between tables. The rules here need several tables
or several columns at once. Each rule is a function that returns
:class:`~helpers.data.errors.Problem` objects; :data:`RULES` lists them by name, and
:func:`check_rules` runs them all.

:func:`findings` is different: it lists places where the paper disagrees with itself
(a median outside its own range, an author spelled two ways). Those are facts about
the paper, not errors in the data, so they are reported and never block loading.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

import pandas as pd

from helpers.data import paper, printed
from helpers.data.editions import editions_in_order, editions_well_formed, years_within_editions
from helpers.data.errors import Problem
from helpers.data.units import parse_frequency
from helpers.data.values import is_missing

__all__ = [
    "LESION_RESPONSE",
    "MEASURES",
    "PRISMA_ARITHMETIC",
    "RESPONSE",
    "RULES",
    "Tables",
    "adverse_event_attributions",
    "check_rules",
    "checklist_for_every_design",
    "diameter_well_formed",
    "disease_counts_add_up",
    "durations_well_formed",
    "every_study_described",
    "findings",
    "frequency_readable",
    "none_stands_alone",
    "outcome_counts_add_up",
    "pain_counts_within_cases",
    "prisma_flow",
    "prisma_sums",
    "table2_printed_cells",
    "title_terms_known",
]

Tables = dict[str, pd.DataFrame]

RESPONSE = list(printed.RESPONSE_COLUMNS)
LESION_RESPONSE = list(printed.LESION_RESPONSE_COLUMNS)
MEASURES = ("treatment_duration", "time_to_first_improvement", "follow_up")


def _file(resources: dict, name: str) -> str:
    return resources[name]["path"]


def outcome_counts_add_up(t: Tables, res: dict) -> list[Problem]:
    """Patient response counts add up to the study's cases; lesion counts to its lesions.

    The four response categories partition a study's patients (a patient whose outcome is
    not known is ``unknown_response``), so they add up to ``n_cases`` exactly; a note does
    not excuse a difference. A study that reports per lesion (``response_unit = lesions``)
    needs its lesion counts and a note; its patient counts stay empty.

    Long: one pass over the outcomes rows, each row checked by the one branch its
    ``response_unit`` selects; split, each branch would repeat the loop and the look-up of
    the study's cases.

    Parameters
    ----------
    t : Tables
        The typed tables by resource name, not indexed, each with its ``csv_row``.
    res : dict
        The data dictionary's resources by name (for the tables' file names).

    Returns
    -------
    list of Problem
        At most one per row for a missing count (which stops that row's checks), else one
        per sum that differs and per count or note that is missing or must be empty.
    """
    problems = []
    cases = t["studies"].set_index("ref")["n_cases"]
    f = _file(res, "outcomes")
    for row in t["outcomes"].itertuples():
        n = cases.get(row.ref)
        if n is None or is_missing(n):
            continue
        if row.response_unit == "patients":
            missing = [c for c in RESPONSE if is_missing(getattr(row, c))]
            if missing:
                problems.append(
                    Problem(
                        f,
                        "outcome counts add up",
                        "response count missing for a study reported per patient "
                        "(fill in 0 where none)",
                        row.csv_row,
                        row.ref,
                        missing[0],
                    )
                )
                continue
            total = sum(int(getattr(row, c)) for c in RESPONSE)
            if total != n:
                parts = " + ".join(f"{c} {int(getattr(row, c))}" for c in RESPONSE)
                problems.append(
                    Problem(
                        f,
                        "outcome counts add up",
                        f"{parts} = {total}, but the study has {n} cases "
                        "(studies.csv n_cases); "
                        f"count a patient whose outcome is not known as {RESPONSE[-1]}",
                        row.csv_row,
                        row.ref,
                        RESPONSE[0],
                    )
                )
        else:
            missing = [c for c in ["lesions", *LESION_RESPONSE] if is_missing(getattr(row, c))]
            if missing:
                problems.append(
                    Problem(
                        f,
                        "outcome counts add up",
                        "a study reported per lesion needs its lesion counts",
                        row.csv_row,
                        row.ref,
                        missing[0],
                    )
                )
                continue
            total = sum(int(getattr(row, c)) for c in LESION_RESPONSE)
            if total != row.lesions:
                problems.append(
                    Problem(
                        f,
                        "outcome counts add up",
                        f"lesion counts add up to {total}, not to lesions = {row.lesions}",
                        row.csv_row,
                        row.ref,
                        "lesions",
                    )
                )
            given = [c for c in RESPONSE if not is_missing(getattr(row, c))]
            if (
                given
            ):  # the reports count such a study's patients as unknown; counts here would be ignored
                problems.append(
                    Problem(
                        f,
                        "outcome counts add up",
                        "a study reported per lesion has no patient response "
                        "counts (Table 2 counts its patients as unknown); leave them empty",
                        row.csv_row,
                        row.ref,
                        given[0],
                    )
                )
            if is_missing(row.note):
                problems.append(
                    Problem(
                        f,
                        "outcome counts add up",
                        "patient counts are not given (lesion-level reporting); "
                        "the note must say so",
                        row.csv_row,
                        row.ref,
                        "note",
                    )
                )
    return problems


def pain_counts_within_cases(t: Tables, res: dict) -> list[Problem]:
    """Pain and mobility counts are at most the cases, and pain counts at most the patients
    assessed.

    Also: an outcome listed in ``uncounted_outcomes`` has no count, and response counts taken
    from Table 2 (``response_source``) have a note.

    Long: one pass over the outcomes rows that makes every check of a row's counts; split,
    each check would repeat the loop and the look-up of the study's cases.

    Parameters
    ----------
    t : Tables
        The typed tables by resource name, not indexed, each with its ``csv_row``.
    res : dict
        The data dictionary's resources by name (for the tables' file names).

    Returns
    -------
    list of Problem
        One per count over the cases, per row whose pain counts exceed ``pain_assessed``, per
        uncounted outcome with a count and per Table 2 response without a note.
    """
    problems = []
    cases = t["studies"].set_index("ref")["n_cases"]
    f = _file(res, "outcomes")
    for row in t["outcomes"].itertuples():
        n = cases.get(row.ref)
        if n is None or is_missing(n):
            continue
        for col in ("pain_free", "pain_reduction", "regained_mobility", "pain_assessed"):
            v = getattr(row, col)
            if not is_missing(v) and v > n:
                problems.append(
                    Problem(
                        f,
                        "counts within cases",
                        f"{col} = {v} exceeds the study's {n} cases",
                        row.csv_row,
                        row.ref,
                        col,
                    )
                )
        if not is_missing(row.pain_assessed):
            pain = sum(
                0 if is_missing(getattr(row, c)) else int(getattr(row, c))
                for c in ("pain_free", "pain_reduction")
            )
            if pain > row.pain_assessed:
                problems.append(
                    Problem(
                        f,
                        "counts within cases",
                        f"pain_free + pain_reduction = {pain} "
                        f"exceeds pain_assessed = {row.pain_assessed}",
                        row.csv_row,
                        row.ref,
                        "pain_assessed",
                    )
                )
        for col in _split(row.uncounted_outcomes):
            if not is_missing(getattr(row, col)):
                problems.append(
                    Problem(
                        f,
                        "uncounted outcomes stay empty",
                        f"{col} is listed as printed without a count, so its count must be empty",
                        row.csv_row,
                        row.ref,
                        col,
                    )
                )
        if row.response_source == "table2" and is_missing(row.note):
            problems.append(
                Problem(
                    f,
                    "response source explained",
                    "response counts taken from Table 2 need a note saying how",
                    row.csv_row,
                    row.ref,
                    "note",
                )
            )
    return problems


def _split(value) -> list[str]:
    return [] if is_missing(value) else [v.strip() for v in str(value).split(";")]


def disease_counts_add_up(t: Tables, res: dict) -> list[Problem]:
    """Disease counts of a study add up to its cases, where every count is known; a count
    printed in Table 1 (``count_printed``) is given.

    Parameters
    ----------
    t : Tables
        The typed tables by resource name, not indexed, each with its ``csv_row``.
    res : dict
        The data dictionary's resources by name (for the tables' file names).

    Returns
    -------
    list of Problem
        One per diseases row with ``count_printed`` and no count, and one per study whose
        known counts do not add up to ``n_cases`` (at the study's first diseases row).
    """
    problems = [
        Problem(
            _file(res, "diseases"),
            "disease counts add up",
            "count_printed is true but the count is empty",
            r.csv_row,
            r.ref,
            "n_patients",
        )
        for r in t["diseases"].itertuples()
        if r.count_printed and is_missing(r.n_patients)
    ]
    cases = t["studies"].set_index("ref")["n_cases"]
    d = t["diseases"]
    f = _file(res, "diseases")
    for ref, group in d.groupby("ref", sort=False):
        n = cases.get(ref)
        if n is None or is_missing(n) or group["n_patients"].isna().any():
            continue
        total = int(group["n_patients"].sum())
        if total != n:
            listed = ", ".join(f"{r.disease}×{r.n_patients}" for r in group.itertuples())
            problems.append(
                Problem(
                    f,
                    "disease counts add up",
                    f"{listed} = {total} patients, but the study has {n} cases",
                    int(group["csv_row"].iloc[0]),
                    int(ref),
                    "n_patients",
                )
            )
    return problems


def every_study_described(t: Tables, res: dict) -> list[Problem]:
    """Every study has one outcomes row, one row per duration measure, and at least one
    disease.

    Parameters
    ----------
    t : Tables
        The typed tables by resource name, not indexed, each with its ``csv_row``.
    res : dict
        The data dictionary's resources by name (for the tables' file names).

    Returns
    -------
    list of Problem
        For each study, one per table (outcomes, diseases, durations) that lacks its rows;
        no row numbers, as the rows are absent.
    """
    problems = []
    studies = t["studies"]
    have_outcome = set(t["outcomes"]["ref"])
    have_disease = set(t["diseases"]["ref"])
    measures = t["durations"].groupby("ref")["measure"].apply(set).to_dict()
    for row in studies.itertuples():
        if row.ref not in have_outcome:
            problems.append(
                Problem(
                    _file(res, "outcomes"),
                    "every study described",
                    f"no outcomes row for study {row.ref} "
                    f"({row.first_author}, studies.csv row {row.csv_row})",
                    ref=row.ref,
                    column="ref",
                )
            )
        if row.ref not in have_disease:
            problems.append(
                Problem(
                    _file(res, "diseases"),
                    "every study described",
                    f"no underlying-disease row for study {row.ref} ({row.first_author}); "
                    "add one (use the disease as printed)",
                    ref=row.ref,
                    column="ref",
                )
            )
        missing = [m for m in MEASURES if m not in measures.get(row.ref, set())]
        if missing:
            problems.append(
                Problem(
                    _file(res, "durations"),
                    "every study described",
                    f"no {', '.join(missing)} row(s) for study {row.ref} ({row.first_author}); "
                    "add them with status not_reported if the paper gives none",
                    ref=row.ref,
                    column="measure",
                )
            )
    return problems


def durations_well_formed(t: Tables, res: dict) -> list[Problem]:
    """A reported duration has a statistic, a unit and the values its statistic needs; others
    are empty.

    A row whose ``status`` is not ``reported`` has every value column empty; a range has
    both ends, low not above high, and no single value or qualifier.

    Parameters
    ----------
    t : Tables
        The typed tables by resource name, not indexed, each with its ``csv_row``.
    res : dict
        The data dictionary's resources by name (for the tables' file names).

    Returns
    -------
    list of Problem
        One per column of a row that breaks the rule (a row can have several).
    """
    problems = []
    f = _file(res, "durations")
    for row in t["durations"].itertuples():

        def bad(col, msg):
            problems.append(Problem(f, "durations well formed", msg, row.csv_row, row.ref, col))

        if row.status != "reported":
            for col in ("statistic", "qualifier", "value", "low", "high", "unit"):
                if not is_missing(getattr(row, col)):
                    bad(col, f"must be empty when status is {row.status}")
            continue
        if is_missing(row.statistic):
            bad(
                "statistic",
                "a reported duration needs its statistic (value, median, mean or range)",
            )
        if is_missing(row.unit):
            bad("unit", "a reported duration needs its unit (weeks, months or years)")
        if row.statistic == "range":
            if is_missing(row.low) or is_missing(row.high):
                bad("low", "statistic 'range' needs both low and high")
            if not is_missing(row.value):
                bad("value", "statistic 'range' has no single value; leave value empty")
            if not is_missing(row.qualifier):
                bad(
                    "qualifier",
                    "a qualifier (< or >) qualifies a single value, not a range; leave it empty",
                )
        elif is_missing(row.value):
            bad("value", f"statistic '{row.statistic}' needs a value")
        if is_missing(row.low) != is_missing(row.high):
            bad("high" if is_missing(row.high) else "low", "a range needs both low and high")
        elif not is_missing(row.low) and row.low > row.high:
            bad("low", f"range low {row.low} is above high {row.high}")
    return problems


def diameter_well_formed(t: Tables, res: dict) -> list[Problem]:
    """A diameter qualifier needs a diameter.

    Parameters
    ----------
    t : Tables
        The typed tables by resource name, not indexed, each with its ``csv_row``.
    res : dict
        The data dictionary's resources by name (for the tables' file names).

    Returns
    -------
    list of Problem
        One per study with ``largest_diameter_qualifier`` and no ``largest_diameter_cm``.
    """
    return [
        Problem(
            _file(res, "studies"),
            "diameter well formed",
            "qualifier given without a diameter",
            r.csv_row,
            r.ref,
            "largest_diameter_qualifier",
        )
        for r in t["studies"].itertuples()
        if not is_missing(r.largest_diameter_qualifier) and is_missing(r.largest_diameter_cm)
    ]


def frequency_readable(t: Tables, res: dict) -> list[Problem]:
    """Every printed frequency can be normalised by :func:`helpers.data.units.parse_frequency`.

    Parameters
    ----------
    t : Tables
        The typed tables by resource name, not indexed, each with its ``csv_row``.
    res : dict
        The data dictionary's resources by name (for the tables' file names).

    Returns
    -------
    list of Problem
        One per study whose ``frequency`` cannot be read, with the parser's message.
    """
    problems = []
    for r in t["studies"].itertuples():
        try:
            parse_frequency(None if is_missing(r.frequency) else r.frequency)
        except (ValueError, ArithmeticError) as exc:
            problems.append(
                Problem(
                    _file(res, "studies"),
                    "frequency readable",
                    str(exc),
                    r.csv_row,
                    r.ref,
                    "frequency",
                )
            )
    return problems


def adverse_event_attributions(t: Tables, res: dict) -> list[Problem]:
    """Studies named for an adverse event exist and belong to the event's modality.

    Parameters
    ----------
    t : Tables
        The typed tables by resource name, not indexed, each with its ``csv_row``.
    res : dict
        The data dictionary's resources by name (for the tables' file names).

    Returns
    -------
    list of Problem
        One per study named in an event's ``refs`` that is not in ``studies.csv`` or is
        listed under another modality.
    """
    problems = []
    modality = t["studies"].set_index("ref")["modality"]
    for r in t["adverse_events"].itertuples():
        for ref in _split(r.refs):
            ref = int(ref)
            if ref not in modality.index:
                problems.append(
                    Problem(
                        _file(res, "adverse_events"),
                        "attributed study exists",
                        f"study {ref} is not in studies.csv",
                        r.csv_row,
                        None,
                        "refs",
                    )
                )
            elif modality[ref] != r.modality:
                problems.append(
                    Problem(
                        _file(res, "adverse_events"),
                        "attributed study matches modality",
                        f"study {ref} is {modality[ref]}, not {r.modality}",
                        r.csv_row,
                        None,
                        "refs",
                    )
                )
    return problems


def none_stands_alone(t: Tables, res: dict) -> list[Problem]:
    """A modality that lists the adverse event ``None`` (no adverse event reported) lists no
    other.

    Parameters
    ----------
    t : Tables
        The typed tables by resource name, not indexed, each with its ``csv_row``.
    res : dict
        The data dictionary's resources by name (for the tables' file names).

    Returns
    -------
    list of Problem
        One per modality that lists ``None`` and other events, at its ``None`` row.
    """
    problems = []
    ae = t["adverse_events"]
    for modality, group in ae.groupby("modality", sort=False):
        nones = group[group["event"] == "None"]
        if len(nones) and len(group) > len(nones):
            others = ", ".join(map(str, group.loc[group["event"] != "None", "event"]))
            problems.append(
                Problem(
                    _file(res, "adverse_events"),
                    "None stands alone",
                    f"{modality} lists 'None' (no adverse event) and also {others}",
                    int(nones["csv_row"].iloc[0]),
                    column="event",
                )
            )
    return problems


def checklist_for_every_design(t: Tables, res: dict) -> list[Problem]:
    """Every study design has a JBI checklist with questions (notebook 02 rates by it).

    Parameters
    ----------
    t : Tables
        The typed tables by resource name, not indexed, each with its ``csv_row``.
    res : dict
        The data dictionary's resources by name (for the tables' file names).

    Returns
    -------
    list of Problem
        One per design of ``studies.csv`` with no questions in ``jbi_questions``.
    """
    have = set(t["jbi_questions"]["checklist"])
    problems = []
    for design, group in t["studies"].groupby("design", sort=False):
        if design not in have:
            problems.append(
                Problem(
                    _file(res, "jbi_questions"),
                    "a checklist for every design",
                    f"no questions of the {design} checklist, "
                    f"but {len(group)} studies are {design}s "
                    f"(studies.csv row {int(group['csv_row'].iloc[0])})",
                    column="checklist",
                )
            )
    return problems


#: result = first term - the other terms (PRISMA 2020's flow), applied where all are known;
#: ``reports_excluded`` is the sum of its reasons.
PRISMA_ARITHMETIC = (
    (
        "records_screened",
        ["records_databases", "records_registers", "records_removed"],
        "records identified minus those removed before screening",
    ),
    (
        "reports_sought",
        ["records_screened", "records_excluded"],
        "records screened minus those excluded",
    ),
    (
        "reports_assessed",
        ["reports_sought", "reports_not_retrieved"],
        "reports sought minus those not retrieved",
    ),
    (
        "reports_excluded",
        ["excluded_duplicate_patients", "excluded_insufficient_data"],
        "the sum of the exclusion reasons",
    ),
)


def prisma_sums(counts: dict[str, int | None]) -> tuple[list[str], list[tuple[str, str]]]:
    """Apply :data:`PRISMA_ARITHMETIC` where every term is known: (checks that hold, (box,
    message) that do not).

    Parameters
    ----------
    counts : dict of str to int or None
        Each PRISMA box's count; None (or an absent box) is not reported, and skips every
        check it is a term of.

    Returns
    -------
    done : list of str
        The checks that hold, in words with the count (``"reports_sought = records screened
        minus those excluded (29)"``).
    failed : list of (str, str)
        The box whose count differs and the message saying what the arithmetic gives.
    """
    done, failed = [], []
    for result, terms, what in PRISMA_ARITHMETIC:
        values = [counts.get(t) for t in terms]
        target = counts.get(result)
        if target is None or any(v is None for v in values):
            continue
        expected = sum(values) if result == "reports_excluded" else values[0] - sum(values[1:])
        if expected != target:
            failed.append((result, f"{result} is {target}, but {what} gives {expected}"))
        else:
            done.append(f"{result} = {what} ({target})")
    return done, failed


def prisma_flow(t: Tables, res: dict) -> list[Problem]:
    """Every edition lists every box of the PRISMA 2020 diagram (its count may be empty: not
    reported), its flow adds up, and the studies and patients it says it included are its
    rows of ``studies.csv``.

    Parameters
    ----------
    t : Tables
        The typed tables by resource name, not indexed, each with its ``csv_row``.
    res : dict
        The data dictionary's resources by name (for the tables' file names, and the boxes
        the ``box`` column allows).

    Returns
    -------
    list of Problem
        One per box missing from ``prisma.csv``, one per check of :func:`prisma_sums` that
        fails, and one per included count that differs from the data (at the box's row).
    """
    f = _file(res, "prisma")
    boxes = next(x for x in res["prisma"]["schema"]["fields"] if x["name"] == "box")["constraints"][
        "enum"
    ]
    problems = []
    studies = t["studies"]
    for edition in [row["edition"] for row in editions_in_order(t["editions"])]:
        rows = t["prisma"][t["prisma"]["edition"] == edition].set_index("box")
        problems += [
            Problem(
                f,
                "every PRISMA box listed",
                f"box {b!r} of edition {edition!r} is missing; list it with an empty count "
                "if the edition gives none",
                column="box",
            )
            for b in boxes
            if b not in rows.index
        ]
        counts = {b: None if is_missing(c) else int(c) for b, c in rows["count"].items()}
        for box, message in prisma_sums(counts)[1]:
            problems.append(
                Problem(
                    f,
                    "flow adds up",
                    f"edition {edition!r}: {message}",
                    int(rows.loc[box, "csv_row"]),
                    column="count",
                )
            )
        mine = studies[studies["edition"] == edition]
        for box, what, data in (
            ("studies_included", "studies", len(mine)),
            ("patients_included", "patients (No of cases)", int(mine["n_cases"].sum())),
        ):
            if counts.get(box) is not None and counts[box] != data:
                problems.append(
                    Problem(
                        f,
                        "flow adds up",
                        f"edition {edition!r} says it included {counts[box]} {what}, but "
                        f"studies.csv holds {data} of that edition",
                        int(rows.loc[box, "csv_row"]),
                        column="count",
                    )
                )
    return problems


def table2_printed_cells(t: Tables, res: dict) -> list[Problem]:
    """Every printed cell of the paper's Table 2 can be read (:mod:`helpers.data.printed`), and
    merged rows point at a row that prints the pooled columns.

    Parameters
    ----------
    t : Tables
        The typed tables by resource name, not indexed, each with its ``csv_row``.
    res : dict
        The data dictionary's resources by name (for the tables' file names).

    Returns
    -------
    list of Problem
        One per row merged into itself or into a merged row (its cells are then not read),
        and one per cell :func:`helpers.data.printed.table2_cell_problems` refuses.
    """
    f = _file(res, "table2")
    table2 = t["table2"]
    merged = {
        m: into
        for m, into in zip(table2["modality"], table2["merged_into"], strict=True)
        if not is_missing(into)
    }
    problems = []
    for r in table2.to_dict("records"):
        row = {k: None if is_missing(v) else v for k, v in r.items()}
        into = row.get("merged_into")
        if into is not None and (into == row["modality"] or into in merged):
            problems.append(
                Problem(
                    f,
                    "Table 2 cells readable",
                    f"merged into {into!r}, which is itself merged or the row "
                    "itself; merge into a row that prints the pooled columns",
                    r["csv_row"],
                    column="merged_into",
                )
            )
            continue
        for column, message in printed.table2_cell_problems(row):
            problems.append(
                Problem(f, "Table 2 cells readable", message, r["csv_row"], column=column)
            )
    return problems


def title_terms_known(t: Tables, res: dict) -> list[Problem]:
    """What a title term means exists: a modality (device), a disease of the vocabulary
    (diagnosis; may be empty), or a design of the data dictionary (design).

    Parameters
    ----------
    t : Tables
        The typed tables by resource name, not indexed, each with its ``csv_row``.
    res : dict
        The data dictionary's resources by name (for the tables' file names, and the designs
        the ``design`` column allows).

    Returns
    -------
    list of Problem
        One per device or design term with an empty ``means``, and one per meaning that is
        not known for the term's kind.
    """
    designs = next(f for f in res["studies"]["schema"]["fields"] if f["name"] == "design")[
        "constraints"
    ]["enum"]
    known = {
        "device": set(t["modalities"]["modality"]),
        "diagnosis": set(t["disease_vocabulary"]["disease"]),
        "design": set(designs),
    }
    problems = []
    for r in t["title_terms"].itertuples():
        means = _split(r.means)
        if not means and r.kind != "diagnosis":
            problems.append(
                Problem(
                    _file(res, "title_terms"),
                    "title terms known",
                    f"a {r.kind} term must say what it means",
                    r.csv_row,
                    None,
                    "means",
                )
            )
        for value in means:
            if value not in known[r.kind]:
                problems.append(
                    Problem(
                        _file(res, "title_terms"),
                        "title terms known",
                        f"{value!r} is not a {'modality' if r.kind == 'device' else r.kind}; "
                        "known: "
                        f"{', '.join(sorted(known[r.kind]))[:300]}",
                        r.csv_row,
                        None,
                        "means",
                    )
                )
    return problems


#: Every cross-table rule, by the name its problems carry.
RULES: dict[str, Callable[[Tables, dict], list[Problem]]] = {
    "every study described": every_study_described,
    "outcome counts add up": outcome_counts_add_up,
    "counts within cases": pain_counts_within_cases,
    "disease counts add up": disease_counts_add_up,
    "durations well formed": durations_well_formed,
    "diameter well formed": diameter_well_formed,
    "frequency readable": frequency_readable,
    "adverse event attributions": adverse_event_attributions,
    "a checklist for every design": checklist_for_every_design,
    "None stands alone": none_stands_alone,
    "PRISMA flow": prisma_flow,
    "Table 2 cells readable": table2_printed_cells,
    "title terms known": title_terms_known,
    "editions in order": editions_well_formed,
    "published before the edition's search": years_within_editions,
}


def check_rules(tables: Tables, resources: dict) -> list[Problem]:
    """Run every rule in :data:`RULES`; return all problems found.

    Parameters
    ----------
    tables : Tables
        The typed tables by resource name, not indexed, each with its ``csv_row``.
    resources : dict
        The data dictionary's resources by name.

    Returns
    -------
    list of Problem
        Every rule's problems, rule by rule in the order of :data:`RULES`; empty when all
        hold.
    """
    problems = []
    for rule in RULES.values():
        problems += rule(tables, resources)
    return problems


# --------------------------------------------------------------------------- findings


def _fold(name: str) -> str:
    """Case- and accent-insensitive form of a name ("López-Sundh" -> "lopez-sundh")."""
    return "".join(
        c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c)
    ).casefold()


def findings(tables: Tables) -> pd.DataFrame:
    """Places where the paper disagrees with itself, as the data show them.

    Long: most of it is this docstring's list of the kinds; the body is short passes over
    the durations, studies and outcomes, the longer kinds already in helpers of their own.

    Parameters
    ----------
    tables : Tables
        The typed tables by resource name, not indexed, each with its ``csv_row``, as the
        rules check them.

    Returns
    -------
    DataFrame
        Columns ``kind``, ``ref``, ``where`` and ``finding``; one row per place.
        Kinds: ``statistic outside its range`` (a printed median or mean outside the
        printed range), ``author spelling`` (Table 1 and the reference list spell the
        first author differently, beyond accents), ``title and Table 1`` (a study's
        reference title names a treatment, diagnosis, design or number of patients its
        Table 1 row does not have; the terms are ``vocabularies/title_terms.csv``),
        ``N/A for several sessions`` (Table 1 calls the treatment duration of a study with
        more than one session not applicable, as it does for single sessions),
        ``publication type`` (a study counted as a full article whose reference is a single
        supplement page, the form of the conference abstracts),
        ``response from Table 2`` (Table 1 gives no response category; Table 2 fixes it),
        ``lesion-level response``.
    """
    rows = []
    for r in tables["durations"].itertuples():
        if (
            r.status == "reported"
            and r.statistic in ("median", "mean")
            and not is_missing(r.low)
            and not is_missing(r.value)
        ):
            if not (r.low <= r.value <= r.high):
                rows.append(
                    (
                        "statistic outside its range",
                        r.ref,
                        f"durations.csv row {r.csv_row} ({r.measure})",
                        f"{r.statistic} {r.value:g} {r.unit[:-1] if r.value == 1 else r.unit} "
                        "lies outside the "
                        f"printed range {r.low:g}–{r.high:g} {r.unit}"
                        + (f". {r.note}" if not is_missing(r.note) else ""),
                    )
                )
    refs = tables["references"].set_index("ref")["first_author"]
    for r in tables["studies"].itertuples():
        printed = refs.get(r.ref)
        if printed is not None and _fold(printed) != _fold(r.first_author):
            rows.append(
                (
                    "author spelling",
                    r.ref,
                    f"studies.csv row {r.csv_row} (first_author)",
                    f"Table 1 prints '{r.first_author}', the reference list '{printed}'",
                )
            )
    rows += (
        _title_findings(tables) + _not_applicable_findings(tables) + _publication_findings(tables)
    )
    for r in tables["outcomes"].itertuples():
        if r.response_source == "table2":
            rows.append(
                ("response from Table 2", r.ref, f"outcomes.csv row {r.csv_row}", str(r.note))
            )
        if r.response_unit == "lesions":
            rows.append(
                ("lesion-level response", r.ref, f"outcomes.csv row {r.csv_row}", str(r.note))
            )
    return pd.DataFrame(rows, columns=["kind", "ref", "where", "finding"])


_TITLE_COUNT = re.compile(
    rf"\b(\d+|{'|'.join(paper.NUMBER_WORDS)})\s+(?:[a-z]+\s+)?(patients|cases|neonates|children)\b",
    re.IGNORECASE,
)


def _title_findings(tables: Tables) -> list[tuple]:
    """Every included study's reference title against its Table 1 row.

    A term of ``title_terms`` found in the title (whole words, any case) must mean the
    study's modality (device), one of its diseases (diagnosis) or its design; a count of
    patients or cases in the title must be its number of cases.
    """
    titles = tables["references"].set_index("ref")["title"]
    diseases = tables["diseases"].groupby("ref")["disease"].agg(set)
    names = tables["disease_vocabulary"].set_index("disease")["name"]
    rows = []
    for s in tables["studies"].itertuples():
        title = str(titles.get(s.ref, ""))
        where = f"studies.csv row {s.csv_row}; references.csv (ref {s.ref}, title)"
        for t in tables["title_terms"].itertuples():
            if not re.search(rf"(?<!\w){re.escape(t.term)}(?!\w)", title, re.IGNORECASE):
                continue
            means = _split(t.means)
            have = {
                "device": {s.modality},
                "diagnosis": diseases.get(s.ref, set()),
                "design": {s.design},
            }[t.kind]
            if set(means) & have:
                continue
            listed = {
                "device": f"under {s.modality}",
                "design": f"as a {s.design.replace('_', ' ')}",
                "diagnosis": "with " + ", ".join(sorted(f"{names.get(d, d)} ({d})" for d in have)),
            }[t.kind]
            rows.append(
                (
                    "title and Table 1",
                    s.ref,
                    where,
                    f"The title of reference {s.ref} names {t.term!r} (a {t.kind}), "
                    "but Table 1 lists the study "
                    f'{listed}: "{title}"',
                )
            )
        for m in _TITLE_COUNT.finditer(title):
            count = int(m.group(1)) if m.group(1).isdigit() else paper.word_value(m.group(1))
            if count != s.n_cases:
                rows.append(
                    (
                        "title and Table 1",
                        s.ref,
                        where,
                        f"The title of reference {s.ref} counts {m.group(0)!r}; "
                        f"Table 1 prints {s.n_cases} cases",
                    )
                )
    return rows


def _not_applicable_findings(tables: Tables) -> list[tuple]:
    """Table 1's N/A (not applicable) for the treatment duration of a study treated in several
    sessions.

    Table 1 prints N/A for the duration of single-session treatments; a study whose
    frequency prints more than one session, or a recurring rate, with an N/A duration is
    scored apart from one with the same kind of schedule and N/R.
    """
    studies = tables["studies"].set_index("ref")
    d = tables["durations"]
    d = d[d["measure"] == "treatment_duration"]
    rows = []
    several = {}
    for ref, text in studies["frequency"].items():
        if isinstance(text, str) and text:
            f = parse_frequency(text)
            several[ref] = (f.total_sessions_high or 0) > 1 or not is_missing(
                f.sessions_per_month_high
            )
    nr = sorted(
        f"{studies.loc[r.ref, 'first_author']} [{r.ref}] ({studies.loc[r.ref, 'frequency']})"
        for r in d.itertuples()
        if r.status == "not_reported" and several.get(r.ref)
    )
    for r in d.itertuples():
        if r.status == "not_applicable" and several.get(r.ref):
            rows.append(
                (
                    f"{printed.NOT_APPLICABLE} for several sessions",
                    r.ref,
                    f"durations.csv row {r.csv_row} (treatment_duration)",
                    f"Table 1 prints {printed.NOT_APPLICABLE} (not applicable) for the treatment "
                    f"duration of "
                    f"{studies.loc[r.ref, 'first_author']} [{r.ref}], "
                    f"treated '{studies.loc[r.ref, 'frequency']}', "
                    f"as it does for single sessions"
                    + (f"; it prints {printed.NOT_REPORTED} for {', '.join(nr)}" if nr else ""),
                )
            )
    return rows


_SUPPLEMENT_PAGE = re.compile(r"([A-Z]+)(\d+)(?:[–-]\1?(\d+))?")


def _publication_findings(tables: Tables) -> list[tuple]:
    """A study counted as a full article whose reference is one page of a supplement (S305–S305,
    A214): the form the paper's conference abstracts take."""
    refs = tables["references"].set_index("ref")
    rows = []
    for s in tables["studies"].itertuples():
        pages = refs["pages"].get(s.ref) if s.ref in refs.index else None
        m = _SUPPLEMENT_PAGE.fullmatch(str(pages)) if isinstance(pages, str) else None
        if (
            m
            and (m.group(3) is None or m.group(3) == m.group(2))
            and s.publication_type != "conference_abstract"
        ):
            abstracts = ", ".join(
                f"[{r.ref}]"
                for r in tables["studies"].itertuples()
                if r.publication_type == "conference_abstract"
            )
            rows.append(
                (
                    "publication type",
                    s.ref,
                    f"studies.csv row {s.csv_row} (publication_type); "
                    f"references.csv (ref {s.ref}, pages)",
                    f"Reference {s.ref} is a single supplement page ({pages}, "
                    f"{refs.loc[s.ref, 'journal']}), the form of a conference abstract, "
                    "but the paper counts the "
                    f"study as a full article (its conference abstracts are {abstracts})",
                )
            )
    return rows
