"""The Python API for notebooks: open a ready store, then ask for any report by pair ("IND-RUS" or a Pair).

    from bilateral import api
    with api.open_store() as store:
        ov = api.overview(store, "IND-RUS", "FY2024-25")   # typed result; ov.to_dict(), ov.records()
        df = api.frame(ov)                                  # the same as a pandas DataFrame

Every report reads through the read layer (:mod:`bilateral.store.queries`), so any pair whose data
are loaded answers, each figure from the one source the precedence file says serves it. An
interface (the top layer, see :mod:`bilateral`): nothing below imports it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bilateral.harmonise.pairs import DEFAULT_PAIR, Pair, parse_pair, parse_years
from bilateral.store.db import Store

if TYPE_CHECKING:
    import pandas as pd

    from bilateral.models.overview import Overview
    from bilateral.store.queries import FlowRow, PeriodTotals

__all__ = ["DEFAULT_PAIR", "Pair", "Store", "flows", "frame", "indicators", "open_store", "overview", "parse_pair",
           "parse_years", "totals"]


def open_store(path: Path | str | None = None, *, load_embedded: bool = True, read_only: bool = False) -> Store:
    """Open (creating if needed) the store and make sure the embedded release is loaded.

    ``read_only``: open it read-only when it exists, is migrated and holds the embedded release, so
    several readers run at once (and a store on a read-only file system answers); otherwise it is
    opened writable to create, migrate or load it first.
    """
    if read_only:
        from bilateral.store.db import open_read_only

        ro = open_read_only(path)
        if ro is not None:
            from bilateral.sources import embedded

            if not load_embedded or not embedded.pending(ro):
                return ro
            ro.close()
    from bilateral.store.db import default_store_path

    creating = not os.path.lexists(Path(path if path is not None else default_store_path()).expanduser())
    store = Store(path)
    if load_embedded:
        from bilateral.sources import embedded

        try:
            embedded.ensure_loaded(store)
        except BaseException:
            store.close()
            if creating:  # a store that could not be set up leaves no file behind
                from bilateral.store.db import remove_store_files

                remove_store_files(store.path)
            raise
    return store


def _pair(pair: Pair | str) -> Pair:
    return parse_pair(pair) if isinstance(pair, str) else pair


def overview(store: Store, pair: Pair | str = DEFAULT_PAIR, period: str | None = None) -> Overview:
    """Where a partnership stands in a period (FY2024-25 or CY2022; default: the latest served)."""
    from bilateral.models.overview import overview as build

    return build(store, _pair(pair), period)


def indicators(store: Store, pair: Pair | str = DEFAULT_PAIR, period: str | None = None) -> list[dict[str, Any]]:
    """Every indicator with its metadata, value, note and releases for a pair and period."""
    from bilateral.models.indicators import summary

    return summary(store, _pair(pair), period)


def totals(store: Store, pair: Pair | str = DEFAULT_PAIR) -> list[PeriodTotals]:
    """A pair's yearly exports and imports, each figure from the source that serves it."""
    from bilateral.store.queries import pair_totals

    return pair_totals(store, _pair(pair))


def flows(store: Store, pair: Pair | str = DEFAULT_PAIR, source: str | None = None, level: int = 0) -> list[FlowRow]:
    """A pair's flows by period at an HS level, one serving source per figure (or the source named)."""
    from bilateral.store.queries import pair_flows

    return pair_flows(store, _pair(pair), source, level)


def frame(result: Any) -> pd.DataFrame:
    """Any result as a pandas DataFrame: its ``records()`` when it has them, else a list of rows/dataclasses."""
    import dataclasses

    import pandas as pd

    if hasattr(result, "records"):
        return pd.DataFrame(result.records())
    rows = [dataclasses.asdict(r) if dataclasses.is_dataclass(r) and not isinstance(r, type) else r for r in result]
    return pd.DataFrame(rows)
