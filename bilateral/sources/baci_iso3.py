"""BACI matrix files in the common re-published layout (ISO3 codes, US dollars), streamed into the store.

Many BACI extracts circulate as one table ``year, exporter, importer, hs6, value_usd`` (ISO3 codes,
HS6 as six characters, US dollars), e.g. the 2024 matrix in the shared data folder, as Parquet or CSV.
Such a file is loaded into the same compact tables as a CEPII release: its ISO3 codes get numeric
codes of their own (a country table of version ``ISO3-<checksum prefix>``), values are stored in
thousands like BACI's ``v``, so ``flows_baci``, ``rca_baci`` and the world-matrix reads serve it
unchanged.

The file goes from DuckDB's reader into the store; nothing of it is held in Python. Per file:

1. its sha256, computed once, in a thread beside step 2. When every release the file makes is
   already loaded with that checksum, the load is a no-op and nothing else is read;
2. one scan for what the rows hold: per year, the row count and the distinct exporter, importer and
   HS6 spellings. Years, country codes and HS6 codes are checked on those distinct values (a few
   thousand), not row by row;
3. per year, one ``INSERT … SELECT`` from the file: codes numbered through a join with the small code
   table, each row's value and its exporter ≠ importer checked in the same pass (a bad row stops
   the statement);
4. unique keys over the stored rows, one bit per possible (exporter, importer, product) cell
   (``bitstring_agg``): memory for the key space (about 32 MB for the world matrix), not the rows.

Only when a check fails is the file read again, single-threaded, to name every bad row with its
line and reason (:func:`diagnose`); with ``--quarantine`` the valid rows are then loaded from a
Parquet copy. Everything is one transaction: an error, Ctrl-C or a kill leaves the store as it was.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from bilateral.errors import InputError, StoreError
from bilateral.harmonise.countries import known_codes
from bilateral.inputs import check_file
from bilateral.sources import quarantine
from bilateral.sources.quarantine import Rejection
from bilateral.sources.report import IngestReport
from bilateral.store.db import Store, disk_fault
from bilateral.store.faults import pause_point
from bilateral.store.releases import ReleaseRecord, sha256_file
from bilateral.validation import FIRST_DATA_YEAR, MAX_USD, last_data_year

__all__ = ["COLUMNS", "SUFFIXES", "diagnose", "ingest_iso3", "is_iso3_layout", "iso3_files"]

SOURCE = "baci"
URL = "https://www.cepii.fr/CEPII/en/bdd_modele/bdd_modele_item.asp?id=37"
LICENCE = "Etalab Open Licence 2.0 (CEPII BACI); cite Gaulier and Zignago (2010), CEPII WP 2010-23"
COLUMNS = ("exporter", "importer", "hs6", "value_usd")
SUFFIXES = (".parquet", ".csv")
PRODUCER = "CEPII, BACI (an extract in the ISO3/US-dollar layout)"
HS_REVISION = "HS (revision not stated in the file)"
#: a country code as the file may write it (ISO3, WLD, a group code, BACI's ``_B490`` placeholders)
CODE = re.compile(r"[A-Z0-9_]{3,6}")
HS6 = re.compile(r"[0-9]{6}")
#: the largest key space (bits) the duplicate check's bitmap may take: 2^31 bits = 256 MB; a larger
#: one (more than ~600 countries × 6,000 products) falls back to counting distinct keys
MAX_KEY_BITS = 1 << 31
#: the CEPII release file names, never read as an ISO3 table (bilateral.sources.baci matches them)
_CEPII_NAMES = (re.compile(r"^BACI_HS\d{2}_Y\d{4}_V\d{6}[a-z]?\.csv$"), re.compile(r"^country_codes_V\d{6}[a-z]?\.csv$"),
                re.compile(r"^product_codes_HS\d{2}_V\d{6}[a-z]?\.csv$"))
#: DuckDB errors that mean "a row of the file is bad" (a failed check, a constraint, a value that does not convert)
_BAD_ROW_ERRORS = (duckdb.InvalidInputException, duckdb.ConstraintException, duckdb.ConversionException)


# --------------------------------------------------------------------------------------------
# finding the files


def iso3_files(path: Path) -> list[Path]:
    """The Parquet and CSV tables at ``path`` (a file, or the files of a folder that are not a CEPII release)."""
    if path.is_file():
        return [path] if path.suffix.lower() in SUFFIXES else []
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES
                      and not any(r.match(p.name) for r in _CEPII_NAMES))
    return []


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _source(path: Path) -> str:
    if path.suffix.lower() == ".parquet":
        return f"read_parquet({_literal(str(path))})"
    return f"read_csv({_literal(str(path))}, header = true, all_varchar = true)"


def _columns(path: Path) -> list[str]:
    con = duckdb.connect()
    try:
        return [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {_source(path)}").fetchall()]
    except duckdb.Error as exc:
        raise InputError(f"cannot read the file: {str(exc).splitlines()[0]}", file=str(path)) from None
    finally:
        con.close()


def is_iso3_layout(path: Path, flows_file: re.Pattern[str]) -> bool:
    """Whether ``path`` (file or folder) holds ISO3-layout tables rather than a CEPII release.

    ISO3 layout: columns exporter, importer, hs6, value_usd; a CEPII release has t,i,j,k,v,q files
    (named as ``flows_file`` matches).
    """
    import zipfile

    if path.is_dir() and any(flows_file.match(p.name) for p in path.iterdir()):
        return False
    if path.is_file() and zipfile.is_zipfile(path):
        return False
    files = iso3_files(path)
    return bool(files) and all(c in _columns(files[0]) for c in COLUMNS)


# --------------------------------------------------------------------------------------------
# one file's plan, and what one scan of it shows


@dataclass
class _Plan:
    """One file to load: the file given, its year expression, and after a diagnosis its valid rows."""

    path: Path
    year_sql: str
    digest: str | None = None
    clean: Path | None = None  # with --quarantine, after a diagnosis: the valid rows as Parquet
    rejections: list[Rejection] = field(default_factory=list)

    @property
    def read_from(self) -> Path:
        return self.clean if self.clean is not None else self.path

    def release(self, year: int) -> str:
        return f"baci/ISO3/{self.path.stem}/{year}"


@dataclass(frozen=True)
class _Year:
    """What the scan saw in one year's rows: their count and distinct spellings (None: not written)."""

    rows: int
    exporters: frozenset[str | None]
    importers: frozenset[str | None]
    products: frozenset[str | None]


