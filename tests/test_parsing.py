"""dispatch_site.parsing: every parse of outside text stops at its bounds, without recursion and before
anything walks the result."""

import pytest
import yaml

from dispatch_site import parsing
from tests.hostile import deep_list, deep_object


@pytest.mark.parametrize("value", ["true", "TRUE", "1", "yes", "Yes"])
def test_flags_read_true(value):
    assert parsing.parse_flag(value, name="dry_run") is True


@pytest.mark.parametrize("value", ["false", "0", "no", "NO"])
def test_flags_read_false(value):
    assert parsing.parse_flag(value, name="dry_run") is False


@pytest.mark.parametrize("value", ["ture", "", " true", "on", "off", "2", "²", "t", "nope"])
def test_any_other_flag_value_is_refused_not_read_as_false(value):
    with pytest.raises(parsing.ParseError) as caught:
        parsing.parse_flag(value, name="dry_run")
    assert caught.value.field == "dry_run"
    assert str(caught.value).startswith("'dry_run' must be true or false")


def test_an_absent_flag_is_its_default():
    assert parsing.parse_flag(None, name="x") is False
    assert parsing.parse_flag(None, name="x", default=True) is True


@pytest.mark.parametrize(
    "value", ["²", "٣", "１", "abc", "", "-1", "+1", "1.0", "1e3", " 1", "1\n", "9" * 19]
)
def test_whole_numbers_are_ascii_digits_only(value):
    assert value in {"²", "٣", "１"} or not value.isdigit() or len(value) > 18
    with pytest.raises(parsing.ParseError):
        parsing.parse_whole_number(value, name="revision")


def test_a_whole_number_parses():
    assert parsing.parse_whole_number("0042", name="revision") == 42
    assert parsing.parse_whole_number(7, name="revision") == 7


@pytest.mark.parametrize(
    "text",
    [
        deep_list(101),
        deep_object(101),
        deep_list(100_000),
        "[1, " + deep_list(5_000) + "]",
        '{"a": [' * 60 + "1" + "]}" * 60,
    ],
    ids=lambda t: f"{len(t)} characters",
)
def test_json_deeper_than_the_limit_is_refused_before_it_is_decoded(text, monkeypatch):
    monkeypatch.setattr(parsing.json, "loads", lambda *a, **k: pytest.fail("decoded"))
    with pytest.raises(parsing.ParseError, match="nested more than 100 levels deep"):
        parsing.load_json(text)


@pytest.mark.parametrize(
    "text",
    [
        deep_list(100),
        '["' + "[" * 1_000 + '"]',  # brackets inside strings do not count
        '["' + '\\"[' * 1_000 + '"]',  # nor do escaped quotes end a string
        "[" + ",".join([deep_list(99)] * 3_000) + "]",  # wide is fine as long as it is not deep
    ],
    ids=lambda t: f"{len(t)} characters",
)
def test_json_within_the_limit_is_decoded(text):
    parsing.load_json(text, max_values=10**6)


def test_unmatched_brackets_are_refused_before_they_are_decoded():
    with pytest.raises(parsing.ParseError, match="brackets do not match"):
        parsing.load_json("[" * 100_000)


def test_many_shallow_branches_are_measured_without_recursion():
    wide = "[" + ",".join(["[" * 60 + "]" * 60] * 80_000) + "]"  # 10 MB, the largest body allowed
    parsing.check_json_shape(wide, max_values=10**7)
    with pytest.raises(parsing.ParseError, match="nested more than 100"):
        parsing.check_json_shape(wide[:-1] + "," + deep_list(101) + "]", max_values=10**7)
    with pytest.raises(parsing.ParseError, match="The JSON has more than 50,000 values"):
        parsing.check_json_shape(wide)


@pytest.mark.parametrize("text", ["NaN", "[Infinity]", '{"a": -Infinity}', "1e400", "[-1E999]"])
def test_numbers_json_cannot_hold_are_refused(text):
    with pytest.raises(parsing.ParseError, match="finite number"):
        parsing.load_json(text)


def bomb(levels=9, width=10):
    lines = ["l0: &l0 [" + ", ".join(["x"] * width) + "]"]
    lines += [f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * width) + "]" for i in range(1, levels)]
    return "\n".join(lines)


def test_an_alias_bomb_is_refused_while_it_is_composed():
    loader = parsing.BoundedLoader(bomb())
    with pytest.raises(parsing.YAMLLimitError, match="more than 50,000 YAML values"):
        loader.get_single_data()
    assert loader.total <= 50_000 + 10**5  # it stopped at the first alias that went over


def test_aliases_count_at_their_expanded_size():
    # the map, then per level its key and its list: 1 + (1 + 11) + (1 + 1 + 10·11) + (1 + 1 + 10·111)
    assert parsing.load_yaml_documents(bomb(levels=3), max_nodes=1_237)
    with pytest.raises(parsing.YAMLLimitError):
        parsing.load_yaml_documents(bomb(levels=3), max_nodes=1_236)


def test_the_value_cap_spans_every_document_of_the_stream():
    stream = "\n---\n".join(f"k: [{', '.join(['v'] * 50)}]" for _ in range(30))
    with pytest.raises(parsing.YAMLLimitError):
        parsing.load_yaml_documents(stream, max_nodes=1_000)


def test_an_alias_counts_the_depth_it_reaches():
    text = "a: &a " + "[" * 60 + "]" * 60 + "\nb: " + "[" * 50 + "*a" + "]" * 50
    with pytest.raises(parsing.YAMLLimitError, match="nested more than 100 levels deep"):
        parsing.load_yaml_documents(text)


@pytest.mark.parametrize("text", ["a: &a [*a]", "a: &a {b: *a}", "- &a [1, [2, *a]]"])
def test_a_recursive_alias_is_refused(text):
    with pytest.raises(parsing.YAMLLimitError, match="repeats the node that holds it"):
        parsing.load_yaml_documents(text)


@pytest.mark.parametrize(
    "text", ["a: .nan", "a: .inf", "a: -.INF", "a: !!binary aGk=", "a: !!set {x}", "a: !!omap [{x: 1}]"]
)
def test_yaml_values_json_cannot_hold_are_refused(text):
    with pytest.raises(yaml.YAMLError):
        parsing.load_yaml_documents(text)


def test_anchors_aliases_and_merges_within_bounds_still_load():
    text = "base: &b {image: python3, timeout: 30}\nfn:\n  <<: *b\n  handler: h\nwhen: 2024-01-31\n"
    assert parsing.load_yaml_documents(text) == [
        {
            "base": {"image": "python3", "timeout": 30},
            "fn": {"image": "python3", "timeout": 30, "handler": "h"},
            "when": "2024-01-31",
        }
    ]
