"""What every command shares: the option types, the read set-up, one-line errors, emitting a result.

Capability commands (``bilateral/commands/*.py``) import from here, never from ``cli.py``.

**One error path.** :class:`BilateralGroup` is the class of the ``bilateral`` app: whichever way a
command is run (the console script, ``python -m bilateral.cli``, typer's test runner), a usage
error (an unknown option, a bad value, a missing command) is one line ``error: …`` naming the
option and what it accepts, exit code 2; an error in the work is one line and exit code 1
(:func:`run`); Ctrl-C exits 130 and a closed pipe 141, quietly. ``--help`` is unchanged.

**Option types.** Each value is checked where it enters, by a parser built on the one rule set in
:mod:`bilateral.validation` (the dashboard's request checks call the same functions); files are
checked by :mod:`bilateral.inputs` (what may be read) and :mod:`bilateral.output` (what may be
written).
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Generic, NoReturn, TypeVar, overload

import click
import typer
from typer.core import TyperGroup

from bilateral import validation
from bilateral.errors import BilateralError

if TYPE_CHECKING:
    from bilateral.harmonise.pairs import Pair
    from bilateral.output import OutputFormat
    from bilateral.store.db import Store

__all__ = [
    "BROKEN_PIPE_EXIT", "INTERRUPTED_EXIT", "USAGE_EXIT", "BilateralGroup", "CountOpt", "FormatOpt", "OutOpt",
    "PairOpt", "PeriodOpt", "QuarantineOpt", "SeedOpt", "StoreOpt", "YearOpt", "YearsOpt", "checked", "choice",
    "country", "count_parser", "data_period", "day", "emit", "folder_path", "input_path", "int_choice",
    "model_period", "number", "output_path", "pair_report", "ReadCommand", "read_command", "run", "text_file",
    "usage_line", "usd", "whole",
]

USAGE_EXIT = 2  # click's code for a usage error
INTERRUPTED_EXIT = 130  # 128 + SIGINT, what shells report for Ctrl-C
BROKEN_PIPE_EXIT = 141  # 128 + SIGPIPE, what shells report when the reader of a pipe went away
#: narrowest $COLUMNS the tables are drawn at (rich draws nothing at 0)
MIN_COLUMNS = 20
MAX_COLUMNS = 10_000
#: stands for the option's name in a parser's message ("unknown {option} 'xml'"); filled in by usage_line
OPTION = "{option}"


# -- parsers: the rules of bilateral.validation as option types ------------------------------------------------


def checked(name: str, check: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """An option parser: ``check`` the value; a refusal becomes click's bad-value error (exit 2, one line)."""

    def parse(value: Any) -> Any:
        try:
            return check(value)
        except BilateralError as exc:
            raise ValueError(str(exc)) from None

    parse.__name__ = name  # click shows it as the metavar
    return parse


def _whole(value: Any, allowed: str) -> int:
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if not text.lstrip("+-").isdigit() or len(text) > 40:
        raise validation.InvalidValue(f"{validation.quote(str(value))} is not a whole number; give {allowed}")
    return int(text)


def _float(value: Any) -> float:
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value).strip())
    except ValueError:
        raise validation.InvalidValue(f"{validation.quote(str(value))} is not a number") from None


def count_parser(maximum: int = validation.MAX_COUNT, zero: str = "all") -> Callable[[Any], int]:
    """A row count: 0 (``zero``) or 1 to ``maximum``."""
    return checked("count", lambda v: validation.count(
        _whole(v, f"0 ({zero}) or a count up to {maximum:,}"), maximum=maximum, zero=zero))


def number(low: float | None = None, high: float | None = None, *, low_open: bool = False,
           name: str = "number") -> Callable[[Any], float]:
    """A finite number in [low, high] (``low_open``: above ``low``); NaN and infinities refused."""
    return checked(name, lambda v: validation.finite(_float(v), low=low, high=high, low_open=low_open,
                                                      what="value"))


