"""The input-file boundary: every file a user names is checked here before anything reads it.

A device (``/dev/zero``), a FIFO or a socket is refused before it is opened (reading one never
ends, or blocks forever); a file larger than the reader's stated limit is refused by its size; a
folder is accepted only where the reader takes one. Files read through here are remembered as
inputs of the command, so that :func:`bilateral.output.write_atomic` never writes over one
(``--quarantine`` or ``--out`` equal to the input).

Symlinks are followed: a link to a regular file is that file (and is protected as an input under
both names).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from bilateral.errors import InputError

__all__ = ["ARTICLE_MAX_BYTES", "CONFIG_MAX_BYTES", "TABLE_MAX_BYTES", "check_file", "check_path", "forget_inputs",
           "is_input", "kind_of", "protect", "read_bytes", "read_text"]

#: an article for the claim checker: a long feature is 100 kB of text, a saved news page with its
#: scripts 1-2 MB; the checker's time grows with the text (1 MB of dense figures: 10 s), so more is refused
ARTICLE_MAX_BYTES = 2 * 1024 * 1024
#: a small configuration or parameter file (scenarios, tariffs, the agenda's updates)
CONFIG_MAX_BYTES = 20 * 1024 * 1024
#: a data table read into memory whole (an EIDB page or region table)
TABLE_MAX_BYTES = 200 * 1024 * 1024

_inputs: set[tuple[int, int]] = set()


def kind_of(mode: int) -> str:
    """What a file-system object is, in words (for messages)."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def check_path(path: Path, what: str, *, folder: bool = False) -> os.stat_result:
    """Stat ``path`` (following symlinks): it must exist and be a regular file (or, with ``folder``, a folder).

    Raises InputError naming the file and what it is.
    """
    try:
        st = os.stat(path)
    except FileNotFoundError:
        where = " (a symlink whose target is missing)" if os.path.islink(path) else ""
        raise InputError(f"no such file{where}; check the path of the {what}", file=str(path)) from None
    except OSError as exc:
        raise InputError(f"cannot read the {what} ({exc.strerror or exc})", file=str(path)) from None
    if stat.S_ISREG(st.st_mode) or (folder and stat.S_ISDIR(st.st_mode)):
        return st
    allowed = "a file or a folder" if folder else "a regular file"
    raise InputError(f"is {kind_of(st.st_mode)}, not {allowed}; give the {what} as {allowed}", file=str(path))


def check_file(path: Path, what: str, max_bytes: int | None = None, *, folder: bool = False,
               keep: bool = True) -> os.stat_result:
    """:func:`check_path`, then the size limit, then (``keep``) remember it as an input (see :func:`protect`)."""
    st = check_path(path, what, folder=folder)
    if max_bytes is not None and stat.S_ISREG(st.st_mode) and st.st_size > max_bytes:
        raise InputError(f"is {st.st_size / 1e6:,.1f} MB; the {what} may be at most {max_bytes / 1e6:,.0f} MB",
                         file=str(path))
    if keep:
        protect(path)
    return st


def read_bytes(path: Path, what: str, max_bytes: int, *, keep: bool = True) -> bytes:
    """The file's bytes, at most ``max_bytes`` (checked by size, then by what is actually read).

    ``keep``: protect it as an input (a file the command then rewrites itself passes False).
    """
    check_file(path, what, max_bytes, keep=keep)
    try:
        with open(path, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise InputError(f"cannot read the {what} ({exc.strerror or exc})", file=str(path)) from None
    if len(data) > max_bytes:  # it grew since the check
        raise InputError(f"is larger than {max_bytes / 1e6:,.0f} MB, the most a {what} may be", file=str(path))
    return data


def read_text(path: Path, what: str, max_bytes: int = CONFIG_MAX_BYTES, *, keep: bool = True) -> str:
    """The file as UTF-8 text (a BOM is dropped); binary or other encodings refused in one line."""
    data = read_bytes(path, what, max_bytes, keep=keep)
    if b"\x00" in data[:8192]:
        raise InputError(f"holds binary data, not text; give the {what} as a UTF-8 text file", file=str(path))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"is not UTF-8 text (byte {exc.start}); save the {what} as UTF-8", file=str(path)) from None


def protect(path: Path) -> None:
    """Remember ``path`` as an input of this command: :func:`bilateral.output.write_atomic` refuses to replace it."""
    try:
        st = os.stat(path)
    except OSError:
        return
    _inputs.add((st.st_dev, st.st_ino))


def is_input(st: os.stat_result) -> bool:
    """Whether the file with this stat was read (or is held) as an input of this command."""
    return (st.st_dev, st.st_ino) in _inputs


def forget_inputs() -> None:
    """Start a new command (the CLI calls it first; tests running several commands in one process need it)."""
    _inputs.clear()
