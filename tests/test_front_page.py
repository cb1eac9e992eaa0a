"""The front page (reports/index.html) states the findings, each read from a file a run wrote.

Fast tests build the page from synthetic results (hand-made CSVs in tmp_path, hostile text
included); the last ones read the page of the full build (the ``full_build`` fixture) and
recompute every number they expect from the CSV files that build wrote.
"""

from __future__ import annotations

import datetime as dt
import inspect
import math
import re

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from helpers.analysis import changes, claims, pooling
from helpers.analysis.meta import PRIMARY_METHODS, TESTS
from helpers.build import config, index
from helpers.build.execute import RunResult
from helpers.report import headline, since_the_paper

BUILT = dt.datetime(2021, 6, 24, tzinfo=dt.UTC)
MARKUP = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"

#: Each meta-analysis setting and the values it may take.
CHOICES = {
    "outcome": pooling.OUTCOMES,
    "unknown": pooling.UNKNOWN,
    "unit": pooling.UNITS,
    "exclude_abstracts": (False, True),
    "case_series_only": (False, True),
    "method": PRIMARY_METHODS,
    "test": TESTS,
}


def pct(p) -> str:
    """The page's percentage, computed here independently of the helper."""
    return f"{100 * float(p):.1f}%"


def interval(lo, hi) -> str:
    return f"{100 * float(lo):.1f}–{100 * float(hi):.1f}%"


