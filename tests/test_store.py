"""The store: migrations, atomic and idempotent loads, clear errors on bad files."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import duckdb
import pytest

from bilateral.api import open_store
from bilateral.errors import StoreError
from bilateral.sources import embedded
from bilateral.store import Store
from bilateral.store.schema import MIGRATIONS, SCHEMA_VERSION


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _counts(path: Path) -> dict[str, int]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("flows", "official_totals", "products", "countries", "releases", "sectors")}
    finally:
        con.close()


def test_migrations_recorded(store):
    rows = store.con.execute("SELECT version, description FROM schema_migrations").fetchall()
    assert [r[0] for r in rows] == list(range(1, SCHEMA_VERSION + 1))
    assert store.schema_version() == SCHEMA_VERSION


def test_embedded_loaded_once(fresh_store_path: Path):
    before = _counts(fresh_store_path)
    with open_store(fresh_store_path) as s:
        assert embedded.ensure_loaded(s) == 0  # same checksums: a no-op
    assert _counts(fresh_store_path) == before
    assert before["releases"] == len(embedded.manifest()["files"])
    assert before["flows"] == sum(f["rows"] for f in embedded.manifest()["files"] if f["table"] == "flows")


def test_store_env_var(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    target = tmp_path / "env" / "s.duckdb"
    monkeypatch.setenv("BILATERAL_STORE", str(target))
    with Store() as s:
        assert s.path == target
    assert target.exists()


def test_not_a_duckdb_file(tmp_path: Path):
    bogus = tmp_path / "notes.duckdb"
    bogus.write_text("these are my notes, not a database\n" * 10)
    before = _digest(bogus)
    with pytest.raises(StoreError, match="is not a DuckDB database"):
        open_store(bogus)
    assert _digest(bogus) == before


def test_foreign_duckdb_file(tmp_path: Path):
    other = tmp_path / "other.duckdb"
    con = duckdb.connect(str(other))
    con.execute("CREATE TABLE mine (x INTEGER)")
    con.close()
    with pytest.raises(StoreError, match="not a bilateral store"):
        open_store(other)
    con = duckdb.connect(str(other), read_only=True)
    assert [r[0] for r in con.execute("SHOW TABLES").fetchall()] == ["mine"]
    con.close()


def test_newer_schema_refused(fresh_store_path: Path):
    con = duckdb.connect(str(fresh_store_path))
    con.execute("INSERT INTO schema_migrations (version, description) VALUES (?, 'from the future')",
                [SCHEMA_VERSION + 1])
    con.close()
    before = _counts(fresh_store_path)
    with pytest.raises(StoreError, match="newer than this bilateral"):
        open_store(fresh_store_path)
    assert _counts(fresh_store_path) == before


def test_corrupt_embedded_file_leaves_store_unchanged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    data = tmp_path / "embedded_data"
    shutil.copytree(embedded.data_dir(), data)
    victim = data / "eidb-exports-hs8-world.parquet"
    raw = bytearray(victim.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    victim.write_bytes(bytes(raw))
    monkeypatch.setattr(embedded, "data_dir", lambda: data)
    path = tmp_path / "s.duckdb"
    with pytest.raises(StoreError, match="eidb-exports-hs8-world.parquet is corrupt"):
        open_store(path)
    assert not path.exists(), "a store that could not be set up leaves no file (nothing half-written)"


def test_changed_embedded_release_is_replaced(fresh_store_path: Path):
    """A release whose checksum changed (new package version) replaces its old rows, not adds."""
    con = duckdb.connect(str(fresh_store_path))
    con.execute("UPDATE releases SET checksum = 'stale' WHERE release = 'embedded/official-fy'")
    con.close()
    before = _counts(fresh_store_path)
    with open_store(fresh_store_path) as s:
        assert embedded.pending(s) == []
    assert _counts(fresh_store_path) == before


def test_failed_load_rolls_back(fresh_store_path: Path):
    import pyarrow as pa

    from bilateral.store.releases import ReleaseRecord

    before = _counts(fresh_store_path)
    with Store(fresh_store_path) as s:
        record = ReleaseRecord("test/bad", "test", "1", "bad.csv", "abc", "me")
        bad = pa.table({"release": ["test/bad"]})  # lacks the flows columns
        with pytest.raises(StoreError, match="lacks columns"):
            s.load_release(record, {"flows": bad})
    assert _counts(fresh_store_path) == before


def test_version_1_store_is_migrated_in_place(tmp_path: Path):
    """A store written by the first release (schema 1) gains the BACI tables and keeps its rows."""
    path = tmp_path / "v1.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, description VARCHAR NOT NULL, "
                "applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)")
    con.execute(MIGRATIONS[0].sql)
    con.execute("INSERT INTO schema_migrations (version, description) VALUES (1, 'v1')")
    con.execute("INSERT INTO sectors VALUES ('30', 'pharma', 'Pharmaceuticals')")
    con.close()
    with Store(path) as s:
        assert s.schema_version() == SCHEMA_VERSION == 2
        assert s.con.execute("SELECT count(*) FROM sectors").fetchone() == (1,)
        assert s.con.execute("SELECT count(*) FROM flows_baci").fetchone() == (0,)
        versions = [r[0] for r in s.con.execute("SELECT version FROM schema_migrations ORDER BY 1").fetchall()]
    assert versions == [1, 2]
