"""The API's OpenAPI schema: every route's answers described from the views' types, errors included.

FastAPI documents the parameters; the routes answer cached JSON bytes, so their bodies are described
here, from :mod:`bilateral.views.payloads` through pydantic's ``TypeAdapter`` (a view whose JSON
is its model's dataclass gets that dataclass's schema). Every operation also lists the error
answers it can give, all in one shape (:class:`~bilateral.views.payloads.ErrorJSON`): 400 (a request
the data cannot answer), 404 (nothing loaded for it), 413/414 (too large), 422 (a parameter
refused), 503 (the store is busy).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import TypeAdapter

from bilateral.views.payloads import PAYLOADS, ErrorJSON, HealthJSON

__all__ = ["ERROR_STATUSES", "ROUTE_PAYLOADS", "openapi_with_payloads", "payload_adapter"]

#: the JSON type each API operation answers 200 with (the view's name in views.payloads, or a type)
ROUTE_PAYLOADS: dict[tuple[str, str], Any] = {
    ("/api/health", "get"): HealthJSON, ("/api/pairs", "get"): "pairs",
    ("/api/overview", "get"): "overview", ("/api/totals", "get"): "totals", ("/api/indicators", "get"): "indicators",
    ("/api/flows", "get"): "flows", ("/api/target", "get"): "target", ("/api/potential", "get"): "potential",
    ("/api/corridors", "get"): "corridors", ("/api/settlement", "get"): "settlement",
    ("/api/agenda", "get"): "agenda", ("/api/check", "post"): "check",
}
#: error answers and when each is given
ERROR_STATUSES: dict[str, str] = {
    "400": "The request is well formed but the data cannot answer it (the one-line reason says why).",
    "404": "Nothing is loaded for this pair or period (the reason says what to load).",
    "413": "The request body is larger than the route reads.",
    "414": "The query string is too long.",
    "415": "A body sent without Content-Type: application/json (POST only).",
    "422": "A parameter or the body is refused; `field` names it.",
    "503": "An ingest holds the store; try again after Retry-After seconds.",
}
REF = "#/components/schemas/{model}"


@cache
def payload_adapter(kind: Any) -> TypeAdapter[Any]:
    """The TypeAdapter of a view's JSON type (by the view's name) or of a type."""
    return TypeAdapter(PAYLOADS[kind] if isinstance(kind, str) else kind)


def _schema(kind: Any, components: dict[str, Any]) -> dict[str, Any]:
    schema = payload_adapter(kind).json_schema(ref_template=REF, mode="serialization")
    components.update(schema.pop("$defs", {}))
    title = schema.get("title")
    if isinstance(title, str) and "properties" in schema:  # a named object: a component of its own
        components[title] = schema
        return {"$ref": REF.format(model=title)}
    return schema


def openapi_with_payloads(spec: dict[str, Any]) -> dict[str, Any]:
    """FastAPI's schema with each API operation's 200 body and its error answers described."""
    components: dict[str, Any] = spec.setdefault("components", {}).setdefault("schemas", {})
    error = _schema(ErrorJSON, components)
    for (path, method), kind in ROUTE_PAYLOADS.items():
        op = spec.get("paths", {}).get(path, {}).get(method)
        if op is None:
            continue
        responses = op.setdefault("responses", {})
        ok = responses.setdefault("200", {"description": "Successful Response"})
        ok["content"] = {"application/json": {"schema": _schema(kind, components)}}
        for status, why in ERROR_STATUSES.items():
            if status == "415" and method != "post":
                continue
            responses[status] = {"description": why, "content": {"application/json": {"schema": error}}}
    for name in ("HTTPValidationError", "ValidationError"):  # FastAPI's default 422, never sent
        components.pop(name, None)
    return spec
