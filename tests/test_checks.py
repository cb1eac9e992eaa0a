"""Words that state a number, and the paper's own arithmetic (helpers.analysis.checks)."""

from __future__ import annotations

import dataclasses
import random

import pandas as pd
import pytest

from helpers import DataValidationError, load_review
from helpers.analysis import checks, claims
from helpers.analysis.table2 import round_half_up
from helpers.data import paper


@pytest.fixture(scope="module")
def audit(review):
    return claims.audit(review)


def test_audit_rows_have_unique_ids(audit):
    assert audit["claim_id"].is_unique


def _with_text(monkeypatch, passage: str, extra: str):
    original = paper.passages()
    monkeypatch.setattr(
        paper,
        "passages",
        lambda: tuple(
            paper.Passage(p.name, p.text + extra if p.name == passage else p.text) for p in original
        ),
    )


@pytest.mark.parametrize("seed", range(60))
def test_a_percentage_beside_a_fraction_holds_only_when_it_rounds_to_it(review, monkeypatch, seed):
    """Seeded random percentages and fractions, in each printed form, against a brute force."""
    rng = random.Random(seed)
    total = rng.randint(1, 200)
    events = rng.randint(0, total)
    exact = round_half_up(100 * events / total, 0)
    printed = int(exact) if rng.random() < 0.5 else rng.randint(0, 100)
    form = rng.choice(["{p}% ({e}/{t})", "({p}%; {e}/{t})", "{p}% ({e}/{t})."])
    passage = rng.choice(["Abstract", "Results", "Discussion", "Methods"])
    _with_text(monkeypatch, passage, " Zz " + form.format(p=printed, e=events, t=total))
    rows = checks.arithmetic(review)
    row = rows[rows["quote"].str.contains(" Zz ", regex=False)]
    assert len(row) == 1
    (status,) = row["status"]
    assert status == ("reproduced" if printed == exact else "discrepancy")
    possible = any(round_half_up(100 * k / total, 0) == printed for k in range(total + 1))
    assert ("no count of" in row["note"].iloc[0]) == (status == "discrepancy" and not possible)


def test_a_table2_row_whose_parts_miss_its_total_is_found(review):
    table = review.paper_table2.copy()
    table.loc["eswl", "response_rates"] = "Complete, 9, 1/11 Partial, 55, 6/11 None, 27, 3/11"
    rows = checks.arithmetic(dataclasses.replace(review, paper_table2=table)).set_index("claim_id")
    assert rows.loc["parts-check-table2-eswl", "status"] == "discrepancy"
    assert "count 10 patients" in rows.loc["parts-check-table2-eswl", "note"]
    assert rows.loc["parts-check-table2-topical_sts", "status"] == "reproduced"


def test_an_impossible_percentage_in_table2_is_found(review):
    table = review.paper_table2.copy()
    table.loc["eswl", "response_rates"] = table.loc["eswl", "response_rates"].replace(
        "Partial, 55", "Partial, 56"
    )
    rows = checks.arithmetic(dataclasses.replace(review, paper_table2=table)).set_index("claim_id")
    assert rows.loc["percent-check-table2-eswl-partial", "status"] == "discrepancy"
    assert "no count of 11 gives 56%" in rows.loc["percent-check-table2-eswl-partial", "note"]


@pytest.mark.parametrize("seed", range(40))
def test_responses_after_few_sessions_against_a_loop_over_studies(review, seed):
    rng = random.Random(seed)
    studies = review.studies.copy()
    studies["total_sessions_high"] = [
        rng.choice([1.0, 2.0, 3.0, float("nan")]) for _ in range(len(studies))
    ]
    changed = dataclasses.replace(review, studies=studies)
    family = rng.choice(["laser", "sts", "eswl"])
    sessions = rng.randint(1, 3)
    got = checks.response_after_sessions(changed, ["complete"], sessions, family=family)
    events = total = 0
    for ref, s in studies[studies["family"] == family].iterrows():
        total += int(s["n_cases"])
        o = review.outcomes.loc[ref]
        if s["total_sessions_high"] <= sessions and o["response_unit"] == "patients":
            events += int(o["complete_response"])
    assert (got.events, got.total) == (events, total)


def test_the_rank_of_an_adverse_event(review):
    counted = review.adverse_events["patients"].dropna()
    for event, patients in counted.items():
        assert checks.adverse_event_rank(review, [event]) == 1 + int(
            (counted.drop(index=event) > patients).sum()
        )


@pytest.mark.parametrize(
    "means, value, holds",
    [
        ("> 50%", (11, 40), False),
        ("> 50%", (21, 40), True),
        ("> 50%", (20, 40), False),
        ("< 50%", (19, 40), True),
        ("100%", (126, 136), False),
        ("100%", (136, 136), True),
        ("1", 1, True),
        ("1", 2, False),
    ],
)
def test_words_compare_as_they_state(means, value, holds):
    from helpers.analysis.table2 import Proportion
    from helpers.data.registers import Claim

    class Fake:
        pass

    result = Proportion(*value) if isinstance(value, tuple) else value
    claims.COMPUTATIONS["zz_fake"] = lambda review: result
    try:
        claim = Claim(
            "zz", "Abstract", "mainly words", "mainly", "outcomes", "zz_fake", {}, means=means
        )
        row = claims.evaluate(claim, Fake())
    finally:
        del claims.COMPUTATIONS["zz_fake"]
    assert row["status"] == ("reproduced" if holds else "discrepancy")
    assert row["reported"].startswith("mainly (")


