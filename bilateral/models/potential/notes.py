"""Notes about the release a result comes from, read from its metadata, never from how it was loaded.

The same file gives the same notes whether it is the embedded slice or ingested with `bilateral
ingest baci`: notes keyed by the file's sha256, by a market (a country that stopped reporting), or by
a code that appears in the matrix (``harmonise/data/release_notes.csv``), and the importers the
release lacks, read from the data themselves (countries that export but import nothing).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from bilateral.errors import NotAvailableError
from bilateral.store.matrix import WorldMatrix, absent_importers

__all__ = ["check_available", "release_notes"]

NOTES_FILE = "release_notes.csv"
SCOPES = ("file", "importer", "code")


@cache
def _notes() -> tuple[dict[str, str], ...]:
    from bilateral.errors import BilateralError
    from bilateral.harmonise.tables import read_table

    rows = read_table(NOTES_FILE, ["scope", "key", "from_year", "to_year", "note", "source"])
    for line, r in enumerate(rows, start=2):
        if r["scope"] not in SCOPES or not r["note"] or not r["source"]:
            raise BilateralError(f"bilateral/harmonise/data/{NOTES_FILE}, line {line}: scope must be one of "
                                 f"{', '.join(SCOPES)}, with a note and a source")
    return rows


def _in_years(row: dict[str, str], year: int) -> bool:
    return ((not row["from_year"] or year >= int(row["from_year"]))
            and (not row["to_year"] or year <= int(row["to_year"])))


def _has_code(con: Any, matrix: WorldMatrix, code: str) -> bool:
    cur = con.cursor()
    try:
        return bool(cur.execute(f"SELECT count(*) FROM (SELECT exporter FROM ({matrix.exports}) WHERE exporter = ? "
                                f"LIMIT 1)", [code]).fetchall()[0][0])
    finally:
        cur.close()


def release_notes(con: Any, matrix: WorldMatrix, market: str | None, *, absent: tuple[str, ...] | None = None,
                  exporters: frozenset[str] | None = None) -> list[str]:
    """The notes of the matrix's release for a result in ``market`` (None: every market).

    ``absent`` (the importers the release lacks) and ``exporters`` (every exporter of the matrix), where
    the caller has them, spare the queries over the matrix's marginals.
    """
    notes = []
    if absent is None:
        absent = absent_importers(con, matrix)
    if absent:
        notes.append(
            f"World exports (the supply shares' denominator) exclude exports to the importers missing from the "
            f"{matrix.year} release: {', '.join(absent)} (they export in it but import nothing); they have no "
            "market rows either.")
    for r in _notes():
        if r["scope"] == "file" and r["key"] in matrix.checksums:
            notes.append(r["note"])
        elif r["scope"] == "importer" and (market is None or market == r["key"]) and _in_years(r, matrix.year):
            notes.append(r["note"])
        elif r["scope"] == "code" and _in_years(r, matrix.year) and (
                r["key"] in exporters if exporters is not None else _has_code(con, matrix, r["key"])):
            notes.append(r["note"])
    return notes


def check_available(con: Any, matrix: WorldMatrix, exporter: str, market: str | None) -> None:
    """Refuse, in one line, a market the release has no imports of or an exporter with no exports."""
    if market is not None and market in absent_importers(con, matrix):
        raise NotAvailableError(
            f"not available: {market} is not an importer in the {matrix.source} {matrix.year} release "
            f"({matrix.release}): it exports in it but has no import rows; load a release that has them")
    cur = con.cursor()
    try:
        has_ex = cur.execute(f"SELECT count(*) FROM (SELECT 1 FROM ({matrix.exports}) WHERE exporter = ? LIMIT 1)",
                             [exporter]).fetchall()[0][0]
        has_mk = market is None or cur.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM ({matrix.imports}) WHERE importer = ? LIMIT 1)",
            [market]).fetchall()[0][0]
    finally:
        cur.close()
    if not has_ex:
        raise NotAvailableError(f"not available: {exporter} has no exports in the {matrix.source} {matrix.year} "
                                f"release ({matrix.release})")
    if not has_mk:
        raise NotAvailableError(f"not available: {market} has no imports in the {matrix.source} {matrix.year} "
                                f"release ({matrix.release})")
