"""CEPII BACI bulk files, read exactly as published, streamed through DuckDB into the store.

A BACI release (the zip, or its unpacked folder) holds yearly files ``BACI_HS<rev>_Y<year>_V<release>.csv``
with the header ``t,i,j,k,v,q`` (t year, i exporter, j importer — BACI's numeric country codes —,
k the HS6 code as six characters with leading zeros, v value in thousands of US dollars, q
quantity in metric tons, ``NA`` or empty when unknown), plus ``country_codes_V<release>.csv`` and
``product_codes_HS<rev>_V<release>.csv``.

Loading is optimistic: each yearly file goes straight from ``read_csv`` into ``baci_flows``, the
year, values and quantities checked in that same scan (a bad one stops it), then the codes and the
key order are checked in one pass over the stored rows (:func:`_check_loaded`; unique keys by a
second pass only for a file not in BACI's key order).
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
from typing import TYPE_CHECKING, Any

import duckdb

from bilateral.errors import InputError, StoreError
from bilateral.inputs import protect
from bilateral.sources import quarantine
from bilateral.sources.quarantine import Rejection
from bilateral.sources.report import IngestReport
from bilateral.store.db import Store, disk_fault
from bilateral.store.faults import pause_point
from bilateral.store.releases import ReleaseRecord, sha256_file
from bilateral.store.schema import BACI_SERVING

if TYPE_CHECKING:
    import numpy as np

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
#: DuckDB errors that mean "a row of the file is bad" (a parse error, a constraint, a value that does not convert)
_BAD_ROW_ERRORS = (duckdb.InvalidInputException, duckdb.ConstraintException, duckdb.ConversionException)


# --------------------------------------------------------------------------------------------
# quirks, each a named function with a regression row in tests/test_baci.py


def quantity_sql(column: str) -> str:
    """SQL for q, where a missing quantity becomes NULL.

    BACI writes a missing quantity as ``NA`` — space-padded in some releases — or leaves it empty.
    Anything else must be a number: it fails the cast (and the load goes to :func:`diagnose`). A
    number converts at once; only the rest (a few percent of rows) is trimmed and compared.
    """
    return (f"coalesce(TRY_CAST({column} AS DOUBLE), CASE WHEN {column} IS NULL OR trim({column}) IN ('NA', '') "
            f"THEN NULL ELSE CAST({column} AS DOUBLE) END)")


def checked_row_sql(year: int, source: str) -> str:
    """The columns t … q of ``baci_flows`` from ``source`` (a relation with BACI's t, i, j, k, v, q), checked.

    A year other than ``year``, a value that is not finite or a quantity that is negative or not
    finite stops the scan (DuckDB's ``error()``): the checks cost no pass of their own. A negative
    value is the table's CHECK constraint; codes and unique keys are checked after the insert.
    The load then falls back to :func:`diagnose`, which names every bad line and field.
    """
    return (f"CASE WHEN t = {int(year)} THEN t ELSE error('a row is not of year {int(year)}') END, i, j, k, "
            "CASE WHEN isfinite(v) THEN v ELSE error('a value is not finite') END, "
            "CASE WHEN q IS NULL OR (q >= 0 AND isfinite(q)) THEN q "
            "ELSE error('a quantity is negative or not finite') END "
            f"FROM (SELECT t, i, j, k, v, {quantity_sql('q')} AS q FROM {source})")


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


class Checksum:
    """The sha256 of a file: computed in a thread once :meth:`start` is called, or at once by :meth:`result`.

    A fresh load starts it when its insert is done: the checks after the insert run on one core
    and the hash on the other, instead of the hash taking a core from the parallel insert.
    """

    def __init__(self, path: Path | None = None, value: str | None = None) -> None:
        self._path = path
        self._future: Future[str] | None = None
        if value is not None:
            self._future = Future()
            self._future.set_result(value)
        self._pool: ThreadPoolExecutor | None = None

    def start(self) -> None:
        """Begin hashing in a thread (no-op when started or known)."""
        if self._future is None:
            assert self._path is not None
            self._pool = ThreadPoolExecutor(max_workers=1)
            self._future = self._pool.submit(sha256_file, self._path)

    def result(self) -> str:
        """The hex sha256 (waits for the thread, or hashes now if not started)."""
        self.start()
        assert self._future is not None
        return self._future.result()

    def close(self) -> None:
        """Wait for a running hash (its file may be removed next) and free the thread."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)


@contextmanager
def materialised(member: Member, workdir: Path) -> Iterator[tuple[Path, Checksum]]:
    """The member as a file on disk, and its sha256 (:class:`Checksum`: hashed only when asked for).

    A zip member is streamed to ``workdir`` (hashed on the way) and removed afterwards.
    """
    if member.path is not None:
        digest = Checksum(member.path)
        try:
            yield member.path, digest
        finally:
            digest.close()
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
    try:
        yield out, Checksum(value=h.hexdigest())
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


def _check_loaded(con: duckdb.DuckDBPyConnection, plan: YearPlan, meta: _Meta) -> int:
    """Checks over the rows just inserted; returns their count. Any problem sends the file to :func:`diagnose`.

    Years, values and quantities were checked by the insert itself (:func:`checked_row_sql`). The
    rest is one streaming pass over the stored rows (reading HS6 codes back is most of its cost,
    so it is done once): it counts the rows, collects the distinct codes, which are compared with
    the release's tables here (HS6 codes through the product table, which holds six-digit codes
    only, so a code of the wrong length shows up as unknown), and compares each row's key with
    the one before. A file in strictly increasing key order has no duplicate keys, and BACI is
    published sorted by (i, j, k) (codes as numbers, HS6 as text, so no cast per row). Otherwise
    see :func:`_unique_keys`.
    """
    row = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE ij < pij OR (ij = pij AND k <= pk)), "
        "list(DISTINCT i), list(DISTINCT j), list(DISTINCT k) FROM ("
        "SELECT i, j, k, i::INTEGER * 1000 + j AS ij, lag(i::INTEGER * 1000 + j) OVER () AS pij, lag(k) OVER () AS pk "
        "FROM baci_flows WHERE release = ?)", [plan.release]).fetchone()
    assert row is not None
    n, unsorted, exporters, importers, products = row
    if n == 0:
        raise _BadFile(plan, "no rows")
    if not (set(exporters) | set(importers)) <= meta.codes or not set(products) <= meta.product_codes:
        raise _BadFile(plan, "unknown codes")
    if unsorted:
        _unique_keys(con, plan, meta)
    return int(n)


