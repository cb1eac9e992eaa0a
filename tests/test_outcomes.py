"""The rules of Table 2 (helpers.analysis.table2), each on the real data or a synthetic study."""

from __future__ import annotations

import math
import random

import numpy as np
import pandas as pd
import pytest

from helpers import DataValidationError, load_review
from helpers.analysis import computations, readings
from helpers.analysis import table2 as oc

from tests_support import add_study


@pytest.mark.parametrize(
    "x, decimals, expected",
    [(62.5, 0, 63), (24.5, 0, 25), (6.25, 0, 6), (2.25, 1, 2.3), (80.49, 0, 80)],
)
def test_round_half_up(x, decimals, expected):
    assert oc.round_half_up(x, decimals) == expected


def test_lasers_pool_in_the_co2_row(review):
    groups = oc.table2_groups(review)
    lasers = sorted(review.modalities.index[review.modalities["family"] == "laser"])
    assert sorted(groups["co2_laser"]) == lasers
    assert all(len(members) == 1 for row, members in groups.items() if row != "co2_laser")


def test_lesion_level_study_counts_as_unknown(review):
    """Footnote d: Bottomley's patients, reported per lesion, are unknown responses."""
    lesion_refs = review.outcomes.index[review.outcomes["response_unit"] == "lesions"]
    assert len(lesion_refs) == 1
    modality = review.studies.loc[lesion_refs[0], "modality"]
    counts = oc.response_counts(review, [modality])
    with_lesions = int(review.studies.loc[lesion_refs, "n_cases"].sum())
    patient_level = review.outcomes.loc[
        review.studies.index[(review.studies["modality"] == modality)]
    ]
    patient_level = patient_level[patient_level["response_unit"] == "patients"]
    assert counts["unknown"].events == with_lesions + int(patient_level["unknown_response"].sum())
    assert sum(p.events for p in counts.values()) == counts["complete"].total


def _determined(statistic: str, printed: tuple, n: int) -> list[float]:
    """Brute force: the sorted patient values every vector consistent with the
    printed numbers shares.

    Every sorted vector of ``n`` values on a quarter grid (finer than the integers the
    true values are drawn from) that prints the same summary is listed; a position whose
    value is the same in all of them is exactly determined.
    """
    import itertools

    value, low, high = printed
    grid = [x / 4 for x in range(0, 17)]
    has_range = not math.isnan(low)
    pool = [g for g in grid if not has_range or low <= g <= high]
    consistent = []
    for xs in itertools.combinations_with_replacement(pool, n):
        if has_range and (xs[0] != low or xs[-1] != high):
            continue
        if statistic == "median" and not math.isclose(float(np.median(xs)), value):
            continue
        if statistic == "mean" and not math.isclose(sum(xs), n * value, abs_tol=1e-9):
            continue
        consistent.append(xs)
    assert consistent
    return [consistent[0][i] for i in range(n) if len({xs[i] for xs in consistent}) == 1]


def _expand(pairs) -> list[float]:
    return sorted(v for v, k in pairs for _ in range(k))


STUDY_CASES = []
for seed in range(240):
    rng = random.Random(seed)
    statistic = rng.choice(["median", "mean", "range"])
    n = rng.randint(1 if statistic != "range" else 2, 6 if statistic != "median" or seed % 2 else 5)
    truth = sorted(rng.randint(1, 3) for _ in range(n))
    with_range = statistic == "range" or rng.random() < 0.7
    STUDY_CASES.append((seed, statistic, truth, with_range))


@pytest.mark.parametrize(
    "seed, statistic, truth, with_range", STUDY_CASES, ids=[f"seed{c[0]}" for c in STUDY_CASES]
)
def test_a_studys_values_are_those_its_printed_numbers_fix_then_the_imputed(
    seed, statistic, truth, with_range
):
    """Seeded random patients, summarised as Table 1 prints them, against a brute-force search.

    The strict reading returns exactly the values every consistent set of patients shares,
    then the mean for the others when a mean is printed; the project's reading also gives
    the others the printed median, so every patient is counted and the median is kept.
    """
    n = len(truth)
    value = (
        float(np.median(truth))
        if statistic == "median"
        else sum(truth) / n
        if statistic == "mean"
        else math.nan
    )
    low, high = (float(truth[0]), float(truth[-1])) if with_range else (math.nan, math.nan)
    determined = _determined(statistic, (value, low, high), n)
    missing = n - len(determined)
    imputed = [value] * missing if statistic == "mean" and missing else []
    strict = oc.study_values(statistic, value, low, high, n, impute_median=False)
    assert _expand(strict) == sorted(determined + imputed), (truth, statistic, with_range)
    project = oc.study_values(statistic, value, low, high, n)
    if statistic == "range":
        assert _expand(project) == sorted(determined)
    else:
        extra = [value] * missing if statistic == "median" else imputed
        assert _expand(project) == sorted(determined + extra)
        assert sum(k for _, k in project) == n
    if statistic == "median":
        assert math.isclose(float(np.median(_expand(project))), value)


