"""reports.yaml, read strictly: every bad entry is refused when the file is read, naming the
entry, before anything is built or deleted."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from helpers.build.config import ConfigError, check_run_name, load_config
from helpers.data.paths import NOTEBOOKS_DIR, PROJECT_ROOT

NOTEBOOK = str(NOTEBOOKS_DIR / "01_extraction.ipynb")
META = str(NOTEBOOKS_DIR / "04_meta_analysis.ipynb")


def config_with(tmp_path: Path, *runs: dict) -> Path:
    path = tmp_path / "reports.yaml"
    path.write_text(
        yaml.safe_dump({"runs": [{"notebook": NOTEBOOK} | r for r in runs]}, allow_unicode=True),
        encoding="utf-8",
    )
    return path


# Every class of name that is not a plain file name: paths, dot names, control characters,
# other scripts, empty, too long, not text.
BAD_NAMES = [
    "/tmp/x",
    "..",
    "../..",
    ".",
    ".hidden",
    "a/b",
    "a\\b",
    "",
    " ",
    "a b",
    "é",
    "٦",
    "a\x00b",
    "a\nb",
    "x" * 101,
    5,
    True,
    None,
    ["a"],
    {"a": 1},
    1.5,
    "~",
    "$HOME",
    "a;rm -rf",
    "<script>",
]


@pytest.mark.parametrize("name", BAD_NAMES, ids=[repr(n)[:20] for n in BAD_NAMES])
def test_a_bad_run_name_is_refused_at_config_load(tmp_path, name):
    with pytest.raises(ConfigError, match=r"run 1 \(line 2\)"):
        load_config(config_with(tmp_path, {"name": name}))


@pytest.mark.parametrize(
    "name", ["a", "A-1_b.c", "x" * 100, "04_meta_analysis-unknown-excluded", "-", "_"]
)
def test_plain_names_are_accepted(name):
    assert check_run_name(name) is None


def test_names_equal_but_for_case_are_duplicates(tmp_path):
    with pytest.raises(ConfigError, match="duplicate run name"):
        load_config(config_with(tmp_path, {"name": "Run"}, {"name": "run"}))


@pytest.mark.parametrize(
    "parameters, match",
    [
        (
            {"colour": "red"},
            r"01_extraction.ipynb declares no such parameter; its parameters: data_dir",
        ),
        ({"method": "reml"}, r"declares no such parameter"),  # a parameter of another notebook
        ({"output_dir": "/tmp/elsewhere"}, r"output_dir is set by the build"),
        ({"data_dir": "no/such/folder"}, r"data_dir: no such folder"),
        (
            {"data_dir": dt.date(2021, 6, 24)},
            r"no such folder '2021-06-24'",
        ),  # YAML 1.2: a date is text
        ({"data_dir": ["data"]}, r"not a list of 1 item"),
        ({"data_dir": {"a": 1}}, r"not a mapping"),
        ({"data_dir": "data\nx"}, r"LINE FEED"),
        ({"edition": "nowhere"}, r"no edition 'nowhere' in the data's editions.csv"),
        ({"edition": "Not A Name"}, r"edition must name an edition"),
    ],
)
def test_a_bad_parameter_is_refused_at_config_load(tmp_path, parameters, match):
    with pytest.raises(ConfigError, match=match):
        load_config(config_with(tmp_path, {"name": "x", "parameters": parameters}))


@pytest.mark.parametrize(
    "parameters, match",
    [
        ({"method": "bayes"}, "allowed values"),
        ({"exclude_abstracts": "yes"}, "True or False"),
        ({"run_name": "../../x"}, "short name"),
    ],
)
def test_a_bad_value_of_a_declared_parameter_is_refused(tmp_path, parameters, match):
    with pytest.raises(ConfigError, match=match):
        load_config(
            config_with(tmp_path, {"name": "x", "notebook": META, "parameters": parameters})
        )


@pytest.mark.parametrize(
    "text, match",
    [
        ("runs: [", "not valid YAML"),
        ("- a\n- b\n", "must be a mapping with one key, runs"),
        ("42\n", "must be a mapping with one key, runs"),
        ("runs: 5\n", "runs must be a list"),
        ("runs: [5]\n", "a run must be a mapping"),
        ("colour: red\nruns: []\n", "must be a mapping with one key, runs"),
        ("runs:\n  - name: x\n    name: y\n    notebook: n\n", "appears twice"),
        ("runs:\n  - &a {name: x, notebook: n}\n  - *a\n", "aliases may only repeat a text"),
        (
            "a: &a [x, x, x, x]\nb: &b [*a, *a, *a, *a]\nruns: [*b]\n",
            "aliases may only repeat a text",
        ),
        (f"runs:\n  - {{name: x, notebook: {NOTEBOOK}, title: [a]}}\n", "the title must be text"),
        (f'runs:\n  - {{name: x, notebook: {NOTEBOOK}, title: "a\\x1b[31m"}}\n', "ESCAPE"),
        (f"runs:\n  - {{name: x, notebook: {NOTEBOOK}, colour: red}}\n", "unknown key"),
        ("runs:\n  - {name: x, notebook: /etc/passwd}\n", "does not exist"),
        ("runs:\n  - {name: x, notebook: 5}\n", "notebook must be the path"),
        ("- !!python/object/apply:os.system [echo pwned]\n", "tags"),
    ],
)
def test_a_malformed_config_is_refused(tmp_path, text, match):
    path = tmp_path / "reports.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=match):
        load_config(path)


def test_a_config_that_is_not_utf8_or_too_large_is_refused(tmp_path):
    path = tmp_path / "reports.yaml"
    path.write_bytes("runs: []  # é\n".encode("latin-1"))
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(path)
    path.write_text("#" * (2 * 1024 * 1024), encoding="utf-8")
    with pytest.raises(ConfigError, match="the limit is"):
        load_config(path)


def test_a_named_config_that_does_not_exist_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="file is missing"):
        load_config(tmp_path / "nope.yaml")


def build_cli(*args: str, env: dict | None = None, cwd=PROJECT_ROOT) -> subprocess.CompletedProcess:
    import os

    return subprocess.run(
        [sys.executable, "-m", "helpers.build", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=os.environ | (env or {}),
    )


@pytest.mark.parametrize("name", ["/tmp/victim", "..", "../..", "../../.."])
def test_a_run_name_that_is_a_path_deletes_nothing(tmp_path, name):
    """The old build deleted the folder a run name pointed at; now the name is refused first."""
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "keep.txt").write_text("precious", encoding="utf-8")
    out = tmp_path / "reports"
    (out / ".staging").mkdir(parents=True)  # what a killed build leaves
    (out / "keep.txt").write_text("precious", encoding="utf-8")
    config = config_with(tmp_path, {"name": name.replace("/tmp/victim", str(victim))})
    result = build_cli("--config", str(config), "--output-dir", str(out))
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("error: ") and "Traceback" not in result.stderr
    assert (victim / "keep.txt").read_text(encoding="utf-8") == "precious"
    assert (out / "keep.txt").read_text(encoding="utf-8") == "precious"
    assert (PROJECT_ROOT / "pyproject.toml").is_file() and (PROJECT_ROOT / "data").is_dir()


@pytest.mark.parametrize(
    "env, args, match",
    [
        (
            {"SOURCE_DATE_EPOCH": "yesterday"},
            [],
            "SOURCE_DATE_EPOCH must be a whole number of seconds",
        ),
        ({"SOURCE_DATE_EPOCH": "-5"}, [], "SOURCE_DATE_EPOCH must be a whole number"),
        ({"SOURCE_DATE_EPOCH": "1624492800.5"}, [], "SOURCE_DATE_EPOCH must be a whole number"),
        ({"SOURCE_DATE_EPOCH": "١٦٢٤٤٩٢٨٠٠"}, [], "SOURCE_DATE_EPOCH must be a whole number"),
        ({}, ["--jobs", "0"], "must be a whole number, 1 or more"),
        ({}, ["--only", "nope"], "no run named 'nope'"),
    ],
)
def test_bad_options_and_environment_exit_2_with_one_message(tmp_path, env, args, match):
    result = build_cli("--output-dir", str(tmp_path / "out"), *args, env=env)
    assert result.returncode == 2, result.stderr
    assert match in result.stderr and "Traceback" not in result.stderr


def test_an_output_folder_that_is_a_file_or_the_project_is_refused(tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("x", encoding="utf-8")
    for target, match in (
        (afile, "is a file"),
        (PROJECT_ROOT, "holds the project"),
        (PROJECT_ROOT.parent, "holds the project"),
        (PROJECT_ROOT / "data" / "out", "inside the project's data/"),
    ):
        result = build_cli("--output-dir", str(target), "--only", "01_extraction")
        assert (
            result.returncode == 2 and match in result.stderr and "Traceback" not in result.stderr
        ), result.stderr
    assert not (PROJECT_ROOT / "data" / "out").exists()


@pytest.mark.parametrize(
    "text, match",
    [
        ("runs: false\n", "runs must be a list"),
        ("runs: 0\n", "runs must be a list"),
        (
            f"runs:\n  - {{name: x, notebook: {NOTEBOOK}, parameters: []}}\n",
            "parameters must be a mapping",
        ),
        (
            f"runs:\n  - {{name: x, notebook: {NOTEBOOK}, parameters: false}}\n",
            "parameters must be a mapping",
        ),
        (
            f"runs:\n  - {{name: x, notebook: {NOTEBOOK}, parameters: ''}}\n",
            "parameters must be a mapping",
        ),
        (f"runs:\n  - {{name: x, notebook: {NOTEBOOK}, title: !!bool maybe}}\n", "tags"),
    ],
)
def test_values_of_the_wrong_shape_are_not_taken_as_empty(tmp_path, text, match):
    path = tmp_path / "reports.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=match):
        load_config(path)


def test_an_edition_of_the_data_is_accepted_at_config_load(tmp_path, review):
    for edition in [*review.editions.index, "latest"]:
        (run,) = [
            r
            for r in load_config(
                config_with(tmp_path, {"name": "x", "parameters": {"edition": edition}})
            )
            if r.name == "x"
        ]
        assert run.parameters["edition"] == edition


def _flags_by_notebook() -> list[tuple[str, str]]:
    from helpers.report.params import NOTEBOOK_PARAMETERS, PARAMETERS

    return [
        (notebook, name)
        for notebook, names in NOTEBOOK_PARAMETERS.items()
        for name in names
        if PARAMETERS[name].type == "bool"
    ]


@pytest.mark.parametrize("notebook, name", _flags_by_notebook())
@pytest.mark.parametrize(
    "written, value",
    [("true", True), ("false", False), ("True", True), ("FALSE", False), ('"true"', True)],
)
def test_a_flag_in_reports_yaml_is_read_as_the_bool(tmp_path, notebook, name, written, value):
    path = tmp_path / "reports.yaml"
    path.write_text(
        f"runs:\n  - name: x\n    notebook: {NOTEBOOKS_DIR / notebook}.ipynb\n"
        f"    parameters: {{{name}: {written}}}\n",
        encoding="utf-8",
    )
    run = load_config(path, notebooks_dir=tmp_path)[0]
    assert run.parameters[name] is value


@pytest.mark.parametrize("notebook, name", _flags_by_notebook())
@pytest.mark.parametrize("written", ["yes", "on", "1", "0", '"y"', "null"])
def test_a_flag_in_reports_yaml_that_is_not_one_is_refused(tmp_path, notebook, name, written):
    path = tmp_path / "reports.yaml"
    path.write_text(
        f"runs:\n  - name: x\n    notebook: {NOTEBOOKS_DIR / notebook}.ipynb\n"
        f"    parameters: {{{name}: {written}}}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=rf"parameter '{name}' \(line 4\): {name} must be True"):
        load_config(path, notebooks_dir=tmp_path)


# Paths in a runs file are relative to the project root, wherever the file is and whatever
# the current directory.
CWDS = {"root": PROJECT_ROOT, "notebooks": NOTEBOOKS_DIR, "elsewhere": None}


def _cwd(monkeypatch, tmp_path, where: str) -> None:
    monkeypatch.chdir(CWDS[where] or tmp_path)


@pytest.mark.parametrize("where", sorted(CWDS))
@pytest.mark.parametrize("folder", ["beside", "a/b/c"])
def test_a_copied_reports_yaml_runs_the_same_notebooks_with_the_same_parameters(
    tmp_path, monkeypatch, where, folder
):
    """Every run of the project's reports.yaml, read from a copy elsewhere: its header's rule."""
    original = load_config(PROJECT_ROOT / "reports.yaml", notebooks_dir=tmp_path / "none")
    copy = tmp_path / folder / "reports.yaml"
    copy.parent.mkdir(parents=True, exist_ok=True)
    copy.write_bytes((PROJECT_ROOT / "reports.yaml").read_bytes())
    _cwd(monkeypatch, tmp_path, where)
    copied = load_config(copy, notebooks_dir=tmp_path / "none")
    assert [(r.name, r.notebook, r.parameters, r.title) for r in copied] == [
        (r.name, r.notebook, r.parameters, r.title) for r in original
    ]
    assert original and all(r.notebook.parent == NOTEBOOKS_DIR.resolve() for r in original)


@pytest.mark.parametrize("where", sorted(CWDS))
def test_relative_notebook_and_data_paths_in_a_runs_file_are_from_the_project_root(
    tmp_path, monkeypatch, where
):
    path = tmp_path / "elsewhere" / "runs.yaml"
    path.parent.mkdir()
    path.write_text(
        "runs:\n  - name: x\n    notebook: notebooks/01_extraction.ipynb\n"
        "    parameters: {data_dir: data}\n",
        encoding="utf-8",
    )
    _cwd(monkeypatch, tmp_path, where)
    (run,) = load_config(path, notebooks_dir=tmp_path / "none")
    assert run.notebook == (NOTEBOOKS_DIR / "01_extraction.ipynb").resolve()
    # a notebook beside the file, but not under the project root, is not found
    (path.parent / "notebooks").mkdir()
    (path.parent / "notebooks" / "mine.ipynb").write_bytes(Path(NOTEBOOK).read_bytes())
    path.write_text("runs:\n  - name: x\n    notebook: notebooks/mine.ipynb\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"relative to the project root"):
        load_config(path, notebooks_dir=tmp_path / "none")


def test_the_header_of_reports_yaml_states_the_rule_the_build_follows():
    header = (PROJECT_ROOT / "reports.yaml").read_text(encoding="utf-8").split("\nruns:")[0]
    words = " ".join(line.lstrip("# ") for line in header.splitlines())
    assert "relative to the project root" in words
    assert "--config" in words  # the rule holds for a copy too
    assert "NN_name.ipynb" in words  # which notebooks get a default run


# Which notebooks of notebooks/ are report notebooks: the numbered ones, nothing else.
REPORT_NAMES = ["01_extraction", "08_new_chapter", "99_x", "10_a1_b2"]
SCRATCH_NAMES = [
    "Untitled",
    "Untitled1",
    "untitled",
    "01_extraction-Copy1",
    "01_Extraction",
    "1_extraction",
    "001_extraction",
    "01extraction",
    "01_",
    "01_extraction copy",
    "notes",
    "_01_x",
    "01_é",
]


def test_only_numbered_notebooks_get_a_default_run(tmp_path):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    for name in REPORT_NAMES + SCRATCH_NAMES:
        (folder / f"{name}.ipynb").write_bytes(Path(NOTEBOOK).read_bytes())
    (folder / "sub").mkdir()
    (folder / "sub" / "02_inside.ipynb").write_bytes(Path(NOTEBOOK).read_bytes())
    (folder / "03_a_folder.ipynb").mkdir()
    (tmp_path / "reports.yaml").write_text("runs: []\n", encoding="utf-8")
    runs = load_config(tmp_path / "reports.yaml", notebooks_dir=folder)
    assert [r.name for r in runs] == sorted(REPORT_NAMES)


def test_a_scratch_notebook_named_in_reports_yaml_is_built(tmp_path):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    (folder / "Untitled.ipynb").write_bytes(Path(NOTEBOOK).read_bytes())
    path = config_with(tmp_path, {"name": "mine", "notebook": str(folder / "Untitled.ipynb")})
    assert [r.name for r in load_config(path, notebooks_dir=folder)] == ["mine"]


def test_every_project_notebook_is_a_report_notebook():
    """The rule fits the project's own notebooks (a renamed one would silently drop out)."""
    from helpers.build.config import report_notebooks
    from helpers.report.params import NOTEBOOK_PARAMETERS

    assert [p.stem for p in report_notebooks()] == sorted(NOTEBOOK_PARAMETERS)


