"""India's Export Import Data Bank (EIDB, DGCI&S / TradeStat), in the layouts users have.

Two layouts:

- **Commodity pages as JSON** (``<HS8>_export.json``, one file per ITC-HS 8-digit code, as written by
  the tradestat-ingestor scrape): ``years[Y]`` is the portal's page for fiscal year Y-(Y+1); each
  ``countries[n]`` has ``values_usd`` (US$ million) and ``values_quantity`` for two fiscal years,
  and ``totals`` the page's total row. See :func:`page_columns` and :func:`page_total` for the
  year-key quirks.
- **Region-wise HS-chapter tables as CSV** (``import_<FY>_<region>.csv``): ``S.No., HSCode,
  Commodity, <FY>, <FY>, %Growth``, then a ``Total`` row the chapters must add up to.

Both give canonical ``flows`` rows (reporter IND). A whole ingest is one transaction.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictFloat, StrictInt, StrictStr, ValidationError

from bilateral.errors import InputError
from bilateral.harmonise import countries
from bilateral.harmonise.hs import eidb_hs_revision
from bilateral.harmonise.periods import FiscalYear, parse_fy
from bilateral.inputs import TABLE_MAX_BYTES, read_bytes, read_text
from bilateral.sources import quarantine
from bilateral.sources.canonical import USD_PER_MILLION, parse_usd_millions, to_table
from bilateral.sources.quarantine import Rejection
from bilateral.sources.report import IngestReport
from bilateral.store.db import Store
from bilateral.store.releases import ReleaseRecord
from bilateral.validation import FIRST_DATA_YEAR, last_data_year

SOURCE = "eidb"
REPORTER = "IND"
PRODUCER = "DGCI&S / Department of Commerce, Government of India (TradeStat EIDB)"
LICENCE = ("Government of India statistics published for public use; attribute 'Source: DGCI&S / "
           "Department of Commerce, Government of India (TradeStat)'")
COMMODITY_URL = "https://tradestat.commerce.gov.in/eidb/commodity_wise_all_countries_export"
PORTAL_URL = "https://tradestat.commerce.gov.in/"
#: each page value is rounded to US$0.01 million, so a sum of n rows may drift by n half-cents
ROUNDING_PER_ROW_MN = 0.005
ROUNDING_SLACK_MN = 0.011
#: no quantity of one HS8 line to one partner in a year reaches this (kg, litres, units)
MAX_QUANTITY = 1e15
PAGE_OWN_KEY = "y2024_2025"
PAGE_PREVIOUS_KEY = "y2023_2024"
COMMODITY_FILE = re.compile(r"^(\d{8})_export\.json$")
REGION_FILE = re.compile(r"^(import|export)_(\d{4}-\d{2})_([a-z0-9-]+)\.csv$")
_REGION_FY = re.compile(r"^\d{4}-\d{4}$")


# --------------------------------------------------------------------------------------------
# quirks of the commodity pages (regression rows in tests/test_eidb.py)


def page_columns(page_year: int) -> dict[str, FiscalYear]:
    """The fiscal years behind the two year keys of page ``years[Y]``, whatever Y is.

    ``y2024_2025`` holds the page's own FY (Y-(Y+1)) and ``y2023_2024`` the FY before it: the scrape
    kept the key names of the 2024 page for every page.
    """
    own = FiscalYear(page_year)
    return {PAGE_OWN_KEY: own, PAGE_PREVIOUS_KEY: FiscalYear(page_year - 1)}


def page_total(page: dict[str, Any]) -> float | None:
    """The page's own-FY total, US$ million.

    The totals block is shifted: its ``y2023_2024`` holds the page-FY total and its ``y2024_2025``
    the growth rate, not a value.
    """
    block = (page.get("totals") or {}).get("total") or {}
    value = (block.get("values_usd") or {}).get(PAGE_PREVIOUS_KEY)
    return None if value is None else float(value)


# --------------------------------------------------------------------------------------------
# the commodity page's shape, checked with pydantic before any value is read (wrong types, a list
# where an object belongs, a number where text belongs: one line naming the field). Values are
# JSON numbers or numeric text ("1,102.68"): what they mean is checked afterwards, field by field.

#: largest commodity page read (the biggest of the 10,830 scraped pages is about 120 kB)
PAGE_MAX_BYTES = 20 * 1024 * 1024
#: a value as the scrape writes it: a JSON number or numeric text; never true/false
PageValue = StrictInt | StrictFloat | StrictStr | None


class _Schema(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class PageCountry(_Schema):
    """One partner row of a page: its spelling, values (US$ million) and quantities by year key."""

    country: StrictStr
    values_usd: dict[str, PageValue] = Field(default_factory=dict)
    values_quantity: dict[str, PageValue] = Field(default_factory=dict)


class PageTotalRow(_Schema):
    """The page's total row (see :func:`page_total` for its shifted keys)."""

    values_usd: dict[str, PageValue] = Field(default_factory=dict)