def whole(low: int, high: int, *, name: str = "number") -> Callable[[Any], int]:
    """A whole number from ``low`` to ``high``."""

    def check(value: Any) -> int:
        allowed = f"a whole number from {low} to {high}"
        n = _whole(value, allowed)
        if not low <= n <= high:
            raise validation.InvalidValue(f"{n} is out of range; give {allowed}")
        return n

    return checked(name, check)


def usd(*, positive: bool = True) -> Callable[[Any], float]:
    """US dollars: finite, above zero (or not negative), at most :data:`bilateral.validation.MAX_USD`."""
    return checked("usd", lambda v: validation.usd_amount(_float(v), positive=positive, what="US$"))


def _seed(value: Any) -> int:
    return validation.seed(_whole(value, f"a whole number from 0 to {validation.MAX_SEED:,}"))


def _year(value: Any) -> int:
    return validation.data_year(_whole(value, f"a year from {validation.FIRST_DATA_YEAR} on, e.g. 2024"))


def _years(value: Any) -> str:
    validation.years(str(value))
    return str(value)


def data_period(value: Any) -> str:
    """A period of data (FY2024-25, CY2022) from 1962 to 2100, as its canonical label."""
    return validation.period(str(value)).label


def model_period(value: Any) -> str:
    """A period a model may reach (a target year): FY2029-30, 2030, up to 2100, as written."""
    validation.period(str(value), first=validation.FIRST_MODEL_YEAR, last=validation.LAST_MODEL_YEAR)
    return str(value)


def country(value: Any) -> str:
    """A known country code, upper-cased."""
    return validation.country_code(str(value))


def _pair(value: Any) -> str:
    return validation.pair(str(value)).label


def day(first: date, last: date | None = None, *, name: str = "date") -> Callable[[Any], str]:
    """A date YYYY-MM-DD from ``first`` to ``last`` (default: today), kept as its ISO text."""
    return checked(name, lambda v: validation.calendar_date(str(v), first=first, last=last or date.today()).isoformat())


def choice(values: Sequence[str] | Callable[[], Sequence[str]], *, name: str = "choice", fold: bool = True,
           key: Callable[[str], str] | None = None) -> Callable[[Any], str]:
    """One of ``values`` (case-insensitive with ``fold``; compared through ``key`` if given).

    ``values`` may be a function, called when a value is checked (so the CLI starts without reading it).
    """

    def check(value: Any) -> str:
        text = str(value).strip()
        allowed = values() if callable(values) else values
        for v in allowed:
            if text == v or (fold and text.lower() == v.lower()) or (key is not None and key(text) == key(v)):
                return v
        raise validation.InvalidValue(f"unknown {OPTION} {validation.quote(text)}; use one of {', '.join(allowed)}")

    return checked(name, check)


def int_choice(values: Sequence[int], *, name: str = "level") -> Callable[[Any], int]:
    """One of the whole numbers ``values``."""

    def check(value: Any) -> int:
        n = _whole(value, f"one of {', '.join(map(str, values))}")
        if n not in values:
            raise validation.InvalidValue(f"{OPTION} {n} is not one of {', '.join(map(str, values))}")
        return n

    return checked(name, check)


def input_path(what: str, max_bytes: int | None = None, *, folder: bool = False) -> Callable[[Any], Path]:
    """A file (or, with ``folder``, a folder) to read: exists, not a device or FIFO, at most ``max_bytes``."""

    def check(value: Any) -> Path:
        from bilateral.inputs import check_file

        path = Path(str(value)).expanduser()
        check_file(path, what, max_bytes, folder=folder)
        return path

    return checked("path", check)


def folder_path(what: str) -> Callable[[Any], Path]:
    """An existing folder (through symlinks)."""

    def check(value: Any) -> Path:
        from bilateral.inputs import check_path

        path = Path(str(value)).expanduser()
        if not stat.S_ISDIR(check_path(path, what, folder=True).st_mode):
            raise validation.InvalidValue(f"{path} is a file; give the {what} as a folder")
        return path

    return checked("folder", check)