class _BadRows(Exception):
    """A check failed: the file goes to :func:`diagnose`."""

    def __init__(self, plan: _Plan, cause: str) -> None:
        super().__init__(cause)
        self.plan = plan


def _plan(path: Path, years: set[int] | None) -> _Plan:
    cols = _columns(path)
    missing = [c for c in COLUMNS if c not in cols]
    if missing:
        raise InputError(f"lacks the column(s) {', '.join(missing)} (found {', '.join(cols)})", file=str(path))
    if "year" in cols:
        return _Plan(path, "TRY_CAST(year AS INTEGER)")
    if years and len(years) == 1:
        return _Plan(path, str(next(iter(years))))
    raise InputError("has no year column: pass the year with --years YYYY", file=str(path))


def _scan(con: duckdb.DuckDBPyConnection, plan: _Plan) -> dict[int | None, _Year]:
    """One pass over the file: per year, the row count and the distinct exporter, importer and HS6 spellings."""
    rows = con.execute(
        f"SELECT {plan.year_sql} AS t, count(*), list(DISTINCT CAST(exporter AS VARCHAR)), "
        f"list(DISTINCT CAST(importer AS VARCHAR)), list(DISTINCT CAST(hs6 AS VARCHAR)) "
        f"FROM {_source(plan.read_from)} GROUP BY ALL").fetchall()
    return {t: _Year(int(n), frozenset(e), frozenset(m), frozenset(k)) for t, n, e, m, k in rows}


def _norm_code(raw: str | None) -> str | None:
    """A country code as the checks read it (DuckDB's ``upper(trim(x))``); None when it cannot be one."""
    if raw is None:
        return None
    code = raw.strip(" ").upper()
    ok = CODE.fullmatch(code) and (code in known_codes() or code.startswith("_B"))
    return code if ok else None


