"""What the build may touch, and when: paths inside the output folder, one build at a time,
fingerprints that see every input, checksums that follow links, escaped text."""

from __future__ import annotations

import csv
import errno
import io
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from helpers.build import cli, execute, files, fingerprints, index
from helpers.build.config import Run
from helpers.build.lock import FolderBusy, FolderLock
from helpers.data import escape, paths
from helpers.data.digests import data_checksum
from helpers.data.errors import SetupError
from helpers.data.paths import NOTEBOOKS_DIR, PROJECT_ROOT
from helpers.report import headline

# --------------------------------------------------------------------------- paths


@pytest.mark.parametrize(
    "relative", ["..", "../x", "runs/../../x", "/etc", "runs/a/../../../x", ""]
)
def test_paths_outside_the_output_folder_are_refused(tmp_path, relative):
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(SetupError, match="not inside the output folder"):
        files.inside(out, out / relative if relative else out)


def test_a_link_inside_the_output_folder_is_removed_not_followed(tmp_path):
    out, victim = tmp_path / "out", tmp_path / "victim"
    (out / "runs").mkdir(parents=True)
    victim.mkdir()
    (victim / "keep.txt").write_text("precious", encoding="utf-8")
    (out / "runs" / "x").symlink_to(victim, target_is_directory=True)
    files.remove(out, out / "runs" / "x")
    assert (
        not (out / "runs" / "x").exists()
        and (victim / "keep.txt").read_text(encoding="utf-8") == "precious"
    )
    # and a link to outside the folder cannot smuggle a deletion through its parent
    (out / "link").symlink_to(victim, target_is_directory=True)
    with pytest.raises(SetupError):
        files.remove(out, out / "link" / "keep.txt")
    assert (victim / "keep.txt").exists()


# --------------------------------------------------------------------------- one build at a time


def run_build(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "helpers.build", *args],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
    )


def test_a_second_build_exits_naming_the_running_one(tmp_path):
    out = tmp_path / "out"
    with FolderLock(out, log=lambda *a, **k: None):
        result = run_build("--output-dir", str(out), "--only", "03_pooled_outcomes")
    assert result.returncode == 3, result.stderr
    assert "another build is running" in result.stderr and f"process {os.getpid()}" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (out / "runs").exists()  # it touched nothing


def test_a_stale_lock_from_a_killed_build_is_cleared(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / ".build.lock").write_text('{"pid": 999999, "started": "earlier"}', encoding="utf-8")
    (out / ".staging" / "03_pooled_outcomes").mkdir(parents=True)  # what the killed build left
    result = run_build("--output-dir", str(out), "--only", "03_pooled_outcomes")
    assert result.returncode == 0, result.stderr
    assert "cleared a stale lock" in result.stdout and "process 999999" in result.stdout
    assert not (out / ".staging").exists()
    assert (out / ".build.lock").read_text(encoding="utf-8") == ""  # released


def test_wait_waits_for_the_running_build(tmp_path):
    lock = FolderLock(tmp_path, log=lambda *a, **k: None).acquire()
    released = []

    def release_later():
        time.sleep(2)
        released.append(time.monotonic())
        lock.release()

    threading.Thread(target=release_later).start()
    waiter = FolderLock(tmp_path, wait=True, log=lambda *a, **k: None)
    waiter.acquire()
    got = time.monotonic()
    waiter.release()
    assert released and got >= released[0]


def test_the_lock_refuses_a_second_holder_in_the_same_process(tmp_path):
    with FolderLock(tmp_path, log=lambda *a, **k: None), pytest.raises(FolderBusy):
        FolderLock(tmp_path, log=lambda *a, **k: None).acquire()


# --------------------------------------------------------------------------- fresh means fresh