@pytest.mark.parametrize("seed", range(100))
def test_pooled_durations_are_the_median_and_extremes_of_every_patients_value(review, seed):
    """Seeded random Table 1 durations (units, statistics, ranges, qualifiers): the pooled cell
    against a list of every patient's value built by hand, under both readings."""
    import dataclasses

    rng = random.Random(seed)
    d = review.durations.copy()
    for i in range(len(d)):
        if d["measure"].iat[i] != "treatment_duration" or rng.random() < 0.4:
            continue
        statistic = rng.choice(["value", "median", "mean", "range"])
        lo, hi = sorted(rng.sample(range(1, 30), 2))
        with_range = statistic == "range" or rng.random() < 0.5
        changes = {
            "status": "reported",
            "statistic": statistic,
            "unit": rng.choice(["days", "weeks", "months", "years"]),
            "qualifier": ">" if rng.random() < 0.1 else np.nan,
            "value": np.nan if statistic == "range" else float(rng.randint(lo, hi)),
            "low": float(lo) if with_range else np.nan,
            "high": float(hi) if with_range else np.nan,
        }
        for column, value in changes.items():
            d.iloc[i, d.columns.get_loc(column)] = value
    review = dataclasses.replace(review, durations=d)
    for chosen in (readings.PROJECT, readings.STRICT):
        under = readings.using(review, chosen)
        for modality in review.modalities.index:
            pooled = oc.duration_summary(under, "treatment_duration", [modality])
            patients = []
            for ref, d in review.durations[
                review.durations["measure"] == "treatment_duration"
            ].iterrows():
                if (
                    review.studies.loc[ref, "modality"] != modality
                    or d["status"] != "reported"
                    or not pd.isna(d["qualifier"])
                ):
                    continue
                factor = (
                    {"days": 1 / 28, "weeks": 1 / 4, "months": 1, "years": 12}[d["unit"]]
                    if "four-week-month" in chosen
                    else {"days": 12 / 365.25, "weeks": 84 / 365.25, "months": 1, "years": 12}[
                        d["unit"]
                    ]
                )
                patients += _expand(
                    oc.study_values(
                        d["statistic"],
                        d["value"] * factor,
                        d["low"] * factor,
                        d["high"] * factor,
                        int(review.studies.loc[ref, "n_cases"]),
                        impute_median="median-imputed" in chosen,
                    )
                )
            if pooled.status != "reported":
                assert not patients
                continue
            assert math.isclose(pooled.median, float(np.median(patients)))
            assert math.isclose(pooled.low, min(patients)) and math.isclose(
                pooled.high, max(patients)
            )
            assert pooled.patients == len(patients)


def test_every_kept_reading_moves_some_number_and_strict_is_the_papers_method(review):
    """Each reading the project keeps changes some Table 2 cell or claim when withdrawn (else it is
    not a rule of this review), and the registry names its alternative and its reason."""
    from helpers.analysis import claims

    audit = claims.audit(review)
    for reading in readings.READINGS:
        assert audit["depends_on"].str.contains(f"reading: {reading.name}", regex=False).any(), (
            reading.name
        )
        assert reading.paper_says and reading.strict_does and reading.why
        assert "reproduce" not in reading.why.lower(), (
            reading.name
        )  # never kept because a cell then reproduces
    assert set(audit.loc[audit["reading"] != "", "depends_on"].str.contains("reading: ")) == {True}


def test_no_value_prints_na_or_nr(review):
    laser = oc.duration_summary(review, "treatment_duration", ["co2_laser"])
    assert laser.status == "not_applicable" and str(laser) == "N/A"
    combined = oc.duration_summary(review, "time_to_first_improvement", ["eswl_intralesional_sts"])
    assert combined.status == "not_reported" and str(combined) == "N/R"


