"""Django's PostgreSQL backend, for statements whose values travel apart from the SQL.

PostgreSQL's protocol takes at most 65,535 values with one statement (server-side binding, on here:
dispatch_site/settings.py). Django's backend sets no limit, as none applies while values are written
into the SQL, so a bulk insert or a cascading delete of many rows would fail; these cut them into
batches of at most that many values, as Django does for Oracle, whose limit is the same.
"""

from django.db.backends.postgresql import base, features, operations


class DatabaseFeatures(features.DatabaseFeatures):
    max_query_params = 2**16 - 1


class DatabaseOperations(operations.DatabaseOperations):
    def bulk_batch_size(self, fields, objs):
        if not fields:
            return len(objs)
        return self.connection.features.max_query_params // len(fields)


class DatabaseWrapper(base.DatabaseWrapper):
    features_class = DatabaseFeatures
    ops_class = DatabaseOperations
