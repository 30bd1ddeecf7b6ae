"""Shared output options for every command: table (rich), csv, json, parquet; stdout or --out."""

from __future__ import annotations

import csv
import errno
import io
import json
import math
import os
import stat
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
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


def to_csv(rows: list[dict[str, Any]], columns: list[str] | None = None) -> str:
    """CSV with a header; with no rows, the header of ``columns`` alone (empty if none are known)."""
    buf = io.StringIO()
    fields = list(rows[0]) if rows else list(columns or [])
    if fields:
        writer = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(_clean(rows))
    return buf.getvalue()


def _duckdb_error() -> type[BaseException]:
    """duckdb.Error when DuckDB is loaded (a writer may be a COPY), else a class nothing raises."""
    duckdb = sys.modules.get("duckdb")
    return duckdb.Error if duckdb is not None else _NeverRaised


class _NeverRaised(Exception):
    """Stands in for duckdb.Error when DuckDB was never imported."""


def _free_mb(folder: Path) -> str:
    try:
        st = os.statvfs(folder)
    except OSError:
        return ""
    return f"; {st.f_bavail * st.f_frsize / 1e6:,.1f} MB free there"


def _out_error(path: Path, exc: OSError, label: str = "--out", size: int | None = None) -> BilateralError:
    if exc.errno == errno.ENAMETOOLONG:
        return BilateralError(f"{label} {str(path)[:80]}… is too long for the file system; use a shorter name")
    if exc.errno in (errno.EEXIST, errno.ENOTDIR):
        return BilateralError(f"cannot write {label} {path}: a part of its folder path is a file, not a folder")
    if exc.errno == errno.EISDIR or path.is_dir():
        return BilateralError(f"{label} {path} is a directory; give a file path, e.g. {path / 'result.csv'}")
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        free = _free_mb(path.parent)
        need = f" (it needs {size / 1e6:,.1f} MB{free})" if size else (f" ({free[2:]})" if free else "")
        return BilateralError(f"cannot write {label} {path}: the disk is full{need}; free space or write elsewhere. "
                              "Nothing was written")
    if exc.errno == errno.EROFS:
        return BilateralError(f"cannot write {label} {path}: the file system is read-only; write elsewhere")
    return BilateralError(f"cannot write {label} {path}: {exc.strerror or exc}")


def _engine_error(path: Path, exc: BaseException, label: str) -> BilateralError:
    """A DuckDB write error (COPY … TO) as the OS error it wraps, in one line."""
    text = str(exc)
    for code, words in ((errno.ENOSPC, "No space left on device"), (errno.EROFS, "Read-only file system"),
                        (errno.EACCES, "Permission denied"), (errno.EISDIR, "Is a directory")):
        if words.lower() in text.lower():
            return _out_error(path, OSError(code, os.strerror(code)), label)
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    return BilateralError(f"cannot write {label} {path}: {first}")


def check_output(path: Path, label: str = "--out") -> Path:
    """Where a write to ``path`` goes, after the safe-write rules; one line (BilateralError) if refused.

    - A symlink is followed to its target (the link stays and the file it points to is replaced); a
      link whose target is missing is refused.
    - An existing target must be a regular file: a folder, device, FIFO or socket is refused.
    - A file this command reads (its input, or the store) is never written over.
    Returns the path actually written (the symlink's target, or ``path``).
    """
    from bilateral.inputs import is_input, kind_of

    target = path
    try:
        if os.path.islink(path):
            target = Path(os.path.realpath(path))
            if not os.path.exists(target):
                raise BilateralError(f"{label} {path} is a symlink to {target}, which does not exist; "
                                     "give the file itself, or fix the link")
        st = os.stat(target)
    except FileNotFoundError:
        return target
    except OSError as exc:
        raise _out_error(path, exc, label) from None
    if stat.S_ISDIR(st.st_mode):
        raise BilateralError(f"{label} {path} is a directory; give a file path, e.g. {path / 'result.csv'}")
    if not stat.S_ISREG(st.st_mode):
        raise BilateralError(f"{label} {path} is {kind_of(st.st_mode)}, not a regular file; only regular files "
                             "are written (give a file path)")
    if is_input(st):
        raise BilateralError(f"{label} {path} is a file this command reads (an input or the store); "
                             "write to another path")
    return target


def _mode_for(target: Path) -> tuple[int, int | None, int | None]:
    """The mode (and owner) the written file gets: an existing file's, else 0666 less the umask."""
    try:
        st = os.stat(target)
        return stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask, None, None


def write_atomic(path: Path, write: Callable[[Path], object], *, label: str = "--out",
                 size: int | None = None) -> None:
    """Write ``path`` all at once: ``write`` fills a temporary file beside it, which is then renamed.

    The safe-write rules of :func:`check_output` apply first (a symlink is followed; only regular
    files are written; an input is never replaced). The file keeps the permissions (and, where
    allowed, the owner) of the file it replaces; a new one gets 0666 less the umask. On any failure
    (or Ctrl-C) the temporary file is removed and ``path`` is left as it was; OS errors (a full
    disk, a read-only file system) become one line naming ``label`` (``size``: bytes to write, for
    the full-disk message).
    """
    target = check_output(path, label)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _out_error(path, exc, label) from None
    mode, uid, gid = _mode_for(target)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.part")
    try:
        write(tmp)
        os.chmod(tmp, mode)
        if uid is not None and gid is not None and (uid, gid) != (os.getuid(), os.getgid()):
            try:
                os.chown(tmp, uid, gid)
            except OSError:
                pass  # not allowed to give it away: it stays the writer's
        os.replace(tmp, target)
    except OSError as exc:
        raise _out_error(path, exc, label, size) from None
    except _duckdb_error() as exc:
        raise _engine_error(path, exc, label) from None
    finally:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass


