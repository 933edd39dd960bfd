"""dispatch_cli.bounded_yaml: a YAML stream stops at its bounds while it is composed, before anything
walks the result (the server reads bundle bodies with the same loader)."""

import pytest
import yaml

from dispatch_cli import bounded_yaml


def bomb(levels=9, width=10):
    lines = ["l0: &l0 [" + ", ".join(["x"] * width) + "]"]
    lines += [f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * width) + "]" for i in range(1, levels)]
    return "\n".join(lines)


def test_an_alias_bomb_is_refused_while_it_is_composed():
    loader = bounded_yaml.BoundedLoader(bomb())
    with pytest.raises(bounded_yaml.YAMLLimitError, match="more than 50,000 YAML values"):
        loader.get_single_data()
    assert loader.total <= 50_000 + 10**5  # it stopped at the first alias that went over


def test_aliases_count_at_their_expanded_size():
    # the map, then per level its key and its list: 1 + (1 + 11) + (1 + 1 + 10·11) + (1 + 1 + 10·111)
    assert bounded_yaml.load_yaml_documents(bomb(levels=3), max_nodes=1_237)
    with pytest.raises(bounded_yaml.YAMLLimitError):
        bounded_yaml.load_yaml_documents(bomb(levels=3), max_nodes=1_236)


def test_the_value_cap_spans_every_document_of_the_stream():
    stream = "\n---\n".join(f"k: [{', '.join(['v'] * 50)}]" for _ in range(30))
    with pytest.raises(bounded_yaml.YAMLLimitError):
        bounded_yaml.load_yaml_documents(stream, max_nodes=1_000)


def test_an_alias_counts_the_depth_it_reaches():
    text = "a: &a " + "[" * 60 + "]" * 60 + "\nb: " + "[" * 50 + "*a" + "]" * 50
    with pytest.raises(bounded_yaml.YAMLLimitError, match="nested more than 100 levels deep"):
        bounded_yaml.load_yaml_documents(text)


@pytest.mark.parametrize("text", ["a: &a [*a]", "a: &a {b: *a}", "- &a [1, [2, *a]]"])
def test_a_recursive_alias_is_refused(text):
    with pytest.raises(bounded_yaml.YAMLLimitError, match="repeats the node that holds it"):
        bounded_yaml.load_yaml_documents(text)


@pytest.mark.parametrize(
    "text", ["a: .nan", "a: .inf", "a: -.INF", "a: !!binary aGk=", "a: !!set {x}", "a: !!omap [{x: 1}]"]
)
def test_yaml_values_json_cannot_hold_are_refused(text):
    with pytest.raises(yaml.YAMLError):
        bounded_yaml.load_yaml_documents(text)


def test_anchors_aliases_and_merges_within_bounds_still_load():
    text = "base: &b {image: python3, timeout: 30}\nfn:\n  <<: *b\n  handler: h\nwhen: 2024-01-31\n"
    assert bounded_yaml.load_yaml_documents(text) == [
        {
            "base": {"image": "python3", "timeout": 30},
            "fn": {"image": "python3", "timeout": 30, "handler": "h"},
            "when": "2024-01-31",
        }
    ]
