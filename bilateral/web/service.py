"""The dashboard's data service: one read-only store, one lock, view results cached per request arguments.

Every page and API route asks this service for a view (:mod:`bilateral.views`); the service runs the
view function once per arguments and keeps its result with its JSON bytes. DuckDB connections are not
safe to share between threads, and the read layer caches per store object, so every store call runs
under one lock; results (the store is read-only, the code does not change while the app runs) are
kept in a bounded LRU, so repeated requests answer without touching the store.

With a :class:`bilateral.store.db.SharedReader` the store is open only while a request reads it, so an
ingest can run beside the server; when the store's content changed, the cache is dropped and the
next answers come from the new release (see :meth:`Service._reading`).
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bilateral.harmonise.pairs import parse_pair
from bilateral.views import agenda as agenda_view
from bilateral.views import corridors as corridors_view
from bilateral.views import overview as overview_view
from bilateral.views import potential as potential_view
from bilateral.views import settlement as settlement_view
from bilateral.views import target as target_view
from bilateral.views.base import View, to_json_bytes

if TYPE_CHECKING:
    from bilateral.store.db import SharedReader

__all__ = ["CACHE_ENTRIES", "Result", "Service"]

#: results kept (LRU); a fuzzer or a crawler cannot grow the cache past this
CACHE_ENTRIES = 512


@dataclass(frozen=True)
class Result:
    """A view's answer: the view (typed result and charts), its JSON twin and that as JSON bytes."""

    value: View[Any]
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

    @contextmanager
    def reading(self) -> Iterator[Any]:
        """The store, open for direct use beside the service (a script, a test): under the lock, closed after."""
        with self._lock, self._reading(stale_ok=False):
            yield self.store

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

    def _cached(self, key: tuple[Any, ...], compute: Callable[[], View[Any]]) -> Result:
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
                view = compute()
        finally:
            with self._cache_lock:
                self._waiting -= 1
        res = Result(view, view.data, to_json_bytes(view.data))
        with self._cache_lock:
            self._cache[key] = res
            while len(self._cache) > CACHE_ENTRIES:
                self._cache.popitem(last=False)
        return res

    # -- views ---------------------------------------------------------------------------------------
    @_memo
    def overview(self, pair: str, period: str | None) -> Result:
        return self._cached(("overview", pair, period),
                            lambda: overview_view.overview(self.store, parse_pair(pair), period))

    @_memo
    def totals(self, pair: str) -> Result:
        return self._cached(("totals", pair), lambda: overview_view.totals(self.store, parse_pair(pair)))

    @_memo
    def indicators(self, pair: str, period: str | None) -> Result:
        return self._cached(("indicators", pair, period),
                            lambda: overview_view.indicators(self.store, parse_pair(pair), period))

    @_memo
    def flows(self, pair: str, source: str | None, level: int) -> Result:
        return self._cached(("flows", pair, source, level),
                            lambda: overview_view.flows(self.store, parse_pair(pair), source, level))

    @_memo
    def pairs(self, reporter: str | None) -> Result:
        return self._cached(("pairs", reporter), lambda: overview_view.pairs(self.store, reporter))

    @_memo
    def target(self, pair: str, target_usd: float | None, by: str | None, base: str | None) -> Result:
        usd, when = target_view.resolve(parse_pair(pair), target_usd, by)  # the default and an explicit equal one share
        return self._cached(("target", pair, usd, when, base),
                            lambda: target_view.target(self.store, parse_pair(pair), usd, when, base))

    @_memo
    def potential(self, pair: str, sector: str | None, products: tuple[str, ...], top: int,
                  exclude_sanction_risk: bool) -> Result:
        return self._cached(("potential", pair, sector, products, top, exclude_sanction_risk),
                            lambda: potential_view.potential(self.store, parse_pair(pair), sector, products, top,
                                                             exclude_sanction_risk))

    @_memo
    def corridors(self, origin: str, destination: str, when: date, scenarios: tuple[str, ...], cargo: str) -> Result:
        return self._cached(("corridors", origin, destination, when, scenarios, cargo),
                            lambda: corridors_view.corridors(origin, destination, when, scenarios, cargo))

    @_memo
    def settlement(self, pair: str, scenario: str | None, start: str | None, end: str | None) -> Result:
        return self._cached(("settlement", pair, scenario, start, end),
                            lambda: settlement_view.settlement(self.store, parse_pair(pair), scenario, start, end))

    @_memo
    def agenda(self, pillar: str | None, status: str | None) -> Result:
        return self._cached(("agenda", pillar, status), lambda: agenda_view.agenda(self.store_path, pillar, status))

    def check(self, text: str, when: date | None, pair: str) -> Result:
        """Claim checks are not cached (every article differs).

        Reading and extracting run outside the store lock; only the judging (the store's reads) takes it.
        """
        from bilateral.agenda.claims import prepare

        prepared = prepare(text, when, pair=parse_pair(pair))
        with self._lock, self._reading(stale_ok=False):
            view = agenda_view.check(self.store, prepared, when, parse_pair(pair))
        return Result(view, view.data, agenda_view.check_json(view))
