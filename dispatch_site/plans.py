"""Plans made for a read's own values, where a plan shared by every application would read all of a large one.

psycopg prepares a statement once it has run 5 times on a connection (settings: `prepare_threshold`), and
PostgreSQL may then run it with a generic plan, made without looking at the values. The lists of one
application share their statements whatever the application, and the generic plan suits the common
small one: read its items, fetch each row and sort them. For an application of 50,000 functions that read
and sorted all 50,000, where a plan made for its values walks the name index and stops at the page's
end: its entities' first page took 171 ms with the generic plan and 42 ms with its own.
"""

from contextlib import AbstractContextManager, contextmanager, nullcontext

from django.db import connections

# Rows in a list (a kind's entities in one application) above which its page is planned for its values.
# Below it, reading each row and sorting them is what a plan of its own would do too.
LARGE_LIST = 1_000


def planned_for(rows: int, using: str = "default") -> AbstractContextManager:
    """A block in which a list of `rows` rows is read: with plans of its own when it is large."""
    return custom_plans(using) if rows > LARGE_LIST else nullcontext()


@contextmanager
def custom_plans(using: str = "default"):
    """Statements of the block are sent unprepared on PostgreSQL, so that each is planned for its values;
    those prepared before stay prepared for the rest of the connection's reads."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield
        return
    connection.ensure_connection()
    psycopg_connection = connection.connection
    threshold = psycopg_connection.prepare_threshold
    psycopg_connection.prepare_threshold = None
    try:
        yield
    finally:
        psycopg_connection.prepare_threshold = threshold
