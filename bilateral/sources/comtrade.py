"""UN Comtrade API v1 (``/data/v1/get``): fetch by year and flow, cache on disk, load atomically.

Plain HTTP with ``requests``, not the official ``comtradeapicall`` client: one GET per chunk is
all the API needs, and a client of our own lets us control what matters here — bounded retries with
exponential back-off on 429/5xx/time-outs (honouring ``Retry-After``), no retry when the host name
does not resolve, an overall deadline for the whole ingest (no request, retry or wait runs past
it), progress on the terminal (chunk i of n, retry k, waiting for Retry-After), a disk cache keyed
on the query so an interrupted run resumes where it stopped, a strict check of every answer
(Comtrade can answer HTTP 200 with an error body), and tests against a local HTTP server replaying
recorded responses.

The API key comes from ``$COMTRADE_API_KEY`` and travels only in the
``Ocp-Apim-Subscription-Key`` header: it is never part of a URL, a cache key, a log line, an error
message or the store.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import os
import socket
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, StrictBool, StrictFloat, StrictInt, StrictStr, ValidationError, field_validator

from bilateral import validation
from bilateral.errors import BilateralError, InputError
from bilateral.sources.canonical import to_table
from bilateral.sources.report import IngestReport
from bilateral.store.db import Store
from bilateral.store.releases import ReleaseRecord

SOURCE = "comtrade"
PRODUCER = "United Nations Statistics Division, UN Comtrade"
LICENCE = "UN Comtrade terms of use (https://uncomtrade.org/docs/policy-on-use-of-data/)"
API_URL = "https://comtradeapi.un.org/data/v1/get"
URL_ENV = "BILATERAL_COMTRADE_URL"  # another base URL (a mirror, or the tests' local server)
KEY_ENV = "COMTRADE_API_KEY"
CACHE_ENV = "BILATERAL_CACHE"
KEY_HEADER = "Ocp-Apim-Subscription-Key"
#: bump when the parsing of responses changes, so cached answers are re-read, never misread
CLIENT_VERSION = "1"
MAX_RECORDS = 250_000  # the API's per-call ceiling with a key
#: largest cached answer read back (250,000 records are about 200 MB of JSON)
CACHE_MAX_BYTES = 400 * 1024 * 1024
#: no flow of one product between two countries in a year weighs this much (kg): world seaborne trade
#: is about 12 billion tonnes a year
MAX_NET_WEIGHT_KG = 1e14
RETRY_STATUSES = (429, 500, 502, 503, 504)
DEADLINE_SECONDS = 300.0  # default overall deadline of one ingest (all chunks, retries and waits)
CONNECT_TIMEOUT = 10.0  # seconds to open a connection (the read timeout is Client.timeout)
FLOW_CODES = {"X": "export", "M": "import"}
LEVEL_CMD = {0: "TOTAL", 2: "AG2", 4: "AG4", 6: "AG6"}
HS_CLASSIFICATIONS = {"H0": "HS1992", "H1": "HS1996", "H2": "HS2002", "H3": "HS2007", "H4": "HS2012",
                      "H5": "HS2017", "H6": "HS2022"}


@cache
def _special_codes() -> dict[str, int]:
    text = resources.files("bilateral.harmonise").joinpath("data/comtrade_codes.csv").read_text(encoding="utf-8")
    return {r["iso3"]: int(r["comtrade"]) for r in csv.DictReader(text.splitlines())}


def comtrade_code(iso3: str) -> int:
    """Comtrade's country code for an ISO3 code.

    Comtrade's codes are M49 except for a few countries whose territory differs (France 251, Italy
    381, USA 842, India 699, Norway 579, Switzerland 757): those come from
    ``harmonise/data/comtrade_codes.csv``, the rest from country_converter's ISO numeric code.
    """
    iso3 = iso3.upper()
    special = _special_codes()
    if iso3 in special:
        return special[iso3]
    with _quiet_coco():
        import country_converter as coco

        code = coco.convert(iso3, src="ISO3", to="ISOnumeric", not_found=None)
    if not isinstance(code, int | float) or code != code:
        raise BilateralError(f"no Comtrade code for {iso3!r}; use an ISO3 country code, e.g. IND, RUS")
    return int(code)


@contextmanager
def _quiet_coco() -> Iterator[None]:
    """country_converter logs "XXX not found in ISO3" to stderr; we say it ourselves, in one error line."""
    log = logging.getLogger("country_converter")
    level = log.level
    log.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        log.setLevel(level)


def check_country(option: str, iso3: str) -> str:
    """``iso3`` upper-cased if Comtrade has a code for it, else one error line naming the option."""
    try:
        comtrade_code(iso3)
    except BilateralError:
        raise BilateralError(f"{option} {iso3!r} is not a country code Comtrade knows; use an ISO3 code, "
                             "e.g. IND, RUS") from None
    return iso3.upper()


def iso3_of(code: int, iso: str | None) -> str:
    """ISO3 of a Comtrade row's country: its own ISO field, else the code mapped back."""
    if iso and len(iso) == 3 and iso.isalpha() and iso.upper() != "W00":
        return iso.upper()
    if code == 0:
        return "WLD"
    for k, v in _special_codes().items():
        if v == code:
            return k
    with _quiet_coco():
        import country_converter as coco

        name = coco.convert(code, src="ISOnumeric", to="ISO3", not_found=None)
    return str(name) if isinstance(name, str) and len(name) == 3 else f"_C{code}"


