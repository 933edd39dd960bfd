"""One map from domain errors to statuses (dispatch_site.errors), read by every surface."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from applications.exceptions import NotFound, QuotaExceeded, StaleRevision
from dispatch_site.errors import REFUSALS, STATUS_OF_ERROR, page_status, reason_of
from dispatch_site.middleware import DomainErrorMiddleware
from dispatch_site.parsing import ParseError


@pytest.mark.parametrize(
    "error, status",
    [
        (ValidationError("The name is taken."), 400),
        (ParseError("'blocking' must be true or false."), 400),
        (PermissionDenied("You need the developer role."), 403),
        (StaleRevision("function 'f'", given=3, current=4), 409),
    ],
)
def test_a_page_shows_each_refusal_with_the_status_of_the_map(error, status):
    assert page_status(error) == status == STATUS_OF_ERROR[type(error)]


def test_a_page_answers_a_refusal_of_something_unseen_as_a_404():
    with pytest.raises(Http404, match="There is no function named 'f'"):
        page_status(NotFound("There is no function named 'f' that you can see."))


def test_every_refusal_has_a_status_in_the_map():
    assert all(cls in STATUS_OF_ERROR for cls in REFUSALS)


def test_a_reason_is_one_sentence_whatever_the_error():
    assert (
        reason_of(ValidationError({"name": ["Too long.", "Bad characters."]})) == "Too long. Bad characters."
    )
    assert reason_of(PermissionDenied()) == "You are not allowed to do this."


def run_middleware(rf, path, error):
    request = rf.get(path)
    return DomainErrorMiddleware(lambda request: None).process_exception(request, error)


def test_a_refusal_a_page_left_to_the_site_is_its_400_page_not_a_500(rf, db):
    response = run_middleware(rf, "/functions/", ValidationError("The function 'f' is in use; detach it."))
    assert response.status_code == 400
    assert b"The function &#x27;f&#x27; is in use; detach it." in response.content


def test_a_quota_left_to_the_site_is_a_429_with_retry_after_in_json_under_the_api(rf):
    response = run_middleware(rf, "/api/v1/bundles/", QuotaExceeded("Application 'a' is over its quota."))
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert json.loads(response.content)["message"] == "Application 'a' is over its quota."


def test_forbidden_and_missing_are_left_to_djangos_handlers(rf):
    assert run_middleware(rf, "/functions/", PermissionDenied("No.")) is None
    assert run_middleware(rf, "/functions/", Http404("None.")) is None