WORDS = (
    "- id: zz\n  section: Abstract\n  topic: outcomes\n"
    "  quote: The most common adverse event was scarring"
    "\n  reported: most common\n  means: '1'\n  computation: adverse_event_rank\n"
    "  args: {events: [co2-scarring]}\n"
)


@pytest.mark.parametrize(
    "old, new, column",
    [
        ("means: '1'", "means: 'several'", "means"),
        ("reported: most common", "reported: least common", "reported"),
        ("  means: '1'\n", "", "reported"),  # words without `means` are not a number
        (
            "quote: The most common adverse event was scarring\n  reported: most common",
            "quote: A total of 40 studies\n  reported: '40'",
            "means",
        ),  # `means` is for words, not a printed number
        ("events: [co2-scarring]", "events: [co2-scarring, co2-unicorns]", "args.events"),
    ],
)
def test_a_bad_word_claim_is_refused(data_copy, old, new, column):
    path = data_copy / "claims.yaml"
    text = WORDS.replace(old, new)
    assert text != WORDS
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")
    with pytest.raises(DataValidationError) as info:
        load_review(data_copy, cache=False)
    (problem,) = info.value.problems
    assert (problem.file, problem.column) == ("claims.yaml", column), problem


@pytest.mark.parametrize(
    "args, message",
    [
        ("{claims: [quality-risk-of-bias-low, no-such-claim]}", "is not a claim of the register"),
        ("{claims: [outcomes-topical-percent]}", "prints no count"),
    ],
)
def test_a_sum_of_claims_names_claims_that_print_counts(data_copy, args, message):
    path = data_copy / "claims.yaml"
    path.write_text(
        path.read_text(encoding="utf-8")
        + (
            "- id: zz\n  section: Abstract\n  topic: extraction\n"
            "  quote: A total of 40 studies\n  reported: '40'\n"
            f"  computation: sum_of_reported\n  args: {args}\n"
        ),
        encoding="utf-8",
    )
    with pytest.raises(DataValidationError) as info:
        load_review(data_copy, cache=False)
    (problem,) = info.value.problems
    assert problem.rule == "claim arguments exist" and message in problem.message


def test_every_discrepancy_and_circular_row_has_a_note(audit):
    rows = audit[audit["status"].isin(["discrepancy", "circular"])]
    assert not rows.empty
    assert (rows["note"].str.len() > 20).all(), rows[rows["note"].str.len() <= 20][
        "claim_id"
    ].tolist()


@pytest.mark.parametrize("seed", range(30))
def test_a_citation_that_repeats_or_invents_a_reference_is_found_anywhere(
    review, monkeypatch, seed
):
    """A seeded bracket of any passage is given a repeated reference, or one beyond the list:
    one row names it."""
    import re

    rng = random.Random(seed)
    original = paper.passages()
    with_brackets = [p for p in original if re.search(r"\[[\d,\s–-]+\]", p.text)]
    passage = rng.choice(with_brackets)
    brackets = list(re.finditer(r"\[([\d,\s–-]+)\]", passage.text))
    m = rng.choice(brackets)
    refs = checks.cited_refs(m.group(1))
    extra = rng.choice([refs[0], max(review.references.index) + rng.randint(1, 50)])
    changed = passage.text[: m.end() - 1] + f", {extra}" + passage.text[m.end() - 1 :]
    monkeypatch.setattr(
        paper,
        "passages",
        lambda: tuple(
            paper.Passage(p.name, changed if p.name == passage.name else p.text) for p in original
        ),
    )
    rows = checks.citations(review)
    mine = rows[rows["reported"] == f"[{m.group(1)}, {extra}]"]
    assert len(mine) == 1 and str(extra) in mine["note"].iloc[0], (passage.name, m.group(0), extra)
    assert ("twice" in mine["note"].iloc[0]) == (extra in refs)


