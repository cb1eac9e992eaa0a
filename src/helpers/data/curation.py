"""Curating the review's editions: create an edition, add a study to it, close it.

These write the data folder as a researcher would by hand, and are what
``python -m helpers.update`` runs (:mod:`helpers.update`):

- :func:`new_edition` adds an open edition after the last, closed one, with a PRISMA flow
  whose every count is still to fill;
- :func:`add_study` writes the rows every table needs for a new study of an open edition,
  each value not yet known written as :data:`~helpers.data.editions.PLACEHOLDER`, so that
  ``python -m helpers.validate`` lists exactly the cells still to fill;
- :func:`close_edition` seals an edition (``edition_seals.csv``), after which its rows
  never change; ``reseal`` records a correction of a closed edition, with its reason.

Each function checks everything before it writes, and writes every file or none: a refused
command leaves the folder as it was.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import tempfile
from pathlib import Path

from helpers.data import paths
from helpers.data.dictionary import read_descriptor
from helpers.data.editions import (
    EDITION_NAME_PATTERN,
    LATEST,
    PLACEHOLDER,
    earliest_year,
    parse_date,
    seal_rows,
)
from helpers.data.errors import DataValidationError, Problem
from helpers.data.loader import load_review, typed_tables
from helpers.data.readers import MAX_YAML_BYTES, load_yaml, read_text
from helpers.data.registers import SEALED_REGISTERS
from helpers.data.values import cell_problem, text_problem

__all__ = ["add_study", "close_edition", "editions_as_written", "new_edition", "next_free_ref"]

#: Columns a new row leaves empty rather than to fill: free notes.
_LEFT_EMPTY = ("note",)

#: The measures every study has a row of in ``durations.csv``.
_MEASURES = ("treatment_duration", "time_to_first_improvement", "follow_up")


class _Csv:
    """One CSV file of the data folder, read as text rows, written back in its own style."""

    def __init__(self, path: Path):
        self.path = path
        raw = path.read_bytes()
        self.bom = raw.startswith(b"\xef\xbb\xbf")
        text = raw.decode("utf-8-sig")
        self.newline = "\r\n" if "\r\n" in text else "\n"
        rows = list(csv.reader(io.StringIO(text, newline="")))
        while rows and not any(rows[-1]):
            rows.pop()
        self.header, self.rows = rows[0], rows[1:]

    def records(self) -> list[dict]:
        return [dict(zip(self.header, r, strict=False)) for r in self.rows]

    def append(self, record: dict) -> None:
        unknown = set(record) - set(self.header)
        if unknown:
            raise DataValidationError(
                [
                    Problem(
                        self.path.name,
                        "columns of the data dictionary",
                        f"the file has no column {sorted(unknown)}",
                    )
                ],
                source=f"data in {self.path.parent}",
            )
        self.rows.append([str(record.get(c, "")) for c in self.header])

    def text(self) -> str:
        out = io.StringIO()
        csv.writer(out, lineterminator=self.newline).writerows([self.header, *self.rows])
        return ("\ufeff" if self.bom else "") + out.getvalue()


def _refuse(file: str, rule: str, message: str, column: str | None = None) -> None:
    raise DataValidationError([Problem(file, rule, message, column=column)], source="update")


def _check_text(file: str, column: str, value: str) -> None:
    """A value given on the command line is a cell the loader will accept: plain text (no
    control characters, no spaces at its ends), without < > &."""
    problem = text_problem(value) or ("holds < > or &" if any(c in value for c in "<>&") else None)
    if problem or not value:
        _refuse(file, "plain value", f"{column} {problem or 'is empty'}", column)


def _resources() -> dict:
    return {r["name"]: r for r in read_descriptor()["resources"]}


def _open(data_dir: Path, name: str) -> _Csv:
    path = data_dir / _resources()[name]["path"]
    if not path.is_file():
        _refuse(path.name, "data folder exists", f"no file {path}")
    return _Csv(path)


def _write(files: list[_Csv]) -> None:
    """Write every file, or none: each to a temporary file first, then all moved in place."""
    staged = []
    try:
        for f in files:
            handle, tmp = tempfile.mkstemp(dir=f.path.parent, prefix=f".{f.path.name}.")
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
                out.write(f.text())
            staged.append((tmp, f.path))
        for tmp, path in staged:
            os.replace(tmp, path)
    finally:
        for tmp, _ in staged:
            if os.path.exists(tmp):
                os.unlink(tmp)


def _editions(data_dir: Path) -> tuple[_Csv, list[dict]]:
    table = _open(data_dir, "editions")
    records = table.records()
    try:
        records.sort(key=lambda r: int(r["order"]))
    except ValueError:
        _refuse("editions.csv", "editions in order", "an order that is not a whole number")
    return table, records


def editions_as_written(data_dir: Path | str | None = None) -> list[dict]:
    """The editions as ``editions.csv`` holds them, with the studies and patients
    ``studies.csv`` gives each, read as written: for a listing while cells are still to fill.

    Parameters
    ----------
    data_dir : path-like, optional
        The data folder, relative to the project root or absolute; None is the project's
        ``data/`` (:func:`helpers.data.paths.data_folder`).

    Returns
    -------
    list of dict
        One per edition in order, with ``n_studies`` and ``n_patients`` (patients of the
        studies whose count is filled in).
    """
    data_dir = paths.data_folder(data_dir)
    _, records = _editions(data_dir)
    studies = _open(data_dir, "studies").records()
    for record in records:
        mine = [s for s in studies if s.get("edition") == record["edition"]]
        record["n_studies"] = len(mine)
        record["n_patients"] = sum(int(s["n_cases"]) for s in mine if s["n_cases"].isdigit())
    return records


def next_free_ref(data_dir: Path | str | None = None) -> int:
    """The next reference number: one more than the largest in ``references.csv``.

    Parameters
    ----------
    data_dir : path-like, optional
        The data folder, relative to the project root or absolute; None is the project's
        ``data/`` (:func:`helpers.data.paths.data_folder`).

    Returns
    -------
    int
    """
    data_dir = paths.data_folder(data_dir)
    refs = [int(r["ref"]) for r in _open(data_dir, "references").records() if r["ref"].isdigit()]
    return max(refs, default=0) + 1


def _check_new_edition(review, name: str, title: str, search_date: str) -> None:
    """Refuse an edition name, title or search date that cannot be used (:func:`new_edition`)."""
    if not re.fullmatch(EDITION_NAME_PATTERN, name) or name == LATEST:
        _refuse(
            "editions.csv",
            "editions in order",
            f"{name[:60]!r} cannot name an edition: use lower-case letters, digits and "
            f"hyphens, starting with a letter or digit (and not {LATEST!r})",
            "edition",
        )
    if name in review.editions.index:
        _refuse("editions.csv", "editions in order", f"edition {name!r} exists", "edition")
    if title in set(review.editions["title"]):
        _refuse("editions.csv", "editions in order", f"an edition has the title {title!r}", "title")
    _check_text("editions.csv", "title", title)
    _check_date("search_date", search_date)
    date = parse_date(search_date)
    last = review.editions.iloc[-1]
    if last["status"] != "closed":
        _refuse(
            "editions.csv",
            "editions in order",
            f"edition {review.editions.index[-1]!r} is still open; close it first "
            f"(python -m helpers.update close-edition {review.editions.index[-1]})",
            "status",
        )
    earlier = [parse_date(x) for x in review.editions["search_date"]]
    latest_search = max((d for d in earlier if d is not None), default=None)
    if latest_search is not None and date < latest_search:
        _refuse(
            "editions.csv",
            "editions in order",
            f"the search date {date} is before the previous search ({latest_search})",
            "search_date",
        )


def new_edition(
    name: str,
    title: str,
    search_date: str,
    data_dir: Path | str | None = None,
    provenance: str = PLACEHOLDER,
) -> None:
    """Add an open edition after the last one, with its PRISMA flow still to fill.

    Parameters
    ----------
    name : str
        The edition's name: lower-case letters, digits and hyphens (not ``"latest"``).
    title : str
        What the edition is ("Update of 2026").
    search_date : str
        The date of the update's search, ``YYYY-MM-DD``; it bounds the publication years of
        the studies it may add, and is no earlier than the previous edition's.
    data_dir : path-like, optional
        The data folder, relative to the project root or absolute; None is the project's
        ``data/`` (:func:`helpers.data.paths.data_folder`).
    provenance : str, optional
        Where the dates come from (default: to fill).

    Raises
    ------
    DataValidationError
        When the folder is not valid, the last edition is still open, or the name, title or
        date cannot be used; nothing is written then.
    """
    data_dir = paths.data_folder(data_dir)
    table, records = _editions(data_dir)
    if records and records[-1]["status"] != "closed":
        last = records[-1]["edition"]
        _refuse(
            "editions.csv",
            "editions in order",
            f"edition {last!r} is still open; close it first "
            f"(python -m helpers.update close-edition {last})",
            "status",
        )
    review = load_review(data_dir, cache=False)
    _check_new_edition(review, name, title, search_date)
    _check_text("editions.csv", "provenance", provenance)
    table.append(
        {
            "edition": name,
            "order": len(records) + 1,
            "title": title,
            "search_date": search_date,
            "published": "",
            "status": "open",
            "provenance": provenance,
            "note": "",
        }
    )
    prisma = _open(data_dir, "prisma")
    first = review.paper_edition_name
    for row in prisma.records():
        if row["edition"] == first:
            prisma.append(
                row | {"edition": name, "count": PLACEHOLDER, "provenance": PLACEHOLDER, "note": ""}
            )
    _write([table, prisma])


def _check_new_study(data_dir: Path, edition: str, ref: int | None, modality: str | None) -> int:
    """Refuse a study :func:`add_study` cannot write; return its reference number."""
    _, records = _editions(data_dir)
    status = {r["edition"]: r["status"] for r in records}
    if edition not in status:
        _refuse(
            "editions.csv",
            "edition exists",
            f"no edition {edition[:60]!r}; create it first (python -m helpers.update "
            "new-edition NAME --title TITLE --search-date YYYY-MM-DD); the editions are "
            + ", ".join(map(repr, status)),
            "edition",
        )
    if status[edition] != "open":
        _refuse(
            "editions.csv",
            "closed editions unchanged",
            f"edition {edition!r} is closed: a new study goes into a new edition",
            "status",
        )
    ref = next_free_ref(data_dir) if ref is None else ref
    taken = {r["ref"] for r in _open(data_dir, "references").records()}
    if isinstance(ref, bool) or not isinstance(ref, int) or ref < 1:
        _refuse("references.csv", "reference numbers", f"{ref!r} is not a positive number", "ref")
    problem = cell_problem(str(ref), "integer")
    if problem:
        _refuse("references.csv", "reference numbers", f"ref {problem}", "ref")
    if str(ref) in taken:
        _refuse(
            "references.csv",
            "reference numbers",
            f"reference {ref} exists; the next free number is {next_free_ref(data_dir)}",
            "ref",
        )
    if modality is not None:
        known = [r["modality"] for r in _open(data_dir, "modalities").records()]
        if modality not in known:
            _refuse(
                "vocabularies/modalities.csv",
                "modality known",
                f"no modality {modality[:60]!r}; the modalities are " + ", ".join(known),
                "modality",
            )
    return ref


def add_study(
    edition: str,
    data_dir: Path | str | None = None,
    ref: int | None = None,
    modality: str | None = None,
    first_author: str | None = None,
) -> int:
    """Write the rows a new study needs in every table, each unknown value to fill.

    One row in ``references.csv``, ``studies.csv`` and ``outcomes.csv``, one in
    ``diseases.csv`` (add a row per further disease) and one per measure in
    ``durations.csv``. Every cell but the reference number, the edition, the modality and
    first author when given, the measure and the free notes holds
    :data:`~helpers.data.editions.PLACEHOLDER` until it is filled;
    ``python -m helpers.validate`` lists them.

    Parameters
    ----------
    edition : str
        An open edition.
    data_dir : path-like, optional
        The data folder, relative to the project root or absolute; None is the project's
        ``data/`` (:func:`helpers.data.paths.data_folder`).
    ref : int, optional
        The study's reference number; None takes :func:`next_free_ref`.
    modality : str, optional
        The modality (``vocabularies/modalities.csv``), if known.
    first_author : str, optional
        The first author's surname, if known.

    Returns
    -------
    int
        The study's reference number.

    Raises
    ------
    DataValidationError
        When the edition does not exist or is closed, the number is taken or not positive,
        or the modality is unknown; nothing is written then.
    """
    data_dir = paths.data_folder(data_dir)
    ref = _check_new_study(data_dir, edition, ref, modality)
    given = {"ref": ref, "edition": edition}
    if modality is not None:
        given["modality"] = modality
    if first_author is not None:
        _check_text("studies.csv", "first_author", first_author)
        given["first_author"] = first_author
    files = {name: _open(data_dir, name) for name in ("references", "studies", "outcomes")}
    files["diseases"] = _open(data_dir, "diseases")
    files["durations"] = _open(data_dir, "durations")

    def row(table: _Csv, **known) -> dict:
        values = {c: given[c] for c in table.header if c in given} | known
        return {c: values.get(c, "" if c in _LEFT_EMPTY else PLACEHOLDER) for c in table.header}

    for name in ("references", "studies", "outcomes", "diseases"):
        files[name].append(row(files[name]))
    for measure in _MEASURES:
        files["durations"].append(row(files["durations"], measure=measure))
    _write(list(files.values()))
    return ref


def _check_reseal(data_dir: Path, name: str, status: str, reseal: str | None) -> None:
    """A closed edition is sealed again only with a reason; an open one, or a closed one with
    no seal (an interrupted close), is closed without one."""
    if reseal is not None and not reseal.strip():
        _refuse("editions.csv", "closed editions unchanged", "the reseal's reason is empty", "note")
    if reseal is not None:
        _check_text("editions.csv", "note", reseal.strip())
    sealed = any(r["edition"] == name for r in _Csv(data_dir / "edition_seals.csv").records())
    if status == "closed" and sealed and reseal is None:
        _refuse(
            "editions.csv",
            "closed editions unchanged",
            f"edition {name!r} is closed; to seal a correction, say why with --reseal REASON",
            "status",
        )
    if reseal is not None and not (status == "closed" and sealed):
        _refuse(
            "editions.csv",
            "closed editions unchanged",
            f"edition {name!r} has no seal yet: close it without --reseal",
            "status",
        )


def _same_seal(path: Path, staged: _Csv, name: str) -> bool:
    """Whether the staged seal of an edition is the one the folder holds, but for the
    edition's own row (whose note the reseal's reason changes): nothing else changed."""

    def rows(table: _Csv) -> set:
        return {
            tuple(r)
            for r in table.rows
            if (d := dict(zip(table.header, r, strict=False)))["edition"] == name
            and d["table"] != "editions"
        }

    return rows(_Csv(path)) == rows(staged)


def _registers(folder: Path) -> dict:
    """Each register a closed edition seals, parsed (:data:`SEALED_REGISTERS`)."""
    out = {}
    for name in SEALED_REGISTERS:
        text, problem = read_text(folder / name, name, MAX_YAML_BYTES)
        if problem:
            raise DataValidationError([problem], source=f"data in {folder}")
        out[name] = load_yaml(text)[0]
    return out


def _check_date(column: str, text: str) -> None:
    date = parse_date(text)
    if date is None or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        _refuse(
            "editions.csv", "editions in order", f"{text[:40]!r} is not a date (YYYY-MM-DD)", column
        )
    earliest = earliest_year({r["name"]: r for r in read_descriptor()["resources"]})
    if date.year < earliest:
        _refuse(
            "editions.csv",
            "editions in order",
            f"{text} is before {earliest}, the earliest year a reference may have",
            column,
        )


def _staged_seal(
    data_dir: Path, name: str, published: str | None, reseal: str | None
) -> tuple[list[_Csv], int, list[dict]]:
    """The closed edition's rows and its new seal, written and validated in a copy of the
    folder: the two files to write, the number of seal rows it had, the new seal rows."""
    with tempfile.TemporaryDirectory(prefix="calcinosis-close-") as tmp:
        copy = Path(tmp) / "data"
        shutil.copytree(data_dir, copy)
        staged_editions = _Csv(copy / "editions.csv")
        for r in staged_editions.rows:
            record = dict(zip(staged_editions.header, r, strict=False))
            if record["edition"] != name:
                continue
            record["status"] = "closed"
            if published is not None:
                record["published"] = published
            if reseal:
                record["note"] = "; ".join(
                    x for x in (record["note"], f"Resealed: {reseal.strip()}") if x
                )
            r[:] = [record[c] for c in staged_editions.header]
        _write([staged_editions])
        try:
            tables, resources = typed_tables(copy)
            seals = _Csv(copy / resources["edition_seals"]["path"])
            kept = [
                r for r in seals.rows if dict(zip(seals.header, r, strict=False))["edition"] != name
            ]
            old = len(seals.rows) - len(kept)
            seals.rows = kept
            tables["edition_seals"] = tables["edition_seals"][
                tables["edition_seals"]["edition"] != name
            ]
            new = seal_rows(tables, resources, name, _registers(copy))
            for record in new:
                seals.append(record)
            _write([seals])
            load_review(copy, cache=False)
        except DataValidationError as exc:  # name the user's folder, not the copy
            raise DataValidationError(exc.problems, source=f"data in {data_dir}") from None
        final = [_Csv(copy / seals.path.name), _Csv(copy / "editions.csv")]
    return final, old, new


def close_edition(
    name: str,
    data_dir: Path | str | None = None,
    published: str | None = None,
    reseal: str | None = None,
) -> int:
    """Close an edition: seal every row it holds in ``edition_seals.csv``.

    The folder is changed in a copy first and the copy validated; only a valid result is
    written. To correct a closed edition (a transcription error), change its rows and
    close it again with ``reseal`` saying why: the reason is added to its note.

    Parameters
    ----------
    name : str
        The edition; every earlier one must be closed.
    data_dir : path-like, optional
        The data folder, relative to the project root or absolute; None is the project's
        ``data/`` (:func:`helpers.data.paths.data_folder`).
    published : str, optional
        The edition's publication date (``YYYY-MM-DD``), recorded as it closes.
    reseal : str, optional
        Why a closed edition is sealed again; required for a closed edition.

    Returns
    -------
    int
        The number of rows sealed.

    Raises
    ------
    DataValidationError
        When the edition does not exist, an earlier one is open, a closed edition is sealed
        again without a reason, or the folder (with the new seal) is not valid.
    """
    data_dir = paths.data_folder(data_dir)
    table, records = _editions(data_dir)
    names = [r["edition"] for r in records]
    if name not in names:
        _refuse(
            "editions.csv",
            "edition exists",
            f"no edition {name[:60]!r}; the editions are " + ", ".join(map(repr, names)),
            "edition",
        )
    mine = next(r for r in records if r["edition"] == name)
    still_open = [r["edition"] for r in records[: names.index(name)] if r["status"] != "closed"]
    if still_open:
        _refuse(
            "editions.csv",
            "editions in order",
            f"the earlier edition {still_open[0]!r} is open; close it first",
            "status",
        )
    _check_reseal(data_dir, name, mine["status"], reseal)
    if published is not None:
        _check_date("published", published)
    final, old, new = _staged_seal(data_dir, name, published, reseal)
    if reseal and old and _same_seal(data_dir / "edition_seals.csv", final[0], name):
        _refuse(
            "edition_seals.csv",
            "closed editions unchanged",
            f"nothing to reseal: edition {name!r} is as it was sealed",
            "edition",
        )
    # the seal first: interrupted before editions.csv, the edition is open with a seal, which
    # the loader names and close-edition repairs
    for f, target in zip(final, (data_dir / "edition_seals.csv", table.path), strict=True):
        f.path = target
    _write(final)
    return len(new)
