"""The paper's printed forms, read: the cells of its Table 2.

``data/paper_table2.csv`` keeps Table 2 exactly as printed ("3.9 (0.3–24)",
"Complete, 19, 9/48 Partial, 63, 30/48 ...", "Infection (5), injection pain (6 ^b)").
These readers turn a printed cell into its numbers. Each reads the whole cell or refuses
it (``ValueError``): a cell that only partly matches would silently lose the rest, so the
loader checks every printed cell with them before anything is computed
(:func:`table2_cell_problems`).
"""

from __future__ import annotations

import math
import re

from helpers.data.units import Alternative, parse_frequency

__all__ = [
    "DURATION_COLUMNS",
    "IMPROVEMENT",
    "LESION_RESPONSE_COLUMNS",
    "NOT_APPLICABLE",
    "NOT_REPORTED",
    "NOT_REPORTED_WORDS",
    "PARTS",
    "POOLED_COLUMNS",
    "READERS",
    "RESPONSE_ABBREVIATIONS",
    "RESPONSE_CATEGORIES",
    "RESPONSE_COLUMNS",
    "UNKNOWN_CATEGORY",
    "frequency_ends",
    "parse_adverse_events",
    "parse_diameter",
    "parse_duration",
    "parse_response",
    "parts_of",
    "strip_footnotes",
    "table2_cell_problems",
]

#: Response categories: the key, Table 2's label and the outcomes.csv column.
RESPONSE_CATEGORIES = {
    "complete": ("Complete", "complete_response"),
    "partial": ("Partial", "partial_response"),
    "none": ("None", "no_response"),
    "unknown": ("Unknown", "unknown_response"),
}
#: The paper's "response" or "improvement": the categories it counts as responding.
IMPROVEMENT = ("complete", "partial")
#: The outcomes.csv columns of the response categories, in order.
RESPONSE_COLUMNS = tuple(column for _, column in RESPONSE_CATEGORIES.values())
#: The key of the category of patients whose response is not known.
UNKNOWN_CATEGORY = "unknown"
#: The outcomes.csv columns of the categories counted per lesion (no lesion is of unknown
#: response).
LESION_RESPONSE_COLUMNS = tuple(
    f"lesions_{column}"
    for key, (_, column) in RESPONSE_CATEGORIES.items()
    if key != UNKNOWN_CATEGORY
)
#: Table 1's abbreviations of the categories ("2/6 CR, 4/6 PR"), by key.
RESPONSE_ABBREVIATIONS = {"complete": "CR", "partial": "PR", "none": "NR", "unknown": "UR"}
#: Table 2 columns that are pooled over a row's group (``n`` and the diameter are per modality).
POOLED_COLUMNS = (
    "frequency",
    "treatment_duration",
    "time_to_first_improvement",
    "response_rates",
    "adverse_events",
)
DURATION_COLUMNS = ("treatment_duration", "time_to_first_improvement")
#: The numbers of each Table 2 column, as the comparison names them (``part``); the
#: response and adverse-event columns have one part per category or event.
PARTS = {
    "n": ("n",),
    "largest_diameter": ("value",),
    "frequency": ("range",),
    "treatment_duration": ("median", "range"),
    "time_to_first_improvement": ("median", "range"),
    "response_rates": tuple(RESPONSE_CATEGORIES),
}
#: How the paper's tables print a value that is not reported, or does not apply.
NOT_REPORTED = "N/R"
NOT_APPLICABLE = "N/A"
#: How the report's own words say a value is not reported (PRISMA boxes, subgroups).
NOT_REPORTED_WORDS = "not reported"

#: A printed number: up to 9 digits, up to 6 decimals (Table 2 prints at most 2).
_NUMBER = r"[0-9]{1,9}(?:\.[0-9]{1,6})?"


def strip_footnotes(text: str) -> str:
    """``"N/A ^c"`` -> ``"N/A"``: the footnote marks Table 2 prints after a value.

    Parameters
    ----------
    text : str
        A printed cell (another value is converted with ``str``).

    Returns
    -------
    str
        The cell without any ``^`` and letter (and the spaces before it), ends stripped.
    """
    return re.sub(r"\s*\^[a-z]\b", "", str(text)).strip()


