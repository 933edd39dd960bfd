"""The built-in event drivers: `ticker` and `webhook`. Drivers of other types stay records.

A driver is built in when its type is named `ticker` or `webhook` (the names Dispatch's own examples
use), whatever the type's image, so that Dispatch's bundles work unchanged.

- ticker: emits an event of type `type` (default `ticker.tick`) every `seconds` (default 60) from
  the task worker: the task `tick` emits and enqueues itself again with `run_after`. Each save of
  the driver draws a new `token` and starts a new chain; a chain whose token is no longer the
  driver's stops, so there is always one chain per driver and the web process never loops.
- webhook: an exposed driver gets the URL `/events/in/<token>/`; each POST to it becomes one event
  of type `type` (default `webhook.received`) whose data is the body.
"""

import logging
import secrets
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks import task

TICKER, WEBHOOK = "ticker", "webhook"
DEFAULT_TYPES = {TICKER: "ticker.tick", WEBHOOK: "webhook.received"}
DEFAULT_SECONDS = 60
MIN_SECONDS = 1

logger = logging.getLogger(__name__)


def config_value(driver, key: str, default=None):
    for item in driver.config or []:
        if isinstance(item, dict) and item.get("key") == key:
            return item.get("value", default)
    return default


def built_in(driver) -> str | None:
    """`ticker`, `webhook` or None: what the driver does, from its type's name."""
    name = driver.type.name if driver.type_id else None
    return name if name in DEFAULT_TYPES else None


def event_type(driver) -> str:
    return str(config_value(driver, "type", DEFAULT_TYPES.get(built_in(driver), "")))


def seconds(driver) -> int:
    try:
        return max(MIN_SECONDS, int(config_value(driver, "seconds", DEFAULT_SECONDS)))
    except (TypeError, ValueError):
        return DEFAULT_SECONDS


def webhook_path(token: str) -> str:
    return f"/events/in/{token}/"


def keep_url(driver) -> None:
    """Called by EventDriver.save: the token and URL that go with what the driver is now."""
    kind = built_in(driver)
    if kind == WEBHOOK and driver.expose:
        driver.token = driver.token or secrets.token_urlsafe(32)
        driver.url = webhook_path(driver.token)
    elif kind == TICKER:
        driver.token = secrets.token_urlsafe(32)  # a new chain; the running one stops at its next tick
        driver.url = ""
        due = timezone.now() + timedelta(seconds=seconds(driver))
        pk, token = driver.pk, driver.token
        transaction.on_commit(lambda: schedule(pk, token, due))
    else:
        driver.token = None
        driver.url = ""


def schedule(driver_id, token: str, due: datetime) -> None:
    """Enqueue the tick due at `due`; a task backend that cannot defer (the immediate one) cannot
    run a ticker, which is logged rather than run at once in a loop."""
    if not tick.get_backend().supports_defer:
        logger.warning("The task backend cannot defer tasks, so ticker %s does not tick.", driver_id)
        return
    tick.using(run_after=due).enqueue(str(driver_id), token, due.isoformat())


def _source(driver) -> str:
    return f"/event-drivers/{driver.name}"


def emit_from(driver, *, data=None, **attributes):
    """Emit an event of the driver's type into the driver's application (none when unassigned)."""
    from . import parsing, services

    applications = list(driver.applications.all()[:1])
    event = parsing.make(type=event_type(driver), source=_source(driver), data=data, **attributes)
    return services.emit(
        user=None, application=applications[0] if applications else None, event=event, driver=driver
    )


@task()
def tick(driver_id: str, token: str, due: str) -> str:
    """Emit the ticker's event due at `due`, then enqueue the next tick. A late worker does not
    catch up with a burst: the next tick is one period after now at the earliest."""
    from ..models import EventDriver

    driver = EventDriver.objects.select_related("type").filter(pk=driver_id).first()
    if driver is None or driver.token != token or built_in(driver) != TICKER:
        return "stopped"  # deleted, changed (a newer chain runs) or no longer a ticker
    due_time = datetime.fromisoformat(due)
    try:
        emit_from(driver, data={"time": due})
    except Exception:
        logger.exception("Ticker %s could not emit; it ticks on", driver.name)
    following = due_time + timedelta(seconds=seconds(driver))
    if following <= timezone.now():
        following = timezone.now() + timedelta(seconds=seconds(driver))
    schedule(driver_id, token, following)
    return f"ticked {due}"
