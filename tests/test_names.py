"""Names that explain themselves: no two modules, and no two public functions, of ``helpers``
whose names differ only by an ending (``pool_durations`` and ``pooled_duration``,
``largest_diameter`` and ``largest_diameter_of``, ``validate`` and ``validation``), and no
module named like a name the notebooks already use (IPython's ``display``)."""

from __future__ import annotations

import ast
import builtins

from helpers.data.paths import PROJECT_ROOT

SRC = PROJECT_ROOT / "src" / "helpers"
#: Endings that make two names look like one thing: plurals, participles, "of".
ENDINGS = ("ing", "ion", "ed", "es", "s", "e", "d")
#: Names a notebook already has: Python's builtins and what IPython puts in every namespace.
NOTEBOOK_NAMES = {*dir(builtins), "display", "get_ipython", "In", "Out", "exit", "quit"}


def stem(name: str) -> str:
    """``pooled_duration`` and ``pool_durations`` -> ``pool_durat``: each word's ending cut while
    3 or more letters are left, and "of" dropped."""
    words = []
    for word in name.lower().split("_"):
        if word == "of":
            continue
        changed = True
        while changed:
            changed = False
            for ending in ENDINGS:
                if word.endswith(ending) and len(word) - len(ending) >= 3:
                    word, changed = word[: -len(ending)], True
                    break
        words.append(word)
    return "_".join(words)


def clashes(names: dict[str, str]) -> list[str]:
    """Pairs of different names with one stem, as ``"a (where) ~ b (where)"``."""
    by_stem: dict[str, list[str]] = {}
    for name in sorted(names):
        by_stem.setdefault(stem(name), []).append(name)
    return [
        f"{a} ({names[a]}) ~ {b} ({names[b]})"
        for group in by_stem.values()
        for i, a in enumerate(group)
        for b in group[i + 1 :]
    ]


def module_names() -> dict[str, str]:
    return {
        p.stem: p.relative_to(SRC).as_posix()
        for p in sorted(SRC.rglob("*.py"))
        if not p.name.startswith("__")
    }


def function_names() -> dict[str, str]:
    found = {}
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(
                node, (ast.FunctionDef, ast.AsyncFunctionDef)
            ) and not node.name.startswith("_"):
                found.setdefault(node.name, path.relative_to(SRC).as_posix())
    return found


def test_no_two_modules_differ_only_by_an_ending():
    assert clashes(module_names()) == []


def test_no_two_public_functions_differ_only_by_an_ending():
    assert clashes(function_names()) == []


def test_no_module_is_named_like_a_name_the_notebooks_use():
    assert sorted(set(module_names()) & NOTEBOOK_NAMES) == []


def test_the_check_finds_the_names_the_issue_found():
    for a, b in [
        ("pool_durations", "pooled_duration"),
        ("largest_diameter", "largest_diameter_of"),
        ("validate", "validation"),
        ("fit_group", "fit_groups"),
        ("rate", "rating"),
    ]:
        assert clashes({a: "x", b: "y"}), (a, b)
    assert clashes({"pool_every_method": "x", "fit_groups": "y"}) == []


def test_no_module_and_public_function_differ_only_by_an_ending():
    """``checks`` (a module) and ``check`` (a function) read as one thing in an import line."""
    modules = {name: f"module {where}" for name, where in module_names().items()}
    functions = {name: f"function in {where}" for name, where in function_names().items()}
    mixed = [c for c in clashes({**functions, **modules}) if "module" in c and "function" in c]
    assert mixed == []
