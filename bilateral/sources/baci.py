"""CEPII BACI bulk files, read exactly as published, streamed through DuckDB into the store.

A BACI release (the zip, or its unpacked folder) holds yearly files ``BACI_HS<rev>_Y<year>_V<release>.csv``
with the header ``t,i,j,k,v,q`` (t year, i exporter, j importer — BACI's numeric country codes —,
k the HS6 code as six characters with leading zeros, v value in thousands of US dollars, q
quantity in metric tons, ``NA`` or empty when unknown), plus ``country_codes_V<release>.csv`` and
``product_codes_HS<rev>_V<release>.csv``.

Loading is optimistic: each yearly file goes straight from ``read_csv`` into ``baci_flows`` and is
then checked with a few column scans (year, value range, code lengths, known codes, unique keys).
Only when something is wrong does a second, single-threaded pass find every bad line with its
number and reason (:func:`diagnose`). The whole ingest is one transaction: an error, or a kill,
leaves the store exactly as it was.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from bilateral.errors import InputError, StoreError
from bilateral.harmonise.countries import known_codes
from bilateral.inputs import check_file, protect
from bilateral.sources import quarantine
from bilateral.sources.quarantine import Rejection
from bilateral.sources.report import IngestReport
from bilateral.store.db import Store
from bilateral.store.faults import pause_point
from bilateral.store.releases import ReleaseRecord, sha256_file
from bilateral.validation import FIRST_DATA_YEAR, MAX_USD, last_data_year

SOURCE = "baci"
PRODUCER = "CEPII (Centre d'études prospectives et d'informations internationales), BACI"
URL = "https://www.cepii.fr/CEPII/en/bdd_modele/bdd_modele_item.asp?id=37"
LICENCE = "Etalab Open Licence 2.0 (CEPII BACI); cite Gaulier and Zignago (2010), CEPII WP 2010-23"
HEADER = ("t", "i", "j", "k", "v", "q")
#: BACI writes a missing quantity as NA (sometimes space-padded) or as an empty field
QUANTITY_MISSING = ("NA", "")
HS_REVISIONS = {"92": "HS1992", "96": "HS1996", "02": "HS2002", "07": "HS2007", "12": "HS2012",
                "17": "HS2017", "22": "HS2022"}
FLOWS_FILE = re.compile(r"^BACI_HS(\d{2})_Y(\d{4})_(V\d{6}[a-z]?)\.csv$")
COUNTRY_FILE = re.compile(r"^country_codes_(V\d{6}[a-z]?)\.csv$")
PRODUCT_FILE = re.compile(r"^product_codes_HS(\d{2})_(V\d{6}[a-z]?)\.csv$")
#: the two layouts of the country table: (code, name, iso3) column names
COUNTRY_LAYOUTS = (
    ("country_code", "country_name", "country_iso3"),  # V202301 and later
    ("country_code", "country_name_abbreviation", "iso_3digit_alpha"),  # V202201 and earlier
)
NO_ISO3 = ("N/A", "", "NA")
_TYPED_COLUMNS = "{'t': 'SMALLINT', 'i': 'SMALLINT', 'j': 'SMALLINT', 'k': 'VARCHAR', 'v': 'DOUBLE', 'q': 'VARCHAR'}"
_TEXT_COLUMNS = "{'t': 'VARCHAR', 'i': 'VARCHAR', 'j': 'VARCHAR', 'k': 'VARCHAR', 'v': 'VARCHAR', 'q': 'VARCHAR'}"
_CSV_OPTIONS = "header = true, auto_detect = false, delim = ',', quote = '\"', escape = '\"'"
_HASH_CHUNK = 1 << 22


# --------------------------------------------------------------------------------------------
# quirks, each a named function with a regression row in tests/test_baci.py


def quantity_sql(column: str) -> str:
    """SQL for q, where a missing quantity becomes NULL.

    BACI writes a missing quantity as ``NA`` — space-padded in some releases — or leaves it empty.
    Anything else must be a number (checked separately).
    """
    return f"CASE WHEN {column} IS NULL OR trim({column}) IN ('NA', '') THEN NULL ELSE CAST(trim({column}) AS DOUBLE) END"


def repair_mac_roman(name: str) -> str:
    """Undo BACI's Latin-1-read-as-Mac-Roman artefacts in country names.

    Release V202201 ships "CÙte d'Ivoire", "CuraÁao", "Saint BarthÈlemy". Names already right are
    left alone: the repair is applied only when it yields no control characters.
    """
    try:
        fixed = name.encode("mac_roman").decode("latin-1")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return name
    if fixed == name or any(0x80 <= ord(c) < 0xA0 for c in fixed):
        return name
    return fixed


def iso3_or_placeholder(code: int, iso3: str) -> str:
    """ISO3 of a BACI country, or ``_B<code>`` where BACI gives none.

    "Other Asia, nes" (490) reads ``N/A``; the placeholder is a non-country code, so it never
    merges with a real country.
    """
    iso3 = iso3.strip()
    return f"_B{code}" if iso3.upper() in NO_ISO3 else iso3.upper()


# --------------------------------------------------------------------------------------------
# finding the files


@dataclass
class Member:
    """One file of a release, on disk or inside a zip."""

    name: str
    origin: str  # what the user gave: a path, or "archive.zip!member"
    path: Path | None = None  # on disk (folder release, or once extracted)
    zip_path: Path | None = None


@dataclass
class BaciFiles:
    revision: str  # "17"
    version: str  # "V202501"
    years: dict[int, Member]
    countries: Member
    products: Member
    source: Path

    @property
    def hs_revision(self) -> str:
        return HS_REVISIONS[self.revision]


def discover(path: Path, years: set[int] | None = None) -> BaciFiles:
    """The files of one BACI release in a folder or zip; clear errors for anything missing."""
    if not path.exists():
        raise InputError("no such file or folder", file=str(path))
    members: list[Member] = []
    if path.is_dir():
        members = [Member(p.name, str(p), path=p) for p in sorted(path.iterdir()) if p.is_file()]
        for m in members:
            protect(m.path)  # type: ignore[arg-type]  # never written over (e.g. by --quarantine)
    elif zipfile.is_zipfile(path):
        try:
            with zipfile.ZipFile(path) as zf:
                names = [n for n in zf.namelist() if not n.endswith("/")]
        except (zipfile.BadZipFile, OSError) as exc:
            raise InputError(f"cannot read the zip: {exc}", file=str(path)) from None
        members = [Member(Path(n).name, f"{path}!{n}", zip_path=path) for n in names]
    else:
        raise InputError("not a BACI release: give the zip as downloaded from CEPII, or its folder",
                         file=str(path))
    flows: dict[int, Member] = {}
    revisions: set[str] = set()
    versions: set[str] = set()
    for m in members:
        match = FLOWS_FILE.match(m.name)
        if match:
            rev, year, version = match.group(1), int(match.group(2)), match.group(3)
            if rev not in HS_REVISIONS:
                raise InputError(f"unknown HS revision HS{rev} in the file name", file=m.origin)
            revisions.add(rev)
            versions.add(version)
            flows[year] = m
    if not flows:
        raise InputError("no yearly BACI file (BACI_HS<rev>_Y<year>_V<release>.csv) found", file=str(path))
    if len(revisions) > 1 or len(versions) > 1:
        raise InputError(f"mixes HS revisions {sorted(revisions)} or releases {sorted(versions)}; "
                         "ingest one release at a time", file=str(path))
    rev, version = revisions.pop(), versions.pop()
    countries = next((m for m in members if m.name == f"country_codes_{version}.csv"), None)
    if countries is None:
        raise InputError(f"lacks country_codes_{version}.csv (the release's country table)", file=str(path))
    products = next((m for m in members if m.name == f"product_codes_HS{rev}_{version}.csv"), None)
    if products is None:
        raise InputError(f"lacks product_codes_HS{rev}_{version}.csv (the release's product table)",
                         file=str(path))
    if years:
        missing = sorted(years - set(flows))
        if missing:
            raise InputError(f"has no file for year(s) {missing} (it has {min(flows)}–{max(flows)})",
                             file=str(path))
        flows = {y: m for y, m in flows.items() if y in years}
    return BaciFiles(rev, version, dict(sorted(flows.items())), countries, products, path)


@contextmanager
def materialised(member: Member, workdir: Path) -> Iterator[tuple[Path, Future[str]]]:
    """The member as a file on disk, and its sha256 (computed beside the load, in a thread).

    A zip member is streamed to ``workdir`` (hashed on the way) and removed afterwards.
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        if member.path is not None:
            yield member.path, pool.submit(sha256_file, member.path)
            return
        assert member.zip_path is not None
        inner = member.origin.split("!", 1)[1]
        out = workdir / member.name
        h = hashlib.sha256()
        try:
            with zipfile.ZipFile(member.zip_path) as zf, zf.open(inner) as src, out.open("wb") as dst:
                for chunk in iter(lambda: src.read(_HASH_CHUNK), b""):
                    h.update(chunk)
                    dst.write(chunk)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            out.unlink(missing_ok=True)
            raise InputError(f"cannot extract from the zip: {exc}", file=member.origin) from None
        done: Future[str] = Future()
        done.set_result(h.hexdigest())
        try:
            yield out, done
        finally:
            out.unlink(missing_ok=True)


