"""Runs: made by `start_run`, executed by `execute_run`, and reaped when their worker died.

A run moves INITIALIZED → CREATING (a worker or the request took it) → READY, or ERROR with
`reason` and `error` {type, message, stacktrace}. Each move is one conditional UPDATE on the status it
leaves, so a run is executed once, and a late worker never overwrites what the reaper decided.
"""

import datetime
import logging

import jsonschema
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django_tasks_db.backend import DatabaseBackend

from applications import access, quotas
from applications.exceptions import NotFound
from applications.models import Application, ApplicationItem, Status
from applications.selectors import attach_known_tags
from entities import models as m
from entities import rules
from entities import services as entity_services
from entities.kinds import get_kind

from . import runner, sandbox, selectors, tasks

logger = logging.getLogger(__name__)
RUN = get_kind("run")


def _run_secrets(*, user, function, function_apps, names) -> list[str]:
    """The names of the run's own secrets: each must exist for the user and may be used by the function
    (the reference rule: same application, or both unassigned)."""
    if isinstance(names, str) or not all(isinstance(name, str) for name in names):
        raise ValidationError({"secrets": "Give the run's secrets as a list of secret names."})
    if not names:
        return []
    names = sorted(set(names))
    secrets = m.Secret.objects.filter(name__in=names).prefetch_related("applications")
    if user is not None:
        secrets = access.visible_entities(m.Secret, user, secrets)
    found = {secret.name: secret for secret in secrets}
    missing = [name for name in names if name not in found]
    if missing:
        raise ValidationError({"secrets": [f"Secret '{name}' does not exist." for name in missing]})
    for secret in found.values():
        rules.check_reference(function, function_apps, secret, list(secret.applications.all()), "secrets")
    return names


def _check_input(value) -> None:
    if rules.holds_nul(value):
        raise ValidationError({"input": rules.NUL_MESSAGE})


def start_run(
    *,
    user,
    function,
    input=None,  # noqa: A002 - Dispatch's name for the payload
    blocking: bool = True,
    secrets=(),
    event=None,
    http_context=None,
    **trigger,
) -> m.FunctionRun:
    """Make a run of the function, frozen in the function's applications, and execute it: here and
    now when blocking (outside the transaction that made it, so no lock is held while the function
    runs; it is made CREATING, since this request has taken it), else on the task queue once that
    transaction commits.

    `user=None` is a trusted system trigger (events, API gateway) that its caller authorized."""
    with transaction.atomic():
        applications = _locked_applications(function)
        if user is not None:
            _check_may_run(user, function, applications)
        _check_input(input)
        for application in applications:
            if application.max_concurrent_runs is not None or application.max_runs_per_minute is not None:
                quotas.check_run_quota(application=application)  # locks it until this commits
        run = m.FunctionRun(
            function=function,
            function_name=function.name,
            input={} if input is None else input,
            blocking=bool(blocking),
            secrets=_run_secrets(
                user=user, function=function, function_apps=applications, names=list(secrets or ())
            ),
            event=event,
            http_context=http_context,
            status=Status.CREATING if blocking else Status.INITIALIZED,
            executed_time=timezone.now() if blocking else None,
            created_by=user if user is not None and user.is_authenticated else None,
            **trigger,
        )
        entity_services.insert_entity(RUN, run, applications)
        if not blocking and _queue_in_this_database():
            tasks.execute_run.enqueue(str(run.pk))  # committed with the run, or not at all
        elif not blocking:
            transaction.on_commit(lambda: _enqueue(run))
    attach_known_tags(run, applications=applications, labels=[])  # a new run: its answer reads neither
    if not blocking:
        return run
    run.function = _runnable(function)
    return _execute(run, run.executed_time)


def _runnable(function) -> m.Function | None:
    """The caller's function when it holds what a run reads (the API reads it so), else the function
    read again with it, in one query (None: deleted meanwhile)."""
    if m.Function.image.is_cached(function) and "source_archive" not in function.get_deferred_fields():
        return function
    return selectors.runnable(m.Function.objects).filter(pk=function.pk).first()


