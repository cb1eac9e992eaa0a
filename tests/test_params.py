"""Bad notebook parameters stop the run in the first cell after `parameters`,
naming what is allowed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers.analysis.meta import PRIMARY_METHODS, TESTS
from helpers.analysis.pooling import OUTCOMES, UNITS, UNKNOWN
from helpers.build.config import report_notebooks
from helpers.build.kernel import KERNEL_NAME
from helpers.data.paths import NOTEBOOKS_DIR, PROJECT_ROOT
from helpers.report import params

from tests_support import allowed


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (
            {"method": "bayes"},
            r"method = 'bayes' is not allowed; " + allowed(PRIMARY_METHODS),
        ),
        ({"outcome": "cure"}, allowed(OUTCOMES)),
        ({"unknown": 3}, allowed(UNKNOWN)),
        ({"unit": "eyes"}, allowed(UNITS)),
        ({"exclude_abstracts": "yes"}, r"exclude_abstracts must be True or False"),
        ({"weighted": 1}, r"weighted must be True or False"),
        ({"case_series_only": "on"}, r"case_series_only must be True or False"),
        ({"test": "hk"}, r"test = 'hk' is not allowed; " + allowed(TESTS)),
        ({"test": False}, r"test = False is not allowed"),
        ({"data_dir": "/no/such/folder"}, r"data_dir: no such folder '/no/such/folder'"),
        ({"data_dir": 42}, r"data_dir must be a path \(text\) or None, not int 42"),
        ({"appraisal_path": "nope.csv"}, r"appraisal_path: no such file 'nope.csv'"),
        ({"output_dir": ["reports"]}, r"output_dir must be a path"),
        ({"run_name": "a b"}, r"run_name must be a short name"),
        ({"colour": "red"}, r"unknown parameter 'colour'"),
        (
            {"data_dir": "data\x00/x"},
            r"data_dir contains the invisible or control character U\+0000",
        ),
        ({"data_dir": ""}, r"data_dir must be a path, not empty text"),
        ({"run_name": "٦"}, r"run_name must be a short name"),
        ({"run_name": "../x"}, r"run_name must be a short name"),
        ({"method": True}, r"method = True is not allowed"),
        ({"appraisal_path": "x" * 5000}, r"appraisal_path: no such file"),
    ],
)
def test_bad_values_are_named(kwargs, match):
    with pytest.raises(params.ParameterError, match=match):
        params.check_parameters(**kwargs)


def test_good_values_pass():
    assert (
        params.check_parameters(data_dir="data", method="glmm", exclude_abstracts=True)
        == "data_dir = 'data', method = 'glmm', exclude_abstracts = True"
    )


NOTEBOOKS = report_notebooks()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_every_notebook_checks_every_parameter_first(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    i = next(i for i, c in enumerate(cells) if "parameters" in c["metadata"].get("tags", []))
    declared = sorted(params.assigned_names("".join(cells[i]["source"])))
    check = "".join(cells[i + 1]["source"])
    assert "start(" in check
    assert all(f"{name}={name}" in check for name in declared), (declared, check)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_every_parameters_cell_is_written_from_the_specification(path):
    """The cell is the specification's, so papermill --help-notebook shows its types and help."""
    import nbformat
    from papermill.inspection import inspect_notebook

    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    assert cell.source == params.parameters_cell(path.stem)
    shown = inspect_notebook(str(path))  # what papermill --help-notebook prints
    spec = params.notebook_parameters(path.stem)
    assert list(shown) == [p.name for p in spec]
    for p in spec:
        assert shown[p.name]["inferred_type_name"] == p.type and shown[p.name]["help"] == p.help
        assert shown[p.name]["default"] == repr(p.default)


def test_every_specified_default_passes_its_own_check():
    for name, p in params.PARAMETERS.items():
        if name not in params.PATH_PARAMETERS or p.default is None:
            params.check_value(name, p.default)


