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
from helpers.data.editions import (
    PLACEHOLDER,
    SEALED_TABLES,
    closed_editions_unchanged,
    edition_of_rows,
    seal_rows,
)

from tests_support import (
    close_open_edition,
    fill,
    fill_study,
    read_rows,
    typed_tables,
    write_rows,
)

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
    closed = set(tables["editions"].loc[tables["editions"]["status"] == "closed", "edition"])
    owned = {
        row
        for (name, _), (owner, row, _) in edition_of_rows(tables, res).items()
        if name == table and owner in closed
    }
    at = rng.choice([i for i in frame.index if int(frame.at[i, "csv_row"]) in owned])
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
    closed = set(tables["editions"].loc[tables["editions"]["status"] == "closed", "edition"])
    assert len(added) == tables["studies"]["edition"].isin(closed).sum()
    assert all("has no seal: it was added after" in p.message for p in added)


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


@pytest.fixture
def closed_copy(data_copy):
    """A copy of the data whose last edition is closed: where a new update starts."""
    close_open_edition(data_copy)
    return data_copy


def _cli(*args, folder) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PYTHON, "-m", "helpers.update", *args, "--data", str(folder)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_an_update_from_start_to_seal(closed_copy):
    """new-edition, add-study twice, the cells validate lists, filled; closed; then sealed."""
    result = _cli(
        "new-edition",
        "u1",
        "--title",
        "Update one",
        "--search-date",
        "2026-01-31",
        folder=closed_copy,
    )
    assert result.returncode == 0, result.stderr
    refs = []
    for modality in ("eswl", "topical_sts"):
        result = _cli("add-study", "--edition", "u1", "--modality", modality, folder=closed_copy)
        assert result.returncode == 0, result.stderr
        refs.append(int(result.stdout.split()[1]))
    largest = max(int(r[0]) for r in read_rows(closed_copy / "references.csv")[1:-2])
    assert refs == [largest + 1, largest + 2]
    problems = _problems(closed_copy)
    to_fill = {
        (name, row_number + 1, column)
        for name in ("studies", "outcomes", "diseases", "durations", "references", "prisma")
        for row_number, row in enumerate(read_rows(closed_copy / f"{name}.csv"))
        for column, cell in zip(read_rows(closed_copy / f"{name}.csv")[0], row, strict=True)
        if cell == PLACEHOLDER
    } | {("editions", len(read_rows(closed_copy / "editions.csv")), "provenance")}
    assert {(p.file.removesuffix(".csv"), p.row, p.column) for p in problems} == to_fill
    assert {p.rule for p in problems} == {"still to fill"}
    for ref in refs:
        _fill_synthetic(closed_copy, ref)
    fill(closed_copy / "prisma.csv", {"provenance": "test"}, {"edition": "u1"})
    fill(closed_copy / "editions.csv", {"provenance": "test"})
    review = load_review(closed_copy, cache=False)
    assert review.editions.index[-1] == "u1"
    assert review.editions.loc["u1", "n_studies"] == 2
    assert review.edition(review.editions.index[-2]).n_studies == review.n_studies - 2
    result = _cli("close-edition", "u1", "--published", "2026-03-01", folder=closed_copy)
    assert result.returncode == 0, result.stderr
    rows = read_rows(closed_copy / "studies.csv")
    h = rows[0]
    row = next(r for r in rows if r[0] == str(refs[0]))
    row[h.index("frequency")] = "Once a day"
    write_rows(closed_copy / "studies.csv", rows)
    (problem,) = _problems(closed_copy)
    assert (problem.rule, problem.ref, problem.column) == (
        "closed editions unchanged",
        refs[0],
        "frequency",
    )
    result = _cli("close-edition", "u1", folder=closed_copy)
    assert result.returncode == 1 and "--reseal" in result.stderr
    result = _cli("close-edition", "u1", "--reseal", "frequency corrected", folder=closed_copy)
    assert result.returncode == 0, result.stderr
    review = load_review(closed_copy, cache=False)
    assert "Resealed: frequency corrected" in review.editions.loc["u1", "note"]


def _fill_synthetic(folder, ref):
    fill_study(folder, ref, n_cases=2, complete=1, year=2025, first_author="S")


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
def test_a_refused_command_writes_nothing(closed_copy, args):
    before = data_checksum(closed_copy)
    result = _cli(*args, folder=closed_copy)
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and result.stderr.strip()
    assert data_checksum(closed_copy) == before


