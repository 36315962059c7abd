"""The errors a user can cause and fix: one named family, so every layer knows them apart from bugs.

The HTTP app maps them to a status (``status``) and a JSON ``{"error": …}`` in one place; the CLI
prints one line for them and a traceback for anything else. Messages name what to fix (the
parameter, file or line).
"""

from __future__ import annotations


class UserError(Exception):
    """Something the user asked for cannot be done as asked; the message says what to change.
    ``details`` are extra facts for the answer (the candidates, the available formats)."""

    status = 400

    def __init__(self, message: str, **details: object) -> None:
        super().__init__(message)
        self.details = details


class BadInput(UserError, ValueError):
    """A value is malformed or names nothing vankien knows (an unknown format name, a bad number)."""


class IdentifierError(BadInput):
    """A document number (or its date, term or issuer's jurisdiction) that could not be understood."""


class NotFound(UserError, LookupError):
    """Nothing answers to the given identifier (a document, a resource, a file)."""

    status = 404


class Ambiguous(UserError, LookupError):
    """A name fits several things; ``details["candidates"]`` lists them so the user can pick one."""

    status = 300


class Unavailable(UserError):
    """A store or service the request needs does not answer now; trying again later may work."""

    status = 503


class NotAcceptable(UserError):
    """What the client will accept (``format=`` or ``Accept``) is not a form this answer comes in."""

    status = 406
