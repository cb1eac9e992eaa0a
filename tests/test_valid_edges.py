"""Data that load can never fail later inside a notebook.

The loader is the one gate. These tests make data sets the gate accepts but that are as
unusual as valid data get, by class, not by example:

- the emptiest review: every optional cell of every table blanked, as far as the gate
  accepts (each column the gate refuses to blank is put back, and said);
- small reviews: one study, two studies (the other studies removed from every table, and
  the claims and notes that speak of them dropped);
- vocabularies with entries nothing uses (a modality, a disease, a disease category);
- every study a conference abstract, so that a meta-analysis without abstracts pools nothing;

and run every notebook's code on each, in this process (``notebook_runner``), rendering
every table and figure. Nothing may raise.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest
import yaml

from helpers import DataValidationError, load_review
from helpers.build.config import report_notebooks
from helpers.data.dictionary import TABLES, read_descriptor
from helpers.data.paths import DATA_DIR, PROJECT_ROOT
from helpers.data.registers import REGISTER_FILES

from notebook_runner import run_notebook
from tests_support import read_rows as read
from tests_support import reseal
from tests_support import write_rows as write

DESCRIPTOR = read_descriptor()
RESOURCES = {r["name"]: r for r in DESCRIPTOR["resources"] if r["name"] in TABLES}


def _load_or_problems(folder: Path):
    """Load the folder, its paper's edition sealed again first: an edge case is another
    review made from the paper's rows, as a correction of them would be."""
    try:
        reseal(folder, "a valid edge case of the tests")
        return load_review(folder, cache=False), []
    except DataValidationError as exc:
        return None, exc.problems


def _drop_registers_entries(folder: Path, problems) -> bool:
    """Drop the claims and notes the problems name (by line); True if any was dropped."""
    dropped = False
    for name in REGISTER_FILES:
        lines = {p.row for p in problems if p.file == name and p.row}
        if not lines:
            continue
        path = folder / name
        text = path.read_text(encoding="utf-8")
        node = yaml.compose(text)
        entries = yaml.safe_load(text)
        keep = [
            e
            for e, item in zip(entries, node.value, strict=True)
            if not any(item.start_mark.line + 1 <= line <= item.end_mark.line + 1 for line in lines)
        ]
        if len(keep) < len(entries):
            path.write_text(
                yaml.safe_dump(
                    keep or entries[:1], allow_unicode=True, sort_keys=False, width=10_000
                ),
                encoding="utf-8",
            )
            dropped = True
    return dropped


def settle(folder: Path) -> None:
    """Drop the claims and notes that speak of what an edit removed, until the folder loads."""
    for _ in range(20):
        review, problems = _load_or_problems(folder)
        if review is not None:
            return
        if not _drop_registers_entries(folder, problems):
            raise AssertionError("\n".join(map(str, problems)))
    raise AssertionError("the folder does not settle")


def emptiest(folder: Path) -> list[str]:
    """Blank every optional cell of every table, putting back each column the gate refuses."""
    originals = {name: read(folder / r["path"]) for name, r in RESOURCES.items()}
    candidates = {
        (name, f["name"])
        for name, r in RESOURCES.items()
        for f in r["schema"]["fields"]
        if not f.get("constraints", {}).get("required")
        and f["name"] not in r["schema"].get("primaryKey", [])
    }
    kept_back: set = set()
    for _ in range(30):
        for name, r in RESOURCES.items():
            rows = [list(row) for row in originals[name]]
            for col in {c for n, c in candidates - kept_back if n == name}:
                i = rows[0].index(col)
                for row in rows[1:]:
                    row[i] = ""
            write(folder / r["path"], rows)
        review, problems = _load_or_problems(folder)
        if review is not None:
            return sorted(f"{n}.{c}" for n, c in candidates - kept_back)
        files = {name for p in problems for name, r in RESOURCES.items() if r["path"] == p.file}
        named = {
            (name, p.column)
            for p in problems
            for name in files
            if RESOURCES[name]["path"] == p.file
        }
        if named & (candidates - kept_back):
            kept_back |= named & candidates
        elif {(n, c) for n, c in candidates - kept_back if n in files}:
            # the problem lies in a column it does not name (a merge, a status): keep
            # the file's columns
            kept_back |= {(n, c) for n, c in candidates if n in files}
        elif not _drop_registers_entries(folder, problems):
            raise AssertionError("cannot blank further:\n" + "\n".join(map(str, problems)))
    raise AssertionError("no valid emptiest review")