def test_frequency_ranks_sessions_below_rates():
    low, high = oc.frequency_range(["Once a week", "Single session", "Once a month"])
    assert (low.phrase, high.phrase) == ("single session", "once a week")
    assert oc.format_frequency((low, high)) == "Single session to once a week"
    assert oc.format_frequency(None) == "N/R"


def test_largest_diameter_keeps_its_qualifier(review):
    eswl = oc.diameter_summary(review, ["eswl"])
    values = review.studies.loc[review.studies["modality"] == "eswl", "largest_diameter_cm"]
    assert eswl.value == values.max() and str(eswl).startswith(eswl.qualifier)
    assert str(oc.diameter_summary(review, ["diode_laser"])) == "N/R"


def test_table2_numbers_agree_with_the_printed_version(review):
    numbers, printed = oc.table2(review), oc.table2_printed(review)
    assert (
        list(numbers.index)
        == list(printed.index)
        == list(review.modalities.sort_values("order").index)
    )
    assert numbers["n"].sum() == review.n_patients
    assert (numbers["n"].astype(str) == printed["n"]).all()
    pooled = numbers.dropna(subset=["complete_total"])
    for key in oc.RESPONSE_CATEGORIES:
        assert (pooled[f"{key}_n"] <= pooled[f"{key}_total"]).all()
    assert (sum(pooled[f"{k}_n"] for k in oc.RESPONSE_CATEGORIES) == pooled["complete_total"]).all()


def test_every_table2_discrepancy_is_explained(review):
    table = oc.compare_table2(review)
    assert set(table["status"]) <= {"reproduced", "discrepancy", "not_computable"}
    unexplained = table[(table["status"] == "discrepancy") & (table["note"] == "")]
    assert unexplained.empty, unexplained


def test_a_note_on_no_cell_is_refused_by_the_loader(data_copy):
    with open(data_copy / "table2_notes.yaml", "a", encoding="utf-8") as f:
        f.write(
            "\n- {modality: eswl, column: response_rates, part: sideways, note: no such part}\n"
        )
    with pytest.raises(DataValidationError, match="eswl/response_rates has no part 'sideways'"):
        load_review(data_copy)