def test_the_data_checksum_follows_a_linked_folder(tmp_path):
    import shutil

    from helpers.data.paths import DATA_DIR

    vocab = tmp_path / "vocab"
    shutil.copytree(DATA_DIR / "vocabularies", vocab)
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data, ignore=shutil.ignore_patterns("vocabularies"))
    (data / "vocabularies").symlink_to(vocab, target_is_directory=True)
    before = data_checksum(data)
    assert before == data_checksum(DATA_DIR)  # the same files, linked or not
    path = vocab / "families.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace("Laser,Laser", "Lasers,Laser"), encoding="utf-8"
    )
    assert data_checksum(data) != before
    (data / "loop").symlink_to(data, target_is_directory=True)  # a cycle is walked once
    data_checksum(data)


def test_the_fingerprint_covers_the_title_and_every_file_a_parameter_names(tmp_path):
    appraisals = tmp_path / "appraisals.csv"
    appraisals.write_text("ref,question,answer\n", encoding="utf-8")
    run = Run(
        "x", NOTEBOOKS_DIR / "02_risk_of_bias.ipynb", {"appraisal_path": str(appraisals)}, "A title"
    )
    base = fingerprints.run_fingerprint(run, "data", "code")
    assert (
        fingerprints.run_fingerprint(
            Run(run.name, run.notebook, run.parameters, "Another title"), "data", "code"
        )
        != base
    )
    appraisals.write_text("ref,question,answer\n59,1,yes\n", encoding="utf-8")
    assert fingerprints.run_fingerprint(run, "data", "code") != base


# --------------------------------------------------------------------------- errors writing


def test_a_full_disk_while_writing_the_index_leaves_the_old_one_and_no_temporary_file(
    tmp_path, monkeypatch
):
    out = tmp_path / "out"
    out.mkdir()
    (out / "index.html").write_text("the last good index", encoding="utf-8")

    def full(fd, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fdopen", full)
    with pytest.raises(OSError):
        files.write_file(out, out / "index.html", "new")
    monkeypatch.undo()
    assert (out / "index.html").read_text(encoding="utf-8") == "the last good index"
    assert [p.name for p in out.iterdir()] == ["index.html"]


def test_the_command_line_turns_a_write_error_into_one_message(monkeypatch, capsys):
    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", "reports/index.html")

    monkeypatch.setattr(cli, "build", full)
    assert cli.main([]) == 2
    err = capsys.readouterr().err
    assert err == "error: cannot write reports/index.html: No space left on device\n"


# --------------------------------------------------------------------------- escaping


SCRIPTS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "`code` *em*",
    "$x$ \\$",
    "a & b \"q\" 'q'",
    "# heading",
    "line\nbreak",
    "<!-- c -->",
    "&lt;script&gt;",
]


@pytest.mark.parametrize("text", SCRIPTS)
def test_markdown_escape_shows_the_text_as_typed(text):
    """Rendered the way nbconvert renders a Markdown cell, the escaped text is the text,
    and no tag appears."""
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    html = markdown2html_mistune(escape.markdown(text))
    assert (
        "<script" not in html
        and "<img" not in html
        and "<a " not in html
        and "<code" not in html
        and "<h1" not in html
    )
    import html as html_module
    import re

    shown = html_module.unescape(re.sub(r"<[^>]+>", "", html)).strip()
    assert shown == " ".join(text.split())


