"""Digests of what a build depends on: the data files the loader reads, and the helpers' code."""

from __future__ import annotations

import hashlib
from pathlib import Path

from helpers.data import paths
from helpers.data.dictionary import TABLES, read_descriptor
from helpers.data.readers import MAX_TABLE_BYTES, MAX_YAML_BYTES
from helpers.data.registers import REGISTER_FILES

__all__ = ["data_checksum", "data_files", "helpers_digest"]


def data_files(data_dir: Path | str | None = None) -> list[str]:
    """The files the loader reads from a data folder, relative to it: every table the data
    dictionary describes, the registers, and the folder's own copy of the dictionary.

    Parameters
    ----------
    data_dir : Path or str, optional
        The data folder. Not read: the list comes from the project's data dictionary, so it is
        the same for every folder.

    Returns
    -------
    list of str
        Paths relative to the data folder, sorted, without duplicates.
    """
    names = [r["path"] for r in read_descriptor()["resources"] if r["name"] in TABLES]
    return sorted({*names, *REGISTER_FILES, "datapackage.yaml"})


def data_checksum(data_dir: Path | str | None = None) -> str:
    """SHA-256 over the files the loader reads from a data folder (names and bytes, in order).

    Any changed byte of those files changes it, including a file reached through a symbolic
    link (a linked vocabulary folder), as the loader reads through links. Other files of the
    folder (a README, the paper's text) do not: the reports do not read them. A file that
    is missing, not a plain file, unreadable or over the loader's size limit enters as that
    fact, not its bytes, so the checksum is always defined and never reads more than the
    loader would (the loader then reports the file).

    Parameters
    ----------
    data_dir : Path or str, optional
        The data folder, relative to the project root or absolute; None is the project's
        ``data/`` (:func:`helpers.data.paths.data_folder`).

    Returns
    -------
    str
        The hexadecimal SHA-256 digest (64 characters).
    """
    root = paths.data_folder(data_dir)
    h = hashlib.sha256()
    for rel in data_files(root):
        h.update(rel.encode("utf-8") + b"\0")
        path = root / rel
        try:
            if not path.exists():
                h.update(b"missing")
            elif not path.is_file():
                h.update(b"not a file")
            elif path.stat().st_size > max(MAX_TABLE_BYTES, MAX_YAML_BYTES):
                h.update(f"too large: {path.stat().st_size}".encode())
            else:
                h.update(path.read_bytes())
        except OSError as exc:
            h.update(f"unreadable: {exc.errno}".encode())
        h.update(b"\0")
    return h.hexdigest()


def helpers_digest() -> str:
    """SHA-256 of the helpers package's code and templates: changes whenever any of them does.

    Returns
    -------
    str
        The hexadecimal digest over the path and bytes of every ``.py``, ``.j2`` and ``.json``
        file under the package, in sorted order.
    """
    root = Path(__file__).parents[1]
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if p.is_file() and p.suffix in (".py", ".j2", ".json") and "__pycache__" not in p.parts:
            h.update(p.relative_to(root).as_posix().encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()
