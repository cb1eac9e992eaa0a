"""The claims register: quotes are verbatim, values parse, matching rounds as printed."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers import DataValidationError, load_review
from helpers.analysis import claims
from helpers.analysis.claims import Reported, matches, parse_reported
from helpers.data import paper

import paper_text
from tests_support import add_study

CLAIMS = load_review().claims
PAPER = " ".join(paper_text.text().split())


def _table1_cell(row: str, column: str) -> str:
    """A Table 1 cell read by the tests' own parser (independent of helpers.data.paper)."""
    header = next(
        line
        for line in paper_text.text().splitlines()
        if line.startswith("First author (publication year)\t")
    )
    columns = [" ".join(c.split()) for c in header.split("\t")]
    found = [r for r in paper_text.table1_rows() if f"{r.author} [{r.ref}]" == row]
    assert len(found) == 1, row
    return " ".join(found[0].cells[columns.index(column)].split())


@pytest.mark.parametrize("claim", CLAIMS, ids=[c.id for c in CLAIMS])
def test_quote_is_verbatim_in_the_paper(claim):
    quote = " ".join(claim.quote.split())
    if claim.section == "Table 1" and quote.count(" | ") == 2:  # a cell: row | column | text
        row, column, cell = quote.split(" | ")
        assert _table1_cell(row, column) == cell
    else:
        assert quote in PAPER


@pytest.mark.parametrize("claim", CLAIMS, ids=[c.id for c in CLAIMS])
def test_reported_value_is_printed_in_the_quote(claim):
    assert claim.reported in claim.quote


def test_ids_are_unique():
    ids = [c.id for c in CLAIMS]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize(
    "text, kind, value, decimals",
    [
        ("40", "count", (40.0,), 0),
        ("Five", "count", (5.0,), 0),
        ("81%", "percent", (81.0,), 0),
        ("39/48", "fraction", (39.0, 48.0), 0),
        ("21:90", "ratio", (21.0, 90.0), 0),
        ("2–24", "range", (2.0, 24.0), 0),
        ("0.3–24", "range", (0.3, 24.0), 1),
        ("4.9", "number", (4.9,), 1),
    ],
)
def test_parse_reported(text, kind, value, decimals):
    assert parse_reported(text) == Reported(kind, value, decimals)


@pytest.mark.parametrize("text", ["about forty", "81 %", "", "3/"])
def test_unreadable_reported_value(text):
    with pytest.raises(ValueError, match="cannot read"):
        parse_reported(text)


@pytest.mark.parametrize(
    "reported, recomputed, ok",
    [
        ("81%", 39 / 48 * 100, True),  # 81.25 prints as 81
        ("81%", 80.5, True),  # half up
        ("81%", 80.49, False),
        ("39/48", (39, 48), True),
        ("39/48", (39, 47), False),  # both numbers must match
        ("40", 40, True),
        ("40", 41, False),
        ("4.9", 4.94, True),
        ("4.9", 4.96, False),
        ("2–24", (2.0, 24.0), True),
        ("2–24", (2.0, 23.0), False),
    ],
)
def test_matching_rounds_as_the_paper_prints(reported, recomputed, ok):
    assert matches(parse_reported(reported), recomputed) is ok


def test_audit_columns_and_statuses(review):
    table = claims.audit(review)
    assert list(table.columns) == claims.AUDIT_COLUMNS
    assert set(table["status"]) <= set(claims.STATUSES)
    from helpers.analysis.checks import arithmetic, citations
    from helpers.analysis.table2 import compare_table2

    assert len(table) == len(CLAIMS) + len(compare_table2(review)) + len(arithmetic(review)) + len(
        citations(review)
    )
    assert table["claim_id"].is_unique
    not_computable = table[table["status"] == "not_computable"]
    assert not_computable["note"].str.len().gt(0).all()
    # a number shown beside a not-computable cell is only the data's value beside
    # footnote c's judgment
    shown = not_computable[not_computable["recomputed"] != ""]
    assert shown["note"].str.contains("footnote c").all(), shown[["claim_id", "note"]]


def test_every_discrepancy_is_explained(review):
    table = claims.audit(review)
    unexplained = table[table["status"].isin(["discrepancy", "circular"]) & (table["note"] == "")]
    assert unexplained.empty, unexplained


