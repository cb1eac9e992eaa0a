from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from helpers import load_review
from helpers.paths import DATA_DIR


@pytest.fixture(scope="session")
def review():
    """The project's review, loaded once for the whole session."""
    return load_review()


@pytest.fixture
def data_copy(tmp_path) -> Path:
    """A writable copy of the project's data folder."""
    dest = tmp_path / "data"
    shutil.copytree(DATA_DIR, dest)
    return dest