# --------------------------------------------------------------------------------------------
# the code tables


def _decode(data: bytes, label: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:4096]:
        raise InputError("is UTF-16 (or binary); BACI tables are UTF-8 or Latin-1 text", file=label)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")  # older releases; every byte is a Latin-1 character


def read_countries(member: Member, path: Path) -> list[dict[str, Any]]:
    """BACI's country table in either layout → rows (code, iso3, name); codes unique."""
    text = _decode(path.read_bytes(), member.origin)
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    layout = next((cols for cols in COUNTRY_LAYOUTS if all(c in header for c in cols)), None)
    if layout is None:
        raise InputError(f"header {header} is neither BACI country layout "
                         f"({', '.join('/'.join(c) for c in COUNTRY_LAYOUTS)})", file=member.origin, line=1)
    code_col, name_col, iso_col = layout
    rows: list[dict[str, Any]] = []
    seen: dict[int, int] = {}
    for line, rec in enumerate(reader, start=2):
        raw = (rec.get(code_col) or "").strip()
        if not raw.isdigit():
            raise InputError(f"country code {raw!r} is not a number", file=member.origin, line=line, field=code_col)
        code = int(raw)
        if code in seen:
            raise InputError(f"duplicate country code {code} (first on line {seen[code]})",
                             file=member.origin, line=line, field=code_col)
        seen[code] = line
        rows.append({"code": code, "iso3": iso3_or_placeholder(code, rec.get(iso_col) or ""),
                     "name": repair_mac_roman((rec.get(name_col) or "").strip())})
    if not rows:
        raise InputError("has no rows", file=member.origin)
    return rows