def test_numbers_that_rest_on_an_inferred_value_are_circular(review):
    """Sparsa [11]'s response comes from Table 2: every ESWL number built on it
    agrees with itself."""
    from helpers.analysis import inferences

    review = review.paper_edition()  # the audit's own edition
    table = claims.audit(review).set_index("claim_id")
    circular = table[table["status"] == "circular"]
    assert (
        circular["depends_on"].str.len().gt(0).all()
        and circular["note"].str.startswith("Circular: ").all()
    )
    sparsa = "outcomes: response_source=table2 (ref 11)"
    assert {
        "outcomes-eswl-fraction",
        "table2-eswl-response-rates-partial",
        "discussion-eswl-partial",
    } <= set(circular.index[circular["depends_on"].str.contains(sparsa, regex=False)])
    assert table.loc["quality-case-reports", "status"] == "circular"
    # a row with no dependence is never circular, and a dependence alone does not make one
    assert (table.loc[table["depends_on"] == "", "status"] != "circular").all()
    # withdrawing an inference by hand reproduces the verdicts
    for inference in inferences.INFERENCES:
        without = claims.audit(inferences.withdraw(review, inference)).set_index("claim_id")
        name = inferences.describe(review, inference)
        uses = table["depends_on"].str.contains(name, regex=False)
        moved = (without["recomputed"] != table["recomputed"]) | (
            without["status"].replace("circular", "reproduced")
            != table["status"].replace("circular", "reproduced")
        )
        assert (uses == moved.reindex(table.index)).all(), inference.name


def test_an_inference_that_changes_nothing_leaves_the_audit_alone(review):
    """With Table 1's response printed for the study (no inference left), nothing is
    circular on its account."""
    import dataclasses

    outcomes = review.outcomes.copy()
    outcomes["response_source"] = "table1"
    studies = review.studies.copy()
    studies["design_stated"] = True
    plain = dataclasses.replace(review, outcomes=outcomes, studies=studies)
    table = claims.audit(plain)
    inferred = (
        table["depends_on"]
        .str.split("; ")
        .map(lambda names: [n for n in names if n and not n.startswith("reading: ")])
    )
    assert (inferred.str.len() == 0).all() and "circular" not in set(table["status"])


def test_a_study_added_in_an_update_leaves_the_audit_of_the_paper_as_it_was(data_copy):
    """The living review: the paper is audited against the studies it described, so a study
    an update adds changes nothing in its audit, while the update's own totals move."""
    from helpers import load_review

    earlier = load_review(data_copy)
    before = claims.audit(earlier)
    add_study(data_copy, modality="topical_sts", n_cases=2)
    review = load_review(data_copy)
    pd.testing.assert_frame_equal(claims.audit(review), before)
    paper = review.paper_edition()
    assert review.n_studies == earlier.n_studies + 1
    assert review.n_patients == earlier.n_patients + 2
    # the same claims evaluated on the update's data no longer hold
    totals = [c for c in review.claims if c.id in ("abstract-studies", "abstract-patients")]
    assert {claims.evaluate(c, paper)["status"] for c in totals} == {"reproduced"}
    assert {claims.evaluate(c, review)["status"] for c in totals} == {"discrepancy"}


GOOD = (
    "- id: a\n  section: Abstract\n  topic: outcomes\n"
    "  quote: A total of 40 studies including 136 patients were analysed."
    "\n  reported: '40'\n  reason: r\n"
)


