"""What an ingest did, for the CLI and the API: releases loaded, skipped as no-ops, rows rejected."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

NO_OP = "already loaded (same checksum): no-op"


@dataclass
class IngestReport:
    """Per release: rows loaded, or why it was skipped; rejected rows and where they were written."""

    loaded: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    rejected: int = 0
    quarantine: str | None = None
    derived: list[dict[str, Any]] = field(default_factory=list)  # e.g. mirror estimates rebuilt
    fetched: int = 0  # API chunks fetched (the rest came from the cache)
    from_cache: int = 0
    notes: list[str] = field(default_factory=list)  # e.g. which of two loaded versions of a year serves

    def records(self) -> list[dict[str, Any]]:
        out = [dict(r, status="loaded") for r in self.loaded]
        out += [{"release": r, "rows": 0, "status": NO_OP} for r in self.skipped]
        out += [dict(r, status="derived estimates rebuilt") for r in self.derived]
        return out
