"""The summary functions: filters, errors, and tables that add up."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers.analysis import summary


def test_filters_combine(review):
    both = summary.select_studies(review, family="sts", publication_type="conference_abstract")
    assert set(both["family"]) == {"sts"} and set(both["publication_type"]) == {
        "conference_abstract"
    }
    assert len(both) < summary.n_studies(review, family="sts")


def test_refs_select_studies(review):
    refs = list(review.studies.index[:3])
    assert summary.n_patients(review, refs=refs) == int(review.studies.loc[refs, "n_cases"].sum())


def test_unknown_filter_is_named(review):
    with pytest.raises(ValueError, match=r"cannot filter studies on \['colour'\]"):
        summary.n_studies(review, colour="red")


def test_unknown_ref_is_named(review):
    with pytest.raises(ValueError, match=r"not included studies: \[999\]"):
        summary.n_studies(review, refs=[999])


def test_unknown_disease_is_named(review):
    with pytest.raises(ValueError, match="unknown diseases"):
        summary.patients_with_disease(review, ["Gout"])


def test_by_design_adds_up(review):
    table = summary.by_design(review)
    assert table["studies"].sum() == review.n_studies
    assert table["patients"].sum() == review.n_patients
    assert (table["cited_in_text"] + table["inferred"] == table["studies"]).all()


def test_inferred_designs_are_single_patient_case_reports(review):
    review = review.paper_edition()  # the paper's sentence on designs
    inferred = review.studies[~review.studies["design_stated"]]
    assert set(inferred["design"]) == {"case_report"}
    assert (inferred["n_cases"] == 1).all()


def test_by_publication_type_adds_up(review):
    table = summary.by_publication_type(review)
    assert (
        table["studies"].sum() == review.n_studies and table["patients"].sum() == review.n_patients
    )


def test_by_disease_category_adds_up(review):
    assert summary.by_disease_category(review)["patients"].sum() == review.n_patients
    assert summary.by_disease(review)["patients"].sum() == review.n_patients


def test_by_modality_flags_a_disagreement(data_copy):
    """A study added to a modality makes its row disagree with the printed Table 2."""
    from helpers import load_review

    from tests_support import add_study

    before = summary.by_modality(load_review(data_copy))
    add_study(data_copy, modality="eswl", n_cases=3)
    table = summary.by_modality(load_review(data_copy))
    assert not table.loc["eswl", "matches"]
    others = ["eswl", "total"]
    pd.testing.assert_series_equal(
        table.drop(index=others)["matches"], before.drop(index=others)["matches"]
    )


def test_a_count_of_zero_for_one_patient_prints_nothing(data_copy):
    """Table 1 prints "pain free" for a single patient who was; a count of 0 must not
    read as if he was."""
    from helpers import load_review
    from helpers.analysis import table1

    from tests_support import read_rows, reseal, write_rows

    rows = read_rows(data_copy / "outcomes.csv")
    h = rows[0]
    row = next(r for r in rows[1:] if r[h.index("ref")] == "59")
    row[h.index("pain_free")] = "0"
    write_rows(data_copy / "outcomes.csv", rows)
    reseal(data_copy)
    table = table1.render(load_review(data_copy, cache=False))
    assert (
        not table.astype(str)
        .apply(lambda c: c.str.contains("pain free"))
        .loc[table.astype(str).apply(lambda c: c.str.contains("Abbott")).any(axis=1)]
        .any()
        .any()
    )
