"""The data hold what the paper prints: Table 1 cell by cell, and the reference list.

The paper's text is parsed by ``tests/paper_text.py`` (no ``helpers`` code), and each
structured value is rendered back the way the paper prints it (``helpers.analysis.table1``) and
compared by meaning (see ``paper_text.normalise_cell``).
"""

from __future__ import annotations

import hashlib
import re

import pandas as pd
import pytest

from helpers import load_review
from helpers.analysis import table1

import paper_text

RAW_SHA256 = "b7b0621b59fa382b32e3780c948349e4ca912027950c00ffc025a3b6d1f0dee8"
ROWS = paper_text.table1_rows()
ROW_IDS = [f"{r.author}-{r.ref}" for r in ROWS]


def test_raw_paper_is_unchanged():
    assert hashlib.sha256(paper_text.RAW.read_bytes()).hexdigest() == RAW_SHA256


def test_every_table1_row_is_a_study_and_back(review):
    printed = [r.ref for r in ROWS]
    assert len(printed) == len(set(printed)), "a study appears twice in Table 1"
    assert sorted(printed) == sorted(review.studies.index)


def test_rows_follow_table1_order_and_grouping(review):
    """Each study sits under its Table 1 heading, in the printed order."""

    def fold(h):
        return re.sub(r"\s+(?=₂)", "", h).casefold()

    headings = review.modalities["table1_heading"].map(fold)
    rendered = table1.render(review)
    assert [ref for _, ref in rendered.index] == [r.ref for r in ROWS]
    for row in ROWS:
        modality = review.studies.loc[row.ref, "modality"]
        assert headings[modality] == fold(row.heading), row.ref


@pytest.fixture(scope="module")
def review():
    """The paper's edition: the transcription is of the studies it prints, whatever is added."""
    return load_review().paper_edition()


@pytest.fixture(scope="module")
def rendered(review):
    return table1.render(review).droplevel(0)


@pytest.mark.parametrize("row", ROWS, ids=ROW_IDS)
def test_table1_cells_match_the_paper(row, rendered, review):
    ours = rendered.loc[row.ref]
    assert review.studies.loc[row.ref, "first_author"] == row.author
    for i, column in enumerate(table1.COLUMNS):
        if column in ("First author (publication year)", "Outcomes"):
            continue
        assert paper_text.normalise_cell(ours[column]) == paper_text.normalise_cell(row.cells[i]), (
            f"ref {row.ref}, {column}: data give {ours[column]!r}, "
            f"the paper prints {row.cells[i]!r}"
        )


def _structured_facts(o, n_cases: int) -> dict[str, object]:
    facts: dict[str, object] = {}
    if o.response_source == "table1":
        for col in (
            "complete_response",
            "partial_response",
            "no_response",
            "unknown_response",
            "lesions",
            "lesions_complete_response",
            "lesions_partial_response",
            "lesions_no_response",
        ):
            v = getattr(o, col)
            if not pd.isna(v) and v > 0:
                facts[col] = int(v)
    uncounted = [] if pd.isna(o.uncounted_outcomes) else o.uncounted_outcomes.split("; ")
    for col in ("pain_free", "pain_reduction", "regained_mobility", "pain_assessed"):
        v = getattr(o, col)
        if col in uncounted:
            facts[col] = "uncounted"
        elif not pd.isna(v):
            facts[col] = int(v)
    return facts


@pytest.mark.parametrize("row", ROWS, ids=ROW_IDS)
def test_outcomes_match_the_paper(row, review):
    n = int(review.studies.loc[row.ref, "n_cases"])
    printed = paper_text.outcome_facts(row.cells[8], n)
    o = next(review.outcomes.loc[[row.ref]].itertuples())
    assert _structured_facts(o, n) == printed, f"ref {row.ref}: the paper prints {row.cells[8]!r}"


def test_footnotes_are_carried(review):
    """Table 1's study footnotes (^b on Jost) end up in the study's note."""
    for row in ROWS:
        if "b" in row.footnotes:
            assert "footnote b" in review.studies.loc[row.ref, "note"]


REFS = paper_text.reference_entries()


def test_reference_list_is_complete(review):
    assert sorted(REFS) == list(range(1, len(REFS) + 1))
    assert sorted(review.references.index) == sorted(REFS)


@pytest.mark.parametrize("ref", sorted(REFS))
def test_reference_fields_are_printed_in_the_entry(ref, review):
    entry = REFS[ref].replace("\\(", "(").replace("\\)", ")").replace("*", "")
    r = review.references.loc[ref]
    assert entry.startswith(r["authors"])
    assert f"({r['year']})" in entry
    for col in ("title", "journal", "volume", "pages", "doi", "note"):
        value = r[col]
        if isinstance(value, str):
            assert value in entry, f"ref {ref}: {col} {value!r} is not in {entry!r}"
    printed_doi = re.findall(r"doi\.org/(\S+?)[>)\s]*(?:\]|$|>)", REFS[ref])
    assert (isinstance(r["doi"], str)) == bool(printed_doi), (
        f"ref {ref}: DOI printed but not transcribed, or the reverse"
    )
