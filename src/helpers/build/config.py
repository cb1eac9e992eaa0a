"""The report runs: ``reports.yaml`` read strictly, every run checked before anything is built.

``reports.yaml`` lists the runs: a ``name``, the ``notebook``, its ``parameters`` and a
``title``. Everything about a run is checked when the file is read, so a bad entry stops
the build before any notebook executes, with a message naming the entry:

- the file is strict YAML (:func:`helpers.data.readers.load_yaml`: no aliases of lists, no
  repeated keys), at most 1 MB, a mapping whose only key is ``runs``;
- a run **name** is 1 to 100 characters from ``A-Z a-z 0-9 - _ .`` and does not start
  with ``.`` (:data:`RUN_NAME`); names are unique, ignoring case. A name becomes a
  folder (``reports/runs/<name>/``), so nothing else is accepted: no ``/``, no ``..``;
- the **notebook** exists and is a ``.ipynb`` file;
- the **title** is text without control characters;
- every **parameter** is one the notebook declares (its ``parameters`` cell), with a value
  its check accepts (:mod:`helpers.report.params`); ``output_dir`` is the build's own and may not
  be set, so a run cannot write outside its folder or bypass staging.

Paths in the file (``notebook``, and the path parameters ``data_dir`` and ``appraisal_path``)
are relative to the **project root**, wherever the file is: a copy of ``reports.yaml``
given with ``--config other/runs.yaml`` names the same notebooks as the original
(:func:`helpers.data.paths.project_path`).

A report notebook of ``notebooks/`` that no run names gets a run of its own, with its
defaults. A report notebook is one named in reading order, ``NN_name.ipynb`` (two digits,
an underscore, then lower-case letters, digits and underscores: :data:`REPORT_NOTEBOOK`);
anything else there (JupyterLab's ``Untitled.ipynb``, ``01_extraction-Copy1.ipynb``) is a
researcher's scratch notebook: built only when a run of ``reports.yaml`` names it, and never
collected by nbval (the project's ``conftest.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from helpers.data import paths
from helpers.data.curation import editions_as_written
from helpers.data.editions import LATEST
from helpers.data.errors import DataValidationError
from helpers.data.readers import YamlProblem, describe, key_lines, line_of, load_yaml, read_text
from helpers.data.values import text_problem
from helpers.report.params import ParameterError, assigned_names, check_value

__all__ = [
    "BUILD_PARAMETERS",
    "MAX_CONFIG_BYTES",
    "REPORT_NOTEBOOK",
    "RUN_NAME",
    "RUN_NAME_RULE",
    "ConfigError",
    "Run",
    "check_run_name",
    "declared_parameters",
    "load_config",
    "notebook_title",
    "report_notebooks",
    "take_title",
]

#: What a run name may be: it becomes a folder name, so only these characters.
RUN_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}", re.ASCII)
RUN_NAME_RULE = "1 to 100 characters from A-Z, a-z, 0-9, '-', '_' and '.', not starting with '.'"
#: The stem of a report notebook: two digits, an underscore and a lower-case snake_case name
#: (``04_meta_analysis``). JupyterLab's own names (``Untitled1``, ``04_meta_analysis-Copy1``)
#: never match.
REPORT_NOTEBOOK = re.compile(r"[0-9]{2}_[a-z0-9_]+", re.ASCII)
#: Parameters the build sets itself; a run may not.
BUILD_PARAMETERS = ("output_dir",)
MAX_CONFIG_BYTES = 1024 * 1024
_KEYS = ("name", "notebook", "parameters", "title")


class ConfigError(ValueError):
    """reports.yaml (or a build option) is malformed: the message names the entry."""


@dataclass
class Run:
    """One report run: a notebook executed with a set of parameters."""

    name: str
    notebook: Path
    parameters: dict = field(default_factory=dict)
    title: str = ""

    @property
    def folder(self) -> str:
        """The run's folder, relative to the output folder: every file of the run is in it."""
        return f"runs/{self.name}"

    @property
    def files(self) -> dict[str, str]:
        """The build's files of this run, relative to the output folder."""
        return {
            "notebook": f"{self.folder}/{self.name}.ipynb",
            "full": f"{self.folder}/{self.name}.html",
            "reviewer": f"{self.folder}/{self.name}-reviewer.html",
            "pdf": f"{self.folder}/{self.name}-reviewer.pdf",
        }


