"""Emitting events: store one in the event log and deliver it to the subscriptions of its topic.

A topic is `<application>.<type>` (the bare type for an event of no application), exactly as
`Subscription.topic` derives it, so an event reaches the subscriptions of its own application and
no other. Every subscription gets one asynchronous run whose input is the event's data and whose
`context.event` is the event without its data; the subscription's secrets go with the run.
"""

import json
import logging
from datetime import timedelta

from cloudevents.core.v1.event import CloudEvent
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists
from django.utils import timezone

from applications import access
from applications.exceptions import NotFound
from applications.models import Application

from ..models import Event, Subscription, event_type_validator

logger = logging.getLogger(__name__)

# Dispatch 0.1's names beside the 1.0 attributes in `context.event`, so that handlers written for
# Dispatch (`context["event"]["eventType"]`) and for CloudEvents 1.0 both find what they read.
DISPATCH_ALIASES = {
    "type": "eventType",
    "id": "eventID",
    "time": "eventTime",
    "datacontenttype": "contentType",
}


def resolve_application(*, user, name: str | None) -> Application | None:
    """The application an event goes into: the named one, or the caller's only one.

    Staff may name none (an event of no application). An application the caller does not see does
    not exist for them (404, as for every other look-up by name).
    """
    if name:
        try:
            return access.visible_applications(user).get(name=name)
        except Application.DoesNotExist:
            raise NotFound(f"Application '{name}' does not exist; check the name.") from None
    developed = list(Application.objects.filter(id__in=access.member_application_ids(user, "developer"))[:2])
    if len(developed) == 1:
        return developed[0]
    if access.may_emit(user, None):
        return None
    raise ValidationError(
        {"application": ["Name the application to emit into, e.g. ?application=example-app (-a on the CLI)."]}
    )


def _json_data(event: CloudEvent):
    """The event's data as JSON: objects, lists, numbers and text; bytes only when they are text."""
    data = event.get_data()
    if isinstance(data, bytes | bytearray):
        try:
            data = bytes(data).decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationError({"data": ["Send the data as JSON or UTF-8 text."]}) from None
    try:
        size = len(json.dumps(data, allow_nan=False).encode())
    except (TypeError, ValueError):
        raise ValidationError({"data": ["The data is not JSON (NaN and infinities are not)."]}) from None
    if size > settings.DISPATCH_EVENT_MAX_BYTES:
        raise ValidationError(
            {
                "data": [
                    f"The data is {size} bytes; an event carries at most {settings.DISPATCH_EVENT_MAX_BYTES}."
                ]
            }
        )
    return data


def context_event(event: Event) -> dict:
    """The event as a run's `context.event` gets it: every attribute, no data."""
    attributes = dict(event.attributes)
    for name, alias in DISPATCH_ALIASES.items():
        if name in attributes:
            attributes.setdefault(alias, attributes[name])
    attributes["topic"] = event.topic
    return attributes


def _attributes(event: CloudEvent) -> dict:
    attributes = {}
    for name, value in event.get_attributes().items():
        attributes[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return attributes


@transaction.atomic
def emit(*, user, application: Application | None, event: CloudEvent, driver=None) -> Event:
    """Store the event in `application` and start a run for each subscription of its topic.

    `user=None` is a trusted emitter (a driver or webhook) whose caller authorized it already.
    """
    if user is not None and not access.may_emit(user, application):
        if application is None:
            raise PermissionDenied("Only staff can emit events outside an application; name one.")
        raise PermissionDenied(f"You need the developer role in application '{application.name}' to emit.")
    type = event.get_type()
    try:
        event_type_validator(type)
    except ValidationError as exc:
        raise ValidationError({"type": exc.messages}) from None
    if len(type) > 128:
        raise ValidationError({"type": ["An event type has at most 128 characters."]})
    attributes = _attributes(event)
    for name in ("id", "source", "subject", "datacontenttype"):
        if len(str(attributes.get(name, ""))) > 255:
            raise ValidationError({name: [f"The event's '{name}' has more than 255 characters; shorten it."]})
    stored = Event.objects.create(
        application=application,
        topic=f"{application.name}.{type}" if application else type,
        type=type,
        id=event.get_id(),
        source=event.get_source(),
        specversion=event.get_specversion(),
        time=event.get_time(),
        subject=event.get_subject() or "",
        datacontenttype=event.get_datacontenttype() or "",
        attributes=attributes,
        data=_json_data(event),
        emitted_by=user if user is not None and user.is_authenticated else None,
        driver=driver,
    )
    deliver(event=stored)
    prune(application=application)
    return stored


def subscriptions_of(event: Event):
    """The subscriptions of the event's topic: its type, in its application (or unassigned ones)."""
    subscriptions = Subscription.objects.filter(event_type=event.type)
    if event.application_id is None:
        subscriptions = subscriptions.filter(unassigned=True)
    else:
        subscriptions = subscriptions.filter(
            Exists(access.application_items(Subscription).filter(tag_id=event.application_id))
        )
    return subscriptions.select_related("function").prefetch_related("secrets").order_by("name")


def deliver(*, event: Event) -> list:
    """One asynchronous run per subscription. A subscription that cannot run now (its function
    refuses, a quota is reached) is logged and skipped: the others still get theirs."""
    subscriptions = list(subscriptions_of(event))
    if not subscriptions:
        return []
    from entities.runs.services import start_run

    runs = []
    for subscription in subscriptions:
        try:
            with transaction.atomic():
                runs.append(
                    start_run(
                        user=None,
                        function=subscription.function,
                        input=event.data,
                        blocking=False,
                        secrets=[secret.name for secret in subscription.secrets.all()],
                        event=context_event(event),
                        source_event=event,
                    )
                )
        except Exception:
            logger.exception("Subscription %s could not start a run for event %s", subscription.name, event)
    return runs


def prune(*, application: Application | None) -> int:
    """Keep the application's event log within DISPATCH_EVENT_RETENTION_DAYS and _COUNT: on every
    write, so the log never outgrows its limits and no scheduler is needed for it."""
    events = Event.objects.filter(application=application)
    deleted = 0
    days = settings.DISPATCH_EVENT_RETENTION_DAYS
    if days:
        deleted += events.filter(received__lt=timezone.now() - timedelta(days=days)).delete()[0]
    count = settings.DISPATCH_EVENT_RETENTION_COUNT
    if count:
        oldest_kept = events.order_by("-received", "-uid").values_list("received", flat=True)[
            count - 1 : count
        ]
        cutoff = list(oldest_kept)
        if cutoff:
            deleted += events.filter(received__lt=cutoff[0]).delete()[0]
    return deleted
