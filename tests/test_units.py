"""The paper's unit rules: weeks to months (Table 2's rule) and treatment frequencies."""

from __future__ import annotations

import math

import pytest

from helpers.data.units import MONTHS_PER_UNIT, WEEKS_PER_MONTH, parse_frequency, to_months


@pytest.mark.parametrize(
    "value, unit, months",
    [
        (2, "weeks", 0.5),
        (1, "weeks", 0.25),
        (9, "weeks", 2.25),
        (22, "weeks", 5.5),
        (3, "months", 3.0),
        (7, "years", 84.0),
    ],
)
def test_to_months_uses_four_weeks_per_month(value, unit, months):
    """The pairs are Table 2's own conversions (2 weeks -> 0.5, 22 weeks -> 5.5, ...)."""
    assert to_months(value, unit) == pytest.approx(months)


def test_the_rule_is_the_one_table2_implies(review):
    """Table 2's ESWL + intralesional STS duration is Pavlov-Dolijanovic's 22 weeks in months."""
    printed = float(review.paper_table2.loc["eswl_intralesional_sts", "treatment_duration"])
    (only,) = review.studies.index[review.studies["modality"] == "eswl_intralesional_sts"]
    row = review.durations.loc[[only]].set_index("measure").loc["treatment_duration"]
    assert row["unit"] == "weeks"
    assert row["value"] / WEEKS_PER_MONTH == printed


def test_missing_values_stay_missing():
    assert math.isnan(to_months(None, "weeks"))
    assert math.isnan(to_months(float("nan"), "weeks"))


def test_unknown_unit_is_an_error():
    with pytest.raises(ValueError, match="unknown time unit 'fortnights'"):
        to_months(1, "fortnights")


@pytest.mark.parametrize(
    "text, per_month, sessions",
    [
        ("Twice a day", (2 * 7 * WEEKS_PER_MONTH,) * 2, None),
        ("Once a week", (WEEKS_PER_MONTH,) * 2, None),
        ("Once a month", (1, 1), None),
        ("Once every 2 weeks", (WEEKS_PER_MONTH / 2,) * 2, None),
        ("Twice or three times a day", (2 * 28, 3 * 28), None),
        ("Once or twice a week", (4, 8), None),
        ("Twice a week/month", (2, 8), None),
        ("Twice a week to three times a day", (8, 84), None),
        ("Single session", None, (1, 1)),
        ("Two or three sessions", None, (2, 3)),
        ("One to three sessions", None, (1, 3)),
        ("Single session or once a week", (4, 4), (1, 1)),
    ],
)
def test_frequency_forms(text, per_month, sessions):
    f = parse_frequency(text)
    got_rate = (
        None
        if math.isnan(f.sessions_per_month_low)
        else (f.sessions_per_month_low, f.sessions_per_month_high)
    )
    got_sessions = (
        None if math.isnan(f.total_sessions_low) else (f.total_sessions_low, f.total_sessions_high)
    )
    assert got_rate == (None if per_month is None else pytest.approx(per_month))
    assert got_sessions == sessions
    assert f.text == text


@pytest.mark.parametrize("text", [None, "", float("nan")])
def test_not_reported_frequency(text):
    f = parse_frequency(text)
    assert (
        f.text == "" and math.isnan(f.sessions_per_month_low) and math.isnan(f.total_sessions_low)
    )


@pytest.mark.parametrize("text", ["Whenever it hurts", "Twice", "Once a fortnight", "a day"])
def test_unreadable_frequency_lists_the_forms(text):
    with pytest.raises(ValueError, match="forms understood"):
        parse_frequency(text)


def test_month_constants_are_consistent():
    assert MONTHS_PER_UNIT["weeks"] * WEEKS_PER_MONTH == 1
    assert MONTHS_PER_UNIT["days"] * 7 == MONTHS_PER_UNIT["weeks"]
