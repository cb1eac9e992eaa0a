"""The report build, end to end: papermill runs, HTML, index, and what a failure leaves.

These tests execute the real notebooks on the project kernel (a few seconds per run).
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from helpers.analysis import claims
from helpers.build import clock, config, pipeline
from helpers.build.html import add_toc
from helpers.data.paths import NOTEBOOKS_DIR, PROJECT_ROOT
from helpers.report import paper_page

NOTEBOOK = NOTEBOOKS_DIR / "01_extraction.ipynb"
AUDIT_NOTEBOOK = NOTEBOOKS_DIR / "06_claims_audit.ipynb"


def write_config(path: Path, runs: list[dict]) -> Path:
    for run in runs:
        run.setdefault("notebook", str(NOTEBOOK))
    path.write_text(yaml.safe_dump({"runs": runs}), encoding="utf-8")
    return path


def run_cli(config: Path, output: Path, *only: str) -> subprocess.CompletedProcess:
    args = [
        sys.executable,
        "-m",
        "helpers.build",
        "--config",
        str(config),
        "--output-dir",
        str(output),
    ]
    if only:
        args += ["--only", *only]
    return subprocess.run(args, capture_output=True, text=True, cwd=PROJECT_ROOT)


def digest(folder: Path) -> dict[str, str]:
    """Every file under a folder (relative path -> SHA-256), hidden files aside."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.startswith(".")
    }