@pytest.mark.parametrize(
    "text, rule, line, column",
    [
        ("- id: a\n  section: Abstract\n  quote: q\n  reported: [1\n", "valid YAML", 5, None),
        (
            GOOD.replace("  reason: r\n", "  computation: n_unicorns\n"),
            "claim well formed",
            6,
            "computation",
        ),
        (GOOD.replace("  reason: r\n", ""), "claim well formed", 1, "reason"),
        (GOOD.replace("reported: '40'", "reported: 'many'"), "claim well formed", 5, "reported"),
        (GOOD.replace("  section: Abstract\n", ""), "claim well formed", 1, "section"),
        (GOOD + "  colour: red\n", "claim well formed", 7, "colour"),
        (GOOD + GOOD, "unique claim id", 7, "id"),
        ("", "file not empty", None, None),
        ("[]\n", "list of claims", None, None),
        (GOOD.replace("Abstract", "Methods"), "claim well formed", 2, "section"),
        (GOOD.replace("outcomes", "t"), "claim well formed", 3, "topic"),
        # arguments are checked against the data: a modality, study or category that does not exist
        (
            GOOD.replace(
                "  reason: r\n",
                "  computation: response\n"
                "  args: {categories: [complete], modality: topical_stz}\n",
            ),
            "claim arguments exist",
            7,
            "args.modality",
        ),
        (
            GOOD.replace(
                "  reason: r\n", "  computation: response\n  args: {categories: [cured]}\n"
            ),
            "claim arguments exist",
            7,
            "args.categories",
        ),
        (
            GOOD.replace(
                "  reason: r\n",
                "  computation: response\n"
                "  args: {categories: [complete], modality: eswl, family: sts}\n",
            ),
            "claim arguments exist",
            7,
            "args.family",
        ),
        (
            GOOD.replace(
                "  reason: r\n", "  computation: largest_diameter\n  args: {refs: [999]}\n"
            ),
            "claim arguments exist",
            7,
            "args.refs",
        ),
        (
            GOOD.replace("  reason: r\n", "  computation: largest_diameter\n"),
            "claim arguments exist",
            1,
            "args.refs",
        ),
        (
            GOOD.replace("  reason: r\n", "  computation: n_studies\n  args: {colour: red}\n"),
            "claim arguments exist",
            7,
            "args.colour",
        ),
        (
            GOOD.replace(
                "  reason: r\n", "  computation: response\n  args: {categories: complete}\n"
            ),
            "claim arguments exist",
            7,
            "args.categories",
        ),
    ],
)
def test_malformed_claims_are_rejected_with_file_line_and_key(data_copy, text, rule, line, column):
    from helpers import load_review

    (data_copy / "claims.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(DataValidationError) as info:
        load_review(data_copy, cache=False)
    (problem,) = info.value.problems
    assert (problem.file, problem.rule, problem.row, problem.column) == (
        "claims.yaml",
        rule,
        line,
        column,
    )


def test_claims_file_not_utf8(data_copy):
    from helpers import load_review

    (data_copy / "claims.yaml").write_bytes("- id: é\n".encode("latin-1"))
    with pytest.raises(DataValidationError, match="not UTF-8"):
        load_review(data_copy, cache=False)


def test_the_tokeniser_agrees_with_the_independent_reader():
    """helpers.data.paper finds the same number tokens in the running text as the
    tests' own parser."""

    for section in ("Abstract", "Results", "Discussion"):
        ours = [t for _, t in paper.numbers(paper.passage_text(section))]
        theirs = [t for _, t in paper_text.numbers(paper_text.prose(section))]
        assert ours == theirs, section


def test_every_number_of_the_text_is_claimed_declared_or_masked(review):
    """Per token, in every passage: each number is what some claim checks (not merely inside its
    quote), a declared non-claim, or a citation, table or figure number, or link."""

    table = paper.coverage(review)
    missing = table[table["status"] == "unclaimed"]
    assert missing.empty, "numbers nothing accounts for:\n" + "\n".join(
        f"{r.passage}: {r.number!r} in ...{r.context}..." for r in missing.itertuples()
    )
    assert set(table["passage"]) >= {
        "Abstract",
        "Methods",
        "Results",
        "Table 1",
        "Table 2",
        "Discussion",
    }
    assert (table["status"] == "claimed").sum() > 150 and (table["status"] == "declared").sum() > 0


@pytest.mark.parametrize("passage", paper.PASSAGES)
def test_a_number_added_anywhere_in_a_passage_is_found(review, monkeypatch, passage):
    """The class: a number inserted between any two words of any passage (seeded places) is
    unclaimed, whether or not it breaks a quote."""
    import random

    original = paper.passages()
    rng = random.Random(passage)
    body = next(p.text for p in original if p.name == passage)
    spaces = [i for i, c in enumerate(body) if c == " "] or [len(body)]
    for at in rng.sample(spaces, min(8, len(spaces))):
        changed = body[:at] + " 4217" + body[at:]
        monkeypatch.setattr(
            paper,
            "passages",
            lambda changed=changed: tuple(
                paper.Passage(p.name, changed if p.name == passage else p.text) for p in original
            ),
        )
        table = paper.coverage(review)
        found = table[(table["passage"] == passage) & (table["number"] == "4217")]
        # inside a citation bracket, or right after "Table" or "Fig.", it is masked by
        # rule; else unclaimed
        masked = any(pos == at + 1 for pos, _, _ in paper.masked_numbers(changed))
        assert list(found["status"]) == ["masked" if masked else "unclaimed"], (passage, at)
        before = changed[:at]
        assert masked == (
            before.rstrip().endswith(("Table", "Fig.")) or before.count("[") > before.count("]")
        )


def test_a_number_inside_a_quote_but_checked_by_no_claim_is_found():
    """The per-token rule catches what the quote rule let through: the other end of a
    range, a second n."""

    body = (
        "The concentration was increased from 3 to 10% over 2 weeks [48]; "
        "lotion ($n = 1$) and gel ($n = 1$)."
    )
    owned = paper.claimed_tokens(
        body, [("a", body, "10%"), ("b", "lotion ($n = 1$) and gel ($n = 1$)", "1")]
    )
    unclaimed = [number for pos, number in paper.numbers(body) if pos not in owned]
    assert unclaimed == [
        "3",
        "2",
        "1",
    ]  # the 48 is a citation; the first n = 1 is claimed, the second is not
    assert paper.token_run(body, "3/2") is None  # not a run of numbers of the quote


def _declaration(**changes) -> str:
    entry = {
        "passage": "Back matter",
        "quote": "Creative Commons Attribution 4.0 International License",
        "numbers": ["4.0"],
        "kind": "licence",
        "reason": "The licence.",
    } | changes
    import yaml

    return yaml.safe_dump([entry], allow_unicode=True, sort_keys=False)


@pytest.mark.parametrize(
    "changes, rule, column",
    [
        ({"passage": "Preface"}, "declaration well formed", "passage"),
        ({"kind": "colour"}, "declaration well formed", "kind"),
        ({"quote": "Creative Commons Attribution 5.0"}, "quote in the paper", "quote"),
        ({"passage": "Methods"}, "quote in the paper", "quote"),
        ({"numbers": ["4"]}, "declared numbers", "numbers"),
        ({"numbers": ["4.0", "4.0"]}, "declared numbers", "numbers"),
        ({"numbers": [4.0]}, "declaration well formed", "numbers"),
        ({"reason": ""}, "declaration well formed", "reason"),
        ({"colour": "red"}, "declaration well formed", "colour"),
        # a number a claim checks cannot be declared away
        (
            {
                "passage": "Abstract",
                "quote": "A total of 40 studies",
                "numbers": ["40"],
                "kind": "identifier",
            },
            "claimed or declared once",
            "numbers",
        ),
    ],
)
def test_a_bad_declaration_is_refused_naming_line_and_key(data_copy, changes, rule, column):
    from helpers import load_review

    (data_copy / "non_claims.yaml").write_text(_declaration(**changes), encoding="utf-8")
    with pytest.raises(DataValidationError) as info:
        load_review(data_copy, cache=False)
    (problem,) = info.value.problems
    assert (problem.file, problem.rule, problem.column) == ("non_claims.yaml", rule, column), (
        problem
    )


def test_a_number_declared_twice_is_refused(data_copy):
    from helpers import load_review

    text = _declaration() + _declaration()
    (data_copy / "non_claims.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(DataValidationError) as info:
        load_review(data_copy, cache=False)
    (problem,) = info.value.problems
    second = text.splitlines().index("- passage: Back matter", 1) + 1
    assert (
        problem.rule == "claimed or declared once"
        and problem.row > second
        and "line 1" in problem.message
    )


@pytest.mark.parametrize(
    "old, new, rule, column",
    [
        (
            'quote: "A total of 40 studies including 136 patients were analysed."\n'
            '  reported: "40"',
            'quote: "A total of 40 studies including 136 patients were analysed!"\n'
            '  reported: "40"',
            "quote in the paper",
            "quote",
        ),
        (
            "  section: Abstract\n  topic: extraction\n"
            '  quote: "A total of 40 studies including 136 patients were analysed."\n'
            '  reported: "40"',
            "  section: Discussion\n  topic: extraction\n"
            '  quote: "A total of 40 studies including 136 patients were analysed."\n'
            '  reported: "40"',
            "quote in the paper",
            "quote",
        ),
        (
            'quote: "A total of 40 studies including 136 patients were analysed."\n'
            '  reported: "40"',
            'quote: "A total of 40 studies including 136 patients were analysed."\n'
            '  reported: "41"',
            "reported in the quote",
            "reported",
        ),
    ],
)
def test_a_claim_whose_quote_is_not_in_its_passage_is_refused(data_copy, old, new, rule, column):
    """A claim quotes its own passage verbatim, and its reported value is a run of
    the quote's numbers."""
    from helpers import load_review

    path = data_copy / "claims.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(DataValidationError) as info:
        load_review(data_copy, cache=False)
    (problem,) = info.value.problems
    assert (problem.file, problem.rule, problem.column) == ("claims.yaml", rule, column), problem


def test_every_number_of_table2_is_audited(review):
    """Each number printed in a Table 2 cell is the reported value of some audit row."""
    import re

    audit = claims.table2_audit(review)
    for modality, row in review.paper_table2.iterrows():
        label = row["row_label"]
        for column in (
            "n",
            "largest_diameter",
            "frequency",
            "treatment_duration",
            "time_to_first_improvement",
            "response_rates",
            "adverse_events",
        ):
            printed = re.sub(r"\^[a-z]", "", str(row[column]))
            reported = " ".join(
                audit[audit["quote"].str.startswith(f"{label}, {column.replace('_', ' ')}:")][
                    "reported"
                ]
            )
            for number in re.findall(r"\d+(?:\.\d+)?", printed):
                assert re.search(rf"(?<![\d.]){re.escape(number)}(?![\d.])", reported), (
                    modality,
                    column,
                    number,
                )


@pytest.mark.parametrize(
    "computation, args, reported",
    [
        ("n_studies", "{}", "39/48"),
        ("n_patients", "{}", "21:90"),
        ("largest_diameter", "{refs: [18]}", "2–24"),
        ("response", "{categories: [complete], modality: eswl}", "2–24"),
        ("response", "{categories: [complete]}", "21:90"),
        (
            "pooled_duration",
            "{measure: treatment_duration, statistic: range, modality: eswl}",
            "40",
        ),
    ],
)
def test_a_printed_form_its_computation_cannot_give_is_refused(
    data_copy, computation, args, reported
):
    """A fraction printed for a count (and the like) is refused by the loader, not found by a
    crash in the audit."""
    from helpers import load_review

    with open(data_copy / "claims.yaml", "a", encoding="utf-8") as f:
        f.write(
            "\n- id: zz-form\n  section: Abstract\n  topic: extraction\n  quote: x\n"
            f"  reported: '{reported}'\n"
            f"  computation: {computation}\n  args: {args}\n"
        )
    with pytest.raises(DataValidationError) as info:
        load_review(data_copy, cache=False)
    (problem,) = info.value.problems
    assert (problem.rule, problem.column) == (
        "claim well formed",
        "reported",
    ) and "is printed as a" in problem.message


def test_every_computation_gives_what_the_register_declares(review):
    """Each computation named in the register returns the kind of result it is declared to give."""
    from helpers.analysis.table2 import Proportion
    from helpers.data.registers import result_kind

    seen = set()
    for claim in review.claims:
        if claim.computation is None:
            continue
        value = claims.COMPUTATIONS[claim.computation](review, **claim.args)
        kind = result_kind(claim.computation, claim.args)
        ok = {
            "count": isinstance(value, int) and not isinstance(value, bool),
            "number": isinstance(value, (int, float)),
            "proportion": isinstance(value, Proportion),
            "range": isinstance(value, tuple) and len(value) == 2,
            "percent": isinstance(value, (int, float)),
        }[kind]
        assert ok, (claim.id, kind, value)
        seen.add(claim.computation)
    assert seen == set(claims.COMPUTATIONS)  # every computation is exercised


def test_a_result_with_no_number_is_not_computable(review):
    """NaN or a proportion of nobody is not a discrepancy: the data give no number."""
    import dataclasses

    from helpers.data.registers import Claim

    empty = dataclasses.replace(
        review, studies=review.studies[review.studies["modality"] != "eswl"]
    )
    for computation, args, reported in (
        ("response", {"categories": ["complete"], "modality": "eswl"}, "9%"),
        (
            "pooled_duration",
            {"measure": "treatment_duration", "statistic": "median", "modality": "eswl"},
            "2.25",
        ),
    ):
        row = claims.evaluate(
            Claim("x", "Abstract", "x", reported, "outcomes", computation, args), empty
        )
        assert row["status"] == "not_computable" and "no number" in row["note"], row


@pytest.mark.parametrize("reported", [" 40", "40 ", "\t40", "\v40", "\x1c40", "\u202840", "\x8540"])
def test_a_reported_value_is_clean_text(data_copy, reported):
    import yaml

    from helpers import load_review

    path = data_copy / "claims.yaml"
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    entries[0]["reported"] = reported
    path.write_text(
        yaml.safe_dump(entries, allow_unicode=True, sort_keys=False, width=10_000), encoding="utf-8"
    )
    with pytest.raises(DataValidationError) as info:
        load_review(data_copy, cache=False)
    (problem,) = info.value.problems
    assert (problem.rule, problem.column) == ("clean text", "reported")


def test_every_table_cell_can_be_quoted_and_no_other_text(review):
    """Each cell of Tables 1 and 2, quoted as 'row | column | text', is accepted; with its text,
    row or column changed it is refused with the reason."""

    cells = paper.table_cells()
    assert len({r for t, r, _ in cells if t == "Table 1"}) == len(paper_text.table1_rows())
    for (table, row, column), text in cells.items():
        assert paper.cell_quote_problem(table, f"{row} | {column} | {text}") is None
        assert "prints" in paper.cell_quote_problem(table, f"{row} | {column} | {text}x")
        assert "has no cell" in paper.cell_quote_problem(table, f"{row}x | {column} | {text}")
        other = "Table 2" if table == "Table 1" else "Table 1"
        assert "has no cell" in paper.cell_quote_problem(other, f"{row} | {column} | {text}")


def test_a_claim_quoting_a_cell_the_table_does_not_print_is_refused(data_copy):
    from helpers import load_review

    path = data_copy / "claims.yaml"
    text = path.read_text(encoding="utf-8")
    old = '"Pavlov-Dolijanovic [58] | Median (range) treatment duration (months) | 22 weeks"'
    assert old in text
    path.write_text(
        text.replace(old, old.replace("22 weeks", "16 weeks")).replace(
            'reported: "22"\n  computation: sum', 'reported: "16"\n  computation: sum'
        ),
        encoding="utf-8",
    )
    with pytest.raises(DataValidationError) as info:
        load_review(data_copy, cache=False)
    (problem,) = info.value.problems
    assert (problem.rule, problem.column) == (
        "quote in the paper",
        "quote",
    ) and "'22 weeks'" in problem.message


@pytest.mark.parametrize("seed", range(6))
def test_any_study_whose_response_is_inferred_makes_the_numbers_it_feeds_dependent(review, seed):
    """The class behind Sparsa [11]: any study marked as having its response from Table 2 is
    withdrawn; every audit row that moves depends on it, and exactly those that reproduced only
    with it are circular."""
    import dataclasses
    import random

    from helpers.analysis import inferences
    from helpers.analysis import table2 as oc

    rng = random.Random(seed)
    review = review.paper_edition()  # the audit's own edition
    per_patient = review.outcomes.index[review.outcomes["response_unit"] == "patients"]
    ref = rng.choice(sorted(per_patient))
    outcomes = review.outcomes.copy()
    outcomes["response_source"] = "table1"
    outcomes.loc[ref, "response_source"] = "table2"
    marked = dataclasses.replace(review, outcomes=outcomes)
    table = claims.audit(marked).set_index("claim_id")
    (inference,) = [i for i in inferences.INFERENCES if i.table == "outcomes"]
    base = claims._evaluate_all(marked, marked.claims, None).set_index("claim_id")
    without = claims._evaluate_all(
        inferences.withdraw(marked, inference), marked.claims, None
    ).set_index("claim_id")
    moved = (base["recomputed"] != without["recomputed"]) | (base["status"] != without["status"])
    named = table["depends_on"].str.contains("response_source=table2", regex=False)
    assert set(named[named].index) == set(moved[moved].index), ref
    circular = moved & (base["status"] == "reproduced") & (without["status"] != "reproduced")
    assert set(table.index[table["status"] == "circular"]) >= set(circular[circular].index)
    assert all(table.loc[c, "note"].startswith("Circular: ") for c in circular[circular].index)
    modality = review.studies.loc[ref, "modality"]
    group = next(g for g, members in oc.table2_groups(review).items() if modality in members)
    unknown = claims.table2_claim_id(group, "response_rates", "unknown")
    if (
        int(review.outcomes.loc[ref, "unknown_response"]) < int(review.studies.loc[ref, "n_cases"])
        and unknown in table.index
    ):
        assert named[unknown], (ref, unknown)
