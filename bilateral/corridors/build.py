"""Rebuild ``data/sea_legs.json``, the committed cache of searoute sea legs.

    python -m bilateral.corridors.build

Run it after changing places.csv, corridors.csv, the routing rules or the searoute version; a test
fails while the committed file is out of date.
"""

from __future__ import annotations

from bilateral.corridors.network import SEA_CACHE, build_cache


def main() -> None:
    n = build_cache()
    print(f"wrote {n} sea legs to {SEA_CACHE}")  # noqa: T201


if __name__ == "__main__":
    main()