def run_files(out: Path, name: str) -> dict[str, Path]:
    folder = out / "runs" / name
    return {
        "notebook": folder / f"{name}.ipynb",
        "full": folder / f"{name}.html",
        "reviewer": folder / f"{name}-reviewer.html",
        "pdf": folder / f"{name}-reviewer.pdf",
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Three good runs: the extraction on the project's data and on a copy, the
    audit on the copy."""
    import shutil

    from helpers.data.paths import DATA_DIR

    root = tmp_path_factory.mktemp("build")
    data = root / "data"
    shutil.copytree(DATA_DIR, data)
    out = root / "reports"
    config = write_config(
        root / "reports.yaml",
        [
            {"name": "extraction", "title": "Extraction"},
            {
                "name": "extraction-copy",
                "title": "Extraction on a copy",
                "parameters": {"data_dir": str(data)},
            },
            {
                "name": "audit-copy",
                "title": "Audit on a copy",
                "notebook": str(AUDIT_NOTEBOOK),
                "parameters": {"data_dir": str(data)},
            },
        ],
    )
    result = run_cli(config, out)
    assert result.returncode == 0, result.stdout + result.stderr
    return {"root": root, "data": data, "out": out, "config": config, "stdout": result.stdout}


def test_unchanged_runs_are_skipped_and_said_to_be(built):
    """A second build with nothing changed executes nothing and says so."""
    result = run_cli(built["config"], built["out"])
    assert result.returncode == 0, result.stderr
    total = len(config.load_config(built["config"]))
    assert result.stdout.count("[skip]") == total
    assert f"0 report run(s) built, {total} unchanged and skipped." in result.stdout


def test_each_run_writes_notebook_full_and_reviewer_html_in_its_own_folder(built):
    for name in ("extraction", "extraction-copy", "audit-copy"):
        for path in run_files(built["out"], name).values():
            assert path.stat().st_size > 0
    top = {p.name for p in built["out"].iterdir() if not p.name.startswith(".")}
    # nothing of a run outside its folder; the paper's page is the build's own
    assert top == {"index.html", "build.json", "runs", paper_page.PAGE_NAME}, top
    assert not (built["out"] / ".staging").exists(), "staging left behind"


def test_progress_is_shown(built):
    # runs finish in any order (they execute in parallel); each reports once,
    # counted out of the total
    total = len(config.load_config(built["config"]))
    done = re.findall(rf"^\[(\d+)/{total}\] (\S+): ok", built["stdout"], re.M)
    assert sorted(int(i) for i, _ in done) == list(range(1, total + 1))
    assert {"extraction", "extraction-copy", "audit-copy"} <= {name for _, name in done}


def test_reviewer_version_hides_code(built):
    files = run_files(built["out"], "extraction")
    full = files["full"].read_text(encoding="utf-8")
    reviewer = files["reviewer"].read_text(encoding="utf-8")
    editor = re.compile(r'<div class="[^"]*jp-InputArea-editor')
    assert editor.search(full) and not editor.search(reviewer)
    assert "pd.set_option" not in re.sub(r"<[^>]+>", "", reviewer)
    assert "Table 1, rebuilt from the structured data" in reviewer  # the story stays


def test_index_links_every_report_with_parameters_and_checksum(built):
    index = (built["out"] / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'href="([^"]+)"', index)
    files = [link.split("#")[0] for link in links if not link.startswith("#")]
    assert files and all((built["out"] / link).is_file() for link in files)
    for anchor in (link[1:] for link in links if link.startswith("#")):  # within the page
        assert f'id="{anchor}"' in index, anchor
    for name in ("extraction", "extraction-copy"):
        assert f"runs/{name}/{name}-reviewer.html" in links and f"runs/{name}/{name}.html" in links
    assert str(built["data"]) in index  # the run's parameters
    manifest = json.loads((built["out"] / "build.json").read_text())
    assert manifest["data_checksum"] in index and manifest["built"] in index


def test_source_date_epoch_sets_the_build_time(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    assert clock.build_time().isoformat() == "1970-01-01T00:00:00+00:00"


def test_executed_notebook_has_no_timestamps(built):
    text = run_files(built["out"], "extraction")["notebook"].read_text(encoding="utf-8")
    assert "start_time" not in text and "end_time" not in text and '"duration"' not in text


def test_a_run_on_invalid_data_executes_nothing_and_keeps_the_last_good_report(built):
    """Break the copy's data: that run fails before any notebook executes, naming file, row and
    rule; its last good files stay; the other run is rebuilt."""
    out = built["out"]
    before = digest(out)
    outcomes = built["data"] / "outcomes.csv"
    original = outcomes.read_text(encoding="utf-8")
    outcomes.write_text(
        original.replace("32,patients,2,4,0,0", "32,patients,2,3,0,0"), encoding="utf-8"
    )
    try:
        result = run_cli(built["config"], out, "extraction", "extraction-copy")
    finally:
        outcomes.write_text(original, encoding="utf-8")
    assert result.returncode == 1
    assert "extraction-copy (01_extraction.ipynb)" in result.stderr
    assert "outcomes.csv, row 3, ref 32, column 'complete_response'" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    after = digest(out)
    for path in run_files(out, "extraction-copy").values():
        key = path.relative_to(out).as_posix()
        assert after[key] == before[key]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "failed" in index and "outcome counts add up" in index
    assert (
        'href="runs/extraction-copy/extraction-copy-reviewer.html"' in index
    )  # the last good report is still linked
    manifest = {r["name"]: r for r in json.loads((out / "build.json").read_text())["runs"]}
    assert (
        manifest["extraction"]["status"] == "ok"
        and manifest["extraction-copy"]["status"] == "failed"
    )
    # runs not rebuilt this time keep their entry, marked as from an earlier build
    assert manifest["audit-copy"]["status"] == "ok"
    assert (
        'href="runs/audit-copy/audit-copy-reviewer.html"' in index
        and "in an earlier build" in index
    )


# A notebook that fails on demand. Its switch is a parameter helpers.report.params knows (every
# parameter a run sets is checked by it), used here for nothing but failing.
FAILING = {
    "cells": [
        {
            "cell_type": "code",
            "id": "parameters",
            "metadata": {"tags": ["parameters"]},
            "source": "weighted = False\noutput_dir = None",
            "outputs": [],
            "execution_count": None,
        },
        {
            "cell_type": "code",
            "id": "work",
            "metadata": {},
            "execution_count": None,
            "outputs": [],
            "source": "from pathlib import Path\nif output_dir:\n"
            "    Path(output_dir, 'result.csv').write_text('a\\n1\\n')\n"
            "if weighted:\n    raise RuntimeError('this cell fails on purpose')",
        },
    ],
    "metadata": {
        "kernelspec": {
            "name": "calcinosis-review",
            "display_name": "calcinosis-review",
            "language": "python",
        }
    },
    "nbformat": 4,
    "nbformat_minor": 5,
}


def test_a_failing_cell_keeps_the_last_good_report_and_saves_the_failed_execution(tmp_path):
    notebook = tmp_path / "boom.ipynb"
    notebook.write_text(json.dumps(FAILING), encoding="utf-8")
    out = tmp_path / "reports"
    good = write_config(
        tmp_path / "good.yaml",
        [{"name": "boom", "notebook": str(notebook), "parameters": {"weighted": False}}],
    )
    assert run_cli(good, out, "boom").returncode == 0
    before = digest(out / "runs" / "boom")
    assert "result.csv" in before
    bad = write_config(
        tmp_path / "bad.yaml",
        [{"name": "boom", "notebook": str(notebook), "parameters": {"weighted": True}}],
    )
    result = run_cli(bad, out, "boom")
    assert result.returncode == 1
    assert (
        "boom (boom.ipynb): cell 2" in result.stderr
        and "this cell fails on purpose" in result.stderr
    )
    after = digest(out / "runs" / "boom")
    assert {k: after[k] for k in before} == before  # the last good report, byte for byte
    assert set(after) - set(before) == {"boom.failed.ipynb"}
    index = (out / "index.html").read_text(encoding="utf-8")
    assert (
        'href="runs/boom/boom.failed.ipynb"' in index
        and 'href="runs/boom/boom-reviewer.html"' in index
    )
    assert not (out / ".staging").exists()
    # the next good build replaces the folder whole: the failed execution goes with it
    assert run_cli(good, out, "boom").returncode == 0
    assert not (out / "runs" / "boom" / "boom.failed.ipynb").exists()


def test_config_errors_are_clear(tmp_path):
    path = write_config(tmp_path / "reports.yaml", [{"name": "x", "notebook": "missing.ipynb"}])
    with pytest.raises(config.ConfigError, match=r"notebook missing\.ipynb does not exist"):
        config.load_config(path)
    path.write_text("runs: [", encoding="utf-8")
    with pytest.raises(config.ConfigError, match="not valid YAML"):
        config.load_config(path)
    path = write_config(tmp_path / "reports.yaml", [{"name": "x"}, {"name": "X"}])
    with pytest.raises(config.ConfigError, match="duplicate run name"):
        config.load_config(path)


def test_unlisted_notebooks_get_a_default_run(tmp_path):
    (tmp_path / "reports.yaml").write_text("runs: []\n", encoding="utf-8")
    runs = config.load_config(tmp_path / "reports.yaml")
    assert [r.notebook for r in runs] == [p.resolve() for p in config.report_notebooks()]
    assert all(r.parameters == {} for r in runs)


def test_unknown_run_is_named():
    with pytest.raises(config.ConfigError, match="no run named"):
        pipeline.build(only=["nope"])


def test_notebook_outputs_land_in_the_run_folder(built):
    """The audit notebook's CSV is written through the staging folder into the run's own folder."""
    import csv

    path = built["out"] / "runs" / "audit-copy" / "claims_audit.csv"
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == claims.AUDIT_COLUMNS and "depends_on" in rows[0] and "reading" in rows[0]
    assert {r[5] for r in rows[1:]} <= set(claims.STATUSES)
    with open(path.with_name(claims.READINGS_CSV), encoding="utf-8", newline="") as f:
        named = {r["reading"] for r in csv.DictReader(f)}
    used = {
        name.removeprefix("reading: ")
        for r in rows[1:]
        for name in r[6].split("; ")
        if name.startswith("reading: ")
    }
    assert used and used <= named  # every reading the audit names is described beside it
    assert 'href="runs/audit-copy/claims_audit.csv"' in (built["out"] / "index.html").read_text(
        encoding="utf-8"
    )
    assert not (built["out"] / ".staging").exists()


def test_a_study_added_in_an_update_leaves_the_audit_of_the_paper_unchanged(built):
    """The living review: add a study in a new edition, rebuild with no code change, and
    the audit of the paper is what it was (it audits the paper's edition)."""
    import csv
    import shutil

    from tests_support import add_study

    def statuses():
        with open(
            built["out"] / "runs" / "audit-copy" / "claims_audit.csv", encoding="utf-8", newline=""
        ) as f:
            return {r["claim_id"]: r["status"] for r in csv.DictReader(f)}

    before = statuses()
    backup = built["root"] / "data-backup"
    shutil.copytree(built["data"], backup)
    try:
        add_study(built["data"], modality="topical_sts", n_cases=5, complete=5)
        result = run_cli(built["config"], built["out"], "audit-copy")
    finally:
        shutil.rmtree(built["data"])
        shutil.move(backup, built["data"])
    assert result.returncode == 0, result.stderr
    # the paper is audited against its own edition: an update changes nothing there
    assert statuses() == before


@pytest.mark.parametrize("levels", ["2", "3", "23", "2332", "22", "233323", "32", "2333"])
def test_the_table_of_contents_numbers_sections_and_nests_subsections(levels):
    """Every shape of h2/h3 sequence: one numbered item per h2, h3 items inside the h2 before
    them, valid nesting."""
    from html.parser import HTMLParser

    html = (
        "<main>"
        + "".join(
            f'<h{lv} id="a{i}">T{i}<a class="anchor-link" href="#a{i}">¶</a></h{lv}>'
            for i, lv in enumerate(levels)
        )
        + "</main>"
    )
    out = add_toc(html)
    nav = out[out.index("<nav") : out.index("</nav>") + 6]

    class Walk(HTMLParser):
        def __init__(self):
            super().__init__()
            self.stack, self.top, self.nested = [], [], []

        def handle_starttag(self, tag, attrs):
            if tag == "li":
                (
                    self.top
                    if self.stack.count("ol") == 1 and "ul" not in self.stack
                    else self.nested
                ).append(len(self.top))
            self.stack.append(tag)

        def handle_endtag(self, tag):
            assert self.stack.pop() == tag, nav  # well nested

    walk = Walk()
    walk.feed(nav)
    assert walk.stack == []
    # a leading h3 (no h2 before it) is a top-level item of its own
    assert len(walk.top) == levels.count("2") + (levels[0] == "3")
    assert len(walk.nested) == levels.count("3") - (levels[0] == "3")


def test_the_table_of_contents_keeps_heading_text_only():
    """Tags go, quoted attributes holding ">" included; a heading over several lines is kept."""
    html = (
        '<main><h2 id="a"><span title="a>b">First</span><a class="anchor-link" href="#a">¶</a></h2>'
        '<h3 id="b">Second\nline<a class="anchor-link" href="#b">¶</a></h3></main>'
    )
    nav = add_toc(html)
    nav = nav[nav.index("<nav") : nav.index("</nav>")]
    assert (
        '<a href="#a">First</a>' in nav
        and '<a href="#b">Second\nline</a>' in nav
        and "title" not in nav
    )


# Runs that are gone: their folders removed, and nothing else.


def _recorded(name: str, folder: str | None = None) -> dict:
    """A run as build.json records it: its files in its own folder (or in ``folder``)."""
    folder = folder or f"runs/{name}"
    return {
        "name": name,
        "files": {
            "notebook": f"{folder}/{name}.ipynb",
            "full": f"{folder}/{name}.html",
            "artifacts": [f"{folder}/figures/a.svg"],
        },
    }


def _make_run_folder(out: Path, name: str) -> Path:
    folder = out / "runs" / name
    (folder / "figures").mkdir(parents=True)
    (folder / f"{name}.html").write_text("report", encoding="utf-8")
    (folder / "figures" / "a.svg").write_text("<svg/>", encoding="utf-8")
    return folder


def test_only_the_folders_of_gone_runs_the_build_recorded_are_removed(tmp_path):
    out = tmp_path / "reports"
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "keep.txt").write_text("precious", encoding="utf-8")
    for name in ("gone", "current", "CURRENT", "mine", "borrowed", "other"):
        _make_run_folder(out, name)
    (out / "runs" / "linked").symlink_to(victim, target_is_directory=True)
    earlier = {
        "gone": _recorded("gone"),  # no longer a run: removed
        "current": _recorded("current"),  # still a run: kept
        "CURRENT": _recorded("CURRENT"),  # the current run's folder on a case-insensitive disk
        "linked": _recorded("linked"),  # a link: the link removed, never what it points at
        "borrowed": _recorded("borrowed", folder="runs/other"),  # files elsewhere: kept
        "never-made": _recorded("never-made"),  # no folder: nothing to do
    }
    # names that are not run names, as a hand-edited build.json could hold them
    for bad in ("..", "../victim", str(victim), ".staging", "a/b", "", "runs/../.."):
        earlier[bad] = _recorded(bad)
    lines = []
    runs = [config.Run("current", NOTEBOOK)]
    removed = pipeline.remove_gone_runs(out, runs, earlier, lines.append)
    assert removed == ["gone", "linked", "never-made"]
    assert sorted(p.name for p in (out / "runs").iterdir()) == [
        "CURRENT",
        "borrowed",
        "current",
        "mine",
        "other",
    ]
    assert (victim / "keep.txt").read_text(encoding="utf-8") == "precious"
    assert "[gone] gone: no longer a run; removed runs/gone/" in lines
    assert any(line.startswith("[kept] runs/mine/") for line in lines)
    assert tmp_path.is_dir() and (out / "runs").is_dir()


def test_a_gone_run_is_removed_by_the_next_build_and_a_run_not_selected_is_kept(built, tmp_path):
    """On a copy of a built folder: a run taken out of the runs file loses its folder and
    its line in the index; one that --only did not select keeps them. Nothing executes."""
    import shutil

    out = tmp_path / "reports"
    shutil.copytree(built["out"], out, symlinks=True)
    _make_run_folder(out, "by-hand")  # a folder no build made
    entries = yaml.safe_load(built["config"].read_text(encoding="utf-8"))["runs"]
    every = {e["name"] for e in entries}

    # --only one run: every other run is still a run, and keeps its folder
    result = run_cli(built["config"], out, "extraction")
    assert result.returncode == 0, result.stdout + result.stderr
    assert every <= {p.name for p in (out / "runs").iterdir()}
    assert "[gone]" not in result.stdout

    # the copy's runs taken out of the file: removed, even by an --only build of another
    fewer = write_config(
        tmp_path / "reports.yaml", [e for e in entries if e["name"] == "extraction"]
    )
    result = run_cli(fewer, out, "extraction")
    assert result.returncode == 0, result.stdout + result.stderr
    left = {p.name for p in (out / "runs").iterdir()}
    assert "extraction" in left and "by-hand" in left
    assert not (every - {"extraction"}) & left
    for name in sorted(every - {"extraction"}):
        assert f"[gone] {name}: no longer a run; removed runs/{name}/" in result.stdout
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "runs/extraction-copy/" not in index and "runs/by-hand/" not in index
    recorded = json.loads((out / "build.json").read_text(encoding="utf-8"))["runs"]
    assert "extraction-copy" not in {r["name"] for r in recorded}
    assert "[skip] extraction" in result.stdout  # nothing was rebuilt to get here


# The command line: every option documented, paths as documented.


def _readme_options() -> set[str]:
    """The options README's table of `python -m helpers.build` lists (its first column)."""
    text = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### `python -m helpers.build`: every option", 1)[1].split("\n#", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return {
        option for row in rows for option in re.findall(r"`(--?[a-z][a-z-]*)", row.split(" | ")[0])
    }