def write_bytes_atomic(path: Path, data: bytes, *, label: str = "--out") -> None:
    """:func:`write_atomic` of bytes held in memory."""
    write_atomic(path, lambda tmp: tmp.write_bytes(data), label=label, size=len(data))


COPY_CHUNK = 1 << 20  # bytes per read when streaming a written file to stdout


def copy_to_stdout(write: Callable[[Path], object]) -> None:
    """Let ``write`` fill a temporary file, then stream it to stdout (for writers that need a path)."""
    import shutil
    import tempfile

    with tempfile.TemporaryDirectory(prefix="bilateral-") as folder:
        path = Path(folder) / "out"
        write(path)
        with path.open("rb") as fh:
            sys.stdout.flush()
            buffer = getattr(sys.stdout, "buffer", None)
            if buffer is not None:
                shutil.copyfileobj(fh, buffer, COPY_CHUNK)
                buffer.flush()
            else:  # a text-only stream (e.g. a test runner's capture)
                while chunk := fh.read(COPY_CHUNK):
                    sys.stdout.write(chunk.decode("utf-8"))


@contextmanager
def busy(message: str) -> Iterator[None]:
    """A spinner with ``message`` on stderr while the block runs, on a terminal only."""
    if not sys.stderr.isatty():
        yield
        return
    from rich.console import Console

    with Console(stderr=True).status(f"{message}…"):
        yield


def wrote(path: Path) -> None:
    """The one line that says where a result went (stderr, so stdout stays clean for pipes)."""
    sys.stderr.write(f"wrote {path}\n")


def _stdout_console() -> Any:
    """A rich Console on stdout whose closed pipe is a :class:`BrokenPipeError`, like any other write.

    rich's own handling exits 1 (``Console.on_broken_pipe``); the CLI turns a broken pipe into exit 141,
    quietly (:func:`bilateral.cli_common.run`), whichever format was written.
    """
    from rich.console import Console

    class _PipeConsole(Console):
        def on_broken_pipe(self) -> None:
            raise BrokenPipeError(errno.EPIPE, os.strerror(errno.EPIPE))

    return _PipeConsole()


def emit(*, fmt: str, out: Path | None, obj: Any, rows: list[dict[str, Any]],
         render: Callable[[Any], None], columns: list[str] | None = None) -> None:
    """Write a result in the chosen format to stdout or ``out`` (written atomically).

    ``obj`` is the structured result (json), ``rows`` its flat table (csv, parquet) and ``render``
    draws it on a rich Console (table). ``columns`` names the columns when ``rows`` may be empty, so
    that an empty CSV still has its header. After writing ``out``, says so on stderr.
    """
    fmt = check_format(fmt)
    if fmt == "parquet":
        if out is None:
            raise BilateralError("--format parquet needs --out PATH (Parquet is binary)")
        import pyarrow as pa
        import pyarrow.parquet as pq

        if rows:
            table = pa.Table.from_pylist(_clean(rows))
        else:
            table = pa.table({c: pa.array([], pa.null()) for c in columns or []})
        buf = io.BytesIO()
        pq.write_table(table, buf, compression="zstd")
        write_bytes_atomic(out, buf.getvalue())
        wrote(out)
        return
    if fmt == "table":
        from rich.console import Console

        if out is None:
            render(_stdout_console())
        else:
            text = io.StringIO()
            render(Console(file=text, width=120, color_system=None))
            write_bytes_atomic(out, text.getvalue().encode("utf-8"))
            wrote(out)
        return
    data = to_json(obj) if fmt == "json" else to_csv(rows, columns)
    if out is None:
        sys.stdout.write(data)
    else:
        write_bytes_atomic(out, data.encode("utf-8"))
        wrote(out)


STREAM_FLUSH_ROWS = 10_000  # rows written per chunk by stream_table


def stream_table(out: Path | None, title: str, columns: list[tuple[str, str, int]],
                 rows: Iterable[Sequence[str]], footer: Sequence[str] = ()) -> None:
    """A long table as plain aligned lines, written as it is produced (stdout, or ``out`` atomically).

    For tables too long to draw with rich (``rca --top 0``: half a million rows took 13 minutes):
    ``columns`` are (title, "<" or ">", width); a cell wider than its column pushes the line out
    rather than being cut. Memory stays flat and the first lines appear at once.
    """
    fmt = "  ".join(f"{{:{align}{width}}}" for _, align, width in columns)

    def lines() -> Iterator[str]:
        yield title + "\n"
        yield fmt.format(*(c[0] for c in columns)) + "\n"
        yield "  ".join("-" * width for _, _, width in columns) + "\n"
        for row in rows:
            yield fmt.format(*row) + "\n"
        for line in footer:
            yield line + "\n"

    def write(fh: Any) -> None:
        chunk: list[str] = []
        for line in lines():
            chunk.append(line)
            if len(chunk) >= STREAM_FLUSH_ROWS:
                fh.write("".join(chunk))
                chunk.clear()
        fh.write("".join(chunk))

    if out is None:
        write(sys.stdout)
        sys.stdout.flush()
        return

    def fill(tmp: Path) -> None:
        with tmp.open("w", encoding="utf-8") as fh:
            write(fh)

    write_atomic(out, fill)
    wrote(out)