def keep_studies(folder: Path, keep: set[int]) -> None:
    """Remove every other study from every table that describes studies, and the claims and
    notes that then speak of nothing."""
    for name, r in RESOURCES.items():
        rows = read(folder / r["path"])
        if "ref" in rows[0] and name not in ("references",):
            i = rows[0].index("ref")
            write(folder / r["path"], [rows[0]] + [row for row in rows[1:] if int(row[i]) in keep])
    rows = read(folder / RESOURCES["adverse_events"]["path"])
    i = rows[0].index("refs")
    for row in rows[1:]:
        row[i] = "; ".join(ref for ref in row[i].split("; ") if ref and int(ref) in keep)
    write(folder / RESOURCES["adverse_events"]["path"], rows)
    rows = read(folder / RESOURCES["prisma"]["path"])
    h = rows[0]
    for row in rows[1:]:  # the paper's included counts no longer describe these studies
        if row[h.index("box")] in ("studies_included", "patients_included"):
            row[h.index("count")] = ""
    write(folder / RESOURCES["prisma"]["path"], rows)
    settle(folder)


def unused_vocabulary(folder: Path) -> None:
    """An entry nothing uses in each vocabulary."""

    def add(name, values):
        rows = read(folder / RESOURCES[name]["path"])
        rows.append([values.get(c, "") for c in rows[0]])
        write(folder / RESOURCES[name]["path"], rows)

    add(
        "disease_categories",
        {
            "category": "unused_category",
            "label": "An unused category",
            "order": "99",
            "provenance": "test",
        },
    )
    add(
        "modalities",
        {
            "modality": "unused_modality",
            "family": "laser",
            "table1_heading": "Unused laser",
            "table2_label": "Unused",
            "label": "Unused laser",
            "order": "99",
            "provenance": "test",
        },
    )
    add(
        "disease_vocabulary",
        {
            "disease": "UNUSED",
            "name": "an unused disease",
            "name_source": "test",
            "category": "unused_category",
            "provenance": "test",
        },
    )


def small(n: int):
    def make(folder: Path) -> None:
        refs = [int(row[0]) for row in read(folder / "studies.csv")[1:]]
        keep_studies(folder, set(random.Random(n).sample(refs, n)))

    return make


def all_abstracts(folder: Path) -> None:
    """Every study a conference abstract: a run that leaves abstracts out pools nothing."""
    rows = read(folder / "studies.csv")
    i = rows[0].index("publication_type")
    for row in rows[1:]:
        row[i] = "conference_abstract"
    write(folder / "studies.csv", rows)
    settle(folder)


CASES = {
    "emptiest": emptiest,
    "one study": small(1),
    "two studies": small(2),
    "unused vocabulary": unused_vocabulary,
    "all abstracts": all_abstracts,
}


@pytest.fixture(scope="module", params=list(CASES))
def edge_folder(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp("edge") / "data"
    shutil.copytree(DATA_DIR, folder)
    CASES[request.param](folder)
    load_review(folder, cache=False)  # the gate accepts it
    return folder


NOTEBOOKS = report_notebooks()
#: Settings each notebook also runs with (notebook 04: one that can leave nothing to pool).
SETTINGS = {
    "04_meta_analysis": [
        {},
        {
            "exclude_abstracts": True,
            "unknown": "exclude",
            "case_series_only": True,
            "method": "reml",
            "test": "z",
        },
    ]
}


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_every_notebook_runs_on_valid_edge_data(edge_folder, notebook, tmp_path, monkeypatch):
    monkeypatch.chdir(PROJECT_ROOT)
    for settings in SETTINGS.get(notebook.stem, [{}]):
        parameters = {"data_dir": str(edge_folder)} | settings
        if "output_dir" in notebook.read_text(encoding="utf-8"):
            parameters["output_dir"] = str(tmp_path)
        run_notebook(notebook, **parameters)


def test_the_emptiest_review_blanks_most_optional_columns(tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(DATA_DIR, folder)
    blanked = emptiest(folder)
    assert len(blanked) >= 20, blanked
