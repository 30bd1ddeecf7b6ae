"""Arrow schemas of the canonical tables, and helpers that build them from rows."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

import pyarrow as pa

from bilateral.errors import InputError
from bilateral.validation import MAX_USD

USD_PER_MILLION = 1_000_000

FLOWS_SCHEMA = pa.schema([
    ("source", pa.string()),
    ("release", pa.string()),
    ("period", pa.string()),
    ("period_kind", pa.string()),
    ("reporter", pa.string()),
    ("partner", pa.string()),
    ("flow", pa.string()),
    ("hs_revision", pa.string()),
    ("product", pa.string()),
    ("product_level", pa.int8()),
    ("value_usd", pa.float64()),
    ("quantity", pa.float64()),
    ("quantity_unit", pa.string()),
    ("estimate", pa.string()),
    ("quality", pa.string()),
])

OFFICIAL_SCHEMA = pa.schema([
    ("release", pa.string()),
    ("period", pa.string()),
    ("period_kind", pa.string()),
    ("reporter", pa.string()),
    ("partner", pa.string()),
    ("flow", pa.string()),
    ("value_usd", pa.float64()),
    ("status", pa.string()),
    ("authoritative", pa.bool_()),
    ("publisher", pa.string()),
    ("url", pa.string()),
    ("published", pa.string()),
    ("note", pa.string()),
])

PRODUCTS_SCHEMA = pa.schema([
    ("release", pa.string()),
    ("classification", pa.string()),
    ("product", pa.string()),
    ("product_level", pa.int8()),
    ("description", pa.string()),
    ("quantity_unit", pa.string()),
])

COUNTRIES_SCHEMA = pa.schema([
    ("release", pa.string()),
    ("spelling", pa.string()),
    ("iso3", pa.string()),
    ("kind", pa.string()),
    ("method", pa.string()),
    ("note", pa.string()),
])

SCHEMAS = {
    "flows": FLOWS_SCHEMA,
    "official_totals": OFFICIAL_SCHEMA,
    "products": PRODUCTS_SCHEMA,
    "countries": COUNTRIES_SCHEMA,
}

#: sort keys that make a table's row order (and so its Parquet bytes) deterministic
SORT_KEYS = {
    "flows": ["period", "reporter", "partner", "flow", "product"],
    "official_totals": ["period", "reporter", "partner", "flow", "release"],
    "products": ["product_level", "product"],
    "countries": ["spelling"],
}


def to_table(kind: str, rows: Iterable[Mapping[str, Any]]) -> pa.Table:
    """Build a canonical table from row dicts, sorted deterministically."""
    schema = SCHEMAS[kind]
    data: dict[str, list[Any]] = {name: [] for name in schema.names}
    for row in rows:
        for name in schema.names:
            data[name].append(row.get(name))
    table = pa.table(data, schema=schema)
    keys = [(k, "ascending") for k in SORT_KEYS[kind]]
    return table.sort_by(keys)


def parse_usd_millions(text: Any, *, file: str, field: str, row: int | None = None, line: int | None = None) -> float:
    """US$ million as published ("1,102.68") → US dollars, exactly (no float rounding).

    Values are published with at most two decimals, so dollars are whole numbers; a float64
    holds them, and their sums, exactly.
    """
    raw = str(text).strip().replace(",", "")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise InputError(f"value {text!r} is not a number", file=file, row=row, line=line, field=field) from None
    if not value.is_finite():
        raise InputError(f"value {text!r} is not a finite number", file=file, row=row, line=line, field=field)
    if value < 0:
        raise InputError(f"value {text!r} is negative", file=file, row=row, line=line, field=field)
    dollars = value * USD_PER_MILLION
    if dollars > Decimal(MAX_USD):
        raise InputError(f"value {str(text)[:40]!r} is larger than US$1e15, more than world trade (US$ million "
                         "are expected)", file=file, row=row, line=line, field=field)
    if dollars != dollars.to_integral_value():
        raise InputError(
            f"value {text!r} has more precision than US$1 after scaling from millions",
            file=file, row=row, line=line, field=field,
        )
    return float(int(dollars))
