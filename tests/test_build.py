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

from helpers import build
from helpers.paths import NOTEBOOKS_DIR, PROJECT_ROOT

NOTEBOOK = NOTEBOOKS_DIR / "01_extraction.ipynb"
AUDIT_NOTEBOOK = NOTEBOOKS_DIR / "06_claims_audit.ipynb"


def write_config(path: Path, runs: list[dict]) -> Path:
    for run in runs:
        run.setdefault("notebook", str(NOTEBOOK))
    path.write_text(yaml.safe_dump({"runs": runs}), encoding="utf-8")
    return path


def run_cli(config: Path, output: Path, *only: str) -> subprocess.CompletedProcess:
    args = [sys.executable, "-m", "helpers.build", "--config", str(config), "--output-dir", str(output)]
    if only:
        args += ["--only", *only]
    return subprocess.run(args, capture_output=True, text=True, cwd=PROJECT_ROOT)


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Three good runs: the extraction on the project's data and on a copy, the audit on the copy."""
    import shutil

    from helpers.paths import DATA_DIR

    root = tmp_path_factory.mktemp("build")
    data = root / "data"
    shutil.copytree(DATA_DIR, data)
    out = root / "reports"
    config = write_config(root / "reports.yaml", [
        {"name": "extraction", "title": "Extraction"},
        {"name": "extraction-copy", "title": "Extraction on a copy", "parameters": {"data_dir": str(data)}},
        {"name": "audit-copy", "title": "Audit on a copy", "notebook": str(AUDIT_NOTEBOOK), "parameters": {"data_dir": str(data)}},
    ])
    result = run_cli(config, out)
    assert result.returncode == 0, result.stdout + result.stderr
    return {"root": root, "data": data, "out": out, "config": config, "stdout": result.stdout}


def test_unchanged_runs_are_skipped_and_said_to_be(built):
    """A second build with nothing changed executes nothing and says so."""
    result = run_cli(built["config"], built["out"])
    assert result.returncode == 0, result.stderr
    total = len(build.load_config(built["config"]))
    assert result.stdout.count("[skip]") == total
    assert f"0 report run(s) built, {total} unchanged and skipped." in result.stdout


def test_each_run_writes_notebook_full_and_reviewer_html(built):
    for name in ("extraction", "extraction-copy"):
        for suffix in (".ipynb", ".html", "-reviewer.html"):
            assert (built["out"] / f"{name}{suffix}").stat().st_size > 0
    assert not list(built["out"].glob(".build-*")), "temporary build folders left behind"


def test_progress_is_shown(built):
    # runs finish in any order (they execute in parallel); each reports once, counted out of the total
    total = len(build.load_config(built["config"]))
    done = re.findall(rf"^\[(\d+)/{total}\] (\S+): ok", built["stdout"], re.M)
    assert sorted(int(i) for i, _ in done) == list(range(1, total + 1))
    assert {"extraction", "extraction-copy", "audit-copy"} <= {name for _, name in done}


def test_reviewer_version_hides_code(built):
    full = (built["out"] / "extraction.html").read_text(encoding="utf-8")
    reviewer = (built["out"] / "extraction-reviewer.html").read_text(encoding="utf-8")
    editor = re.compile(r'<div class="[^"]*jp-InputArea-editor')
    assert editor.search(full) and not editor.search(reviewer)
    assert "pd.set_option" not in re.sub(r"<[^>]+>", "", reviewer)
    assert "Table 1, rebuilt from the structured data" in reviewer  # the story stays


def test_index_links_every_report_with_parameters_and_checksum(built):
    index = (built["out"] / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'href="([^"]+)"', index)
    assert links and all((built["out"] / link).is_file() for link in links)
    for name in ("extraction", "extraction-copy"):
        assert f"{name}-reviewer.html" in links and f"{name}.html" in links
    assert str(built["data"]) in index  # the run's parameters
    manifest = json.loads((built["out"] / "build.json").read_text())
    assert manifest["data_checksum"] in index and manifest["built"] in index