class PageTotals(_Schema):
    """The totals block of a page."""

    total: PageTotalRow | None = None


class PageCommodity(_Schema):
    """The page's commodity: its quantity unit."""

    unit: StrictStr | None = None


class Page(_Schema):
    """One page (``years[Y]``): partners are checked one by one, so one bad row can be quarantined."""

    commodity: PageCommodity | None = None
    countries: list[dict[str, Any]] = Field(default_factory=list)
    totals: PageTotals | None = None


class CommodityFile(_Schema):
    """A ``<HS8>_export.json`` file: the HS8 code and one page per year."""

    hsn_code: StrictStr | StrictInt
    years: dict[str, dict[str, Any]]


#: pydantic's names for the members of a union, as a message says them
_TYPE_WORDS = {"int": "a whole number", "float": "a number", "str": "text", "bool": "true or false", "none": "null"}


def _schema_error(exc: ValidationError, where: str) -> tuple[str, str]:
    """The first problem pydantic found, as (field path, what is wrong).

    For a value that may be of several types, pydantic reports one error per type, each under the
    field's path plus the type's name; they become one message naming the types allowed.
    """
    errors = exc.errors()
    first = errors[0]
    loc = list(first["loc"])
    tags: list[str] = []
    if loc and str(loc[-1]) in _TYPE_WORDS:
        field = loc[:-1]
        tags = [str(e["loc"][-1]) for e in errors if list(e["loc"][:-1]) == field and str(e["loc"][-1]) in _TYPE_WORDS]
        loc = field
    path = where
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    got = first.get("input")
    shown = repr(got) if isinstance(got, str | int | float) else type(got).__name__
    what = (f"should be {' or '.join(dict.fromkeys(_TYPE_WORDS[t] for t in tags))}" if tags
            else first["msg"].lower())
    return path, f"{what} (got {shown[:40]})"


@cache
def region_groups() -> dict[str, str]:
    """Region slugs of EIDB region-wise file names → group codes (``harmonise/data/eidb_regions.csv``)."""
    text = resources.files("bilateral.harmonise").joinpath("data/eidb_regions.csv").read_text(encoding="utf-8")
    return {r["slug"]: r["group"] for r in csv.DictReader(text.splitlines())}


# --------------------------------------------------------------------------------------------
# readers: a file → canonical rows, problems reported (or collected with --quarantine)


Report = Callable[[Rejection], None]


def _raise(r: Rejection) -> None:
    raise InputError(r.reason, file=r.file, line=r.line, field=r.field)


@dataclass
class Parsed:
    release: str
    file: Path
    rows: list[dict[str, Any]]
    url: str
    what: str


def _row(release: str, fy: FiscalYear, partner: str, flow: str, product: str, level: int, value_usd: float,
         quality: str, quantity: float | None = None, unit: str | None = None) -> dict[str, Any]:
    return {
        "source": SOURCE, "release": release, "period": fy.label, "period_kind": "fy", "reporter": REPORTER,
        "partner": partner, "flow": flow, "hs_revision": eidb_hs_revision(fy.start_year), "product": product,
        "product_level": level, "value_usd": value_usd, "quantity": quantity, "quantity_unit": unit,
        "estimate": "reported", "quality": quality,
    }


