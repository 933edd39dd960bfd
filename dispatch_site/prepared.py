"""Reads of one shape whose SQL is written once per process: each call only fills in its values.

Django compiles a queryset to SQL on every read. For the reads nearly every API request makes, that took
longer than PostgreSQL took to run them: a token's user with its memberships, 0.58 ms to compile against
0.73 ms to run; an entity by name in an application, 1.04 ms against 0.86 ms.
"""

import copy
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.db.models import QuerySet

# Values no row holds, one per position and type, that `build` is given in place of the real ones; the
# integers fit every integer column (a value out of a column's range makes Django drop the condition).
_MARKERS = {str: lambda n: f"\x00prepared value {n}", int: lambda n: -30_000 - n}


class Prepared:
    """A read given as `build(*values)`'s queryset, compiled once, then run with other values.

    `build` is called once, with a marker of each value's type (`str` or `int`) in its place, to find
    where each value lands among the compiled query's parameters. So the SQL's shape must not depend on
    the values (no None, no lists), and what it embeds must never change while the process runs: a value
    read from the database, such as a content type's id, is one of the values too.
    """

    def __init__(self, build: Callable[..., QuerySet], *types: type) -> None:
        self.build = build
        self.types = types
        self._compiled: tuple | None = None  # (queryset, compiler, sql, parameters, value positions)

    def __call__(self, *values) -> list[Any]:  # models, or what values_list() reads
        queryset, compiler, sql, params, positions = self._compiled or self._compile()
        filled = list(params)
        for position, value in zip(positions, values, strict=True):
            filled[position] = value
        run = copy.copy(compiler)
        run.connection = connections[queryset.db]  # this thread's
        run.as_sql = lambda *args, **kwargs: (sql, filled)
        query = copy.copy(queryset.query)
        query.get_compiler = lambda *args, **kwargs: run
        rows = queryset.__class__(model=queryset.model, query=query, using=queryset.db)
        rows._prefetch_related_lookups = queryset._prefetch_related_lookups
        rows._iterable_class, rows._fields = queryset._iterable_class, queryset._fields  # values_list()
        return list(rows)

    def first(self, *values) -> Any:
        rows = self(*values)
        return rows[0] if rows else None

    def _compile(self) -> tuple:
        markers = [_MARKERS[kind](n) for n, kind in enumerate(self.types)]
        queryset = self.build(*markers)
        compiler = queryset.query.get_compiler(using=queryset.db)
        sql, params = compiler.as_sql()  # also sets up what reading the rows needs (select, klass_info)
        positions = [[n for n, param in enumerate(params) if param == marker] for marker in markers]
        if any(len(found) != 1 for found in positions):
            raise ImproperlyConfigured(
                f"Every value of a prepared read must be one parameter of its SQL; in {sql!r} the values "
                f"were found at {positions}: make each value one `field=value` or one RawSQL parameter."
            )
        self._compiled = (queryset, compiler, sql, tuple(params), [found[0] for found in positions])
        return self._compiled