def _norm_hs6(raw: str | None) -> str | None:
    if raw is None:
        return None
    k = raw.strip(" ")
    return k if HS6.fullmatch(k) else None


def _wanted(seen: dict[int | None, _Year], years: set[int] | None, path: Path) -> list[int]:
    """The years to load, or the error that says why there are none."""
    year_list = sorted(t for t in seen if t is not None)
    wanted = [y for y in year_list if years is None or y in years]
    if wanted:
        return wanted
    n_rows = sum(y.rows for y in seen.values())
    if years and year_list:
        raise InputError(f"no rows for {', '.join(map(str, sorted(years)))} (it holds "
                         f"{', '.join(map(str, year_list[:10]))}); nothing was loaded", file=str(path))
    if n_rows:
        raise InputError(f"year is not an integer in any of its {n_rows:,} rows; nothing was loaded",
                         file=str(path), field="year")
    raise InputError("has no data rows; nothing was loaded", file=str(path))


def _first_problem(seen: dict[int | None, _Year], wanted: list[int]) -> str | None:
    """Why the distinct values show a bad row in the wanted years (None: they show none)."""
    if None in seen:
        return "a year is not an integer"
    last = last_data_year()
    for y in wanted:
        if not FIRST_DATA_YEAR <= y <= last:
            return f"year {y} is outside the data's years"
        info = seen[y]
        if any(_norm_code(c) is None for c in info.exporters | info.importers):
            return "a country code is not known"
        if any(_norm_hs6(k) is None for k in info.products):
            return "an HS6 code is not six digits"
    return None


# --------------------------------------------------------------------------------------------
# the load


def ingest_iso3(store: Store, path: Path, *, years: set[int] | None = None,
                quarantine_path: Path | None = None) -> IngestReport:
    """Load matrix files in the ISO3/US-dollar layout (Parquet or CSV), one transaction for all.

    Each file holds ``exporter, importer, hs6, value_usd`` and, unless ``years`` names exactly one
    year, a ``year`` column. Rows are checked (year, known codes, exporter ≠ importer, six-digit
    HS code, finite value ≥ 0 and at most :data:`~bilateral.validation.MAX_USD`, unique keys); bad
    rows abort the load naming file, row and reason, or go to ``quarantine_path`` with
    ``--quarantine``. A file already loaded with the same checksum is a no-op that reads only the
    file's bytes for the checksum. See the module docstring for how the file streams.
    """
    files = iso3_files(path)
    if not files:
        raise InputError("no Parquet or CSV file with columns exporter, importer, hs6, value_usd", file=str(path))
    for f in files:
        if check_file(f, "BACI matrix file").st_size == 0:
            raise InputError(f"file is empty (expected the columns {', '.join(COLUMNS)} and rows)", file=str(f))
    plans = [_plan(f, years) for f in files]
    workdir: Path | None = None
    try:
        while True:
            report = IngestReport()
            try:
                _load(store, plans, years, report, quarantine_path)
                return report
            except _BadRows as bad:
                plan = bad.plan
                if plan.clean is not None:  # diagnosed already: should not happen
                    raise StoreError(f"{plan.path}: rows still fail after quarantine ({bad})") from None
                if workdir is None:
                    workdir = Path(tempfile.mkdtemp(prefix=".bilateral-ingest-", dir=store.path.parent))
                rejections, clean = diagnose(plan.path, plan.year_sql, years, workdir)
                if not rejections:
                    raise StoreError(f"{plan.path}: the load failed ({bad}) but no bad row was found; "
                                     "please report this") from None
                if quarantine_path is None:
                    raise quarantine.as_error(rejections) from None
                if clean is None:  # nothing to load: never record a release without rows
                    raise InputError(f"no valid row to load: all {len(rejections):,} were rejected (the first: "
                                     f"{rejections[0].reason}); nothing was loaded and no quarantine file written",
                                     file=str(plan.path)) from None
                plan.clean, plan.rejections, plan.year_sql = clean, rejections, "year"
    finally:
        if workdir is not None:
            shutil.rmtree(workdir, ignore_errors=True)


