"""Each rule is written once in ``src/helpers``: a second copy of it fails here.

Read from the source, so that code no test runs is held to it too: how the paper's tables
print "not reported", the missing-value test, the response categories' columns, the list
of methods and their default, the order of the vocabularies, the choice check.
"""

from __future__ import annotations

import ast
import re

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


def _sorts(name, tree):
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "sort_values"
        and any(isinstance(a, ast.Constant) and a.value == "order" for a in node.args)
    ]


def _method_lists(name, tree):
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, (ast.Tuple, ast.List, ast.Set))
        and sum(isinstance(e, ast.Constant) and e.value in METHODS for e in node.elts) >= 2
    ]


def _method_defaults(name, tree):
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        for d in [*node.args.defaults, *node.args.kw_defaults]
        if isinstance(d, ast.Constant) and d.value == DEFAULT_METHOD
    ]


def _raises_after(node: ast.If, words: tuple[str, ...]) -> bool:
    return any(
        isinstance(s, ast.Raise) and any(w in ast.unparse(s) for w in words) for s in node.body
    )


def _choice_checks(name, tree):
    """``if value not in allowed: raise ...allowed...``: the shape of a choice check."""
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.If)
        and "not in" in ast.unparse(node.test)
        and _raises_after(node, ("allowed:", "allowed values"))
    ]


def _flag_checks(name, tree):
    """``if not isinstance(value, bool): raise``: the shape of an on/off check."""
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.If)
        and re.fullmatch(r"not isinstance\(\w+, bool\)", ast.unparse(node.test))
        and _raises_after(node, ("True or False",))
    ]


def _isna_calls(name, tree):
    """``pd.isna(x)`` on a value is the missing-value test again (a Series' ``.isna()`` is not)."""
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id in ("pd", "pandas")
        and node.func.attr in ("isna", "isnull", "notna", "notnull")
    ]


_TOKEN = re.compile(r"(?<![\w/])(N/R|N/A)(?![\w/])")


def _typed_tokens(name, tree):
    """N/R and N/A typed into a message rather than taken from the constants."""
    return [line for value, line in string_constants(tree) if _TOKEN.search(value)]


def _missing_tests(name, tree):
    return _self_comparisons(name, tree) + _nan_tests(name, tree)


#: Each rule's check, the one module allowed to hold the rule, and a planted copy it must find.
RULES = {
    "missing-value test": (_missing_tests, "data/values.py", "def f(v):\n    return v != v\n"),
    "missing-value test by name": (
        _missing_tests,
        "data/values.py",
        "def f(v):\n    return isinstance(v, float) and math.isnan(v)\n",
    ),
    "a function named like it": (_missing_tests, "data/values.py", "def _isna(v):\n    return 1\n"),
    "pd.isna on a value": (_isna_calls, "data/values.py", "x = 1 if pd.isna(v) else 2\n"),
    "vocabulary order": (_sorts, "data/loader.py", 'm = review.modalities.sort_values("order")\n'),
    "list of methods": (_method_lists, "analysis/meta.py", 'MODELS = ("reml", "glmm")\n'),
    "default method": (
        _method_defaults,
        None,
        f"def fit(data, method={DEFAULT_METHOD!r}):\n    return data\n",
    ),
    "choice check": (
        _choice_checks,
        "data/values.py",
        "if v not in ALLOWED:\n    raise ValueError(f'unknown {v}; allowed: {ALLOWED}')\n",
    ),
    "on/off check": (
        _flag_checks,
        "data/values.py",
        "if not isinstance(v, bool):\n    raise ValueError('v must be True or False')\n",
    ),
    "printed token in a message": (
        _typed_tokens,
        "data/printed.py",
        "raise NotComputable(f'{n} patients (N/R)')\n",
    ),
}


@pytest.mark.parametrize("rule", sorted(RULES))
def test_each_rule_is_written_once(rule):
    check, home, _ = RULES[rule]
    found = places(check)
    assert [p for p in found if home is None or not p.startswith(home + ":")] == []


@pytest.mark.parametrize("rule", sorted(RULES))
def test_each_rule_check_finds_a_planted_copy(rule):
    check, _, planted = RULES[rule]
    assert check("x.py", ast.parse(planted)), planted


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
