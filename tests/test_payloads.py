"""Every view's JSON against its declared type (bilateral.views.payloads), for many arguments.

A model whose JSON gains, loses, renames or retypes a key fails here until its type follows, so the
OpenAPI schema (built from those types) describes what the API sends; schemathesis checks the same
on the live app (tests/test_web_fuzz.py).
"""

from __future__ import annotations

import shutil
import warnings
from datetime import date
from pathlib import Path
from typing import Any

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from bilateral.web.app import create_app
from bilateral.web.schemas import ROUTE_PAYLOADS, payload_adapter

DEPARTURE = "2026-03-01"
CASES: list[tuple[str, dict[str, Any]]] = [
    ("/api/overview", {}), ("/api/overview", {"period": "FY2024-25"}), ("/api/overview", {"period": "FY2017-18"}),
    ("/api/overview", {"period": "FY2012-13"}), ("/api/overview", {"period": "FY2010-11"}),
    ("/api/totals", {}), ("/api/indicators", {}), ("/api/indicators", {"period": "FY2012-13"}),
    ("/api/flows", {}), ("/api/flows", {"level": 2}), ("/api/flows", {"level": 8, "source": "embedded"}),
    ("/api/target", {}), ("/api/target", {"target_usd": 2e11, "by": "FY2034-35"}),
    ("/api/target", {"base": "FY2019-20", "target_usd": 5e10, "by": "FY2024-25"}),
    ("/api/potential", {}), ("/api/potential", {"sector": "pharmaceuticals", "top": 5, "exclude_sanction_risk": "true"}),
    ("/api/potential", {"product": ["300490", "27"]}), ("/api/potential", {"pair": "IND-CHN", "top": 3}),
    ("/api/corridors", {"date": DEPARTURE}),
    ("/api/corridors", {"date": "2026-08-01", "cargo": "tanker", "origin": "RUPRI", "destination": "INSIK"}),
    ("/api/corridors", {"date": "2026-08-15", "origin": "INMAA", "destination": "RUVVO"}),
    ("/api/corridors", {"date": DEPARTURE, "scenario": ["red-sea-open", "rasht-astara-open"]}),
    ("/api/settlement", {}), ("/api/settlement", {"scenario": "export_push", "from": "FY2023-24"}),
    ("/api/agenda", {}), ("/api/agenda", {"status": "achieved"}), ("/api/agenda", {"pillar": "energy"}),
    ("/api/pairs", {}), ("/api/health", {}),
]


@pytest.fixture(scope="module")
def client(store_path: Path, tmp_path_factory: pytest.TempPathFactory):
    dst = tmp_path_factory.mktemp("payloads") / "p.duckdb"
    shutil.copyfile(store_path, dst)
    app = create_app(dst)
    with TestClient(app, base_url="http://127.0.0.1") as c:
        yield c
    app.state.service.close()


def _resolve(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = defs[schema["$ref"].rsplit("/", 1)[1]]
    return schema


def undeclared(data: Any, schema: dict[str, Any], defs: dict[str, Any], path: str = "") -> list[str]:
    """Keys in ``data`` its schema does not declare (free-form objects, ``additionalProperties``, declare all)."""
    schema = _resolve(schema, defs)
    if "anyOf" in schema:
        found = [undeclared(data, s, defs, path) for s in schema["anyOf"] if _fits(data, _resolve(s, defs))]
        return min(found, key=len) if found else []
    if isinstance(data, dict) and "properties" in schema:
        out = [f"{path}.{k}" for k in data if k not in schema["properties"]]
        for k, v in data.items():
            if k in schema["properties"]:
                out += undeclared(v, schema["properties"][k], defs, f"{path}.{k}")
        return out
    if isinstance(data, list) and isinstance(schema.get("items"), dict):
        return [u for i, v in enumerate(data) for u in undeclared(v, schema["items"], defs, f"{path}[{i}]")]
    return []


def _fits(data: Any, schema: dict[str, Any]) -> bool:
    kind = schema.get("type")
    return {"object": isinstance(data, dict), "array": isinstance(data, list), "null": data is None,
            "string": isinstance(data, str), "boolean": isinstance(data, bool),
            "integer": isinstance(data, int) and not isinstance(data, bool),
            "number": isinstance(data, int | float) and not isinstance(data, bool)}.get(kind, True) if kind else True


@pytest.mark.parametrize(("path", "params"), CASES, ids=[f"{p}{sorted(q.items())}" for p, q in CASES])
def test_every_view_answers_its_declared_type(client: TestClient, path: str, params: dict[str, Any]):
    r = client.get(path, params=params)
    assert r.status_code == 200, r.text[:300]
    kind = ROUTE_PAYLOADS[(path, "get")]
    data = r.json()
    payload_adapter(kind).validate_python(data)  # every declared key there, of its type
    schema = payload_adapter(kind).json_schema(mode="serialization")
    assert undeclared(data, schema, schema.get("$defs", {})) == []  # and nothing undeclared


def test_the_claim_check_answers_its_declared_type(client: TestClient):
    text = (Path(__file__).parent / "fixtures" / "articles" / "record_trade.html").read_text(encoding="utf-8")
    r = client.post("/api/check", json={"text": text, "date": date(2025, 12, 6).isoformat()})
    assert r.status_code == 200 and len(r.json()["claims"]) >= 5
    payload_adapter("check").validate_python(r.json())
    schema = payload_adapter("check").json_schema(mode="serialization")
    assert undeclared(r.json(), schema, schema.get("$defs", {})) == []


def test_the_checker_finds_an_undeclared_key():
    schema = payload_adapter("agenda").json_schema(mode="serialization")
    data = {"summit": {"name": "s", "place": "p", "dates": "d", "weather": "fine"}, "updates": 0, "commitments": []}
    assert undeclared(data, schema, schema.get("$defs", {})) == [".summit.weather"]


def test_openapi_describes_every_answer(client: TestClient):
    spec = client.get("/api/openapi.json").json()
    for (path, method), _ in ROUTE_PAYLOADS.items():
        responses = spec["paths"][path][method]["responses"]
        assert responses["200"]["content"]["application/json"]["schema"], (path, method)
        for status in ("400", "404", "413", "414", "422", "503"):
            assert responses[status]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/ErrorJSON"}
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    assert spec["components"]["schemas"]["ErrorJSON"]["required"] == ["detail"]