def test_refusals_within_an_open_edition_write_nothing(closed_copy):
    assert _cli(
        "new-edition", "u", "--title", "T", "--search-date", "2026-01-01", folder=closed_copy
    )
    fill(closed_copy / "prisma.csv", {"provenance": "test"}, {"edition": "u"})
    fill(closed_copy / "editions.csv", {"provenance": "test"})
    before = data_checksum(closed_copy)
    for args in (
        ("add-study", "--edition", "u", "--ref", "59"),  # taken
        ("add-study", "--edition", "u", "--ref", "0"),
        ("add-study", "--edition", "u", "--ref", "-3"),
        ("add-study", "--edition", "u", "--modality", "unicorn_laser"),
        ("add-study", "--edition", "u", "--first-author", "A\tB"),
        ("new-edition", "v", "--title", "V", "--search-date", "2026-06-01"),  # u still open
        ("new-edition", "w", "--title", "W", "--search-date", "2020-01-01"),  # before u's search
    ):
        result = _cli(*args, folder=closed_copy)
        assert result.returncode in (1, 2), (args, result.stdout, result.stderr)  # data, usage
        assert "Traceback" not in result.stderr
        assert data_checksum(closed_copy) == before, args


@pytest.mark.parametrize(
    "args",
    [(), ("add-study",), ("new-edition", "u"), ("add-study", "--edition", "u", "--ref", "x")],
)
def test_a_usage_error_exits_2_without_a_traceback(closed_copy, args):
    result = _cli(*args, folder=closed_copy)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "usage:" in result.stderr


def test_rows_are_appended_in_the_files_own_style(closed_copy):
    """A file a spreadsheet saved (byte order mark, CRLF) stays so after add-study."""
    path = closed_copy / "studies.csv"
    text = path.read_text(encoding="utf-8")
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    _cli("new-edition", "u", "--title", "T", "--search-date", "2026-01-01", folder=closed_copy)
    result = _cli("add-study", "--edition", "u", folder=closed_copy)
    assert result.returncode == 0, result.stderr
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw.count(b"\n") == raw.count(b"\r\n")


def test_a_study_published_after_its_editions_search_is_refused(closed_copy):
    searched = [r[3] for r in read_rows(closed_copy / "editions.csv")[1:] if r[3]]
    year = max([int(d[:4]) for d in searched] + [2026])
    made = _cli(
        "new-edition", "u", "--title", "T", "--search-date", f"{year}-06-30", folder=closed_copy
    )
    assert made.returncode == 0, made.stderr
    fill(closed_copy / "prisma.csv", {"provenance": "test"}, {"edition": "u"})
    fill(closed_copy / "editions.csv", {"provenance": "test"})
    ref = curation.add_study("u", closed_copy, modality="eswl")
    _fill_synthetic(closed_copy, ref)
    rows = read_rows(closed_copy / "references.csv")
    h = rows[0]
    next(r for r in rows if r[0] == str(ref))[h.index("year")] = str(year + 1)
    write_rows(closed_copy / "references.csv", rows)
    (problem,) = _problems(closed_copy)
    assert (problem.file, problem.ref, problem.column) == ("references.csv", ref, "year")
    assert str(year) in problem.message


def test_the_editions_listing(closed_copy, review):
    result = _cli("editions", folder=closed_copy)
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


def _rewrite(path, change) -> None:
    rows = read_rows(path)
    change(rows)
    write_rows(path, rows)


def test_only_the_last_edition_may_be_open(closed_copy):
    made = _cli(
        "new-edition", "u", "--title", "T", "--search-date", "2026-01-01", folder=closed_copy
    )
    assert made.returncode == 0, made.stderr
    fill(closed_copy / "prisma.csv", {"provenance": "test"}, {"edition": "u"})
    fill(closed_copy / "editions.csv", {"provenance": "test"})

    def second(rows):  # a second open edition, written by hand, with its PRISMA rows
        u = next(r for r in rows if r[0] == "u")
        rows.append(["v", str(int(u[1]) + 1), "V"] + u[3:])

    _rewrite(closed_copy / "editions.csv", second)
    _rewrite(
        closed_copy / "prisma.csv",
        lambda rows: rows.extend([["v", *r[1:]] for r in rows if r[0] == "u"]),
    )
    problems = _problems(closed_copy)
    assert [(p.file, p.column) for p in problems] == [("editions.csv", "order")], problems
    assert "only the last edition may be open" in problems[0].message