def page(path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def section(soup: BeautifulSoup, anchor: str) -> list:
    """The elements between the heading with id ``anchor`` and the next h2."""
    out = []
    for el in soup.find(id=anchor).find_next_siblings():
        if el.name == "h2":
            break
        out.append(el)
    return out


def section_text(soup, anchor) -> str:
    return " ".join(el.get_text(" ", strip=True) for el in section(soup, anchor))


def audit_frame(rows: list[dict]) -> pd.DataFrame:
    base = dict.fromkeys(claims.AUDIT_COLUMNS, "")
    return pd.DataFrame([base | r for r in rows], columns=claims.AUDIT_COLUMNS)


def result(name, title="", parameters=None, artifacts=(), status="ok", reviewer=True):
    files = {"artifacts": list(artifacts)}
    if reviewer:
        files["reviewer"] = f"runs/{name}/{name}-reviewer.html"
    return RunResult(name, "nb.ipynb", title, parameters or {}, status, 0.0, files=files)


# --------------------------------------------------------------------------- the audit


HOSTILE_AUDIT = [
    {
        "claim_id": "a-1",
        "section": f"Abstract {MARKUP}",
        "quote": f"the quote {MARKUP} " + "word " * 40,
        "reported": f"4.9 {MARKUP}",
        "recomputed": "=1+1",  # a formula: neutralised in the file, shown as typed
        "status": "discrepancy",
    },
    {"claim_id": "a-2", "section": "Results", "status": "reproduced"},
    {"claim_id": "a-3", "section": "Results", "status": "reproduced"},
    {"claim_id": "a-4", "section": "Results", "status": "not_computable"},
    {"claim_id": "b-5", "section": "Discussion", "reported": "7%", "status": "discrepancy"},
]


@pytest.fixture
def audit_page(tmp_path):
    out = tmp_path / "out"
    claims.write_audit(audit_frame(HOSTILE_AUDIT), out / "runs" / "audit")
    r = result(
        "audit",
        f"Claims audit {MARKUP}",
        artifacts=["runs/audit/claims_audit.csv", "runs/audit/readings.csv"],
    )
    return out, r, index.write_index([r], out, "0" * 64, BUILT)


def test_the_audit_headline_counts_every_status_in_the_audits_order(audit_page):
    out, r, path = audit_page
    written = pd.read_csv(out / "runs/audit/claims_audit.csv", dtype=str, keep_default_na=False)
    head = index.audit_headline(out, [r])
    assert [c["status"] for c in head["counts"]] == list(claims.STATUSES)
    for c in head["counts"]:
        assert c["count"] == (written["status"] == c["status"]).sum()
        assert "_" not in c["words"] and c["meaning"]
    assert head["total"] == len(written)
    soup = page(path)
    boxes = [li.get_text(" ", strip=True) for li in soup.select("ul.counts li")]
    assert [b.split()[0] for b in boxes] == [str(c["count"]) for c in head["counts"]]
    assert "not_computable" not in section_text(soup, "audit")


def test_each_discrepancy_has_one_line_linking_to_its_audit_row(audit_page):
    out, _, path = audit_page
    written = pd.read_csv(out / "runs/audit/claims_audit.csv", dtype=str, keep_default_na=False)
    wanted = written[written["status"] == "discrepancy"]
    soup = page(path)
    lines = soup.select("table.discrepancies tbody tr")
    assert len(lines) == len(wanted) > 1
    for tr, (_, row) in zip(lines, wanted.iterrows(), strict=True):
        link = tr.find("a")["href"]
        assert link == f"runs/audit/audit-reviewer.html#claim-{row['claim_id']}"
        cells = [td.get_text() for td in tr.find_all("td")]
        assert cells[2] == row["recomputed"].lstrip("'")  # the file's neutralised formula, as typed
        assert cells[1] == row["reported"]
    assert soup.find("a", href="runs/audit/claims_audit.csv")


def test_hostile_text_of_the_audit_is_escaped(audit_page):
    _, _, path = audit_page
    html = path.read_text(encoding="utf-8")
    assert MARKUP not in html and ESCAPED in html
    soup = page(path)
    assert not soup.find("script")
    first = soup.select_one("table.discrepancies tbody tr")
    quote = first.find_all("td")[3]
    assert quote.get_text().endswith("…”") and MARKUP in quote["title"]  # shortened, whole in title


def test_a_missing_or_unreadable_audit_is_said_plainly(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    other = result("other", "Other")
    soup = page(index.write_index([other], out, "0" * 64, BUILT))
    assert "The claims audit was not built in this build" in section_text(soup, "audit")
    (out / "runs/bad").mkdir(parents=True)
    (out / "runs/bad/claims_audit.csv").write_text("claim_id,status\nx,reproduced\n")
    bad = result("bad", "Bad", artifacts=["runs/bad/claims_audit.csv"])
    soup = page(index.write_index([bad], out, "0" * 64, BUILT))
    text = section_text(soup, "audit")
    assert "could not be read" in text and "no column(s)" in text and "Traceback" not in text


def test_a_part_missing_because_a_run_failed_points_to_the_failure(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    failed = result("audit", "Claims audit", status="failed", reviewer=False)
    failed.error = f"cell 3 raised ValueError: {MARKUP}"
    soup = page(index.write_index([failed], out, "0" * 64, BUILT))
    for anchor in ("audit", "pooled", "sensitivity", "since-the-paper"):
        text = section_text(soup, anchor)
        assert "not built in this build" in text and "1 report run failed" in text, anchor
    assert soup.select_one("table.reports pre.error").get_text().endswith(MARKUP)
    assert not soup.find("script")


# --------------------------------------------------------------------------- pooled estimates


def headline_row(group, key, method, model, k, events, n, p, lo, hi, pi, analysis, note=""):
    single = model == pooling.SINGLE_STUDY
    return {
        "run": "r",
        "kind": "family" if key.startswith("all") else "modality",
        "key": key,
        "group": group,
        "method": method,
        "model": model,
        "k": k,
        "events": events,
        "n": n,
        "proportion": math.nan if single else p,
        "ci_low": math.nan if single else lo,
        "ci_high": math.nan if single else hi,
        "converged": not single,
        "pi_low": pi[0],
        "pi_high": pi[1],
        "analysis": analysis,
        "note": note,
    }


#: A small summary: (group, key, model, k, events, n, proportion, ci, pi, note) per group;
#: the crude row of each is made from its counts.
S = pooling.SINGLE_STUDY
GROUPS = [  # notes: "a note" is shown, a single study's is not, the last has none
    ("Topical STS", "topical_sts", "GLMM", 3, 7, 9, 0.7312, (0.602, 0.83), (0.21, 0.99), "a note"),
    ("Diode laser", "diode_laser", S, 1, 1, 1, 1.0, (0, 1), (0, 1), "single study: no pooling"),
    ("All laser", "all_laser", "GLMM", 2, 2, 3, 0.5, (0.2, 0.8), (0.01, 0.99), ""),
]


def summary(analysis: str, label: str = "Topical STS") -> pd.DataFrame:
    """A run's summary as notebook 04 writes it, the first group labelled ``label``."""
    nan = (math.nan, math.nan)
    rows = []
    for i, (group, key, model, k, events, n, p, ci, pi, note) in enumerate(GROUPS):
        group = label if i == 0 else group
        note = f"{note} {MARKUP}" if i == 0 else note
        rows.append(
            headline_row(group, key, "crude", "crude", k, events, n, events / n, 0.1, 0.99, nan, "")
        )
        rows.append(
            headline_row(group, key, "primary model", model, k, events, n, p, *ci, pi, "", note)
        )
    for r in rows:
        r["analysis"] = analysis
    return pd.DataFrame(rows, columns=headline.HEADLINE_COLUMNS)


def meta_runs(out, runs):
    """Write each (name, title, analysis, label) run's summary; their results, in order."""
    results = []
    for name, title, analysis, label in runs:
        headline.write_headline(summary(analysis, label), out / "runs" / name, name)
        results.append(result(name, title, artifacts=[f"runs/{name}/sensitivity/{name}.csv"]))
    return results


def test_the_primary_analysis_is_the_run_whose_file_says_so_not_its_name(tmp_path):
    out = tmp_path / "out"
    results = meta_runs(
        out,
        [
            ("paper", "Named paper, a sensitivity run", headline.SENSITIVITY, "Topical STS"),
            ("zzz", f"The primary {MARKUP}", headline.PRIMARY, f"Topical {MARKUP}"),
            ("later", "Another primary, later", headline.PRIMARY, "Topical STS"),
        ],
    )
    pooled = index.pooled_estimates(out, results)
    assert pooled["state"] == "ok" and pooled["title"] == f"The primary {MARKUP}"
    assert pooled["report"] == "runs/zzz/zzz-reviewer.html"
    html = index.write_index(results, out, "0" * 64, BUILT).read_text(encoding="utf-8")
    assert MARKUP not in html and f"Topical {ESCAPED}" in html


def test_each_group_shows_its_estimate_intervals_and_counts_as_written(tmp_path):
    out = tmp_path / "out"
    results = meta_runs(out, [("p", "Primary", headline.PRIMARY, "Topical STS")])
    written = headline.read_headline(out / "runs/p/sensitivity/p.csv")
    soup = page(index.write_index(results, out, "0" * 64, BUILT))
    rows = soup.select("table.pooled tbody tr")
    models = written[written["method"] != "crude"]
    crude = written[written["method"] == "crude"].set_index("key")
    assert len(rows) == len(models)
    for tr, (_, m) in zip(rows, models.iterrows(), strict=True):
        cells = [td.get_text(" ", strip=True) for td in tr.find_all("td")]
        assert cells[0] == m["group"]
        assert cells[1:4] == [str(m["k"]), str(m["n"]), str(m["events"])]
        assert cells[4] == pct(crude.loc[m["key"], "proportion"])
        if m["model"] == pooling.SINGLE_STUDY:
            assert cells[5] == "single study, not pooled" and cells[6] == "–"
        else:
            assert cells[5] == f"{pct(m['proportion'])} [{interval(m['ci_low'], m['ci_high'])}]"
            assert cells[6] == interval(m["pi_low"], m["pi_high"])
            assert cells[7].startswith(m["model"])
        assert ("family" in (tr.get("class") or [])) == (m["kind"] == "family")
    notes = soup.select("ol.notes li")
    assert [n.get_text(" ", strip=True) for n in notes] == [f"Topical STS : a note {MARKUP}"]


def test_a_missing_primary_analysis_is_said_plainly(tmp_path):
    out = tmp_path / "out"
    results = meta_runs(out, [("s", "Sensitivity", headline.SENSITIVITY, "Topical STS")])
    soup = page(index.write_index(results, out, "0" * 64, BUILT))
    assert "The primary meta-analysis was not built in this build" in section_text(soup, "pooled")
    assert not soup.select("table.pooled")
    soup = page(index.write_index([result("x", "X")], out, "0" * 64, BUILT))
    assert "The sensitivity comparison was not built" in section_text(soup, "sensitivity")


def test_the_sensitivity_comparison_shows_run_titles_and_percentages(tmp_path):
    out = tmp_path / "out"
    runs = [
        ("p", "The paper's choices", headline.PRIMARY, "Topical STS"),
        ("s-1", f"Sensitivity {MARKUP}", headline.SENSITIVITY, "Topical STS"),
    ]
    results = meta_runs(out, runs)
    soup = page(index.write_index(results, out, "0" * 64, BUILT))
    table = soup.select_one("table.sensitivity")
    titles = [tr.find("td").find("a").get_text() for tr in table.select("tbody tr")]
    assert titles == [title for _, title, _, _ in runs]
    headers = [th.get_text() for th in table.select("thead th")][1:]
    wanted = [key for _, key in headline.HEADLINE_GROUPS]
    written = headline.read_headline(out / "runs/p/sensitivity/p.csv")
    shown = written[written["key"].isin(wanted)]
    assert headers == list(
        dict.fromkeys(shown.sort_values("key", key=lambda k: k.map(wanted.index))["group"])
    )
    model = shown[shown["method"] != "crude"].iloc[0]
    first = table.select_one("tbody tr").find_all("td")[1].get_text(" ", strip=True)
    assert first.startswith(
        f"{pct(model['proportion'])} [{interval(model['ci_low'], model['ci_high'])}]"
    )
    assert "0.73" not in table.get_text() and "s-1" not in table.get_text()


# --------------------------------------------------------------------------- words


@pytest.mark.parametrize(
    ("name", "value"),
    [
        (name, value)
        for name, values in CHOICES.items()
        for value in values
        if value != inspect.signature(pooling.Settings).parameters[name].default
    ],
)
def test_every_changed_setting_is_one_phrase_in_words(name, value):
    words = index.parameters_in_words({name: value, "run_name": "x_y", "output_dir": "a_b"})
    assert len(words) == 1 and "_" not in words[0] and "=" not in words[0], words
    assert headline.analysis_kind(pooling.Settings(**{name: value})) == headline.SENSITIVITY


def test_the_default_settings_are_the_primary_analysis_and_need_no_words():
    defaults = {n: inspect.signature(pooling.Settings).parameters[n].default for n in CHOICES}
    assert index.parameters_in_words(defaults) == []
    assert headline.analysis_kind(pooling.Settings(**defaults)) == headline.PRIMARY
    assert headline.analysis_kind(None) == ""


def test_headline_covers_every_group_with_its_prediction_interval(review):
    fits = pooling.fit_groups(pooling.events_per_study(review), review)
    frame = headline.headline(fits, "paper", pooling.Settings())
    assert list(dict.fromkeys(zip(frame["kind"], frame["key"], strict=True))) == list(fits)
    assert set(frame["analysis"]) == {headline.PRIMARY}
    for (kind, key), fit in fits.items():
        rows = frame[(frame["kind"] == kind) & (frame["key"] == key)].set_index("method")
        crude, model = rows.loc["crude"], rows.loc["primary model"]
        assert math.isnan(crude["pi_low"]) and crude["note"] == ""
        if fit.single:
            assert math.isnan(model["pi_low"]) and model["model"] == pooling.SINGLE_STUDY
        else:
            assert model["pi_low"] == fit.result.pi_low or math.isnan(fit.result.pi_low)
            assert model["note"] == fit.note


# --------------------------------------------------------------------------- the full build


@pytest.fixture(scope="module")
def built(full_build):
    return full_build


def built_results(out):
    import json

    manifest = json.loads((out / "build.json").read_text(encoding="utf-8"))
    return [RunResult(**r, seconds=0.0) for r in manifest["runs"]]


def test_each_discrepancy_links_to_its_sentence_on_the_papers_page(built):
    soup = page(built / "index.html")
    (audit_csv,) = built.glob("runs/*/claims_audit.csv")
    audit = pd.read_csv(audit_csv, dtype=str, keep_default_na=False)
    sentences = audit.loc[audit["status"] == "discrepancy", "sentence"]
    links = [tr.find_all("td")[-1].find("a") for tr in soup.select("table.discrepancies tbody tr")]
    assert [a["href"] if a else "" for a in links] == [
        f"paper.html#{s}" if s else "" for s in sentences
    ]
    anchors = {tag["id"] for tag in page(built / "paper.html").select("[id]")}
    assert {s for s in sentences if s} <= anchors and any(sentences)


def test_exactly_one_run_of_the_build_is_the_primary_analysis(built):
    kinds = {}
    for path in sorted(built.glob("runs/*/sensitivity/*.csv")):
        frame = headline.read_headline(path)
        kinds[path.parent.parent.name] = set(frame["analysis"])
    assert all(len(k) == 1 for k in kinds.values()), kinds
    primary = [run for run, k in kinds.items() if k == {headline.PRIMARY}]
    assert len(primary) == 1, kinds
    runs = {r.name: r for r in config.load_config()}
    (name,) = primary
    assert not (set(runs[name].parameters) & set(CHOICES))  # the paper's choices


def test_the_built_front_page_states_the_findings_from_the_builds_files(built):
    soup = page(built / "index.html")
    (audit_csv,) = built.glob("runs/*/claims_audit.csv")
    audit = pd.read_csv(audit_csv, dtype=str, keep_default_na=False)
    boxes = [li.get_text(" ", strip=True) for li in soup.select("ul.counts li")]
    assert [int(b.split()[0]) for b in boxes] == [
        (audit["status"] == s).sum() for s in claims.STATUSES
    ]
    lines = soup.select("table.discrepancies tbody tr")
    ids = audit.loc[audit["status"] == "discrepancy", "claim_id"]
    reviewer = f"runs/{audit_csv.parent.name}/{audit_csv.parent.name}-reviewer.html"
    assert [tr.find("a")["href"] for tr in lines] == [f"{reviewer}#claim-{i}" for i in ids]
    assert (built / reviewer).is_file()

    (primary,) = [
        p
        for p in built.glob("runs/*/sensitivity/*.csv")
        if set(headline.read_headline(p)["analysis"]) == {headline.PRIMARY}
    ]
    frame = headline.read_headline(primary)
    models = frame[frame["method"] != "crude"]
    rows = soup.select("table.pooled tbody tr")
    assert [tr.find("td").get_text() for tr in rows] == list(models["group"])
    for tr, (_, m) in zip(rows, models.iterrows(), strict=True):
        cells = [td.get_text(" ", strip=True) for td in tr.find_all("td")]
        assert cells[1:4] == [str(m["k"]), str(m["n"]), str(m["events"])]
        if m["model"] == pooling.SINGLE_STUDY:
            assert cells[5] == "single study, not pooled"
        elif m["converged"]:
            assert cells[5] == f"{pct(m['proportion'])} [{interval(m['ci_low'], m['ci_high'])}]"
            if not math.isnan(m["pi_low"]):
                assert cells[6] == interval(m["pi_low"], m["pi_high"])
        else:
            assert cells[5] == "not estimable"

    runs = {r.name: r for r in built_results(built)}
    meta = [p.parent.parent.name for p in sorted(built.glob("runs/*/sensitivity/*.csv"))]
    titles = [
        tr.find("td").find("a").get_text() for tr in soup.select("table.sensitivity tbody tr")
    ]
    assert sorted(titles) == sorted(runs[n].title for n in meta)


def test_the_findings_carry_no_machine_keys(built, review):
    soup = page(built / "index.html")
    for quoted in soup.select("table.discrepancies td[title]"):
        quoted.decompose()  # the paper's own words ("None, 6, 3/48") are quoted as printed
    findings = " ".join(section_text(soup, a) for a in ("audit", "pooled", "sensitivity"))
    keys = {key for _, key, _ in pooling.groups(review)} | set(claims.STATUSES)
    keys = {k for k in keys if "_" in k} | {"nan", "NaN", "None", "True", "False"}
    found = [k for k in keys if re.search(rf"(?<![\w-]){re.escape(k)}(?![\w-])", findings)]
    assert not found, found


def test_the_front_page_fits_a_1280_px_window(built, chromium):
    pg = chromium.new_page(viewport={"width": 1280, "height": 900})
    pg.goto((built / "index.html").as_uri(), wait_until="load")
    assert pg.evaluate("document.documentElement.scrollWidth") <= 1280
    wide = pg.evaluate(
        "Array.from(document.querySelectorAll('div.scroll'))"
        ".filter(d => d.scrollWidth > d.clientWidth + 1).length"
    )
    pg.close()
    assert wide == 0  # no table needs its scroll bar at 1280 px


# --------------------------------------------------------------------------- since the paper


def then_and_now(now: str) -> pd.DataFrame:
    """Two modalities at the paper's edition and at ``now``: one grows by a study, one not."""
    rows = []
    for label, grows, model in (
        (f"Topical {MARKUP}", 1, "GLMM"),
        ("Diode laser", 0, pooling.SINGLE_STUDY),
    ):
        row = {"modality": "m", "label": label, "edition_paper": "paper", "edition_now": now}
        for when, extra in (("paper", 0), ("now", grows)):
            row |= {
                f"studies_{when}": 2 + extra,
                f"patients_{when}": 5 + extra,
                f"complete_{when}": 1,
                f"partial_{when}": 2 + extra,
                f"none_{when}": 1,
                f"unknown_{when}": 1,
                f"model_{when}": model,
                f"proportion_{when}": math.nan
                if model == pooling.SINGLE_STUDY
                else 0.6 + extra / 10,
                f"ci_low_{when}": 0.25,
                f"ci_high_{when}": 0.875,
            }
        row |= {"studies_change": grows, "patients_change": grows, "added": "New 2024 [66]" * grows}
        rows.append(row)
    return pd.DataFrame(rows)[changes.THEN_AND_NOW_COLUMNS]


@pytest.mark.parametrize("now", ["paper", "update-1"])
def test_since_the_paper_says_what_changed_in_the_pages_precision(tmp_path, now):
    out = tmp_path / "out"
    since_the_paper.write_since_the_paper(then_and_now(now), out / "runs" / "since")
    r = result("since", "Since", artifacts=[f"runs/since/{since_the_paper.SINCE_THE_PAPER_CSV}"])
    soup = page(index.write_index([r], out, "0" * 64, BUILT))
    text = section_text(soup, "since-the-paper")
    table = soup.select_one("table.since")
    if now == "paper":
        assert table is None and "no study has been added since the paper" in text
        return
    written = since_the_paper.read_since_the_paper(out / "runs/since/since_the_paper.csv")
    rows = [[td.get_text() for td in tr.find_all("td")] for tr in table.select("tbody tr")]
    for cells, (_, w) in zip(rows, written.iterrows(), strict=True):
        assert cells[0] == w["label"]
        grew = w["studies_now"] - w["studies_paper"]
        studies = f"{w['studies_paper']} → {w['studies_now']} (+{grew})" if grew else "2"
        assert cells[1] == studies
        for cell, when in zip(cells[4:6], ("paper", "now"), strict=True):
            if w[f"model_{when}"] == pooling.SINGLE_STUDY:
                assert cell == "single study, not pooled"
            else:
                ci = interval(w[f"ci_low_{when}"], w[f"ci_high_{when}"])
                assert cell == f"{pct(w[f'proportion_{when}'])} [{ci}]; {w[f'model_{when}']}"
    assert ESCAPED in str(table) and MARKUP not in str(soup)


# ------------------------------------------------- the Summary of Findings and the multiverse


def sof_page(tmp_path, review, label=None):
    """A front page built from the Summary of Findings of the review (a label replaced)."""
    from helpers.analysis import certainty
    from helpers.report import summary_of_findings

    out = tmp_path / "out"
    findings = certainty.summary_of_findings(review)
    path = summary_of_findings.write_summary_of_findings(findings, out / "runs" / "sof")
    if label is not None:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        frame["group"] = label
        frame.to_csv(path, index=False)
    r = result("sof", f"SoF {MARKUP}", artifacts=["runs/sof/summary_of_findings.csv"])
    index.write_index([r], out, "0" * 64, BUILT)
    return out, path


def test_the_summary_of_findings_shows_each_response_row_with_its_certainty(tmp_path, review):
    out, path = sof_page(tmp_path, review)
    soup = page(out / "index.html")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame = frame[frame["outcome"].isin(["response", "complete"])]
    rows = soup.select("table.sof tbody tr")
    assert len(rows) == len(frame) > 0
    for tr, (_, f) in zip(rows, frame.iterrows(), strict=True):
        cells = [td.get_text(" ", strip=True) for td in tr.find_all("td")]
        assert cells[1] == f["group"]
        assert cells[2].startswith(f"{int(f['k'])} stud")
        if f["events"]:
            assert cells[3].startswith(
                f"{pct(f['proportion'])} [{interval(f['ci_low'], f['ci_high'])}]"
            )
        assert cells[4].split()[0:2] == f["certainty"].split()[0:2]
    report = soup.find(id="summary-of-findings").find_next("p").find_all("a")
    assert [a["href"] for a in report] == [
        "runs/sof/sof-reviewer.html",
        "runs/sof/summary_of_findings.csv",
    ]


def test_hostile_text_of_the_summary_of_findings_is_escaped(tmp_path, review):
    out, _ = sof_page(tmp_path, review, label=MARKUP)
    html = (out / "index.html").read_text(encoding="utf-8")
    assert MARKUP not in html and ESCAPED in html


def mv_page(tmp_path, review, label=None, write=True):
    from helpers.analysis import multiverse
    from helpers.report import multiverse as mv_report

    out = tmp_path / "out"
    out.mkdir()
    artifacts = []
    if write:
        mv = multiverse.multiverse(review, models=[("crude", "z")], leave_one_out=False, workers=1)
        if label is not None:
            mv.table["label"] = label
        mv_report.write_multiverse(mv, out / "runs" / "mv")
        artifacts = ["runs/mv/multiverse.csv", "runs/mv/multiverse_summary.csv"]
    r = result("mv", "Multiverse", artifacts=artifacts)
    index.write_index([r], out, "0" * 64, BUILT)
    return out


def test_the_multiverse_shows_each_group_with_its_counts_from_the_file(tmp_path, review):
    out = mv_page(tmp_path, review)
    soup = page(out / "index.html")
    summary = pd.read_csv(out / "runs/mv/multiverse_summary.csv", dtype=str, keep_default_na=False)
    rows = [
        [td.get_text(" ", strip=True) for td in tr.find_all("td")]
        for tr in soup.select("table.multiverse tbody tr")
    ]
    assert [r[0] for r in rows] == list(summary["label"])
    assert [r[1] for r in rows] == list(summary["specifications"])
    assert [r[2] for r in rows] == list(summary["not_estimable"])
    links = [a["href"] for a in soup.find(id="multiverse").find_next("p").find_all("a")]
    assert links[1:] == ["runs/mv/multiverse_summary.csv", "runs/mv/multiverse.csv"]


def test_hostile_text_of_the_multiverse_is_escaped(tmp_path, review):
    out = mv_page(tmp_path, review, label=MARKUP)
    html = (out / "index.html").read_text(encoding="utf-8")
    assert MARKUP not in html and ESCAPED in html


@pytest.mark.parametrize("anchor", ["summary-of-findings", "multiverse"])
def test_a_missing_summary_of_findings_or_multiverse_is_said_plainly(tmp_path, review, anchor):
    out = mv_page(tmp_path, review, write=False)
    text = section_text(page(out / "index.html"), anchor)
    assert "was not built in this build" in text


def test_the_built_front_page_shows_the_summary_of_findings_and_multiverse(built):
    soup = page(built / "index.html")
    (sof_csv,) = built.glob("runs/*/summary_of_findings.csv")
    sof = pd.read_csv(sof_csv, dtype=str, keep_default_na=False)
    shown = sof[sof["outcome"].isin(["response", "complete"])]
    rows = soup.select("table.sof tbody tr")
    assert [tr.find_all("td")[1].get_text() for tr in rows] == list(shown["group"])
    (summary_csv,) = built.glob("runs/*/multiverse_summary.csv")
    summary = pd.read_csv(summary_csv, dtype=str, keep_default_na=False)
    rows = soup.select("table.multiverse tbody tr")
    assert [tr.find("td").get_text() for tr in rows] == list(summary["label"])