def read_products(member: Member, path: Path) -> list[dict[str, Any]]:
    """BACI's product table (code, description) → rows; codes six digits and unique."""
    text = _decode(path.read_bytes(), member.origin)
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    if "code" not in header or "description" not in header:
        raise InputError(f"header {header} lacks code, description", file=member.origin, line=1)
    rows: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for line, rec in enumerate(reader, start=2):
        code = (rec["code"] or "").strip()
        if len(code) != 6 or not code.isdigit():
            raise InputError(f"HS6 code {code!r} is not six digits", file=member.origin, line=line, field="code")
        if code in seen:
            raise InputError(f"duplicate product code {code} (first on line {seen[code]})",
                             file=member.origin, line=line, field="code")
        seen[code] = line
        rows.append({"code": code, "description": (rec["description"] or "").strip()})
    if not rows:
        raise InputError("has no rows", file=member.origin)
    return rows


# --------------------------------------------------------------------------------------------
# checks on a yearly file


def check_layout(path: Path, label: str) -> None:
    """What can be seen without parsing: empty, encoding, delimiter, header, truncation."""
    size = path.stat().st_size
    if size == 0:
        raise InputError("file is empty (expected the header t,i,j,k,v,q and data rows)", file=label)
    with path.open("rb") as fh:
        head = fh.read(4096)
        fh.seek(size - 1)
        last = fh.read(1)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head:
        raise InputError("is not ASCII/UTF-8 text (UTF-16 or binary?); BACI files are plain ASCII",
                         file=label, line=1)
    first = head.split(b"\n", 1)[0].rstrip(b"\r")
    if first.startswith(b"\xef\xbb\xbf"):
        first = first[3:]
    try:
        header_text = first.decode("ascii")
    except UnicodeDecodeError:
        raise InputError("header is not ASCII text (wrong encoding?)", file=label, line=1) from None
    fields = tuple(f.strip().strip('"') for f in header_text.split(","))
    if fields != HEADER:
        for delim in (";", "\t", "|"):
            if delim in header_text:
                raise InputError(f"wrong delimiter {delim!r}: BACI files are comma-separated "
                                 f"(header {header_text!r})", file=label, line=1)
        if all(f.replace(".", "").isdigit() for f in fields if f):
            raise InputError(f"missing header: the first line {header_text!r} is data, expected t,i,j,k,v,q",
                             file=label, line=1)
        raise InputError(f"header {header_text!r} is not t,i,j,k,v,q", file=label, line=1)
    if size <= len(head) and not head.split(b"\n", 1)[-1].strip():
        raise InputError("has a header but no data rows", file=label, line=2)
    if last != b"\n":
        raise InputError("does not end with a newline: the file is truncated (download it again)",
                         file=label)


@dataclass
class YearPlan:
    """How one yearly file is loaded: straight from the CSV, or from its checked valid rows."""

    year: int
    member: Member
    release: str
    clean_parquet: Path | None = None
    rejections: list[Rejection] = field(default_factory=list)


class _BadFile(Exception):
    def __init__(self, plan: YearPlan, cause: str) -> None:
        super().__init__(cause)
        self.plan = plan


def _check_loaded(con: duckdb.DuckDBPyConnection, plan: YearPlan, version: str, products_release: str) -> int:
    """Column scans over the rows just inserted; returns their count.

    Any problem sends the file to :func:`diagnose`. HS6 codes are checked through the product table
    (which holds six-digit codes only), so a code of the wrong length shows up as unknown.
    """
    row = con.execute(
        """
        SELECT count(*) FILTER (WHERE t <> ?),
               count(*) FILTER (WHERE NOT isfinite(v) OR (q IS NOT NULL AND (NOT isfinite(q) OR q < 0))),
               count(*)
        FROM baci_flows WHERE release = ?
        """, [plan.year, plan.release]).fetchone()
    assert row is not None
    if any(row[:2]):
        raise _BadFile(plan, "bad values")
    if row[2] == 0:
        raise _BadFile(plan, "no rows")
    unknown = con.execute(
        """
        WITH codes AS (SELECT DISTINCT i AS c FROM baci_flows WHERE release = $1
                       UNION SELECT DISTINCT j FROM baci_flows WHERE release = $1)
        SELECT (SELECT count(*) FROM codes WHERE c NOT IN
                    (SELECT code FROM baci_countries WHERE version = $2)),
               (SELECT count(*) FROM (SELECT DISTINCT k FROM baci_flows WHERE release = $1)
                WHERE k NOT IN (SELECT product FROM products WHERE release = $3))
        """, [plan.release, version, products_release]).fetchone()
    assert unknown is not None
    if any(unknown):
        raise _BadFile(plan, "unknown codes")
    # Unique (i, j, k): a file in strictly increasing key order has no duplicates whatever the scan
    # order, and BACI is published sorted; otherwise count distinct keys.
    key = "(i::BIGINT * 1000 + j) * 1000000 + k::INTEGER"
    unsorted = con.execute(
        f"SELECT count(*) FILTER (WHERE d <= 0) FROM (SELECT key - lag(key) OVER () AS d FROM "
        f"(SELECT {key} AS key FROM baci_flows WHERE release = ?))", [plan.release]).fetchone()
    if unsorted and unsorted[0]:
        dup = con.execute(f"SELECT count(*) - count(DISTINCT {key}) FROM baci_flows WHERE release = ?",
                          [plan.release]).fetchone()
        if dup and dup[0]:
            raise _BadFile(plan, "duplicate keys")
    return int(row[2])


