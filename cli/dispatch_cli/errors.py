class CLIError(Exception):
    """A failure to report as one line on stderr, with the HTTP status when the server answered.

    Exit status 1 for anything refused (by the server, or here: a file that cannot be read, a path that
    leaves the bundle's folder); 2 only for a malformed command line."""

    def __init__(self, message: str, status: int | None = None, exit_code: int = 1, errors=None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.exit_code = exit_code
        self.errors = errors if isinstance(errors, dict) else {}  # the API's field errors

    def __str__(self) -> str:
        return f"{self.message} (HTTP {self.status})" if self.status else self.message