@pytest.mark.parametrize("title", [None, ""])
def test_a_run_without_a_title_takes_its_notebooks_heading(tmp_path, title):
    """No page is headed by a run's machine name: the run named here without a title, and
    every default run of a report notebook, take the notebook's first heading."""
    import nbformat

    from helpers.build.config import report_notebooks, take_title

    entry = {"name": "untitled-run", "parameters": {}}
    if title is not None:
        entry["title"] = title
    runs = {r.name: r for r in load_config(config_with(tmp_path, entry))}
    assert runs["untitled-run"].title == take_title(nbformat.read(NOTEBOOK, as_version=4)) != ""
    for nb in report_notebooks(NOTEBOOKS_DIR):
        if nb.stem in runs:
            expected = take_title(nbformat.read(nb, as_version=4))
            assert runs[nb.stem].title == expected and expected.startswith(nb.stem[:2])


@pytest.mark.parametrize(
    ("name", "value"), [("case_series_only", True), ("exclude_abstracts", True)]
)
def test_a_flag_in_the_page_header_is_said_in_the_settings_words(name, value):
    from helpers.analysis.pooling import Settings
    from helpers.build.html import parameter_words

    words = parameter_words(name, value)
    assert words in Settings(**{name: value}).describe() and not words.startswith("True")