def test_source_date_epoch_sets_the_build_time(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    assert build.build_time().isoformat() == "1970-01-01T00:00:00+00:00"


def test_executed_notebook_has_no_timestamps(built):
    text = (built["out"] / "extraction.ipynb").read_text(encoding="utf-8")
    assert "start_time" not in text and "end_time" not in text and '"duration"' not in text


def test_failing_run_keeps_the_last_good_report(built):
    """Break the copy's data: that run fails, its last good files stay, the other run is rebuilt."""
    out = built["out"]
    before = digest(out)
    outcomes = built["data"] / "outcomes.csv"
    original = outcomes.read_text(encoding="utf-8")
    outcomes.write_text(original.replace("32,patients,2,4,0,0", "32,patients,2,3,0,0"), encoding="utf-8")
    try:
        result = run_cli(built["config"], out, "extraction", "extraction-copy")
    finally:
        outcomes.write_text(original, encoding="utf-8")
    assert result.returncode == 1
    # the command names the notebook, the failing cell and the problem
    assert "extraction-copy (01_extraction.ipynb): cell" in result.stderr
    assert "DataValidationError" in result.stderr
    after = digest(out)
    for suffix in (".ipynb", ".html", "-reviewer.html"):
        assert after[f"extraction-copy{suffix}"] == before[f"extraction-copy{suffix}"]
    assert (out / "extraction-copy.failed.ipynb").is_file()
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "failed" in index and "outcome counts add up" in index
    assert 'href="extraction-copy-reviewer.html"' in index  # the last good report is still linked
    manifest = {r["name"]: r for r in json.loads((out / "build.json").read_text())["runs"]}
    assert manifest["extraction"]["status"] == "ok" and manifest["extraction-copy"]["status"] == "failed"
    # runs not rebuilt this time keep their entry, marked as from an earlier build
    assert manifest["audit-copy"]["status"] == "ok"
    assert 'href="audit-copy-reviewer.html"' in index and "in an earlier build" in index


def test_config_errors_are_clear(tmp_path):
    config = write_config(tmp_path / "reports.yaml", [{"name": "x", "notebook": "missing.ipynb"}])
    with pytest.raises(build.ConfigError, match="notebook missing.ipynb does not exist"):
        build.load_config(config)
    config.write_text("runs: [", encoding="utf-8")
    with pytest.raises(build.ConfigError, match="not valid YAML"):
        build.load_config(config)
    config = write_config(tmp_path / "reports.yaml", [{"name": "x"}, {"name": "x"}])
    with pytest.raises(build.ConfigError, match="duplicate run names"):
        build.load_config(config)


def test_unlisted_notebooks_get_a_default_run(tmp_path):
    (tmp_path / "reports.yaml").write_text("runs: []\n", encoding="utf-8")
    runs = build.load_config(tmp_path / "reports.yaml")
    assert {r.notebook.name for r in runs} == {p.name for p in NOTEBOOKS_DIR.glob("*.ipynb")}
    assert all(r.parameters == {} for r in runs)


def test_unknown_run_is_named():
    with pytest.raises(build.ConfigError, match="no run named"):
        build.build(only=["nope"])


def test_notebook_outputs_land_beside_the_reports(built):
    """The audit notebook's CSV is written through the staging folder into reports/."""
    import csv

    path = built["out"] / "claims_audit.csv"
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["claim_id", "section", "quote", "reported", "recomputed", "status", "note"]
    assert {r[5] for r in rows[1:]} <= {"reproduced", "discrepancy", "not_computable"}
    assert 'href="claims_audit.csv"' in (built["out"] / "index.html").read_text(encoding="utf-8")
    assert not (built["out"] / ".staging").exists()


def test_a_study_added_updates_the_audit_with_no_code_change(built):
    """The living review: add a study to the data, rebuild, and the audit says which numbers no longer hold."""
    import csv
    import shutil

    from tests_support import add_study

    def statuses():
        with open(built["out"] / "claims_audit.csv", encoding="utf-8", newline="") as f:
            return {r["claim_id"]: r["status"] for r in csv.DictReader(f)}

    before = statuses()
    backup = built["root"] / "data-backup"
    shutil.copytree(built["data"], backup)
    try:
        add_study(built["data"], ref=66, modality="topical_sts", n_cases=5, complete=5)
        result = run_cli(built["config"], built["out"], "audit-copy")
    finally:
        shutil.rmtree(built["data"])
        shutil.move(backup, built["data"])
    assert result.returncode == 0, result.stderr
    after = statuses()
    changed = {k for k in before if before[k] != after[k]}
    assert {"abstract-studies", "abstract-patients", "outcomes-topical-fraction", "table2-topical_sts-n-n"} <= changed
    assert all(after[k] == "discrepancy" for k in changed)