def _unique_keys(con: duckdb.DuckDBPyConnection, plan: YearPlan, meta: _Meta) -> None:
    """Raise :class:`_BadFile` when two stored rows share (i, j, k), for a file not in key order.

    One bit per possible cell — the ranks of i, j and k in the release's tables make a dense
    index — and the bits set must equal the rows: memory for the key space (about 40 MB for
    BACI), not for the rows.
    """
    n, p = len(meta.countries), len(meta.products)
    row = con.execute(
        f"""
        WITH c AS (SELECT unnest(?::SMALLINT[]) AS code, generate_subscripts(?::SMALLINT[], 1) - 1 AS r),
             p AS (SELECT unnest(?::VARCHAR[]) AS k, generate_subscripts(?::VARCHAR[], 1) - 1 AS r)
        SELECT count(*), bit_count(bitstring_agg((ci.r::BIGINT * {n} + cj.r) * {p} + p.r, 0, {n * n * p - 1}))
        FROM baci_flows f JOIN c ci ON ci.code = f.i JOIN c cj ON cj.code = f.j JOIN p ON p.k = f.k
        WHERE f.release = ?""",
        [codes := sorted(meta.codes), codes, prods := sorted(meta.product_codes), prods, plan.release]).fetchone()
    if row is None or row[0] != row[1]:
        raise _BadFile(plan, "duplicate keys")


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
        import numpy as np

        con.execute("CREATE TABLE codes AS SELECT unnest(?::SMALLINT[]) AS c", [sorted(codes)])
        con.execute("CREATE TABLE prods AS SELECT unnest(?::VARCHAR[]) AS k", [sorted(products)])
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
        con.execute("CREATE TABLE bad AS SELECT unnest(?::BIGINT[]) AS n", [rows.tolist()])
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
    import numpy as np

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
    store_dir = store.path.parent
    remove_workdirs(store_dir)
    if is_iso3_layout(path) or (path.is_file() and path.suffix.lower() in ISO3_SUFFIXES
                                and not FLOWS_FILE.match(path.name)):  # a table: it says what it lacks
        from bilateral.sources.baci_iso3 import ingest_iso3

        report = ingest_iso3(store, path, years=years, quarantine_path=quarantine_path)
        report.notes += serving_notes(store, _years_of(report))
        return report
    files = discover(path, years)
    report = IngestReport()
    plans = [YearPlan(y, m, f"baci/HS{files.revision}/{files.version}/{y}") for y, m in files.years.items()]
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
    report.notes += serving_notes(store, set(files.years))
    return report