def parse_diameter(text: str) -> tuple[float, str]:
    """``"<20.0"`` -> (20.0, "<"); ``"N/R"`` -> (nan, "").

    Parameters
    ----------
    text : str
        A printed cell of Table 2's largest-diameter column; footnote marks are ignored.

    Returns
    -------
    value : float
        The diameter as printed (the column's unit, cm); NaN for N/R.
    bound : str
        ``"<"`` or ``">"`` when the number is a bound, else ``""``.

    Raises
    ------
    ValueError
        When the cell is not a number with an optional ``<`` or ``>``, or N/R.
    """
    t = strip_footnotes(text)
    if t == NOT_REPORTED:
        return math.nan, ""
    m = re.fullmatch(rf"([<>]?)({_NUMBER})", t)
    if not m:
        raise ValueError(
            f"cannot read the Table 2 diameter {text!r} (a number like 13 or <2.0, or N/R)"
        )
    return float(m.group(2)), m.group(1)


def parse_duration(text: str) -> tuple[str, str | None, str | None]:
    """``"3.9 (0.3–24)"`` -> ("3.9", "0.3", "24"); ``"N/A ^c"`` -> ("N/A", None, None).

    Parameters
    ----------
    text : str
        A printed cell of a Table 2 duration column (:data:`DURATION_COLUMNS`); footnote
        marks are ignored.

    Returns
    -------
    median : str
        The value as printed (months), or ``"N/A"`` or ``"N/R"``.
    low, high : str or None
        The range's ends as printed; None when the cell prints no range.

    Raises
    ------
    ValueError
        When the cell is not a number with an optional ``(low–high)``, N/A or N/R.
    """
    t = strip_footnotes(text)
    if t in (NOT_APPLICABLE, NOT_REPORTED):
        return t, None, None
    m = re.fullmatch(rf"({_NUMBER})(?: \(({_NUMBER})–({_NUMBER})\))?", t)
    if not m:
        raise ValueError(
            f"cannot read the Table 2 duration {text!r} (like 3.9 (0.3–24), 5.5, N/A or N/R)"
        )
    return m.group(1), m.group(2), m.group(3)


def parse_response(text: str) -> dict[str, tuple[str, int, int]]:
    """``"Complete, 19, 9/48 Partial, 63, 30/48"`` -> {"complete": ("19", 9, 48), "partial":
    ("63", 30, 48)}.

    Parameters
    ----------
    text : str
        A printed cell of Table 2's response column; footnote marks are ignored.

    Returns
    -------
    dict of str to (str, int, int)
        By category key of :data:`RESPONSE_CATEGORIES`, in the cell's order: the percentage
        as printed, the patients in the category and the patients it is out of.

    Raises
    ------
    ValueError
        When the cell is not a run of ``<Label>, <percent>, <k>/<n>`` items, or names a
        category twice.
    """
    labels = {label: key for key, (label, _) in RESPONSE_CATEGORIES.items()}
    t = strip_footnotes(text)
    item = rf"({'|'.join(labels)}), ({_NUMBER}), ([0-9]{{1,9}})/([0-9]{{1,9}})"
    if not re.fullmatch(rf"{item}(?: {item})*", t):
        raise ValueError(
            f"cannot read the Table 2 response cell {text!r} "
            "(categories like 'Complete, 19, 9/48 Partial, 63, 30/48')"
        )
    found = re.findall(item, t)
    keys = [labels[label] for label, *_ in found]
    if len(set(keys)) != len(keys):
        raise ValueError(f"the Table 2 response cell {text!r} names a category twice")
    return {labels[label]: (pct, int(k), int(n)) for label, pct, k, n in found}


def parse_adverse_events(text: str) -> dict[str, str]:
    """``"Infection (5), injection pain (6 ^b)"`` -> {"infection": "5", "injection pain": "6"};
    ``"None"`` -> {"none": "0"}.

    Parameters
    ----------
    text : str
        A printed cell of Table 2's adverse-events column; footnote marks are ignored.

    Returns
    -------
    dict of str to str
        The event's name, lower case, to its count as printed (digits or ``"N/R"``), in the
        cell's order.

    Raises
    ------
    ValueError
        When the cell is not ``None`` or a comma-separated run of ``<event> (<count>)``, or
        names an event twice.
    """
    t = strip_footnotes(text)
    if t == "None":
        return {"none": "0"}
    item = r"([^,()]+?) \(([0-9]{1,9}|N/R)(?: \^[a-z])?\)"
    if not re.fullmatch(rf"{item}(?:, {item})*", t):
        raise ValueError(
            f"cannot read the Table 2 adverse events {text!r} "
            "(like 'Infection (5), recurrence (N/R)' or None)"
        )
    found = re.findall(item, t)
    names = [name.strip().lower() for name, _ in found]
    if len(set(names)) != len(names):
        raise ValueError(f"the Table 2 adverse events {text!r} name an event twice")
    return {name.strip().lower(): count for name, count in found}


