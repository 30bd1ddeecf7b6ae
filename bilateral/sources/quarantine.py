"""Rejected input rows: collected with their reasons, written as CSV by ``--quarantine PATH``."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from bilateral.errors import InputError

#: how many problems an error message lists before it says "and N more"
MAX_LISTED_PROBLEMS = 5
QUARANTINE_COLUMNS = ("file", "line", "field", "value", "reason")


@dataclass(frozen=True)
class Rejection:
    """One rejected input row (or record): where it is and why it was refused."""

    file: str
    line: int | None
    field: str | None
    value: str | None
    reason: str

    def where(self) -> str:
        parts = [self.file]
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.field:
            parts.append(f"field {self.field!r}")
        return ", ".join(parts)


def as_error(rejections: list[Rejection], *, total: int | None = None) -> InputError:
    """One clear error for a list of problems: the first few in full, then a count."""
    total = len(rejections) if total is None else total
    first = rejections[0]
    listed = "; ".join(
        f"line {r.line}, field {r.field!r}: {r.reason}" if r.line is not None else r.reason
        for r in rejections[1:MAX_LISTED_PROBLEMS]
    )
    more = f"; also {listed}" if listed else ""
    rest = total - min(total, MAX_LISTED_PROBLEMS)
    tail = f" (and {rest:,} more)" if rest > 0 else ""
    return InputError(
        f"{first.reason}{more}{tail}. Nothing was loaded; fix the file, or pass --quarantine PATH "
        "to load the valid rows and write the rejected ones with their reasons",
        file=first.file, line=first.line, field=first.field,
    )


def write(path: Path, rejections: Iterable[Rejection]) -> int:
    """Write rejections as CSV through the safe-write rules (:func:`bilateral.output.write_atomic`).

    Returns rows written. The path must be a regular file (or new), never the input being loaded.
    """
    from bilateral.output import write_atomic

    n = 0

    def fill(tmp: Path) -> None:
        nonlocal n
        with tmp.open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(QUARANTINE_COLUMNS)
            for r in rejections:
                w.writerow([r.file, "" if r.line is None else r.line, r.field or "", r.value or "", r.reason])
                n += 1

    write_atomic(path, fill, label="--quarantine")
    return n
