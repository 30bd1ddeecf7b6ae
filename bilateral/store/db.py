"""Opening, migrating and loading the DuckDB store."""

from __future__ import annotations

import errno
import json
import math
import os
import re
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from bilateral.errors import StoreError
from bilateral.store.faults import pause_point
from bilateral.store.releases import ReleaseRecord
from bilateral.store.schema import MIGRATIONS, RELEASE_TABLES, SCHEMA_VERSION

if TYPE_CHECKING:
    import pyarrow as pa

STORE_ENV = "BILATERAL_STORE"
STORE_FILENAME = "bilateral.duckdb"
#: how long to wait for another process's write lock on the store before giving up (seconds)
LOCK_WAIT_ENV = "BILATERAL_LOCK_WAIT"
LOCK_WAIT_SECONDS = 10.0
LOCK_POLL_SECONDS = 0.1  # short: a served store is free between requests
#: the longest wait $BILATERAL_LOCK_WAIT may ask for (an hour): "forever" is not a wait
MAX_LOCK_WAIT_SECONDS = 3600.0
#: space kept free beside the store during a write (bytes): freed when the disk fills, so that the
#: rollback can checkpoint and give the space the failed load took back (it needs well under 1 MB)
RESERVE_BYTES = 4 * 1024 * 1024
RESERVE_SUFFIX = ".reserve"
#: what a stored row of the world matrix takes in the store file (measured: 66 MB for the 9.9M rows
#: of the 2024 matrix, 6.6 bytes a row; rounded up)
STORED_BYTES_PER_ROW = 8
_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (?P<prog>.*?) \(PID (?P<pid>\d+)\)")
_DUCKDB_MAGIC = b"DUCK"
_MAGIC_OFFSET = 8


def default_store_path() -> Path:
    """``$BILATERAL_STORE`` if set, else ``bilateral.duckdb`` in the user's data directory."""
    env = os.environ.get(STORE_ENV)
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_path

    return user_data_path("bilateral", appauthor=False) / STORE_FILENAME


def lock_wait_seconds() -> float:
    """``$BILATERAL_LOCK_WAIT`` seconds if set (0 = fail at once), else :data:`LOCK_WAIT_SECONDS`."""
    env = os.environ.get(LOCK_WAIT_ENV)
    if not env:
        return LOCK_WAIT_SECONDS
    try:
        value = float(env)
    except ValueError:
        value = math.nan
    if not 0.0 <= value <= MAX_LOCK_WAIT_SECONDS:  # NaN fails this too
        raise StoreError(f"${LOCK_WAIT_ENV}={env[:40]!r} is not a wait in seconds; unset it or give a number from 0 "
                         f"to {MAX_LOCK_WAIT_SECONDS:g}, e.g. 30")
    return value


def lock_holder(message: str) -> str | None:
    """'PID 123 (python3.11)' from DuckDB's lock-conflict message, or None if it is not one."""
    m = _LOCK_HOLDER.search(message)
    if m is None:
        return None
    return f"PID {m['pid']} ({Path(m['prog']).name})"


def _os_error(path: Path, exc: OSError) -> StoreError:
    """One line for an OS error on the store path (too long, no permission, …)."""
    if exc.errno == errno.ENAMETOOLONG:
        try:
            limit = os.pathconf(_existing_parent(path), "PC_NAME_MAX")
        except (OSError, ValueError):
            limit = None
        within = f" (this file system allows {limit} characters per name)" if limit else ""
        return StoreError(f"store path {str(path)[:80]}… is too long{within}; use a shorter --store")
    if exc.errno in (errno.EEXIST, errno.ENOTDIR):
        return StoreError(f"cannot open store {path}: a part of its folder path is a file, not a folder; "
                          f"check --store (or ${STORE_ENV})")
    return StoreError(f"cannot open store {path}: {exc.strerror or exc}; check --store (or ${STORE_ENV})")


def _existing_parent(path: Path) -> Path:
    for parent in path.parents:
        try:
            if parent.is_dir():
                return parent
        except OSError:
            continue
    return Path(".")


def _check_path(path: Path, *, read_only: bool) -> None:
    """Refuse a store path that cannot be a store file, in one line, before DuckDB sees it."""
    try:
        if path.is_dir():
            raise StoreError(f"store {path} is a directory; point --store at a file, e.g. {path / STORE_FILENAME}")
        if path.exists() and not path.is_file():
            from bilateral.inputs import kind_of

            raise StoreError(f"store {path} is {kind_of(path.stat().st_mode)}, not a store file; point --store at a "
                             f"file, e.g. {STORE_FILENAME}")
        _check_is_duckdb(path)
        if read_only and not path.exists():
            raise StoreError(f"store {path} does not exist yet")
        if not read_only:
            path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _os_error(path, exc) from None


