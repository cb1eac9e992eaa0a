"""The review's editions: which edition each row belongs to, the rules editions obey, and the
seal that keeps a closed edition as it was.

The paper's edition is the first (``data/editions.csv``). An update adds an edition; its
studies carry the edition's name in ``studies.csv``, their references in
``references.csv``, their adverse events in ``adverse_events.csv``, its search's flow in
``prisma.csv``; the tables keyed by ``ref`` follow their study. A closed edition never
changes: when it closes, :func:`seal_rows` records a digest of every cell of every row it
holds (``edition_seals.csv``), and :func:`closed_editions_unchanged` refuses data whose
closed editions differ, naming the file, row and column. Writing editions and studies is
:mod:`helpers.data.curation`; the command is ``python -m helpers.update``.

The rules here are the project's, not the paper's (the paper has one edition):

- a row belongs to the edition its ``edition`` column names; a row of ``outcomes``,
  ``diseases`` or ``durations`` to its study's edition; an ``editions`` row to itself;
- editions close in order, and only the last may be open;
- a reference is published no later than the year of its edition's search date, or of the
  edition's publication when the search date is not reported; every edition gives one;
- a study's reference, and the studies an adverse event names, are of the study's (the
  event's) edition or an earlier one;
- a cell still holding :data:`PLACEHOLDER` is still to fill: the loader lists every such cell
  before it checks anything else.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable

import pandas as pd

from helpers.data.errors import Problem
from helpers.data.values import is_missing

__all__ = [
    "EDITION_NAME_PATTERN",
    "LATEST",
    "PLACEHOLDER",
    "REGISTERS",
    "SEALED_TABLES",
    "SHARED_TABLES",
    "closed_editions_unchanged",
    "earliest_year",
    "edition_of_rows",
    "editions_in_order",
    "editions_well_formed",
    "parse_date",
    "placeholder_problems",
    "register_digest",
    "registers_unchanged",
    "seal_rows",
    "year_bound",
    "years_within_editions",
]

#: What ``python -m helpers.update add-study`` writes in each cell still to fill.
PLACEHOLDER = "TO FILL"

#: The name that means "the last edition" wherever an edition is asked for.
LATEST = "latest"

#: A valid edition name (as the data dictionary's pattern).
EDITION_NAME_PATTERN = r"[a-z0-9][a-z0-9-]{0,63}"

#: The tables a closed edition's seal covers, in the order messages name them.
SEALED_TABLES = (
    "editions",
    "studies",
    "outcomes",
    "diseases",
    "durations",
    "adverse_events",
    "references",
    "prisma",
)

#: The tables whose rows belong to their study's edition (they have no edition column).
_BY_STUDY = ("outcomes", "diseases", "durations")

#: Tables every edition shares (the vocabularies, the paper's Table 2): a row belongs to the
#: first edition that sealed it, and rows no edition sealed yet may still be added.
SHARED_TABLES = (
    "modalities",
    "families",
    "disease_vocabulary",
    "disease_categories",
    "title_terms",
    "jbi_questions",
    "table2",
)

#: The seal's name for the registers (sealed whole, each as read).
REGISTERS = "registers"

_Tables = dict[str, pd.DataFrame]


def _file(res: dict, name: str) -> str:
    return res[name]["path"]


def parse_date(text) -> dt.date | None:
    """An ISO date (``YYYY-MM-DD``) as a date; None when empty or not a real date.

    Parameters
    ----------
    text : str or None
        The cell.

    Returns
    -------
    datetime.date or None

    Examples
    --------
    >>> parse_date("2021-06-24")
    datetime.date(2021, 6, 24)
    >>> parse_date("2021-02-30") is None
    True
    """
    if is_missing(text):
        return None
    try:
        return dt.date.fromisoformat(str(text))
    except ValueError:
        return None


def editions_in_order(editions: pd.DataFrame) -> list[dict]:
    """The editions table's rows by their ``order`` column, for the rules, which see the
    tables as read (the loaded review's editions are in order already).

    Parameters
    ----------
    editions : DataFrame
        The editions table as read, with ``edition`` and ``order`` columns.

    Returns
    -------
    list of dict
        One per edition, first to last.
    """
    return sorted(editions.to_dict("records"), key=lambda row: int(row["order"]))


def earliest_year(res: dict) -> int:
    """The earliest publication year a reference may have: the data dictionary's minimum of
    ``references.year``, which no edition's dates may precede either.

    Parameters
    ----------
    res : dict
        The data dictionary's resources by name.

    Returns
    -------
    int
    """
    field = next(f for f in res["references"]["schema"]["fields"] if f["name"] == "year")
    return int(field["constraints"]["minimum"])


def year_bound(edition_row) -> int | None:
    """The latest publication year a reference of this edition may have: the year of its
    search date, or of its publication when the search date is not reported.

    Parameters
    ----------
    edition_row : mapping
        A row of the editions table (``search_date``, ``published``).

    Returns
    -------
    int or None
        None when the edition gives neither date.

    Examples
    --------
    >>> year_bound({"search_date": None, "published": "2021-06-24"})
    2021
    >>> year_bound({"search_date": "2025-11-30", "published": "2026-03-01"})
    2025
    """
    for column in ("search_date", "published"):
        date = parse_date(edition_row.get(column))
        if date is not None:
            return date.year
    return None


def _canonical(value) -> str:
    """A typed cell as text, the same whatever spelling the file used ("TRUE", "4.0")."""
    if is_missing(value):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _digest(table: str, key: str, column: str, text: str) -> str:
    payload = "\x1f".join((table, key, column, text)).encode("utf-8")
    return hashlib.sha256(payload).hexdigest()[:16]


def _keys(res: dict, name: str) -> list[str]:
    key = res[name]["schema"]["primaryKey"]
    return [key] if isinstance(key, str) else list(key)


def edition_of_rows(t: _Tables, res: dict) -> dict[tuple[str, str], tuple[str, int, dict]]:
    """Every row of the sealed tables with its edition: (table, key) -> (edition, csv row,
    {column: canonical text of each cell that is not empty}).

    Parameters
    ----------
    t : _Tables
        The typed tables by resource name, not indexed, each with its ``csv_row``.
    res : dict
        The data dictionary's resources by name (for the primary keys).

    Returns
    -------
    dict
        Keyed by (table, key), the key being the primary key's parts joined by ``" | "``. A
        row of a table keyed by ``ref`` whose study is not listed, and a row of a shared table
        (:data:`SHARED_TABLES`), has edition ``""``.
    """
    study_edition = {
        _canonical(r): str(e)
        for r, e in zip(t["studies"]["ref"], t["studies"]["edition"], strict=True)
    }
    out = {}
    for name in SEALED_TABLES + SHARED_TABLES:
        table = t[name]
        keys = _keys(res, name)
        columns = [c for c in table.columns if c != "csv_row"]
        for record in table.to_dict("records"):
            key = " | ".join(_canonical(record[k]) for k in keys)
            if name == "editions":
                edition = str(record["edition"])
            elif name in SHARED_TABLES:
                edition = ""  # the seal says which edition holds it
            elif name in _BY_STUDY:
                edition = study_edition.get(_canonical(record["ref"]), "")
            else:
                edition = str(record["edition"])
            cells = {c: _canonical(record[c]) for c in columns}
            out[(name, key)] = (
                edition,
                int(record["csv_row"]),
                {c: v for c, v in cells.items() if v != ""},
            )
    return out


def register_digest(value) -> str:
    """A register's digest, of its content as read (not of its bytes: line endings, a byte
    order mark, comments and layout do not change it).

    Parameters
    ----------
    value : object
        The parsed YAML.

    Returns
    -------
    str
        16 hex digits.
    """
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def seal_rows(t: _Tables, res: dict, edition: str, registers: dict | None = None) -> list[dict]:
    """The rows of ``edition_seals.csv`` that seal one edition as the tables hold it now.

    Parameters
    ----------
    t : _Tables
        The typed tables by resource name, not indexed, each with its ``csv_row``.
    res : dict
        The data dictionary's resources by name.
    edition : str
        The edition to seal.
    registers : dict, optional
        Each register's parsed content by file name, sealed whole when no other edition
        sealed it.

    Returns
    -------
    list of dict
        One per row the edition holds (``edition``, ``table``, ``key``, ``cells``), in the
        order of :data:`SEALED_TABLES`, then :data:`SHARED_TABLES`, then of the file; then
        the registers.
    """
    others = {
        (str(r["table"]), str(r["key"]))
        for r in t["edition_seals"].to_dict("records")
        if str(r["edition"]) != edition
    }
    out = []
    for (table, key), (owner, _, cells) in edition_of_rows(t, res).items():
        if table in SHARED_TABLES:
            if (table, key) in others:
                continue
        elif owner != edition:
            continue
        text = "; ".join(f"{c}={_digest(table, key, c, v)}" for c, v in sorted(cells.items()))
        out.append({"edition": edition, "table": table, "key": key, "cells": text})
    for name, value in sorted((registers or {}).items()):
        if (REGISTERS, name) not in others:
            out.append(
                {
                    "edition": edition,
                    "table": REGISTERS,
                    "key": name,
                    "cells": f"content={register_digest(value)}",
                }
            )
    return out


def registers_unchanged(t: _Tables, res: dict, registers: dict) -> list[Problem]:
    """Each register a closed edition sealed is as it was: the paper's claims, Table 2 notes
    and declared non-claims define its audit.

    Parameters
    ----------
    t : _Tables
        The typed tables, with ``edition_seals`` and ``editions``.
    res : dict
        The data dictionary's resources by name.
    registers : dict
        Each register's parsed content by file name.

    Returns
    -------
    list of Problem
        One per register that differs from its seal, naming the file.
    """
    closed = set(t["editions"].loc[t["editions"]["status"] == "closed", "edition"].astype(str))
    problems = []
    for row in t["edition_seals"].to_dict("records"):
        edition, name = str(row["edition"]), str(row["key"])
        if str(row["table"]) != REGISTERS or edition not in closed:
            continue
        sealed = _parse_seal(row["cells"]).get("content")
        now = register_digest(registers[name]) if name in registers else None
        if now != sealed:
            problems.append(
                Problem(
                    name,
                    "closed editions unchanged",
                    f"differs from the register edition {edition!r} was closed with: the "
                    "paper's claims, notes and declared non-claims define the audit of its "
                    f"edition; put it back, or correct it and reseal (python -m helpers.update "
                    f"close-edition {edition} --reseal REASON)",
                )
            )
    return problems


def _edition_problem(res, row, message, column="edition") -> Problem:
    return Problem(_file(res, "editions"), "editions in order", message, row, column=column)


def editions_well_formed(t: _Tables, res: dict) -> list[Problem]:
    """Editions are numbered 1, 2, ... in order; only the last may be open;
    give real dates, a search date or a publication date each, a search no later than the
    publication and no earlier than the previous edition's; and none is called
    :data:`LATEST`.

    Parameters
    ----------
    t : _Tables
        The typed tables by resource name, not indexed, each with its ``csv_row``.
    res : dict
        The data dictionary's resources by name.

    Returns
    -------
    list of Problem
        One per broken rule, at the edition's row.

    Long: one check after another on the same rows, each with its own message.
    """
    problems = []
    previous_search = None
    open_seen = None
    for position, row in enumerate(editions_in_order(t["editions"]), start=1):
        at = int(row["csv_row"])
        name = str(row["edition"])
        if name == LATEST:
            problems.append(
                _edition_problem(res, at, f"{LATEST!r} is reserved: it names the last edition")
            )
        if int(row["order"]) != position:
            problems.append(
                _edition_problem(
                    res,
                    at,
                    f"edition {name!r} has order {int(row['order'])}, but it is edition "
                    f"{position}: number the editions 1, 2, 3, ... with no gap",
                    column="order",
                )
            )
        for column in ("search_date", "published"):
            date = parse_date(row[column])
            if not is_missing(row[column]) and date is None:
                problems.append(
                    _edition_problem(
                        res, at, f"{row[column]!r} is not a date (YYYY-MM-DD)", column=column
                    )
                )
            elif date is not None and date.year < earliest_year(res):
                problems.append(
                    _edition_problem(
                        res,
                        at,
                        f"{row[column]} is before {earliest_year(res)}, the earliest year a "
                        "reference may have",
                        column=column,
                    )
                )
        search, published = parse_date(row["search_date"]), parse_date(row["published"])
        if is_missing(row["search_date"]) and is_missing(row["published"]):
            problems.append(
                _edition_problem(
                    res,
                    at,
                    f"edition {name!r} gives neither a search date nor a publication date; "
                    "one of them bounds the years of its references",
                    column="search_date",
                )
            )
        if search and published and search > published:
            problems.append(
                _edition_problem(
                    res,
                    at,
                    f"edition {name!r} was searched on {search} but published on {published}",
                    column="search_date",
                )
            )
        if search and previous_search and search < previous_search:
            problems.append(
                _edition_problem(
                    res,
                    at,
                    f"edition {name!r} was searched on {search}, before the previous "
                    f"edition's search ({previous_search})",
                    column="search_date",
                )
            )
        previous_search = search or previous_search
        if open_seen is not None:
            problems.append(
                _edition_problem(
                    res,
                    at,
                    f"edition {name!r} follows the open edition {open_seen!r}: only the last "
                    "edition may be open (close it first: python -m helpers.update "
                    f"close-edition {open_seen})",
                    column="order",
                )
            )
        if row["status"] == "open" and open_seen is None:
            open_seen = name
    return problems


def years_within_editions(t: _Tables, res: dict) -> list[Problem]:
    """A reference is published no later than its edition's bound (:func:`year_bound`); a
    study's reference, and each study an adverse event names, belong to the same edition or
    an earlier one.

    Parameters
    ----------
    t : _Tables
        The typed tables by resource name, not indexed, each with its ``csv_row``.
    res : dict
        The data dictionary's resources by name.

    Returns
    -------
    list of Problem
        One per reference published too late, per study whose reference is of a later
        edition, and per adverse event naming a study of a later edition.
    """
    eds = t["editions"].set_index("edition")
    order = {str(e): int(o) for e, o in eds["order"].items()}
    problems = []
    for row in t["references"].to_dict("records"):
        edition = str(row["edition"])
        if edition not in eds.index:
            continue
        bound = year_bound(eds.loc[edition].to_dict())
        if bound is not None and int(row["year"]) > bound:
            problems.append(
                Problem(
                    _file(res, "references"),
                    "published before the edition's search",
                    f"year {int(row['year'])} is after {bound}, the year of edition "
                    f"{edition!r}'s search (or publication); a newer study belongs to a newer "
                    "edition (python -m helpers.update new-edition)",
                    int(row["csv_row"]),
                    ref=int(row["ref"]),
                    column="year",
                )
            )
    ref_edition = {
        int(r): str(e)
        for r, e in zip(t["references"]["ref"], t["references"]["edition"], strict=True)
    }
    for row in t["studies"].to_dict("records"):
        mine, theirs = str(row["edition"]), ref_edition.get(int(row["ref"]))
        if theirs in order and mine in order and order[theirs] > order[mine]:
            problems.append(
                Problem(
                    _file(res, "studies"),
                    "reference of the same edition or earlier",
                    f"the study is in edition {mine!r} but its reference was added in the later "
                    f"edition {theirs!r}",
                    int(row["csv_row"]),
                    ref=int(row["ref"]),
                    column="edition",
                )
            )
    study_edition = {
        int(r): str(e) for r, e in zip(t["studies"]["ref"], t["studies"]["edition"], strict=True)
    }
    for row in t["adverse_events"].to_dict("records"):
        mine = str(row["edition"])
        refs = [] if is_missing(row["refs"]) else [int(x) for x in str(row["refs"]).split(";")]
        later = [r for r in refs if order.get(study_edition.get(r), 0) > order.get(mine, 0)]
        if later and mine in order:
            problems.append(
                Problem(
                    _file(res, "adverse_events"),
                    "reference of the same edition or earlier",
                    f"the event is in edition {mine!r} but names {later} of a later edition",
                    int(row["csv_row"]),
                    column="refs",
                )
            )
    return problems


def _parse_seal(cells: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in str(cells).split("; ") if "=" in part)


def closed_editions_unchanged(t: _Tables, res: dict) -> list[Problem]:
    """Every row of a closed edition is as its seal (``edition_seals.csv``) recorded it: none
    changed, none removed, none added; and an open edition has no seal.

    Parameters
    ----------
    t : _Tables
        The typed tables by resource name, not indexed, each with its ``csv_row``, including
        ``edition_seals``.
    res : dict
        The data dictionary's resources by name.

    Returns
    -------
    list of Problem
        One per changed cell (file, row, study and column), per row removed from or added to
        a closed edition, and per closed edition with no seal.

    Long: the comparison of the seal with the tables, one kind of difference after another,
    each with its own message.
    """
    seals = t["edition_seals"]
    status = dict(
        zip(t["editions"]["edition"].astype(str), t["editions"]["status"].astype(str), strict=True)
    )
    closed = {e for e, s in status.items() if s == "closed"}
    sealed = {}
    problems = []
    seal_file = _file(res, "edition_seals")
    at = dict(zip(t["editions"]["edition"].astype(str), t["editions"]["csv_row"], strict=True))
    reopened = set()
    for row in seals.to_dict("records"):
        edition = str(row["edition"])
        if status.get(edition) != "closed":
            reopened.add(edition)
            continue
        sealed[(str(row["table"]), str(row["key"]))] = (edition, _parse_seal(row["cells"]))
    for edition in sorted(reopened):
        problems.append(
            Problem(
                _file(res, "editions"),
                "closed editions unchanged",
                f"edition {edition!r} is {status[edition]!r}, but edition_seals.csv holds its "
                "seal: a closed edition stays closed (after an interrupted close, close it "
                f"again: python -m helpers.update close-edition {edition})"
                if edition in status
                else f"edition {edition!r} is missing, but edition_seals.csv holds its seal",
                int(at[edition]) if edition in at else None,
                column="status",
            )
        )
    fix = (
        "a closed edition does not change: record new data in an open edition "
        "(python -m helpers.update new-edition), or correct the closed edition and reseal it "
        "(python -m helpers.update close-edition {e} --reseal REASON)"
    )
    unsealed = closed - {e for e, _ in sealed.values()}
    for edition in sorted(unsealed):
        problems.append(
            Problem(
                seal_file,
                "closed editions unchanged",
                f"edition {edition!r} is closed but has no seal; close it with "
                f"python -m helpers.update close-edition {edition}",
            )
        )
    rows = edition_of_rows(t, res)
    for (table, key), (owner, at, cells) in rows.items():
        ref = _ref(table, key)
        if (table, key) in sealed:
            edition, digests = sealed[(table, key)]
            if owner != edition and table not in SHARED_TABLES:
                problems.append(
                    Problem(
                        _file(res, table),
                        "closed editions unchanged",
                        f"this row of the closed edition {edition!r} now belongs to "
                        f"{owner or 'no edition'!r}; " + fix.format(e=edition),
                        at,
                        ref=ref,
                        column="edition" if table not in _BY_STUDY else "ref",
                    )
                )
                continue
            for column in sorted(set(digests) | set(cells)):
                if column not in t[table].columns:
                    problems.append(
                        Problem(
                            seal_file,
                            "closed editions unchanged",
                            f"the seal of {table} row {key!r} names a column {column!r} that "
                            f"{_file(res, table)} does not have: edition_seals.csv was edited",
                            column="cells",
                        )
                    )
                    continue
                now = _digest(table, key, column, cells[column]) if column in cells else None
                if now != digests.get(column):
                    problems.append(
                        Problem(
                            _file(res, table),
                            "closed editions unchanged",
                            f"this cell differs from its seal: edition {edition!r} was closed "
                            "with another value (or edition_seals.csv was edited); "
                            + fix.format(e=edition),
                            at,
                            ref=ref,
                            column=column,
                        )
                    )
        elif owner in closed - unsealed:
            problems.append(
                Problem(
                    _file(res, table),
                    "closed editions unchanged",
                    f"this row of the closed edition {owner!r} has no seal: it was added after "
                    "the edition closed (or its seal was removed from edition_seals.csv); "
                    + fix.format(e=owner),
                    at,
                    ref=ref,
                    column="edition" if table not in _BY_STUDY else "ref",
                )
            )
    for (table, key), (edition, _) in sealed.items():
        if table != REGISTERS and (table, key) not in rows:
            problems.append(
                Problem(
                    _file(res, table),
                    "closed editions unchanged",
                    f"the row {key!r} of the closed edition {edition!r} is missing; "
                    + fix.format(e=edition),
                    ref=_ref(table, key),
                )
            )
    return problems


def _ref(table: str, key: str) -> int | None:
    if table in ("studies", "references", *_BY_STUDY):
        head = key.split(" | ")[0]
        return int(head) if head.isdigit() else None
    return None


def placeholder_problems(
    tables: Iterable[tuple[str, list[str], list[int], list[list[str]]]],
) -> list[Problem]:
    """Every cell still holding :data:`PLACEHOLDER`, one problem each.

    Parameters
    ----------
    tables : iterable of (file, header, row numbers, rows)
        Each table's raw cells, as read.

    Returns
    -------
    list of Problem
        One per cell to fill, naming file, row, study and column.
    """
    problems = []
    for rel, header, numbers, rows in tables:
        ref_at = header.index("ref") if "ref" in header else None
        for number, cells in zip(numbers, rows, strict=True):
            ref = cells[ref_at] if ref_at is not None and ref_at < len(cells) else ""
            for column, cell in zip(header, cells, strict=False):
                if cell.strip() == PLACEHOLDER:
                    problems.append(
                        Problem(
                            rel,
                            "still to fill",
                            f"{PLACEHOLDER!r}: write the value, or leave the cell empty where "
                            "the source does not report it",
                            number,
                            ref=int(ref) if ref.isdigit() else None,
                            column=column,
                        )
                    )
    return problems
