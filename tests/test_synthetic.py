"""The synthetic reviews used for scale: valid, k times the size, the same for the same seed."""

from __future__ import annotations

from helpers import load_review
from helpers.data import synthetic
from helpers.data.digests import data_checksum
from helpers.validate import validate_folder


def test_ten_times_the_review_is_valid_and_ten_times_the_size(tmp_path, review):
    folder = synthetic.make_review(tmp_path / "data", 10)
    big, _ = validate_folder(folder)
    assert big.n_studies == 10 * review.n_studies
    assert big.n_patients == 10 * review.n_patients
    assert set(big.studies["modality"]) == set(review.studies["modality"])


def test_same_seed_same_data(tmp_path):
    a = synthetic.make_review(tmp_path / "a", 3)
    b = synthetic.make_review(tmp_path / "b", 3)
    assert data_checksum(a) == data_checksum(b)
    c = synthetic.make_review(tmp_path / "c", 3, seed=1)
    assert data_checksum(c) != data_checksum(a)


def test_factor_one_is_the_real_review(tmp_path, review):
    assert load_review(synthetic.make_review(tmp_path / "data", 1)).checksum == review.checksum
