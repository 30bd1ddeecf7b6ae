"""Opening, migrating and loading the DuckDB store."""

from __future__ import annotations

import errno
import json
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
from bilateral.store.releases import ReleaseRecord
from bilateral.store.schema import MIGRATIONS, RELEASE_TABLES, SCHEMA_VERSION

if TYPE_CHECKING:
    import pyarrow as pa

STORE_ENV = "BILATERAL_STORE"
STORE_FILENAME = "bilateral.duckdb"
#: how long to wait for another process's write lock on the store before giving up (seconds)
LOCK_WAIT_ENV = "BILATERAL_LOCK_WAIT"
LOCK_WAIT_SECONDS = 10.0
LOCK_POLL_SECONDS = 0.25
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
        return max(0.0, float(env))
    except ValueError:
        raise StoreError(f"${LOCK_WAIT_ENV}={env!r} is not a number of seconds; unset it or give e.g. 30") from None


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
        _check_is_duckdb(path)
        if read_only and not path.exists():
            raise StoreError(f"store {path} does not exist yet")
        if not read_only:
            path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _os_error(path, exc) from None


def _connect(path: Path, *, read_only: bool) -> duckdb.DuckDBPyConnection:
    """Connect; if another process holds the store's lock, say who and wait a bounded time for it."""
    deadline: float | None = None
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as exc:
            holder = lock_holder(str(exc))
            if holder is None:
                raise StoreError(f"cannot open store {path}: {_first_line(exc)}") from None
            now = time.monotonic()
            if deadline is None:
                wait = lock_wait_seconds()
                deadline = now + wait
                if wait > 0:
                    sys.stderr.write(f"store {path} is in use by {holder}; waiting up to {wait:g} s "
                                     f"(set ${LOCK_WAIT_ENV} to change)…\n")
                    sys.stderr.flush()
            if now >= deadline:
                raise StoreError(
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

    def __init__(self, path: Path | str | None = None, *, read_only: bool = False) -> None:
        self.path = Path(path) if path is not None else default_store_path()
        self.read_only = read_only
        _check_path(self.path, read_only=read_only)
        self.con = _connect(self.path, read_only=read_only)
        #: bumped by every transaction; the read layer's caches key on it (all writes go through transaction())
        self.generation = 0
        try:
            self._migrate(read_only=read_only)
        except BaseException:
            self.con.close()
            raise

    # -- lifecycle -------------------------------------------------------------------------
    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- schema ----------------------------------------------------------------------------
    def schema_version(self) -> int:
        exists = self.con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'"
        ).fetchone()
        if not exists or exists[0] == 0:
            return 0
        row = self.con.execute("SELECT max(version) FROM schema_migrations").fetchone()
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
        """One transaction: committed if the block succeeds, rolled back otherwise."""
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield self.con
        except BaseException:
            self.con.execute("ROLLBACK")
            self.generation += 1
            self._reclaim()
            raise
        self.con.execute("COMMIT")
        self.generation += 1  # what the store holds may have changed: read caches key on this

    def _reclaim(self) -> None:
        """Give back the space a rolled-back load wrote (DuckDB writes big inserts to the file early).

        A CHECKPOINT alone does nothing when no transaction committed since the last one, so a tiny
        committed change (a table created and dropped) makes the checkpoint run and truncate the
        freed blocks at the end of the file. Best effort: a failure here leaves only unused space.
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
                con.unregister("_incoming")
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
