"""Notebook parameters, checked in the first cell after ``parameters``.

Every notebook calls :func:`check` with its parameters right after the ``parameters``
cell, so a bad value (an unknown method, a wrong type, a data folder that does not exist)
stops the run there with a message that lists what is allowed, before anything else is
computed. A parameter the notebook does not declare, passed with ``papermill -p``, stops it
there too: papermill only warns about it, and the value would otherwise be ignored
silently. ``reports.yaml`` is checked against the same rules when it is read
(:mod:`helpers.build.config`), with :func:`check_value`.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from helpers.analysis.meta import TESTS
from helpers.analysis.pooling import MODELS, OUTCOMES, UNITS, UNKNOWN
from helpers.data.paths import project_path
from helpers.data.values import text_problem


class ParameterError(ValueError):
    """A notebook parameter has a value it cannot take, or the notebook does not declare it."""


def _text(name, value):
    problem = text_problem(value)
    if problem:
        raise ParameterError(f"{name} {problem}")


def _existing(kind: str):
    """A check for a path parameter that must name an existing ``"folder"`` or ``"file"`` (or be None)."""
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
                f"{name}: no such {kind} {str(value)!r} (relative paths are relative to the project root)"
            )

    return check_


def _path_or_none(name, value):
    if value is not None and not isinstance(value, (str, Path)):
        raise ParameterError(f"{name} must be a path (text) or None, not {type(value).__name__} {value!r}")
    if value is not None:
        if str(value) == "":
            raise ParameterError(f"{name} must be a path, not empty text")
        _text(name, str(value))


def _choice(allowed):
    def check_(name, value):
        if isinstance(value, bool) or value not in allowed:
            raise ParameterError(f"{name} = {value!r} is not allowed; allowed values: {', '.join(map(repr, allowed))}")

    return check_


def _bool(name, value):
    if not isinstance(value, bool):
        raise ParameterError(f"{name} must be True or False, not {type(value).__name__} {value!r}")


_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}", re.ASCII)


def _name(name, value):
    if not isinstance(value, str) or not _NAME.fullmatch(value):
        raise ParameterError(f"{name} must be a short name of letters, digits, - and _ (at most 64), not {value!r}")


def _spec():

    return {
        "data_dir": _existing("folder"),
        "output_dir": _path_or_none,
        "appraisal_path": _existing("file"),
        "weighted": _bool,
        "exclude_abstracts": _bool,
        "case_series_only": _bool,
        "outcome": _choice(OUTCOMES),
        "unknown": _choice(UNKNOWN),
        "unit": _choice(UNITS),
        "method": _choice(MODELS),
        "test": _choice(TESTS),
        "run_name": _name,
    }


#: Parameters whose value names a file or folder (the build fingerprints their content).
PATH_PARAMETERS = ("data_dir", "appraisal_path")


def check_value(name: str, value) -> None:
    """Check one parameter's value.

    Raises
    ------
    ParameterError
        For a name no notebook knows, or a value it cannot take, naming the allowed values.
    """
    spec = _spec()
    if name not in spec:
        raise ParameterError(f"unknown parameter {name!r}; known: {', '.join(spec)}")
    spec[name](name, value)


def assigned_names(source: str) -> set[str]:
    """The names a cell assigns at top level (papermill's injected cell is plain assignments)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names = set()
    for node in tree.body:
        targets = (
            node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        )
        names |= {t.id for t in targets if isinstance(t, ast.Name)}
    return names


def injected_unknown(declared: set[str]) -> list[str]:
    """Names papermill injected that the notebook does not declare (``papermill -p colour red``).

    Papermill puts the values it is given in a cell of its own ("# Parameters") right after
    the notebook's ``parameters`` cell, and only warns about a name the notebook does not
    declare. The check cell runs next, so that injected cell is the previous input of the
    kernel's history.
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


def check(**parameters) -> str:
    """Check a notebook's parameters; return a one-line summary of their values.

    Call it with every parameter the notebook declares (``check(data_dir=data_dir, ...)``).

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
