"""Editions: the seal of a closed edition, the commands that grow the review, their refusals.

Generated rather than listed: every cell of every sealed table changed in turn is named by the
seal; every refusal of ``python -m helpers.update`` leaves the data folder as it was.
"""

from __future__ import annotations

import random
import subprocess
import sys

import pandas as pd
import pytest

from helpers import DataValidationError, load_review
from helpers.data import curation
from helpers.data.digests import data_checksum
from helpers.data.editions import PLACEHOLDER, SEALED_TABLES, closed_editions_unchanged, seal_rows

from tests_support import fill, read_rows, typed_tables, write_rows

PYTHON = sys.executable


def _problems(folder) -> list:
    try:
        load_review(folder, cache=False)
    except DataValidationError as exc:
        return exc.problems
    return []


# --------------------------------------------------------------------------- the seal


@pytest.fixture(scope="module")
def sealed():
    tables, descriptor = typed_tables()
    return tables, {r["name"]: r for r in descriptor["resources"]}


CELLS = [(t, i) for t in SEALED_TABLES for i in range(3)]


@pytest.mark.parametrize("table, seed", CELLS, ids=[f"{t}-{i}" for t, i in CELLS])
def test_every_changed_cell_of_a_closed_edition_is_named(sealed, table, seed):
    """A seeded row and every one of its columns: the changed cell alone is named, by file,
    row and column."""
    tables, res = sealed
    assert closed_editions_unchanged(tables, res) == []
    rng = random.Random(seed)
    frame = tables[table]
    at = rng.randrange(len(frame))
    for column in [c for c in frame.columns if c != "csv_row"]:
        changed = dict(tables)
        copy = frame.copy()
        old = copy.at[at, column]
        copy[column] = copy[column].astype(object)
        copy.at[at, column] = "something else" if str(old) != "something else" else "other"
        changed[table] = copy
        problems = closed_editions_unchanged(changed, res)
        keys = res[table]["schema"]["primaryKey"]
        if column in keys or (column == "edition" and table == "editions"):
            # a key changed: the sealed row is missing and another one appeared
            assert problems, (table, column)
            continue
        if (table, column) == ("studies", "edition"):
            # the study's rows in the tables keyed by ref move with it, each named
            ref = int(frame.at[at, "ref"])
            assert {p.ref for p in problems} == {ref}, problems
            assert any(p.file == "studies.csv" and p.column == "edition" for p in problems)
            continue
        assert len(problems) == 1, (table, column, problems)
        (problem,) = problems
        assert (problem.file, problem.row, problem.column) == (
            res[table]["path"],
            int(frame.at[at, "csv_row"]),
            column,
        ), problem


def test_a_row_added_to_or_removed_from_a_closed_edition_is_named(sealed):
    tables, res = sealed
    for table in SEALED_TABLES:
        fewer = dict(tables)
        fewer[table] = tables[table].iloc[1:]
        missing = closed_editions_unchanged(fewer, res)
        assert any("is missing" in p.message and p.file == res[table]["path"] for p in missing)
    seals = tables["edition_seals"]
    dropped = dict(tables)
    dropped["edition_seals"] = seals[seals["table"] != "studies"].iloc[:]
    added = closed_editions_unchanged(dropped, res)
    assert len(added) == len(tables["studies"])
    assert all("added to the closed edition" in p.message for p in added)


def test_the_seal_is_the_same_whatever_a_spreadsheet_wrote(data_copy, sealed):
    """TRUE for true, 4.0 for 4: the same values, the same seal."""
    tables, res = sealed
    path = data_copy / "studies.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace(",false,", ",FALSE,"), encoding="utf-8"
    )
    again, _ = typed_tables(data_copy)
    assert seal_rows(again, res, "paper") == seal_rows(tables, res, "paper")


# --------------------------------------------------------------------------- the commands


