"""Script from the data never runs: every free-text field and every parameter, holding script,
through a whole build, opened in Chromium.

A copy of the data gets a payload in every free-text column of every table (appended to
each row's value), in a free-text key (a disease code, renamed wherever it is used), in
every claim's note and reason and every Table 2 note; the report runs get a payload in
their titles and read their data from a folder whose *name* is a payload. Columns whose
rules refuse the payload (a pattern, a printed Table 2 cell that must stay readable) are
refused by the loader with one clear message instead: the test records them, and checks
the rest are accepted. One run of each notebook is built (the other runs of a notebook
differ in settings, not in the text they show). Then every report, the index and every SVG
figure are opened in headless Chromium, and nothing may have run: no payload's code
executed, no element of a payload in the page, no ``javascript:`` link. The CSV files a
spreadsheet opens hold no live formula.
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
import yaml

from helpers import DataValidationError, load_review
from helpers.build import pipeline
from helpers.build.config import Run, load_config
from helpers.data.dictionary import read_descriptor
from helpers.data.escape import FORMULA_START
from helpers.data.paths import DATA_DIR, PROJECT_ROOT

from tests_support import read_rows, reseal, write_rows

# Three forms of the payload, for columns whose rules allow more or less: HTML with tags; no
# <, > or & (a Markdown link, an attribute break, math, backticks); and no spaces either.
PAYLOADS = [
    '<img src=x data-xss="{id}" onerror="window.__xss.push(\'{id}\')">'
    "<script>window.__xss.push('{id}')</script>",
    '[{id}](javascript:window.__xss.push(\'{id}\')) " data-xss="{id}" '
    "onmouseover=\"window.__xss.push('{id}')\" $x$ `{id}`",
    "<svg/data-xss={id}/onload=window.__xss.push('{id}')>",
]
FORMULA = '=HYPERLINK("http://example.invalid","click")'
INIT = (
    "window.__xss = []; "
    "window.alert = window.confirm = window.prompt = (m) => window.__xss.push('dialog ' + m);"
)


def _free_text_columns(descriptor) -> list[tuple[dict, dict]]:
    """String columns that hold free text: no enum, not a key, not a reference to another table."""
    out = []
    for r in descriptor["resources"]:
        schema = r["schema"]
        keys = set(schema.get("primaryKey", []))
        refs = {fk["fields"][0] for fk in schema.get("foreignKeys", [])}
        for f in schema["fields"]:
            if (
                f["type"] == "string"
                and "enum" not in f.get("constraints", {})
                and f["name"] not in keys | refs
            ):
                out.append((r, f))
    return out


def _rewrite(path: Path, change) -> None:
    rows = read_rows(path)
    change(rows)
    write_rows(path, rows)


def _put(folder: Path, resource: dict, field: dict, variant: int, tag: str) -> None:
    def change(rows):
        i = rows[0].index(field["name"])
        for n, row in enumerate(rows[1:], start=1):
            payload = PAYLOADS[variant].format(id=f"{tag}-{n}")
            row[i] = (row[i] + " " + payload).strip() if variant < 2 else row[i] + payload

    _rewrite(folder / resource["path"], change)


def _rename_free_text_keys(folder: Path, descriptor, registers_text: str) -> list[str]:
    """A primary key of free text (no pattern, no enum), renamed to a payload
    wherever it is used."""
    renamed = []
    for r in descriptor["resources"]:
        key = r["schema"].get("primaryKey", [])
        if len(key) != 1:
            continue
        field = next(f for f in r["schema"]["fields"] if f["name"] == key[0])
        own_refs = {fk["fields"][0] for fk in r["schema"].get("foreignKeys", [])}
        if (
            field["type"] != "string"
            or {"enum", "pattern"} & set(field.get("constraints", {}))
            or key[0] in own_refs
        ):
            continue
        rows = read_rows(folder / r["path"])
        i = rows[0].index(key[0])
        old = next(row[i] for row in rows[1:] if row[i] not in registers_text)
        new = old + PAYLOADS[0].format(id=f"key-{r['name']}")
        users = [
            (r2, fk["fields"][0])
            for r2 in descriptor["resources"]
            for fk in r2["schema"].get("foreignKeys", [])
            if fk["reference"]["resource"] == r["name"]
        ] + [(r, key[0])]
        for resource, column in users:

            def change(rows, column=column):
                j = rows[0].index(column)
                for row in rows[1:]:
                    if row[j] == old:
                        row[j] = new

            _rewrite(folder / resource["path"], change)
        renamed.append(f"{r['name']}.{key[0]}")
    return renamed


def _letters(n: int) -> str:
    """A number as letters (0 -> a, 27 -> bb): a note may state no number its
    sources do not give."""
    return "abcdefghijklmnopqrstuvwxyz"[n % 26] * (1 + n // 26)


def _hostile_registers(folder: Path) -> None:
    path = folder / "claims.yaml"
    claims = yaml.safe_load(path.read_text(encoding="utf-8"))
    for n, claim in enumerate(claims):
        for key in ("note", "reason"):
            if claim.get(key):
                claim[key] = claim[key] + " " + PAYLOADS[0].format(id=f"claims-{key}-{_letters(n)}")
    first = next(c for c in claims if c.get("computation"))
    first["note"] = FORMULA  # a formula at the start of a cell that reaches claims_audit.csv
    path.write_text(
        yaml.safe_dump(claims, allow_unicode=True, sort_keys=False, width=10_000), encoding="utf-8"
    )
    path = folder / "table2_notes.yaml"
    notes = yaml.safe_load(path.read_text(encoding="utf-8"))
    for n, note in enumerate(notes):
        note["note"] = (
            ("@SUM(x)" if n == 0 else "")
            + note["note"]
            + " "
            + PAYLOADS[0].format(id=f"notes-{_letters(n)}")
        )
    path.write_text(
        yaml.safe_dump(notes, allow_unicode=True, sort_keys=False, width=10_000), encoding="utf-8"
    )
    path = folder / "certainty.yaml"  # the judgments' rationales reach the SoF table and its CSV
    judged = yaml.safe_load(path.read_text(encoding="utf-8"))
    for n, entry in enumerate(judged):
        entry["rationale"] = (
            (FORMULA + " " if n == 0 else "")
            + entry["rationale"]
            + " "
            + PAYLOADS[0].format(id=f"certainty-{_letters(n)}")
        )
    path.write_text(
        yaml.safe_dump(judged, allow_unicode=True, sort_keys=False, width=10_000), encoding="utf-8"
    )


def _one_run_per_notebook(runs: list[Run]) -> list[Run]:
    """The first run of each notebook: the others differ in settings, not in the text they show."""
    seen, out = set(), []
    for run in runs:
        if run.notebook not in seen:
            seen.add(run.notebook)
            out.append(run)
    return out


def _sealed_load(folder):
    """Load the folder with its paper's edition sealed again first: the payloads change the
    paper's rows, as a (hostile) correction would."""
    reseal(folder, "the hostile test's payloads")
    return load_review(folder, cache=False)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """The hostile data folder (named by a payload), what the loader refused, and
    the built reports."""
    root = tmp_path_factory.mktemp("hostile")
    folder = root / PAYLOADS[2].format(id="folder-name")
    shutil.copytree(DATA_DIR, folder)
    descriptor = read_descriptor()
    registers_text = (DATA_DIR / "claims.yaml").read_text(encoding="utf-8") + (
        DATA_DIR / "table2_notes.yaml"
    ).read_text(encoding="utf-8")
    renamed = _rename_free_text_keys(folder, descriptor, registers_text)
    _hostile_registers(folder)
    # Every column gets the richest payload its rules allow: all columns at once, and a column
    # the loader refuses moves on to the next form, until the folder loads.
    columns = {f"{r['path']}:{f['name']}": (r, f) for r, f in _free_text_columns(descriptor)}
    backups = {r["path"]: (folder / r["path"]).read_bytes() for r, _ in columns.values()}
    variant = dict.fromkeys(columns, 0)
    refused = {}
    for _ in range(4 * len(PAYLOADS)):
        for path, data in backups.items():
            (folder / path).write_bytes(data)
        for key, (resource, field) in columns.items():
            if key not in refused:
                _put(folder, resource, field, variant[key], f"{resource['name']}.{field['name']}")
        try:
            _sealed_load(folder)
            break
        except DataValidationError as exc:
            assert "Traceback" not in str(exc)
            named = {f"{p.file}:{p.column}" for p in exc.problems}
            assert named <= set(columns), f"a problem outside the payload columns:\n{exc}"
            for key in named:
                variant[key] += 1
                if variant[key] == len(PAYLOADS):
                    refused[key] = next(
                        str(p) for p in exc.problems if f"{p.file}:{p.column}" == key
                    )
    placed = {key: variant[key] for key in columns if key not in refused}
    _sealed_load(folder)  # every payload that was placed, at once
    title = PAYLOADS[0].format(id="title")
    runs = [
        Run(
            r.name,
            r.notebook,
            r.parameters
            | {"data_dir": str(folder)}
            | (
                {"appraisal_path": str(PROJECT_ROOT / "tests/fixtures/appraisals_synthetic.csv")}
                if r.notebook.stem == "02_risk_of_bias"
                else {}
            ),
            f"{r.title} {title}",
        )
        for r in _one_run_per_notebook(load_config())
    ]
    out = root / "reports"
    results = pipeline.build(runs, output_dir=out, force=True, log=lambda *a, **k: None)
    failed = [f"{r.name}: {r.error}" for r in results if r.status != "ok"]
    assert not failed, failed
    return {"out": out, "placed": placed, "refused": refused, "renamed": renamed}


