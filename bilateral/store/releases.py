"""Provenance: the record of one loaded file, and the checksum that identifies it."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["ReleaseRecord", "sha256_file"]


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    with Path(path).open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


@dataclass(frozen=True)
class ReleaseRecord:
    """Provenance of one loaded file: a row of ``releases``."""

    release: str
    source: str
    version: str
    file: str
    checksum: str
    producer: str
    url: str | None = None
    accessed: str | None = None
    licence: str | None = None
    origin: Mapping[str, Any] = field(default_factory=dict)
