from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

from helpers import load_review
from helpers.build.pdf import CHROMIUM, CHROMIUM_FLAGS, INSTALL_HINT
from helpers.data.paths import DATA_DIR

# The tests keep the data cache in a folder of their own, never in the project's .cache/
# (set before any test module loads the review at import time; removed at the end).
_CACHE = os.environ.setdefault(
    "CALCINOSIS_CACHE_DIR", tempfile.mkdtemp(prefix="calcinosis-test-cache-")
)


def pytest_collection_modifyitems(session, config, items):
    """The growth test last: its copy then has the whole rest of the suite to run beside."""
    items.sort(key=lambda item: item.nodeid.startswith("tests/test_growth.py"))


def pytest_collection_finish(session):
    """The growth test's copy of the project starts updating itself now, in the background
    (tests/test_growth.py), when that test is part of the session."""
    growth = sys.modules.get("test_growth")
    if growth is not None and any(
        i.module is growth for i in session.items if hasattr(i, "module")
    ):
        growth.start()


def pytest_sessionfinish(session, exitstatus):
    growth = sys.modules.get("test_growth")
    if growth is not None:
        growth.finish()
    if Path(_CACHE).name.startswith("calcinosis-test-cache-"):
        shutil.rmtree(_CACHE, ignore_errors=True)


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


BUILD_EPOCH = "1624492800"  # the paper's publication date, as a fixed build time


@pytest.fixture(scope="session")
def full_build(tmp_path_factory):
    """Every report run of reports.yaml, built once into a temporary folder at a
    fixed build time."""
    import os

    from helpers.build import pipeline

    out = tmp_path_factory.mktemp("full-build")
    saved = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = BUILD_EPOCH
    try:
        results = pipeline.build(output_dir=out, force=True, log=lambda *a, **k: None)
    finally:
        if saved is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = saved
    failed = [r for r in results if r.status != "ok"]
    assert not failed, failed
    return out


@pytest.fixture(scope="session")
def chromium():
    """Headless Chromium (Debian's package; `make test` installs it), driven by Playwright."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is not installed: {INSTALL_HINT}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()
