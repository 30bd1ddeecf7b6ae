"""What every command shares: the output options, the read set-up, one-line errors, emitting a result.

Capability commands (``bilateral/commands/*.py``) import from here, never from ``cli.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Generic, TypeVar, overload

import typer

from bilateral.errors import BilateralError

if TYPE_CHECKING:
    from bilateral.harmonise.pairs import Pair
    from bilateral.output import OutputFormat
    from bilateral.store.db import Store

__all__ = ["FormatOpt", "OutOpt", "PairOpt", "PeriodOpt", "QuarantineOpt", "ReadCommand", "StoreOpt", "emit",
           "pair_report", "read_command", "run"]

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


P = TypeVar("P")


@dataclass(frozen=True)
class ReadCommand(Generic[P]):
    """A read command's checked options: the output format, the pair when it takes one, its store."""

    fmt: OutputFormat
    pair: P  # a Pair for a pair command, else None
    store_path: Path | None

    def open(self) -> Store:
        """The store opened read-only (created, migrated and loaded with the embedded release first if needed)."""
        from bilateral.api import open_store

        return open_store(self.store_path, read_only=True)


@overload
def read_command(fmt: str, store: Path | None) -> ReadCommand[None]: ...
@overload
def read_command(fmt: str, store: Path | None, pair: str) -> ReadCommand[Pair]: ...
def read_command(fmt: str, store: Path | None, pair: str | None = None) -> ReadCommand[Any]:
    """The set-up every read command shares: ``--format`` checked, then ``--pair`` parsed (when given).

    Open the store with :meth:`ReadCommand.open` once the command's own options are checked.
    """
    from bilateral.output import check_format

    checked = check_format(fmt)
    if pair is None:
        return ReadCommand(checked, None, store)
    from bilateral.harmonise.pairs import parse_pair

    return ReadCommand(checked, parse_pair(pair), store)


def pair_report(pair: str, fmt: str, out: Path | None, store: Path | None, compute: Callable[[Any, Any], Any],
                 to_rows: Callable[[Any], list[dict[str, Any]]], render: Callable[[Any, Any], None]) -> Any:
    """The shared body of a pair command: check options, compute on a ready store, emit; returns the result."""
    cmd = read_command(fmt, store, pair)
    with cmd.open() as s:
        result = compute(s, cmd.pair)
    if fmt == "table":  # only the rendering is needed: skip building the JSON object and the flat rows
        emit(fmt, out, None, [], lambda c: render(result, c))
        return result
    obj = result.to_dict() if hasattr(result, "to_dict") else result
    emit(fmt, out, obj, to_rows(result), lambda c: render(result, c))
    return result