@dataclass(frozen=True)
class Query:
    """One chunk: a reporter, a partner, one year, one flow, one HS level."""

    reporter: str
    partner: str
    year: int
    flow: str  # X or M
    level: int

    def params(self) -> dict[str, str]:
        return {
            "reporterCode": str(comtrade_code(self.reporter)), "partnerCode": str(comtrade_code(self.partner)),
            "period": str(self.year), "flowCode": self.flow, "cmdCode": LEVEL_CMD[self.level],
            "partner2Code": "0", "customsCode": "C00", "motCode": "0", "maxRecords": str(MAX_RECORDS),
            "includeDesc": "false", "breakdownMode": "classic",
        }

    @property
    def label(self) -> str:
        return f"C/A/HS {self.reporter}->{self.partner} {self.year} {self.flow} {LEVEL_CMD[self.level]}"

    def cache_key(self) -> str:
        body = json.dumps({"path": "C/A/HS", "params": self.params(), "client": CLIENT_VERSION}, sort_keys=True)
        return hashlib.sha256(body.encode()).hexdigest()[:32]

    @property
    def release(self) -> str:
        return f"comtrade/{self.reporter}-{self.partner}/{self.year}/{self.flow}/{LEVEL_CMD[self.level]}"


def default_cache_dir() -> Path:
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env).expanduser() / "comtrade"
    from platformdirs import user_cache_path

    return user_cache_path("bilateral", appauthor=False) / "comtrade"


