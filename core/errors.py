class DomainError(Exception):
    """A refusal by a business rule; the message is shown to the user as is (Chinese)."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
