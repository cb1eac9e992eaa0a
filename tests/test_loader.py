"""The loader's API: what a researcher gets from ``load_review``."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from helpers import DataValidationError, Review, load_review
from helpers.data.dictionary import TABLES, read_descriptor
from helpers.data.digests import data_checksum
from helpers.data.units import parse_frequency, to_months


def test_tables_are_dataframes_keyed_by_ref(review):
    for name in ("studies", "outcomes", "diseases", "durations", "references"):
        table = getattr(review, name)
        assert isinstance(table, pd.DataFrame)
        assert table.index.name == "ref", name
    assert (
        review.studies.index.is_unique
        and review.outcomes.index.is_unique
        and review.references.index.is_unique
    )
    assert review.adverse_events.index.name == "event_id"


def test_every_study_table_covers_every_study(review):
    refs = set(review.studies.index)
    assert set(review.outcomes.index) == refs
    assert set(review.diseases.index) == refs
    assert set(review.durations.index) == refs
    assert refs <= set(review.references.index)


def test_columns_are_typed(review):
    s = review.studies
    assert s["n_cases"].dtype == "Int64"
    assert s["largest_diameter_cm"].dtype == "float64"
    assert s["design_stated"].dtype == "boolean"
    assert all(isinstance(v, list) or v is None for v in s["lesion_locations"])
    assert all(isinstance(v, list) for v in review.adverse_events["refs"])


def test_studies_carry_year_journal_and_doi_from_the_reference_list(review):
    for ref, row in review.studies.iterrows():
        reference = review.references.loc[ref]
        assert row["year"] == reference["year"]
        assert row["journal"] == reference["journal"]
        assert (pd.isna(row["doi"]) and pd.isna(reference["doi"])) or row["doi"] == reference["doi"]


def test_durations_in_months_follow_the_conversion_rule(review):
    d = review.durations
    for row in d.itertuples():
        for col in ("value", "low", "high"):
            raw, months = getattr(row, col), getattr(row, f"{col}_months")
            if pd.isna(raw):
                assert math.isnan(months)
            else:
                assert months == pytest.approx(to_months(raw, row.unit))


def test_frequency_is_normalised_from_its_text(review):
    for ref, row in review.studies.iterrows():
        f = parse_frequency(row["frequency"] if isinstance(row["frequency"], str) else None)
        for attr in (
            "sessions_per_month_low",
            "sessions_per_month_high",
            "total_sessions_low",
            "total_sessions_high",
        ):
            expected, got = getattr(f, attr), row[attr]
            assert (math.isnan(expected) and math.isnan(got)) or expected == got, (ref, attr)


def test_repr_names_counts_and_checksum(review):
    text = repr(review)
    assert f"{review.n_studies} studies" in text and f"{review.n_patients} patients" in text
    assert review.checksum[:12] in text
    assert "from data," in text  # the project's data print as a relative path


def test_loads_from_another_folder(data_copy):
    other = load_review(data_copy)
    assert isinstance(other, Review)
    assert other.data_dir == data_copy
    assert other.checksum == load_review().checksum  # same files, same checksum


def test_checksum_changes_with_any_byte(data_copy):
    before = data_checksum(data_copy)
    path = data_copy / "references.csv"
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert data_checksum(data_copy) != before


def test_checksum_ignores_hidden_files(data_copy):
    before = data_checksum(data_copy)
    (data_copy / ".DS_Store").write_bytes(b"\0")
    assert data_checksum(data_copy) == before


def test_every_table_is_described_in_the_dictionary():
    described = {r["name"] for r in read_descriptor()["resources"]}
    assert set(TABLES) == described


def test_every_column_has_a_description():
    for res in read_descriptor()["resources"]:
        assert res.get("description"), res["name"]
        for f in res["schema"]["fields"]:
            assert str(f.get("description", "")).strip(), (
                f"{res['name']}.{f['name']} has no description"
            )


def test_count_columns_declare_their_unit():
    for res in read_descriptor()["resources"]:
        for f in res["schema"]["fields"]:
            if f["type"] == "integer" and f["name"] not in ("ref", "year", "order", "question"):
                assert f.get("unit") in ("patients", "lesions", "records"), (
                    f"{res['name']}.{f['name']} has no unit"
                )


def test_errors_report_every_problem_of_a_stage(data_copy):
    """Two broken rows give two problems in one message, not one at a time."""
    path = data_copy / "outcomes.csv"
    text = path.read_text(encoding="utf-8")
    text = text.replace("32,patients,2,4,0,0", "32,patients,2,3,0,0").replace(
        "59,patients,1,0,0,0", "59,patients,2,0,0,0"
    )
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataValidationError) as info:
        load_review(data_copy)
    assert sorted(p.ref for p in info.value.problems) == [32, 59]
    assert str(info.value).count("outcome counts add up") == 2


def test_cached_load_is_the_same_review(data_copy):
    fresh = load_review(data_copy, cache=False)
    first, again = load_review(data_copy), load_review(data_copy)
    for name in ("studies", "outcomes", "diseases", "durations", "adverse_events", "references"):
        assert getattr(again, name).equals(getattr(fresh, name))
    assert again.data_dir == data_copy and first.checksum == fresh.checksum


def test_cache_never_hides_a_change(data_copy):
    load_review(data_copy)  # cached
    path = data_copy / "outcomes.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace("32,patients,2,4,0,0", "32,patients,2,3,0,0"),
        encoding="utf-8",
    )
    with pytest.raises(DataValidationError, match="outcome counts add up"):
        load_review(data_copy)


def test_the_cache_lives_where_the_environment_says_and_keeps_the_newest(
    tmp_path, monkeypatch, data_copy
):
    """$CALCINOSIS_CACHE_DIR moves the cache; writing more entries than it keeps
    removes the oldest."""
    import os

    from helpers.data import cache

    folder = tmp_path / "cache"
    project_cache = set(cache.CACHE_DIR.glob("*")) if cache.CACHE_DIR.exists() else set()
    monkeypatch.setenv(cache.CACHE_ENV, str(folder))
    monkeypatch.setattr(cache, "CACHE_KEEP", 2)
    assert cache.cache_dir() == folder
    for n in range(4):  # four old entries, oldest first
        old = folder / f"review-old{n}.pickle"
        folder.mkdir(exist_ok=True)
        old.write_bytes(b"x")
        os.utime(old, (1_000_000 + n, 1_000_000 + n))
    load_review(data_copy)
    kept = sorted(p.name for p in folder.glob("review-*.pickle"))
    assert len(kept) == 2 and "review-old3.pickle" in kept
    assert not {"review-old0.pickle", "review-old1.pickle"} & set(kept)
    assert (set(cache.CACHE_DIR.glob("*")) if cache.CACHE_DIR.exists() else set()) == project_cache