def test_the_readme_documents_every_option_of_the_build_and_no_other():
    from helpers.build.cli import argument_parser

    defined = {o for action in argument_parser()._actions for o in action.option_strings}
    assert {"--config", "--only", "--output-dir"} <= defined
    assert _readme_options() == defined


@pytest.mark.parametrize(
    "option, made, message",
    [
        ("--config", "file", "runs must be a list"),
        ("--output-dir", "file", "is a file, not a folder"),
    ],
)
def test_a_path_option_is_relative_to_the_current_directory(tmp_path, option, made, message):
    """Typed on a command line, a path is the current directory's, as for any command (the
    paths inside a runs file are the project root's)."""
    (tmp_path / "given").write_text("runs: 5\n", encoding="utf-8")
    args = [sys.executable, "-m", "helpers.build", option, "given", "--only", "x"]
    result = subprocess.run(args, capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert message in result.stderr and str(tmp_path / "given") in result.stderr
    assert "Traceback" not in result.stderr


def test_validate_reads_its_folder_from_the_current_directory(tmp_path, data_copy):
    result = subprocess.run(
        [sys.executable, "-m", "helpers.validate", data_copy.name],
        capture_output=True,
        text=True,
        cwd=data_copy.parent,
    )
    assert result.returncode == 0, result.stderr
    assert str(data_copy) in result.stdout  # the copy, not the project's data/


# nbval: the report notebooks only.


def _own_pytest_env() -> dict:
    """The environment for a pytest run inside a test: without the outer run's options.

    ``PYTEST_ADDOPTS`` may name the outer run's ``--basetemp``, which an inner run would
    empty while the outer one uses it (the growth test's copy sets it).
    """
    import os

    return {k: v for k, v in os.environ.items() if k != "PYTEST_ADDOPTS"}


def test_nbval_collects_the_report_notebooks_only(tmp_path):
    """pytest over a notebooks/ folder holding report notebooks and a researcher's scratch
    ones, with the project's root conftest.py: only the report notebooks are test cases."""
    from test_config import REPORT_NAMES, SCRATCH_NAMES

    (tmp_path / "conftest.py").write_bytes((PROJECT_ROOT / "conftest.py").read_bytes())
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    folder = tmp_path / "notebooks"
    (folder / "sub").mkdir(parents=True)
    source = (NOTEBOOKS_DIR / "03_pooled_outcomes.ipynb").read_bytes()
    for name in REPORT_NAMES + SCRATCH_NAMES:
        (folder / f"{name}.ipynb").write_bytes(source)
    (folder / "sub" / "02_inside.ipynb").write_bytes(source)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--collect-only",
            "-q",
            "--nbval",
            "-p",
            "no:cacheprovider",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=_own_pytest_env(),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    collected = {line.split("::")[0] for line in result.stdout.splitlines() if "::" in line}
    assert collected == {f"notebooks/{name}.ipynb" for name in REPORT_NAMES}


def test_pytest_collects_the_project_notebooks_it_should(tmp_path):
    """The project's own configuration (testpaths, addopts) puts every report notebook in the
    suite: the rule leaves none of them out."""
    from helpers.build.config import report_notebooks

    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "notebooks"],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env=_own_pytest_env(),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    collected = {line.split("::")[0] for line in result.stdout.splitlines() if "::" in line}
    assert collected == {f"notebooks/{p.name}" for p in report_notebooks()}


