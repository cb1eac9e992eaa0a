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


def _cells(html: str) -> list[str]:
    import re

    return [
        re.sub(r"<[^>]+>", "", c).strip()
        for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", html, re.S)
    ]


@pytest.mark.parametrize("where", ["cell", "row label", "column label", "index name", "list"])
def test_text_is_escaped_wherever_it_sits(where):
    df = pd.DataFrame({"note": ["x"]})
    if where == "cell":
        df["note"] = [HOSTILE]
    elif where == "row label":
        df.index = [HOSTILE]
    elif where == "column label":
        df.columns = [HOSTILE]
    elif where == "index name":
        df.index.name = HOSTILE
    else:
        df["note"] = [[HOSTILE, 1]]
    html = display.text_table(df, "t").to_html()
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_headers_and_keys_are_words_and_a_plain_row_number_is_not_shown():
    from helpers.data.loader import load_review
    from helpers.report import wording

    review = load_review()
    wording.use_vocabulary(review)
    key = review.modalities.index[0]
    df = pd.DataFrame(
        {"publication_type": ["conference_abstract"], "modality": [key], "cited_in_text": [True]}
    )
    cells = _cells(display.text_table(df, "t").to_html())
    assert "conference abstract" in cells and review.modalities.loc[key, "label"] in cells
    assert "Publication type" in cells and "yes" in cells
    assert not any("_" in c for c in cells)
    assert "0" not in cells  # the RangeIndex


@pytest.mark.parametrize(
    ("column", "values", "shown"),
    [
        ("proportion", [0.7312, float("nan")], ["73.1%", "–"]),
        ("ci_low_now", [0.0], ["0.0%"]),
        ("complete_percent", [18.75], ["18.8"]),
        ("patients", [48.0, float("nan")], ["48", "–"]),
        ("tau2", [3.6412, 0.1], ["3.64", "0.10"]),
    ],
)
def test_a_numeric_column_has_one_precision(column, values, shown):
    cells = _cells(display.text_table(pd.DataFrame({column: values}), "t").to_html())
    assert cells[1:] == shown


def test_a_column_of_identifiers_is_spelled_out_and_others_are_not():
    df = pd.DataFrame({"computation": ["sum_of_reported"], "claim": ["table2-topical_sts-n"]})
    cells = _cells(display.text_table(df, "t", spelled=["computation"]).to_html())
    assert "sum of reported" in cells and "table2-topical_sts-n" in cells
