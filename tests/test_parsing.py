"""dispatch_site.parsing: every parse of outside text stops at its bounds, without recursion and before
anything walks the result. Its YAML loader is the CLI's, tested in cli/tests/test_bounded_yaml.py."""

import pytest

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