@pytest.mark.parametrize("seed", range(40))
def test_cited_with_against_a_loop_over_studies(review, seed):
    """Random citations and properties: the share of cited studies that report
    them, by a plain loop."""
    rng = random.Random(seed)
    refs = rng.sample(sorted(review.references.index), rng.randint(1, 8))
    props = {}
    if rng.random() < 0.5:
        props["categories"] = rng.sample(
            ["complete", "partial", "none", "unknown"], rng.randint(1, 2)
        )
    if rng.random() < 0.5:
        props["modalities"] = rng.sample(sorted(review.modalities.index), rng.randint(1, 3))
    if rng.random() < 0.3:
        props["events"] = rng.sample(sorted(review.adverse_events.index), 2)
    if rng.random() < 0.3:
        props["sessions"] = rng.randint(1, 3)
    exact = rng.random() < 0.5
    got = checks.cited_with(review, refs, exact=exact, **props)
    having = set()
    for ref, s in review.studies.iterrows():
        o = review.outcomes.loc[ref]
        ok = True
        if "modalities" in props:
            ok &= s["modality"] in props["modalities"]
        if "events" in props:
            ok &= s["modality"] in {
                review.adverse_events.loc[e, "modality"] for e in props["events"]
            }
        if "sessions" in props:
            ok &= (
                bool(s["total_sessions_high"] <= props["sessions"])
                if not pd.isna(s["total_sessions_high"])
                else False
            )
        if "categories" in props:
            n = 0
            for c in props["categories"]:
                column = {
                    "complete": "complete_response",
                    "partial": "partial_response",
                    "none": "no_response",
                    "unknown": "unknown_response",
                }[c]
                n += 0 if pd.isna(o[column]) else int(o[column])
                lesion = f"lesions_{column}"
                n += 0 if lesion not in o or pd.isna(o[lesion]) else int(o[lesion])
            ok &= n > 0
        if ok:
            having.add(ref)
    cited = set(refs)
    assert (got.events, got.total) == (
        len(cited & having),
        len(cited | having) if exact else len(cited),
    )


def test_the_schedule_and_session_claims_read_the_numbers_other_claims_print(review):
    """Sums and medians of printed numbers follow the register: change a part and
    the result moves."""
    import dataclasses

    claim = next(c for c in review.claims if c.id == "treatment-eswl-intralesional-break")
    before = checks.sum_of_reported(review, ["treatment-eswl-intralesional-schedule", claim.id])
    changed = dataclasses.replace(
        review,
        claims=[
            dataclasses.replace(c, reported="9") if c.id == claim.id else c for c in review.claims
        ],
    )
    assert checks.sum_of_reported(
        changed, ["treatment-eswl-intralesional-schedule", claim.id]
    ) == before + 9 - float(claim.reported)
    assert checks.sum_of_reported(review, ["patients-sex-ratio"]) == sum(
        float(x)
        for x in next(c for c in review.claims if c.id == "patients-sex-ratio").reported.split(":")
    )


@pytest.mark.parametrize("seed", range(30))
def test_summarised_smaller_groups_against_a_loop(review, seed):
    """Random Table 2 sizes and duration cells: medians printed for rows smaller than one
    called too small."""
    rng = random.Random(seed)
    table = review.paper_table2.copy()
    table["n"] = [rng.randint(1, 60) for _ in range(len(table))]
    cells = ["N/A ^c", "N/R", "N/A", "3.0", "2.25 (1–3)"]
    for column in ("treatment_duration", "time_to_first_improvement"):
        table[column] = [rng.choice(cells) if pd.isna(m) else "" for m in table["merged_into"]]
    changed = dataclasses.replace(review, paper_table2=table)
    group = table["merged_into"].where(table["merged_into"].notna(), table.index.to_series())
    size = {row: int(table.loc[group == row, "n"].sum()) for row in set(group)}
    cellwise = [
        (size[row], table.loc[row, c])
        for row in set(group)
        for c in ("treatment_duration", "time_to_first_improvement")
    ]
    small = [n for n, cell in cellwise if "^c" in cell]
    if not small:
        with pytest.raises(Exception, match="too small"):
            checks.summarised_smaller_groups(changed)
        return
    expected = sum(1 for n, cell in cellwise if cell[0].isdigit() and n < max(small))
    assert checks.summarised_smaller_groups(changed) == expected


@pytest.mark.parametrize("seed", range(30))
def test_response_in_against_a_loop(review, seed):
    rng = random.Random(seed)
    refs = rng.sample(sorted(review.studies.index), rng.randint(1, 6))
    categories = rng.sample(["complete", "partial", "none", "unknown"], rng.randint(1, 3))
    got = checks.response_in(review, refs, categories)
    events = total = 0
    for ref in refs:
        n = int(review.studies.loc[ref, "n_cases"])
        total += n
        o = review.outcomes.loc[ref]
        if o["response_unit"] == "lesions":
            events += n if "unknown" in categories else 0
        else:
            events += sum(
                int(o[f"{c}_response" if c != "none" else "no_response"]) for c in categories
            )
    assert (got.events, got.total) == (events, total)


@pytest.mark.parametrize(
    "modality",
    [
        "topical_sts",
        "intralesional_sts",
        "eswl",
        "eswl_intralesional_sts",
        "picosecond_laser_topical_sts",
    ],
)
def test_duration_rank_against_sorting(review, modality):
    from helpers.analysis import table2 as outcomes

    medians = {
        row: outcomes.duration_summary(review, "treatment_duration", members).median
        for row, members in outcomes.table2_groups(review).items()
    }
    ranked = sorted((m for m in medians.values() if not pd.isna(m)), reverse=True)
    assert (
        checks.duration_rank(review, modality, "treatment_duration")
        == ranked.index(medians[modality]) + 1
    )