def diagnose(path: Path, label: str, year: int, codes: set[int], products: set[str],
             workdir: Path) -> tuple[list[Rejection], Path]:
    """Every bad line of a yearly file, with its number and reason, and its valid rows as Parquet.

    A separate single-threaded pass (so row order is file order): structural errors come from
    DuckDB's rejects table; values are checked with ``try_cast``. Line numbers count the header
    as line 1.
    """
    con = duckdb.connect()
    try:
        con.execute("SET threads = 1")
        con.execute("SET preserve_insertion_order = true")
        con.register("codes", pa.table({"c": pa.array(sorted(codes), type=pa.int16())}))
        con.register("prods", pa.table({"k": pa.array(sorted(products), type=pa.string())}))
        con.execute(
            f"CREATE TABLE d AS SELECT row_number() OVER () AS n, * FROM read_csv(?, {_CSV_OPTIONS}, "
            f"columns = {_TEXT_COLUMNS}, store_rejects = true, rejects_table = 'rej', rejects_scan = 'rej_scan')",
            [str(path)])
        structural = con.execute(
            "SELECT line, column_name, csv_line, error_type, error_message FROM rej ORDER BY line").fetchall()
        bad_lines = np.array(sorted({int(r[0]) for r in structural}), dtype=np.int64)
        problems = con.execute(
            f"""
            WITH checked AS (
              SELECT n, t, i, j, k, v, q,
                CASE
                  WHEN try_cast(t AS INTEGER) IS NULL THEN ['t', t, 'year is not an integer']
                  WHEN try_cast(t AS INTEGER) <> {year} THEN ['t', t, 'year ' || t || ' is not the file''s year {year}']
                  WHEN try_cast(i AS SMALLINT) IS NULL THEN ['i', i, 'exporter code is not a number']
                  WHEN try_cast(i AS SMALLINT) NOT IN (SELECT c FROM codes)
                       THEN ['i', i, 'unknown exporter code ' || i || ' (not in the country table)']
                  WHEN try_cast(j AS SMALLINT) IS NULL THEN ['j', j, 'importer code is not a number']
                  WHEN try_cast(j AS SMALLINT) NOT IN (SELECT c FROM codes)
                       THEN ['j', j, 'unknown importer code ' || j || ' (not in the country table)']
                  WHEN k IS NULL OR NOT regexp_full_match(k, '[0-9]+') THEN ['k', k, 'HS6 code is not a number']
                  WHEN length(k) <> 6 THEN ['k', k, 'HS6 code has ' || length(k)
                       || ' characters, expected 6 (a leading zero lost when the file was re-saved?)']
                  WHEN k NOT IN (SELECT k FROM prods) THEN ['k', k, 'unknown HS6 code ' || k || ' (not in the product table)']
                  WHEN try_cast(v AS DOUBLE) IS NULL THEN ['v', v, 'value is not a number']
                  WHEN NOT isfinite(try_cast(v AS DOUBLE)) THEN ['v', v, 'value is not finite']
                  WHEN try_cast(v AS DOUBLE) < 0 THEN ['v', v, 'value is negative']
                  WHEN q IS NOT NULL AND trim(q) NOT IN ('NA', '') AND try_cast(trim(q) AS DOUBLE) IS NULL
                       THEN ['q', q, 'quantity is neither a number nor NA']
                  WHEN try_cast(trim(q) AS DOUBLE) < 0 OR NOT isfinite(try_cast(trim(q) AS DOUBLE))
                       THEN ['q', q, 'quantity is negative or not finite']
                END AS problem
              FROM d
            ),
            keyed AS (
              SELECT *, first_value(n) OVER w AS first_n, row_number() OVER w AS occurrence
              FROM checked WHERE problem IS NULL
              WINDOW w AS (PARTITION BY t, i, j, k ORDER BY n)
            )
            SELECT n, problem[1], problem[2], problem[3], NULL FROM checked WHERE problem IS NOT NULL
            UNION ALL
            SELECT n, 'k', t || ',' || i || ',' || j || ',' || k, 'duplicate key (t,i,j,k)', first_n
            FROM keyed WHERE occurrence > 1
            ORDER BY 1
            """).fetchall()
        rows = np.array([p[0] for p in problems], dtype=np.int64)
        firsts = np.array([p[4] if p[4] is not None else 0 for p in problems], dtype=np.int64)
        lines, first_lines = _lines(rows, bad_lines), _lines(firsts, bad_lines)
        rejections: list[Rejection] = []
        seen_lines: set[int] = set()
        for line, err_col, csv_line, etype, msg in structural:  # DuckDB may report a line once per column
            if int(line) not in seen_lines:
                seen_lines.add(int(line))
                rejections.append(Rejection(label, int(line), str(err_col or ""), str(csv_line),
                                            f"{str(etype).lower()}: {msg.splitlines()[0]}"))
        for (_, col, value, reason, first), line, first_line in zip(problems, lines, first_lines, strict=True):
            if first is not None:
                reason = f"{reason}; first on line {int(first_line)}"
            rejections.append(Rejection(label, int(line), col, value, reason))
        rejections.sort(key=lambda r: r.line or 0)
        con.register("bad_rows", pa.table({"n": pa.array(rows, type=pa.int64())}))
        con.execute("CREATE TABLE bad AS SELECT n FROM bad_rows")
        clean = workdir / f"{path.stem}.clean.parquet"
        con.execute(
            f"COPY (SELECT CAST(t AS SMALLINT) AS t, CAST(i AS SMALLINT) AS i, CAST(j AS SMALLINT) AS j, k, "
            f"CAST(v AS DOUBLE) AS v, q FROM d WHERE n NOT IN (SELECT n FROM bad) "
            f"ORDER BY n) TO '{clean}' (FORMAT PARQUET)")
        return rejections, clean
    finally:
        con.close()