def test_a_malformed_note_is_refused_by_the_loader(data_copy):
    (data_copy / "table2_notes.yaml").write_text("- {modality: eswl}\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match="needs exactly modality, column, part, note"):
        load_review(data_copy)


def test_every_note_appears_in_the_comparison(review):
    """No note is lost: each one is attached to a row of the comparison."""
    table = oc.compare_table2(review)
    shown = set(zip(table["modality"], table["column"], table["part"], strict=True))
    assert set(review.table2_notes) <= shown


def test_a_study_added_changes_table2(data_copy):
    """The living review: a new ESWL study moves n, response and duration of the ESWL row."""
    earlier = oc.table2(load_review(data_copy))
    before = oc.compare_table2(load_review(data_copy)).set_index(["modality", "column", "part"])[
        "status"
    ]
    add_study(
        data_copy,
        modality="eswl",
        n_cases=4,
        complete=4,
        treatment_duration_months=12,
        diameter_cm=30,
    )
    review = load_review(data_copy)
    after = oc.compare_table2(review).set_index(["modality", "column", "part"])["status"]
    # the printed Table 2 is compared with the paper's edition, whatever an update adds
    pd.testing.assert_series_equal(after, before)
    paper = oc.table2(review.paper_edition())
    assert paper.loc["eswl", "n"] == review.paper_table2.loc["eswl", "n"]
    row = oc.table2(review).loc["eswl"]
    assert row["n"] == earlier.loc["eswl", "n"] + 4
    assert row["largest_diameter_cm"] == 30 and row["treatment_duration_high"] == 12
    assert after[("topical_sts", "n", "n")] == "reproduced"  # other rows untouched


def test_mean_duration_uses_the_same_patients_as_the_median(review):
    mean = computations.pooled_duration(
        review, "treatment_duration", "mean", modality="topical_sts"
    )
    pooled = oc.duration_summary(review, "treatment_duration", ["topical_sts"])
    assert pooled.low <= mean <= pooled.high and not math.isnan(mean)


def test_selection_errors_are_named(review):
    with pytest.raises(ValueError, match="no modality of family homeopathy"):
        computations.response_proportion(review, ["complete"], family="homeopathy")
    with pytest.raises(ValueError, match="unknown response categories"):
        computations.response_proportion(review, ["cured"], modality="eswl")
    with pytest.raises(ValueError, match="unknown adverse events"):
        computations.adverse_event_patients(review, ["nope"])


def test_disease_category_response_counts_only_single_category_studies(review):
    prop = computations.response_by_disease_category(review, "iatrogenic_idiopathic", ["complete"])
    cats = review.diseases.groupby(level="ref")["category"].agg(set)
    pure = [ref for ref, c in cats.items() if c == {"iatrogenic_idiopathic"}]
    assert prop.total == int(review.studies.loc[pure, "n_cases"].sum())
    assert prop.events == int(review.outcomes.loc[pure, "complete_response"].sum())
    with pytest.raises(ValueError, match="unknown disease category"):
        computations.response_by_disease_category(review, "gout", ["complete"])


def test_largest_resolved_lesion_comes_from_a_single_patient_study(review):
    value = computations.largest_diameter_complete_response(review)
    (ref,) = review.studies.index[
        (review.studies["largest_diameter_cm"] == value) & (review.studies["n_cases"] == 1)
    ]
    assert review.outcomes.loc[ref, "complete_response"] == 1
    bigger = review.studies[
        (review.studies["largest_diameter_cm"] > value) & (review.studies["n_cases"] == 1)
    ]
    assert not bigger.empty
    assert (review.outcomes.loc[bigger.index, "complete_response"].fillna(0) == 0).all()


def test_total_sessions_and_citations(review):
    lasers = ["co2_laser", "er_yag_laser", "diode_laser"]
    assert (
        computations.total_sessions(review, modalities=lasers)
        == review.studies.loc[review.studies["modality"].isin(lasers), "total_sessions_high"].max()
    )
    assert computations.n_cited(review, [35, 35, 44]) == 2


def test_response_extreme_picks_the_group(review):
    groups = [{"modality": "topical_sts"}, {"modality": "eswl"}]
    low = computations.response_extreme(review, "min", groups)
    high = computations.response_extreme(review, "max", groups)
    props = [computations.response_proportion(review, ["complete", "partial"], **g) for g in groups]
    assert low == min(props, key=lambda p: p.percent) and high == max(
        props, key=lambda p: p.percent
    )


def test_adverse_event_proportion_uses_the_selection_as_denominator(review):
    prop = computations.adverse_event_proportion(review, ["co2-scarring"], modality="co2_laser")
    assert prop.events == review.adverse_events.loc["co2-scarring", "patients"]
    assert (
        prop.total == review.studies.loc[review.studies["modality"] == "co2_laser", "n_cases"].sum()
    )
    everyone = computations.adverse_event_proportion(review, ["top-recurrence", "co2-recurrence"])
    assert everyone.total == review.n_patients
    with pytest.raises(ValueError, match="no number of patients"):
        computations.adverse_event_patients(review, ["il-discoloration"])


def test_the_patient_median_is_the_median_of_every_patient():
    """Against the brute-force answer (each study's value repeated for its patients), on
    seeded random studies; and without building that list when studies are huge."""
    import random

    import numpy as np

    rng = random.Random(20211)
    for _ in range(500):
        k = rng.randint(1, 8)
        values = [rng.choice([0.25, 0.5, 1.0, 2.0, 2.25, 3.9, 5.5, 12.0, 24.0]) for _ in range(k)]
        patients = [rng.randint(1, 9) for _ in range(k)]
        brute = [v for v, n in zip(values, patients, strict=True) for _ in range(n)]
        assert oc.patient_median(values, patients) == float(np.median(brute)), (values, patients)
    assert oc.patient_median([1.0, 2.0], [10**14, 10**14 + 1]) == 2.0


def test_adverse_events_of_a_row_are_counted_once_each():
    import pandas as pd

    events = pd.DataFrame(
        {
            "event": ["Infection", "infection", "Burn", "Scarring", "None"],
            "patients": pd.array([2, 3, None, 1, None], dtype="Int64"),
        }
    )
    assert oc.event_counts(events) == {
        "infection": ("Infection", "5"),
        "burn": ("Burn", "N/R"),
        "scarring": ("Scarring", "1"),
    }
    assert oc.event_counts(events[events["event"] == "None"]) == {"none": ("None", "0")}
    assert oc.format_adverse_events(events) == "Infection (5), burn (N/R), scarring (1)"
    assert oc.format_adverse_events(events.iloc[:0]) == "N/R"


def test_the_mean_uses_the_values_the_median_uses(data_copy):
    """A value with a qualifier (>, <) enters neither the median nor the mean."""
    from tests_support import read_rows, reseal, write_rows

    rows = read_rows(data_copy / "durations.csv")
    h = rows[0]
    for row in rows[1:]:
        if row[h.index("ref")] == "31" and row[h.index("measure")] == "treatment_duration":
            row[h.index("qualifier")] = ">"
    write_rows(data_copy / "durations.csv", rows)
    reseal(data_copy)
    review = load_review(data_copy, cache=False)
    assert 31 not in set(oc.pooled_values(review, "treatment_duration", ["topical_sts"])["ref"])
    values = oc.pooled_values(review, "treatment_duration", ["topical_sts"])
    expected = (values["months"] * values["patients"]).sum() / values["patients"].sum()
    assert (
        abs(
            computations.pooled_duration(
                review, "treatment_duration", "mean", modality="topical_sts"
            )
            - expected
        )
        < 1e-12
    )


def test_an_extreme_over_a_group_without_patients_is_not_computable(review):
    """A group with no patient has no percentage: ranking it would depend on the groups' order."""
    import dataclasses

    from helpers.data.errors import NotComputable

    without = dataclasses.replace(
        review, studies=review.studies[review.studies["modality"] != "diode_laser"]
    )
    for groups in (
        [{"modality": "topical_sts"}, {"modality": "diode_laser"}],
        [{"modality": "diode_laser"}, {"modality": "topical_sts"}],
    ):
        with pytest.raises(NotComputable, match="no patient in diode_laser"):
            computations.response_extreme(without, "min", groups)


def test_extremes_do_not_depend_on_the_groups_order(review):
    """Random orders of random sets of groups give the same extreme (ties go to
    the larger group)."""
    import random

    selections = [{"modality": m} for m in review.modalities.index] + [
        {"family": f} for f in review.families.index
    ]
    selections = [
        s
        for s in selections
        if computations.response_proportion(review, ["complete", "partial"], **s).total
    ]
    rng = random.Random(3)
    for _ in range(30):
        chosen = rng.sample(selections, rng.randint(2, 5))
        for extreme in ("min", "max"):
            for categories in (
                ("complete", "partial"),
                ("complete", "partial", "none", "unknown"),
                ("none",),
            ):
                orders = [chosen, chosen[::-1]] + [
                    rng.sample(chosen, len(chosen)) for _ in range(8)
                ]
                results = {
                    computations.response_extreme(review, extreme, list(order), categories)
                    for order in orders
                }
                assert len(results) == 1, (extreme, chosen, results)


def test_a_table2_row_without_studies_is_not_computable_where_the_paper_prints_a_number(review):
    import dataclasses

    empty = dataclasses.replace(
        review, studies=review.studies[review.studies["modality"] != "eswl"]
    )
    table = oc.compare_table2(empty)
    eswl = table[table["modality"] == "eswl"].set_index(["column", "part"])["status"]
    assert eswl[("n", "n")] == "discrepancy"  # 11 printed, 0 in the data: a count, and it differs
    assert eswl[("response_rates", "complete")] == "not_computable"
    assert eswl[("treatment_duration", "median")] == "not_computable"
    assert "nan" not in " ".join(table["recomputed"])
    assert oc.table2_printed(empty).loc["eswl", "response_rates"] == "N/R"


def test_a_claim_about_a_family_without_modalities_is_not_computable(data_copy):
    """The loader accepts moving every laser to another family; the laser claims
    then have no number."""
    from helpers.analysis import claims

    from tests_support import read_rows, reseal, write_rows

    rows = read_rows(data_copy / "vocabularies" / "modalities.csv")
    for row in rows[1:]:
        if row[1] == "laser":
            row[1] = "combined"
    write_rows(data_copy / "vocabularies" / "modalities.csv", rows)
    reseal(data_copy, "a test moves modalities between families")
    review = load_review(data_copy, cache=False)
    audit = claims.audit(review).set_index("claim_id")
    laser = [c.id for c in review.claims if c.args.get("family") == "laser"]
    assert laser and (audit.loc[laser, "status"] == "not_computable").all()
