"""Provenance of what served a figure: the releases behind it and the official publisher."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from bilateral.store.db import Store


@dataclass(frozen=True)
class ReleaseInfo:
    """Provenance of one loaded release, as a report prints it."""

    release: str
    file: str
    sha256: str
    producer: str
    url: str | None
    accessed: str | None
    version: str
    licence: str | None


def release_info(store: Store, releases: str | Iterable[str]) -> list[ReleaseInfo]:
    """Provenance rows of releases (a comma-separated string or names)."""
    names = [r.strip() for r in releases.split(",")] if isinstance(releases, str) else list(releases)
    names = [n for n in names if n]
    if not names:
        return []
    rows = store.con.execute(
        "SELECT release, file, checksum, producer, url, accessed, version, licence FROM releases "
        "WHERE list_contains(?, release) ORDER BY release", [names]).fetchall()
    return [ReleaseInfo(*r) for r in rows]


def all_releases(store: Store) -> list[dict[str, Any]]:
    """Every row of ``releases`` (for ``bilateral releases``)."""
    cols = ["release", "source", "version", "file", "checksum", "producer", "url", "accessed", "licence", "rows",
            "loaded_at", "origin"]
    return [dict(zip(cols, r, strict=True)) for r in store.con.execute(
        f"SELECT {', '.join(cols)} FROM releases ORDER BY release").fetchall()]


def official_meta(store: Store, reporter: str, partner: str, period: str) -> tuple[str, str] | None:
    """Publisher and URL of the official totals of a pair and period, if official totals serve it."""
    row = store.con.execute(
        "SELECT any_value(publisher), any_value(url) FROM official_totals WHERE authoritative AND reporter = ? "
        "AND partner = ? AND period = ?", [reporter, partner, period]).fetchone()
    return (str(row[0]), str(row[1])) if row and row[0] is not None else None
