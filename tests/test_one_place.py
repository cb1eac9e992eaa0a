"""Each rule is written once in ``src/helpers``: a second copy of it fails here.

Read from the source, so that code no test runs is held to it too: how the paper's tables
print "not reported", the missing-value test, the response categories' columns, the list
of methods and their default, the order of the vocabularies, the choice check.
"""

from __future__ import annotations

import ast

import pytest

from helpers.analysis.meta import DEFAULT_METHOD, METHODS
from helpers.data.paths import PROJECT_ROOT
from helpers.data.printed import NOT_APPLICABLE, NOT_REPORTED, NOT_REPORTED_WORDS, RESPONSE_COLUMNS

SRC = PROJECT_ROOT / "src" / "helpers"


def modules() -> dict[str, ast.Module]:
    return {
        p.relative_to(SRC).as_posix(): ast.parse(p.read_text(encoding="utf-8"))
        for p in sorted(SRC.rglob("*.py"))
    }


def docstrings(tree: ast.Module) -> set[int]:
    """The ids of the string constants that are docstrings."""
    found = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
            and node.body
        ):
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def string_constants(tree: ast.Module) -> list[tuple[str, int]]:
    """Every string constant of code (not docstrings; f-string parts included), with its line."""
    skip = docstrings(tree)
    return [
        (node.value, node.lineno)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip
    ]


MODULES = modules()


def places(predicate) -> list[str]:
    return [f"{name}:{line}" for name, tree in MODULES.items() for line in predicate(name, tree)]


@pytest.mark.parametrize(
    ("text", "home"),
    [
        (NOT_REPORTED, "data/printed.py"),
        (NOT_APPLICABLE, "data/printed.py"),
        (NOT_REPORTED_WORDS, "data/printed.py"),
        *[(column, "data/printed.py") for column in RESPONSE_COLUMNS],
    ],
)
def test_a_printed_form_or_a_response_column_is_written_once(text, home):
    found = places(
        lambda name, tree: [line for value, line in string_constants(tree) if value == text]
    )
    assert [p for p in found if not p.startswith(home + ":")] == []


def _self_comparisons(name, tree):
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Compare)
        and len(node.comparators) == 1
        and isinstance(node.ops[0], ast.NotEq)
        and ast.dump(node.left) == ast.dump(node.comparators[0])
    ]


def _nan_tests(name, tree):
    """``math.isnan(x)`` or ``np.isnan(x)`` beside ``isinstance(x, float)``: a
    missing-value test."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.BoolOp):
            text = ast.unparse(node)
            if "isinstance(" in text and "float" in text and "isnan(" in text:
                lines.append(node.lineno)
        if isinstance(node, ast.FunctionDef) and node.name.lstrip("_") in {
            "isna",
            "is_missing",
            "missing",
            "isnull",
        }:
            lines.append(node.lineno)
    return lines


def test_the_missing_value_test_is_written_once():
    found = places(lambda name, tree: _self_comparisons(name, tree) + _nan_tests(name, tree))
    assert [p for p in found if not p.startswith("data/values.py:")] == []


def test_the_vocabularies_are_sorted_once_at_load():
    def sorts(name, tree):
        return [
            node.lineno
            for node in ast.walk(tree)
            if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "sort_values"
            and any(isinstance(a, ast.Constant) and a.value == "order" for a in node.args)
        ]

    assert [p for p in places(sorts) if not p.startswith("data/loader.py:")] == []


def test_the_methods_are_listed_once_and_defaulted_once():
    method_names = set(METHODS)

    def lists(name, tree):
        return [
            node.lineno
            for node in ast.walk(tree)
            if isinstance(node, (ast.Tuple, ast.List, ast.Set))
            and sum(isinstance(e, ast.Constant) and e.value in method_names for e in node.elts) >= 2
        ]

    def defaults(name, tree):
        return [
            node.lineno
            for node in ast.walk(tree)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            for d in [*node.args.defaults, *node.args.kw_defaults]
            if isinstance(d, ast.Constant) and d.value == DEFAULT_METHOD
        ]

    assert [p for p in places(lists) if not p.startswith("analysis/meta.py:")] == []
    assert places(defaults) == []  # every default names DEFAULT_METHOD


def test_a_choice_is_checked_by_one_function():
    """``value not in allowed`` then ``raise``: the shape of a choice check, written once."""

    def checks(name, tree):
        lines = []
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.If)
                and "not in" in ast.unparse(node.test)
                and any(
                    isinstance(s, ast.Raise)
                    and any(w in ast.unparse(s) for w in ("allowed:", "allowed values"))
                    for s in node.body
                )
            ):
                lines.append(node.lineno)
        return lines

    assert [p for p in places(checks) if not p.startswith("data/values.py:")] == []


# The checks themselves: each finds the copy it names.
@pytest.mark.parametrize(
    ("source", "check"),
    [
        ("def f(v):\n    return v != v\n", _self_comparisons),
        ("def f(v):\n    return isinstance(v, float) and math.isnan(v)\n", _nan_tests),
        ("def _isna(v):\n    return v is None\n", _nan_tests),
    ],
)
def test_the_missing_value_checks_find_a_copy(source, check):
    assert check("x.py", ast.parse(source))


def test_the_string_check_skips_docstrings_but_not_code():
    tree = ast.parse(
        '"""Prints "N/R"."""\nX = "N/R"\ndef f():\n    """N/R"""\n    return f"{1} N/R"\n'
    )
    assert [value for value, _ in string_constants(tree) if "N/R" in value] == ["N/R", " N/R"]


def test_every_list_of_methods_follows_the_one_order():
    from helpers.analysis import meta, pooling

    assert list(meta._POOLERS) == list(METHODS)
    assert list(pooling.MODEL_NAMES) == list(METHODS)
    assert list(dict.fromkeys(m for m, _ in pooling.ALL_MODELS)) == list(METHODS)
    assert list(meta.PRIMARY_METHODS) == [m for m in METHODS if m in meta.PRIMARY_METHODS]
    assert [m for m in METHODS if m in meta.IV_METHODS] == list(meta.IV_METHODS)


def test_the_missing_value_test_is_not_called_under_another_name():
    """``pd.isna(x)`` on a value is the missing-value test again: use ``is_missing`` (a
    Series' own ``.isna()`` is not a copy of the rule)."""

    def calls(name, tree):
        return [
            node.lineno
            for node in ast.walk(tree)
            if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id in ("pd", "pandas")
            and node.func.attr in ("isna", "isnull", "notna", "notnull")
        ]

    assert [p for p in places(calls) if not p.startswith("data/values.py:")] == []


def test_the_printed_tokens_are_not_typed_into_messages():
    """N/R and N/A inside a message come from the constants too (f"... ({NOT_REPORTED})")."""
    import re

    token = re.compile(r"(?<![\w/])(N/R|N/A)(?![\w/])")

    def typed(name, tree):
        return [line for value, line in string_constants(tree) if token.search(value)]

    assert [p for p in places(typed) if not p.startswith("data/printed.py:")] == []