def read_commodity_json(path: Path, report: Report = _raise) -> Parsed:
    """One ``<HS8>_export.json``: India's exports of that code to every partner, by FY.

    A FY shown on two pages (as the page's own year, then as the previous year of the next page)
    takes the later page's figure: the latest revision.
    """
    label = str(path)
    data = read_bytes(path, "EIDB commodity page", PAGE_MAX_BYTES)
    try:
        doc = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text: {exc.reason} at byte {exc.start}", file=label) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON ({exc.msg}; truncated?)", file=label, line=exc.lineno,
                         field=f"column {exc.colno}") from None
    except RecursionError:
        raise InputError("JSON nested too deeply to be an EIDB commodity page", file=label) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("years"), dict):
        raise InputError("no 'years' object: not an EIDB commodity page", file=label, field="years")
    try:
        page_file = CommodityFile.model_validate(doc)
    except ValidationError as exc:
        field, problem = _schema_error(exc, "")
        raise InputError(problem, file=label, field=field.lstrip(".")) from None
    hs8 = str(page_file.hsn_code).strip()
    m = COMMODITY_FILE.match(path.name)
    if len(hs8) != 8 or not hs8.isdigit():
        raise InputError(f"HS8 code {hs8!r} is not 8 digits", file=label, field="hsn_code")
    if m and m.group(1) != hs8:
        raise InputError(f"file name says {m.group(1)} but hsn_code is {hs8}", file=label, field="hsn_code")
    release = f"eidb/export-hs8/{hs8}"
    cells: dict[tuple[str, str], dict[str, Any]] = {}
    last = last_data_year()
    for key in sorted(page_file.years, key=lambda k: (len(k), k)):
        where = f"years[{key}]"
        if not key.isdigit() or len(key) != 4:
            report(Rejection(label, None, where, key[:40], "page key is not a year"))
            continue
        if not FIRST_DATA_YEAR <= int(key) <= last:
            report(Rejection(label, None, where, key, f"page year {key} is outside the data's years "
                             f"({FIRST_DATA_YEAR}-{last})"))
            continue
        try:
            page = Page.model_validate(page_file.years[key])
        except ValidationError as exc:
            field, problem = _schema_error(exc, where)
            report(Rejection(label, None, field, None, problem))
            continue
        columns = page_columns(int(key))
        unit = ((page.commodity.unit if page.commodity else None) or "").strip() or None
        own_sum, n_own = Decimal(0), 0
        for n, raw_entry in enumerate(page.countries):
            field = f"{where}.countries[{n}]"
            try:
                entry = PageCountry.model_validate(raw_entry)
            except ValidationError as exc:
                bad_field, problem = _schema_error(exc, field)
                report(Rejection(label, None, bad_field, None, problem))
                continue
            spelling = entry.country.strip()
            try:
                partner = countries.resolve(spelling).iso3
            except countries.UnmappedCountryError as exc:
                report(Rejection(label, None, f"{field}.country", spelling, str(exc)))
                continue
            for col, fy in columns.items():
                raw = entry.values_usd.get(col)
                if raw is None:
                    continue
                try:
                    value = parse_usd_millions(raw, file=label, field=f"{field}.values_usd.{col}")
                except InputError as exc:
                    report(Rejection(label, None, f"{field}.values_usd.{col}", str(raw)[:40], str(exc).split(": ", 1)[-1]))
                    continue
                if col == PAGE_OWN_KEY:
                    own_sum += Decimal(str(raw).replace(",", ""))
                    n_own += 1
                q = entry.values_quantity.get(col)
                if q is not None and (not isinstance(q, int | float) or not 0 <= q < MAX_QUANTITY):
                    report(Rejection(label, None, f"{field}.values_quantity.{col}", str(q)[:40],
                                     "quantity is not a finite non-negative number"))
                    continue
                cells[(fy.label, partner)] = _row(release, fy, partner, "export", hs8, 8, value, "complete",
                                                  None if q is None else float(q), unit)
        raw_total = page.totals.total.values_usd.get(PAGE_PREVIOUS_KEY) if page.totals and page.totals.total else None
        if raw_total is not None:
            try:
                total = parse_usd_millions(raw_total, file=label, field=f"{where}.totals.total") / USD_PER_MILLION
            except InputError as exc:
                report(Rejection(label, None, f"{where}.totals.total", str(raw_total)[:40], str(exc).split(": ", 1)[-1]))
                continue
            tolerance = ROUNDING_PER_ROW_MN * n_own + ROUNDING_SLACK_MN
            if abs(float(own_sum) - total) > tolerance:
                report(Rejection(label, None, f"{where}.totals.total", str(total),
                                 f"partners sum to {float(own_sum):,.2f} but the page total is {total:,.2f} "
                                 f"(tolerance {tolerance:.2f}): page incomplete?"))
    return Parsed(release, path, list(cells.values()), COMMODITY_URL, f"India's exports of HS8 {hs8} by partner")