def text_file(what: str, max_bytes: int | None = None) -> Callable[[Any], Path]:
    """A text file to read (a YAML or CSV the user wrote): as :func:`input_path`, and UTF-8 text, not binary."""

    def check(value: Any) -> Path:
        from bilateral.inputs import CONFIG_MAX_BYTES, read_text

        path = Path(str(value)).expanduser()
        read_text(path, what, max_bytes or CONFIG_MAX_BYTES)
        return path

    return checked("path", check)


def output_path(label: str = "--out", *, folder_ok: bool = False) -> Callable[[Any], Path]:
    """A file to write: not a folder, device or FIFO, not an input (see :func:`bilateral.output.check_output`).

    ``folder_ok``: an existing folder passes (a command that writes a folder, e.g. a partitioned
    export, says what it allows; its file writes still refuse a folder).
    """

    def check(value: Any) -> Path:
        from bilateral.output import check_output

        text = str(value)
        if not text.strip():
            raise validation.InvalidValue("an empty path; give a file name")
        path = Path(text).expanduser()
        if folder_ok and os.path.isdir(path):
            return path
        check_output(path, label)
        return path

    return checked("path", check)


def _store(value: Any) -> Path:
    from bilateral.inputs import kind_of

    text = str(value)
    if not text.strip():
        raise validation.InvalidValue("an empty path; give the store's file name, e.g. bilateral.duckdb")
    path = Path(text).expanduser()
    try:
        st = os.stat(path)
    except OSError:
        return path  # absent (created on first use) or unreadable: the store says which, in one line
    if stat.S_ISDIR(st.st_mode):
        raise validation.InvalidValue(f"store {path} is a directory; point --store at a file, e.g. "
                                      f"{path / 'bilateral.duckdb'}")
    if not stat.S_ISREG(st.st_mode):
        raise validation.InvalidValue(f"store {path} is {kind_of(st.st_mode)}, not a store file")
    return path


# -- the shared options ----------------------------------------------------------------------------------------

FormatOpt = Annotated[str, typer.Option("--format", "-f", parser=choice(("table", "csv", "json", "parquet"), name="format"),
                                        help="Output format: table, csv, json or parquet.")]
OutOpt = Annotated[Path | None, typer.Option("--out", "-o", parser=output_path("--out"),
                                             help="Write to this file instead of the terminal.")]
StoreOpt = Annotated[
    Path | None,
    typer.Option("--store", parser=checked("path", _store),
                 help="DuckDB store file (default: $BILATERAL_STORE, else the user data directory)."),
]
QuarantineOpt = Annotated[
    Path | None,
    typer.Option("--quarantine", parser=output_path("--quarantine"),
                 help="Load the valid rows and write the rejected ones, with reasons, to this CSV."),
]
PeriodOpt = Annotated[
    str | None,
    typer.Option("--period", "--fy", parser=checked("period", data_period),
                 help="Fiscal year FY2024-25 (or 2024-25) or calendar year CY2022 (default: the "
                 "latest the serving source holds). --fy is a synonym."),
]
PairOpt = Annotated[str, typer.Option("--pair", parser=checked("pair", _pair),
                                      help="Reporter and partner as ISO3 codes, e.g. IND-RUS.")]
CountOpt = Annotated[int, typer.Option("--top", parser=count_parser(), help="Number of rows shown (0: all).")]
SeedOpt = Annotated[int, typer.Option("--seed", parser=checked("seed", _seed),
                                      help="Seed of the simulation behind the intervals and the probability.")]
YearOpt = Annotated[int | None, typer.Option("--year", parser=checked("year", _year),
                                             help="Matrix year (default: the embedded 2024, or a loaded BACI year).")]
