"""The paper against the references it cites: every title term, every count in a title, every N/A
(helpers.data.rules findings), generated over every included study rather than listed."""

from __future__ import annotations

import random

import pytest

from helpers.data.rules import findings

from tests_support import typed_tables


@pytest.fixture(scope="module")
def tables():
    return typed_tables()[0]


def _with_title(tables, ref: int, title: str) -> dict:
    refs = tables["references"].copy()
    refs.loc[refs["ref"] == ref, "title"] = title
    return dict(tables, references=refs)


def _title_rows(table, ref):
    return table[(table["kind"] == "title and Table 1") & (table["ref"] == ref)]


def test_the_papers_titles_disagree_where_known(tables):
    rows = findings(tables)
    titles = rows[rows["kind"] == "title and Table 1"].set_index("ref")["finding"]
    assert "psoriatic arthritis" in titles[58] and "CO₂ laser" in titles[34]


def _studies(tables):
    return list(tables["studies"].itertuples())


@pytest.mark.parametrize("seed", range(40))
def test_every_term_in_any_title_is_found_exactly_when_the_study_lacks_it(tables, seed):
    """A term of the vocabulary put into a random study's title: a finding if and only if the
    study's Table 1 row has nothing the term means (brute force over the term's meanings)."""
    rng = random.Random(seed)
    study = rng.choice(_studies(tables))
    terms = list(tables["title_terms"].itertuples())
    for term in rng.sample(terms, 6):
        title = (
            f"Plain words {term.term.upper() if rng.random() < 0.3 else term.term} and more words"
        )
        rows = _title_rows(findings(_with_title(tables, study.ref, title)), study.ref)
        means = (
            [m.strip() for m in str(term.means).split(";")] if isinstance(term.means, str) else []
        )
        diseases = set(tables["diseases"].loc[tables["diseases"]["ref"] == study.ref, "disease"])
        have = {"device": {study.modality}, "diagnosis": diseases, "design": {study.design}}[
            term.kind
        ]
        assert (len(rows) == 1) == (not set(means) & have), (study.ref, term.term)


@pytest.mark.parametrize(
    "word, matched",
    [
        ("CO₂ laser-assisted", True),
        ("nonCO₂ laser", False),
        ("(CO₂ laser)", True),
        ("CO₂ lasers", False),
    ],
)
def test_terms_match_whole_words(tables, word, matched):
    study = next(s for s in _studies(tables) if s.modality == "eswl")
    rows = _title_rows(
        findings(_with_title(tables, study.ref, f"Treatment with {word} of calcinosis")), study.ref
    )
    assert (len(rows) == 1) == matched


@pytest.mark.parametrize("seed", range(20))
def test_a_count_in_a_title_is_checked_against_the_cases(tables, seed):
    rng = random.Random(seed)
    study = rng.choice(_studies(tables))
    count = rng.choice([study.n_cases, study.n_cases + rng.randint(1, 5)])
    words = [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
    ]
    printed = words[count] if count < len(words) and rng.random() < 0.5 else str(count)
    noun = rng.choice(["patients", "cases", "premature neonates", "children"])
    rows = _title_rows(
        findings(_with_title(tables, study.ref, f"A series of {printed} {noun} treated")), study.ref
    )
    assert (len(rows) == 1) == (count != study.n_cases), (study.ref, printed, noun)


def test_not_applicable_for_several_sessions_is_found_for_any_study(tables):
    """Every study whose frequency is made multi-session while its duration is N/A is found; a
    single session is not."""
    d = tables["durations"]
    na = d[(d["measure"] == "treatment_duration") & (d["status"] == "not_applicable")]["ref"]
    for ref in na:
        for frequency, found in (
            ("Three sessions", True),
            ("Once a week", True),
            ("Single session", False),
        ):
            studies = tables["studies"].copy()
            studies.loc[studies["ref"] == ref, "frequency"] = frequency
            rows = findings(dict(tables, studies=studies))
            rows = rows[(rows["kind"] == "N/A for several sessions") & (rows["ref"] == ref)]
            assert (len(rows) == 1) == found, (ref, frequency)


@pytest.mark.parametrize("seed", range(20))
def test_a_full_article_on_one_supplement_page_is_found(tables, seed):
    """Any study's reference given a one-page supplement page is found unless the paper
    counts it an abstract."""
    rng = random.Random(seed)
    study = rng.choice(_studies(tables))
    page = rng.choice(["S305–S305", "A47", "AB12", "S263–S265", "e102–e103", "1537"])
    refs = tables["references"].copy()
    refs.loc[refs["ref"] == study.ref, "pages"] = page
    rows = findings(dict(tables, references=refs))
    rows = rows[(rows["kind"] == "publication type") & (rows["ref"] == study.ref)]
    one_supplement_page = page in ("S305–S305", "A47", "AB12")
    assert (len(rows) == 1) == (
        one_supplement_page and study.publication_type != "conference_abstract"
    ), (
        study.ref,
        page,
    )