def _load(store: Store, plans: list[_Plan], years: set[int] | None, report: IngestReport,
          quarantine_path: Path | None) -> None:
    con = store.con
    expected_rows = 0
    with ThreadPoolExecutor(max_workers=1) as pool, store.transaction():
        hashes: dict[int, Future[str]] = {}
        for n, plan in enumerate(plans):
            if plan.digest is None:
                hashes[n] = pool.submit(sha256_file, plan.path)  # beside the scan: the file is read once more, in a thread
        for n, plan in enumerate(plans):
            if plan.digest is None and _may_be_loaded(con, plan):
                plan.digest = hashes[n].result()
            if plan.digest is not None and plan.clean is None and _already_loaded(store, plan, years, report):
                continue
            seen = _scan(con, plan)
            wanted = _wanted(seen, years, plan.path)
            if plan.digest is None:
                plan.digest = hashes[n].result()
            expected_rows += sum(seen[y].rows for y in wanted)
            store.expect_rows(expected_rows)
            pause_point("iso3-staged")
            problem = _first_problem(seen, wanted)
            if problem is not None:
                raise _BadRows(plan, problem)
            todo = [y for y in wanted if store.loaded_checksum(plan.release(y)) != plan.digest]
            report.skipped += [plan.release(y) for y in wanted if y not in todo]
            if not todo:
                continue
            version = f"ISO3-{plan.digest[:12]}"
            codes = _country_table(store, plan, version, seen)
            file_years = sorted(t for t in seen if t is not None)
            for year in todo:
                store.clear_release(con, plan.release(year))  # a file of this name loaded before, other content
                con.execute("INSERT INTO baci_releases VALUES (?, ?, ?, ?)",
                            [plan.release(year), version, HS_REVISION, year]).fetchall()
                n_rows = _insert_year(con, plan, year, seen[year], codes)
                pause_point("iso3-inserted")
                record = ReleaseRecord(
                    release=plan.release(year), source=SOURCE, version=version, file=str(plan.path),
                    checksum=plan.digest, producer=PRODUCER, url=URL, accessed=None, licence=LICENCE,
                    origin={"file": str(plan.path), "content": f"flows {year} (ISO3 codes, US$; stored in thousands)",
                            "years": file_years})
                store.record_release(con, record, n_rows)
                report.loaded.append({"release": record.release, "rows": n_rows, "file": str(plan.path),
                                      "rejected": len(plan.rejections)})
        if quarantine_path is not None:  # before the commit: a quarantine that cannot be written loads nothing
            report.rejected = quarantine.write(quarantine_path, [r for p in plans for r in p.rejections])
            report.quarantine = str(quarantine_path)


def _may_be_loaded(con: duckdb.DuckDBPyConnection, plan: _Plan) -> bool:
    """Whether any release of the file's name is loaded (then its checksum decides before anything is read)."""
    row = con.execute("SELECT count(*) FROM releases WHERE starts_with(release, ?)",
                      [f"baci/ISO3/{plan.path.stem}/"]).fetchone()
    return bool(row and row[0])


def _already_loaded(store: Store, plan: _Plan, years: set[int] | None, report: IngestReport) -> bool:
    """True (and the releases listed as skipped) when every release the file makes is loaded with its checksum.

    The years a file holds are recorded with its releases (``origin.years``); a store loaded before
    they were answers False, and the scan decides.
    """
    rows = store.con.execute("SELECT release, origin FROM releases WHERE starts_with(release, ?) AND checksum = ?",
                             [f"baci/ISO3/{plan.path.stem}/", plan.digest]).fetchall()
    if not rows:
        return False
    loaded = {str(r[0]) for r in rows}
    try:
        held = json.loads(rows[0][1] or "{}").get("years")
    except json.JSONDecodeError:
        held = None
    if not isinstance(held, list) or not held:
        return False
    wanted = sorted(int(y) for y in held if years is None or int(y) in years)
    if not wanted or any(plan.release(y) not in loaded for y in wanted):
        return False
    report.skipped += [plan.release(y) for y in wanted]
    return True