def _lines(rows: np.ndarray, skipped: np.ndarray) -> np.ndarray:
    """File line numbers (1-based, header = line 1) of parsed rows, given the lines the parser skipped.

    The n-th parsed row is the n-th line from line 2 on that was not skipped.
    """
    if skipped.size == 0:
        return rows + 1
    adjusted = skipped - np.arange(skipped.size)  # skipped[m] precedes row n iff adjusted[m] <= n + 1
    return rows + 1 + np.searchsorted(adjusted, rows + 1, side="right")


# --------------------------------------------------------------------------------------------
# the load




def _record(release: str, version: str, member: Member, checksum: str, what: str) -> ReleaseRecord:
    return ReleaseRecord(
        release=release, source=SOURCE, version=version, file=member.origin, checksum=checksum,
        producer=PRODUCER, url=URL, accessed=None, licence=LICENCE,
        origin={"file": member.origin, "content": what},
    )


@dataclass
class _Meta:
    """The release's country and product tables, read once per ingest."""

    countries: list[dict[str, Any]]
    products: list[dict[str, Any]]
    records: dict[str, ReleaseRecord]  # "countries" / "products" → provenance

    @property
    def codes(self) -> set[int]:
        return {r["code"] for r in self.countries}

    @property
    def product_codes(self) -> set[str]:
        return {r["code"] for r in self.products}


def _read_meta(files: BaciFiles, workdir: Path) -> _Meta:
    with materialised(files.countries, workdir) as (cpath, cdigest), \
            materialised(files.products, workdir) as (ppath, pdigest):
        return _Meta(
            read_countries(files.countries, cpath), read_products(files.products, ppath),
            {"countries": _record(f"baci/{files.version}/countries", files.version, files.countries,
                                  cdigest.result(), "country codes"),
             "products": _record(f"baci/HS{files.revision}/{files.version}/products", files.version,
                                 files.products, pdigest.result(), "product codes")},
        )


def ingest(store: Store, path: Path, *, years: set[int] | None = None,
           quarantine_path: Path | None = None) -> IngestReport:
    """Load a BACI release (zip or folder) into the store, in one transaction.

    Re-ingesting files already loaded with the same checksum is a no-op. With
    ``quarantine_path``, bad rows are written there with their reasons and the valid rows are
    loaded; without it, any bad row aborts the ingest with an error naming file, line and field.
    """
    if is_iso3_layout(path) or (path.is_file() and path.suffix.lower() in ISO3_SUFFIXES
                                and not FLOWS_FILE.match(path.name)):  # a table: it says what it lacks
        return ingest_iso3(store, path, years=years, quarantine_path=quarantine_path)
    files = discover(path, years)
    report = IngestReport()
    plans = [YearPlan(y, m, f"baci/HS{files.revision}/{files.version}/{y}") for y, m in files.years.items()]
    store_dir = store.path.parent
    remove_workdirs(store_dir)
    with tempfile.TemporaryDirectory(prefix=".bilateral-ingest-", dir=store_dir) as tmp:
        workdir = Path(tmp)
        meta = _read_meta(files, workdir)
        while True:
            try:
                _load(store, files, plans, meta, workdir, report, quarantine_path)
                break
            except _BadFile as bad:
                plan = bad.plan
                if plan.clean_parquet is not None:  # diagnosed already: should not happen
                    raise StoreError(f"{plan.member.origin}: rows still fail after quarantine ({bad})") from None
                with materialised(plan.member, workdir) as (csv_path, _):
                    check_layout(csv_path, plan.member.origin)
                    rejections, clean = diagnose(csv_path, plan.member.origin, plan.year, meta.codes,
                                                 meta.product_codes, workdir)
                if not rejections:
                    raise StoreError(f"{plan.member.origin}: the load failed ({bad}) but no bad row was found; "
                                     "please report this") from None
                if quarantine_path is None:
                    raise quarantine.as_error(rejections) from None
                plan.clean_parquet, plan.rejections = clean, rejections
                report.loaded.clear()
                report.skipped.clear()
    return report


def _code_tables(files: BaciFiles, meta: _Meta) -> dict[str, tuple[str, pa.Table]]:
    """The release's country and product tables as Arrow, ready to insert."""
    return {
        "countries": ("baci_countries", pa.table({
            "release": [meta.records["countries"].release] * len(meta.countries),
            "version": [files.version] * len(meta.countries),
            "code": pa.array([r["code"] for r in meta.countries], type=pa.int16()),
            "iso3": [r["iso3"] for r in meta.countries], "name": [r["name"] for r in meta.countries]})),
        "products": ("products", pa.table({
            "release": [meta.records["products"].release] * len(meta.products),
            "classification": [files.hs_revision] * len(meta.products),
            "product": [r["code"] for r in meta.products],
            "product_level": pa.array([6] * len(meta.products), type=pa.int8()),
            "description": [r["description"] for r in meta.products],
            "quantity_unit": ["t"] * len(meta.products)})),
    }


