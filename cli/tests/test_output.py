"""Tables (laid out by rich), json and yaml, as `dispatch get` prints them."""

import json

import yaml

from dispatch_cli import output

LONG = {
    "name": "a-function-with-a-rather-long-name-for-tables",
    "applications": ["app-a"],
    "image": "an-image-with-a-long-name-too",
    "handler": "package.module.a_handler_with_a_very_long_name_indeed",
    "status": "ready",
}
SHORT = {"name": "hello", "applications": ["app-a", "app-b"], "image": "python3", "handler": "hello.handle"}


def test_it_fits_a_table_in_80_columns_one_line_a_row_clipping_the_widest_cells():
    lines = output.table([LONG, SHORT], "function").splitlines()

    assert lines[0].split() == ["NAME", "APPLICATIONS", "IMAGE", "HANDLER", "STATUS"]
    assert lines[2].split() == ["hello", "app-a,app-b", "python3", "hello.handle"]
    assert len(lines) == 3 and max(len(line) for line in lines) <= 80
    assert "…" in lines[1] and lines[1].split()[-1] == "ready"


def test_it_prints_wide_tables_whole_with_more_columns():
    lines = output.table([LONG, SHORT], "function", wide=True).splitlines()

    titles = "NAME APPLICATIONS IMAGE SECRETS HANDLER STATUS TAGS REVISION CREATED MODIFIED"
    assert lines[0].split() == titles.split()
    assert lines[1].split() == [LONG[key] if key != "applications" else "app-a" for key in LONG]


def test_it_prints_cells_as_plain_text_never_as_rich_markup():
    text = output.table([{"name": "[bold]x[/bold]", "status": "[red]"}], "secret")

    assert text.splitlines()[1].split() == ["[bold]x[/bold]", "[red]"]
    assert "\x1b" not in text


def test_it_says_an_empty_list_holds_nothing_and_prints_json_and_yaml_as_they_came():
    documents = [{"kind": "Secret", "name": "a"}, {"kind": "Secret", "name": "b"}]

    assert output.render([], "table", "secret") == "No resources found."
    assert json.loads(output.render(documents, "json")) == documents
    assert list(yaml.safe_load_all(output.render(documents, "yaml"))) == documents  # a bundle
