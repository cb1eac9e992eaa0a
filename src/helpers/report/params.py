"""Notebook parameters, checked in the first cell after ``parameters``.

Every notebook calls :func:`check_parameters` (through :func:`helpers.report.setup.start`)
with its parameters right after the ``parameters`` cell, so a bad value (an unknown method,
a wrong type, a data folder that does not exist) stops the run there with a message that
lists what is allowed, before anything else is computed. A parameter the notebook does not
declare, passed with ``papermill -p``, stops it there too: papermill only warns about it,
and the value would otherwise be ignored silently. ``reports.yaml`` is checked against the
same rules when it is read (:mod:`helpers.build.config`), with :func:`check_value`.

Two rules hold for every parameter, wherever the notebook runs:

- a **path** (``data_dir``, ``appraisal_path``, ``output_dir``) that is relative is relative
  to the project root (:func:`helpers.data.paths.project_path`), never to the current
  directory (in JupyterLab, ``notebooks/``): the check and every helper that reads or writes
  the path resolve it the same way, so a path that passes the check is the one read;
- a **flag** (type ``bool``) is ``True`` or ``False``, or the text ``true`` or ``false`` in any
  case, as ``papermill -p name true`` passes it (:func:`helpers.data.values.flag`); nothing
  else.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from helpers.analysis.meta import PRIMARY_METHODS, TEST_NAMES, TESTS
from helpers.analysis.pooling import (
    FALLBACK,
    MODEL_NAMES,
    OUTCOME_LABELS,
    OUTCOMES,
    UNIT_LABELS,
    UNITS,
    UNKNOWN,
    UNKNOWN_LABELS,
    Settings,
)
from helpers.data.appraisals import ANSWERS, APPRAISAL_COLUMNS
from helpers.data.editions import EDITION_NAME_PATTERN, LATEST
from helpers.data.paths import project_path
from helpers.data.values import check_choice, check_flag, flag, text_problem

__all__ = [
    "NOTEBOOK_PARAMETERS",
    "PARAMETERS",
    "PATH_PARAMETERS",
    "Parameter",
    "ParameterError",
    "assigned_names",
    "check_parameters",
    "check_value",
    "injected_unknown",
    "notebook_parameters",
    "parameters_cell",
    "parameters_in_words",
]


class ParameterError(ValueError):
    """A notebook parameter has a value it cannot take, or the notebook does not declare it."""


def _text(name, value):
    problem = text_problem(value)
    if problem:
        raise ParameterError(f"{name} {problem}")


def _existing(kind: str):
    """A check for a path parameter that must name an existing ``"folder"`` or ``"file"``
    (or be None)."""
    exists = {"folder": Path.is_dir, "file": Path.is_file}[kind]

    def check_(name, value):
        if value is None:
            return
        _path_or_none(name, value)
        try:
            found = exists(project_path(value))
        except (OSError, ValueError):
            found = False
        if not found:
            raise ParameterError(
                f"{name}: no such {kind} {str(value)!r} "
                "(relative paths are relative to the project root)"
            )

    return check_


def _path_or_none(name, value):
    if value is not None and not isinstance(value, (str, Path)):
        raise ParameterError(
            f"{name} must be a path (text) or None, not {type(value).__name__} {value!r}"
        )
    if value is not None:
        if str(value) == "":
            raise ParameterError(f"{name} must be a path, not empty text")
        _text(name, str(value))


def _choice(allowed):
    def check_(name, value):
        try:
            check_choice(name, value, allowed)
        except ValueError as exc:
            raise ParameterError(str(exc)) from None

    return check_


def _bool(name, value):
    try:
        check_flag(name, value)
    except ValueError as exc:
        raise ParameterError(str(exc)) from None


_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}", re.ASCII)


def _edition(name, value):
    """An edition's name (or ``latest``): its form here; that the data hold it, when the
    review is loaded (:meth:`helpers.data.loader.Review.edition`)."""
    if not isinstance(value, str) or not re.fullmatch(EDITION_NAME_PATTERN, value, re.ASCII):
        raise ParameterError(
            f"{name} must name an edition of editions.csv (lower-case letters, digits and "
            f"hyphens) or be {LATEST!r}, not {value!r}"
        )


def _name(name, value):
    if not isinstance(value, str) or not _NAME.fullmatch(value):
        raise ParameterError(
            f"{name} must be a short name of letters, digits, - and _ (at most 64), not {value!r}"
        )


@dataclass(frozen=True)
class Parameter:
    """One notebook parameter: its default, its type and help (as ``papermill --help-notebook``
    shows them) and the check of its value."""

    name: str
    type: str
    help: str
    check: Callable[[str, object], None]
    default: object = None
    path: bool = (
        False  # whether the value names a file or folder (the build fingerprints its content)
    )


def _meanings(labels: dict) -> str:
    """``'a': what a means; 'b': what b means``: a choice's values and their words, from the
    module that defines them."""
    return "; ".join(f"{value!r}: {words}" for value, words in labels.items())


def _settings_default(name: str):
    """The default of a meta-analysis setting: :class:`~helpers.analysis.pooling.Settings`
    states it once."""
    return inspect.signature(Settings).parameters[name].default


_OUTPUT_DIR = "where to write {what}, relative to the project root; None writes nothing"

#: Every parameter a notebook may declare: the one specification, from which each notebook's
#: ``parameters`` cell (:func:`parameters_cell`), its check (:func:`check_parameters`) and
#: the build's check of ``reports.yaml`` (:func:`check_value`) derive.
PARAMETERS = {
    p.name: p
    for p in (
        Parameter(
            "data_dir",
            "Optional[str]",
            "the folder holding studies.csv and the other tables, relative to the project root; "
            "None: the project's data/",
            _existing("folder"),
            path=True,
        ),
        Parameter(
            "edition",
            "str",
            f"the edition whose studies the notebook shows (with every earlier edition's); "
            f"{LATEST!r}: the last (editions.csv)",
            _edition,
            LATEST,
        ),
        Parameter(
            "output_dir",
            "Optional[str]",
            _OUTPUT_DIR.format(what="what the notebook writes"),
            _path_or_none,
        ),
        Parameter(
            "appraisal_path",
            "Optional[str]",
            f"an appraisal file (CSV: {','.join(APPRAISAL_COLUMNS)}; answers "
            f"{', '.join(ANSWERS)}), relative to the project root; None: none is published",
            _existing("file"),
            path=True,
        ),
        Parameter(
            "weighted",
            "bool",
            "weight the summary plot by patients (True) or count studies (False)",
            _bool,
            False,
        ),
        Parameter(
            "outcome",
            "str",
            _meanings(OUTCOME_LABELS),
            _choice(OUTCOMES),
            _settings_default("outcome"),
        ),
        Parameter(
            "unknown",
            "str",
            _meanings(UNKNOWN_LABELS),
            _choice(UNKNOWN),
            _settings_default("unknown"),
        ),
        Parameter(
            "unit",
            "str",
            _meanings(UNIT_LABELS),
            _choice(UNITS),
            _settings_default("unit"),
        ),
        Parameter(
            "exclude_abstracts",
            "bool",
            "True leaves out the studies published as conference abstracts",
            _bool,
            _settings_default("exclude_abstracts"),
        ),
        Parameter(
            "case_series_only",
            "bool",
            "True leaves out the single-patient case reports "
            "(keeps studies of more than one patient)",
            _bool,
            _settings_default("case_series_only"),
        ),
        Parameter(
            "method",
            "str",
            f"the primary model ({_meanings({m: MODEL_NAMES[m] for m in PRIMARY_METHODS})}); "
            f"the GLMM falls back to {MODEL_NAMES[FALLBACK]} where it is not estimable",
            _choice(PRIMARY_METHODS),
            _settings_default("method"),
        ),
        Parameter(
            "test",
            "str",
            "the confidence interval of the inverse-variance models "
            f"({_meanings({t: TEST_NAMES[t] for t in TESTS})})",
            _choice(TESTS),
            _settings_default("test"),
        ),
        Parameter(
            "run_name",
            "str",
            "this run's name in the sensitivity comparison of reports/index.html",
            _name,
            "paper",
        ),
    )
}

#: Each notebook's parameters in order, with the help of ``output_dir`` where it says what
#: that notebook writes.
NOTEBOOK_PARAMETERS: dict[str, dict[str, str | None]] = {
    "01_extraction": {
        "data_dir": None,
        "edition": None,
        "output_dir": _OUTPUT_DIR.format(what="the PRISMA figure"),
    },
    "02_risk_of_bias": {
        "data_dir": None,
        "edition": None,
        "appraisal_path": None,
        "weighted": None,
        "output_dir": _OUTPUT_DIR.format(what="the figures"),
    },
    "03_pooled_outcomes": {"data_dir": None, "edition": None},
    "04_meta_analysis": {
        "data_dir": None,
        "edition": None,
        "outcome": None,
        "unknown": None,
        "unit": None,
        "exclude_abstracts": None,
        "case_series_only": None,
        "method": None,
        "test": None,
        "run_name": None,
        "output_dir": _OUTPUT_DIR.format(what="figures and the sensitivity summary"),
    },
    "05_figures": {
        "data_dir": None,
        "edition": None,
        "output_dir": _OUTPUT_DIR.format(what="the figures"),
    },
    "06_claims_audit": {
        "data_dir": None,
        "output_dir": _OUTPUT_DIR.format(
            what="claims_audit.csv and readings.csv (the build sets it)"
        ),
    },
    "07_since_the_paper": {
        "data_dir": None,
        "edition": "the edition set beside the paper's (its studies and every earlier edition's); "
        f"{LATEST!r}: the last (editions.csv)",
        "output_dir": _OUTPUT_DIR.format(what="since_the_paper.csv (the build sets it)"),
    },
    "08_summary_of_findings": {
        "data_dir": None,
        "edition": None,
        "output_dir": _OUTPUT_DIR.format(what="summary_of_findings.csv (the build sets it)"),
    },
    "09_multiverse": {
        "data_dir": None,
        "edition": None,
        "output_dir": _OUTPUT_DIR.format(
            what="multiverse.csv, multiverse_summary.csv and the specification curves"
        ),
    },
}

#: Parameters whose value names a file or folder (the build fingerprints their content).
PATH_PARAMETERS = tuple(name for name, p in PARAMETERS.items() if p.path)


def notebook_parameters(notebook: str) -> list[Parameter]:
    """A notebook's parameters, in the order its ``parameters`` cell declares them.

    Parameters
    ----------
    notebook : str
        The notebook's name without ``.ipynb`` (``"04_meta_analysis"``).

    Returns
    -------
    list of Parameter
        From :data:`PARAMETERS`, with the notebook's own help where it has one.

    Raises
    ------
    ParameterError
        For a notebook the specification does not know.
    """
    if notebook not in NOTEBOOK_PARAMETERS:
        raise ParameterError(
            f"no parameters are specified for notebook {notebook!r}; "
            f"known: {', '.join(NOTEBOOK_PARAMETERS)}"
        )
    return [
        dataclasses.replace(PARAMETERS[name], help=help_ or PARAMETERS[name].help)
        for name, help_ in NOTEBOOK_PARAMETERS[notebook].items()
    ]


def parameters_cell(notebook: str) -> str:
    """The source of a notebook's ``parameters`` cell, written from the specification.

    One line per parameter, ``name = default  # type: T help``: papermill reads the type and
    the help from that comment (``papermill --help-notebook``).

    Parameters
    ----------
    notebook : str
        The notebook's name without ``.ipynb``.

    Returns
    -------
    str
        The cell's lines joined with newlines (no trailing newline).

    Raises
    ------
    ParameterError
        For a notebook the specification does not know.
    """
    return "\n".join(
        f"{p.name} = {p.default!r}  # type: {p.type} {p.help}"
        for p in notebook_parameters(notebook)
    )


def check_value(name: str, value):
    """Check one parameter's value; return it as the notebook uses it.

    Parameters
    ----------
    name : str
        A parameter of :data:`PARAMETERS`.
    value : object
        Its value.

    Returns
    -------
    object
        ``value``, except that a flag (type ``bool``) given as the text ``true`` or
        ``false`` (in any case, as ``papermill -p`` or ``-r`` passes it) is the bool
        (:func:`helpers.data.values.flag`).

    Raises
    ------
    ParameterError
        For a name no notebook knows, or a value it cannot take, naming the allowed values.
    """
    if name not in PARAMETERS:
        raise ParameterError(f"unknown parameter {name!r}; known: {', '.join(PARAMETERS)}")
    PARAMETERS[name].check(name, value)
    return flag(name, value) if PARAMETERS[name].type == "bool" else value


def assigned_names(source: str) -> set[str]:
    """The names a cell assigns at top level (papermill's injected cell is plain assignments).

    Parameters
    ----------
    source : str
        A cell's source.

    Returns
    -------
    set of str
        The names assigned by ``=`` or an annotated assignment (empty when the source
        does not parse).
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names = set()
    for node in tree.body:
        targets = (
            node.targets
            if isinstance(node, ast.Assign)
            else [node.target]
            if isinstance(node, ast.AnnAssign)
            else []
        )
        names |= {t.id for t in targets if isinstance(t, ast.Name)}
    return names


def injected_unknown(declared: set[str]) -> list[str]:
    """Names papermill injected that the notebook does not declare (``papermill -p colour red``).

    Papermill puts the values it is given in a cell of its own ("# Parameters") right after
    the notebook's ``parameters`` cell, and only warns about a name the notebook does not
    declare. The check cell runs next, so that injected cell is the previous input of the
    kernel's history.

    Parameters
    ----------
    declared : set of str
        The notebook's parameters.

    Returns
    -------
    list of str
        The undeclared names, sorted; empty outside IPython or when papermill injected
        no cell.
    """
    try:
        from IPython import get_ipython
    except ImportError:
        return []
    shell = get_ipython()
    history = list(shell.user_ns.get("In", [])) if shell is not None else []
    if len(history) < 2 or not history[-2].lstrip().startswith("# Parameters"):
        return []
    return sorted(assigned_names(history[-2]) - set(declared))


def check_parameters(**parameters) -> str:
    """Check a notebook's parameters; return a one-line summary of their values.

    Call it with every parameter the notebook declares (``check(data_dir=data_dir, ...)``).

    Parameters
    ----------
    **parameters
        Every parameter the notebook declares, by name.

    Returns
    -------
    str
        ``name = value`` for each parameter (values as repr), joined with ", ".

    Raises
    ------
    ParameterError
        For a parameter the notebook does not declare (injected by papermill), or the
        first parameter with a value it cannot take, naming the allowed values.
    """
    unknown = injected_unknown(set(parameters))
    if unknown:
        raise ParameterError(
            f"unknown parameter(s) {', '.join(map(repr, unknown))}: this notebook's parameters are "
            f"{', '.join(parameters)}"
        )
    for name, value in parameters.items():
        check_value(name, value)
    return ", ".join(f"{k} = {v!r}" for k, v in parameters.items())


#: Parameters the page leaves out of a run's settings: the build sets the output folder, and a
#: run's name is a file name, not a setting.
_UNSHOWN = ("output_dir", "run_name")


def parameters_in_words(parameters: dict) -> list[str]:
    """A run's parameters as a reader would name them.

    The meta-analysis settings are said as :meth:`helpers.analysis.pooling.Settings.describe`
    says them, only those that differ from the defaults; a data folder, an edition or an
    appraisal file are named with their value; the output folder and the run's name are left
    out; any other parameter shows as ``name: value``.

    Parameters
    ----------
    parameters : dict
        The run's parameters (``reports.yaml``).

    Returns
    -------
    list of str
        One phrase per setting; empty for a run with its notebook's defaults.

    Examples
    --------
    >>> parameters_in_words({"unknown": "exclude", "run_name": "x"})
    ['unknown responses left out']
    >>> parameters_in_words({"edition": "2024-update"})
    ['edition 2024-update']
    """
    names = set(inspect.signature(Settings).parameters)
    settings = {k: v for k, v in parameters.items() if k in names}
    words = []
    if settings:
        try:
            default = Settings().describe().rstrip(".").split("; ")
            chosen = Settings(**settings).describe().rstrip(".").split("; ")
            words += [c for c, d in zip(chosen, default, strict=True) if c != d]
        except (TypeError, ValueError):  # a value the build would refuse: shown as given
            words += [f"{k}: {v}" for k, v in settings.items()]
    named = {"data_dir": "data from", "edition": "edition", "appraisal_path": "appraisals from"}
    for k, v in parameters.items():
        if k in names or k in _UNSHOWN:
            continue
        if k in named:
            words.append(f"{named[k]} {v}")
        elif k == "weighted":
            words.append("weighted by patients" if v else "counting studies")
        else:
            words.append(f"{k}: {v}")
    return words