def _load(store: Store, files: BaciFiles, plans: list[YearPlan], meta: _Meta, workdir: Path,
          report: IngestReport, quarantine_path: Path | None = None) -> None:
    con = store.con
    if all(store.is_loaded(r) for r in meta.records.values()):
        tables: dict[str, tuple[str, pa.Table]] = {}  # a re-ingest: the code tables are not built at all
    else:
        tables = _code_tables(files, meta)
    with store.transaction():
        for kind, record in meta.records.items():
            if store.is_loaded(record):
                report.skipped.append(record.release)
                continue
            table, arrow = tables[kind]
            n = store.replace_release(con, record, {table: arrow})
            report.loaded.append({"release": record.release, "rows": n, "file": record.file})
        for plan in plans:
            with materialised(plan.member, workdir) as (csv_path, digest):
                previous = store.loaded_checksum(plan.release)
                if previous is not None and previous == digest.result():
                    report.skipped.append(plan.release)
                    continue
                check_layout(csv_path, plan.member.origin)
                store.clear_release(con, plan.release)
                con.execute("INSERT INTO baci_releases VALUES (?, ?, ?, ?)",
                            [plan.release, files.version, files.hs_revision, plan.year])
                if plan.clean_parquet is None:
                    source = f"read_csv(?, {_CSV_OPTIONS}, columns = {_TYPED_COLUMNS})"
                else:
                    source = "read_parquet(?)"
                    csv_path = plan.clean_parquet
                try:
                    con.execute(
                        f"INSERT INTO baci_flows SELECT ?, t, i, j, k, v, {quantity_sql('q')} FROM {source}",
                        [plan.release, str(csv_path)])
                except duckdb.Error as exc:
                    raise _BadFile(plan, str(exc).splitlines()[0]) from None
                pause_point("baci-inserted")
                n = _check_loaded(con, plan, files.version, meta.records["products"].release)
                record = _record(plan.release, files.version, plan.member, digest.result(),
                                 f"flows {plan.year} ({files.hs_revision})")
                store.record_release(con, record, n)
                report.loaded.append({"release": plan.release, "rows": n, "file": record.file,
                                      "rejected": len(plan.rejections)})
        if quarantine_path is not None:  # before the commit: a quarantine that cannot be written loads nothing
            report.rejected = quarantine.write(quarantine_path, [r for p in plans for r in p.rejections])
            report.quarantine = str(quarantine_path)


def remove_workdirs(store_dir: Path) -> None:
    """Remove temp folders left by a killed ingest (they hold only copies of input files)."""
    for d in store_dir.glob(".bilateral-ingest-*"):
        shutil.rmtree(d, ignore_errors=True)


# --------------------------------------------------------------------------------------------
# the common re-published layout: ISO3 codes and values in dollars (Parquet or CSV)
#
# Many BACI extracts circulate as one table ``year, exporter, importer, hs6, value_usd`` (ISO3 codes,
# HS6 as six characters, US dollars), e.g. the 2024 matrix in the shared data folder. Such a file
# is loaded into the same compact tables as a CEPII release: its ISO3 codes get numeric codes of
# their own (a country table of version ``ISO3-<checksum prefix>``), values are stored in thousands
# like BACI's ``v``, so ``flows_baci``, ``rca_baci`` and the world-matrix reads serve it unchanged.

ISO3_COLUMNS = ("exporter", "importer", "hs6", "value_usd")
ISO3_SUFFIXES = (".parquet", ".csv")
ISO3_PRODUCER = "CEPII, BACI (an extract in the ISO3/US-dollar layout)"
ISO3_HS_REVISION = "HS (revision not stated in the file)"


def _iso3_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path] if path.suffix.lower() in ISO3_SUFFIXES else []
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in ISO3_SUFFIXES
                      and not FLOWS_FILE.match(p.name) and not COUNTRY_FILE.match(p.name)
                      and not PRODUCT_FILE.match(p.name))
    return []


def _iso3_source(path: Path) -> str:
    lit = "'" + str(path).replace("'", "''") + "'"
    if path.suffix.lower() == ".parquet":
        return f"read_parquet({lit})"
    return f"read_csv({lit}, header = true, all_varchar = true)"