@pytest.mark.parametrize(
    "value", ["=1+1", "+1", "-1+2", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("http://x")']
)
def test_formula_leading_text_is_neutralised_in_csv(tmp_path, value):
    frame = pd.DataFrame({"text": [value, "plain"], "number": [-1.5, 2.0]})
    path = escape.write_csv(frame, tmp_path / "out.csv")
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8"), newline="")))
    assert rows[1][0] == "'" + value and rows[2][0] == "plain"
    assert rows[1][1] == "-1.5"  # numbers stay numbers


# --------------------------------------------------------------------------- unreadable inputs


def test_an_unreadable_table_is_one_problem(data_copy, monkeypatch):
    from helpers import DataValidationError, load_review

    original = Path.read_bytes

    def denied(self):
        if self.name == "outcomes.csv":
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return original(self)

    monkeypatch.setattr(Path, "read_bytes", denied)
    with pytest.raises(DataValidationError) as info:
        load_review(data_copy, cache=False)
    (problem,) = info.value.problems
    assert (problem.file, problem.rule) == (
        "outcomes.csv",
        "file readable",
    ) and "Permission denied" in problem.message


def test_a_pipe_in_place_of_a_table_does_not_hang(data_copy):
    from helpers import DataValidationError, load_review

    (data_copy / "diseases.csv").unlink()
    os.mkfifo(data_copy / "diseases.csv")
    with pytest.raises(DataValidationError, match="is not a file"):
        load_review(data_copy, cache=False)
    data_checksum(data_copy)  # skips it rather than waiting for a writer


@pytest.fixture
def planted(tmp_path):
    """An output folder and a precious file outside it, for links planted in the folder."""
    victim = tmp_path / "victim.txt"
    victim.write_text("precious", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    return out, victim


def test_a_lock_file_that_is_a_link_is_never_written_through(planted):
    out, victim = planted
    (out / ".build.lock").symlink_to(victim)
    result = run_build("--output-dir", str(out), "--only", "03_pooled_outcomes")
    assert (
        result.returncode == 3 and "is a link" in result.stderr and "Traceback" not in result.stderr
    )
    assert victim.read_text(encoding="utf-8") == "precious"


def test_files_are_written_beside_never_through_a_planted_link(planted):
    out, victim = planted
    (out / "index.html").symlink_to(victim)
    files.write_file(out, out / "index.html", "the index")
    assert victim.read_text(encoding="utf-8") == "precious"
    assert (
        not (out / "index.html").is_symlink()
        and (out / "index.html").read_text(encoding="utf-8") == "the index"
    )


def test_run_names_that_look_like_the_builds_own_folders_do_not_collide(tmp_path):
    """Staging is .staging/new/<name> and .staging/old/<name>: no run name reaches another's."""
    import yaml

    config = tmp_path / "reports.yaml"
    runs = [
        {"name": "x", "notebook": str(NOTEBOOKS_DIR / "03_pooled_outcomes.ipynb")},
        {"name": "x.previous", "notebook": str(NOTEBOOKS_DIR / "05_figures.ipynb")},
        {"name": "new", "notebook": str(NOTEBOOKS_DIR / "06_claims_audit.ipynb")},
    ]
    config.write_text(yaml.safe_dump({"runs": runs}), encoding="utf-8")
    out = tmp_path / "out"
    result = run_build(
        "--config",
        str(config),
        "--output-dir",
        str(out),
        "--only",
        "x",
        "x.previous",
        "new",
        "--jobs",
        "2",
    )
    assert result.returncode == 0, result.stderr
    assert len(list((out / "runs" / "x.previous" / "figures").glob("*.svg"))) == 6
    assert (out / "runs" / "new" / "claims_audit.csv").is_file()


def test_the_checksum_reads_only_what_the_loader_reads(data_copy, monkeypatch):
    """A linked system folder or a huge sparse file in the data folder costs nothing: only the
    loader's files are read, each within its size limit."""
    before = data_checksum(data_copy)
    (data_copy / "usr").symlink_to("/usr", target_is_directory=True)
    with open(data_copy / "huge.bin", "wb") as f:
        f.truncate(50 * 1024**3)  # 50 GB, sparse
    read = []
    original = Path.read_bytes
    monkeypatch.setattr(
        Path, "read_bytes", lambda self: read.append(self.resolve()) or original(self)
    )
    assert data_checksum(data_copy) == before
    (data_copy / "studies.csv").unlink()
    (data_copy / "studies.csv").symlink_to(data_copy / "huge.bin")
    assert data_checksum(data_copy) != before
    assert (data_copy / "huge.bin").resolve() not in read
    assert all(p.is_relative_to(data_copy.resolve()) for p in read)


def test_csv_neutralising_is_exactly_undone():
    """For any text, the written cell never starts a formula and reads back as the text."""
    import random

    rng = random.Random(7)
    alphabet = ["'", "=", "+", "-", "@", "\t", "\r", "a", "1", " "]
    for _ in range(5000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 6)))
        cell = escape.csv_cell(text)
        assert not cell.startswith(escape.FORMULA_START), repr(text)
        assert escape.csv_value(cell) == text, repr(text)


