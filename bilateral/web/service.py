"""The dashboard's data service: one read-only store, one lock, results cached per request arguments.

DuckDB connections are not safe to share between threads, and the read layer caches per store
object, so every store call runs under one lock; results (the store is read-only, the code does
not change while the app runs) are cached by capability and arguments in a bounded LRU, together
with their JSON bytes, so repeated requests answer without touching the store.
"""

from __future__ import annotations

import functools
import json
import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bilateral.web import adapters

if TYPE_CHECKING:
    from bilateral.store.db import SharedReader

__all__ = ["CACHE_ENTRIES", "Result", "Service", "to_json_bytes"]

#: results kept (LRU); a fuzzer or a crawler cannot grow the cache past this
CACHE_ENTRIES = 512


def _clean(obj: Any) -> Any:
    """JSON-safe copy: NaN and infinities become null, tuples lists, dates ISO strings."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    if isinstance(obj, str | int | bool) or obj is None:
        return obj
    if isinstance(obj, date):
        return obj.isoformat()
    if hasattr(obj, "item"):  # numpy scalars
        return _clean(obj.item())
    return str(obj)


def to_json_bytes(obj: Any) -> bytes:
    """Compact UTF-8 JSON of a result dict (strict: no NaN)."""
    return json.dumps(_clean(obj), ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")


@dataclass(frozen=True)
class Result:
    """A capability's answer: the typed result, its ``to_dict()`` and that as JSON bytes."""

    value: Any
    data: dict[str, Any]
    body: bytes


def _memo(method: Callable[..., Result]) -> Callable[..., Result]:
    """Cache a service method's Result by its name and arguments as passed (see :meth:`Service.lookup`)."""
    name = method.__name__

    @functools.wraps(method)
    def wrapper(self: Service, *args: Any) -> Result:
        key = ("call", name, *args)
        hit = self._fresh_hit(key)
        if hit is not None:
            return hit
        res = method(self, *args)
        self._put(key, res)
        return res

    return wrapper