def _cli(*args, folder) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PYTHON, "-m", "helpers.update", *args, "--data", str(folder)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_an_update_from_start_to_seal(data_copy):
    """new-edition, add-study twice, the cells validate lists, filled; closed; then sealed."""
    result = _cli(
        "new-edition",
        "u1",
        "--title",
        "Update one",
        "--search-date",
        "2026-01-31",
        folder=data_copy,
    )
    assert result.returncode == 0, result.stderr
    refs = []
    for modality in ("eswl", "topical_sts"):
        result = _cli("add-study", "--edition", "u1", "--modality", modality, folder=data_copy)
        assert result.returncode == 0, result.stderr
        refs.append(int(result.stdout.split()[1]))
    largest = max(int(r[0]) for r in read_rows(data_copy / "references.csv")[1:-2])
    assert refs == [largest + 1, largest + 2]
    problems = _problems(data_copy)
    to_fill = {
        (name, row_number + 1, column)
        for name in ("studies", "outcomes", "diseases", "durations", "references", "prisma")
        for row_number, row in enumerate(read_rows(data_copy / f"{name}.csv"))
        for column, cell in zip(read_rows(data_copy / f"{name}.csv")[0], row, strict=True)
        if cell == PLACEHOLDER
    } | {("editions", 3, "provenance")}
    assert {(p.file.removesuffix(".csv"), p.row, p.column) for p in problems} == to_fill
    assert {p.rule for p in problems} == {"still to fill"}
    for ref in refs:
        _fill_synthetic(data_copy, ref)
    fill(data_copy / "prisma.csv", {"provenance": "test"}, {"edition": "u1"})
    fill(data_copy / "editions.csv", {"provenance": "test"})
    review = load_review(data_copy, cache=False)
    assert list(review.editions.index) == ["paper", "u1"]
    assert review.editions.loc["u1", "n_studies"] == 2
    assert review.paper_edition().n_studies == review.n_studies - 2
    result = _cli("close-edition", "u1", "--published", "2026-03-01", folder=data_copy)
    assert result.returncode == 0, result.stderr
    rows = read_rows(data_copy / "studies.csv")
    h = rows[0]
    row = next(r for r in rows if r[0] == str(refs[0]))
    row[h.index("frequency")] = "Once a day"
    write_rows(data_copy / "studies.csv", rows)
    (problem,) = _problems(data_copy)
    assert (problem.rule, problem.ref, problem.column) == (
        "closed editions unchanged",
        refs[0],
        "frequency",
    )
    result = _cli("close-edition", "u1", folder=data_copy)
    assert result.returncode == 1 and "--reseal" in result.stderr
    result = _cli("close-edition", "u1", "--reseal", "frequency corrected", folder=data_copy)
    assert result.returncode == 0, result.stderr
    review = load_review(data_copy, cache=False)
    assert "Resealed: frequency corrected" in review.editions.loc["u1", "note"]


def _fill_synthetic(folder, ref):
    at = {"ref": ref}
    fill(
        folder / "references.csv",
        {"authors": "S A", "first_author": "S", "year": 2025, "title": "T", "journal": "J"}
        | {"provenance": "test"},
        at,
    )
    fill(
        folder / "studies.csv",
        {
            "first_author": "S",
            "n_cases": 2,
            "publication_type": "full_article",
            "design": "case_series",
            "design_stated": "false",
            "control_lesion": "false",
            "provenance": "test",
        },
        at,
    )
    fill(
        folder / "outcomes.csv",
        {
            "response_unit": "patients",
            "complete_response": 1,
            "partial_response": 1,
            "no_response": 0,
            "unknown_response": 0,
            "response_source": "table1",
            "provenance": "test",
        },
        at,
    )
    fill(
        folder / "diseases.csv",
        {"disease": "SSc", "n_patients": 2, "count_printed": "true", "provenance": "test"},
        at,
    )
    fill(folder / "durations.csv", {"status": "not_reported", "provenance": "test"}, at)


REFUSED = [
    ("new-edition", "latest", "--title", "T", "--search-date", "2026-01-01"),
    ("new-edition", "Bad Name", "--title", "T", "--search-date", "2026-01-01"),
    ("new-edition", "paper", "--title", "T", "--search-date", "2026-01-01"),
    ("new-edition", "u", "--title", "T", "--search-date", "2026-02-30"),
    ("new-edition", "u", "--title", "T", "--search-date", "yesterday"),
    ("new-edition", "u", "--title", "T\nwith a line break", "--search-date", "2026-01-01"),
    ("new-edition", "u", "--title", "<b>T</b>", "--search-date", "2026-01-01"),
    ("new-edition", "u", "--title", " T", "--search-date", "2026-01-01"),
    ("new-edition", "u", "--title", "T", "--search-date", "2026-01-01", "--provenance", "\x1b"),
    ("add-study", "--edition", "paper"),
    ("add-study", "--edition", "nowhere"),
    ("close-edition", "paper"),
    ("close-edition", "nowhere"),
]


