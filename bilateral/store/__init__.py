"""The DuckDB store: canonical tables, migrations, atomic and idempotent loads."""

from bilateral.store.db import Store, default_store_path

__all__ = ["Store", "default_store_path"]
