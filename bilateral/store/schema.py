"""Schema of the store, as an ordered list of migrations.

Each migration is applied once, inside a transaction, and recorded in ``schema_migrations``.
Never edit a migration that has shipped: add a new one.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    sql: str


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "canonical tables: flows, official_totals, products, sectors, countries, releases",
        """
        CREATE TABLE releases (
            release       VARCHAR PRIMARY KEY,  -- e.g. 'embedded/eidb-exports-hs8-russia'
            source        VARCHAR NOT NULL,     -- embedded | eidb | baci | comtrade
            version       VARCHAR NOT NULL,     -- producer's or package's version
            file          VARCHAR NOT NULL,     -- file (or query) loaded
            checksum      VARCHAR NOT NULL,     -- sha256 of the loaded file
            producer      VARCHAR NOT NULL,
            url           VARCHAR,
            accessed      VARCHAR,
            licence       VARCHAR,
            origin        VARCHAR,              -- upstream files and their checksums (JSON)
            rows          BIGINT NOT NULL,
            loaded_at     TIMESTAMP NOT NULL DEFAULT current_timestamp
        );
        CREATE TABLE flows (
            source        VARCHAR NOT NULL,
            release       VARCHAR NOT NULL,
            period        VARCHAR NOT NULL,     -- FY2024-25 | CY2024 | 2024-04 | 2022-04/2022-08
            period_kind   VARCHAR NOT NULL CHECK (period_kind IN ('fy','cy','month','span')),
            reporter      VARCHAR NOT NULL,     -- ISO3
            partner       VARCHAR NOT NULL,     -- ISO3, WLD, or a _GROUP code
            flow          VARCHAR NOT NULL CHECK (flow IN ('export','import')),
            hs_revision   VARCHAR,
            product       VARCHAR NOT NULL,     -- HS code, or 'TOTAL'
            product_level TINYINT NOT NULL CHECK (product_level IN (0,2,4,6,8)),
            value_usd     DOUBLE NOT NULL CHECK (value_usd >= 0),
            quantity      DOUBLE,
            quantity_unit VARCHAR,
            estimate      VARCHAR NOT NULL CHECK (estimate IN ('reported','mirror','derived')),
            quality       VARCHAR NOT NULL
        );
        CREATE TABLE official_totals (
            release       VARCHAR NOT NULL,
            period        VARCHAR NOT NULL,
            period_kind   VARCHAR NOT NULL,
            reporter      VARCHAR NOT NULL,
            partner       VARCHAR NOT NULL,
            flow          VARCHAR NOT NULL CHECK (flow IN ('export','import')),
            value_usd     DOUBLE NOT NULL,
            status        VARCHAR NOT NULL,     -- final | provisional | page_total
            authoritative BOOLEAN NOT NULL,
            publisher     VARCHAR NOT NULL,
            url           VARCHAR NOT NULL,
            published     VARCHAR,
            note          VARCHAR
        );
        CREATE TABLE products (
            release       VARCHAR NOT NULL,
            classification VARCHAR NOT NULL,    -- ITC-HS, HS
            product       VARCHAR NOT NULL,
            product_level TINYINT NOT NULL,
            description   VARCHAR NOT NULL,
            quantity_unit VARCHAR
        );
        CREATE TABLE sectors (
            prefix        VARCHAR PRIMARY KEY,
            sector        VARCHAR NOT NULL,
            title         VARCHAR NOT NULL
        );
        CREATE TABLE countries (
            release       VARCHAR NOT NULL,
            spelling      VARCHAR NOT NULL,
            iso3          VARCHAR NOT NULL,
            kind          VARCHAR NOT NULL,
            method        VARCHAR NOT NULL,
            note          VARCHAR
        );
        CREATE INDEX flows_pair ON flows (reporter, partner, flow, period);
        """,
    ),
    Migration(
        2,
        "BACI world matrix (compact, as published) and its code tables; canonical view flows_baci",
        """
        -- One row per BACI cell exactly as published (v in thousands of US$, q in tonnes). Kept
        -- compact because a BACI year is ~10 million rows; flows_baci presents it in the
        -- canonical flows columns.
        CREATE TABLE baci_flows (
            release       VARCHAR NOT NULL,     -- baci/HS17/V202501/2022
            t             SMALLINT NOT NULL,    -- year
            i             SMALLINT NOT NULL,    -- exporter, BACI country code
            j             SMALLINT NOT NULL,    -- importer, BACI country code
            k             VARCHAR NOT NULL,     -- HS6, 6 characters with leading zeros
            v             DOUBLE NOT NULL CHECK (v >= 0),
            q             DOUBLE
        );
        CREATE TABLE baci_countries (
            release       VARCHAR NOT NULL,     -- baci/V202501/countries
            version       VARCHAR NOT NULL,     -- V202501
            code          SMALLINT NOT NULL,
            iso3          VARCHAR NOT NULL,     -- ISO3, or _B<code> where BACI gives none
            name          VARCHAR NOT NULL
        );
        CREATE TABLE baci_releases (
            release       VARCHAR PRIMARY KEY,  -- a yearly flows release
            version       VARCHAR NOT NULL,     -- V202501: which baci_countries apply
            hs_revision   VARCHAR NOT NULL,     -- HS2017
            year          SMALLINT NOT NULL
        );
        CREATE VIEW flows_baci AS
        SELECT 'baci' AS source, f.release, 'CY' || f.t AS period, 'cy' AS period_kind,
               ci.iso3 AS reporter, cj.iso3 AS partner, 'export' AS flow, r.hs_revision,
               f.k AS product, CAST(6 AS TINYINT) AS product_level,
               f.v * 1000 AS value_usd, f.q AS quantity, CASE WHEN f.q IS NOT NULL THEN 't' END AS quantity_unit,
               'derived' AS estimate, 'baci_reconciled' AS quality
        FROM baci_flows f
        JOIN baci_releases r ON r.release = f.release
        JOIN baci_countries ci ON ci.version = r.version AND ci.code = f.i
        JOIN baci_countries cj ON cj.version = r.version AND cj.code = f.j;
        """,
    ),
)

SCHEMA_VERSION = MIGRATIONS[-1].version

#: The BACI release that serves each year, as SQL (columns ``release, version, year``). One release
#: per year serves every figure: two versions of a year are never added. A CEPII release (version
#: ``V<yyyymm>``) comes before an extract in the ISO3 layout (version ``ISO3-<checksum>``, no date),
#: the newer CEPII version first; between extracts, the one loaded last.
BACI_SERVING = """
    SELECT release, version, year FROM (
      SELECT r.release, r.version, r.year,
             row_number() OVER (PARTITION BY r.year ORDER BY regexp_matches(r.version, '^V[0-9]{6}') DESC,
                                r.version DESC, rel.loaded_at DESC, r.release) AS serving_rank
      FROM baci_releases r JOIN releases rel USING (release))
    WHERE serving_rank = 1"""

#: tables a release writes rows into (each has a ``release`` column)
RELEASE_TABLES = ("flows", "official_totals", "products", "countries", "baci_flows", "baci_countries",
                  "baci_releases")