YearsOpt = Annotated[str | None, typer.Option("--years", parser=checked("years", _years),
                                              help="Only these years, e.g. 2022 or 2019-2022.")]
#: parsers for capability commands' own options
PAIR = checked("pair", _pair)
COUNTRY = checked("country", country)
DATA_PERIOD = checked("period", data_period)
MODEL_PERIOD = checked("period", model_period)
SEED = checked("seed", _seed)
YEAR = checked("year", _year)
YEARS = checked("years", _years)
HS_CODE = checked("hs_code", validation.hs_code)


# -- the one error path ----------------------------------------------------------------------------------------


def _hint(param: click.Parameter | None) -> str:
    """How a message names the parameter: its long option (--top), or an argument's name (table)."""
    if param is None:
        return "a value"
    if isinstance(param, click.Option):
        longs = [o for o in param.opts if o.startswith("--")]
        return (longs or param.opts)[0]
    return (param.name or param.human_readable_name or "argument").lower()


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _commands_of(ctx: click.Context | None) -> list[str]:
    cmd = ctx.command if ctx is not None else None
    if isinstance(cmd, click.Group) and ctx is not None:
        return [n for n in cmd.list_commands(ctx) if not (c := cmd.get_command(ctx, n)) or not c.hidden]
    return []


def usage_line(exc: click.ClickException) -> str:
    """One line for a click usage error: what is wrong, the option and what it accepts."""
    ctx = getattr(exc, "ctx", None)
    where = f"`{ctx.command_path}`" if ctx is not None else "`bilateral`"
    see = f" (see {where[:-1]} --help`)"
    if isinstance(exc, click.exceptions.NoArgsIsHelpError):
        names = _commands_of(ctx)
        if names:
            return f"error: {where} needs a command: one of {', '.join(names)}{see}"
        return f"error: {where} needs arguments{see}"
    if isinstance(exc, click.NoSuchOption):
        maybe = f"; did you mean {' or '.join(exc.possibilities)}?" if exc.possibilities else ""
        return f"error: no such option {exc.option_name} for {where}{maybe}{see}"
    if isinstance(exc, click.BadOptionUsage):
        if "requires an argument" in exc.message:
            return f"error: {exc.option_name} needs a value{see if ctx is not None else ''}"
        return f"error: {exc.option_name}: {_one_line(exc.message).rstrip('.')}{see if ctx is not None else ''}"
    if isinstance(exc, click.MissingParameter):
        param = exc.param
        helptext = _one_line(getattr(param, "help", "") or "").rstrip(".")
        return f"error: {where} needs {_hint(param)}" + (f" ({helptext})" if helptext else "") + see
    if isinstance(exc, click.BadParameter):  # the message says what is allowed: no pointer to --help
        hint, msg = _hint(exc.param), _one_line(exc.message).rstrip(".")
        if OPTION in msg:
            return "error: " + msg.replace(OPTION, hint)
        if hint in msg or isinstance(exc.param, click.Argument):  # an argument's message names its file or value
            return f"error: {msg}"
        return f"error: {hint}: {msg}"
    message = _one_line(exc.format_message()).rstrip(".")
    if message == "Missing command":
        names = _commands_of(ctx)
        return f"error: {where} needs a command: one of {', '.join(names)}{see}"
    if message.startswith("No such command"):
        names = _commands_of(ctx)
        return f"error: {message[0].lower()}{message[1:]}; {where} takes one of {', '.join(names)}{see}"
    return f"error: {message[0].lower()}{message[1:]}{see}" if message else f"error: bad usage{see}"