def read_region_csv(path: Path, report: Report = _raise, *, source: str = SOURCE,
                    release: str | None = None) -> Parsed:
    """A region-wise HS-chapter table: two FY columns, a Total row the chapters must add up to."""
    label = str(path)
    m = REGION_FILE.match(path.name)
    if not m:
        raise InputError("file name is not <import|export>_<FY>_<region>.csv (e.g. "
                         "import_2024-25_other-cis-countries.csv)", file=label)
    flow, slug = m.group(1), m.group(3)
    groups = region_groups()
    if slug not in groups:
        raise InputError(f"unknown EIDB region {slug!r}; known: {', '.join(sorted(groups))} "
                         "(add it to harmonise/data/eidb_regions.csv)", file=label)
    partner = groups[slug]
    release = release or f"eidb/{flow}-region/{path.stem}"
    text = read_text(path, "EIDB region table", TABLE_MAX_BYTES)
    if not text.strip():
        raise InputError("file is empty", file=label)
    reader = csv.reader(text.splitlines())
    header = next(reader)
    fy_cols = [(j, c.strip()) for j, c in enumerate(header) if _REGION_FY.match(c.strip())]
    if [h.strip() for h in header[:3]] != ["S.No.", "HSCode", "Commodity"] or len(fy_cols) != 2:
        if len(header) == 1 and (";" in header[0] or "\t" in header[0]):
            raise InputError(f"wrong delimiter: expected commas (header {header[0]!r})", file=label, line=1)
        raise InputError(f"header {header} is not S.No., HSCode, Commodity, <FY>, <FY>, %Growth",
                         file=label, line=1)
    fys = {c: parse_fy(c) for _, c in fy_cols}
    for c, fy in fys.items():
        if not FIRST_DATA_YEAR <= fy.start_year <= last_data_year():
            raise InputError(f"column {c} is outside the data's years ({FIRST_DATA_YEAR}-{last_data_year()})",
                             file=label, line=1, field=c)
    sums = dict.fromkeys(fys, Decimal(0))
    rows: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    n = 0
    total_line: int | None = None
    for line, rec in enumerate(reader, start=2):
        if total_line is not None:
            report(Rejection(label, line, None, ",".join(rec), "row after the Total row"))
            continue
        if len(rec) < 3:
            report(Rejection(label, line, None, ",".join(rec), f"{len(rec)} fields, expected at least 5"))
            continue
        if rec[2].strip().lower() == "total":
            total_line = line
            for j, c in fy_cols:
                try:
                    total = Decimal(rec[j].replace(",", ""))
                except ArithmeticError:  # decimal.InvalidOperation
                    raise InputError(f"total {rec[j]!r} is not a number", file=label, line=line, field=c) from None
                tolerance = Decimal(str(ROUNDING_PER_ROW_MN * n + ROUNDING_SLACK_MN))
                if abs(sums[c] - total) > tolerance:
                    raise InputError(f"chapters sum to {sums[c]:,.2f} but the Total row says {total:,.2f} "
                                     f"(tolerance {tolerance:.2f}): rows missing or altered", file=label,
                                     line=line, field=c)
            continue
        hs2 = rec[1].strip()
        if len(hs2) != 2 or not hs2.isdigit():
            report(Rejection(label, line, "HSCode", hs2, "HS chapter is not 2 digits"))
            continue
        if hs2 in seen:
            report(Rejection(label, line, "HSCode", hs2, f"duplicate chapter (first on line {seen[hs2]})"))
            continue
        seen[hs2] = line
        values = {}
        try:
            for j, c in fy_cols:
                values[c] = parse_usd_millions(rec[j] if j < len(rec) else "", file=label, line=line, field=c)
        except InputError as exc:
            report(Rejection(label, line, exc.field, None, str(exc).split(": ", 1)[-1]))
            continue
        n += 1
        for j, c in fy_cols:
            sums[c] += Decimal(rec[j].replace(",", ""))
            rows.append(_row(release, fys[c], partner, flow, hs2, 2, values[c], "region_proxy") | {"source": source})
    if total_line is None:
        raise InputError("no Total row at the end: the file is truncated", file=label)
    what = f"India's {flow}s by HS chapter, region {partner} ({slug})"
    return Parsed(release, path, rows, PORTAL_URL, what)


