"""Notes stay true: every number a note states is accounted for, and those from the
data are recomputed."""

from __future__ import annotations

import dataclasses
import random

import pytest

from helpers import DataValidationError, load_review
from helpers.analysis import claims
from helpers.data.readers import load_yaml
from helpers.data.registers import check_claims, check_table2_notes, vocabularies

from tests_support import typed_tables


@pytest.fixture(scope="module")
def tables():
    return typed_tables()


def test_every_note_check_holds_on_the_projects_data(review):
    table = claims.note_checks(review)
    assert len(table) > 30
    assert table["holds"].all(), table[~table["holds"]]
    assert not claims.audit(review)["note"].str.contains("out of date").any()


def test_every_note_check_fails_when_the_note_says_another_number(review):
    """The class: each computed number of every note, changed, is found out of
    date (and only it)."""
    base = claims.note_checks(review)
    keyed = [
        (c.id, i) for c in review.claims for i in range(len(c.sources.computed) if c.sources else 0)
    ]
    keyed += [
        (key, i) for key, s in review.table2_note_sources.items() for i in range(len(s.computed))
    ]
    assert len(keyed) == len(base)
    for owner, i in keyed:
        if isinstance(owner, str):
            claim = next(c for c in review.claims if c.id == owner)
            checks = list(claim.sources.computed)
            checks[i] = dataclasses.replace(checks[i], says=_other(checks[i].says))
            changed = dataclasses.replace(
                review,
                claims=[
                    dataclasses.replace(
                        c, sources=dataclasses.replace(c.sources, computed=tuple(checks))
                    )
                    if c.id == owner
                    else c
                    for c in review.claims
                ],
            )
        else:
            sources = review.table2_note_sources[owner]
            checks = list(sources.computed)
            checks[i] = dataclasses.replace(checks[i], says=_other(checks[i].says))
            changed = dataclasses.replace(
                review,
                table2_note_sources=review.table2_note_sources
                | {owner: dataclasses.replace(sources, computed=tuple(checks))},
            )
        after = claims.note_checks(changed)
        assert (~after["holds"]).sum() == 1, (owner, i, after[~after["holds"]])


def _other(says: str) -> str:
    """The same printed form with another number: 12 -> 13, 5.4 -> 6.4,
    20/23 -> 21/23, four -> 5."""
    import re

    words = [
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
    if says.lower() in words:
        return str(words.index(says.lower()) + 2)
    return re.sub(r"\d+", lambda m: str(int(m.group()) + 1), says, count=1)


def test_a_note_the_data_no_longer_bear_out_is_flagged_in_the_audit(data_copy):
    """The issue's example: 'with 12 they add up to 40' stops holding when a case series goes."""
    from tests_support import read_rows, reseal, write_rows

    rows = read_rows(data_copy / "studies.csv")
    h = rows[0]
    series = [r for r in rows[1:] if r[h.index("design")] == "case_series"]
    series[0][h.index("design")] = "case_report"
    write_rows(data_copy / "studies.csv", rows)
    reseal(data_copy, "a correction: a case series read as a case report")
    review = load_review(data_copy, cache=False)
    checks = claims.note_checks(review).set_index(["claim_id", "says"])
    assert not checks.loc[("quality-case-series", "12"), "holds"]
    audit = claims.audit(review).set_index("claim_id")
    assert "out of date: it says 12, the data give 11" in audit.loc["quality-case-series", "note"]


@pytest.mark.parametrize("seed", range(40))
def test_a_number_added_to_any_note_is_refused(tables, seed):
    """A number put anywhere in a seeded note of claims.yaml is refused, naming the
    claim and the note."""
    typed, descriptor = tables
    rng = random.Random(seed)
    from helpers.data.paths import DATA_DIR

    text = (DATA_DIR / "claims.yaml").read_text(encoding="utf-8")
    value, node = load_yaml(text)
    with_note = [e for e in value if e.get("note")]
    entry = rng.choice(with_note)
    words = entry["note"].split(" ")
    at = rng.randrange(len(words) + 1)
    entry["note"] = " ".join(words[:at] + ["4217"] + words[at:])
    _, problems = check_claims(value, node, vocabularies(typed, descriptor))
    (problem,) = problems
    assert (problem.rule, problem.column) == ("note numbers accounted for", "note") and entry[
        "id"
    ] in problem.message
    assert "4217" in problem.message


@pytest.mark.parametrize("seed", range(10))
def test_a_number_added_to_any_table2_note_is_refused(tables, seed, review):
    typed, descriptor = tables
    rng = random.Random(seed)
    from helpers.data.paths import DATA_DIR

    value, node = load_yaml((DATA_DIR / "table2_notes.yaml").read_text(encoding="utf-8"))
    entry = rng.choice(value)
    entry["note"] = entry["note"] + " 4217 more."
    _, _, problems = check_table2_notes(
        value, node, typed, review.claims, vocabularies(typed, descriptor)
    )
    (problem,) = problems
    assert problem.rule == "note numbers accounted for" and "4217" in problem.message


@pytest.mark.parametrize(
    "sources, message",
    [
        ("{printed: [no-such-claim]}", "not a claim of the register"),
        ("{printed: ['Table 2 | Topical | Colour']}", "has no cell"),
        ("{computed: [{says: '12', computation: n_unicorns}]}", "unknown computation"),
        ("{computed: [{says: 'twelve-ish'}]}", "cannot read"),
        (
            "{computed: [{says: '12', computation: n_studies, args: {design: sideways}}]}",
            "is not a design",
        ),
        ("{colour: red}", "printed and/or computed"),
    ],
)
def test_bad_sources_are_refused(data_copy, sources, message):
    path = data_copy / "claims.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("- id: discussion-eswl-lesion-size\n")
    end = text.index("\n\n", start)
    path.write_text(text[:end] + f"\n  sources: {sources}" + text[end:], encoding="utf-8")
    with pytest.raises(DataValidationError) as info:
        load_review(data_copy, cache=False)
    assert any(message in p.message for p in info.value.problems), info.value.problems
