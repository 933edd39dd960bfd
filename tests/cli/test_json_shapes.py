"""The CLI refuses a wrong JSON shape with the domain's message (it comes from the API), and writes
nothing: the same sentence the pages, the admin and bundles show (tests/test_json_shapes.py)."""

from entities import models as m
from tests import factories as f
from tests.test_json_shapes import METHOD


def test_create_api_with_a_method_that_does_not_exist_is_refused_with_the_domains_message(cli, people):
    image = f.ImageFactory(name="python3", applications=[people.app_a])
    f.FunctionFactory(name="hello", image=image, applications=[people.app_a])
    cli.as_user(people.developer_a)

    result = cli("create", "api", "bad", "hello", "-m", "FOO", "-p", "/bad")

    assert result.code != 0
    assert METHOD in result.err
    assert not m.API.objects.filter(name="bad").exists()


def test_update_api_with_a_path_that_is_no_path_is_refused_and_changes_nothing(cli, people):
    image = f.ImageFactory(name="python3", applications=[people.app_a])
    function = f.FunctionFactory(name="hello", image=image, applications=[people.app_a])
    f.APIFactory(name="hello-api", function=function, applications=[people.app_a])
    cli.as_user(people.developer_a)

    result = cli("update", "api", "hello-api", "-p", "no-slash")

    assert result.code != 0
    assert "'no-slash' in 'uris' is not a path; start it with '/', without spaces." in result.err
    assert m.API.objects.get(name="hello-api").uris == ["/hello"]
