"""The dashboard's ASGI middleware: security headers, request limits before reading, HEAD as GET.

:class:`SecurityHeaders` adds the headers to every response the app sends (the app's handler for
unexpected errors adds them itself: Starlette sends those from outside every middleware).
:class:`RequestLimits` refuses, before a route reads anything: a query string over
:data:`QUERY_MAX_BYTES` (414) or with more than :data:`QUERY_MAX_FIELDS` fields (422); a body over
the route's limit (413: one limit for every route, :data:`BODY_MAX`, larger for the routes listed in
``body_limits``), by its Content-Length or, without one, as soon as the chunks read pass it, so no
more than the limit is ever held; a form body that is not UTF-8 or has more than
:data:`FORM_MAX_FIELDS` fields (400/422); a POST to a route listed in ``json_only`` without
``Content-Type: application/json`` (what ``curl -d``, Python's urllib and a browser's ``fetch`` of
a string send by default) is answered 415 with the fix, before it is read. :class:`HeadAsGet` answers HEAD with the GET route's
headers and no body. The refusals never repeat what was sent.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Mapping
from typing import Any
from urllib.parse import parse_qsl

__all__ = ["BODY_MAX", "FORM_MAX_FIELDS", "QUERY_MAX_BYTES", "QUERY_MAX_FIELDS", "HeadAsGet", "Refusal",
           "RequestLimits", "SecurityHeaders"]

#: largest request body any route reads, in bytes, unless the app lists a larger limit for the route
BODY_MAX = 16 * 1024
#: longest query string (bytes, as sent) and most fields in it
QUERY_MAX_BYTES = 4096
QUERY_MAX_FIELDS = 64
#: most fields in a form body
FORM_MAX_FIELDS = 16
FORM_TYPE = b"application/x-www-form-urlencoded"
JSON_TYPE = b"application/json"

#: renders a refusal: (path, status, one-line message) -> (body, content type)
Refusal = Callable[[str, int, str], tuple[bytes, bytes]]


def json_refusal(path: str, status: int, message: str, field: str | None = None) -> tuple[bytes, bytes]:
    """The API's error body: ``{"detail": message, "field": field}``."""
    body: dict[str, Any] = {"detail": message}
    if field is not None:
        body["field"] = field
    return json.dumps(body).encode(), b"application/json"


class SecurityHeaders:
    """Adds the given headers to every response (those the response already sets are kept)."""

    def __init__(self, app: Any, headers: tuple[tuple[bytes, bytes], ...]) -> None:
        self.app = app
        self.headers = headers

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (k, v) for k, v in self.headers if k not in names]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class RequestLimits:
    """Query and body limits checked before the app reads the request (see the module docstring)."""

    def __init__(self, app: Any, refusal: Refusal, body_limits: Mapping[str, int] | None = None,
                 body_message: Mapping[str, str] | None = None, json_only: Collection[str] = ()) -> None:
        self.app = app
        self.refusal = refusal
        self.body_limits = dict(body_limits or {})
        self.body_message = dict(body_message or {})
        self.json_only = frozenset(json_only)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        query = scope.get("query_string", b"") or b""
        if len(query) > QUERY_MAX_BYTES:
            await self._refuse(scope, send, 414, f"the query string is longer than {QUERY_MAX_BYTES:,} bytes")
            return
        if query.count(b"&") + 1 > QUERY_MAX_FIELDS:
            await self._refuse(scope, send, 422, f"the query has more than {QUERY_MAX_FIELDS} fields")
            return
        limit = self.body_limits.get(path, BODY_MAX)
        too_large = self.body_message.get(path, f"the request body is larger than {limit:,} bytes")
        headers = dict(scope.get("headers") or [])
        has_body = headers.get(b"content-length", b"0") != b"0" or b"transfer-encoding" in headers
        if scope.get("method") == "POST" and path in self.json_only and has_body:  # no body: the route says so
            media = headers.get(b"content-type", b"").split(b";", 1)[0].strip().lower()
            if media != JSON_TYPE and not media.endswith(b"+json"):
                shown = media.decode("ascii", "replace")[:60]  # a media type, as short as the header allows
                got = f"Content-Type {shown!r}" if media else "no Content-Type"
                await self._refuse(scope, send, 415, "send the article as JSON, {\"text\": …}, with Content-Type: "
                                   f"application/json (the request has {got}); the page /check takes a form")
                return
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await self._refuse(scope, send, 413, too_large)
            return
        if scope.get("method") in ("GET", "HEAD") and declared is None and b"transfer-encoding" not in headers:
            await self.app(scope, receive, send)  # no body
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await self._refuse(scope, send, 413, too_large)
                return
            chunks.append(chunk)
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        if headers.get(b"content-type", b"").split(b";", 1)[0].strip().lower() == FORM_TYPE:
            problem = _form_problem(body)
            if problem is not None:
                await self._refuse(scope, send, *problem)
                return
        sent = False

        async def replay() -> dict[str, Any]:
            nonlocal sent
            if sent:
                return dict(await receive())
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _refuse(self, scope: dict[str, Any], send: Any, status: int, message: str) -> None:
        body, ctype = self.refusal(str(scope.get("path", "")), status, message)
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", ctype), (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body if scope.get("method") != "HEAD" else b""})


def _form_problem(body: bytes) -> tuple[int, str] | None:
    """Why a form body is refused (status, message), or None: it must be UTF-8 with few fields."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return 400, "the form is not UTF-8 text"
    try:
        parse_qsl(text, keep_blank_values=True, max_num_fields=FORM_MAX_FIELDS)
    except ValueError:
        return 422, f"the form has more than {FORM_MAX_FIELDS} fields"
    return None


class HeadAsGet:
    """HEAD answered as the GET route answers, without the body (FastAPI routes declare GET only)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope.get("method") != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_headers_only(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body"):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, send_headers_only)
