"""The data cache: validated reviews kept as pickles, so that the notebooks of one build
validate a data folder once, not once each.

An entry's key is made of the data checksum, the data dictionary, the helpers' code and the
library versions: any change to any of them gives a new key. The folder is ``.cache/`` in
the project, or ``$CALCINOSIS_CACHE_DIR`` (the tests use a temporary one); the newest
:data:`CACHE_KEEP` entries are kept.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import time
from pathlib import Path

import pandas

from helpers.data import paths
from helpers.data.digests import data_checksum, helpers_digest

__all__ = ["CACHE_DIR", "CACHE_ENV", "CACHE_KEEP", "cache_dir", "cache_key", "lookup", "store"]

CACHE_DIR = paths.PROJECT_ROOT / ".cache"
#: An environment variable naming another folder for the cache (the tests use a temporary one).
CACHE_ENV = "CALCINOSIS_CACHE_DIR"
#: How many validated reviews the cache keeps; older entries are removed when a new one is written.
CACHE_KEEP = 16


def cache_dir() -> Path:
    """The folder of the data cache.

    Returns
    -------
    Path
        ``$CALCINOSIS_CACHE_DIR`` if set, else ``.cache/`` in the project.
    """
    chosen = os.environ.get(CACHE_ENV)
    return Path(chosen) if chosen else CACHE_DIR


def _evict(folder: Path, keep: int) -> None:
    """Remove all but the ``keep`` most recently written cache entries (and leftovers of killed
    writes)."""
    entries = sorted(
        folder.glob("review-*.pickle"), key=lambda p: p.stat().st_mtime_ns, reverse=True
    )
    killed = [p for p in folder.glob("review-*.tmp") if time.time() - p.stat().st_mtime > 60]
    for old in [*entries[keep:], *killed]:
        old.unlink(missing_ok=True)


def cache_key(data_dir: Path) -> str:
    """The key of a data folder's entry.

    Parameters
    ----------
    data_dir : Path
        The data folder.

    Returns
    -------
    str
        SHA-256 of the data checksum, the data dictionary, the helpers' code and the library
        versions: any change to any of them gives a new key.
    """
    h = hashlib.sha256()
    h.update(data_checksum(data_dir).encode())
    h.update(paths.DATA_PACKAGE.read_bytes())
    h.update(helpers_digest().encode())
    h.update(f"{sys.version}|{pandas.__version__}".encode())
    return h.hexdigest()


def _entry(key: str) -> Path:
    return cache_dir() / f"review-{key[:32]}.pickle"


def lookup(key: str):
    """The object cached under ``key``, or None (a stale or unreadable entry is removed).

    Parameters
    ----------
    key : str
        From :func:`cache_key`.

    Returns
    -------
    object or None
    """
    entry = _entry(key)
    if entry.is_file():
        try:
            return pickle.loads(entry.read_bytes())
        except Exception:  # a stale or unreadable entry is rebuilt by the caller
            entry.unlink(missing_ok=True)
    return None


def store(key: str, value) -> None:
    """Keep ``value`` under ``key`` (atomically), then evict the oldest entries.

    A folder that cannot be written leaves the cache out silently: it only saves time.

    Parameters
    ----------
    key : str
        From :func:`cache_key`.
    value : object
        What to keep (a picklable object).
    """
    entry = _entry(key)
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        tmp = entry.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(pickle.dumps(value))
        os.replace(tmp, entry)
        _evict(entry.parent, CACHE_KEEP)
    except OSError:
        pass
