"""The Summary of Findings and its GRADE certainty (issue 16).

The rules are tested at their thresholds with generated values on each side; the combination
against a brute-force count over every combination of judgments; the certainty register's
checks field by field, each broken field one problem naming the file, the entry and the
field; every row's numbers against the primary analysis computed here (not typed numbers);
a new modality (rows appear, judged by the ``all`` entries); text from the data escaped in
the HTML and the CSV, and an HTML that fetches nothing.
"""

from __future__ import annotations

import itertools
import math
import random
import re
from dataclasses import replace

import pandas as pd
import pytest
import yaml

from helpers import load_review
from helpers.analysis import certainty, pooling
from helpers.analysis.certainty import (
    FEW_PATIENTS,
    I2_SUBSTANTIAL,
    LEVELS,
    NOT_ASSESSABLE,
    WIDE_CI_POINTS,
    WIDE_PI_POINTS,
    Rating,
    combine,
    imprecision,
    inconsistency,
    starting_level,
)
from helpers.data import judgments
from helpers.data.escape import FORMULA_START
from helpers.data.paths import DATA_DIR
from helpers.data.readers import load_yaml
from helpers.data.registers import CERTAINTY_FILE, REGISTER_FILES, SEALED_REGISTERS, vocabularies
from helpers.report import summary_of_findings as sof

from tests_support import (
    add_study,
    close_open_edition,
    open_edition,
    read_rows,
    typed_tables,
    write_rows,
)

RNG = random.Random(20210624)
SEVERITY = ("not serious", "serious", "very serious")


# --------------------------------------------------------------------------- the rules


def _interval(width_points: float) -> tuple[float, float]:
    lo = RNG.uniform(0, max(0.0, 1 - width_points / 100))
    return lo, lo + width_points / 100


@pytest.mark.parametrize("case", range(40))
def test_imprecision_at_its_thresholds(case):
    """Generated CI widths and patients just either side of each threshold, against the count."""
    step = RNG.choice([1e-6, 0.01, 0.5, 5.0])
    width = WIDE_CI_POINTS + RNG.choice([-step, step])
    n = FEW_PATIENTS + RNG.choice([-1, 0, -RNG.randint(1, 90), RNG.randint(1, 500)])
    k = RNG.choice([1, 2, RNG.randint(3, 40)])
    lo, hi = _interval(width)
    got = imprecision(k, n, lo, hi)
    wide, few = 100 * (hi - lo) > WIDE_CI_POINTS, n < FEW_PATIENTS
    expected = "very serious" if k == 1 else SEVERITY[wide + few]
    assert got.judgment == expected, (k, n, width, got)
    assert got.source == "rule: imprecision" and f"{n} patients" in got.reason


@pytest.mark.parametrize("case", range(40))
def test_inconsistency_at_its_thresholds(case):
    step = RNG.choice([1e-6, 0.01, 0.5, 5.0])
    i2 = min(max(I2_SUBSTANTIAL + RNG.choice([-step, 0.0, step]), 0.0), 100.0)
    width = WIDE_PI_POINTS + RNG.choice([-step, step])
    tau2 = RNG.choice([0.0, 1e-9, RNG.uniform(0.01, 3)])
    k = RNG.randint(2, 40)
    lo, hi = _interval(width)
    got = inconsistency(k, i2, tau2, lo, hi)
    expected = SEVERITY[(i2 >= I2_SUBSTANTIAL) + (tau2 > 0 and 100 * (hi - lo) > WIDE_PI_POINTS)]
    assert got.judgment == expected, (i2, tau2, width, got)
    shown = float(re.search(r"I² ([\d.]+)% \((?:at least|below) ", got.reason).group(1))
    assert shown == pytest.approx(i2, abs=0.5), got.reason


def test_inconsistency_is_not_assessable_without_studies_to_compare():
    for rating in (
        inconsistency(1, 90.0, 2.0, 0.0, 1.0),
        inconsistency(5, per_modality=True),
        inconsistency(5, math.nan),
    ):
        assert rating.judgment == NOT_ASSESSABLE and rating.down == 0
        assert "not rated down" in rating.reason


