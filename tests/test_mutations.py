"""Classes of bad input, each applied to every file and column it fits.

``tests/broken_data/mutations.yaml`` names the classes (a cell with ``4_10``, a trailing
space, a NUL byte; a header-only table; a YAML alias bomb ...). This module expands each
over the data dictionary and the registers, so a new table or column is covered with no
new case, and checks that :func:`helpers.load_review` refuses every mutated folder with
exactly one problem naming the file, the row and column where there are ones, and the
rule, and that the mutations spreadsheets make (a byte order mark, CRLF, TRUE) are
accepted as the same review.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from helpers import DataValidationError, load_review
from helpers.data import loader as loader_module
from helpers.data.dictionary import TABLES, read_descriptor
from helpers.data.digests import data_checksum
from helpers.data.paths import DATA_DIR
from helpers.data.registers import REGISTER_FILES

from tests_support import read_rows, typed_tables, write_rows

SPEC = yaml.safe_load(
    (Path(__file__).parent / "broken_data" / "mutations.yaml").read_text(encoding="utf-8")
)
RESOURCES = [r for r in read_descriptor()["resources"] if r["name"] in TABLES]
REGISTERS = REGISTER_FILES
LONG = "a" * 20_000


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """One working copy of the data; each case changes one file and puts it back."""
    dest = tmp_path_factory.mktemp("mutations") / "data"
    shutil.copytree(DATA_DIR, dest)
    return dest


class Changed:
    """Replace one file (or folder) of the working copy for the duration of a case."""

    def __init__(self, folder: Path, rel: str):
        self.path = folder / rel
        self.original = (DATA_DIR / rel).read_bytes()

    def __enter__(self):
        return self.path

    def __exit__(self, *exc):
        if self.path.is_dir():
            shutil.rmtree(self.path)
        self.path.write_bytes(self.original)


def refused(folder: Path) -> DataValidationError:
    with pytest.raises(DataValidationError) as info:
        load_review(folder, cache=False)
    message = str(info.value)
    assert "Traceback" not in message
    assert len(info.value.problems) == 1, f"expected one problem, got:\n{message}"
    return info.value


def expected_rule(rule, key: str):
    return rule.get(key) if isinstance(rule, dict) else rule


def matches_rule(problem, rule) -> bool:
    return problem.rule in (rule if isinstance(rule, list) else [rule])


# --------------------------------------------------------------------------- cells

CELL_CASES = [
    (m, r, f)
    for m in SPEC["cells"]
    for r in RESOURCES
    for f in r["schema"]["fields"]
    if f["type"] in m["types"]
]


@pytest.mark.parametrize(
    "mutation, resource, field",
    CELL_CASES,
    ids=[f"{m['name']}-{r['name']}.{f['name']}" for m, r, f in CELL_CASES],
)
def test_a_bad_cell_is_refused_naming_file_row_column_and_rule(folder, mutation, resource, field):
    with Changed(folder, resource["path"]) as path:
        rows = read_rows(path)
        column = rows[0].index(field["name"])
        i = random.Random(f"{mutation['name']}|{resource['name']}|{field['name']}").randrange(
            1, len(rows)
        )
        value = mutation["value"].replace("{long}", LONG).replace("{value}", rows[i][column])
        rows[i][column] = value
        write_rows(path, rows)
        problem = refused(folder).problems[0]
    assert (problem.file, problem.row, problem.column) == (
        resource["path"],
        i + 1,
        field["name"],
    ), problem
    assert problem.rule == expected_rule(mutation["rule"], field["type"]), problem


def test_every_type_of_the_dictionary_is_mutated():
    """A column of a new type would escape the cell mutations: fail until the corpus covers it."""
    types = {f["type"] for r in RESOURCES for f in r["schema"]["fields"]}
    covered = {t for m in SPEC["cells"] for t in m["types"]}
    assert types <= covered, types - covered


# --------------------------------------------------------------------------- files


def _edit_table(path: Path, edit: str, monkeypatch) -> None:
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    header = lines[0].rstrip("\n").split(",")
    if edit == "header_only":
        path.write_text(lines[0], encoding="utf-8")
    elif edit == "pad_header":
        path.write_text(
            ",".join([header[0] + " ", *header[1:]]) + "\n" + "".join(lines[1:]), encoding="utf-8"
        )
    elif edit == "repeat_column":
        path.write_text(
            ",".join([*header, header[0]]) + "\n" + "".join(lines[1:]), encoding="utf-8"
        )
    elif edit == "blank_row":
        path.write_text(lines[0] + "\n" + "".join(lines[1:]), encoding="utf-8")
    elif edit == "empty_cells_row":
        path.write_text(
            lines[0] + "," * (len(header) - 1) + "\n" + "".join(lines[1:]), encoding="utf-8"
        )
    elif edit in ("extra_cell", "missing_cell"):
        rows = read_rows(path)
        rows[1] = [*rows[1], "x"] if edit == "extra_cell" else rows[1][:-1]
        write_rows(path, rows)
    elif edit == "unclosed_quote":
        path.write_text(lines[0] + '"' + "".join(lines[1:]), encoding="utf-8")
    elif edit == "huge_field":
        rows = read_rows(path)
        rows[1][-1] = "a" * 200_000
        write_rows(path, rows)
    elif edit == "latin1":
        path.write_bytes(text.encode("utf-8") + "é\n".encode("latin-1"))
    elif edit == "folder":
        path.unlink()
        path.mkdir()
    elif edit == "delete":
        path.unlink()
    elif edit == "empty":
        path.write_bytes(b"")
    elif edit == "too_large":  # a limit above every table, and this one padded past it
        limit = max((DATA_DIR / r["path"]).stat().st_size for r in RESOURCES) + 10
        monkeypatch.setattr(loader_module, "MAX_TABLE_BYTES", limit)
        path.write_text(text + "\n" * limit, encoding="utf-8")
    else:
        raise ValueError(edit)


FILE_CASES = [(m, r) for m in SPEC["files"] for r in RESOURCES]


@pytest.mark.parametrize(
    "mutation, resource", FILE_CASES, ids=[f"{m['name']}-{r['name']}" for m, r in FILE_CASES]
)
def test_a_bad_table_file_is_refused_with_one_problem(folder, monkeypatch, mutation, resource):
    with Changed(folder, resource["path"]) as path:
        _edit_table(path, mutation["edit"], monkeypatch)
        problem = refused(folder).problems[0]
    rule = mutation.get("rule_for", {}).get(resource["name"], mutation["rule"])
    assert problem.file == resource["path"] and problem.rule == rule, problem
    if "row" in mutation and resource["name"] not in mutation.get("rule_for", {}):
        assert problem.row == mutation["row"], problem


def _same_review(a, b) -> None:
    # every table the loader reads, by its attribute on the review (Table 2 as printed is
    # paper_table2, every edition's flow prisma_by_edition; the seals are checked as loaded)
    attribute = {"table2": "paper_table2", "prisma": "prisma_by_edition", "edition_seals": None}
    for name in [attribute.get(t, t) for t in TABLES if attribute.get(t, t)]:
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), obj=name)
    assert (
        a.claims == b.claims and a.table2_notes == b.table2_notes and a.non_claims == b.non_claims
    )
    assert a.certainty == b.certainty
    assert a.table2_note_sources == b.table2_note_sources


@pytest.mark.parametrize("mutation", SPEC["accepted"], ids=[m["name"] for m in SPEC["accepted"]])
def test_what_spreadsheets_write_is_accepted_as_the_same_review(tmp_path, review, mutation):
    """Applied to every table and register at once: the review loads, identical."""
    folder = tmp_path / "data"
    shutil.copytree(DATA_DIR, folder)
    for rel in [r["path"] for r in RESOURCES] + list(REGISTERS):
        path = folder / rel
        text = path.read_text(encoding="utf-8")
        if mutation["edit"] == "bom_crlf":
            path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
        elif mutation["edit"] == "upper_booleans" and rel.endswith(".csv"):
            path.write_text(
                text.replace(",true", ",TRUE").replace(",false", ",False"), encoding="utf-8"
            )
        elif mutation["edit"] == "trailing_blank_lines":
            path.write_text(text + "\n\n", encoding="utf-8")
    assert data_checksum(folder) != data_checksum(DATA_DIR)
    _same_review(load_review(folder, cache=False), review)


# --------------------------------------------------------------------------- the registers


def _first_entries_by_key(entries: list) -> dict:
    found = {}
    for i, entry in enumerate(entries):
        for key in entry:
            found.setdefault(key, i)
    return found


def _yaml_edits(rel: str, mutation: dict, monkeypatch, path: Path) -> list[str]:
    """The mutated texts of one register (several for the per-key edits), or [] after
    an in-place edit."""
    text = (DATA_DIR / rel).read_text(encoding="utf-8")
    edit = mutation.get("edit")
    if "text" in mutation:
        deep = "[" * 10_000 + "]" * 10_000 + "\n"
        return [mutation["text"].replace("{deep}", deep)]
    if edit == "latin1":
        path.write_bytes(text.encode("utf-8") + "# é\n".encode("latin-1"))
        return []
    if edit == "delete":
        path.unlink()
        return []
    if edit == "empty":
        return [""]
    if edit == "too_large":  # a limit above every YAML file, and this one padded past it
        limit = (
            max((DATA_DIR / name).stat().st_size for name in (*REGISTERS, "datapackage.yaml")) + 10
        )
        monkeypatch.setattr(loader_module, "MAX_YAML_BYTES", limit)
        return [text + "#\n" * limit]
    if edit == "alias_flood":
        return ["- &a '" + "x" * 10_000 + "'\n" + "- *a\n" * 300]
    if edit == "repeat_key":
        lines = text.splitlines(keepends=True)
        i = next(i for i, line in enumerate(lines) if line.startswith("- ") and ": " in line)
        key = lines[i][2:].split(":")[0]
        return ["".join(lines[: i + 1] + [f"  {key}: again\n"] + lines[i + 1 :])]
    raise ValueError(edit)


def _per_key_texts(rel: str, edit: str) -> list[str]:
    """The register with one key of one entry given a value of the wrong shape: one text per key."""
    entries = yaml.safe_load((DATA_DIR / rel).read_text(encoding="utf-8"))
    values = {"each_key_list": ["a", "b"], "each_key_mapping": {"a": "b"}, "each_key_number": 12.5}
    texts = []
    for key, i in _first_entries_by_key(entries).items():
        changed = [dict(e) for e in entries]
        if edit == "each_key_control":
            if not isinstance(changed[i][key], str):
                continue
            changed[i][key] = changed[i][key] + "\x07"
        else:
            changed[i][key] = values[edit]
        texts.append(yaml.safe_dump(changed, allow_unicode=True, sort_keys=False))
    assert texts
    return texts


YAML_CASES = [(m, rel) for m in SPEC["yaml"] for rel in REGISTERS]


PER_KEY = ("each_key_list", "each_key_mapping", "each_key_number", "each_key_control")
YAML_CASES = [(m, rel) for m in SPEC["yaml"] if m.get("edit") not in PER_KEY for rel in REGISTERS]
KEY_CASES = [(m, rel) for m in SPEC["yaml"] if m.get("edit") in PER_KEY for rel in REGISTERS]


@pytest.mark.parametrize(
    "mutation, rel", YAML_CASES, ids=[f"{m['name']}-{rel}" for m, rel in YAML_CASES]
)
def test_a_bad_register_is_refused_with_one_problem(folder, monkeypatch, mutation, rel):
    rule = expected_rule(mutation["rule"], rel)
    with Changed(folder, rel) as path:
        texts = _yaml_edits(rel, mutation, monkeypatch, path)
        for text in texts or [None]:
            if text is not None:
                path.write_text(text, encoding="utf-8")
            problem = refused(folder).problems[0]
            assert problem.file == rel and matches_rule(problem, rule), (text or "")[
                :300
            ] + f"\n{problem}"


@pytest.fixture(scope="module")
def tables():
    """The valid tables, as stage 5 of the loader sees them (for the register checkers)."""
    return typed_tables()


@pytest.mark.parametrize(
    "mutation, rel", KEY_CASES, ids=[f"{m['name']}-{rel}" for m, rel in KEY_CASES]
)
def test_every_key_of_a_register_refuses_a_value_of_the_wrong_shape(tables, mutation, rel):
    """Each key of the registers, given a list, a mapping, a date or a control character, is
    refused with one problem by the checker the loader's last stage runs (one of them also
    through the whole loader, below)."""
    from helpers.data.judgments import check_certainty
    from helpers.data.readers import load_yaml
    from helpers.data.registers import (
        check_claims,
        check_non_claims,
        check_table2_notes,
        vocabularies,
    )

    typed, descriptor = tables
    rule = expected_rule(mutation["rule"], rel)
    for text in _per_key_texts(rel, mutation["edit"]):
        value, node = load_yaml(text)
        if rel == "claims.yaml":
            _, problems = check_claims(value, node, vocabularies(typed, descriptor))
        elif rel == "non_claims.yaml":
            _, problems = check_non_claims(value, node, load_review().claims)
        elif rel == "certainty.yaml":
            _, problems = check_certainty(value, node, vocabularies(typed, descriptor))
        else:
            _, _, problems = check_table2_notes(value, node, typed, load_review().claims)
        assert len(problems) == 1 and problems[0].file == rel and matches_rule(problems[0], rule), (
            text[:300],
            problems,
        )


def test_a_wrong_shape_is_refused_through_the_whole_loader(folder):
    with Changed(folder, "claims.yaml") as path:
        path.write_text(_per_key_texts("claims.yaml", "each_key_number")[0], encoding="utf-8")
        problem = refused(folder).problems[0]
    assert (
        problem.file == "claims.yaml"
        and problem.rule == "claim well formed"
        and "12.5" in problem.message
    )