def _quiet_stdout() -> None:
    """After a broken pipe: point stdout at /dev/null so the interpreter's last flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # a captured stdout has no file descriptor
        pass


def _check_environment() -> None:
    """Environment values the output depends on, checked like options."""
    columns = os.environ.get("COLUMNS")
    if columns is not None and columns.strip() != "":
        if not columns.strip().isdigit() or not MIN_COLUMNS <= int(columns) <= MAX_COLUMNS:
            raise click.UsageError(f"$COLUMNS={validation.quote(columns)} is not a terminal width; unset it or give "
                                   f"a whole number from {MIN_COLUMNS} to {MAX_COLUMNS}")


def _printable_streams() -> None:
    """A terminal or pipe that cannot encode a character (PYTHONIOENCODING=ascii) shows '?' instead of failing."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and (getattr(stream, "encoding", "") or "").lower().replace("-", "") != "utf8":
            try:
                reconfigure(errors="replace")
            except (ValueError, OSError):
                pass


class BilateralGroup(TyperGroup):
    """The ``bilateral`` app's click group: every usage error one line and exit 2; Ctrl-C 130; a closed pipe 141."""

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,  # type: ignore[override]
             complete_var: str | None = None, standalone_mode: bool = True, **extra: Any) -> Any:
        from bilateral.inputs import forget_inputs

        forget_inputs()
        _printable_streams()
        try:
            _check_environment()
            rv = super().main(args, prog_name or "bilateral", complete_var, standalone_mode=False, **extra)
            code = rv if isinstance(rv, int) else 0
        except click.exceptions.Exit as exc:
            code = exc.exit_code
            if isinstance(exc.__cause__, KeyboardInterrupt):  # typer's own Ctrl-C handling, silent otherwise
                loading = list(args if args is not None else sys.argv[1:])[:1] == ["ingest"]
                click.echo(NOTHING_LOADED if loading else INTERRUPTED, err=True)
        except click.ClickException as exc:
            click.echo(usage_line(exc) if isinstance(exc, click.UsageError) else f"error: {_one_line(exc.format_message())}",
                       err=True)
            code = USAGE_EXIT if isinstance(exc, click.UsageError) else exc.exit_code
        except (click.Abort, KeyboardInterrupt):
            loading = list(args if args is not None else sys.argv[1:])[:1] == ["ingest"]
            click.echo(NOTHING_LOADED if loading else INTERRUPTED, err=True)
            code = INTERRUPTED_EXIT
        except BrokenPipeError:
            _quiet_stdout()
            code = BROKEN_PIPE_EXIT
        if standalone_mode:
            sys.exit(code)
        return code


INTERRUPTED = "interrupted"
NOTHING_LOADED = "interrupted: nothing was loaded"


def _interrupted(message: str = INTERRUPTED) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(INTERRUPTED_EXIT)


def run(fn: Callable[[], None], *, interrupted: str = INTERRUPTED) -> None:
    """Run a command body: BilateralError → one clear line and exit 1.

    Ctrl-C → the ``interrupted`` line and exit 130; a closed pipe → exit 141, quietly.
    """
    try:
        fn()
    except BilateralError as exc:
        hint = getattr(exc, "pair_hint", None)  # a pair the store holds instead (NotAvailableError)
        typer.echo(f"error: {_one_line(str(exc))}" + (f"; try --pair {hint}" if hint else ""), err=True)
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        _interrupted(interrupted)
    except BrokenPipeError:
        _quiet_stdout()
        raise typer.Exit(BROKEN_PIPE_EXIT) from None
    except OSError as exc:  # a file-system error no layer turned into a message: still one line
        where = f": {exc.filename}" if exc.filename else ""
        typer.echo(f"error: {exc.strerror or exc}{where}", err=True)
        raise typer.Exit(1) from None


def emit(fmt: str, out: Path | None, obj: Any, rows: list[dict[str, Any]],
         render: Callable[[Any], None]) -> None:
    """Write a result in ``fmt`` to stdout or ``out`` (see :func:`bilateral.output.emit`)."""
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

    fmt_checked = check_format(fmt)
    if pair is None:
        return ReadCommand(fmt_checked, None, store)
    from bilateral.harmonise.pairs import parse_pair

    return ReadCommand(fmt_checked, parse_pair(pair), store)


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