def test_the_meta_analysis_defaults_are_the_settings_defaults():
    import inspect

    from helpers.analysis.pooling import Settings

    for name, default in inspect.signature(Settings).parameters.items():
        assert params.PARAMETERS[name].default == default.default


def test_the_build_writes_a_stale_parameters_cell_from_the_specification():
    import nbformat

    from helpers.build.params_cells import write_parameters_cell

    nb = nbformat.read(NOTEBOOKS_DIR / "04_meta_analysis.ipynb", as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    cell.source = "method = 'reml'  # an old help"
    assert write_parameters_cell(nb, "04_meta_analysis")
    assert cell.source == params.parameters_cell("04_meta_analysis")
    assert not write_parameters_cell(nb, "99_a_users_own_notebook")


@pytest.mark.parametrize(
    "notebook, parameters, message",
    [
        ("04_meta_analysis", {"method": "bayes"}, allowed(PRIMARY_METHODS)),
        # a parameter the notebook does not declare: papermill only warns, the check cell stops it
        (
            "03_pooled_outcomes",
            {"colour": "red"},
            "unknown parameter(s) 'colour': this notebook's parameters are data_dir",
        ),
        ("01_extraction", {"method": "glmm"}, "unknown parameter(s) 'method'"),
        ("01_extraction", {"data_dir": "no/such/data"}, "data_dir: no such folder"),
        ("02_risk_of_bias", {"weighted": "yes"}, "weighted must be True or False"),
    ],
)
def test_a_run_with_a_bad_parameter_fails_in_the_check_cell(
    tmp_path, notebook, parameters, message
):
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    with pytest.raises(PapermillExecutionError) as info:
        pm.execute_notebook(
            str(NOTEBOOKS_DIR / f"{notebook}.ipynb"),
            str(tmp_path / "out.ipynb"),
            parameters=parameters,
            kernel_name=KERNEL_NAME,
            cwd=str(PROJECT_ROOT),
            progress_bar=False,
        )
    assert info.value.ename == "ParameterError" and message in info.value.evalue
    executed = json.loads(Path(tmp_path / "out.ipynb").read_text(encoding="utf-8"))["cells"]
    index = next(
        i
        for i, c in enumerate(executed)
        if any(o["output_type"] == "error" for o in c.get("outputs", []))
    )
    assert "start(" in "".join(executed[index]["source"])
    before = [c for c in executed[:index] if c["cell_type"] == "code"]
    assert all(
        "parameters" in str(c["metadata"].get("tags", [])) for c in before
    )  # nothing else ran first


# Flags: every flag of the specification, every spelling papermill and YAML can hand it.
FLAGS = sorted(name for name, p in params.PARAMETERS.items() if p.type == "bool")
#: Accepted: the bools, and the text true/false in any case (what `papermill -p name true`
#: and `-r name True` pass; the rule of a boolean data cell).
FLAG_SPELLINGS = {
    True: True,
    False: False,
    "true": True,
    "false": False,
    "True": True,
    "False": False,
    "TRUE": True,
    "FALSE": False,
    "tRuE": True,
}
#: Refused: anything else, each with the same one message.
NOT_FLAGS = [1, 0, 2, 1.0, None, "", "yes", "no", "on", "off", "1", "0", "t", " true", "true ", []]


def test_there_are_flags_to_test():
    assert {"exclude_abstracts", "case_series_only", "weighted"} <= set(FLAGS)


@pytest.mark.parametrize("name", FLAGS)
@pytest.mark.parametrize("given", list(FLAG_SPELLINGS), ids=repr)
def test_every_flag_takes_true_and_false_in_any_spelling_as_the_bool(name, given):
    assert params.check_value(name, given) is FLAG_SPELLINGS[given]
    assert params.check_parameters(**{name: given}) == f"{name} = {given!r}"


@pytest.mark.parametrize("name", FLAGS)
@pytest.mark.parametrize("given", NOT_FLAGS, ids=repr)
def test_every_flag_refuses_anything_else_with_one_message(name, given):
    with pytest.raises(
        params.ParameterError,
        match=rf"^{name} must be True or False \(or the text true or false\), not ",
    ):
        params.check_value(name, given)


@pytest.mark.parametrize("given", list(FLAG_SPELLINGS), ids=repr)
def test_the_meta_analysis_reads_a_flag_given_as_text_as_the_bool(given, review):
    """What the notebook does with the value papermill injected: Settings, and the selection."""
    from helpers.analysis.pooling import Settings, events_per_study

    settings = Settings.from_parameters({"exclude_abstracts": given, "case_series_only": given})
    assert settings.exclude_abstracts is settings.case_series_only is FLAG_SPELLINGS[given]
    as_bool = events_per_study(review, exclude_abstracts=FLAG_SPELLINGS[given])
    assert events_per_study(review, exclude_abstracts=given).equals(as_bool)


def test_excluding_abstracts_changes_the_selection(review):
    """The test above can fail: the two values select different studies."""
    from helpers.analysis.pooling import events_per_study

    assert len(events_per_study(review, exclude_abstracts="true")) < len(
        events_per_study(review, exclude_abstracts="false")
    )


@pytest.mark.parametrize("given", list(FLAG_SPELLINGS), ids=repr)
def test_the_summary_plot_reads_weighted_given_as_text_as_the_bool(given, review):
    import matplotlib.pyplot as plt

    from helpers.data.appraisals import load_appraisals
    from helpers.report.risk_of_bias import summary_plot

    appraisals = load_appraisals("tests/fixtures/appraisals_synthetic.csv", review)
    fig = summary_plot(appraisals, review, weighted=given)
    label = fig.axes[0].get_xlabel()
    plt.close(fig)
    assert ("weighted by patients" in label) is FLAG_SPELLINGS[given]


@pytest.mark.parametrize(
    "option, value", [("-p", "true"), ("-p", "True"), ("-r", "true"), ("-y", "true")]
)
def test_papermill_passes_a_flag_the_check_accepts(option, value, monkeypatch):
    """What each papermill option makes of the text on the command line, checked as a
    notebook checks it."""
    from click.testing import CliRunner
    from papermill import cli

    seen = {}
    monkeypatch.setattr(
        cli, "execute_notebook", lambda *a, parameters=None, **k: seen.update(parameters or {})
    )
    words = (
        [option, f"exclude_abstracts: {value}"]
        if option == "-y"
        else [option, "exclude_abstracts", value]
    )
    notebook = str(NOTEBOOKS_DIR / "04_meta_analysis.ipynb")
    result = CliRunner().invoke(cli.papermill, [notebook, "out.ipynb", *words])
    assert result.exit_code == 0, result.output
    assert params.check_value("exclude_abstracts", seen["exclude_abstracts"]) is True


# Relative paths: one rule everywhere, the project root, whatever the current directory
# (JupyterLab's is notebooks/). Every path parameter, its check and the helper that reads it.
CWDS = {"root": PROJECT_ROOT, "notebooks": NOTEBOOKS_DIR, "elsewhere": None}
PATH_LIKE = sorted(n for n, p in params.PARAMETERS.items() if p.type == "Optional[str]")
APPRAISALS = "tests/fixtures/appraisals_synthetic.csv"


def _read_data_dir(value, review):
    from helpers import load_review

    return load_review(value).checksum == review.checksum


def _read_appraisal_path(value, review):
    from helpers.data.appraisals import load_appraisals

    return len(load_appraisals(value, review)) > 0


#: Each path parameter: a relative value that names something under the project root, and
#: how the notebooks' helpers read it (True when they found it).
READERS = {
    "data_dir": ("data", _read_data_dir),
    "appraisal_path": (APPRAISALS, _read_appraisal_path),
}


def _writers(value):
    """Every helper a notebook hands its ``output_dir``: each writes under it."""
    import matplotlib.pyplot as plt
    import pandas as pd

    from helpers.analysis.claims import AUDIT_COLUMNS, write_audit
    from helpers.report.figures import save
    from helpers.report.headline import write_headline
    from helpers.report.since_the_paper import THEN_AND_NOW_COLUMNS, write_since_the_paper

    fig = plt.figure()
    save(fig, "probe", value)
    plt.close(fig)
    write_audit(pd.DataFrame(columns=AUDIT_COLUMNS), value)
    write_headline(pd.DataFrame({"a": [1]}), value, "probe")
    write_since_the_paper(pd.DataFrame(columns=THEN_AND_NOW_COLUMNS), value)


def test_every_path_parameter_has_its_reader_here():
    assert set(PATH_LIKE) == set(READERS) | {"output_dir"}


@pytest.mark.parametrize("where", sorted(CWDS))
@pytest.mark.parametrize("name", sorted(READERS))
def test_a_relative_path_parameter_is_read_from_the_project_root_wherever_the_notebook_runs(
    name, where, review, monkeypatch, tmp_path
):
    value, read = READERS[name]
    monkeypatch.chdir(CWDS[where] or tmp_path)
    params.check_value(name, value)  # the check finds it ...
    assert read(value, review)  # ... and so does the helper that reads it


@pytest.mark.parametrize("name", sorted(READERS))
def test_a_path_that_exists_only_from_the_current_directory_is_refused_by_both(
    name, review, monkeypatch, tmp_path
):
    """The old bug, both ways round: never accepted by the check and then missed by the reader
    (or the reverse)."""
    import shutil

    from helpers.data.errors import DataValidationError

    value, read = READERS[name]
    source = PROJECT_ROOT / value
    local = f"only-here-{name}{source.suffix}"
    assert not (PROJECT_ROOT / local).exists()
    if source.is_dir():
        shutil.copytree(source, tmp_path / local)
    else:
        (tmp_path / local).write_bytes(source.read_bytes())
    monkeypatch.chdir(tmp_path)
    with pytest.raises(params.ParameterError, match="relative to the project root"):
        params.check_value(name, local)
    with pytest.raises(DataValidationError):
        read(local, review)
    assert read(str(tmp_path / local), review)  # absolute, it is found


@pytest.mark.parametrize("where", sorted(CWDS))
def test_a_relative_output_dir_is_written_under_the_project_root(where, monkeypatch, tmp_path):
    from helpers.data import paths

    root = tmp_path / "root"
    root.mkdir()
    monkeypatch.setattr(paths, "PROJECT_ROOT", root)  # a project of the test's own
    monkeypatch.chdir(CWDS[where] or tmp_path)
    params.check_value("output_dir", "out/run")
    _writers("out/run")
    written = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    assert written and all(p.startswith("out/run/") for p in written), written
    assert not (Path.cwd() / "out").exists() or Path.cwd() == root


def test_a_notebook_run_from_notebooks_reads_relative_paths_from_the_project_root(tmp_path):
    """What JupyterLab does: the kernel's current directory is notebooks/. The relative
    data_dir and appraisal_path are found, and the flag given as text is read."""
    import papermill as pm

    out = tmp_path / "out"
    pm.execute_notebook(
        str(NOTEBOOKS_DIR / "02_risk_of_bias.ipynb"),
        str(tmp_path / "executed.ipynb"),
        parameters={
            "data_dir": "data",
            "appraisal_path": APPRAISALS,
            "weighted": "true",
            "output_dir": str(out),
        },
        kernel_name=KERNEL_NAME,
        cwd=str(NOTEBOOKS_DIR),
        progress_bar=False,
    )
    assert sorted(p.name for p in (out / "figures").glob("*.svg")) == [
        "risk-of-bias-summary.svg",
        "risk-of-bias-traffic-light.svg",
    ]
    assert "weighted by patients" in (out / "figures" / "risk-of-bias-summary.svg").read_text(
        encoding="utf-8"
    )
