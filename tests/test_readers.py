"""Reading inputs strictly: YAML as the 1.2 core schema reads it, and CSV split exactly."""

from __future__ import annotations

import pytest

from helpers.data.readers import YamlProblem, load_yaml


@pytest.mark.parametrize(
    "text, value",
    [
        # YAML 1.1 would silently turn these into other numbers, booleans or dates
        ("2:16", "2:16"),
        ("21:50", "21:50"),
        ("0x28", "0x28"),
        ("0o17", "0o17"),
        ("4_0", "4_0"),
        ("017", 17),
        ("no", "no"),
        ("yes", "yes"),
        ("on", "on"),
        ("off", "off"),
        ("2021-06-24", "2021-06-24"),
        ("1,000", "1,000"),
        # what stays typed
        ("40", 40),
        ("-3", -3),
        ("true", True),
        ("False", False),
        ("null", None),
        ("~", None),
        ("", None),
        ("4.5", 4.5),
    ],
)
def test_plain_scalars_follow_the_yaml_1_2_core_schema(text, value):
    got = load_yaml(f"a: {text}\n")[0]["a"]
    assert got == value and type(got) is type(value)


@pytest.mark.parametrize(
    "text, match",
    [
        ("a: &x [1, 2]\nb: *x\n", "aliases may only repeat a text"),
        ("a: &x {k: v}\nb: *x\n", "aliases may only repeat a text"),
        ("a: 1\na: 2\n", "appears twice"),
        ("? [a, b]\n: 1\n", "a key must be a plain value"),
        ("[" * 50 + "]" * 50, "nested more than"),
        ("a: !!python/name:os.system\n", "tags"),
        ("a: 1\n---\nb: 2\n", "not valid YAML"),
    ],
)
def test_what_the_strict_loader_refuses(text, match):
    with pytest.raises(YamlProblem, match=match):
        load_yaml(text)


def test_a_text_alias_within_the_budget_is_read():
    assert load_yaml("a: &x some text\nb: *x\n")[0] == {"a": "some text", "b": "some text"}


@pytest.mark.parametrize(
    "text",
    [
        "a: !!int 0x28",
        "a: !!int abc",
        "a: !!float abc",
        "a: !!bool maybe",
        "a: !!timestamp garbage",
        "a: !!binary aGk=",
        "a: !!set {x}",
        "a: ! 5",
        "a: !local x",
        'a: !!int "4_0"',
    ],
)
def test_explicit_tags_are_refused(text):
    with pytest.raises(YamlProblem, match="tags"):
        load_yaml(text)
