"""The embedded India–Russia release: shipped Parquet files loaded into the store on first use."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bilateral.errors import StoreError
from bilateral.harmonise import sectors
from bilateral.store.db import Store
from bilateral.store.releases import ReleaseRecord

if TYPE_CHECKING:
    import pyarrow as pa

SOURCE = "embedded"
#: the restriction flags of the shipped EU sanctions file (one boolean column each): the build writes
#: them, :func:`bilateral.store.matrix.sanctions` reads them
SANCTION_FLAGS = ("dual_use", "industrial_cap", "luxury", "military_tech", "aviation", "firearms",
                  "oil_exploration", "oil_refining")


def data_dir() -> Path:
    """Folder of the shipped Parquet files and their manifest."""
    return Path(str(resources.files("bilateral.sources").joinpath("embedded_data")))


@cache
def manifest() -> dict[str, Any]:
    path = data_dir() / "manifest.json"
    if not path.exists():
        raise StoreError(
            f"embedded dataset missing ({path}); rebuild it with `bilateral embedded build "
            "--shared PATH` or reinstall bilateral"
        )
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _record(entry: dict[str, Any], version: str) -> ReleaseRecord:
    return ReleaseRecord(
        release=entry["release"], source=SOURCE, version=version, file=entry["file"],
        checksum=entry["sha256"], producer=entry["producer"], url=entry["url"],
        accessed=entry["accessed"], licence=entry["licence"],
        origin={"origin": entry["origin"], "description": entry["description"],
                "caveat": entry["caveat"]},
    )


def pending(store: Store) -> list[dict[str, Any]]:
    """Manifest entries not yet in the store with the same checksum."""
    m = manifest()
    loaded = dict(store.con.execute("SELECT release, checksum FROM releases").fetchall())
    return [e for e in m["files"] if loaded.get(e["release"]) != e["sha256"]]


def ensure_loaded(store: Store) -> int:
    """Load every embedded file not yet loaded, in one transaction. Returns files loaded.

    Each file's sha256 is checked against the manifest before anything is written: a corrupt
    file aborts the whole load and leaves the store as it was.
    """
    todo = pending(store)
    if not todo:
        return 0
    import pyarrow.parquet as pq

    from bilateral.store.releases import sha256_file

    version = manifest()["version"]
    tables: list[tuple[ReleaseRecord, str, pa.Table]] = []
    for entry in todo:
        path = data_dir() / entry["file"]
        if not path.exists():
            raise StoreError(f"embedded file {path} is missing; reinstall bilateral")
        digest = sha256_file(path)
        if digest != entry["sha256"]:
            raise StoreError(
                f"embedded file {path} is corrupt: sha256 {digest[:12]}… does not match the "
                f"manifest's {entry['sha256'][:12]}…; reinstall bilateral (the store was not changed)"
            )
        tables.append((_record(entry, version), entry["table"], pq.read_table(path)))
    with store.transaction() as con:
        for record, table, arrow in tables:
            store.replace_release(con, record, {table: arrow})
        _load_sectors(con)
    return len(tables)


def _load_sectors(con: Any) -> None:
    titles = sectors.titles()
    rows = [(prefix, sector, titles[sector]) for prefix, sector in sectors.sector_table()]
    con.execute("DELETE FROM sectors")
    con.executemany("INSERT INTO sectors VALUES (?, ?, ?)", rows)


# --------------------------------------------------------------------------------------------
# the world-matrix slices and model inputs (manifest key "world"): never loaded into the store,
# read by DuckDB straight from their Parquet files when a model needs them


def world_entries() -> dict[str, dict[str, Any]]:
    """Manifest entries of the world files, by name (file name without .parquet)."""
    return {e["file"].removesuffix(".parquet"): e for e in manifest().get("world", [])}


@cache
def world_file(name: str) -> Path:
    """Path of a world file, its sha256 checked against the manifest (once per process)."""
    from bilateral.store.releases import sha256_file

    entries = world_entries()
    if name not in entries:
        raise StoreError(f"the embedded dataset has no {name!r} file; rebuild it with `bilateral embedded "
                         "build --shared PATH` or reinstall bilateral")
    entry = entries[name]
    path = data_dir() / entry["file"]
    if not path.exists():
        raise StoreError(f"embedded file {path} is missing; reinstall bilateral")
    digest = sha256_file(path)
    if digest != entry["sha256"]:
        raise StoreError(f"embedded file {path} is corrupt: sha256 {digest[:12]}… does not match the "
                         f"manifest's {entry['sha256'][:12]}…; reinstall bilateral")
    return path


def world_record(name: str) -> ReleaseRecord:
    """Provenance of a world file, in the same shape as a loaded release's."""
    return _record(world_entries()[name], manifest()["version"])