def check_run_name(name) -> str | None:
    """Why ``name`` cannot be a run name, or None.

    Parameters
    ----------
    name : object
        A run's ``name`` as read from ``reports.yaml`` (any YAML value), or a notebook's stem.

    Returns
    -------
    str or None
        The reason, one phrase for an error message (not text, or not matching
        :data:`RUN_NAME`); None when the name is allowed.
    """
    if not isinstance(name, str):
        return f"a run name must be text, not {describe(name)}"
    if not RUN_NAME.fullmatch(name):
        return f"run name {name[:60]!r} is not allowed: {RUN_NAME_RULE}"
    return None


def report_notebooks(notebooks_dir: Path | None = None) -> list[Path]:
    """The report notebooks of a folder: those named :data:`REPORT_NOTEBOOK` ``.ipynb``.

    Parameters
    ----------
    notebooks_dir : Path, optional
        The folder (default: :data:`helpers.data.paths.NOTEBOOKS_DIR`); a relative path is
        relative to the project root.

    Returns
    -------
    list of Path
        The notebooks, in file-name order (the reading order); not those of sub-folders.

    Examples
    --------
    >>> [p.name for p in report_notebooks()][:2]
    ['01_extraction.ipynb', '02_risk_of_bias.ipynb']
    """
    folder = paths.project_path(notebooks_dir or paths.NOTEBOOKS_DIR)
    return sorted(
        p for p in folder.glob("*.ipynb") if REPORT_NOTEBOOK.fullmatch(p.stem) and p.is_file()
    )