class StoreBusyError(StoreError):
    """Another process holds the store's write lock and did not let go within the wait."""


#: on every store connection: DuckDB's own progress bar would print to stdout on queries over 2 s and
#: corrupt a command's JSON or CSV output (the CLI draws its own progress on stderr)
NO_PROGRESS_BAR = "SET enable_progress_bar = false"


def _connect(path: Path, *, read_only: bool, lock_wait: float | None = None,
             quiet: bool = False) -> duckdb.DuckDBPyConnection:
    """Connect; if another process holds the store's lock, say who and wait a bounded time for it.

    ``lock_wait``: seconds to wait (default :func:`lock_wait_seconds`); ``quiet``: no "waiting" line.
    """
    deadline: float | None = None
    wait = lock_wait_seconds() if lock_wait is None else lock_wait  # a bad setting is refused even with no wait
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only)
            con.execute(NO_PROGRESS_BAR)  # a session setting; the store's cursors inherit it
            return con
        except duckdb.IOException as exc:
            holder = lock_holder(str(exc))
            if holder is None:
                raise StoreError(f"cannot open store {path}: {_first_line(exc)}") from None
            now = time.monotonic()
            if deadline is None:
                deadline = now + wait
                if wait > 0 and not quiet:
                    sys.stderr.write(f"store {path} is in use by {holder}; waiting up to {wait:g} s "
                                     f"(set ${LOCK_WAIT_ENV} to change)…\n")
                    sys.stderr.flush()
            if now >= deadline:
                raise StoreBusyError(
                    f"store {path} is locked by {holder}, which has it open; wait until it "
                    f"finishes (or raise ${LOCK_WAIT_ENV}), or use another --store") from None
            time.sleep(min(LOCK_POLL_SECONDS, max(0.0, deadline - now)))
        except duckdb.Error as exc:
            raise StoreError(f"cannot open store {path}: {_first_line(exc)}") from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _check_is_duckdb(path: Path) -> None:
    if not path.exists() or path.stat().st_size == 0:
        return
    with path.open("rb") as fh:
        head = fh.read(_MAGIC_OFFSET + len(_DUCKDB_MAGIC))
    if head[_MAGIC_OFFSET:] != _DUCKDB_MAGIC:
        raise StoreError(
            f"{path} is not a DuckDB database; point --store (or ${STORE_ENV}) at a bilateral "
            "store, or at a path that does not exist yet to create one"
        )


DISK_FULL = "the disk is full"
READ_ONLY = "the file system is read-only"
_FAULT_WORDS = ((DISK_FULL, ("no space left on device", "disk full", "not enough space")),
                (READ_ONLY, ("read-only file system",)))


def disk_fault(exc: BaseException) -> str | None:
    """:data:`DISK_FULL` or :data:`READ_ONLY` when ``exc`` (an OS or DuckDB error) is one of those, else None."""
    if isinstance(exc, OSError) and exc.errno is not None:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return DISK_FULL
        if exc.errno == errno.EROFS:
            return READ_ONLY
    if isinstance(exc, OSError | duckdb.Error):
        text = str(exc).lower()
        for fault, words in _FAULT_WORDS:
            if any(w in text for w in words):
                return fault
    return None


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _free_bytes(folder: Path) -> int | None:
    try:
        st = os.statvfs(folder)
    except OSError:
        return None
    return st.f_bavail * st.f_frsize


def _mb(n: int) -> str:
    return f"{n / 1e6:,.1f}"


def _release(path: Path | None) -> None:
    if path is not None:
        try:
            path.unlink(missing_ok=True)
        except OSError:
            pass


def remove_store_files(path: Path) -> None:
    """Remove a store file this process just created (and its write-ahead log)."""
    for p in (path, path.with_name(path.name + ".wal")):
        _release(p)


class NeedsMigrationError(StoreError):
    """A read-only open found a store this version must first migrate (a writable open does it)."""


def open_read_only(path: Path | str | None = None) -> Store | None:
    """The store opened read-only if it exists and is at this version's schema, else None.

    Read-only commands use it so that they run beside a reader in another process and on a
    read-only file system; None means "open it writable" (it is absent or needs migrating).
    """
    p = Path(path) if path is not None else default_store_path()
    try:
        if not p.is_file():
            return None
    except OSError:
        return None  # the writable open reports the problem in one line
    try:
        return Store(p, read_only=True)
    except NeedsMigrationError:
        return None


