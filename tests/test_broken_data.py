"""Every deliberately broken data folder is rejected with one clear problem.

The cases are in ``tests/broken_data/cases.yaml``: each copies the project's data and
breaks one thing. The loader must stop with a :class:`DataValidationError` holding
exactly one problem, naming the expected file, row, study, column and rule.
"""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from helpers import DataValidationError, load_review
from helpers.validate import validate_folder

CASES = yaml.safe_load(
    (Path(__file__).parent / "broken_data" / "cases.yaml").read_text(encoding="utf-8")
)


def apply_edit(folder: Path, edit: dict) -> None:
    """Apply one edit of a case to a data folder; fail loudly if it does not apply."""
    ((op, arg),) = edit.items()
    if op == "delete":
        (folder / arg).unlink()
        return
    path = folder / arg["file"]
    if op == "write":
        path.write_text(arg["text"], encoding="utf-8")
    elif op == "encode":
        path.write_bytes(path.read_text(encoding="utf-8").encode(arg["encoding"]))
    elif op == "replace":
        text = path.read_text(encoding="utf-8")
        assert text.count(arg["old"]) == 1, (
            f"edit does not apply once to {arg['file']}: {arg['old']!r}"
        )
        path.write_text(text.replace(arg["old"], arg["new"]), encoding="utf-8")
    elif op == "append":
        with open(path, "a", encoding="utf-8") as f:
            f.write(arg["text"] + "\n")
    elif op == "drop_line":
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        kept = [line for line in lines if not line.startswith(arg["starts"])]
        assert len(kept) == len(lines) - 1, f"no one line starts with {arg['starts']!r}"
        path.write_text("".join(kept), encoding="utf-8")
    elif op in ("drop_column", "drop_ref"):
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
        header = rows[0]
        if op == "drop_column":
            i = header.index(arg["column"])
            rows = [r[:i] + r[i + 1 :] for r in rows]
        else:
            i = header.index("ref")
            kept = [rows[0]] + [r for r in rows[1:] if r[i] != str(arg["ref"])]
            assert len(kept) < len(rows), f"no row of study {arg['ref']} in {arg['file']}"
            rows = kept
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        path.write_text(out.getvalue(), encoding="utf-8")
    else:
        raise ValueError(f"unknown edit {op!r}")


def broken_folder(data_copy: Path, case: dict) -> Path:
    for edit in case["edits"]:
        apply_edit(data_copy, edit)
    return data_copy


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_broken_folder_is_rejected_with_one_clear_problem(case, data_copy):
    folder = broken_folder(data_copy, case)
    with pytest.raises(DataValidationError) as info:
        validate_folder(folder)
    problems = info.value.problems
    assert len(problems) == 1, f"expected one problem, got:\n{info.value}"
    problem = problems[0]
    for key, value in case["expect"].items():
        if key == "row" and value == "appended":
            # the row an ``append`` edit wrote: the file's last, however many rows it holds
            value = len((folder / case["expect"]["file"]).read_text(encoding="utf-8").splitlines())
        assert getattr(problem, key) == value, (
            f"{key}: expected {value!r}, got {getattr(problem, key)!r} in\n{info.value}"
        )
    message = str(info.value)
    assert case["expect"]["file"] in message and case["expect"]["rule"] in message
    assert "Traceback" not in message


def test_the_unbroken_copy_loads(data_copy):
    """The cases start from a valid folder, so each rejection is the case's doing."""
    assert load_review(data_copy).n_studies == load_review().n_studies


def test_missing_folder_is_named():
    with pytest.raises(DataValidationError, match="no such folder"):
        load_review("/nonexistent/data")


def test_command_line_exits_non_zero_without_traceback(data_copy):
    case = next(c for c in CASES if c["name"] == "outcome counts do not add up")
    folder = broken_folder(data_copy, case)
    result = subprocess.run(
        [sys.executable, "-m", "helpers.validate", str(folder)], capture_output=True, text=True
    )
    assert result.returncode == 1
    assert "outcomes.csv, row 3, ref 32, column 'complete_response'" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_command_line_accepts_the_project_data():
    result = subprocess.run(
        [sys.executable, "-m", "helpers.validate"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("valid:")