def _columns(path: Path) -> list[str]:
    con = duckdb.connect()
    try:
        return [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {_iso3_source(path)}").fetchall()]
    except duckdb.Error as exc:
        raise InputError(f"cannot read the file: {str(exc).splitlines()[0]}", file=str(path)) from None
    finally:
        con.close()


def is_iso3_layout(path: Path) -> bool:
    """Whether ``path`` (file or folder) holds ISO3-layout tables rather than a CEPII release.

    ISO3 layout: columns exporter, importer, hs6, value_usd; a CEPII release has t,i,j,k,v,q files.
    """
    if path.is_dir() and any(FLOWS_FILE.match(p.name) for p in path.iterdir()):
        return False
    if path.is_file() and zipfile.is_zipfile(path):
        return False
    files = _iso3_files(path)
    return bool(files) and all(c in _columns(files[0]) for c in ISO3_COLUMNS)


def ingest_iso3(store: Store, path: Path, *, years: set[int] | None = None,
                quarantine_path: Path | None = None) -> IngestReport:
    """Load matrix files in the ISO3/US-dollar layout (Parquet or CSV), one transaction for all.

    Each file holds ``exporter, importer, hs6, value_usd`` and, unless ``years`` names exactly one
    year, a ``year`` column. Rows are checked (year, 3-character codes, exporter ≠ importer, six-digit
    HS code, finite value ≥ 0, unique keys); bad rows abort the load naming file, row and reason,
    or go to ``quarantine_path`` with ``--quarantine``. A file already loaded with the same
    checksum is a no-op.
    """
    files = _iso3_files(path)
    if not files:
        raise InputError("no Parquet or CSV file with columns exporter, importer, hs6, value_usd", file=str(path))
    for f in files:
        if check_file(f, "BACI matrix file").st_size == 0:
            raise InputError(f"file is empty (expected the columns {', '.join(ISO3_COLUMNS)} and rows)", file=str(f))
    report = IngestReport()
    rejections: list[Rejection] = []
    con = store.con
    last_year = last_data_year()
    with store.transaction(), _known_codes(con):
        for f in files:
            cols = _columns(f)
            missing = [c for c in ISO3_COLUMNS if c not in cols]
            if missing:
                raise InputError(f"lacks the column(s) {', '.join(missing)} (found {', '.join(cols)})", file=str(f))
            if "year" in cols:
                year_sql = "TRY_CAST(year AS INTEGER)"
            elif years and len(years) == 1:
                year_sql = str(next(iter(years)))
            else:
                raise InputError("has no year column: pass the year with --years YYYY", file=str(f))
            digest = sha256_file(f)
            version = f"ISO3-{digest[:12]}"
            src = (f"SELECT row_number() OVER () + 1 AS line, {year_sql} AS t, upper(trim(CAST(exporter AS VARCHAR))) "
                   f"AS e, upper(trim(CAST(importer AS VARCHAR))) AS m, trim(CAST(hs6 AS VARCHAR)) AS k, "
                   f"TRY_CAST(value_usd AS DOUBLE) AS v, CAST(value_usd AS VARCHAR) AS raw_v FROM {_iso3_source(f)}")
            con.execute(f"CREATE OR REPLACE TEMP TABLE _iso3 AS {src}").fetchall()
            n_rows = con.execute("SELECT count(*) FROM _iso3").fetchall()[0][0]
            store.expect_rows(int(n_rows))
            pause_point("iso3-staged")
            year_list = [r[0] for r in con.execute("SELECT DISTINCT t FROM _iso3 WHERE t IS NOT NULL ORDER BY t").fetchall()]
            wanted = [y for y in year_list if years is None or y in years]
            if not wanted:
                if years and year_list:
                    raise InputError(f"no rows for {', '.join(map(str, sorted(years)))} (it holds "
                                     f"{', '.join(map(str, year_list[:10]))}); nothing was loaded", file=str(f))
                if n_rows:
                    raise InputError(f"year is not an integer in any of its {n_rows:,} rows; nothing was loaded",
                                     file=str(f), field="year")
                raise InputError("has no data rows; nothing was loaded", file=str(f))
            problems = con.execute(f"""
                SELECT line, field, value, reason FROM (
                  SELECT line, CASE
                    WHEN t IS NULL OR t NOT BETWEEN {FIRST_DATA_YEAR} AND {last_year} THEN 'year'
                    WHEN NOT regexp_full_match(e, '[A-Z0-9_]{{3,6}}') OR NOT _known_code(e) THEN 'exporter'
                    WHEN NOT regexp_full_match(m, '[A-Z0-9_]{{3,6}}') OR NOT _known_code(m) THEN 'importer'
                    WHEN e = m THEN 'importer' WHEN NOT regexp_full_match(k, '[0-9]{{6}}') THEN 'hs6'
                    WHEN v IS NULL OR NOT isfinite(v) OR v < 0 OR v > {MAX_USD!r} THEN 'value_usd'
                    WHEN count(*) OVER (PARTITION BY t, e, m, k) > 1 THEN 'hs6' END AS field,
                  CASE
                    WHEN t IS NULL THEN 'year is not an integer'
                    WHEN t NOT BETWEEN {FIRST_DATA_YEAR} AND {last_year}
                         THEN 'year ' || t || ' is outside the data''s years ({FIRST_DATA_YEAR}-{last_year})'
                    WHEN NOT regexp_full_match(e, '[A-Z0-9_]{{3,6}}') THEN 'exporter is not an ISO3 code'
                    WHEN NOT _known_code(e) THEN 'exporter ' || e || ' is not a known country code'
                    WHEN NOT regexp_full_match(m, '[A-Z0-9_]{{3,6}}') THEN 'importer is not an ISO3 code'
                    WHEN NOT _known_code(m) THEN 'importer ' || m || ' is not a known country code'
                    WHEN e = m THEN 'exporter and importer are the same country'
                    WHEN NOT regexp_full_match(k, '[0-9]{{6}}') THEN 'HS6 code is not six digits (a leading zero lost?)'
                    WHEN v IS NULL OR NOT isfinite(v) THEN 'value is not a number'
                    WHEN v < 0 THEN 'value is negative'
                    WHEN v > {MAX_USD!r} THEN 'value is larger than US$1e15, more than world trade'
                    WHEN count(*) OVER (PARTITION BY t, e, m, k) > 1 THEN 'duplicate key (year, exporter, importer, hs6)'
                  END AS reason,
                  coalesce(CASE WHEN t IS NULL THEN NULL ELSE e || ',' || m || ',' || k || ',' || coalesce(raw_v, '') END,
                           '') AS value
                  FROM _iso3 WHERE t IS NULL OR t IN (SELECT unnest(?::INTEGER[])))
                WHERE field IS NOT NULL ORDER BY line""", [wanted]).fetchall()
            bad = [Rejection(str(f), int(line) if f.suffix.lower() == ".csv" else None, field, value,
                             reason if f.suffix.lower() == ".csv" else f"row {int(line) - 1}: {reason}")
                   for line, field, value, reason in problems]
            if bad and quarantine_path is None:
                raise quarantine.as_error(bad)
            rejections += bad
            # a temp table, not a registered Arrow table: registering makes DuckDB import pandas (seconds)
            con.execute("CREATE OR REPLACE TEMP TABLE _iso3_bad AS SELECT unnest(?::BIGINT[]) AS line",
                        [[p[0] for p in problems]]).fetchall()
            try:
                valid = [r[0] for r in con.execute(
                    "SELECT DISTINCT t FROM _iso3 WHERE t IN (SELECT unnest(?::INTEGER[])) AND line NOT IN "
                    "(SELECT line FROM _iso3_bad) ORDER BY t", [wanted]).fetchall()]
                if not valid:  # nothing to load: never record a release without rows
                    if bad and quarantine_path is not None:
                        raise InputError(f"no valid row to load: all {len(bad):,} were rejected (the first: "
                                         f"{bad[0].reason}); nothing was loaded and no quarantine file written",
                                         file=str(f))
                    raise quarantine.as_error(bad) if bad else InputError("has no data rows; nothing was loaded",
                                                                          file=str(f))
                codes = sorted(r[0] for r in con.execute(
                    "SELECT e FROM _iso3 WHERE line NOT IN (SELECT line FROM _iso3_bad) UNION "
                    "SELECT m FROM _iso3 WHERE line NOT IN (SELECT line FROM _iso3_bad)").fetchall())
                countries_release = f"baci/{version}/countries"
                country_record = ReleaseRecord(
                    release=countries_release, source=SOURCE, version=version, file=str(f), checksum=digest,
                    producer=ISO3_PRODUCER, url=URL, accessed=None, licence=LICENCE,
                    origin={"file": str(f), "content": "ISO3 codes of the file, numbered for the compact tables"})
                if not store.is_loaded(country_record):
                    store.replace_release(con, country_record, {"baci_countries": pa.table({
                        "release": [countries_release] * len(codes), "version": [version] * len(codes),
                        "code": pa.array(range(1, len(codes) + 1), type=pa.int16()), "iso3": codes,
                        "name": codes})})
                for year in valid:
                    release = f"baci/ISO3/{f.stem}/{year}"
                    if store.loaded_checksum(release) == digest:
                        report.skipped.append(release)
                        continue
                    store.clear_release(con, release)
                    con.execute("INSERT INTO baci_releases VALUES (?, ?, ?, ?)",
                                [release, version, ISO3_HS_REVISION, year]).fetchall()
                    con.execute(
                        """INSERT INTO baci_flows
                           SELECT ?, x.t, ci.code, cj.code, x.k, x.v / 1000.0, NULL FROM _iso3 x
                           JOIN baci_countries ci ON ci.version = ? AND ci.iso3 = x.e
                           JOIN baci_countries cj ON cj.version = ? AND cj.iso3 = x.m
                           WHERE x.t = ? AND x.line NOT IN (SELECT line FROM _iso3_bad)""",
                        [release, version, version, year]).fetchall()
                    pause_point("iso3-inserted")
                    n = con.execute("SELECT count(*) FROM baci_flows WHERE release = ?", [release]).fetchall()[0][0]
                    record = ReleaseRecord(
                        release=release, source=SOURCE, version=version, file=str(f), checksum=digest,
                        producer=ISO3_PRODUCER, url=URL, accessed=None, licence=LICENCE,
                        origin={"file": str(f), "content": f"flows {year} (ISO3 codes, US$; stored in thousands)"})
                    store.record_release(con, record, int(n))
                    report.loaded.append({"release": release, "rows": int(n), "file": str(f),
                                          "rejected": sum(1 for _ in bad)})
            finally:
                _tidy(con, "_iso3_bad", "_iso3")
        if quarantine_path is not None:  # before the commit: a quarantine that cannot be written loads nothing
            report.rejected = quarantine.write(quarantine_path, rejections)
            report.quarantine = str(quarantine_path)
    return report


@contextmanager
def _known_codes(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """The codes a matrix row may name, as the SQL macro ``_known_code(code)`` while a load runs.

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
            pass  # an aborted transaction: the rollback drops the macro


def _tidy(con: duckdb.DuckDBPyConnection, *tables: str) -> None:
    """Drop the load's scratch objects.

    After an error or Ctrl-C the transaction is aborted and the rollback removes them instead, so a
    failure here must not hide the error that ended the load.
    """
    try:
        con.complete()  # a lookup may have left its result unread
        for table in tables:
            con.execute(f"DROP TABLE IF EXISTS {table}").fetchall()
    except duckdb.Error:
        pass
