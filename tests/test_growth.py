"""The review grows, and everything still passes: the README's "Updating the review", done.

A copy of the project gets an edition with three synthetic studies (published 2023-2025),
through the documented commands only: ``python -m helpers.update new-edition`` and
``add-study``, the cells ``python -m helpers.validate`` lists filled in, ``make notebooks``.
Then the whole test suite (``make test``) and ``make report`` run in the copy. The updated
PRISMA flow shows the paper's studies plus the three, the audit of the paper is the one the
unchanged project gives, and report 07 lists the three.

Marked ``slow`` (``make test`` runs it). The copy shares the project's virtual environment
and imports its own ``src`` (``PYTHONPATH``); inside the copy this test skips itself.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from helpers import load_review
from helpers.analysis import claims
from helpers.data.paths import PROJECT_ROOT
from helpers.report import prisma_flow

from tests_support import fill, fill_study

#: Set in the copy's environment, so that its own run of the suite does not recurse.
NESTED = "CALCINOSIS_GROWTH_NESTED"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(bool(os.environ.get(NESTED)), reason="the growth test's own run"),
]

EDITION = "synthetic-update"
#: (modality, patients, complete responders, publication year) of the three studies.
STUDIES = [
    ("topical_sts", 4, 2, 2023),
    ("intralesional_sts", 3, 1, 2024),
    ("eswl", 2, 2, 2025),
]


def _copy_project(dest: Path) -> None:
    """The files git would give a fresh clone (tracked, and new ones not ignored)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode("utf-8")
    for rel in filter(None, listed.split("\0")):
        source = PROJECT_ROOT / rel
        if source.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / rel)  # keeps the times: make sees the venv up to date
    (dest / ".venv").symlink_to(PROJECT_ROOT / ".venv")


def _run(root: Path, env: dict, *command: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        list(command), cwd=root, env=env, capture_output=True, text=True, timeout=3600
    )


def _ok(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, (
        f"{' '.join(result.args)} exited {result.returncode}\n"
        f"{result.stdout[-6000:]}\n{result.stderr[-6000:]}"
    )
    return result.stdout


def run_pipeline(parent: Path) -> dict:
    """Copy the project into ``parent``, update it by the documented steps, and run
    ``make notebooks``, ``make test`` and ``make report`` there; each step's result.

    Long: the README's steps in their order, each a command; split, the copy's paths and
    environment would be passed along every part.
    """
    root = parent / "project"
    root.mkdir()
    _copy_project(root)
    # the copy's own data cache (the suite's is removed when that suite ends)
    env = {k: v for k, v in os.environ.items() if k != "CALCINOSIS_CACHE_DIR"} | {
        "PYTHONPATH": str(root / "src"),
        NESTED: "1",
        "PYTEST_ADDOPTS": f"--basetemp={root.parent / 'nested-tmp'}",
    }
    python = sys.executable
    data = root / "data"
    _ok(
        _run(
            root,
            env,
            python,
            "-m",
            "helpers.update",
            "new-edition",
            EDITION,
            "--title",
            "A synthetic update (the growth test)",
            "--search-date",
            "2025-12-31",
            "--provenance",
            "synthetic test data",
        )
    )
    # The update's search: its PRISMA counts are not reported.
    fill(data / "prisma.csv", {"provenance": "synthetic test data"}, {"edition": EDITION})
    refs = []
    for i, (modality, n, complete, year) in enumerate(STUDIES, start=1):
        out = _ok(
            _run(
                root,
                env,
                python,
                "-m",
                "helpers.update",
                "add-study",
                "--edition",
                EDITION,
                "--modality",
                modality,
                "--first-author",
                f"Synthetic{i}",
            )
        )
        ref = int(re.search(r"study (\d+) added", out).group(1))
        refs.append(ref)
        fill_study(data, ref, n, complete, year, first_author=f"Synthetic{i}")
    listed = _run(root, env, python, "-m", "helpers.validate")
    return {
        "root": root,
        "env": env,
        "refs": refs,
        "validate": listed,
        "notebooks": _run(root, env, "make", "notebooks"),
        "test": _run(root, env, "make", "test"),
        "report": _run(root, env, "make", "report"),
    }


_PIPELINE: dict = {}


def start() -> None:
    """Start the pipeline in the background (once): ``tests/conftest.py`` does, as soon as
    the session has collected this module's tests, so that the copy's own run of the suite
    overlaps the rest of the suite rather than following it."""
    if os.environ.get(NESTED):
        return  # inside the copy: no copy of the copy
    if "future" not in _PIPELINE:
        parent = Path(tempfile.mkdtemp(prefix="calcinosis-growth-"))
        _PIPELINE["parent"] = parent
        _PIPELINE["future"] = ThreadPoolExecutor(max_workers=1).submit(run_pipeline, parent)


def finish() -> None:
    """Remove the copy (``tests/conftest.py`` calls this when the session ends)."""
    if "parent" in _PIPELINE:
        shutil.rmtree(_PIPELINE["parent"], ignore_errors=True)


@pytest.fixture(scope="module")
def grown():
    """The copy, updated by the documented steps; the results of each later step."""
    start()
    return _PIPELINE["future"].result()


def test_the_filled_update_is_valid(grown):
    _ok(grown["validate"])


def test_make_notebooks_refreshes_the_stored_outputs(grown):
    _ok(grown["notebooks"])


def test_the_whole_suite_passes_on_the_grown_review(grown):
    out = _ok(grown["test"])
    assert re.search(r"\d+ passed", out), out[-2000:]


def test_make_report_builds_every_run(grown):
    _ok(grown["report"])


def test_the_updated_prisma_flow_shows_the_paper_plus_the_new_studies(grown):
    _ok(grown["report"])
    figures = grown["root"] / "reports" / "runs" / "01_extraction" / "figures"
    assert (figures / "prisma-flow.png").is_file()
    paper = load_review().paper_edition()
    figure = prisma_flow.diagram(load_review(grown["root"] / "data", cache=False))
    text = " ".join(t.get_text().replace("\n", " ") for t in figure.axes[0].texts)
    new = len(STUDIES)
    for words, count in (
        ("Studies included in previous version of review", paper.n_studies),
        ("New studies included in review", new),
        ("Total studies included in review", paper.n_studies + new),
    ):
        assert re.search(rf"{words}.*?\(n = {count}\)", text), (words, count, text)


def test_the_audit_of_the_paper_is_unchanged(grown, tmp_path):
    _ok(grown["report"])
    before = claims.write_audit(claims.audit(load_review()), tmp_path)
    after = grown["root"] / "reports" / "runs" / "06_claims_audit" / before.name
    assert after.read_bytes() == before.read_bytes()


def test_since_the_paper_lists_the_three_studies(grown):
    _ok(grown["report"])
    run = grown["root"] / "reports" / "runs" / "07_since_the_paper"
    with open(run / "since_the_paper.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert rows, "since_the_paper.csv is empty"
    html = (run / "07_since_the_paper-reviewer.html").read_text(encoding="utf-8")
    for i, ref in enumerate(grown["refs"], start=1):
        assert f"Synthetic{i}" in html and str(ref) in html, (i, ref)
    index = (grown["root"] / "reports" / "index.html").read_text(encoding="utf-8")
    assert "Since the paper" in index
