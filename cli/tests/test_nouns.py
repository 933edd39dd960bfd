"""The kinds' nouns on the command line: every name, plural and alias names its kind."""

import pytest

from dispatch_cli.errors import CLIError
from dispatch_cli.nouns import APPLICATION_NOUNS, NOUNS, kind_for, plural


@pytest.mark.parametrize("noun", NOUNS, ids=lambda noun: noun.name)
def test_it_reads_every_word_of_a_kind_as_that_kind(noun):
    assert {kind_for(word.upper()) for word in noun.words} == {noun.name}
    assert noun.words[0] == noun.name and noun.plural in noun.words


def test_it_reads_applications_as_a_noun_with_its_own_path():
    assert {kind_for(word) for word in APPLICATION_NOUNS} == {"application"}
    assert (plural("application"), plural("base-image")) == ("applications", "base-images")


def test_it_refuses_an_unknown_noun_as_a_usage_error_that_lists_the_kinds():
    with pytest.raises(CLIError) as caught:
        kind_for("gadgets")

    assert caught.value.exit_code == 2
    assert str(caught.value) == (
        "Unknown kind 'gadgets'; use one of: application, base-image, image, secret, function, api, "
        "event-driver-type, event-driver, subscription, run."
    )
