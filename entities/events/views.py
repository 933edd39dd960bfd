"""/events/in/<token>/: an exposed webhook driver turns each POSTed body into one event."""

import json

from django.core.exceptions import RequestDataTooBig, ValidationError
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from ..api.exceptions import error_body
from ..models import EventDriver
from . import drivers


def body_data(request):
    """A request body as event data or run input: JSON when the Content-Type says so, else text."""
    if not request.body:
        return None
    content_type = request.content_type or ""
    if content_type == "application/json" or content_type.endswith("+json"):
        try:
            return json.loads(request.body)
        except (ValueError, UnicodeDecodeError):
            raise ValidationError("The body is not valid JSON; fix it or send it as text/plain.") from None
    try:
        return request.body.decode("utf-8")
    except UnicodeDecodeError:
        raise ValidationError("Send the body as JSON or UTF-8 text.") from None


@csrf_exempt
@require_POST
def webhook(request, token: str):
    driver = EventDriver.objects.select_related("type").filter(token=token, expose=True).first()
    if driver is None or drivers.built_in(driver) != drivers.WEBHOOK:
        return JsonResponse(
            error_body(404, "No webhook has this URL; copy it from the driver again."), status=404
        )
    try:
        data = body_data(request)
        event = drivers.emit_from(driver, data=data, datacontenttype=request.content_type or "text/plain")
    except RequestDataTooBig:
        return JsonResponse(error_body(400, "The body is too large for an event."), status=400)
    except ValidationError as exc:
        return JsonResponse(error_body(400, " ".join(exc.messages)), status=400)
    return JsonResponse(
        {"id": event.id, "topic": event.topic, "runs": [run.name for run in event.runs.all()]}, status=202
    )
