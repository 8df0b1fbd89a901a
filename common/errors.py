"""Errors that services raise and views, the API, admin and tasks turn into clear messages."""

from __future__ import annotations


class DomainError(Exception):
    """A business rule refused the operation. `message` is fit to show to the user."""

    def __init__(self, message: str, *, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.code = code


class ValidationFailed(DomainError):
    """Input was refused; `errors` maps a field path (e.g. "items.0.quantity") to its messages.

    Nothing was written when this is raised.
    """

    def __init__(self, errors: dict[str, list[str]], message: str = "Please correct the errors below."):
        super().__init__(message, code="validation")
        self.errors = errors

    @classmethod
    def single(cls, field: str, message: str) -> ValidationFailed:
        return cls({field: [message]}, message)

    def text(self) -> str:
        """All messages in one line, for places without a form to attach them to."""
        return " ".join(message for messages in self.errors.values() for message in messages) or self.message


class PermissionDenied(DomainError):
    """The actor may not do this to this object."""

    def __init__(self, message: str = "You are not allowed to do this."):
        super().__init__(message, code="forbidden")


class Conflict(DomainError):
    """The object changed under us (a concurrent action won); the user should reload and retry."""

    def __init__(self, message: str):
        super().__init__(message, code="conflict")