def test_every_combination_of_judgments_against_a_count():
    """Every start and every judgment of the five domains: start minus the levels down,
    floored at very low."""
    choices = (*SEVERITY, NOT_ASSESSABLE)
    levels_down = {"not serious": 0, "serious": 1, "very serious": 2, NOT_ASSESSABLE: 0}
    for start in LEVELS:
        for combo in itertools.product(choices, repeat=len(certainty.DOMAINS)):
            ratings = [Rating(d, j, "", "") for d, j in zip(certainty.DOMAINS, combo, strict=True)]
            down = sum(levels_down[j] for j in combo)
            expected = LEVELS[max(LEVELS.index(start) - down, 0)]
            assert combine(start, ratings) == expected, (start, combo)


@pytest.mark.parametrize(
    "designs, comparative, level",
    [
        (["controlled_trial"], True, "high"),
        (["controlled_trial", "controlled_trial"], True, "high"),
        (["controlled_trial"], False, "low"),
        (["controlled_trial", "case_series"], True, "low"),
        (["case_series", "case_report"], False, "low"),
        (["case_report"], True, "low"),
        ([], True, "low"),
    ],
)
def test_the_starting_level_follows_the_designs_and_what_is_estimated(designs, comparative, level):
    assert starting_level(designs, comparative)[0] == level


# --------------------------------------------------------------------------- the register


@pytest.fixture(scope="module")
def vocab():
    typed, descriptor = typed_tables()
    return vocabularies(typed, descriptor)


def _entries() -> list[dict]:
    return yaml.safe_load((DATA_DIR / CERTAINTY_FILE).read_text(encoding="utf-8"))


def _check(entries, vocab):
    text = yaml.safe_dump(entries, allow_unicode=True, sort_keys=False, width=10_000)
    return judgments.check_certainty(*load_yaml(text), vocab)


def test_the_register_is_valid_and_loaded(review, vocab):
    found, problems = _check(_entries(), vocab)
    assert problems == [] and found == review.certainty
    assert {j.domain for j in found} == set(judgments.DOMAINS)


def test_the_register_is_read_and_checksummed_but_never_sealed():
    assert CERTAINTY_FILE in REGISTER_FILES and CERTAINTY_FILE not in SEALED_REGISTERS


#: (field, value): every field given a value it cannot take.
BAD_VALUES = [
    ("id", ["a", "b"]),
    ("id", 12.5),
    ("id", "Not An Id"),
    ("domain", ["risk_of_bias"]),
    ("domain", "imprecision"),
    ("domain", "bias"),
    ("scope", "everything"),
    ("scope", ["all"]),
    ("scope", 3),
    ("scope", {"therapies": ["eswl"]}),
    ("scope", {"modalities": ["not_a_modality"]}),
    ("scope", {"modalities": "eswl"}),
    ("scope", {"families": ["eswl_laser"]}),
    ("scope", {"outcomes": ["mortality"]}),
    ("scope", {"outcomes": ["response", "response"]}),
    ("scope", {"modalities": []}),
    ("scope", {}),
    ("scope", {"modalities": ["eswl"], "outcomes": None}),
    ("judgment", "serious-ish"),
    ("judgment", "high"),
    ("judgment", True),
    ("rationale", {"a": "b"}),
    ("rationale", "a reason\x07"),
    ("quote", "A sentence the paper never wrote."),
    ("quote", "three"),  # in the paper, but a fragment
    ("quote", "Combined treatment was reported only"),
    ("quote", "Combined treatment was reported only for three patients to day."),
    ("quote", 7),
]


@pytest.mark.parametrize("field, value", BAD_VALUES, ids=[f"{f}-{v!r}" for f, v in BAD_VALUES])
def test_a_bad_field_is_one_problem_naming_file_entry_and_field(vocab, field, value):
    for i in range(len(_entries())):
        entries = _entries()
        entries[i][field] = value
        found, problems = _check(entries, vocab)
        assert found == [] and len(problems) == 1, problems
        (p,) = problems
        assert (p.file, p.column) == (CERTAINTY_FILE, field), p
        assert p.row is not None
        if field != "id":
            assert repr(entries[i]["id"]) in p.message, p


