"""The summit agenda: commitments as data, their evidence, and updates that never lose history.

The package ships ``data/commitments.yml`` (the commitments) and ``data/evidence.csv`` (one row per
source and commitment, copied from the shared evidence file with its URL). Both are read-only at
run time. Later evidence goes to an *updates file* (YAML, append-only) that is merged on load:

- ``--registry PATH`` (or the ``path`` argument), else
- ``$BILATERAL_AGENDA``, else
- ``agenda-updates.yml`` next to the store (``--store``, ``$BILATERAL_STORE`` or the user data
  directory).

Each update appends one evidence row and sets the status; earlier entries are never rewritten
(the new entry is appended to the file's bytes, written to a temporary file and renamed over the
old one, so a crash leaves the old file or the new one, never half of it).

Rule: a status other than ``announced`` needs at least one evidence row showing it.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import yaml

from bilateral.agenda.schema import (
    ANNOUNCED,
    EVIDENCE_COLUMNS,
    MAX_EVIDENCE_CHARS,
    PILLARS,
    STATUSES,
    Commitment,
    Evidence,
    StatusChange,
    check_date,
    check_status,
    check_url,
    clean_text,
    commitment_from,
    evidence_from,
    field_error,
    normalise_status,
)
from bilateral.errors import BilateralError, InputError

__all__ = [
    "AGENDA_ENV", "UPDATES_FILENAME", "LinkedFigure", "Registry", "Update", "linked_figure", "load_registry",
    "record_update", "updates_path",
]

AGENDA_ENV = "BILATERAL_AGENDA"
UPDATES_FILENAME = "agenda-updates.yml"
PACKAGE_COMMITMENTS = "bilateral/agenda/data/commitments.yml"
PACKAGE_EVIDENCE = "bilateral/agenda/data/evidence.csv"
AGENDA_PAIR = "IND-RUS"
_UPDATES_HEADER = ("# bilateral agenda updates: one entry per `bilateral agenda update`, appended, never rewritten.\n"
                   "# Merged over the packaged registry on load (bilateral/agenda/data/commitments.yml).\n"
                   "updates:\n")


@dataclass(frozen=True)
class Update:
    """One recorded update: a commitment's new status and the evidence behind it."""

    id: str
    status: str
    date: str
    source: str
    evidence: str
    publisher: str
    recorded: str

    def as_yaml_entry(self) -> dict[str, str]:
        return {"id": self.id, "status": self.status, "date": self.date, "source": self.source,
                "evidence": self.evidence, "publisher": self.publisher, "recorded": self.recorded}


@dataclass(frozen=True)
class Registry:
    """The commitments (packaged, with any updates merged) and where updates are kept."""

    summit: dict[str, str]
    commitments: tuple[Commitment, ...]
    updates_file: str | None
    updates: int

    @property
    def parties(self) -> frozenset[str]:
        """The countries the commitments bind (every commitment's ``parties``): the pair the registry is about."""
        return frozenset(p for c in self.commitments for p in c.parties)

    def covers(self, reporter: str, partner: str) -> bool:
        """Whether the registry is about this pair (either direction): its parties are exactly the two countries."""
        return self.parties == frozenset({reporter, partner})

    def get(self, cid: str) -> Commitment:
        """The commitment with this id; BilateralError naming the known ids otherwise."""
        for c in self.commitments:
            if c.id == cid:
                return c
        raise BilateralError(f"no commitment {cid!r}; known ids: {', '.join(c.id for c in self.commitments)}")

    def select(self, pillar: str | None = None, status: str | None = None) -> list[Commitment]:
        """Commitments of a pillar and/or status (checked against the vocabularies)."""
        if pillar is not None and pillar.lower() not in PILLARS:
            raise BilateralError(f"unknown --pillar {pillar!r}; use one of {', '.join(PILLARS)}")
        want = normalise_status(status) if status is not None else None
        if want is not None and want not in STATUSES:
            raise BilateralError(f"unknown --status {status!r}; use one of {', '.join(STATUSES)}")
        return [c for c in self.commitments
                if (pillar is None or c.pillar == pillar.lower()) and (want is None or c.status == want)]

    def timeline(self) -> list[tuple[str, Commitment, Evidence]]:
        """Every evidence row with its commitment, oldest first (date, then commitment id)."""
        rows = [(e.date, c, e) for c in self.commitments for e in c.evidence]
        return sorted(rows, key=lambda r: (r[0], r[1].id, r[2].url))


