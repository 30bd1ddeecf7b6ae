"""UN Comtrade API v1 (``/data/v1/get``): fetch by year and flow, cache on disk, load atomically.

Plain HTTP with ``requests``, not the official ``comtradeapicall`` client: one GET per chunk is
all the API needs, and a client of our own lets us control what matters here — bounded retries with
exponential back-off on 429/5xx/time-outs (urllib3's ``Retry``, honouring ``Retry-After``), a
disk cache keyed on the query so an interrupted run resumes where it stopped, a strict check of
every answer (Comtrade can answer HTTP 200 with an error body), and tests against a local HTTP
server replaying recorded responses.

The API key comes from ``$COMTRADE_API_KEY`` and travels only in the
``Ocp-Apim-Subscription-Key`` header: it is never part of a URL, a cache key, a log line, an error
message or the store.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

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
RETRY_STATUSES = (429, 500, 502, 503, 504)
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
    import country_converter as coco

    code = coco.convert(iso3, src="ISO3", to="ISOnumeric", not_found=None)
    if not isinstance(code, int | float) or code != code:
        raise BilateralError(f"no Comtrade code for {iso3!r}; use an ISO3 country code, e.g. IND, RUS")
    return int(code)


def iso3_of(code: int, iso: str | None) -> str:
    """ISO3 of a Comtrade row's country: its own ISO field, else the code mapped back."""
    if iso and len(iso) == 3 and iso.isalpha() and iso.upper() != "W00":
        return iso.upper()
    if code == 0:
        return "WLD"
    for k, v in _special_codes().items():
        if v == code:
            return k
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
    """A Comtrade API client with retries, back-off and a disk cache. The key is never shown."""

    key: str | None = None
    base_url: str = field(default_factory=lambda: os.environ.get(URL_ENV, API_URL))
    cache_dir: Path = field(default_factory=default_cache_dir)
    retries: int = 5
    backoff: float = 1.0  # seconds; doubles each retry
    timeout: float = 60.0
    fetched: int = 0
    from_cache: int = 0

    def __repr__(self) -> str:  # never show the key
        return f"Client(base_url={self.base_url!r}, cache_dir={str(self.cache_dir)!r})"

    def _session(self) -> Any:
        import requests
        from requests.adapters import HTTPAdapter
        from urllib3.util.retry import Retry

        retry = Retry(total=self.retries, connect=self.retries, read=self.retries, status=self.retries,
                      backoff_factor=self.backoff, status_forcelist=RETRY_STATUSES, allowed_methods={"GET"},
                      respect_retry_after_header=True, raise_on_status=False)
        s = requests.Session()
        s.mount("http://", HTTPAdapter(max_retries=retry))
        s.mount("https://", HTTPAdapter(max_retries=retry))
        return s

    def get(self, q: Query) -> dict[str, Any]:
        """The checked answer to one chunk, from the cache if it was fetched before."""
        path = self.cache_dir / f"{q.cache_key()}.json"
        if path.exists():
            self.from_cache += 1
            return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]
        key = self.key if self.key is not None else os.environ.get(KEY_ENV)
        if not key:
            raise BilateralError(f"set {KEY_ENV} to your UN Comtrade API key (comtradedeveloper.un.org); "
                                 f"{q.label} is not in the cache")
        import requests

        url = f"{self.base_url.rstrip('/')}/C/A/HS"
        try:
            resp = self._session().get(url, params=q.params(), headers={KEY_HEADER: key}, timeout=self.timeout)
        except requests.exceptions.RetryError as exc:
            raise BilateralError(f"query {q.label}: gave up after {self.retries} retries ({_reason(exc)})") from None
        except requests.exceptions.RequestException as exc:
            raise BilateralError(f"query {q.label}: {type(exc).__name__} after {self.retries} retries "
                                 f"({_reason(exc)})") from None
        doc = check_response(resp.status_code, resp.text, q)
        self.fetched += 1
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".part-", dir=self.cache_dir)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(doc, fh)
        os.replace(tmp, path)
        return doc


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


def rows_of(doc: dict[str, Any], q: Query) -> list[dict[str, Any]]:
    """Canonical flows rows of one answer."""
    rows = []
    for n, rec in enumerate(doc["data"]):
        where = f"data[{n}]"
        flow = FLOW_CODES.get(str(rec.get("flowCode")))
        if flow is None:
            raise InputError(f"unexpected flowCode {rec.get('flowCode')!r}", query=q.label, field=where)
        value = rec.get("primaryValue")
        if not isinstance(value, int | float) or value < 0:
            raise InputError(f"primaryValue {value!r} is not a non-negative number", query=q.label, field=where)
        if rec.get("partner2Code", 0) not in (0, None) or str(rec.get("customsCode", "C00")) != "C00" \
                or rec.get("motCode", 0) not in (0, None):
            continue  # a breakdown row: the totals over partner2/customs/transport mode are kept
        level = int(rec.get("aggrLevel") or 0)
        cmd = str(rec.get("cmdCode"))
        net = rec.get("netWgt")
        reported = bool(rec.get("isReported", True))
        rows.append({
            "source": SOURCE, "release": q.release, "period": f"CY{int(rec['refYear'])}", "period_kind": "cy",
            "reporter": iso3_of(int(rec["reporterCode"]), rec.get("reporterISO")),
            "partner": iso3_of(int(rec["partnerCode"]), rec.get("partnerISO")),
            "flow": flow, "hs_revision": HS_CLASSIFICATIONS.get(str(rec.get("classificationCode"))),
            "product": cmd, "product_level": 0 if cmd == "TOTAL" else level, "value_usd": float(value),
            "quantity": float(net) if isinstance(net, int | float) else None,
            "quantity_unit": "kg" if isinstance(net, int | float) else None,
            "estimate": "reported" if reported else "derived",
            "quality": "comtrade_reported" if reported else "comtrade_estimated",
        })
    return rows




def ingest(store: Store, reporter: str, partner: str, years: set[int], flows: list[str], level: int,
           client: Client | None = None) -> IngestReport:
    """Fetch every (year, flow) chunk, then load them all in one transaction.

    Cached chunks are not fetched again, so an interrupted run resumes. The pair's mirror
    estimates are rebuilt in the same transaction. Nothing is written if any chunk fails.
    """
    from bilateral.harmonise import mirror

    if level not in LEVEL_CMD:
        raise BilateralError(f"--level must be one of {sorted(LEVEL_CMD)}")
    bad = [f for f in flows if f not in FLOW_CODES]
    if bad:
        raise BilateralError(f"unknown flow code(s) {bad}; use X (exports) and/or M (imports)")
    client = client or Client()
    queries = [Query(reporter.upper(), partner.upper(), y, f, level) for y in sorted(years) for f in flows]
    answers = [(q, client.get(q)) for q in queries]  # every chunk first: a failure writes nothing
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