@pytest.mark.parametrize("field", judgments.JUDGMENT_KEYS)
def test_a_missing_field_is_one_problem(vocab, field):
    entries = _entries()
    del entries[RNG.randrange(len(entries))][field]
    _, problems = _check(entries, vocab)
    assert [(p.file, p.rule, p.column) for p in problems] == [
        (CERTAINTY_FILE, "judgment well formed", field)
    ]
    assert "is required" in problems[0].message


def test_an_unknown_key_and_a_repeated_id_are_refused(vocab):
    entries = _entries()
    entries[0]["note"] = "x"
    (p,) = _check(entries, vocab)[1]
    assert p.column == "note" and "unknown key" in p.message
    entries = _entries()
    entries[-1]["id"] = entries[0]["id"]
    (p,) = _check(entries, vocab)[1]
    assert p.column == "id" and "used twice" in p.message


def test_two_equally_specific_entries_for_one_cell_are_refused(vocab):
    entries = _entries()
    twin = dict(entries[0], id="rob-twin")
    entries.append(twin)
    (p,) = _check(entries, vocab)[1]
    assert (p.rule, p.column) == ("one judgment per cell", "scope")
    assert "'rob-twin'" in p.message and repr(entries[0]["id"]) in p.message
    # one listing modalities and one listing outcomes share a cell: equally specific
    entries = _entries()
    entries.append(
        {**entries[0], "id": "rob-eswl", "scope": {"modalities": ["eswl"]}, "judgment": "serious"}
    )
    problems = _check(entries, vocab)[1]
    assert [p.rule for p in problems] == ["one judgment per cell"]


def test_a_more_specific_entry_beats_all(review):
    domain = "risk_of_bias"
    rob = [j for j in review.certainty if j.domain == domain]
    general = next(j for j in rob if j.specificity == 0)
    for kind, key, outcome in judgments.cells(
        {
            "modalities": set(review.modalities.index),
            "family_of": review.modalities["family"].to_dict(),
        }
    ):
        chosen = judgments.judgment_for(review.certainty, domain, kind, key, outcome)
        holding = [j for j in rob if j.holds(kind, key, outcome)]
        assert chosen == max(holding, key=lambda j: j.specificity)
        assert general in holding


def test_a_cell_left_unjudged_is_one_problem_naming_it(vocab):
    """Publication bias judged for every cell but the diode laser's adverse events."""
    entries = [e for e in _entries() if e["domain"] != "publication_bias"]
    family_of = vocab["family_of"]
    shared = sorted({f for f in family_of.values() if list(family_of.values()).count(f) > 1})
    base = {"domain": "publication_bias", "judgment": "serious", "rationale": "r"}
    quote = _entries()[0]["quote"]
    entries += [
        {
            "id": "pb-most",
            **base,
            "scope": {
                "modalities": sorted(vocab["modalities"] - {"diode_laser"}),
                "families": shared,
            },
            "quote": quote,
        },
        {
            "id": "pb-diode",
            **base,
            "scope": {
                "modalities": ["diode_laser"],
                "outcomes": ["response", "complete", "recurrence"],
            },
            "quote": quote,
        },
    ]
    (p,) = _check(entries, vocab)[1]
    assert (p.file, p.rule, p.column) == (CERTAINTY_FILE, "judgments cover every cell", "scope")
    assert "publication_bias" in p.message and "'diode_laser'" in p.message
    assert "'adverse_events'" in p.message


