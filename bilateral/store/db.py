"""Opening, migrating and loading the DuckDB store."""

from __future__ import annotations

import json
import os
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
_DUCKDB_MAGIC = b"DUCK"
_MAGIC_OFFSET = 8


def default_store_path() -> Path:
    """``$BILATERAL_STORE`` if set, else ``bilateral.duckdb`` in the user's data directory."""
    env = os.environ.get(STORE_ENV)
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_path

    return user_data_path("bilateral", appauthor=False) / STORE_FILENAME


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


class Store:
    """A bilateral store: one DuckDB file with the canonical tables.

    Use as a context manager, or call :meth:`close`.
    """

    def __init__(self, path: Path | str | None = None, *, read_only: bool = False) -> None:
        self.path = Path(path) if path is not None else default_store_path()
        _check_is_duckdb(self.path)
        if read_only and not self.path.exists():
            raise StoreError(f"store {self.path} does not exist yet")
        if not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.con = duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.Error as exc:
            raise StoreError(f"cannot open store {self.path}: {exc}") from None
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
            raise StoreError(f"store {self.path} needs migrating; open it once without read-only")
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
            raise
        self.con.execute("COMMIT")

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