@dataclass
class Client:
    """A Comtrade API client with retries, back-off, an overall deadline and a disk cache.

    The key is never shown. ``deadline`` (seconds) bounds everything from the first request on:
    each request's time-out is cut to what is left, and a retry or a Retry-After wait that would
    end past it is not started. ``status`` receives one line per event (chunk, retry, wait).
    """

    key: str | None = None
    base_url: str = field(default_factory=lambda: os.environ.get(URL_ENV, API_URL))
    cache_dir: Path = field(default_factory=default_cache_dir)
    retries: int = 5
    backoff: float = 1.0  # seconds; doubles each retry
    timeout: float = 60.0
    deadline: float | None = DEADLINE_SECONDS
    status: Callable[[str], None] | None = None
    fetched: int = 0
    from_cache: int = 0
    _ends_at: float | None = field(default=None, repr=False)

    def __repr__(self) -> str:  # never show the key
        return f"Client(base_url={self.base_url!r}, cache_dir={str(self.cache_dir)!r})"

    def start(self) -> None:
        """Start the deadline's clock (done by the first request if not called)."""
        if self._ends_at is None and self.deadline is not None:
            self._ends_at = time.monotonic() + self.deadline

    def _left(self) -> float:
        return float("inf") if self._ends_at is None else self._ends_at - time.monotonic()

    def _say(self, text: str) -> None:
        if self.status is not None:
            self.status(text)

    def _past_deadline(self, q: Query, what: str) -> BilateralError:
        return BilateralError(
            f"query {q.label}: {what} within the --deadline of {self.deadline:g} s; chunks fetched so far are "
            "cached, so run again to resume, or give a longer --deadline")

    def get(self, q: Query) -> dict[str, Any]:
        """The checked answer to one chunk, from the cache if it was fetched before."""
        path = self.cache_dir / f"{q.cache_key()}.json"
        if path.exists():
            from bilateral.inputs import read_text

            self.from_cache += 1
            try:
                doc = json.loads(read_text(path, "Comtrade cache file", CACHE_MAX_BYTES))
            except (json.JSONDecodeError, RecursionError):
                doc = None
            if not isinstance(doc, dict) or not isinstance(doc.get("data"), list):
                raise InputError("the cached answer is damaged (not a Comtrade answer); delete the file to fetch "
                                 "it again", file=str(path), query=q.label)
            return doc
        key = self.key if self.key is not None else os.environ.get(KEY_ENV)
        if not key:
            raise BilateralError(f"set {KEY_ENV} to your UN Comtrade API key (comtradedeveloper.un.org); "
                                 f"{q.label} is not in the cache")
        status, text = self._fetch(q, key)
        doc = check_response(status, text, q)
        self.fetched += 1
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".part-", dir=self.cache_dir)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(doc, fh)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        return doc

    def _fetch(self, q: Query, key: str) -> tuple[int, str]:
        """GET one chunk: retries on 429/5xx, time-outs and dropped connections, within the deadline."""
        import requests

        self.start()
        url = f"{self.base_url.rstrip('/')}/C/A/HS"
        attempt = 0
        with requests.Session() as session:
            while True:
                left = self._left()
                if left <= 0:
                    raise self._past_deadline(q, "no answer" if attempt == 0 else f"no answer after {attempt} retries")
                retry_after: float | None = None
                try:
                    resp = session.get(url, params=q.params(), headers={KEY_HEADER: key},
                                       timeout=(min(CONNECT_TIMEOUT, left), min(self.timeout, left)))
                except requests.exceptions.RequestException as exc:
                    if _name_not_resolved(exc):
                        raise BilateralError(
                            f"query {q.label}: cannot resolve the host name of {self.base_url} ({_reason(exc)}); "
                            f"check the network connection (or ${URL_ENV})") from None
                    if not isinstance(exc, requests.exceptions.ConnectionError | requests.exceptions.Timeout):
                        raise BilateralError(f"query {q.label}: {type(exc).__name__} ({_reason(exc)})") from None
                    if self._left() <= 0:
                        raise self._past_deadline(q, f"no answer ({type(exc).__name__})") from None
                    why = f"{type(exc).__name__}"
                    if attempt >= self.retries:
                        raise BilateralError(f"query {q.label}: gave up after {self.retries} retries "
                                             f"({_reason(exc)})") from None
                else:
                    if resp.status_code not in RETRY_STATUSES or attempt >= self.retries:
                        return resp.status_code, resp.text
                    why = f"HTTP {resp.status_code}"
                    retry_after = _retry_after(resp.headers.get("Retry-After"))
                attempt += 1
                wait = retry_after if retry_after is not None else self.backoff * 2 ** (attempt - 1)
                if wait >= self._left():
                    raise self._past_deadline(
                        q, f"no answer ({why}; the next retry would wait {wait:g} s"
                        f"{' as Retry-After asks' if retry_after is not None else ''})")
                self._say(f"{q.label}: {why}; retry {attempt} of {self.retries} in {wait:.0f} s"
                          f"{' (waiting for Retry-After)' if retry_after is not None else ''}")
                time.sleep(wait)


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (a number of seconds or an HTTP date), or None."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def _name_not_resolved(exc: BaseException) -> bool:
    """True if the failure (anywhere in its chain) is a host name that does not resolve."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        e = todo.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, socket.gaierror) or type(e).__name__ == "NameResolutionError":
            return True
        todo += [e.__cause__, e.__context__, *(a for a in e.args if isinstance(a, BaseException))]
        reason = getattr(e, "reason", None)
        if isinstance(reason, BaseException):
            todo.append(reason)
    return False


def _reason(exc: Exception) -> str:
    text = str(exc)
    return text.split("Caused by ")[-1].rstrip(")") if "Caused by" in text else text[:200]


def check_response(status: int, text: str, q: Query) -> dict[str, Any]:
    """A checked Comtrade answer, or a clear error naming the query.

    Refused: HTTP errors, non-JSON bodies, error bodies sent with HTTP 200, counts that do not
    match, answers cut at the record limit.
    """
    snippet = " ".join(text.split())[:160]
    if status in (401, 403):
        raise InputError(f"HTTP {status}: the API key was refused ({snippet})", query=q.label)
    if status in RETRY_STATUSES:
        raise InputError(f"HTTP {status} after all retries ({snippet})", query=q.label)
    if status != 200:
        raise InputError(f"HTTP {status} ({snippet})", query=q.label)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError:
        raise InputError(f"HTTP 200 but the body is not JSON ({snippet})", query=q.label) from None
    if not isinstance(doc, dict):
        raise InputError(f"HTTP 200 but the body is not a Comtrade answer ({snippet})", query=q.label)
    if doc.get("statusCode") not in (None, 200) or (doc.get("error") or "").strip():
        message = doc.get("error") or doc.get("message") or snippet
        raise InputError(f"the API answered HTTP 200 with an error: {message}", query=q.label)
    data = doc.get("data")
    if not isinstance(data, list):
        raise InputError(f"HTTP 200 but no 'data' list ({snippet})", query=q.label)
    count = doc.get("count")
    if count is not None and count != len(data):
        raise InputError(f"the answer says count {count} but holds {len(data)} records (cut short?)", query=q.label)
    if len(data) >= MAX_RECORDS:
        raise InputError(f"the answer hit the {MAX_RECORDS:,}-record limit and may be incomplete; "
                         "ask for fewer years or a coarser --level", query=q.label)
    return doc


class ComtradeRecord(BaseModel):
    """One record of a Comtrade answer, as far as the load reads it: types and ranges checked by pydantic.

    A value must be a finite, non-negative number of US dollars no larger than
    :data:`bilateral.validation.MAX_USD`; a year must be a year of data.
    """

    model_config = ConfigDict(extra="ignore", frozen=True)

    flowCode: StrictStr
    primaryValue: StrictInt | StrictFloat
    refYear: StrictInt
    reporterCode: StrictInt
    partnerCode: StrictInt
    reporterISO: StrictStr | None = None
    partnerISO: StrictStr | None = None
    partner2Code: StrictInt | None = 0
    customsCode: StrictStr | None = "C00"
    motCode: StrictInt | None = 0
    aggrLevel: StrictInt | None = 0
    cmdCode: StrictStr | StrictInt
    netWgt: StrictInt | StrictFloat | None = None
    isReported: StrictBool | None = True
    classificationCode: StrictStr | None = None

    @field_validator("primaryValue")
    @classmethod
    def _value(cls, v: float) -> float:
        return validation.usd_amount(v, what="primaryValue")

    @field_validator("netWgt")
    @classmethod
    def _weight(cls, v: float | None) -> float | None:
        return None if v is None else validation.finite(v, low=0.0, high=MAX_NET_WEIGHT_KG, what="netWgt")

    @field_validator("refYear")
    @classmethod
    def _year(cls, v: int) -> int:
        return validation.data_year(v)


def rows_of(doc: dict[str, Any], q: Query) -> list[dict[str, Any]]:
    """Canonical flows rows of one answer."""
    rows = []
    for n, raw in enumerate(doc["data"]):
        where = f"data[{n}]"
        try:
            rec = ComtradeRecord.model_validate(raw)
        except ValidationError as exc:
            first = exc.errors()[0]
            loc = "".join(f".{x}" for x in first["loc"])
            msg = first["msg"].removeprefix("Value error, ")
            raise InputError(f"{msg} (got {str(first.get('input'))[:40]!r})", query=q.label,
                             field=f"{where}{loc}") from None
        flow = FLOW_CODES.get(rec.flowCode)
        if flow is None:
            raise InputError(f"unexpected flowCode {rec.flowCode!r}", query=q.label, field=where)
        if rec.partner2Code not in (0, None) or (rec.customsCode or "C00") != "C00" or rec.motCode not in (0, None):
            continue  # a breakdown row: the totals over partner2/customs/transport mode are kept
        level = rec.aggrLevel or 0
        cmd = str(rec.cmdCode)
        net = rec.netWgt
        reported = rec.isReported is not False
        rows.append({
            "source": SOURCE, "release": q.release, "period": f"CY{rec.refYear}", "period_kind": "cy",
            "reporter": iso3_of(rec.reporterCode, rec.reporterISO),
            "partner": iso3_of(rec.partnerCode, rec.partnerISO),
            "flow": flow, "hs_revision": HS_CLASSIFICATIONS.get(str(rec.classificationCode)),
            "product": cmd, "product_level": 0 if cmd == "TOTAL" else level, "value_usd": float(rec.primaryValue),
            "quantity": float(net) if net is not None else None,
            "quantity_unit": "kg" if net is not None else None,
            "estimate": "reported" if reported else "derived",
            "quality": "comtrade_reported" if reported else "comtrade_estimated",
        })
    return rows


@contextmanager
def _progress(client: Client, n: int, show: bool | None) -> Iterator[Callable[[], None]]:
    """Chunk i of n, retries and waits on the terminal (rich, cleared at the end); quiet otherwise.

    ``show`` None means: only when stderr is a terminal. Yields the function that counts a chunk done.
    """
    if show is None:
        show = sys.stderr.isatty()
    if not show or n == 0:
        yield lambda: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    outer = client.status
    with Progress(SpinnerColumn(), TextColumn("Comtrade chunk"), MofNCompleteColumn(), BarColumn(),
                  TimeElapsedColumn(), TextColumn("{task.description}"), console=Console(stderr=True),
                  transient=True) as bar:
        task = bar.add_task("", total=n)

        def status(text: str) -> None:
            bar.update(task, description=text)
            if outer is not None:
                outer(text)

        client.status = status
        try:
            yield lambda: bar.update(task, advance=1, description="")
        finally:
            client.status = outer


def ingest(store: Store, reporter: str, partner: str, years: set[int], flows: list[str], level: int,
           client: Client | None = None, *, show_progress: bool | None = None) -> IngestReport:
    """Fetch every (year, flow) chunk, then load them all in one transaction.

    Cached chunks are not fetched again, so an interrupted run resumes. The pair's mirror
    estimates are rebuilt in the same transaction. Nothing is written if any chunk fails.
    Progress shows on the terminal (``show_progress`` None: when stderr is one).
    """
    from bilateral.sources import mirror

    if level not in LEVEL_CMD:
        raise BilateralError(f"--level must be one of {sorted(LEVEL_CMD)}")
    bad = [f for f in flows if f not in FLOW_CODES]
    if bad:
        raise BilateralError(f"unknown flow code(s) {bad}; use X (exports) and/or M (imports)")
    reporter = check_country("--reporter", reporter)
    partner = check_country("--partner", partner)
    client = client or Client()
    queries = [Query(reporter, partner, y, f, level) for y in sorted(years) for f in flows]
    answers = []  # every chunk first: a failure writes nothing
    with _progress(client, len(queries), show_progress) as advance:
        for q in queries:
            answers.append((q, client.get(q)))
            advance()
    report = IngestReport(fetched=client.fetched, from_cache=client.from_cache)
    with store.transaction() as con:
        for q, doc in answers:
            body = json.dumps(doc, sort_keys=True).encode()
            record = ReleaseRecord(
                release=q.release, source=SOURCE, version=f"API v1 ({doc.get('elapsedTime', 'n/a')})",
                file=f"{API_URL}/C/A/HS?{'&'.join(f'{k}={v}' for k, v in q.params().items())}",
                checksum=hashlib.sha256(body).hexdigest(), producer=PRODUCER, url=API_URL, accessed=None,
                licence=LICENCE, origin={"query": q.label, "records": len(doc["data"])},
            )
            if store.is_loaded(record):
                report.skipped.append(record.release)
                continue
            n = store.replace_release(con, record, {"flows": to_table("flows", rows_of(doc, q))})
            report.loaded.append({"release": record.release, "rows": n, "file": q.label})
        report.derived = mirror.rebuild(con, store, reporter.upper(), partner.upper())
    return report