def test_a_killed_build_leaves_no_worker_holding_the_lock(tmp_path):
    """kill -9 of the build's own process: its workers end with it, the next build finds the
    lock stale, and nothing keeps writing into the folder."""
    import signal

    out = tmp_path / "out"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "helpers.build",
            "--output-dir",
            str(out),
            "--only",
            "04_meta_analysis",
            "--force",
        ],
        cwd=PROJECT_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    staging = out / ".staging" / "new" / "04_meta_analysis"
    for _ in range(600):  # a worker is executing the run
        if staging.exists() or proc.poll() is not None:
            break
        time.sleep(0.1)
    assert proc.poll() is None, "the build ended before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    lock = FolderLock(out, log=lambda *a, **k: None)
    for _ in range(100):  # the workers go within moments
        try:
            lock.acquire()
            break
        except FolderBusy:
            time.sleep(0.1)
    else:
        pytest.fail("the killed build's workers still hold the lock")
    assert lock.stale is not None  # and it is reported as a build that did not finish
    lock.release()
    time.sleep(3)
    assert not (
        out / "runs" / "04_meta_analysis"
    ).exists()  # no orphan finished the run behind the build's back


def test_refreshing_a_notebook_that_fails_is_one_message(tmp_path, monkeypatch, capsys):
    import json

    notebook = {
        "cells": [
            {
                "cell_type": "code",
                "id": "a",
                "metadata": {},
                "execution_count": None,
                "outputs": [],
                "source": "raise ValueError('on purpose')",
            }
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
    (tmp_path / "00_fail.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    before = (tmp_path / "00_fail.ipynb").read_bytes()
    monkeypatch.setattr(paths, "NOTEBOOKS_DIR", tmp_path)
    assert cli.main(["--refresh-notebooks"]) == 1
    err = capsys.readouterr().err
    assert "00_fail.ipynb: a cell raised ValueError: on purpose" in err and "Traceback" not in err
    assert (tmp_path / "00_fail.ipynb").read_bytes() == before  # left as it was


def test_a_bad_appraisal_file_fails_its_run_before_anything_executes(tmp_path):
    import yaml

    appraisals = tmp_path / "appraisals.csv"
    appraisals.write_text("ref,question,answer\n59,1,yes\n", encoding="utf-8")
    config = tmp_path / "reports.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "runs": [
                    {
                        "name": "rob",
                        "notebook": str(NOTEBOOKS_DIR / "02_risk_of_bias.ipynb"),
                        "parameters": {"appraisal_path": str(appraisals)},
                    }
                ]
            }
        ),
        encoding="utf-8",
    )
    result = run_build(
        "--config", str(config), "--output-dir", str(tmp_path / "out"), "--only", "rob"
    )
    assert result.returncode == 1
    assert "its input is invalid; nothing executed" in result.stdout
    assert "every question answered" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out" / "runs" / "rob").exists()


def test_the_sensitivity_table_keeps_every_group_and_label(tmp_path):
    """Labels that read as missing values (NA, None) and two groups with one label all stay."""
    import pandas as pd

    frame = pd.DataFrame(
        [
            {
                "run": "a",
                "kind": "modality",
                "key": "topical_sts",
                "group": "NA",
                "method": "crude",
                "k": 2,
                "events": 1,
                "n": 2,
                "proportion": 0.5,
                "ci_low": 0.1,
                "ci_high": 0.9,
                "converged": True,
            },
            {
                "run": "a",
                "kind": "modality",
                "key": "eswl",
                "group": "None",
                "method": "crude",
                "k": 2,
                "events": 1,
                "n": 2,
                "proportion": 0.5,
                "ci_low": 0.1,
                "ci_high": 0.9,
                "converged": True,
            },
            {
                "run": "a",
                "kind": "family",
                "key": "laser",
                "group": "None",
                "method": "crude",
                "k": 3,
                "events": 2,
                "n": 3,
                "proportion": 0.67,
                "ci_low": 0.1,
                "ci_high": 0.9,
                "converged": True,
            },
        ],
        columns=headline.HEADLINE_COLUMNS,
    )
    out = tmp_path / "out"
    path = headline.write_headline(frame, out / "runs" / "r1", "a")
    assert '"group"' in path.read_text(encoding="utf-8") and ",0.5," in path.read_text(
        encoding="utf-8"
    )  # numbers unquoted
    result = execute.RunResult(
        "r1",
        "04_meta_analysis.ipynb",
        "t",
        {},
        "ok",
        0.0,
        files={"artifacts": ["runs/r1/sensitivity/a.csv"]},
    )
    table = index.sensitivity_table(out, [result])
    assert len(table) == 3 and sorted(table.index.get_level_values("group")) == [
        "NA",
        "None",
        "None",
    ]