class Service:
    """Everything the pages and the API ask of the store, cached; the store opened read-only."""

    def __init__(self, store: Any, store_path: Path | None, reader: SharedReader | None = None) -> None:
        self.store = store
        self.store_path = store_path
        #: with a reader, the store is open only while a request reads it (see :meth:`_reading`)
        self._reader = reader
        self._lock = threading.RLock()
        self._cache: OrderedDict[tuple[Any, ...], Result] = OrderedDict()
        self._cache_lock = threading.Lock()
        self._waiting = 0  # requests queued for the store (the last one out closes it)

    def close(self) -> None:
        with self._lock:
            if self._reader is not None:
                self._reader.close()
            else:
                self.store.close()

    @contextmanager
    def _reading(self, *, stale_ok: bool) -> Iterator[bool]:
        """The store, open for one request (under ``self._lock``); yields False when a writer holds it.

        Opening drops every cached answer if the store's content changed (an ingest committed). While
        another process writes, ``stale_ok`` answers from the cache (the last committed data) at once;
        otherwise the open waits the store's bounded time, then fails with StoreBusyError.
        """
        if self._reader is None:
            yield True
            return
        from bilateral.store.db import StoreBusyError

        try:
            changed = self._reader.acquire(wait=not stale_ok)
        except StoreBusyError:
            if not stale_ok:
                raise
            yield False
            return
        try:
            if changed:
                with self._cache_lock:
                    self._cache.clear()
            yield True
        finally:
            self._reader.release(keep_open=self._waiting > 1)

    def _fresh_hit(self, key: tuple[Any, ...]) -> Result | None:
        """The cached answer, unless the store file changed since the cache was checked (a stat: cheap)."""
        if self._reader is not None and self._reader.moved():
            return None
        return self._peek(key)

    # -- cache ---------------------------------------------------------------------------------------
    def _peek(self, key: tuple[Any, ...]) -> Result | None:
        with self._cache_lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
            return hit

    def _put(self, key: tuple[Any, ...], res: Result) -> None:
        with self._cache_lock:
            self._cache[key] = res
            while len(self._cache) > CACHE_ENTRIES:
                self._cache.popitem(last=False)

    def lookup(self, name: str, *args: Any) -> Result | None:
        """The cached answer of ``self.<name>(*args)``, without computing (None when not cached yet or stale)."""
        return self._fresh_hit(("call", name, *args))

    def _cached(self, key: tuple[Any, ...], compute: Callable[[], tuple[Any, dict[str, Any]]]) -> Result:
        hit = self._fresh_hit(key)
        if hit is not None:
            return hit
        with self._cache_lock:
            self._waiting += 1
        try:
            with self._lock, self._reading(stale_ok=self._peek(key) is not None) as current:
                # one store user at a time; a second thread waiting here may find it cached
                with self._cache_lock:
                    hit = self._cache.get(key)
                if hit is not None or not current:  # not current: a writer holds the store; the last answer
                    assert hit is not None
                    return hit
                value, data = compute()
        finally:
            with self._cache_lock:
                self._waiting -= 1
        res = Result(value, data, to_json_bytes(data))
        with self._cache_lock:
            self._cache[key] = res
            while len(self._cache) > CACHE_ENTRIES:
                self._cache.popitem(last=False)
        return res

    # -- capabilities -------------------------------------------------------------------------------
    @_memo
    def overview(self, pair: str, period: str | None) -> Result:
        from bilateral.harmonise.pairs import parse_pair

        def run() -> tuple[Any, dict[str, Any]]:
            ov = adapters.overview(self.store, parse_pair(pair), period)
            return ov, ov.to_dict()

        return self._cached(("overview", pair, period), run)

    @_memo
    def totals(self, pair: str) -> Result:
        from bilateral.harmonise.pairs import parse_pair

        def run() -> tuple[Any, dict[str, Any]]:
            rows = adapters.totals(self.store, parse_pair(pair))
            return rows, {"pair": pair, "totals": [r.to_dict() for r in rows]}

        return self._cached(("totals", pair), run)

    @_memo
    def indicators(self, pair: str, period: str | None) -> Result:
        from bilateral.harmonise.pairs import parse_pair

        def run() -> tuple[Any, dict[str, Any]]:
            rows = adapters.indicators(self.store, parse_pair(pair), period)
            return rows, {"pair": pair, "period": period, "indicators": rows}

        return self._cached(("indicators", pair, period), run)

    @_memo
    def flows(self, pair: str, source: str | None, level: int) -> Result:
        from bilateral.harmonise.pairs import parse_pair

        def run() -> tuple[Any, dict[str, Any]]:
            rows = adapters.flows(self.store, parse_pair(pair), source, level)
            return rows, {"pair": pair, "source": source, "level": level, "flows": [r.to_dict() for r in rows]}

        return self._cached(("flows", pair, source, level), run)

    @_memo
    def target(self, pair: str, target_usd: float | None, by: str | None, base: str | None) -> Result:
        from bilateral.errors import BilateralError
        from bilateral.harmonise.pairs import parse_pair

        default = adapters.target_default(parse_pair(pair))
        if target_usd is None or by is None:
            if default is None:
                raise BilateralError(f"no target on file for {pair}; give target_usd and by (e.g. FY2029-30)")
            target_usd = target_usd if target_usd is not None else default.value_usd
            by = by if by is not None else default.by
        usd, when = float(target_usd), str(by)

        def run() -> tuple[Any, dict[str, Any]]:
            tr = adapters.target(self.store, parse_pair(pair), usd, when, base)
            data = tr.to_dict()
            if default is not None and default.value_usd == usd and default.by == when:
                data["target"] = {**data["target"], "announced": default.announced, "source": default.source,
                                  "url": default.url}
            return tr, data

        return self._cached(("target", pair, usd, when, base), run)

    @_memo
    def potential(self, pair: str, sector: str | None, products: tuple[str, ...], top: int,
                  exclude_sanction_risk: bool) -> Result:
        from bilateral.harmonise.pairs import parse_pair

        def run() -> tuple[Any, dict[str, Any]]:
            pr = adapters.potential(self.store, parse_pair(pair), sector, products, top, exclude_sanction_risk)
            return pr, pr.to_dict()

        return self._cached(("potential", pair, sector, products, top, exclude_sanction_risk), run)

    @_memo
    def corridors(self, origin: str, destination: str, when: date, scenarios: tuple[str, ...], cargo: str) -> Result:
        def run() -> tuple[Any, dict[str, Any]]:
            cmp = adapters.corridors(origin, destination, when, scenarios, cargo)
            data = cmp.to_dict()
            data["geojson"] = adapters.corridor_geojson(cmp)
            return cmp, data

        return self._cached(("corridors", origin, destination, when, scenarios, cargo), run)

    @_memo
    def settlement(self, pair: str, scenario: str | None, start: str | None, end: str | None) -> Result:
        from bilateral.harmonise.pairs import parse_pair

        def run() -> tuple[Any, dict[str, Any]]:
            r = adapters.settlement(self.store, parse_pair(pair), scenario, start, end)
            return r, r.to_dict()

        return self._cached(("settlement", pair, scenario, start, end), run)

    @_memo
    def agenda(self, pillar: str | None, status: str | None) -> Result:
        def run() -> tuple[Any, dict[str, Any]]:
            reg = adapters.agenda(self.store_path)
            chosen = reg.select(pillar, status)
            data = {"summit": dict(reg.summit), "updates": reg.updates,
                    "commitments": [c.to_dict() for c in chosen]}
            return reg, data

        return self._cached(("agenda", pillar, status), run)

    def check(self, text: str, when: date | None, pair: str) -> Result:
        """Claim checks are not cached (every article differs); they still take the store lock."""
        from bilateral.harmonise.pairs import parse_pair

        with self._lock, self._reading(stale_ok=False):
            checks = adapters.check(self.store, text, when, parse_pair(pair))
        data = {"pair": pair, "date": when.isoformat() if when else None, "claims": [c.to_dict() for c in checks]}
        return Result(checks, data, to_json_bytes(data))
