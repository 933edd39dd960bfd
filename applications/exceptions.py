"""Domain errors that every surface turns into its own answer (400, 403, 404, 409).

Validation errors are Django's ValidationError and permission errors Django's PermissionDenied;
these two complete the set.
"""


class NotFound(Exception):
    """The thing does not exist, or the user may not see it: the two must look the same."""


class StaleRevision(Exception):
    """The caller changed an older revision than the one stored: it must re-read and retry."""

    def __init__(self, thing, given: int, current: int):
        self.given = given
        self.current = current
        super().__init__(
            f"{thing} has changed since revision {given} (it is at revision {current}); "
            "read it again and repeat your change."
        )


class QuotaExceeded(Exception):
    """A run would exceed one of its application's quotas: the caller should wait and retry (429)."""
