"""Shared output options for every command: table (rich), csv, json, parquet; stdout or --out."""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal, get_args

from bilateral.errors import BilateralError

OutputFormat = Literal["table", "csv", "json", "parquet"]
FORMATS: tuple[str, ...] = get_args(OutputFormat)


def check_format(fmt: str) -> OutputFormat:
    if fmt not in FORMATS:
        raise BilateralError(f"unknown --format {fmt!r}; use one of {', '.join(FORMATS)}")
    return fmt  # type: ignore[return-value]


def _clean(value: Any) -> Any:
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def to_json(obj: Any) -> str:
    return json.dumps(_clean(obj), indent=2, ensure_ascii=False, default=str) + "\n"


def to_csv(rows: list[dict[str, Any]]) -> str:
    buf = io.StringIO()
    if rows:
        writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(_clean(rows))
    return buf.getvalue()


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    tmp.replace(path)


def emit(*, fmt: str, out: Path | None, obj: Any, rows: list[dict[str, Any]],
         render: Callable[[Any], None]) -> None:
    """Write a result in the chosen format to stdout or ``out`` (written atomically).

    ``obj`` is the structured result (json), ``rows`` its flat table (csv, parquet) and ``render``
    draws it on a rich Console (table).
    """
    fmt = check_format(fmt)
    if fmt == "parquet":
        if out is None:
            raise BilateralError("--format parquet needs --out PATH (Parquet is binary)")
        import pyarrow as pa
        import pyarrow.parquet as pq

        buf = io.BytesIO()
        pq.write_table(pa.Table.from_pylist(_clean(rows)), buf, compression="zstd")
        _atomic_write(out, buf.getvalue())
        return
    if fmt == "table":
        from rich.console import Console

        if out is None:
            render(Console())
        else:
            with out.open("w", encoding="utf-8") as fh:
                render(Console(file=fh, width=120, color_system=None))
        return
    text = to_json(obj) if fmt == "json" else to_csv(rows)
    if out is None:
        import sys

        sys.stdout.write(text)
    else:
        _atomic_write(out, text.encode("utf-8"))
