"""Tables shown in notebooks and reports: stable HTML, and text from the data escaped."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers.report import tables as display

HOSTILE = "<script>alert('x')</script>"


@pytest.mark.parametrize(
    "make",
    [
        lambda df: display.text_table(df, "t"),
        lambda df: display.comparison(df.assign(ok=True), ok="ok", name="t"),
        lambda df: display.audit(df.assign(status="reproduced"), name="t"),
    ],
)
def test_text_from_the_data_is_escaped(make):
    html = make(pd.DataFrame({"note": [HOSTILE]})).to_html()
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_styled_html_is_the_same_on_every_call():
    df = pd.DataFrame({"a": [1, 2], "ok": [True, False]})
    assert (
        display.comparison(df, "ok", "x").to_html() == display.comparison(df, "ok", "x").to_html()
    )


def test_disagreements_are_highlighted():
    df = pd.DataFrame({"a": [1, 2], "ok": [True, False]})
    html = display.comparison(df, "ok", "x").to_html()
    assert display.PROBLEM_COLOUR in html and display.OK_COLOUR in html


def test_status_counts_lists_every_status():
    counts = display.status_counts(pd.DataFrame({"status": ["reproduced", "reproduced"]}))
    assert counts["claims"].to_dict() == {
        "reproduced": 2,
        "circular": 0,
        "discrepancy": 0,
        "not_computable": 0,
    }