# -- loading ----------------------------------------------------------------------------------------
@cache
def _package_text(name: str) -> str:
    return resources.files("bilateral.agenda").joinpath(f"data/{name}").read_text(encoding="utf-8")


def _parse_yaml(text: str, where: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f", line {mark.line + 1}" if mark is not None else ""
        raise InputError(f"{where}{line}: not valid YAML ({getattr(exc, 'problem', None) or exc}); fix the file") from None


def parse_commitments(text: str, where: str = PACKAGE_COMMITMENTS) -> tuple[dict[str, str], list[Commitment]]:
    """Check and build the commitments of a registry YAML text (no evidence yet)."""
    doc = _parse_yaml(text, where)
    if not isinstance(doc, dict) or not isinstance(doc.get("commitments"), list):
        raise InputError(f"{where}: needs a top-level 'commitments' list")
    summit = {str(k): str(v) for k, v in (doc.get("summit") or {}).items()}
    out: list[Commitment] = []
    seen: dict[str, int] = {}
    for n, raw in enumerate(doc["commitments"], start=1):
        c = commitment_from(raw, where, n)
        if c.id in seen:
            raise field_error(where, f"entry {n} ({c.id})", "id", f"repeats entry {seen[c.id]}")
        seen[c.id] = n
        out.append(c)
    return summit, out


def parse_evidence(text: str, known: Iterable[str], where: str = PACKAGE_EVIDENCE) -> dict[str, list[Evidence]]:
    """Check the evidence CSV text: columns, each row, and that each names a known commitment."""
    reader = csv.DictReader(text.splitlines())
    missing = [c for c in EVIDENCE_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise InputError(f"{where}: lacks the column(s) {', '.join(missing)}")
    ids = set(known)
    out: dict[str, list[Evidence]] = {}
    for line, row in enumerate(reader, start=2):
        cid, ev = evidence_from(row, where, line)
        if cid not in ids:
            raise field_error(where, f"line {line}", "commitment", f"{cid!r} is not in the registry")
        out.setdefault(cid, []).append(ev)
    return out


def _with_evidence(c: Commitment, evidence: list[Evidence], where: str, n: int) -> Commitment:
    """Attach evidence; a status other than announced must be shown by one of its rows."""
    ev = tuple(sorted(evidence, key=lambda e: (e.date, e.url)))
    if c.status != ANNOUNCED and not any(e.status == c.status for e in ev):
        raise field_error(where, f"entry {n} ({c.id})", "status",
                   f"{c.status!r} has no evidence row showing it; add one to evidence.csv or keep it 'announced'")
    backing = [e for e in ev if e.status == c.status]
    first = backing[0] if backing else None
    history = (StatusChange(first.date if first else c.date, c.status, first.url if first else "", "package"),)
    return replace(c, evidence=ev, history=history)


def parse_updates(text: str, where: str, known: dict[str, Commitment]) -> list[Update]:
    """Check every entry of an updates file against the registry."""
    doc = _parse_yaml(text, where)
    if doc is None:
        return []
    if not isinstance(doc, dict) or not isinstance(doc.get("updates") or [], list):
        raise InputError(f"{where}: needs a top-level 'updates' list")
    out = []
    for n, raw in enumerate(doc.get("updates") or [], start=1):
        entry = f"update {n}"
        if not isinstance(raw, dict):
            raise field_error(where, entry, "id", "each update is a mapping of id, status, date, source, evidence")
        cid = raw.get("id")
        if cid not in known:
            raise field_error(where, entry, "id", f"{cid!r} is not a commitment id")
        entry = f"update {n} ({cid})"
        out.append(Update(
            id=str(cid),
            status=check_status(raw.get("status"), where, entry),
            date=check_date(raw.get("date"), where, entry),
            source=check_url(raw.get("source"), where, entry, "source"),
            evidence=clean_text(raw.get("evidence"), where, entry, "evidence", MAX_EVIDENCE_CHARS),
            publisher=clean_text(raw.get("publisher") or _host(str(raw.get("source"))), where, entry, "publisher"),
            recorded=str(raw.get("recorded") or ""),
        ))
    return out


def _apply(c: Commitment, u: Update) -> Commitment:
    ev = Evidence(u.date, u.publisher, u.source, u.evidence, u.status, "update", u.recorded)
    return replace(c, status=u.status, evidence=(*c.evidence, ev),
                   history=(*c.history, StatusChange(u.date, u.status, u.source, u.recorded)))


#: the largest updates file read (a thousand updates are about 500 kB)
UPDATES_MAX_BYTES = 20 * 1024 * 1024


def updates_path(path: Path | str | None = None, store: Path | str | None = None) -> Path:
    """Where updates are kept: ``path``, else $BILATERAL_AGENDA, else next to the store.

    Checked with :func:`check_updates_path`: the file is read and rewritten in place, so it must be a
    regular file (or not exist yet); a symlink is followed, and the file it points to is updated.
    """
    if path is not None:
        return check_updates_path(Path(path).expanduser(), "--registry")
    env = os.environ.get(AGENDA_ENV)
    if env:
        return check_updates_path(Path(env).expanduser(), f"${AGENDA_ENV}")
    from bilateral.store.db import default_store_path

    base = Path(store).expanduser() if store is not None else default_store_path()
    return check_updates_path(base.parent / UPDATES_FILENAME, "the agenda updates file")


def check_updates_path(path: Path, label: str) -> Path:
    """An updates file: absent, or a regular file (through symlinks); a device, FIFO or folder is refused."""
    from bilateral.output import check_output

    if not str(path).strip():
        raise BilateralError(f"{label} is empty; give the updates file's path, e.g. agenda-updates.yml")
    check_output(path, label)
    return path


def _read_updates(path: Path) -> str | None:
    """The updates file's text, or None when there is none yet (read within the size limit, never a FIFO)."""
    from bilateral.inputs import read_text

    if not path.exists():
        return None
    return read_text(path, "agenda updates file", UPDATES_MAX_BYTES, keep=False)


def _base() -> tuple[dict[str, str], list[Commitment]]:
    summit, commitments = parse_commitments(_package_text("commitments.yml"))
    evidence = parse_evidence(_package_text("evidence.csv"), (c.id for c in commitments))
    return summit, [_with_evidence(c, evidence.get(c.id, []), PACKAGE_COMMITMENTS, n)
                    for n, c in enumerate(commitments, start=1)]


def load_registry(path: Path | str | None = None, *, store: Path | str | None = None) -> Registry:
    """The packaged registry with the updates file (see :func:`updates_path`) merged in order."""
    summit, commitments = _base()
    upath = updates_path(path, store)
    updates: list[Update] = []
    text = _read_updates(upath)
    if text is not None:
        by_id = {c.id: c for c in commitments}
        updates = parse_updates(text, str(upath), by_id)
        for u in updates:
            by_id[u.id] = _apply(by_id[u.id], u)
        commitments = [by_id[c.id] for c in commitments]
    return Registry(summit, tuple(commitments), str(upath), len(updates))


# -- updating ---------------------------------------------------------------------------------------
def _host(url: str) -> str:
    host = urlparse(url).netloc
    return host[4:] if host.startswith("www.") else host


def record_update(cid: str, *, status: str, evidence: str, source: str, on: str,
                  path: Path | str | None = None, store: Path | str | None = None,
                  publisher: str | None = None, today: date | None = None, now: datetime | None = None) -> Update:
    """Validate an update and append it to the updates file atomically; returns what was recorded.

    The commitment must exist; ``status`` must be a status; ``on`` an ISO date not in the future;
    ``source`` an http(s) URL; ``evidence`` a non-empty line of what the source shows.
    """
    upath = updates_path(path, store)
    reg = load_registry(upath)  # validates the file as it stands: never append to a broken one
    commitment = reg.get(cid)
    where, entry = "update", cid
    when = now or datetime.now(UTC)
    u = Update(
        id=cid,
        status=check_status(status, where, entry, "--status"),
        date=check_date(on, where, entry, "--date", not_after=today or when.date()),
        source=check_url(source, where, entry, "--source"),
        evidence=clean_text(evidence, where, entry, "--evidence", MAX_EVIDENCE_CHARS),
        publisher=clean_text(publisher or _host(source), where, entry, "--publisher"),
        recorded=when.replace(microsecond=0).isoformat(),
    )
    if u.date < commitment.date:
        raise field_error(where, entry, "--date", f"{u.date} is before the commitment itself ({commitment.date}): "
                          "a source from before it cannot show what became of it")
    old = _read_updates(upath) or ""
    if old and not old.endswith("\n"):
        old += "\n"
    if not old.strip():
        old = _UPDATES_HEADER
    new = old + yaml.safe_dump([u.as_yaml_entry()], sort_keys=False, allow_unicode=True, width=1000)
    parse_updates(new, str(upath), {c.id: c for c in reg.commitments})  # the new file must load
    _atomic_write_text(upath, new)
    return u


def _atomic_write_text(path: Path, text: str) -> None:
    """Write the updates file through the safe-write rules (:func:`bilateral.output.write_atomic`)."""
    from bilateral.output import write_bytes_atomic

    write_bytes_atomic(path, text.encode("utf-8"), label="the agenda updates file")


# -- linked indicators --------------------------------------------------------------------------------
@dataclass(frozen=True)
class LinkedFigure:
    """The latest figure of a commitment's linked indicator, with its source."""

    indicator: str
    label: str
    period: str
    value_usd: float | None
    source: str
    target_usd: float | None = None
    target_by: str = ""
    share: float | None = None  # of the target, or the share the indicator is about
    note: str = ""
    detail_period: str = ""
    detail: tuple[tuple[str, float], ...] = ()  # (summit sector, US$) from product detail

    def detail_rows(self) -> list[dict[str, Any]]:
        """The sector detail as rows (sector, period, value_usd)."""
        return [{"sector": k, "period": self.detail_period, "value_usd": v} for k, v in self.detail]

    def to_dict(self) -> dict[str, Any]:
        """JSON shape; the sector detail as a list of {sector, period, value_usd}."""
        return {**self.__dict__, "detail": self.detail_rows()}


def linked_figure(store: Any, c: Commitment) -> LinkedFigure | None:
    """The figure that tracks a commitment (None when it has no linked indicator)."""
    if c.indicator is None:
        return None
    from bilateral.harmonise.targets import target_for
    from bilateral.store import queries

    _, latest = queries.period_totals(store, AGENDA_PAIR)
    served = f"{latest.source} ({latest.release}; {latest.status})"
    if c.indicator == "trade-target":
        t = target_for(AGENDA_PAIR)
        total = latest.total_usd
        if t is None:
            return LinkedFigure(c.indicator, "Total trade", latest.period, total, served,
                                note="no target on file for IND-RUS (harmonise/data/targets.csv)")
        share = total / t.value_usd if total is not None and t.value_usd else None
        return LinkedFigure(c.indicator, "Total trade vs target", latest.period, total, served, t.value_usd, t.by, share,
                            f"target from {t.url}; see `bilateral target` for the required and achieved growth")
    if c.indicator == "exports":
        period, sectors = _priority_sector_exports(store, [t.period for t in queries.pair_totals(store, AGENDA_PAIR)])
        note = (f"summit sectors in {period}: sums of product detail, which cover less than the official total; "
                f"see `bilateral overview --fy {period}`" if period else "no product detail of exports loaded")
        return LinkedFigure(c.indicator, "India's exports to Russia", latest.period, latest.exports_usd, served,
                            note=note, detail_period=period, detail=sectors)
    series, _ = queries.period_totals(store, AGENDA_PAIR)
    for yr in reversed(series):
        e = queries.energy_imports(store, AGENDA_PAIR, yr.period)
        if e is not None:
            return LinkedFigure(c.indicator, "Energy (HS 27) share of imports from Russia", yr.period, e.value_usd,
                                f"{e.served.source} ({e.served.release})", share=e.share, note=e.basis)
    return LinkedFigure(c.indicator, "Energy (HS 27) share of imports from Russia", latest.period, None, served,
                        note="no product detail of imports loaded")


def _priority_sector_exports(store: Any, periods: list[str]) -> tuple[str, tuple[tuple[str, float], ...]]:
    """Exports by the summit's priority sectors in the latest period whose detail covers all of them."""
    from bilateral.harmonise.tables import read_table
    from bilateral.store import queries

    names = read_table("sector_names.csv", ("sector", "title", "summit_priority"), key=("sector",))
    priority = [(r["sector"], r["title"]) for r in names if r["summit_priority"] == "true"]
    pair = AGENDA_PAIR.split("-")
    values = queries.sector_values(store, pair[0], pair[1], "export", periods)
    for period in reversed(periods):
        if all(period in values.get(sector, {}) for sector, _ in priority):
            return period, tuple((title, values[sector][period]) for sector, title in priority)
    return "", ()


def statuses() -> tuple[str, ...]:
    """The status vocabulary (for help texts)."""
    return STATUSES