def _country_table(store: Store, plan: _Plan, version: str, seen: dict[int | None, _Year]) -> dict[str, int]:
    """The file's country table (code numbers by ISO3), written once per file content; returns it.

    Every valid code of the file gets a number (1, 2, … in code order), whichever years are loaded,
    so that a later load of other years of the same file finds its codes. A table written by an
    earlier load that lacks a code (it loaded only some rows) is extended, keeping its numbers.
    """
    con = store.con
    assert plan.digest is not None
    wanted = {c for info in seen.values() for raw in info.exporters | info.importers
              if (c := _norm_code(raw)) is not None}
    release = f"baci/{version}/countries"
    numbers: dict[str, int] = {}
    if store.loaded_checksum(release) == plan.digest:
        numbers = {str(iso3): int(code) for iso3, code in con.execute(
            "SELECT iso3, code FROM baci_countries WHERE version = ?", [version]).fetchall()}
        if wanted <= set(numbers):
            return numbers
    for code in sorted(wanted - set(numbers)):
        numbers[code] = max(numbers.values(), default=0) + 1
    store.clear_release(con, release)
    iso3 = sorted(numbers, key=numbers.__getitem__)
    con.execute("INSERT INTO baci_countries SELECT ?, ?, unnest(?::SMALLINT[]), unnest(?::VARCHAR[]), "
                "unnest(?::VARCHAR[])", [release, version, [numbers[c] for c in iso3], iso3, iso3]).fetchall()
    store.record_release(con, ReleaseRecord(
        release=release, source=SOURCE, version=version, file=str(plan.path), checksum=plan.digest,
        producer=PRODUCER, url=URL, accessed=None, licence=LICENCE,
        origin={"file": str(plan.path), "content": "ISO3 codes of the file, numbered for the compact tables"}),
        len(numbers))
    return numbers


def _insert_year(con: duckdb.DuckDBPyConnection, plan: _Plan, year: int, info: _Year, numbers: dict[str, int]) -> int:
    """One year of the file into ``baci_flows`` in one statement, each row checked on the way; returns its rows.

    A bad value, or a row whose exporter is its importer, stops the statement (:class:`_BadRows`).
    Then the keys are checked unique (:func:`_unique_keys`).
    """
    raw = sorted(c for c in info.exporters | info.importers if c is not None)
    con.execute("CREATE OR REPLACE TEMP TABLE _iso3_code AS SELECT unnest(?::VARCHAR[]) AS raw, "
                "unnest(?::SMALLINT[]) AS code", [raw, [numbers[_norm_code(c) or ""] for c in raw]]).fetchall()
    trimmed = any(k is not None and k != k.strip(" ") for k in info.products)
    k_sql = "trim(CAST(hs6 AS VARCHAR))" if trimmed else "CAST(hs6 AS VARCHAR)"
    where = "" if plan.year_sql.isdigit() else f"WHERE {plan.year_sql} = {int(year)}"
    try:
        row = con.execute(
            f"""INSERT INTO baci_flows
                SELECT ?, ?, ci.code, cj.code, x.k,
                       CASE WHEN ci.code <> cj.code AND x.v >= 0 AND x.v <= {MAX_USD!r} THEN x.v / 1000.0
                            ELSE error('bad row: a value, or an exporter that is its importer') END, NULL
                FROM (SELECT CAST(exporter AS VARCHAR) AS e, CAST(importer AS VARCHAR) AS m, {k_sql} AS k,
                             TRY_CAST(value_usd AS DOUBLE) AS v FROM {_source(plan.read_from)} {where}) x
                JOIN _iso3_code ci ON ci.raw = x.e JOIN _iso3_code cj ON cj.raw = x.m""",
            [plan.release(year), year]).fetchone()
    except _BAD_ROW_ERRORS as exc:
        if disk_fault(exc) is not None:
            raise
        raise _BadRows(plan, str(exc).splitlines()[0]) from None
    n = int(row[0]) if row else 0
    if n != info.rows:  # every row of the year joins its codes: fewer means a code the scan did not see
        raise _BadRows(plan, f"{info.rows - n} rows did not load")
    _unique_keys(con, plan, year, sorted(k for k in info.products if k is not None), trimmed, max(numbers.values()))
    _tidy(con, "_iso3_code")
    return n


