"""Errors that carry a message a user can act on."""

from __future__ import annotations


class BilateralError(Exception):
    """Base class: the message says what is wrong and how to fix it."""


class InputError(BilateralError):
    """Bad input data: the message names the file (or API query), line or row, and field."""

    def __init__(self, message: str, *, file: str | None = None, row: int | None = None,
                 field: str | None = None, line: int | None = None, query: str | None = None) -> None:
        where = []
        if file is not None:
            where.append(str(file))
        if query is not None:
            where.append(f"query {query}")
        if line is not None:
            where.append(f"line {line}")
        if row is not None:
            where.append(f"row {row}")
        if field is not None:
            where.append(f"field {field!r}")
        prefix = ", ".join(where)
        super().__init__(f"{prefix}: {message}" if prefix else message)
        self.file = file
        self.row = row
        self.field = field
        self.line = line
        self.query = query


class StoreError(BilateralError):
    """The store cannot be opened, migrated or written."""


class NotAvailableError(BilateralError):
    """The data to answer a question are not in the store; the message says what to load.

    ``pair_hint``: a pair the store does hold for the same question (the reverse direction), which
    each interface offers in its own terms (the CLI as ``--pair``, the dashboard as a link).
    """

    def __init__(self, message: str, *, pair_hint: str | None = None) -> None:
        super().__init__(message)
        self.pair_hint = pair_hint
