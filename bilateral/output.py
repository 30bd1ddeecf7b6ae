"""Shared output options for every command: table (rich), csv, json, parquet; stdout or --out."""

from __future__ import annotations

import csv
import errno
import io
import json
import math
import os
import sys
from collections.abc import Callable, Iterator
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


def _out_error(path: Path, exc: OSError) -> BilateralError:
    if exc.errno == errno.ENAMETOOLONG:
        return BilateralError(f"--out {str(path)[:80]}… is too long for the file system; use a shorter name")
    if exc.errno in (errno.EEXIST, errno.ENOTDIR):
        return BilateralError(f"cannot write --out {path}: a part of its folder path is a file, not a folder")
    if exc.errno == errno.EISDIR or path.is_dir():
        return BilateralError(f"--out {path} is a directory; give a file path, e.g. {path / 'result.csv'}")
    return BilateralError(f"cannot write --out {path}: {exc.strerror or exc}")


def write_atomic(path: Path, write: Callable[[Path], object]) -> None:
    """Write ``path`` all at once: ``write`` fills a temporary file beside it, which is then renamed.

    On any failure (or Ctrl-C) the temporary file is removed and ``path`` is left as it was; OS
    errors become one line naming ``--out``.
    """
    try:
        if path.is_dir():
            raise BilateralError(f"--out {path} is a directory; give a file path, e.g. {path / 'result.csv'}")
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _out_error(path, exc) from None
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        write(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        raise _out_error(path, exc) from None
    finally:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass


def write_bytes_atomic(path: Path, data: bytes) -> None:
    write_atomic(path, lambda tmp: tmp.write_bytes(data))


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
            render(Console())
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
