"""What every command shares: the output options, one-line errors, emitting a result.

Capability commands (``bilateral/commands/*.py``) import from here, never from ``cli.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from bilateral.errors import BilateralError

__all__ = ["FormatOpt", "OutOpt", "PairOpt", "PeriodOpt", "QuarantineOpt", "StoreOpt", "emit", "pair_report", "run"]

FormatOpt = Annotated[str, typer.Option("--format", "-f", help="Output format: table, csv, json or parquet.")]
OutOpt = Annotated[Path | None, typer.Option("--out", "-o", help="Write to this file instead of the terminal.")]
StoreOpt = Annotated[
    Path | None,
    typer.Option("--store", help="DuckDB store file (default: $BILATERAL_STORE, else the user data directory)."),
]
QuarantineOpt = Annotated[
    Path | None,
    typer.Option("--quarantine", help="Load the valid rows and write the rejected ones, with reasons, to this CSV."),
]
PeriodOpt = Annotated[
    str | None,
    typer.Option("--period", "--fy", help="Fiscal year FY2024-25 (or 2024-25) or calendar year CY2022 (default: the "
                 "latest the serving source holds). --fy is a synonym."),
]
PairOpt = Annotated[str, typer.Option("--pair", help="Reporter and partner as ISO3 codes, e.g. IND-RUS.")]


def run(fn: Callable[[], None]) -> None:
    """Run a command body; turn BilateralError into one clear line and exit code 1."""
    try:
        fn()
    except BilateralError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None


def emit(fmt: str, out: Path | None, obj: Any, rows: list[dict[str, Any]],
          render: Callable[[Any], None]) -> None:
    from bilateral.output import emit

    emit(fmt=fmt, out=out, obj=obj, rows=rows, render=render)


def pair_report(pair: str, fmt: str, out: Path | None, store: Path | None, compute: Callable[[Any, Any], Any],
                 to_rows: Callable[[Any], list[dict[str, Any]]], render: Callable[[Any, Any], None]) -> Any:
    """The shared body of a pair command: check options, compute on a ready store, emit; returns the result."""
    from bilateral.api import open_store, parse_pair
    from bilateral.output import check_format

    check_format(fmt)
    p = parse_pair(pair)
    with open_store(store, read_only=True) as s:
        result = compute(s, p)
    if fmt == "table":  # only the rendering is needed: skip building the JSON object and the flat rows
        emit(fmt, out, None, [], lambda c: render(result, c))
        return result
    obj = result.to_dict() if hasattr(result, "to_dict") else result
    emit(fmt, out, obj, to_rows(result), lambda c: render(result, c))
    return result
