"""Notebook parameters, checked in the first cell after ``parameters``.

Every notebook calls :func:`check` with its parameters right after the ``parameters``
cell, so a bad value (an unknown method, a wrong type, a data folder that does not exist)
stops the run there with a message that lists what is allowed, before anything else is
computed.
"""

from __future__ import annotations

from pathlib import Path

from .paths import project_path


class ParameterError(ValueError):
    """A notebook parameter has a value it cannot take."""


def _existing(kind: str):
    """A check for a path parameter that must name an existing ``"folder"`` or ``"file"`` (or be None)."""
    exists = {"folder": Path.is_dir, "file": Path.is_file}[kind]

    def check_(name, value):
        if value is None:
            return
        _path_or_none(name, value)
        if not exists(project_path(value)):
            raise ParameterError(f"{name}: no such {kind} {str(value)!r} (relative paths are relative to the project root)")
    return check_


def _path_or_none(name, value):
    if value is not None and not isinstance(value, (str, Path)):
        raise ParameterError(f"{name} must be a path (text) or None, not {type(value).__name__} {value!r}")


def _choice(allowed):
    def check_(name, value):
        if value not in allowed:
            raise ParameterError(f"{name} = {value!r} is not allowed; allowed values: {', '.join(map(repr, allowed))}")
    return check_


def _bool(name, value):
    if not isinstance(value, bool):
        raise ParameterError(f"{name} must be True or False, not {type(value).__name__} {value!r}")


def _name(name, value):
    if not isinstance(value, str) or not value.replace("-", "").replace("_", "").isalnum():
        raise ParameterError(f"{name} must be a short name of letters, digits, - and _, not {value!r}")


def _spec():
    from .pooling import MODELS, OUTCOMES, UNITS, UNKNOWN

    return {
        "data_dir": _existing("folder"),
        "output_dir": _path_or_none,
        "appraisal_path": _existing("file"),
        "weighted": _bool,
        "exclude_abstracts": _bool,
        "outcome": _choice(OUTCOMES),
        "unknown": _choice(UNKNOWN),
        "unit": _choice(UNITS),
        "method": _choice(MODELS),
        "run_name": _name,
    }


def check(**parameters) -> str:
    """Check a notebook's parameters; return a one-line summary of their values.

    Raises
    ------
    ParameterError
        For the first parameter with a value it cannot take, naming the allowed values.
    """
    spec = _spec()
    for name, value in parameters.items():
        if name not in spec:
            raise ParameterError(f"unknown parameter {name!r}; known: {', '.join(spec)}")
        spec[name](name, value)
    return ", ".join(f"{k} = {v!r}" for k, v in parameters.items())