@pytest.mark.slow
def test_make_lab_serves_the_project_root_and_opens_on_notebooks(tmp_path):
    """The command `make lab` runs, started on a free port without a browser: `/` leads to
    notebooks/, and the file browser's root is the project's (data/ and reports.yaml in it)."""
    import os
    import shlex
    import socket
    import time
    import urllib.error
    import urllib.request

    bin_dir = str(Path(sys.executable).parent)
    command = subprocess.run(
        # --no-print-directory: run from another make (the growth test's copy), make would
        # print its directory among the commands
        [
            "make",
            "-s",
            "-n",
            "--no-print-directory",
            "-o",
            ".venv/.installed",
            "lab",
            f"BIN={bin_dir}",
        ],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        check=True,
    ).stdout.strip()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    extra = ["--no-browser", f"--port={port}", "--ip=127.0.0.1", "--IdentityProvider.token=t"]
    # make lab adds --allow-root for root itself
    assert ("--allow-root" in command) is (os.geteuid() == 0), command
    env = os.environ | {"JUPYTER_RUNTIME_DIR": str(tmp_path)}
    server = subprocess.Popen(
        [*shlex.split(command), *extra],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                opener.open(f"{base}/?token=t", timeout=2)
            except urllib.error.HTTPError as exc:
                location = exc.headers.get("Location", "")
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("JupyterLab did not start")
        assert location.split("?")[0].endswith("/lab/tree/notebooks"), location
        with opener.open(f"{base}/api/contents?token=t", timeout=10) as response:
            names = {c["name"] for c in json.load(response)["content"]}
        assert {"notebooks", "data", "reports.yaml"} <= names
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.mark.parametrize(
    "options",
    [
        ["--only", "01_extraction"],
        ["--config", "x.yaml"],
        ["--output-dir", "x"],
        ["--force"],
        ["--jobs", "2"],
    ],
)
def test_refresh_notebooks_refuses_the_options_it_would_ignore(options, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "helpers.build", "--refresh-notebooks", *options],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"{options[0]} would not apply" in result.stderr and "Traceback" not in result.stderr
    assert "executing" not in result.stdout


def test_reordering_reports_yaml_gives_every_page_its_new_neighbours_without_a_rebuild(built):
    """The runs are unchanged, so none is executed again; still every page's previous and next
    follow the new order (the bars are written at the end of every build)."""
    from helpers.build import nav

    runs = yaml.safe_load(built["config"].read_text(encoding="utf-8"))["runs"]
    reordered = write_config(built["root"] / "reordered.yaml", runs[::-1])

    def neighbours(config_path: Path) -> None:
        names = [r.name for r in config.load_config(config_path)]
        for i, name in enumerate(names):
            for version in nav.PAGES:
                page = run_files(built["out"], name)[version].read_text(encoding="utf-8")
                bar = page[page.index(nav.START) : page.index(nav.END)]
                found = dict(re.findall(r'rel="(prev|next)" data-run="([^"]+)"', bar))
                assert found.get("prev") == (names[i - 1] if i else None), (name, version)
                assert found.get("next") == (names[i + 1] if i + 1 < len(names) else None)

    settled = run_cli(built["config"], built["out"])  # whatever earlier tests left, rebuilt
    assert settled.returncode == 0, settled.stderr
    try:
        result = run_cli(reordered, built["out"])
        assert result.returncode == 0, result.stderr
        assert "0 report run(s) built" in result.stdout, result.stdout  # nothing executed
        neighbours(reordered)
    finally:
        result = run_cli(built["config"], built["out"])  # as the other tests expect it
    assert result.returncode == 0, result.stderr
    neighbours(built["config"])
