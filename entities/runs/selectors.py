"""Reads about runs that every surface shares."""

from applications import access
from entities import models as m


def visible_function_names(user, runs) -> dict:
    """{function id: its name} for the runs' functions that the user may see (one query): a run names
    its frozen `function_name` always, but links to its function only when the function is visible, so
    a function that moved to an application the user is no member of does not exist for them. Lists of
    runs read their functions' names here, not by joining each run's function (`entity_queryset`)."""
    ids = {run.function_id for run in runs if run.function_id}
    if not ids:
        return {}
    return dict(access.visible_entities(m.Function, user).filter(pk__in=ids).values_list("pk", "name"))


def runnable(functions):
    """The functions with what a run of one reads: its image and its source folder (else deferred)."""
    return functions.select_related("image").defer(None)