def test_payloads_reach_the_data(hostile):
    """The test means something: most free-text columns hold a payload, and the refusals are the
    pattern-restricted and parsed columns, each with a clear message."""
    assert len(hostile["placed"]) >= 30, hostile["refused"]
    assert hostile["renamed"], "no free-text key was renamed"
    for tag, message in hostile["refused"].items():
        assert "[rule: " in message and "Traceback" not in message, (tag, message)


def test_nothing_from_the_data_runs_in_any_page(hostile, chromium):
    out = hostile["out"]
    pages = [
        out / "index.html",
        *sorted(out.glob("runs/*/*.html")),
        *sorted(out.glob("runs/*/figures/*.svg")),
    ]
    assert len(pages) > 20
    page = chromium.new_page()
    page.add_init_script(INIT)
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    shown = 0
    for path in pages:
        page.goto(path.as_uri(), wait_until="load")
        page.mouse.move(10, 10)
        page.mouse.move(600, 400)
        ran = page.evaluate("window.__xss || []")
        injected = page.evaluate("""() => Array.from(
                document.querySelectorAll('[data-xss], script, a[href^="javascript:" i]'))
            .filter(e => e.tagName.toLowerCase() !== 'script' || e.textContent.includes('__xss'))
            .map(e => e.outerHTML.slice(0, 120))""")
        assert not ran and not injected and not dialogs, (
            path.relative_to(out),
            ran,
            injected,
            dialogs,
        )
        shown += page.evaluate("document.documentElement.textContent.includes('data-xss')")
    page.close()
    assert shown > 10  # the payloads are on the pages, as text


def test_no_csv_cell_is_a_live_formula(hostile):
    csvs = sorted(hostile["out"].glob("runs/*/*.csv")) + sorted(
        hostile["out"].glob("runs/*/sensitivity/*.csv")
    )
    assert csvs
    seen_prefixed = False
    for path in csvs:
        for row in csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")):
            for cell in row:
                assert (
                    not cell.startswith(FORMULA_START)
                    or cell.lstrip("-").replace(".", "", 1).isdigit()
                ), (
                    path.name,
                    cell,
                )
                seen_prefixed |= cell.startswith("'=")
    assert seen_prefixed  # the formula in a claim's note arrived, neutralised