class Store:
    """A bilateral store: one DuckDB file with the canonical tables.

    Use as a context manager, or call :meth:`close`.
    """

    def __init__(self, path: Path | str | None = None, *, read_only: bool = False, lock_wait: float | None = None,
                 quiet: bool = False) -> None:
        self.path = Path(path) if path is not None else default_store_path()
        self.read_only = read_only
        _check_path(self.path, read_only=read_only)
        creating = not read_only and not self.path.exists()
        #: bumped by every transaction; the read layer's caches key on it (all writes go through transaction())
        self.generation = 0
        #: transactions committed through this object (a Ctrl-C after a commit is not "nothing was loaded")
        self.commits = 0
        #: bytes a load about to run expects to write (set by a reader that knows; see :meth:`expect_rows`)
        self.expected_bytes: int | None = None
        try:
            self.con = _connect(self.path, read_only=read_only, lock_wait=lock_wait, quiet=quiet)
        except BaseException:
            if creating:
                remove_store_files(self.path)
            raise
        try:
            try:
                self._migrate(read_only=read_only)
            except duckdb.Error as exc:
                fault = disk_fault(exc)
                if fault is not None:
                    raise
                raise StoreError(f"store {self.path} cannot be read ({_first_line(exc)}); it is damaged or "
                                 "was cut short: restore it from a copy, or use another --store") from None
        except BaseException as exc:
            self.con.close()
            if creating:  # a store that could not be created leaves no file behind
                remove_store_files(self.path)
            fault = disk_fault(exc)
            if fault is not None:
                raise StoreError(f"cannot create store {self.path}: {fault}; free space or use another --store "
                                 "(no file was left behind)") from None
            raise
        if not read_only:  # a reserve left by a killed load (only the writer, which this is, creates one)
            _release(self.path.with_name(f".{self.path.name}{RESERVE_SUFFIX}"))
        from bilateral.inputs import protect

        protect(self.path)  # never written over by --out or --quarantine

    # -- lifecycle -------------------------------------------------------------------------
    def close(self) -> None:
        self.con.close()

    def data_version(self) -> str:
        """What the store holds, as a short digest of its schema version and its releases and checksums."""
        import hashlib

        row = self.con.execute(
            "SELECT (SELECT max(version) FROM schema_migrations), count(*), "
            "coalesce(string_agg(release || ':' || checksum, ',' ORDER BY release), '') FROM releases").fetchone()
        return hashlib.sha256(repr(row).encode()).hexdigest()[:16]

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- schema ----------------------------------------------------------------------------
    def schema_version(self) -> int:
        # one query that fails on a store with no schema_migrations (new, or not a bilateral store: _migrate tells
        # them apart), not a look-up in duckdb_tables() first: paid by every command at start-up
        try:
            row = self.con.execute("SELECT max(version) FROM schema_migrations").fetchone()
        except duckdb.CatalogException:
            return 0
        return int(row[0]) if row and row[0] is not None else 0

    def _migrate(self, *, read_only: bool) -> None:
        current = self.schema_version()
        if current > SCHEMA_VERSION:
            raise StoreError(
                f"store {self.path} has schema version {current}, newer than this bilateral "
                f"(version {SCHEMA_VERSION}); upgrade bilateral, or use another --store"
            )
        if current == SCHEMA_VERSION:
            return
        if current == 0 and self._has_foreign_tables():
            raise StoreError(
                f"{self.path} is a DuckDB database but not a bilateral store (it has other tables "
                "and no schema_migrations); use another --store"
            )
        if read_only:
            raise NeedsMigrationError(f"store {self.path} needs migrating; open it once without read-only")
        with self.transaction():
            self.con.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
                "description VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)"
            )
            for m in MIGRATIONS:
                if m.version <= current:
                    continue
                self.con.execute(m.sql)
                self.con.execute(
                    "INSERT INTO schema_migrations (version, description) VALUES (?, ?)",
                    [m.version, m.description],
                )

    def _has_foreign_tables(self) -> bool:
        row = self.con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'main'"
        ).fetchone()
        return bool(row and row[0])

    # -- transactions and loads ------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """One transaction: committed if the block succeeds, rolled back otherwise.

        While it runs, :data:`RESERVE_BYTES` are held in a file beside the store. If the disk fills
        (or turns out read-only), the transaction is rolled back, the reserve freed, the space the
        load wrote given back (a checkpoint), and the error becomes one :class:`StoreError` line
        saying how much space is needed. Ctrl-C rolls back the same way and is re-raised.
        """
        size_before = _size(self.path)
        free_before = _free_bytes(self.path.parent)
        reserve = self._reserve()
        commits_before = self.commits
        try:
            try:
                self.con.execute("BEGIN TRANSACTION")
                yield self.con
                pause_point("before-commit")
                self.con.execute("COMMIT")
                self.commits += 1
                pause_point("committed")
            except BaseException as exc:
                if self.commits > commits_before:  # interrupted after the commit: nothing to roll back
                    raise
                self._rollback()
                _release(reserve)
                reserve = None
                self.generation += 1
                fault = disk_fault(exc)
                if fault is not None:
                    self._reconnect()  # after a failed write DuckDB may refuse more on this connection
                self._reclaim()
                if fault is not None:
                    raise StoreError(self._fault_message(fault, size_before, free_before)) from None
                raise
        finally:
            _release(reserve)
            self.expected_bytes = None
        self.generation += 1  # what the store holds may have changed: read caches key on this

    def expect_rows(self, rows: int, bytes_per_row: int = STORED_BYTES_PER_ROW) -> None:
        """Tell the store how many rows the next load writes (for the full-disk message)."""
        self.expected_bytes = rows * bytes_per_row

    def _fault_message(self, fault: str, size_before: int, free_before: int | None) -> str:
        if fault != DISK_FULL:
            return f"cannot write store {self.path}: {fault}; use a --store on a writable disk. Nothing was loaded"
        need = self.expected_bytes
        if need is not None and free_before is not None and need > free_before:
            amount = f"about {_mb(need)} MB free ({_mb(free_before)} MB were)"
        elif free_before is not None:
            amount = f"more than the {_mb(free_before)} MB that were free"
        else:
            amount = "more space"
        return (f"the disk holding store {self.path} is full: this load needs {amount}; free space there or use "
                f"another --store. Nothing was loaded and the store is as before ({_mb(_size(self.path))} MB, "
                f"was {_mb(size_before)} MB)")

    def _reserve(self) -> Path | None:
        """Hold :data:`RESERVE_BYTES` beside the store (None when the disk has not even that: the load then fails early)."""
        if self.read_only:
            return None
        path = self.path.with_name(f".{self.path.name}{RESERVE_SUFFIX}")
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        except OSError:
            return None
        try:
            try:
                os.posix_fallocate(fd, 0, RESERVE_BYTES)
            except (AttributeError, OSError):
                os.write(fd, bytes(RESERVE_BYTES))
        except OSError:
            os.close(fd)
            _release(path)
            return None
        os.close(fd)
        return path

    def _reconnect(self) -> None:
        """Close the connection and open the file again (it then holds the last committed state)."""
        try:
            self.con.close()
        except duckdb.Error:
            pass
        self.con = _connect(self.path, read_only=self.read_only, lock_wait=0.0, quiet=True)

    def _rollback(self) -> None:
        """ROLLBACK, whatever state an error (or Ctrl-C) left the connection in."""
        try:
            self.con.execute("ROLLBACK")
        except duckdb.Error:
            pass  # no transaction open any more (it failed before BEGIN, or DuckDB ended it)

    def _reclaim(self) -> None:
        """Give back the space a rolled-back load wrote (DuckDB writes big inserts to the file early).

        A CHECKPOINT alone does nothing when no transaction committed since the last one, so a tiny
        committed change (a table created and dropped) makes the checkpoint run and truncate the
        freed blocks at the end of the file. On a full disk it can run because the reserve was freed
        first. Best effort: a failure here leaves only unused space.
        """
        try:
            self.con.execute("CREATE TABLE _bilateral_reclaim (x INTEGER)")
            self.con.execute("DROP TABLE _bilateral_reclaim")
            self.con.execute("CHECKPOINT")
        except duckdb.Error:
            pass

    def loaded_checksum(self, release: str) -> str | None:
        row = self.con.execute("SELECT checksum FROM releases WHERE release = ?", [release]).fetchone()
        return str(row[0]) if row else None

    def is_loaded(self, record: ReleaseRecord) -> bool:
        return self.loaded_checksum(record.release) == record.checksum

    def replace_release(self, con: duckdb.DuckDBPyConnection, record: ReleaseRecord,
                        tables: Mapping[str, pa.Table]) -> int:
        """Inside an open transaction: drop the release's old rows, insert the new ones.

        Returns the number of rows written. Column order is taken from the store's table, so a
        missing column fails loudly rather than shifting values.
        """
        self.clear_release(con, record.release)
        total = 0
        for name, arrow in tables.items():
            if name not in RELEASE_TABLES:
                raise StoreError(f"release {record.release}: unknown table {name!r}")
            cols = [r[0] for r in con.execute(f"DESCRIBE {name}").fetchall()]
            missing = [c for c in cols if c not in arrow.column_names]
            if missing:
                raise StoreError(f"release {record.release}: table {name} lacks columns {missing}")
            con.register("_incoming", arrow)
            try:
                con.execute(
                    f"INSERT INTO {name} ({', '.join(cols)}) SELECT {', '.join(cols)} FROM _incoming"
                )
            finally:
                try:
                    con.unregister("_incoming")
                except duckdb.Error:
                    pass  # after an error or Ctrl-C the transaction is aborted; the error that ended it is raised
            total += arrow.num_rows
        self.record_release(con, record, total)
        return total

    @staticmethod
    def clear_release(con: duckdb.DuckDBPyConnection, release: str) -> None:
        """Inside an open transaction: delete every row of ``release`` (a re-load replaces it)."""
        for table in RELEASE_TABLES:
            con.execute(f"DELETE FROM {table} WHERE release = ?", [release])
        con.execute("DELETE FROM releases WHERE release = ?", [release])

    @staticmethod
    def record_release(con: duckdb.DuckDBPyConnection, record: ReleaseRecord, rows: int) -> None:
        """Inside an open transaction: the ``releases`` row that says where ``rows`` came from."""
        con.execute(
            "INSERT INTO releases (release, source, version, file, checksum, producer, url, "
            "accessed, licence, origin, rows) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            [record.release, record.source, record.version, record.file, record.checksum,
             record.producer, record.url, record.accessed, record.licence,
             json.dumps(dict(record.origin), sort_keys=True), rows],
        )

    def load_release(self, record: ReleaseRecord, tables: Mapping[str, pa.Table]) -> bool:
        """Load one release atomically. Returns False (and does nothing) if already loaded."""
        if self.is_loaded(record):
            return False
        with self.transaction() as con:
            self.replace_release(con, record, tables)
        return True

    # -- queries ---------------------------------------------------------------------------
    def query(self, sql: str, params: list[Any] | None = None) -> Any:
        """Run a query; returns a pandas DataFrame."""
        return self.con.execute(sql, params or []).df()


def _signature(path: Path) -> tuple[object, ...]:
    """What a stat tells about the store file and its write-ahead log (changes when anything is written)."""
    out: list[object] = []
    for p in (path, path.with_name(path.name + ".wal")):
        try:
            st = p.stat()
            out.append((st.st_ino, st.st_size, st.st_mtime_ns))
        except OSError:
            out.append(None)
    return tuple(out)


class SharedReader:
    """A store for a long-running reader (the dashboard) that never keeps other processes out.

    The file is open (read-only) only while requests read it, and closed as soon as none waits, so
    an ingest in another process gets its write lock between requests. :meth:`moved` says, from a
    stat alone, whether the file changed since the data were last checked; :meth:`acquire` opens
    the store and says whether what it holds changed (releases or checksums), so that cached
    answers can be dropped and the new release served. While a writer holds the lock, ``acquire``
    with ``wait=False`` raises :class:`StoreBusyError` at once (the caller may answer from its cache,
    the last committed data); with ``wait=True`` it waits :func:`lock_wait_seconds` first.

    Not thread-safe by itself: callers serialise ``acquire``/``release`` (the dashboard holds one lock).
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._signature = _signature(self.path)
        self.store = Store(self.path, read_only=True)
        self.version = self.store.data_version()
        self.store.con.close()
        self._open = False
        self._users = 0

    def moved(self) -> bool:
        """Whether the file changed (by a stat) since its content was last checked."""
        return _signature(self.path) != self._signature

    def acquire(self, *, wait: bool = True) -> bool:
        """Open the store if it is closed; True when its content changed since the last check."""
        changed = False
        if not self._open:
            signature = _signature(self.path)
            fresh = Store(self.path, read_only=True, lock_wait=None if wait else 0.0, quiet=True)
            self.store.con = fresh.con  # the same Store object: the read layer's caches stay on it
            self._open = True
            version = self.store.data_version()
            self._signature = signature
            if version != self.version:
                self.version, changed = version, True
                self.store.generation += 1  # the read layer's caches key on it
        self._users += 1
        return changed

    def release(self, *, keep_open: bool = False) -> None:
        """Done reading: close the file (letting a writer in) unless ``keep_open`` (another request waits)."""
        self._users = max(0, self._users - 1)
        if self._users == 0 and not keep_open:
            self.close()

    def close(self) -> None:
        """Close the file (it is opened again by the next :meth:`acquire`)."""
        if self._open:
            self.store.con.close()
            self._open = False