def _locked_applications(function) -> list[Application]:
    """The function's applications with their run quotas (one query), each held shared until the
    transaction commits, as for every write into an application (entities.services.hold_shared): its
    delete waits. A function that had applications and finds none lost them to a delete: a 404."""
    items = ApplicationItem.objects.filter(
        content_type=ContentType.objects.get_for_model(m.Function), object_id=function.pk
    )
    rows = Application.objects.filter(pk__in=items.values("tag_id")).order_by("pk")
    applications = entity_services.hold_shared(rows)
    if not applications and not function.unassigned:
        raise NotFound(f"Function '{function.name}' does not exist.")
    return applications


def _check_may_run(user, function, applications) -> None:
    """Developers of the function's applications may run it; others get a 403 when they see it, else
    a 404. A developer of each of its (one or more) applications sees it, so only staff, whose model
    permission may let them run what they do not see, and refused callers cost the visibility query."""
    may_run = access.may_create(user, m.FunctionRun, applications)
    if (not may_run or user.is_staff) and not access.may_view(user, function):
        raise NotFound(f"Function '{function.name}' does not exist.")
    if not may_run:
        raise PermissionDenied(
            f"You need the developer role in the application of function '{function.name}' to run it."
        )


def _queue_in_this_database() -> bool:
    """Whether the task queue is a table of this database (django-tasks-db): the task is then
    written in the run's transaction, one commit for both, and a worker never sees one without the
    other. Another queue (RQ) is told once the run has committed, so its worker finds the run."""
    return isinstance(tasks.execute_run.get_backend(), DatabaseBackend)


def _enqueue(run) -> None:
    """Queue the run for a worker. A queue that cannot take it (Redis down) ends it ERROR at once:
    it would stay INITIALIZED for ever, since the reaper only ends runs that a worker took."""
    try:
        tasks.execute_run.enqueue(str(run.pk))
    except Exception:  # whatever the task backend raises, the run must not wait for a worker that never comes
        logger.exception("Run %s could not be queued", run.pk)
        _fail(run.pk, Status.INITIALIZED, "The run could not be queued for a worker; start it again.")
        run.refresh_from_db()


def _fail(run_id, from_status, message, now=None) -> bool:
    """End a run ERROR with a SystemError: something outside its function stopped it."""
    return _transition(
        run_id,
        from_status,
        status=Status.ERROR,
        reason=[message],
        error=runner.failure(runner.SYSTEM_ERROR, message),
        error_type=runner.SYSTEM_ERROR,
        finished_time=now or timezone.now(),
    )


def _transition(run_id, from_status, **changes) -> bool:
    """Move a run from one status to the next, only if it is still in the first."""
    changes.setdefault("revision", models.F("revision") + 1)
    changes.setdefault("modified", timezone.now())
    return bool(m.FunctionRun.objects.filter(pk=run_id, status=from_status).update(**changes))


def _schema_errors(schema, value) -> str | None:
    """Why the value does not match the JSON schema (draft 4 unless it names another), or None."""
    if not schema:
        return None
    validator_class = jsonschema.validators.validator_for(schema, default=jsonschema.Draft4Validator)
    try:
        validator_class.check_schema(schema)
    except jsonschema.SchemaError as error:
        return f"The schema is not a valid JSON schema: {error.message}"
    error = jsonschema.exceptions.best_match(validator_class(schema).iter_errors(value))
    if error is None:
        return None
    where = "/".join(str(part) for part in error.absolute_path)
    return f"{where}: {error.message}" if where else error.message


def _secret_values(run, function) -> tuple[dict, list[str]]:
    """The function's and the run's secrets merged (the run's win), decrypted for the sandbox only."""
    merged: dict[str, str] = {}
    for secret in function.secrets.all():
        merged.update(secret.values)
    run_secrets = {secret.name: secret for secret in m.Secret.objects.filter(name__in=run.secrets)}
    missing = [name for name in run.secrets if name not in run_secrets]
    for name in run.secrets:
        if name in run_secrets:
            merged.update(run_secrets[name].values)
    return merged, missing