def test_the_command_lines_never_fail_on_their_own_output(tmp_path):
    import shutil

    from helpers.data.paths import DATA_DIR

    folder = tmp_path / "dätä"
    shutil.copytree(DATA_DIR, folder)
    env = os.environ | {"PYTHONIOENCODING": "ascii"}
    result = subprocess.run(
        [sys.executable, "-m", "helpers.validate", str(folder)],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env=env,
    )
    assert (
        result.returncode == 0
        and "d\\xe4t\\xe4" in result.stdout
        and "Traceback" not in result.stderr
    )
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [sys.executable, "-m", "helpers.validate"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            cwd=PROJECT_ROOT,
        )
    assert (
        result.returncode == 2
        and "cannot write the result" in result.stderr
        and "Traceback" not in result.stderr
    )


def test_the_sensitivity_table_names_the_model_of_each_primary_cell(tmp_path, review):
    """A run whose GLMM falls back shows the fallback's name in its cell; rows stay one
    per group and role."""
    from helpers.analysis import pooling

    out = tmp_path / "out"
    results = []
    for run, settings in (("paper", {}), ("cases", {"case_series_only": True})):
        fits = pooling.fit_groups(
            pooling.events_per_study(review, **settings), review, "glmm", "knha"
        )
        headline.write_headline(headline.headline(fits, run), out / "runs" / run, run)
        results.append(
            execute.RunResult(
                run,
                "04_meta_analysis.ipynb",
                "t",
                {},
                "ok",
                0.0,
                files={"artifacts": [f"runs/{run}/sensitivity/{run}.csv"]},
            )
        )
    table = index.sensitivity_table(out, results)
    assert set(table.index.get_level_values("method")) == set(headline.HEADLINE_METHODS)
    laser = table.loc[("All laser", "primary model")]
    assert "REML, Hartung–Knapp interval" in laser["paper"]
    assert table.loc[("Topical STS", "primary model"), "paper"].endswith("; GLMM")
    assert "; crude" not in table.loc[("Topical STS", "crude"), "paper"]


def test_a_single_study_is_not_called_not_estimable_in_the_sensitivity_table(tmp_path, review):
    from helpers.analysis import pooling

    review = review.paper_edition()  # where ESWL has one case series (an update may add more)
    data = pooling.events_per_study(review, case_series_only=True)
    fits = pooling.fit_groups(data, review)
    singles = [
        f.label
        for (kind, key), f in fits.items()
        if (kind, key) in headline.HEADLINE_GROUPS and f.result.k == 1
    ]
    assert singles  # ESWL: one case series
    headline.write_headline(headline.headline(fits, "cases"), tmp_path / "runs" / "c", "cases")
    result = execute.RunResult(
        "c",
        "04_meta_analysis.ipynb",
        "t",
        {},
        "ok",
        0.0,
        files={"artifacts": ["runs/c/sensitivity/cases.csv"]},
    )
    table = index.sensitivity_table(tmp_path, [result])
    for label in singles:
        assert table.loc[(label, "primary model"), "c"].startswith(
            "single study, not pooled; 1 study, "
        )
