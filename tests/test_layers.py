"""The layers of ``helpers`` import one way: data ← analysis ← report ← build.

The import graph is read from the source (every ``import`` and ``from ... import``, at any
depth), so the rule holds for code that never runs in a test. A module may import from its
own layer and the layers before it; an import that runs upward, an import inside a function
or class (a lazy import, the usual way to dodge a cycle), or a cycle among modules fails.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from helpers.data.paths import PROJECT_ROOT

SRC = PROJECT_ROOT / "src"
#: The layers in pipeline order; a module imports only from its own layer and those before it.
LAYERS = ("data", "analysis", "report", "build")
#: Modules outside the layers: the package's front door and the command lines that check and
#: update the data. They may import from any layer; nothing inside a layer may import them.
ENTRY_POINTS = ("helpers", "helpers.validate", "helpers.update")


def module_name(path: Path, root: Path = SRC) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer(module: str) -> int:
    """The layer's rank (entry points after every layer)."""
    if module in ENTRY_POINTS:
        return len(LAYERS)
    parts = module.split(".")
    if len(parts) < 2 or parts[1] not in LAYERS:
        raise AssertionError(
            f"{module}: not in a layer; put it in one of helpers.{', helpers.'.join(LAYERS)}"
        )
    return LAYERS.index(parts[1])


def imports(module: str, source: str, modules: set[str]) -> list[tuple[str, int, bool]]:
    """``(imported module, line, nested)`` for every import of a ``helpers`` module in ``source``.

    ``from helpers.data import loader`` imports the module ``helpers.data.loader``;
    ``from helpers.data.loader import Review`` imports ``helpers.data.loader``. Relative
    imports are resolved against ``module``.
    """
    tree = ast.parse(source)
    package = (
        module
        if module.count(".") < 1 or _is_package(module, modules)
        else module.rsplit(".", 1)[0]
    )
    nested_nodes = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            nested_nodes |= {id(n) for n in ast.walk(node) if n is not node}
    found = []
    for node in ast.walk(tree):
        nested = id(node) in nested_nodes
        if isinstance(node, ast.Import):
            found += [
                (a.name, node.lineno, nested)
                for a in node.names
                if a.name.split(".")[0] == "helpers"
            ]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            if base.split(".")[0] != "helpers":
                continue
            for alias in node.names:
                target = f"{base}.{alias.name}"
                found.append((target if target in modules else base, node.lineno, nested))
    return found


def _is_package(module: str, modules: set[str]) -> bool:
    return any(m.startswith(module + ".") for m in modules)


def problems(sources: dict[str, str]) -> list[str]:
    """Every upward import, lazy import and cycle among ``sources`` (module name to source)."""
    modules = set(sources)
    found, graph = [], {m: set() for m in modules}
    for module, source in sorted(sources.items()):
        for target, line, nested in imports(module, source, modules):
            if target not in modules:
                found.append(f"{module}, line {line}: imports {target}, which does not exist")
                continue
            if nested:
                found.append(
                    f"{module}, line {line}: imports {target} inside a function or class "
                    "(a lazy import)"
                )
            if target in ENTRY_POINTS and module not in ENTRY_POINTS:
                found.append(f"{module}, line {line}: imports the entry point {target}")
            elif layer(target) > layer(module):
                found.append(
                    f"{module}, line {line}: imports {target}, a later layer "
                    f"({LAYERS[layer(module)]} may import only from "
                    f"{', '.join(LAYERS[: layer(module) + 1])})"
                )
            if target != module:
                graph[module].add(target)
    found += [f"import cycle: {' -> '.join(c)}" for c in cycles(graph)]
    return found


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle through each strongly connected group of modules (Tarjan), as a path."""
    index, low, stack, on, groups = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    paths = []
    for group in groups:
        start, members = group[0], set(group)
        path, seen = [start], {start}
        while True:
            step = sorted(w for w in graph[path[-1]] if w in members)
            nxt = next((w for w in step if w == start), None) or next(
                (w for w in step if w not in seen), None
            )
            path.append(nxt)
            if nxt == start or nxt is None:
                break
            seen.add(nxt)
        paths.append(path)
    return paths


def helpers_sources() -> dict[str, str]:
    return {
        module_name(p): p.read_text(encoding="utf-8")
        for p in sorted((SRC / "helpers").rglob("*.py"))
    }


def test_every_module_is_in_a_layer():
    for module in helpers_sources():
        if module.endswith("__main__"):
            continue
        layer(module)


def test_the_layers_import_one_way_with_no_lazy_import_and_no_cycle():
    assert problems(helpers_sources()) == []


# The checker itself, on made-up packages: each rule it names must fail when broken.
BASE = {
    "helpers": "from helpers.data.loader import load_review\n",
    "helpers.data": "",
    "helpers.data.loader": "from helpers.data import paths\n",
    "helpers.data.paths": "",
    "helpers.analysis": "",
    "helpers.analysis.meta": "from helpers.data.loader import load_review\n",
    "helpers.report": "",
    "helpers.report.forest": "from helpers.analysis import meta\n",
    "helpers.build": "",
    "helpers.build.cli": "from helpers.report.forest import plot\nimport helpers.data.paths\n",
}


def test_the_checker_passes_a_package_that_keeps_the_rule():
    assert problems(BASE) == []


@pytest.mark.parametrize(
    ("module", "line", "expected"),
    [
        ("helpers.data.paths", "from helpers.analysis.meta import fit\n", "a later layer"),
        ("helpers.data.paths", "import helpers.build.cli\n", "a later layer"),
        ("helpers.analysis.meta", "from helpers.report import forest\n", "a later layer"),
        ("helpers.report.forest", "from ..build import cli\n", "a later layer"),
        ("helpers.analysis.meta", "def f():\n    from helpers.data import paths\n", "lazy import"),
        ("helpers.analysis.meta", "class C:\n    import helpers.data.paths\n", "lazy import"),
        ("helpers.data.paths", "from helpers.data import loader\n", "import cycle"),
        ("helpers.data.paths", "from . import loader\n", "import cycle"),
        ("helpers.analysis.meta", "from helpers import load_review\n", "entry point"),
        ("helpers.analysis.meta", "from helpers.data.gone import x\n", "does not exist"),
    ],
)
def test_the_checker_finds_each_kind_of_broken_import(module, line, expected):
    broken = dict(BASE)
    broken[module] = BASE[module] + line
    found = problems(broken)
    assert any(expected in p for p in found), found


def test_a_longer_cycle_is_shown_as_a_path():
    broken = dict(BASE)
    broken["helpers.data.paths"] = "from helpers.data import extra\n"
    broken["helpers.data.extra"] = "from helpers.data import loader\n"
    assert problems(broken) == [
        "import cycle: helpers.data.extra -> helpers.data.loader -> helpers.data.paths "
        "-> helpers.data.extra"
    ]