def execute_run(*, run_id) -> m.FunctionRun | None:
    """Execute a run that is still INITIALIZED (else leave it: another worker took it)."""
    started = timezone.now()
    if not _transition(run_id, Status.INITIALIZED, status=Status.CREATING, executed_time=started):
        return m.FunctionRun.objects.filter(pk=run_id).first()
    return _execute(m.FunctionRun.objects.select_related("function__image").get(pk=run_id), started)


def _execute(run, started) -> m.FunctionRun:
    """Execute a run this process has taken (CREATING since `started`) and record what came of it:
    `run.function` is the function as its starter read it (the request's, the worker's)."""
    function = run.function
    if function is None:
        outcome = runner.Outcome(
            error=runner.failure(runner.SYSTEM_ERROR, f"Function '{run.function_name}' was deleted.")
        )
        return _finish(run, outcome, started)
    timeout_ms = function.timeout or sandbox.limits()["timeout_ms"]
    problem = _schema_errors(function.schema_in, run.input)
    if problem is not None:
        return _finish(run, runner.Outcome(error=runner.failure(runner.INPUT_ERROR, problem)), started)
    secrets, missing = _secret_values(run, function)
    if missing:
        message = f"Secret '{missing[0]}' named by the run does not exist any more."
        return _finish(run, runner.Outcome(error=runner.failure(runner.INPUT_ERROR, message)), started)
    deadline = started + datetime.timedelta(milliseconds=timeout_ms)
    context = {
        "secrets": secrets,
        "deadline": deadline.isoformat(),
        "event": run.event,
        "httpContext": run.http_context,
    }
    outcome = runner.execute(
        language=function.image.language,
        source=function.source,
        files=function.source_files(),  # a source folder's files ({} for a one-file source)
        handler=function.handler,
        context=context,
        payload=run.input,
        timeout_ms=timeout_ms,
        secret_values=secrets.values(),
        function_id=function.pk,
    )
    if outcome.error is None:
        problem = _schema_errors(function.schema_out, outcome.output)
        if problem is not None:
            outcome.output, outcome.error = (
                None,
                runner.failure(
                    runner.FUNCTION_ERROR, f"The output does not match the function's schema_out: {problem}"
                ),
            )
    return _finish(run, outcome, started)


def _finish(run, outcome: runner.Outcome, started) -> m.FunctionRun:
    finished = max(timezone.now(), started)
    error = outcome.error
    changes = {
        "status": Status.ERROR if error else Status.READY,
        "reason": [error["message"]] if error else [],
        "output": outcome.output,
        "error": error,
        "error_type": error["type"] if error else "",
        "logs": outcome.logs,
        "finished_time": finished,
        "duration_ms": outcome.duration_ms or int((finished - started).total_seconds() * 1000),
        "modified": finished,
    }
    if _transition(run.pk, Status.CREATING, **changes):
        for name, value in changes.items():  # what was written, without reading it back
            setattr(run, name, value)
        run.revision += 1
    else:  # the reaper ended it first: what it wrote stands
        run.refresh_from_db()
    return run


def reap_stuck_runs(*, now=None) -> int:
    """Runs left CREATING past their deadline and a grace period (their worker died) become ERROR
    with a SystemError, so no run stays unfinished for ever. Returns how many were reaped."""
    now = now or timezone.now()
    limit = sandbox.limits()
    grace = datetime.timedelta(seconds=limit["reaper_grace_seconds"])
    stuck = []
    creating = m.FunctionRun.objects.filter(status=Status.CREATING, executed_time__lt=now - grace)
    for run_id, executed, timeout in creating.values_list("pk", "executed_time", "function__timeout"):
        if executed + datetime.timedelta(milliseconds=timeout or limit["timeout_ms"]) + grace < now:
            stuck.append(run_id)
    message = "The worker running it stopped before the run finished; start it again."
    return sum(_fail(run_id, Status.CREATING, message, now) for run_id in stuck)
