"""Same inputs, same bytes: two builds differ only in the build time the index states."""

from __future__ import annotations

import datetime as dt
import os

from conftest import BUILD_EPOCH
from helpers.build import clock, pipeline


def snapshot(folder):
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != ".build.lock"
    }


def test_two_builds_differ_only_in_the_build_time(full_build, monkeypatch):
    first = snapshot(full_build)
    later = str(int(BUILD_EPOCH) + 86400 * 365)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", later)
    pipeline.build(output_dir=full_build, force=True, log=lambda *a, **k: None)
    second = snapshot(full_build)
    assert set(first) == set(second)
    kinds = {name.rsplit(".", 1)[-1] for name in first}
    assert {"html", "pdf", "svg", "png", "ipynb", "csv"} <= kinds  # every kind of output compared
    differ = sorted(name for name in first if first[name] != second[name])
    assert differ == ["build.json", "index.html"], differ
    stamps = [
        dt.datetime.fromtimestamp(int(t), tz=dt.UTC).isoformat().replace("+00:00", "Z")
        for t in (BUILD_EPOCH, later)
    ]
    for name in differ:  # with the build time masked, they are the same bytes too
        a, b = first[name].decode(), second[name].decode()
        assert stamps[0] in a and stamps[1] in b
        assert a.replace(stamps[0], "BUILD-TIME") == b.replace(stamps[1], "BUILD-TIME"), name


def test_build_time_comes_from_one_place(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", BUILD_EPOCH)
    assert clock.build_time().timestamp() == int(BUILD_EPOCH)
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert clock.build_time().tzinfo is not None


def test_figures_carry_no_dates(full_build):
    svgs = list(full_build.glob("runs/*/figures/*.svg"))
    assert svgs
    for svg in svgs:
        text = svg.read_text(encoding="utf-8")
        assert "<dc:date>" not in text
    assert os.path.getsize(next(full_build.glob("runs/*/figures/*.png"))) > 0