def test_an_interrupted_close_is_named_and_repaired_by_closing_again(closed_copy):
    """The seal is written first: interrupted there, the edition is open with a seal."""
    last = read_rows(closed_copy / "editions.csv")[-1][0]

    def reopen(rows):
        rows[-1][rows[0].index("status")] = "open"

    _rewrite(closed_copy / "editions.csv", reopen)
    (problem,) = _problems(closed_copy)
    assert (problem.file, problem.column) == ("editions.csv", "status")
    assert f"close-edition {last}" in problem.message
    result = _cli("close-edition", last, folder=closed_copy)
    assert result.returncode == 0, result.stderr
    assert _problems(closed_copy) == []


def test_a_closed_edition_without_its_seal_is_closed_again_without_a_reason(closed_copy):
    last = read_rows(closed_copy / "editions.csv")[-1][0]
    _rewrite(
        closed_copy / "edition_seals.csv",
        lambda rows: rows.__setitem__(slice(None), [r for r in rows if r[0] != last]),
    )
    (problem,) = _problems(closed_copy)
    assert "has no seal" in problem.message and f"close-edition {last}" in problem.message
    result = _cli("close-edition", last, folder=closed_copy)
    assert result.returncode == 0, result.stderr
    assert _problems(closed_copy) == []


@pytest.mark.parametrize(
    "reason, words",
    [("", "reason is empty"), ("nothing changed", "nothing to reseal")],
)
def test_a_reseal_needs_a_reason_and_a_change(closed_copy, reason, words):
    last = read_rows(closed_copy / "editions.csv")[-1][0]
    before = data_checksum(closed_copy)
    result = _cli("close-edition", last, "--reseal", reason, folder=closed_copy)
    assert result.returncode == 1 and words in result.stderr, result.stderr
    assert data_checksum(closed_copy) == before


@pytest.mark.parametrize("table", ["modalities", "families", "disease_vocabulary", "table2"])
def test_the_vocabularies_and_table2_the_paper_sealed_do_not_change(closed_copy, table):
    """Relabelling a modality would change the paper's audit: the seal names it."""
    _, descriptor = typed_tables(closed_copy)
    resource = next(r for r in descriptor["resources"] if r["name"] == table)
    key = resource["schema"]["primaryKey"]
    column = next(
        f["name"]
        for f in resource["schema"]["fields"]
        if f["name"] not in key and f["type"] == "string" and "enum" not in f.get("constraints", {})
    )

    def change(rows):
        i = rows[0].index(column)
        rows[1][i] = rows[1][i] + " changed"

    _rewrite(closed_copy / resource["path"], change)
    problems = _problems(closed_copy)
    assert [(p.file, p.row, p.column) for p in problems] == [(resource["path"], 2, column)]


def test_a_vocabulary_entry_added_later_is_free_until_an_edition_seals_it(closed_copy):
    def add(rows):
        rows.append(["new_category", "A new category", "99", "test"][: len(rows[0])])

    path = closed_copy / "vocabularies" / "disease_categories.csv"
    header = read_rows(path)[0]
    assert header == ["category", "label", "order", "provenance"], header
    _rewrite(path, add)
    assert _problems(closed_copy) == []


@pytest.mark.parametrize("name", ["claims.yaml", "table2_notes.yaml", "non_claims.yaml"])
def test_a_register_the_paper_sealed_does_not_change(closed_copy, name):
    """Its content, not its bytes: a comment changes nothing; a changed reason does."""
    path = closed_copy / name
    text = path.read_text(encoding="utf-8")
    path.write_text("# a comment\n" + text.replace("\n", "\r\n"), encoding="utf-8")
    assert _problems(closed_copy) == []
    field = "reason: " if "reason: " in text else "note: "
    assert field in text, name
    path.write_text(text.replace(field, field + "Changed. ", 1), encoding="utf-8")
    problems = _problems(closed_copy)
    assert [(p.file, p.rule) for p in problems] == [(name, "closed editions unchanged")]