def _unique_keys(con: duckdb.DuckDBPyConnection, plan: _Plan, year: int, products: list[str], trimmed: bool,
                 countries: int) -> None:
    """Raise :class:`_BadRows` when two stored rows of the year share (exporter, importer, HS6).

    A bit per possible cell: exporter and importer numbers (1…``countries``) and the product's rank
    among the year's HS6 codes make a dense index; the bits set equal the rows iff no key repeats.
    """
    keys = sorted({k.strip(" ") for k in products} if trimmed else set(products))
    con.execute("CREATE OR REPLACE TEMP TABLE _iso3_hs AS SELECT unnest(?::VARCHAR[]) AS k, "
                "CAST(generate_subscripts(?::VARCHAR[], 1) - 1 AS BIGINT) AS p", [keys, keys]).fetchall()
    n, p = countries, len(keys)
    index = f"((f.i - 1)::BIGINT * {n} + (f.j - 1)) * {p} + h.p"
    if n * n * p <= MAX_KEY_BITS:
        distinct = f"bit_count(bitstring_agg({index}, 0, {n * n * p - 1}))"
    else:
        distinct = f"count(DISTINCT {index})"
    row = con.execute(f"SELECT count(*), {distinct} FROM baci_flows f JOIN _iso3_hs h ON h.k = f.k "
                      "WHERE f.release = ?", [plan.release(year)]).fetchone()
    _tidy(con, "_iso3_hs")
    if row is None or row[0] != row[1]:
        raise _BadRows(plan, "duplicate keys")


# --------------------------------------------------------------------------------------------
# the diagnosis: every bad row, with its line and reason


def diagnose(path: Path, year_sql: str, years: set[int] | None, workdir: Path) -> tuple[list[Rejection], Path | None]:
    """Every bad row of the file with its line (CSV) or row number (Parquet) and reason; its valid rows as Parquet.

    A separate single-threaded pass, so rows are numbered in file order (for a CSV, line 1 is the
    header). Only rows of the years being loaded (``years``, or all) are checked, and rows whose
    year is not an integer. The valid rows are written to ``workdir`` (None when there are none).
    """
    con = duckdb.connect()
    try:
        con.execute("SET threads = 1")
        con.execute("SET preserve_insertion_order = true")
        with _known_codes(con):
            try:
                con.execute(
                    f"CREATE TABLE _iso3 AS SELECT row_number() OVER () + 1 AS line, {year_sql} AS t, "
                    f"upper(trim(CAST(exporter AS VARCHAR))) AS e, upper(trim(CAST(importer AS VARCHAR))) AS m, "
                    f"trim(CAST(hs6 AS VARCHAR)) AS k, TRY_CAST(value_usd AS DOUBLE) AS v, "
                    f"CAST(value_usd AS VARCHAR) AS raw_v FROM {_source(path)}").fetchall()
            except duckdb.Error as exc:
                raise InputError(f"cannot read the file: {str(exc).splitlines()[0]}", file=str(path)) from None
            year_list = [r[0] for r in con.execute("SELECT DISTINCT t FROM _iso3 WHERE t IS NOT NULL ORDER BY t").fetchall()]
            wanted = [y for y in year_list if years is None or y in years]
            problems = con.execute(_PROBLEMS.format(first=FIRST_DATA_YEAR, last=last_data_year(), max_usd=repr(MAX_USD)),
                                   [wanted]).fetchall()
        csv = path.suffix.lower() == ".csv"
        bad = [Rejection(str(path), int(line) if csv else None, fld, value,
                         reason if csv else f"row {int(line) - 1}: {reason}")
               for line, fld, value, reason in problems]
        con.execute("CREATE TABLE _bad AS SELECT unnest(?::BIGINT[]) AS line", [[p[0] for p in problems]]).fetchall()
        keep = "t IN (SELECT unnest(?::INTEGER[])) AND line NOT IN (SELECT line FROM _bad)"
        count = con.execute(f"SELECT count(*) FROM _iso3 WHERE {keep}", [wanted]).fetchone()
        if not count or not count[0]:
            return bad, None
        clean = workdir / f"{path.stem}.clean.parquet"
        con.execute(f"COPY (SELECT CAST(t AS INTEGER) AS year, e AS exporter, m AS importer, k AS hs6, v AS value_usd "
                    f"FROM _iso3 WHERE {keep} ORDER BY line) TO {_literal(str(clean))} (FORMAT PARQUET)", [wanted])
        return bad, clean
    finally:
        con.close()


