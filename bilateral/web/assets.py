"""The dashboard's static files under content-hashed URLs, compressed, cached for a year.

Every file under ``views/static`` the pages use gets the URL ``/assets/<hash>/<path>``, where the
hash is the first 16 hex digits of the file's sha256: a new release of a file gets a new URL, so
browsers may keep each one for a year (``Cache-Control: immutable``) and a page never draws with a
stale script. Files are answered brotli- or gzip-compressed when the client accepts it: the plotly.js
bundles ship their ``.br``/``.gz`` copies (``scripts/plotly_bundle``), the small files are compressed
once on first use and kept. ``If-None-Match`` with the file's ETag answers 304.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from dataclasses import dataclass, field

from bilateral.views.assets import bundles, static_bytes

__all__ = ["ASSET_PREFIX", "CACHE_FOREVER", "Asset", "AssetStore"]

#: where the hashed files are served
ASSET_PREFIX = "/assets"
#: Cache-Control of a hashed file: its URL changes with its content
CACHE_FOREVER = "public, max-age=31536000, immutable"
#: hex digits of the sha256 in an asset's URL
HASH_DIGITS = 16
#: the files the pages use, under views/static (the plotly.js bundles are added from their manifest)
STATIC_FILES: tuple[str, ...] = ("app.js", "pairs.js", "style.css", "topojson/world_110m.json")
MEDIA_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
               ".json": "application/json"}
#: encodings offered, in the server's order of preference, with the suffix of a shipped precompressed copy
ENCODINGS: tuple[tuple[str, str], ...] = (("br", ".br"), ("gzip", ".gz"))
#: compression of files without a shipped copy (done once per file; level 11 takes seconds on 1 MB)
BROTLI_QUALITY = 9
GZIP_LEVEL = 9


@dataclass
class Asset:
    """One static file: its path under ``views/static``, URL, media type, bytes and compressed copies."""

    path: str
    digest: str
    media_type: str
    body: bytes
    encoded: dict[str, bytes] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"{ASSET_PREFIX}/{self.digest}/{self.path}"

    @property
    def etag(self) -> str:
        return f'"{self.digest}"'


class AssetStore:
    """The static files read once at start-up, with their hashed URLs; compressed copies made on demand."""

    def __init__(self) -> None:
        paths = list(STATIC_FILES) + [b.path for b in bundles()]
        self._assets: dict[str, Asset] = {}
        for path in paths:
            body = static_bytes(*path.split("/"))
            suffix = path[path.rfind("."):]
            asset = Asset(path, hashlib.sha256(body).hexdigest()[:HASH_DIGITS], MEDIA_TYPES[suffix], body)
            for enc, ext in ENCODINGS:
                try:
                    asset.encoded[enc] = static_bytes(*(path + ext).split("/"))
                except FileNotFoundError:
                    pass
            self._assets[path] = asset
        self._lock = threading.Lock()

    def url(self, path: str) -> str:
        """The hashed URL of a file (``app.js`` → ``/assets/3f…/app.js``)."""
        return self._assets[path].url

    def folder_url(self, path: str) -> str:
        """The hashed URL of a file's folder (plotly.js appends the file name to the topojson URL)."""
        url = self.url(path)
        return url[: url.rfind("/") + 1]

    def get(self, digest: str, path: str) -> Asset | None:
        """The file at ``path`` if ``digest`` is its current hash (None otherwise: an unknown or stale URL)."""
        asset = self._assets.get(path)
        return asset if asset is not None and asset.digest == digest else None

    def encoded(self, asset: Asset, accept_encoding: str) -> tuple[str | None, bytes]:
        """The encoding to answer with (None: identity) and the body, by the request's Accept-Encoding."""
        accepted = _accepted(accept_encoding)
        for enc, _ in ENCODINGS:
            if enc in accepted:
                with self._lock:
                    if enc not in asset.encoded:
                        asset.encoded[enc] = _compress(enc, asset.body)
                    return enc, asset.encoded[enc]
        return None, asset.body


def _accepted(header: str) -> set[str]:
    """Codings with a positive quality in an Accept-Encoding header (``*`` stands for br and gzip)."""
    out: set[str] = set()
    for item in header.split(","):
        coding, _, params = item.partition(";")
        coding = coding.strip().lower()
        q = 1.0
        for p in params.split(";"):
            k, _, v = p.strip().partition("=")
            if k.strip().lower() == "q":
                try:
                    q = float(v)
                except ValueError:
                    q = 0.0
        if q > 0 and coding:
            out.update({"br", "gzip"} if coding == "*" else {coding})
    return out


def _compress(encoding: str, body: bytes) -> bytes:
    if encoding == "br":
        import brotli

        return bytes(brotli.compress(body, quality=BROTLI_QUALITY))
    return gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)