def _years_of(report: IngestReport) -> set[int]:
    """The years of the flows releases an ingest loaded or found loaded (their names end in the year)."""
    names = [str(r["release"]) for r in report.loaded] + list(report.skipped)
    return {int(n.rsplit("/", 1)[1]) for n in names if re.fullmatch(r".*/\d{4}", n)}


def serving_notes(store: Store, years: set[int]) -> list[str]:
    """For each year with more than one BACI release loaded: which serves the figures, which are set aside.

    One release per year serves (:data:`~bilateral.store.schema.BACI_SERVING`): the newest CEPII
    version, else the extract loaded last. Versions are never added together.
    """
    if not years:
        return []
    rows = store.con.execute(
        f"""SELECT r.year, s.release, s.version, list(r.release || ' (' || r.version || ')' ORDER BY r.release)
            FROM baci_releases r JOIN ({BACI_SERVING}) s USING (year)
            WHERE r.year IN (SELECT unnest(?::INTEGER[])) AND r.release <> s.release
            GROUP BY ALL ORDER BY r.year""", [sorted(years)]).fetchall()
    return [f"{year}: {len(others) + 1} BACI releases of the year are loaded; {release} ({version}) serves every "
            f"figure ({_WHY_SERVES}); set aside, never added to it: {', '.join(others)}"
            for year, release, version, others in rows]


#: why one release of a year serves (the order of :data:`~bilateral.store.schema.BACI_SERVING`)
_WHY_SERVES = "the newest CEPII version; an extract in the ISO3 layout only when no CEPII release is, the last loaded"


def _insert_code_table(con: duckdb.DuckDBPyConnection, kind: str, files: BaciFiles, meta: _Meta) -> int:
    """Insert the release's country (``kind`` "countries") or product table; returns its rows."""
    release = meta.records[kind].release
    if kind == "countries":
        rows = meta.countries
        con.execute("INSERT INTO baci_countries SELECT ?, ?, unnest(?::SMALLINT[]), unnest(?::VARCHAR[]), "
                    "unnest(?::VARCHAR[])", [release, files.version, [r["code"] for r in rows],
                                             [r["iso3"] for r in rows], [r["name"] for r in rows]])
    else:
        rows = meta.products
        con.execute("INSERT INTO products SELECT ?, ?, unnest(?::VARCHAR[]), 6, unnest(?::VARCHAR[]), 't'",
                    [release, files.hs_revision, [r["code"] for r in rows], [r["description"] for r in rows]])
    return len(rows)


def _load(store: Store, files: BaciFiles, plans: list[YearPlan], meta: _Meta, workdir: Path,
          report: IngestReport, quarantine_path: Path | None = None) -> None:
    con = store.con
    with store.transaction():
        for kind, record in meta.records.items():
            if store.is_loaded(record):
                report.skipped.append(record.release)
                continue
            store.clear_release(con, record.release)
            n = _insert_code_table(con, kind, files, meta)
            store.record_release(con, record, n)
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
                    con.execute(f"INSERT INTO baci_flows SELECT ?, {checked_row_sql(plan.year, source)}",
                                [plan.release, str(csv_path)])
                except _BAD_ROW_ERRORS as exc:
                    if disk_fault(exc) is not None:
                        raise
                    raise _BadFile(plan, str(exc).splitlines()[0]) from None
                pause_point("baci-inserted")
                digest.start()  # beside the checks, which use one core
                n = _check_loaded(con, plan, meta)
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
# the common re-published layout (ISO3 codes, US dollars): bilateral.sources.baci_iso3

ISO3_SUFFIXES = (".parquet", ".csv")


def is_iso3_layout(path: Path) -> bool:
    """Whether ``path`` (file or folder) holds ISO3-layout tables rather than a CEPII release."""
    from bilateral.sources.baci_iso3 import is_iso3_layout as check

    return check(path, FLOWS_FILE)
