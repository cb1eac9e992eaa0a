"""The data dictionary as a table: every column's meaning, type, unit and allowed values."""

from __future__ import annotations

import pandas as pd

from .loader import read_descriptor


def data_dictionary(descriptor: dict | None = None) -> pd.DataFrame:
    """One row per column of every table in ``data/datapackage.yaml``.

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
                    "required": bool(c.get("required", False)) or f["name"] in schema.get("primaryKey", []),
                    "allowed": "; ".join(allowed),
                    "description": " ".join(str(f.get("description", "")).split()),
                }
            )
    return pd.DataFrame(rows)