def test_a_broken_register_stops_the_loader_with_one_problem(data_copy):
    entries = _entries()
    entries[1]["judgment"] = "fatal"
    (data_copy / CERTAINTY_FILE).write_text(
        yaml.safe_dump(entries, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    from helpers import DataValidationError

    with pytest.raises(DataValidationError) as info:
        load_review(data_copy, cache=False)
    (p,) = info.value.problems
    assert (p.file, p.column) == (CERTAINTY_FILE, "judgment") and "'fatal'" in p.message


# --------------------------------------------------------------------------- the rows


@pytest.fixture(scope="module")
def findings(review):
    return certainty.summary_of_findings(review)


def test_every_pooled_row_is_the_primary_analysis(review, findings):
    """Numbers from fit_groups with the default settings: pooled, or the crude proportion of a
    single study or of a model that is not estimable."""
    settings = pooling.Settings()
    pooled = [f for f in findings if f.outcome in pooling.OUTCOMES]
    expected = {}
    for outcome in pooling.OUTCOMES:
        data = pooling.events_per_study(review, **{**settings.selection, "outcome": outcome})
        for key, fit in pooling.fit_groups(data, review).items():
            expected[(*key, outcome)] = fit
    assert {(f.kind, f.key, f.outcome) for f in pooled} == set(expected)
    for f in pooled:
        fit = expected[(f.kind, f.key, f.outcome)]
        r = fit.result
        assert (f.k, f.patients, f.events) == (r.k, r.n, r.events)
        shown = fit.crude if fit.single or not r.converged else r
        got = (f.proportion, f.ci_low, f.ci_high)
        assert got == pytest.approx((shown.proportion, shown.ci_low, shown.ci_high))
        if shown is r:
            assert (f.pi_low, f.pi_high) == pytest.approx((r.pi_low, r.pi_high))
            assert f.estimate == "pooled" and f.model == fit.model_shown
        else:
            assert math.isnan(f.pi_low) and f.estimate.endswith("not pooled")


def test_every_count_row_is_the_adverse_events_table(review, findings):
    from scipy.stats import beta

    counted = [f for f in findings if f.outcome not in pooling.OUTCOMES]
    ae = review.adverse_events
    for f in counted:
        studies = review.studies[review.studies["modality"] == f.key]
        assert (f.k, f.patients) == (len(studies), int(studies["n_cases"].sum()))
        rows = ae[ae["modality"] == f.key]
        if f.outcome == "recurrence":
            rows = rows[rows["event"] == certainty.RECURRENCE]
        else:
            printed = certainty.NO_ADVERSE_EVENT if f.event == "Any adverse event" else f.event
            rows = rows[rows["event"] == printed]
        count = rows["patients"].iloc[0] if len(rows) else None
        if count is None or pd.isna(count):
            assert f.events is None and f.certainty == certainty.NOT_RATED and f.ratings == ()
            continue
        x, n = int(count), f.patients
        lo = 0.0 if x == 0 else beta.ppf(0.025, x, n - x + 1)
        hi = 1.0 if x == n else beta.ppf(0.975, x + 1, n - x)
        assert (f.events, f.proportion) == (x, pytest.approx(x / n))
        assert (f.ci_low, f.ci_high) == pytest.approx((lo, hi))
        assert f.rating("inconsistency").judgment == NOT_ASSESSABLE
        assert "the project's reading" in f.note  # Table 2 gives no denominator


def test_every_rated_row_has_five_domains_each_with_a_reason_and_source(review, findings):
    ids = {j.id: j for j in review.certainty}
    for f in findings:
        if f.certainty == certainty.NOT_RATED:
            continue
        assert [r.domain for r in f.ratings] == list(certainty.DOMAINS)
        assert f.certainty == combine(f.start, f.ratings)
        for r in f.ratings:
            assert r.reason and r.source
            if r.domain in judgments.DOMAINS:
                entry = ids[r.source.split(": ")[1]]
                assert (r.judgment, r.quote) == (entry.judgment, entry.quote)
                assert entry.holds(f.kind, f.key, f.outcome)
                holding = [
                    j
                    for j in review.certainty
                    if j.domain == r.domain and j.holds(f.kind, f.key, f.outcome)
                ]
                assert entry.specificity == max(j.specificity for j in holding), (f, r)
            else:
                assert r.source == f"rule: {r.domain}" and r.quote == ""


def test_the_csv_holds_every_row_and_reads_back(tmp_path, findings):
    path = sof.write_summary_of_findings(findings, tmp_path)
    back = sof.read_summary_of_findings(path)
    frame = certainty.frame(findings)
    assert list(back.columns) == certainty.SOF_COLUMNS and len(back) == len(findings)
    for column in ("k", "patients", "certainty", "imprecision_reason", "risk_of_bias_source"):
        assert back[column].tolist() == frame[column].tolist()
    rows = sof.front_page_rows(path)
    assert list(rows.columns) == sof.FRONT_PAGE_COLUMNS
    assert len(rows) == sum(f.outcome in pooling.OUTCOMES for f in findings)
    assert sof.write_summary_of_findings(findings, None) is None


# --------------------------------------------------------------------------- growth


def test_a_new_modality_gets_rows_judged_by_the_all_entries(data_copy):
    path = data_copy / "vocabularies" / "modalities.csv"
    rows = read_rows(path)
    header = rows[0]
    new = dict(zip(header, rows[1], strict=True))
    new |= {
        "modality": "thulium_laser",
        "family": "laser",
        "table1_heading": "Thulium laser",
        "table2_label": "Thulium",
        "label": "Thulium laser",
        "order": str(len(rows)),
        "provenance": "synthetic test data",
    }
    rows.append([new[h] for h in header])
    write_rows(path, rows)
    for n, complete in ((3, 1), (4, 2)):
        add_study(data_copy, "thulium_laser", n, complete=complete)
    review = load_review(data_copy, cache=False)
    found = certainty.summary_of_findings(review)
    mine = [f for f in found if f.key == "thulium_laser"]
    assert [f.outcome for f in mine] == ["response", "complete", "recurrence"]
    assert (mine[0].k, mine[0].patients, mine[0].events) == (2, 7, 7)
    for f in mine[:2]:
        sources = {r.source for r in f.ratings if r.domain in judgments.DOMAINS}
        general = {f"{CERTAINTY_FILE}: {j.id}" for j in review.certainty if j.specificity == 0}
        assert sources <= general
    assert mine[2].estimate == certainty.NOT_REPORTED_WORDS  # no recurrence count
    laser = next(f for f in found if (f.kind, f.key, f.outcome) == ("family", "laser", "response"))
    before = next(
        f
        for f in certainty.summary_of_findings(load_review())
        if (f.kind, f.key, f.outcome) == ("family", "laser", "response")
    )
    assert laser.k == before.k + 2


# --------------------------------------------------------------------------- the page

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'
FORMULA = '=HYPERLINK("http://example.invalid","click")'


def _hostile_findings(review):
    changed = [replace(j, rationale=FORMULA + " " + HOSTILE) for j in review.certainty]
    modalities = review.modalities.copy()
    modalities.loc["eswl", "label"] = "ESWL " + HOSTILE
    ae = review.adverse_events.copy()
    ae.loc[ae.index[0], "event"] = "@SUM(1) " + HOSTILE
    return certainty.summary_of_findings(
        replace(review, certainty=changed, modalities=modalities, adverse_events=ae)
    )


def test_text_from_the_data_is_escaped_in_the_html_and_the_csv(review, tmp_path):
    found = _hostile_findings(review)
    html = sof.sof_table(found, title="Title " + HOSTILE).to_html()
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html and "&lt;img" in html
    path = sof.write_summary_of_findings(found, tmp_path)
    import csv

    with open(path, encoding="utf-8", newline="") as f:
        cells = [c for row in csv.reader(f) for c in row]
    assert not [c for c in cells if c.startswith(FORMULA_START)], "a live formula"
    assert any(c.startswith("'=HYPERLINK") for c in cells)
    assert any(c.startswith("'@SUM") for c in cells)
    back = sof.read_summary_of_findings(path)
    rated = back[back["certainty"] != certainty.NOT_RATED]
    assert rated["risk_of_bias_reason"].str.startswith(FORMULA).all()


def test_the_html_fetches_nothing(findings):
    html = sof.sof_table(findings).to_html()
    assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/|@import|<link|<script|src=", html)
    assert html == sof.sof_table(findings).to_html()  # the same on every call


def test_the_register_is_part_of_the_data_checksum(data_copy):
    from helpers.data.digests import data_checksum

    before = data_checksum(data_copy)
    path = data_copy / CERTAINTY_FILE
    path.write_text(path.read_text(encoding="utf-8") + "# a comment\n", encoding="utf-8")
    assert data_checksum(data_copy) != before


def test_the_register_is_not_sealed_by_the_closed_paper_edition(data_copy):
    """A changed judgment loads: the paper's seal does not cover the project's judgments."""
    entries = _entries()
    entries[0]["rationale"] = "A different rationale."
    (data_copy / CERTAINTY_FILE).write_text(
        yaml.safe_dump(entries, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    review = load_review(data_copy, cache=False)
    assert review.certainty[0].rationale == "A different rationale."
    # an update closed now seals the paper's registers again, never the judgments
    open_edition(data_copy)
    close_open_edition(data_copy)
    seals = (data_copy / "edition_seals.csv").read_text(encoding="utf-8")
    assert "claims.yaml" in seals and CERTAINTY_FILE not in seals
    load_review(data_copy, cache=False)


# --------------------------------------------------------------------------- exact thresholds


@pytest.mark.parametrize("case", range(30))
def test_an_interval_exactly_at_a_threshold_is_on_its_side(case):
    """Intervals written in hundredths exactly WIDE_CI_POINTS or WIDE_PI_POINTS wide are not
    wide (the rules say "wider than"); one hundredth more is (floating point must not move a
    decimal width across the line: 0.4 - 0.1 is 0.30000000000000004)."""
    for threshold in (WIDE_CI_POINTS, WIDE_PI_POINTS):
        start = RNG.randint(0, 100 - int(threshold) - 1)
        lo = start / 100
        at, over = (start + int(threshold)) / 100, (start + int(threshold) + 1) / 100
        if threshold == WIDE_CI_POINTS:
            assert imprecision(5, 500, lo, at).judgment == "not serious", (lo, at)
            assert imprecision(5, 500, lo, over).judgment == "serious", (lo, over)
        else:
            assert inconsistency(5, 10.0, 0.5, lo, at).judgment == "not serious", (lo, at)
            assert inconsistency(5, 10.0, 0.5, lo, over).judgment == "serious", (lo, over)


def _said(reason: str, pattern: str) -> tuple[float, str]:
    match = re.search(pattern, reason)
    assert match, (pattern, reason)
    return float(match.group(1)), match.group(2)


@pytest.mark.parametrize("case", range(60))
def test_the_reason_printed_is_true_of_the_numbers_printed(case):
    """Widths and I² a hair either side of their thresholds: the number the reason prints
    stands on the side the reason's words say ("30 points wide (more than 30)" would not)."""
    hair = RNG.choice([1e-7, 1e-4, 0.004, 0.3, 0.6, 3.0])
    lo, hi = _interval(WIDE_CI_POINTS + RNG.choice([-hair, hair]))
    reason = imprecision(5, 150, lo, hi).reason
    width, words = _said(reason, r"CI ([\d.]+) points wide \((more|no more) than")
    assert (width > WIDE_CI_POINTS) == (words == "more"), reason
    i2 = min(max(I2_SUBSTANTIAL + RNG.choice([-hair, hair]), 0.0), 100.0)
    lo, hi = _interval(WIDE_PI_POINTS + RNG.choice([-hair, hair]))
    reason = inconsistency(5, i2, 0.5, lo, hi).reason
    shown, words = _said(reason, r"I² ([\d.]+)% \((at least|below) ")
    assert (shown >= I2_SUBSTANTIAL) == (words == "at least"), reason
    width, words = _said(reason, r"interval ([\d.]+) points wide \((more|no more) than")
    assert (width > WIDE_PI_POINTS) == (words == "more"), reason


def test_a_scope_holds_what_the_register_says_it_holds(vocab):
    """Naming neither groups holds every group; naming only modalities holds no family, only
    families no modality; outcomes left out hold every outcome (the file's header says so)."""
    every = judgments.cells(vocab)
    modality = RNG.choice(sorted(vocab["modalities"]))
    family = RNG.choice(sorted({c[1] for c in every if c[0] == "family"}))
    outcome = RNG.choice(judgments.OUTCOMES)

    def held(modalities=None, families=None, outcomes=None):
        j = judgments.Judgment("x", "risk_of_bias", modalities, families, outcomes, "", "", "")
        return {c for c in every if j.holds(*c)}

    assert held() == set(every)
    assert held(outcomes=(outcome,)) == {c for c in every if c[2] == outcome}
    assert held(modalities=(modality,)) == {c for c in every if c[:2] == ("modality", modality)}
    assert held(families=(family,)) == {c for c in every if c[:2] == ("family", family)}
    both = held(modalities=(modality,), families=(family,), outcomes=(outcome,))
    assert both == {c for c in every if c[1] in (modality, family) and c[2] == outcome}


def test_the_front_page_rows_say_each_rows_certainty_and_what_rated_it_down(tmp_path, findings):
    """Each response row of the front page: its therapy, studies and patients, the estimate
    and the certainty with exactly the domains rated down, from the findings."""
    rows = sof.front_page_rows(sof.write_summary_of_findings(findings, tmp_path))
    pooled = [f for f in findings if f.outcome in pooling.OUTCOMES]
    assert len(rows) == len(pooled)
    for f, (_, row) in zip(pooled, rows.iterrows(), strict=True):
        assert row["Therapy"] == f.group
        assert row["Outcome"] == certainty.OUTCOME_LABELS[f.outcome]
        assert row["Studies (patients)"].startswith(f"{f.k} stud")
        assert f"({f.patients} patient" in row["Studies (patients)"]
        assert row["Estimate (95% CI)"].startswith(
            pooling.interval_text(f.proportion, f.ci_low, f.ci_high)
        )
        assert (f.estimate in row["Estimate (95% CI)"]) == (f.estimate != "pooled")
        level, _, down = row["Certainty"].partition(": ")
        assert level == f.certainty
        expected = [
            f"{certainty.DOMAIN_LABELS[r.domain].lower()} ({r.judgment})"
            for r in f.ratings
            if r.down
        ]
        assert down == ("; ".join(expected) or "not rated down"), row["Certainty"]


def test_every_source_has_its_footnote_in_the_table(findings):
    """Each register entry a row rests on is footnoted with its rationale and quote; each
    rule with its thresholds."""
    import html as html_lib

    page = html_lib.unescape(sof.sof_table(findings).to_html())
    assert "over the modality's patients, the project's reading" in page
    for f in findings:
        for r in f.ratings:
            if r.source.startswith("rule: "):
                assert f"{certainty.DOMAIN_LABELS[r.domain]}, the project's rule" in page
            else:
                assert r.source in page and r.reason in page and r.quote in page
        if f.estimate == "pooled":
            assert f"pooled: {f.model}" in page
        if f.note and f.outcome in pooling.OUTCOMES and not f.estimate.startswith("single"):
            assert f"The fit: {f.note}" in page, f


def test_the_notebooks_register_table_escapes_its_text(review):
    from helpers.report import tables

    hostile = [replace(j, rationale=HOSTILE, quote=HOSTILE) for j in review.certainty]
    page = tables.text_table(
        sof.register_table(replace(review, certainty=hostile)), name="certainty-register"
    ).to_html()
    assert "<script" not in page and "<img" not in page and "&lt;script&gt;" in page


@pytest.mark.parametrize("case", range(20))
def test_a_missing_interval_is_never_read_as_a_precise_or_consistent_one(case):
    """A NaN end of the CI counts as wide (never "not serious" from no interval); a missing
    between-study variance does not make the reason say tau² = 0."""
    n = RNG.choice([FEW_PATIENTS, FEW_PATIENTS + RNG.randint(1, 900)])
    lo, hi = _interval(RNG.uniform(1, 20))
    ends = RNG.choice([(math.nan, hi), (lo, math.nan), (math.nan, math.nan)])
    got = imprecision(RNG.randint(2, 30), n, *ends)
    assert got.judgment == "serious" and "no 95% CI" in got.reason, got
    i2 = RNG.uniform(0, I2_SUBSTANTIAL - 1)
    lo, hi = _interval(WIDE_PI_POINTS + RNG.uniform(1, 40))
    got = inconsistency(RNG.randint(2, 30), i2, math.nan, lo, hi)
    assert got.judgment == "not serious" and "tau² = 0" not in got.reason, got
    assert "no between-study variance" in got.reason


def test_every_row_starts_low_by_its_own_studies_designs(review, findings):
    """A row whose studies include the controlled trial says its treated patients enter as a
    single arm; the others start low as case series and case reports."""
    settings = pooling.Settings()
    designs = review.studies["design"]
    trials = set(designs.index[designs.isin(certainty.COMPARATIVE_DESIGNS)])
    assert trials, "the review has its controlled trial"
    for f in findings:
        if not f.ratings:
            continue
        if f.outcome in pooling.OUTCOMES:
            data = pooling.events_per_study(review, **{**settings.selection, "outcome": f.outcome})
            refs = set(data.index[data[f.kind] == f.key])
        else:
            refs = set(review.studies.index[review.studies["modality"] == f.key])
        assert f.start == "low"
        assert ("controlled trial" in f.start_reason) == bool(refs & trials), f


def test_each_footnote_marks_its_own_domain_and_rows(findings):
    """Each row's rating is footnoted in its domain's column, on that row, with its source
    (great_tables' footnote list: the marks' places in the HTML)."""
    import html as html_lib

    notes = sof.sof_table(findings).gt._footnotes
    placed = {(n.colname, n.rownum): html_lib.unescape(" ".join(n.footnotes)) for n in notes}
    for i, f in enumerate(findings):
        for r in f.ratings:
            text = placed[(r.domain, i)]
            label = certainty.DOMAIN_LABELS[r.domain]
            assert text.startswith(label), (i, r, text)
            assert ("the project's rule" in text) == r.source.startswith("rule: ")
            if not r.source.startswith("rule: "):
                assert r.source in text
        if f.note and f.outcome in pooling.OUTCOMES and not f.estimate.startswith("single"):
            assert placed[("basis", i)] == f"The fit: {f.note}"
    assert {c for c, _ in placed} <= {*certainty.DOMAINS, "basis"}


def test_the_symbols_fill_one_circle_per_level():
    for i, level in enumerate(LEVELS):
        symbol = sof.CERTAINTY_SYMBOLS[level]
        assert (len(symbol), symbol.count("⊕")) == (len(LEVELS), i + 1)


def test_count_rows_are_each_modalitys_recurrence_and_its_adverse_events(review, findings):
    """Modalities only (families have no counts of their own): recurrence, then each event
    adverse_events.csv lists for the modality, each once; and inconsistency says why it is
    not assessed."""
    counted = [f for f in findings if f.outcome not in pooling.OUTCOMES]
    modalities = {f.key for f in findings if f.kind == "modality"}
    ae = review.adverse_events
    expected = []
    for key in [k for k in review.modalities.index if k in modalities]:
        events = ae.loc[ae["modality"] == key, "event"].tolist()
        expected.append((key, "recurrence", ""))
        expected += [
            (key, "adverse_events", "Any adverse event" if e == certainty.NO_ADVERSE_EVENT else e)
            for e in events
            if e != certainty.RECURRENCE
        ]
    got = [(f.key, f.outcome, f.event) for f in counted]
    assert sorted(got) == sorted(expected) and len(set(got)) == len(got)
    assert {f.kind for f in counted} == {"modality"}
    for f in counted:
        if f.ratings:
            assert "per modality" in f.rating("inconsistency").reason
