class CLIError(Exception):
    """A failure to report as one line on stderr, with the HTTP status when the server answered."""

    def __init__(self, message: str, status: int | None = None, exit_code: int = 1):
        super().__init__(message)
        self.message = message
        self.status = status
        self.exit_code = exit_code

    def __str__(self) -> str:
        return f"{self.message} (HTTP {self.status})" if self.status else self.message
