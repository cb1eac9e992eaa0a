"""Every ``helpers.x.y`` a reader is pointed at exists: in the README, the notebooks' text,
the data files' comments and descriptions, and the helpers' own docstrings.

Modules move; a sentence that names the old place sends a reader nowhere. Each dotted name
is resolved as an import of its longest importable prefix and attribute lookups for the rest.
"""

from __future__ import annotations

import importlib
import re

import nbformat
import pytest

from helpers.build.config import report_notebooks
from helpers.data.paths import DATA_DIR, PROJECT_ROOT

NAME = re.compile(r"(?<![\w.])helpers(?:\.[A-Za-z_][A-Za-z0-9_]*)+")


def resolves(dotted: str) -> bool:
    """Whether ``dotted`` names a module, or an attribute of one
    (``helpers.data.loader.Review``)."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        try:
            for attr in parts[cut:]:
                obj = getattr(obj, attr)
        except AttributeError:
            return False
        return True
    return False


def texts() -> dict[str, str]:
    found = {"README.md": (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")}
    for path in report_notebooks():
        nb = nbformat.read(path, as_version=4)
        found[path.name] = "\n".join(c.source for c in nb.cells)
    for path in sorted(
        [
            *DATA_DIR.glob("*.yaml"),
            *DATA_DIR.glob("*.csv"),
            *(DATA_DIR / "vocabularies").glob("*.csv"),
        ]
    ):
        found[f"data/{path.relative_to(DATA_DIR)}"] = path.read_text(encoding="utf-8")
    for path in sorted((PROJECT_ROOT / "src" / "helpers").rglob("*.py")):
        found[str(path.relative_to(PROJECT_ROOT))] = path.read_text(encoding="utf-8")
    return found


TEXTS = texts()


@pytest.mark.parametrize("where", sorted(TEXTS))
def test_every_name_of_the_code_exists(where):
    names = sorted({m.group(0).rstrip(".") for m in NAME.finditer(TEXTS[where])})
    assert [n for n in names if not resolves(n)] == []


def test_the_check_finds_a_stale_name():
    assert resolves("helpers.data.loader.load_review") and resolves("helpers.analysis")
    assert not resolves("helpers.outcomes.compare_table2")
    assert not resolves("helpers.data.loader.no_such_function")
    assert NAME.findall("see `helpers.rob.rate()`.") == ["helpers.rob.rate"]


def test_the_readme_module_map_lists_every_module():
    """The map in "The code: four layers" names each module of src/helpers under its layer."""
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## The code: four layers", 1)[1].split("\n## ", 1)[0]
    block = section.split("```\nhelpers/\n", 1)[1].split("```", 1)[0]
    listed, folder = set(), ""
    for line in block.splitlines():
        indent = len(line) - len(line.lstrip())
        names = line.strip().split("  ")[0]
        if names.endswith("/"):
            folder = names
            continue
        for name in names.split(", "):
            if name.endswith(".py"):
                listed.add(folder + name if indent >= 4 else name)
    src = PROJECT_ROOT / "src" / "helpers"
    modules = {p.relative_to(src).as_posix() for p in src.rglob("*.py")}
    modules -= {m for m in modules if m.endswith("__init__.py") and "/" in m}
    assert sorted(modules - listed) == [] and sorted(listed - modules) == []


def test_the_readme_python_examples_run():
    """Every ```python block of the README runs as written (a line naming a placeholder
    folder, ``path/to/...``, is left out)."""
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, re.S)
    assert blocks
    for block in blocks:
        code = "\n".join(line for line in block.splitlines() if "path/to/" not in line)
        exec(compile(code, "README.md", "exec"), {})


def test_every_file_of_the_code_named_exists():
    """A path like ``helpers/data/rules.py`` in the same texts names a file that exists."""
    path = re.compile(r"(?<![\w/])helpers(?:/[A-Za-z_][A-Za-z0-9_]*)+\.py")
    src = PROJECT_ROOT / "src"
    missing = sorted(
        f"{where}: {m.group(0)}"
        for where, text in TEXTS.items()
        for m in path.finditer(text)
        if not (src / m.group(0)).is_file()
    )
    assert missing == []