@pytest.mark.parametrize("args", REFUSED, ids=[" ".join(a)[:60] for a in REFUSED])
def test_a_refused_command_writes_nothing(data_copy, args):
    before = data_checksum(data_copy)
    result = _cli(*args, folder=data_copy)
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and result.stderr.strip()
    assert data_checksum(data_copy) == before


def test_refusals_within_an_open_edition_write_nothing(data_copy):
    assert _cli("new-edition", "u", "--title", "T", "--search-date", "2026-01-01", folder=data_copy)
    fill(data_copy / "prisma.csv", {"provenance": "test"}, {"edition": "u"})
    fill(data_copy / "editions.csv", {"provenance": "test"})
    before = data_checksum(data_copy)
    for args in (
        ("add-study", "--edition", "u", "--ref", "59"),  # taken
        ("add-study", "--edition", "u", "--ref", "0"),
        ("add-study", "--edition", "u", "--ref", "-3"),
        ("add-study", "--edition", "u", "--modality", "unicorn_laser"),
        ("add-study", "--edition", "u", "--first-author", "A\tB"),
        ("new-edition", "v", "--title", "V", "--search-date", "2026-06-01"),  # u still open
        ("new-edition", "w", "--title", "W", "--search-date", "2020-01-01"),  # before u's search
    ):
        result = _cli(*args, folder=data_copy)
        assert result.returncode == 1, (args, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr
        assert data_checksum(data_copy) == before, args


@pytest.mark.parametrize(
    "args",
    [(), ("add-study",), ("new-edition", "u"), ("add-study", "--edition", "u", "--ref", "x")],
)
def test_a_usage_error_exits_2_without_a_traceback(data_copy, args):
    result = _cli(*args, folder=data_copy)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "usage:" in result.stderr


def test_rows_are_appended_in_the_files_own_style(data_copy):
    """A file a spreadsheet saved (byte order mark, CRLF) stays so after add-study."""
    path = data_copy / "studies.csv"
    text = path.read_text(encoding="utf-8")
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    _cli("new-edition", "u", "--title", "T", "--search-date", "2026-01-01", folder=data_copy)
    result = _cli("add-study", "--edition", "u", folder=data_copy)
    assert result.returncode == 0, result.stderr
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw.count(b"\n") == raw.count(b"\r\n")


def test_a_study_published_after_its_editions_search_is_refused(data_copy):
    _cli("new-edition", "u", "--title", "T", "--search-date", "2024-06-30", folder=data_copy)
    fill(data_copy / "prisma.csv", {"provenance": "test"}, {"edition": "u"})
    fill(data_copy / "editions.csv", {"provenance": "test"})
    ref = curation.add_study("u", data_copy, modality="eswl")
    _fill_synthetic(data_copy, ref)  # published 2025, after the search of 2024
    (problem,) = _problems(data_copy)
    assert (problem.file, problem.ref, problem.column) == ("references.csv", ref, "year")
    assert "2024" in problem.message


def test_the_editions_listing(data_copy, review):
    result = _cli("editions", folder=data_copy)
    assert result.returncode == 0, result.stderr
    row = review.editions.iloc[0]
    assert f"{row['n_studies']} studies, {row['n_patients']} patients" in result.stdout


def test_a_view_keeps_what_was_done_to_it(review):
    """An earlier edition is selected from the review it is asked of, not from the whole."""
    fewer = review.edition()
    changed = fewer.studies.copy()
    changed.loc[changed.index[0], "n_cases"] = 999
    from dataclasses import replace

    view = replace(fewer, studies=changed).paper_edition()
    assert view.studies.loc[changed.index[0], "n_cases"] == 999
    with pytest.raises(DataValidationError, match="no edition 'nowhere'"):
        review.edition("nowhere")
    assert isinstance(review.editions, pd.DataFrame)
