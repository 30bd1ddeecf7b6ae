"""The DuckDB store: canonical tables, migrations, atomic and idempotent loads, and the one read layer.

The store layer (with sources), below models and indicators: :mod:`bilateral.store.queries` serves
every figure, :mod:`bilateral.store.matrix` the world matrix. It imports only harmonise, the
embedded source's reader and errors.
"""

from bilateral.store.db import Store, default_store_path

__all__ = ["Store", "default_store_path"]
