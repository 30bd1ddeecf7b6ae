"""Entry points for notebooks and the CLI: open a ready store, parse a pair."""

from __future__ import annotations

from pathlib import Path

from bilateral.harmonise.pairs import DEFAULT_PAIR, Pair, parse_pair, parse_years
from bilateral.store.db import Store

__all__ = ["DEFAULT_PAIR", "Pair", "Store", "open_store", "parse_pair", "parse_years"]

def open_store(path: Path | str | None = None, *, load_embedded: bool = True) -> Store:
    """Open (creating if needed) the store and make sure the embedded release is loaded."""
    store = Store(path)
    if load_embedded:
        from bilateral.sources import embedded

        try:
            embedded.ensure_loaded(store)
        except BaseException:
            store.close()
            raise
    return store
