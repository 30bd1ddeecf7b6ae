"""One loader for the classification files in ``harmonise/data/``: required columns and unique keys checked."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from functools import cache
from importlib import resources

from bilateral.errors import BilateralError

__all__ = ["read_table"]


@cache
def _read(name: str, required: tuple[str, ...], key: tuple[str, ...]) -> tuple[dict[str, str], ...]:
    where = f"bilateral/harmonise/data/{name}"
    text = resources.files("bilateral.harmonise").joinpath(f"data/{name}").read_text(encoding="utf-8")
    reader = csv.DictReader(text.splitlines())
    missing = [c for c in required if c not in (reader.fieldnames or [])]
    if missing:
        raise BilateralError(f"{where}: lacks the column(s) {', '.join(missing)}")
    rows: list[dict[str, str]] = []
    seen: dict[tuple[str, ...], int] = {}
    for line, row in enumerate(reader, start=2):
        for c in required:
            if row.get(c) is None:
                raise BilateralError(f"{where}, line {line}, field {c!r}: missing value")
        k = tuple(row[c] for c in key)
        if key and k in seen:
            raise BilateralError(f"{where}, line {line}: key {k} repeats line {seen[k]}")
        seen[k] = line
        rows.append({c: (v or "").strip() for c, v in row.items() if c is not None})
    return tuple(rows)


def read_table(name: str, required: Sequence[str], key: Sequence[str] = ()) -> tuple[dict[str, str], ...]:
    """Rows of ``harmonise/data/<name>`` as dicts; fails naming the file, line and field."""
    return _read(name, tuple(required), tuple(key))