def declared_parameters(notebook: Path) -> list[str]:
    """The parameters a notebook declares: the names its ``parameters`` cell assigns (as
    papermill reads them for a Python notebook).

    Parameters
    ----------
    notebook : Path
        The ``.ipynb`` file.

    Returns
    -------
    list of str
        The names assigned at the top level of the first cell tagged ``parameters``, sorted;
        empty when there is no such cell or its source does not parse.

    Raises
    ------
    ConfigError
        When the notebook is not a readable notebook.
    """
    import json

    try:
        cells = json.loads(Path(notebook).read_text(encoding="utf-8"))["cells"]
        source = next(
            (c["source"] for c in cells if "parameters" in c.get("metadata", {}).get("tags", [])),
            "",
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ConfigError(f"{notebook}: not a readable notebook ({type(exc).__name__})") from None
    return sorted(assigned_names("".join(source) if isinstance(source, list) else str(source)))


def _check_parameters(where: str, notebook: Path, parameters, line_for) -> None:

    if not isinstance(parameters, dict):
        raise ConfigError(
            f"{where}: parameters must be a mapping of names to values, not {describe(parameters)}"
        )
    declared = declared_parameters(notebook)
    for name, value in parameters.items():
        at = f"{where}, parameter {str(name)[:40]!r} (line {line_for(name)})"
        if name in BUILD_PARAMETERS:
            raise ConfigError(
                f"{at}: {name} is set by the build (each run writes into its own folder); remove it"
            )
        if name not in declared:
            allowed = ", ".join(n for n in declared if n not in BUILD_PARAMETERS) or "none"
            raise ConfigError(
                f"{at}: {notebook.name} declares no such parameter; its parameters: {allowed}"
            )
        if not (value is None or isinstance(value, (str, bool, int, float))):
            raise ConfigError(
                f"{at}: a value must be text, a number, true/false or null, not {describe(value)}"
            )
        try:
            parameters[name] = check_value(name, value)  # a flag written "true" is True
        except ParameterError as exc:
            raise ConfigError(f"{at}: {exc}") from None
    _check_edition(where, parameters, line_for)


def _check_edition(where: str, parameters: dict, line_for) -> None:
    """An ``edition`` parameter names an edition of the run's data (read as written; the data's
    own problems are the loader's to name when the run loads them)."""
    edition = parameters.get("edition")
    if not isinstance(edition, str) or edition == LATEST:
        return
    folder = paths.data_folder(parameters.get("data_dir"))
    try:
        names = [row["edition"] for row in editions_as_written(folder)]
    except (DataValidationError, OSError, KeyError, ValueError, IndexError):
        return
    if edition not in names:
        raise ConfigError(
            f"{where}, parameter 'edition' (line {line_for('edition')}): no edition {edition!r} in "
            f"the data's editions.csv; the editions are {', '.join(map(repr, names))} "
            f"(or {LATEST!r}, the last)"
        )


_ATX_H1 = re.compile(r"^ {0,3}#(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def take_title(nb) -> str:
    """Take the notebook's own H1 out of it, in place; demote any later H1 to H2.

    The run's title is the page's one H1 (:func:`helpers.build.html.header`); the
    notebook's own title is shown in the header's table instead.

    Parameters
    ----------
    nb : NotebookNode
        A notebook (a copy: its markdown cells change).

    Returns
    -------
    str
        The text of the first ``# `` heading of its markdown cells (outside fenced code), as
        written; empty when it has none.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[
    ...     nbformat.v4.new_markdown_cell("# 04 · Meta-analysis\\nText.\\n# Later"),
    ... ])
    >>> take_title(nb), nb.cells[0].source
    ('04 · Meta-analysis', 'Text.\\n## Later')
    """
    title = None
    for cell in nb.cells:
        if cell.get("cell_type") != "markdown":
            continue
        lines, fence, changed = [], None, False
        for line in cell.source.split("\n"):
            opened = _FENCE.match(line)
            if fence is not None:
                if opened and opened.group(1)[0] == fence:
                    fence = None
            elif opened:
                fence = opened.group(1)[0]
            elif (heading := _ATX_H1.match(line)) is not None:
                changed = True
                if title is None:
                    title = heading.group(1) or ""
                    continue
                line = "#" + line.lstrip(" ")
            lines.append(line)
        if changed:
            cell.source = "\n".join(lines).lstrip("\n")
    return title or ""


def notebook_title(notebook: Path) -> str:
    """A notebook's own title: the first level-1 heading of its Markdown cells.

    The title of a run that ``reports.yaml`` does not title, so that no page is headed by a
    run's machine name.

    Parameters
    ----------
    notebook : Path
        The notebook.

    Returns
    -------
    str
        The heading's text; "" when the notebook has none or cannot be read (the run's own
        check names a missing notebook).
    """
    import nbformat  # imported here: the command line starts without it

    try:
        return take_title(nbformat.read(notebook, as_version=4))
    except (OSError, ValueError, KeyError, AttributeError, TypeError):
        return ""


def load_config(
    path: Path | None = None, notebooks_dir: Path | None = None, required: bool | None = None
) -> list[Run]:
    """Read and check the report runs; add a default run for each report notebook no run names.

    Parameters
    ----------
    path : Path, optional
        The runs file (default: the project's ``reports.yaml``); a relative path is relative
        to the project root (the command line makes ``--config`` absolute first).
    notebooks_dir : Path, optional
        Where unlisted report notebooks are found (default: ``notebooks/``).
    required : bool, optional
        Whether a missing file is an error (default: only when ``path`` is given).

    Returns
    -------
    list of Run
        The file's runs in its order (notebook paths resolved against the project root,
        wherever the file is), then one run per report notebook of ``notebooks_dir``
        (:func:`report_notebooks`) that no run names, in file-name order: named after the
        notebook, with no parameters. A run without a title takes its notebook's
        (:func:`notebook_title`).

    Raises
    ------
    ConfigError
        For anything wrong, naming the file, the run and the key.

    Long: one pass over the entries that checks every key in file order and names the entry
    and its line in each message; split, each part would need the entry's position, line
    and the names seen so far.
    """
    given = path is not None
    path = paths.project_path(path or paths.REPORTS_CONFIG)
    required = given if required is None else required
    config, node = {}, None
    if path.exists() or required:
        text, problem = read_text(path, path.name, MAX_CONFIG_BYTES)
        if problem:
            raise ConfigError(f"{path}: {problem.message}")
        try:
            config, node = load_yaml(text)
        except YamlProblem as exc:
            raise ConfigError(
                f"{path}" + (f", line {exc.line}" if exc.line else "") + f": {exc.message}"
            ) from None
    if config is None:
        config = {}
    if not isinstance(config, dict) or set(config) - {"runs"}:
        what = (
            describe(config)
            if not isinstance(config, dict)
            else f"the keys {sorted(map(str, config))}"
        )
        raise ConfigError(
            f"{path}: the file must be a mapping with one key, runs (a list of runs), not {what}"
        )
    entries = config.get("runs")
    if entries is None:
        entries = []
    if not isinstance(entries, list):
        raise ConfigError(f"{path}: runs must be a list of runs, not {describe(entries)}")
    items = node.value[0][1].value if node is not None and entries else []
    runs: list[Run] = []
    seen: dict[str, str] = {}
    for i, (entry, item) in enumerate(zip(entries, items, strict=True), start=1):
        line = line_of(item)
        where = f"{path.name}, run {i} (line {line})"
        if not isinstance(entry, dict):
            raise ConfigError(
                f"{where}: a run must be a mapping with name, notebook, parameters and title, "
                f"not {describe(entry)}"
            )
        unknown = [str(k) for k in entry if k not in _KEYS]
        if unknown:
            raise ConfigError(
                f"{where}: unknown key(s) {', '.join(unknown)}; a run has {', '.join(_KEYS)}"
            )
        problem = check_run_name(entry.get("name"))
        if problem:
            raise ConfigError(f"{where}: {problem}")
        name = entry["name"]
        where = f"{path.name}, run {i} {name!r} (line {line})"
        if name.lower() in seen:
            raise ConfigError(
                f"{where}: duplicate run name (as {seen[name.lower()]!r}, ignoring case: "
                "each run has a folder of its own)"
            )
        seen[name.lower()] = name
        notebook = entry.get("notebook")
        if not isinstance(notebook, str) or not notebook or text_problem(notebook):
            raise ConfigError(
                f"{where}: notebook must be the path of a notebook, not {describe(notebook)}"
            )
        try:
            nb = paths.project_path(notebook).resolve()
            exists = nb.is_file()
        except (OSError, ValueError):
            exists = False
        if not exists or nb.suffix != ".ipynb":
            raise ConfigError(
                f"{where}: notebook {notebook} does not exist (or is not a .ipynb file; "
                f"a relative path is relative to the project root, {paths.PROJECT_ROOT})"
            )
        title = entry.get("title", "")
        if title is None:
            title = ""
        if not isinstance(title, str) or text_problem(title) or len(title) > 300:
            why = (
                text_problem(title)
                if isinstance(title, str) and text_problem(title)
                else (
                    "is longer than 300 characters"
                    if isinstance(title, str)
                    else f"must be text, not {describe(title)}"
                )
            )
            raise ConfigError(f"{where}: the title {why}")
        params = entry.get("parameters")
        params = {} if params is None else params
        lines = key_lines(next((v for k, v in item.value if k.value == "parameters"), None))
        _check_parameters(where, nb, params, lambda n, lines=lines, line=line: lines.get(n, line))
        runs.append(Run(name, nb, dict(params), title or notebook_title(nb)))
    listed = {r.notebook for r in runs}
    for nb in report_notebooks(notebooks_dir):
        if nb.resolve() in listed:
            continue
        problem = check_run_name(nb.stem)
        if problem:
            raise ConfigError(f"{nb}: the notebook's default run is named after it, and {problem}")
        if nb.stem.lower() in seen:
            raise ConfigError(
                f"{path}: a run is named {nb.stem!r} but runs another notebook; "
                f"{nb.name} needs a run of its own"
            )
        seen[nb.stem.lower()] = nb.stem
        runs.append(Run(nb.stem, nb.resolve(), {}, notebook_title(nb)))
    return runs
