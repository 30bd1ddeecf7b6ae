"""The schema of the agenda registry: typed records and the checks that build them.

A dataclass-based validator (no extra dependency): every field of every entry is checked on load,
and a bad one fails with one line naming the file, the entry and the field, and saying what is
allowed. The vocabularies below are the only accepted values.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any, Literal, get_args
from urllib.parse import urlparse

from bilateral.errors import InputError

__all__ = [
    "INDICATORS", "KINDS", "PILLARS", "STATUSES", "Commitment", "Evidence", "Indicator", "Kind", "Pillar",
    "Status", "StatusChange", "check_date", "check_status", "check_url", "clean_text", "commitment_from",
    "evidence_from", "field_error", "normalise_status",
]

Pillar = Literal["trade", "energy", "nuclear", "defence", "connectivity", "arctic", "labour", "health",
                 "education-culture", "finance", "security"]
Kind = Literal["target", "agreement", "mou", "intention", "offer", "statement"]
Status = Literal["announced", "in progress", "achieved", "stalled", "absent", "superseded"]
Indicator = Literal["trade-target", "exports", "energy-imports"]

PILLARS: tuple[str, ...] = get_args(Pillar)
KINDS: tuple[str, ...] = get_args(Kind)
STATUSES: tuple[str, ...] = get_args(Status)
INDICATORS: tuple[str, ...] = get_args(Indicator)
#: the status a commitment has until evidence shows more
ANNOUNCED: Status = "announced"

_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_ISO3 = re.compile(r"^[A-Z]{3}$")
MAX_EVIDENCE_CHARS = 500


@dataclass(frozen=True)
class Evidence:
    """One source that shows something about a commitment.

    ``status`` is the status the source supports ("" when it is context only); ``origin`` is
    ``package`` (the shipped evidence.csv) or ``update`` (recorded with ``bilateral agenda update``).
    """

    date: str
    publisher: str
    url: str
    shows: str
    status: str = ""
    origin: str = "package"
    recorded: str = ""


@dataclass(frozen=True)
class StatusChange:
    """A status a commitment took on, when, and on what evidence (its URL)."""

    date: str
    status: str
    source: str
    recorded: str = ""


@dataclass(frozen=True)
class Commitment:
    """One commitment of the summit, with its evidence and the history of its status."""

    id: str
    pillar: str
    text: str
    kind: str
    parties: tuple[str, ...]
    date: str
    status: str
    evidence: tuple[Evidence, ...] = ()
    indicator: str | None = None
    history: tuple[StatusChange, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON shape (lists, not tuples)."""
        d = asdict(self)
        d["parties"] = list(self.parties)
        return d

    def record(self) -> dict[str, Any]:
        """A flat row for CSV and Parquet."""
        last = max((e.date for e in self.evidence), default="")
        return {"id": self.id, "pillar": self.pillar, "kind": self.kind, "status": self.status, "date": self.date,
                "parties": " ".join(self.parties), "text": self.text, "evidence": len(self.evidence),
                "last_evidence": last, "indicator": self.indicator or ""}


def field_error(where: str, entry: str, field: str, message: str) -> InputError:
    """The one-line error for a bad field: file, entry, field, what is wrong."""
    err = InputError(f"{where}, {entry}, field {field!r}: {message}")
    err.file, err.field = where, field
    return err


def normalise_status(value: str) -> str:
    """``in-progress``, ``In_Progress`` and ``in progress`` are the same status."""
    return re.sub(r"[-_\s]+", " ", str(value).strip().lower())


def check_status(value: Any, where: str, entry: str, field: str = "status", *, allow_empty: bool = False) -> str:
    """A status from the vocabulary (or "" when ``allow_empty``)."""
    s = normalise_status(value) if value is not None else ""
    if s == "" and allow_empty:
        return ""
    if s not in STATUSES:
        raise field_error(where, entry, field, f"{value!r} is not a status; use one of {', '.join(STATUSES)}")
    return s


def check_date(value: Any, where: str, entry: str, field: str = "date", *, not_after: date | None = None) -> str:
    """An ISO date (YYYY-MM-DD), optionally not later than ``not_after``."""
    if isinstance(value, date):
        d = value
    else:
        try:
            d = date.fromisoformat(str(value).strip())
        except ValueError:
            raise field_error(where, entry, field, f"{value!r} is not a date; write it as YYYY-MM-DD") from None
    if not_after is not None and d > not_after:
        raise field_error(where, entry, field, f"{d.isoformat()} is in the future (today is {not_after.isoformat()})")
    return d.isoformat()


