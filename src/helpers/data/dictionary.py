"""The data dictionary as a table: every column's meaning, type, unit and allowed values."""

from __future__ import annotations

import copy
from pathlib import Path

import pandas as pd
import yaml

from helpers.data import paths
from helpers.data.errors import SetupError

__all__ = ["TABLES", "data_dictionary", "read_descriptor"]

#: Tables every data folder must hold, by resource name in the data dictionary.
TABLES = (
    "studies",
    "outcomes",
    "diseases",
    "durations",
    "adverse_events",
    "references",
    "modalities",
    "families",
    "disease_vocabulary",
    "disease_categories",
    "title_terms",
    "table2",
    "jbi_questions",
    "prisma",
    "editions",
    "edition_seals",
)


_DESCRIPTORS: dict[tuple, dict] = {}


def read_descriptor(path: Path | None = None) -> dict:
    """Read the data dictionary (a Frictionless data package descriptor) as a dict.

    The project's own file, parsed once per version of it (keyed by its size and
    modification time); each call returns a fresh copy.

    Parameters
    ----------
    path : Path, optional
        The descriptor file; None is the project's ``data/datapackage.yaml``.

    Returns
    -------
    dict
        The parsed YAML, with at least a ``resources`` list; a deep copy the caller may change.

    Raises
    ------
    SetupError
        When the file cannot be read or parsed, or is not a mapping with a list of resources.
    """
    path = Path(path or paths.DATA_PACKAGE)
    try:
        stat = path.stat()
        key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
        if key not in _DESCRIPTORS:
            with open(path, encoding="utf-8") as f:
                _DESCRIPTORS[key] = yaml.load(
                    f, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)
                )
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise SetupError(
            f"cannot read the project's data dictionary {path}: {exc} (is the project root "
            f"{paths.PROJECT_ROOT} right? CALCINOSIS_PROJECT_ROOT overrides it)"
        ) from None
    if not isinstance(_DESCRIPTORS[key], dict) or not isinstance(
        _DESCRIPTORS[key].get("resources"), list
    ):
        raise SetupError(
            f"the project's data dictionary {path} is not a data package (no list of resources)"
        )
    return copy.deepcopy(_DESCRIPTORS[key])


def data_dictionary(descriptor: dict | None = None) -> pd.DataFrame:
    """One row per column of every table in ``data/datapackage.yaml``.

    Parameters
    ----------
    descriptor : dict, optional
        A data package descriptor as :func:`read_descriptor` returns it; None reads the
        project's.

    Returns
    -------
    DataFrame
        Columns ``table``, ``file``, ``column``, ``type``, ``unit``, ``required``,
        ``allowed`` (enum, pattern, range or the vocabulary it refers to) and
        ``description``.
    """
    descriptor = descriptor or read_descriptor()
    rows = []
    for res in descriptor["resources"]:
        schema = res["schema"]
        fks = {
            fk["fields"][0]: f"{fk['reference']['resource']}.{fk['reference']['fields'][0]}"
            for fk in schema.get("foreignKeys", [])
        }
        for f in schema["fields"]:
            c = f.get("constraints", {})
            allowed = []
            if "enum" in c:
                allowed.append(" | ".join(map(str, c["enum"])))
            if f["name"] in fks:
                allowed.append(f"a value of {fks[f['name']]}")
            if "pattern" in c:
                allowed.append(f"matches {c['pattern']}")
            if "minimum" in c or "maximum" in c:
                allowed.append(f"{c.get('minimum', '')}..{c.get('maximum', '')}")
            rows.append(
                {
                    "table": res["name"],
                    "file": res["path"],
                    "column": f["name"],
                    "type": f["type"],
                    "unit": f.get("unit", ""),
                    "required": bool(c.get("required", False))
                    or f["name"] in schema.get("primaryKey", []),
                    "allowed": "; ".join(allowed),
                    "description": " ".join(str(f.get("description", "")).split()),
                }
            )
    return pd.DataFrame(rows)