# --------------------------------------------------------------------------------------------
# the load


def discover(path: Path) -> list[Path]:
    """The EIDB files under ``path`` (a file, or a folder searched recursively)."""
    if not path.exists():
        raise InputError("no such file or folder", file=str(path))
    if path.is_file():
        return [path]
    files = sorted(p for p in path.rglob("*") if p.is_file()
                   and (COMMODITY_FILE.match(p.name) or REGION_FILE.match(p.name)))
    if not files:
        raise InputError("no EIDB file found (<HS8>_export.json or <import|export>_<FY>_<region>.csv)",
                         file=str(path))
    return files


def _parse(path: Path, report: Report) -> Parsed:
    if path.suffix == ".json":
        return read_commodity_json(path, report)
    if path.suffix == ".csv":
        return read_region_csv(path, report)
    raise InputError("not an EIDB file: expected <HS8>_export.json or <import|export>_<FY>_<region>.csv",
                     file=str(path))




def ingest(store: Store, path: Path, *, quarantine_path: Path | None = None) -> IngestReport:
    """Load EIDB files (one release per file) in one transaction; same checksum = no-op."""
    from bilateral.store.releases import sha256_file

    rejections: list[Rejection] = []
    report: Report = _raise if quarantine_path is None else rejections.append
    todo: list[tuple[ReleaseRecord, Parsed]] = []
    result = IngestReport()
    for f in discover(path):
        parsed = _parse(f, report)
        record = ReleaseRecord(
            release=parsed.release, source=SOURCE, version="as downloaded", file=str(f),
            checksum=sha256_file(f), producer=PRODUCER, url=parsed.url, accessed=None, licence=LICENCE,
            origin={"file": str(f), "content": parsed.what},
        )
        if store.is_loaded(record):
            result.skipped.append(record.release)
            continue
        todo.append((record, parsed))
    releases = [r.release for r, _ in todo]
    dup = {r for r in releases if releases.count(r) > 1}
    if dup:
        raise InputError(f"two files give the same release {sorted(dup)}: ingest one of them", file=str(path))
    with store.transaction() as con:
        for record, parsed in todo:
            n = store.replace_release(con, record, {"flows": to_table("flows", parsed.rows)})
            result.loaded.append({"release": record.release, "rows": n, "file": record.file})
        if quarantine_path is not None:  # before the commit: a quarantine that cannot be written loads nothing
            result.rejected = quarantine.write(quarantine_path, rejections)
            result.quarantine = str(quarantine_path)
    return result
