"""The data reproduce the paper's totals: studies, patients, and patients per modality.

The paper's numbers are not typed in here: they come from the claims register
(``data/claims.yaml``) and the paper's Table 2 as printed (``data/paper_table2.csv``).
"""

from __future__ import annotations

import pytest

from helpers import load_review
from helpers.analysis import summary
from helpers.analysis.claims import parse_reported

CLAIMS = {c.id: c for c in load_review().claims}


@pytest.fixture(scope="module")
def review():
    """The paper's edition: its totals describe the studies it included, whatever is added."""
    return load_review().paper_edition()


def reported(claim_id: str) -> int:
    (value,) = parse_reported(CLAIMS[claim_id].reported).value
    return int(value)


def test_number_of_studies(review):
    assert review.n_studies == reported("abstract-studies")
    assert summary.n_studies(review) == reported("selection-included-studies")


def test_number_of_patients(review):
    assert review.n_patients == reported("abstract-patients") == reported("patients-total")


@pytest.mark.parametrize(
    "modality",
    [
        "topical_sts",
        "intralesional_sts",
        "co2_laser",
        "er_yag_laser",
        "diode_laser",
        "picosecond_co2_laser",
        "eswl",
        "eswl_intralesional_sts",
        "picosecond_laser_topical_sts",
    ],
)
def test_patients_per_modality_as_in_table2(modality, review):
    assert summary.n_patients(review, modality=modality) == review.paper_table2.loc[modality, "n"]


def test_every_modality_of_table2_is_checked(review):
    assert set(review.paper_table2.index) == set(review.modalities.index)


def test_table2_n_adds_up_to_the_total(review):
    assert review.paper_table2["n"].sum() == reported("abstract-patients")


@pytest.mark.parametrize(
    "claim_id", ["patients-systemic-sclerosis", "patients-dermatomyositis", "patients-overlap"]
)
def test_underlying_diseases_as_stated(claim_id, review):
    claim = CLAIMS[claim_id]
    assert summary.patients_with_disease(review, **claim.args) == reported(claim_id)


def test_by_modality_agrees_with_table2_everywhere(review):
    table = summary.by_modality(review)
    assert table["matches"].all(), table[~table["matches"]]
    assert table.loc["total", "patients"] == review.n_patients
    assert table.loc["total", "studies"] == review.n_studies
