"""Domain errors: messages a warehouse worker understands, shown as they are."""


class DomainError(Exception):
    """An operation was refused; nothing was written."""


class NotFound(DomainError):
    """Something named by the person does not exist."""


class Refused(DomainError):
    """The operation breaks a stock rule."""


class DatabaseUnavailable(DomainError):
    """The database cannot be opened, is busy or is read-only."""


class DiskFull(DomainError):
    """The disk a write needed is full (or the user's quota is used up); nothing was
    written."""


class Unlikely(DomainError):
    """Allowed, but so far from the usual that the person must confirm it first: a
    quantity ten times the largest move, an expired lot received."""
