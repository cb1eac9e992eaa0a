"""Reading the paper's printed Table 2 cells: the whole cell or nothing."""

from __future__ import annotations

import math

import pytest

from helpers.data import printed


@pytest.mark.parametrize(
    "text, parsed",
    [
        ("3.9 (0.3–24)", ("3.9", "0.3", "24")),
        ("5.5", ("5.5", None, None)),
        ("N/A ^c", ("N/A", None, None)),
        ("N/R", ("N/R", None, None)),
    ],
)
def test_durations(text, parsed):
    assert printed.parse_duration(text) == parsed


def test_response_and_adverse_event_cells():
    assert printed.parse_response("Complete, 57, 12/21 Partial, 14, 3/21 Unknown, 29, 6/21 ^d") == {
        "complete": ("57", 12, 21),
        "partial": ("14", 3, 21),
        "unknown": ("29", 6, 21),
    }
    assert printed.parse_adverse_events(
        "Infection (5), injection pain (6 ^b), skin discoloration (N/R)"
    ) == {
        "infection": "5",
        "injection pain": "6",
        "skin discoloration": "N/R",
    }
    assert printed.parse_adverse_events("None") == {"none": "0"}


def test_diameters():
    assert printed.parse_diameter("<20.0") == (20.0, "<")
    value, qualifier = printed.parse_diameter("N/R")
    assert math.isnan(value) and qualifier == ""


@pytest.mark.parametrize(
    "reader, text",
    [
        (printed.parse_duration, "3.9 (0.3-24) extra"),
        (printed.parse_duration, "about 4"),
        (printed.parse_diameter, "13 cm"),
        (printed.parse_diameter, "1e3"),
        # a cell that matches only in part would silently lose the rest
        (printed.parse_response, "Complete, 19, 9/48 Partial: 63, 30/48"),
        (printed.parse_response, "Complete, 19, 9/48 Complete, 19, 9/48"),
        (printed.parse_response, "<script>alert(1)</script>Complete, 19, 9/48"),
        (printed.parse_adverse_events, "Infection (5), injection pain"),
        (printed.parse_adverse_events, "Infection (5), infection (2)"),
        (printed.parse_adverse_events, ""),
    ],
)
def test_a_cell_read_only_in_part_is_refused(reader, text):
    with pytest.raises(ValueError, match="Table 2"):
        reader(text)


def test_every_part_of_the_printed_table_is_named(review):
    """parts_of lists every number the comparison can produce, so a note can name each."""
    from helpers.analysis import table2 as outcomes

    table = outcomes.compare_table2(review)
    for modality, rows in table.groupby("modality"):
        row = {
            k: (None if v != v else v)
            for k, v in review.paper_table2.loc[modality].to_dict().items()
        }
        row["modality"] = modality
        events = {e.lower() for e in review.adverse_events["event"]}
        assert set(zip(rows["column"], rows["part"], strict=True)) <= printed.parts_of(row, events)
