"""The habits that keep the code readable: ``__all__`` in every module, numpydoc sections on
every public function, no long function without a reason, and the data cache out of the
project. Read from the source, so a new module or function is held to them at once."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from helpers.data.paths import PROJECT_ROOT

SRC = PROJECT_ROOT / "src" / "helpers"
PATHS = [p for p in sorted(SRC.rglob("*.py")) if p.name != "__main__.py"]
#: A function whose code (docstring aside) is longer than this many lines says why in its
#: docstring, in a line starting "Long:".
LONG = 60


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def _defined(tree: ast.Module) -> set[str]:
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names - {"__all__"}


def _all(tree: ast.Module) -> list[str] | None:
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            return [e.value for e in node.value.elts]
    return None


def _imported(tree: ast.Module) -> set[str]:
    return {
        (a.asname or a.name).split(".")[0]
        for node in tree.body
        if isinstance(node, (ast.Import, ast.ImportFrom))
        for a in node.names
    }


@pytest.mark.parametrize("path", PATHS, ids=[p.relative_to(SRC).as_posix() for p in PATHS])
def test_every_module_says_what_it_exports(path):
    """``__all__`` lists exactly the module's public names (a package's, what it re-exports)."""
    tree = _tree(path)
    exported = _all(tree)
    public = {n for n in _defined(tree) if not n.startswith("_")}
    if path.name == "__init__.py":
        assert exported is not None, "no __all__"
        submodules = sorted(p.stem for p in path.parent.glob("*.py") if not p.name.startswith("__"))
        if path.parent == SRC or public | _imported(tree):  # a front door: what it re-exports
            assert set(exported) <= public | _imported(tree)
        else:  # a layer: its modules
            assert sorted(exported) == submodules
        return
    assert exported is not None, "no __all__"
    assert sorted(exported) == sorted(public)


def _functions(tree: ast.Module, exported: set[str]):
    """Public functions, and the public methods of public classes, with their qualified names."""
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in exported:
            yield node.name, node
        elif isinstance(node, ast.ClassDef) and node.name in exported:
            for item in node.body:
                if isinstance(
                    item, (ast.FunctionDef, ast.AsyncFunctionDef)
                ) and not item.name.startswith("_"):
                    if any(
                        isinstance(d, ast.Name) and d.id == "property" for d in item.decorator_list
                    ):
                        continue  # a property is described by its one-line docstring
                    yield f"{node.name}.{item.name}", item


def _parameters(fn) -> list[str]:
    args = [*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs]
    names = [a.arg for a in args if a.arg not in ("self", "cls")]
    names += [f"*{fn.args.vararg.arg}"] if fn.args.vararg else []
    names += [f"**{fn.args.kwarg.arg}"] if fn.args.kwarg else []
    return names


def _returns_value(fn) -> bool:
    if isinstance(fn.returns, ast.Constant) and fn.returns.value is None:
        return False
    own = [n for n in ast.walk(fn) if isinstance(n, (ast.Return, ast.Yield, ast.YieldFrom))]
    return any(n.value is not None for n in own if not isinstance(n, ast.Return)) or any(
        isinstance(n, ast.Return) and n.value is not None for n in own
    )


def _section(doc: str, name: str) -> bool:
    return re.search(rf"^\s*{name}\n\s*-{{{len(name)}}}\s*$", doc, re.M) is not None


def problems_of(fn, qualified: str) -> list[str]:
    doc = ast.get_docstring(fn) or ""
    found = []
    if not doc:
        return [f"{qualified}: no docstring"]
    if _parameters(fn) and not _section(doc, "Parameters"):
        found.append(f"{qualified}: no Parameters section")
    if _returns_value(fn) and not (_section(doc, "Returns") or _section(doc, "Yields")):
        found.append(f"{qualified}: no Returns section")
    first = fn.body[0]
    is_doc = isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
    start = first.end_lineno + 1 if is_doc else fn.lineno
    length = fn.end_lineno - start + 1  # the code, not its docstring
    if length > LONG and not re.search(r"^\s*Long:", doc, re.M):
        found.append(f"{qualified}: {length} lines and no 'Long:' line saying why")
    return found


@pytest.mark.parametrize("path", PATHS, ids=[p.relative_to(SRC).as_posix() for p in PATHS])
def test_every_public_function_has_numpydoc_sections(path):
    tree = _tree(path)
    exported = set(_all(tree) or [])
    found = [p for name, fn in _functions(tree, exported) for p in problems_of(fn, name)]
    assert found == []


def test_the_docstring_check_finds_what_is_missing():
    tree = ast.parse(
        "def f(a, b):\n    '''One line.'''\n    return a\n\n"
        "def g(a):\n    '''One line.\n\n    Parameters\n    ----------\n    a : int\n    '''\n"
        "    print(a)\n"
    )
    f, g = tree.body
    assert problems_of(f, "f") == ["f: no Parameters section", "f: no Returns section"]
    assert problems_of(g, "g") == []
    long = ast.parse("def h():\n    '''Short.'''\n" + "    x = 1\n" * (LONG + 1)).body[0]
    assert problems_of(long, "h") == [f"h: {LONG + 1} lines and no 'Long:' line saying why"]
    text = "def h():\n    '''Short.\n" + "    text\n" * LONG + "    '''\n    x = 1\n"
    assert problems_of(ast.parse(text).body[0], "h") == []


@pytest.mark.parametrize("path", PATHS, ids=[p.relative_to(SRC).as_posix() for p in PATHS])
def test_every_long_function_says_why_private_ones_too(path):
    found = []
    for node in ast.walk(_tree(path)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            first = node.body[0]
            is_doc = isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
            start = first.end_lineno + 1 if is_doc else node.lineno
            doc = ast.get_docstring(node) or ""
            if node.end_lineno - start + 1 > LONG and not re.search(r"^\s*Long:", doc, re.M):
                found.append(f"{node.name}: {node.end_lineno - start + 1} lines")
    assert found == []