def frequency_ends(text: str):
    """The least and most intensive regimes of a printed frequency range (None for N/R or
    empty).

    Parameters
    ----------
    text : str or None
        A printed cell of Table 2's frequency column.

    Returns
    -------
    tuple of two (str, float), or None
        ``(kind, value)`` of the least and of the most intensive alternative
        (:meth:`Alternative.rank`): kind ``"count"`` with a number of sessions, or
        ``"rate"`` with sessions per month, rounded to 6 decimals. None when the cell is
        empty, N/R or names no alternative.

    Raises
    ------
    ValueError
        When :func:`~helpers.data.units.parse_frequency` cannot read the cell.
    """

    if not text or strip_footnotes(text) == NOT_REPORTED:
        return None
    alternatives = list(parse_frequency(text).alternatives)
    if not alternatives:
        return None
    ranked = sorted(alternatives, key=Alternative.rank)
    return tuple((a.kind, round(a.value, 6)) for a in (ranked[0], ranked[-1]))


#: The reader of each printed column (``n`` is an integer column of the table itself).
READERS = {
    "largest_diameter": parse_diameter,
    "frequency": frequency_ends,
    "treatment_duration": parse_duration,
    "time_to_first_improvement": parse_duration,
    "response_rates": parse_response,
    "adverse_events": parse_adverse_events,
}


def table2_cell_problems(row: dict) -> list[tuple[str, str]]:
    """``(column, message)`` for each printed cell of a Table 2 row that cannot be read.

    A row merged into another (``merged_into``) prints only its ``n`` and diameter: its
    pooled cells must be empty (they would be ignored). Every other row needs every cell.

    Parameters
    ----------
    row : dict
        One row of ``paper_table2.csv``: column name to the printed cell, None for an empty
        cell; ``merged_into`` names the row it is merged into, or is None.

    Returns
    -------
    list of (str, str)
        The column and what is wrong with its cell, in the order of :data:`READERS`; empty
        when every cell can be read.
    """
    problems = []
    merged = row.get("merged_into") is not None
    for column, reader in READERS.items():
        value = row.get(column)
        if merged and column in POOLED_COLUMNS:
            if value is not None:
                problems.append(
                    (
                        column,
                        (
                            f"the row is merged into {row['merged_into']!r}, "
                            "which prints this column; "
                            "leave the cell empty"
                        ),
                    )
                )
            continue
        if value is None:
            problems.append((column, "the cell is empty; Table 2 prints a value, N/R or N/A here"))
            continue
        try:
            reader(value)
        except (ValueError, ArithmeticError) as exc:
            problems.append((column, str(exc) or f"cannot read {value!r}"))
    return problems


def parts_of(row: dict, extra_events: set[str] = frozenset()) -> set[tuple[str, str]]:
    """Every ``(column, part)`` of a printed Table 2 row that the comparison can name.

    Adverse-event parts are the events the cell prints plus ``extra_events`` (those the
    data list for the row); a merged row has only ``n`` and the diameter.

    Parameters
    ----------
    row : dict
        One row of ``paper_table2.csv`` (as for :func:`table2_cell_problems`); its adverse-events
        cell must be readable.
    extra_events : set of str, optional
        Names of further events (lower case) to include as adverse-event parts.

    Returns
    -------
    set of (str, str)
        ``(column, part)``: the parts of :data:`PARTS` for each column, and
        ``("adverse_events", event)`` for each event.
    """
    columns = (
        ("n", "largest_diameter")
        if row.get("merged_into") is not None
        else tuple(PARTS) + ("adverse_events",)
    )
    parts = {(c, p) for c in columns if c in PARTS for p in PARTS[c]}
    if "adverse_events" in columns:
        printed = row.get("adverse_events")
        events = set(parse_adverse_events(printed)) if printed is not None else set()
        parts |= {("adverse_events", e) for e in events | set(extra_events)}
    return parts