def check_url(value: Any, where: str, entry: str, field: str = "url") -> str:
    """An http(s) URL with a host."""
    u = urlparse(str(value or "").strip())
    if u.scheme not in ("http", "https") or not u.netloc:
        raise field_error(where, entry, field, f"{value!r} is not a web address; give the source's http(s) URL")
    return str(value).strip()


def clean_text(value: Any, where: str, entry: str, field: str, limit: int | None = None) -> str:
    """A non-empty text on one line (inner whitespace collapsed), at most ``limit`` characters."""
    if not isinstance(value, str) or not value.strip():
        raise field_error(where, entry, field, "missing; give a non-empty text")
    text = " ".join(value.split())
    if limit is not None and len(text) > limit:
        raise field_error(where, entry, field, f"{len(text)} characters; keep it under {limit}")
    return text


def _choice(value: Any, allowed: tuple[str, ...], where: str, entry: str, field: str, what: str) -> str:
    v = str(value).strip().lower() if value is not None else ""
    if v not in allowed:
        raise field_error(where, entry, field, f"{value!r} is not a {what}; use one of {', '.join(allowed)}")
    return v


_FIELDS = ("id", "pillar", "text", "kind", "parties", "date", "status", "indicator")
_REQUIRED = ("id", "pillar", "text", "kind", "parties", "date", "status")


def commitment_from(raw: Any, where: str, n: int) -> Commitment:
    """Check one YAML entry (the ``n``-th, from 1) and build its Commitment (without evidence)."""
    entry = f"entry {n}"
    if not isinstance(raw, Mapping):
        raise field_error(where, entry, "id", "each commitment is a mapping of id, pillar, text, kind, parties, date, status")
    cid = raw.get("id")
    if isinstance(cid, str) and _ID.match(cid):
        entry = f"entry {n} ({cid})"
    else:
        raise field_error(where, entry, "id", f"{cid!r} is not an id; use lower-case words joined by hyphens, e.g. trade-target")
    unknown = sorted(set(raw) - set(_FIELDS))
    if unknown:
        raise field_error(where, entry, unknown[0], f"unknown field; the fields are {', '.join(_FIELDS)}")
    for f in _REQUIRED:
        if raw.get(f) in (None, ""):
            raise field_error(where, entry, f, "missing")
    parties = raw["parties"]
    if not isinstance(parties, list) or not parties or not all(isinstance(p, str) and _ISO3.match(p) for p in parties):
        raise field_error(where, entry, "parties", f"{parties!r} is not a list of ISO3 codes, e.g. [IND, RUS]")
    indicator = raw.get("indicator")
    return Commitment(
        id=cid,
        pillar=_choice(raw["pillar"], PILLARS, where, entry, "pillar", "pillar"),
        text=clean_text(raw["text"], where, entry, "text"),
        kind=_choice(raw["kind"], KINDS, where, entry, "kind", "kind"),
        parties=tuple(parties),
        date=check_date(raw["date"], where, entry),
        status=check_status(raw["status"], where, entry),
        indicator=None if indicator is None else _choice(indicator, INDICATORS, where, entry, "indicator", "linked indicator"),
    )


EVIDENCE_COLUMNS = ("commitment", "status", "date", "publisher", "url", "pillar", "shows")


def evidence_from(row: Mapping[str, Any], where: str, line: int) -> tuple[str, Evidence]:
    """Check one evidence.csv row; returns (commitment id, Evidence)."""
    entry = f"line {line}"
    cid = str(row.get("commitment") or "")
    if not _ID.match(cid):
        raise field_error(where, entry, "commitment", f"{cid!r} is not a commitment id")
    ev = Evidence(
        date=check_date(row.get("date"), where, entry),
        publisher=clean_text(row.get("publisher"), where, entry, "publisher"),
        url=check_url(row.get("url"), where, entry),
        shows=clean_text(row.get("shows"), where, entry, "shows", MAX_EVIDENCE_CHARS),
        status=check_status(row.get("status"), where, entry, allow_empty=True),
    )
    return cid, ev