_PROBLEMS = """
SELECT line, field, value, reason FROM (
  SELECT line, CASE
    WHEN t IS NULL OR t NOT BETWEEN {first} AND {last} THEN 'year'
    WHEN NOT regexp_full_match(e, '[A-Z0-9_]{{3,6}}') OR NOT _known_code(e) THEN 'exporter'
    WHEN NOT regexp_full_match(m, '[A-Z0-9_]{{3,6}}') OR NOT _known_code(m) THEN 'importer'
    WHEN e = m THEN 'importer' WHEN NOT regexp_full_match(k, '[0-9]{{6}}') THEN 'hs6'
    WHEN v IS NULL OR NOT isfinite(v) OR v < 0 OR v > {max_usd} THEN 'value_usd'
    WHEN count(*) OVER (PARTITION BY t, e, m, k) > 1 THEN 'hs6' END AS field,
  CASE
    WHEN t IS NULL THEN 'year is not an integer'
    WHEN t NOT BETWEEN {first} AND {last}
         THEN 'year ' || t || ' is outside the data''s years ({first}-{last})'
    WHEN NOT regexp_full_match(e, '[A-Z0-9_]{{3,6}}') THEN 'exporter is not an ISO3 code'
    WHEN NOT _known_code(e) THEN 'exporter ' || e || ' is not a known country code'
    WHEN NOT regexp_full_match(m, '[A-Z0-9_]{{3,6}}') THEN 'importer is not an ISO3 code'
    WHEN NOT _known_code(m) THEN 'importer ' || m || ' is not a known country code'
    WHEN e = m THEN 'exporter and importer are the same country'
    WHEN NOT regexp_full_match(k, '[0-9]{{6}}') THEN 'HS6 code is not six digits (a leading zero lost?)'
    WHEN v IS NULL OR NOT isfinite(v) THEN 'value is not a number'
    WHEN v < 0 THEN 'value is negative'
    WHEN v > {max_usd} THEN 'value is larger than US$1e15, more than world trade'
    WHEN count(*) OVER (PARTITION BY t, e, m, k) > 1 THEN 'duplicate key (year, exporter, importer, hs6)'
  END AS reason,
  coalesce(CASE WHEN t IS NULL THEN NULL ELSE e || ',' || m || ',' || k || ',' || coalesce(raw_v, '') END,
           '') AS value
  FROM _iso3 WHERE t IS NULL OR t IN (SELECT unnest(?::INTEGER[])))
WHERE field IS NOT NULL ORDER BY line"""


@contextmanager
def _known_codes(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """The codes a matrix row may name, as the SQL macro ``_known_code(code)``.

    Known: country_converter's ISO3 codes, WLD, the group codes and BACI's ``_B…`` placeholders.
    """
    con.execute("CREATE OR REPLACE TEMP TABLE _known AS SELECT unnest(?::VARCHAR[]) AS code",
                [sorted(known_codes())]).fetchall()
    con.execute("CREATE OR REPLACE TEMP MACRO _known_code(c) AS "
                "(c IN (SELECT code FROM _known) OR starts_with(c, '_B'))").fetchall()
    try:
        yield
    finally:
        try:
            con.execute("DROP MACRO IF EXISTS _known_code").fetchall()
            con.execute("DROP TABLE IF EXISTS _known").fetchall()
        except duckdb.Error:
            pass


def _tidy(con: duckdb.DuckDBPyConnection, *tables: str) -> None:
    """Drop the load's scratch tables.

    After an error or Ctrl-C the transaction is aborted and the rollback removes them instead, so a
    failure here must not hide the error that ended the load.
    """
    try:
        for table in tables:
            con.execute(f"DROP TABLE IF EXISTS {table}").fetchall()
    except duckdb.Error:
        pass
