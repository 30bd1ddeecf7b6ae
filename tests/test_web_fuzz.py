"""Fuzz the dashboard's JSON API from its OpenAPI schema (schemathesis): no input gives a 5xx.

Bounded and deterministic: a fixed number of examples per operation, derandomised, so the run
takes well under a minute and fails the same way every time.
"""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import pytest

schemathesis = pytest.importorskip("schemathesis", reason="the schemathesis package is not installed")
from hypothesis import HealthCheck, given, settings  # noqa: E402  (installed with schemathesis)

from bilateral.web.app import create_app  # noqa: E402

#: examples per API operation
EXAMPLES = 20


@pytest.fixture(scope="module")
def api_schema(store_path: Path, tmp_path_factory: pytest.TempPathFactory):
    store = tmp_path_factory.mktemp("fuzz") / "fuzz.duckdb"
    shutil.copyfile(store_path, store)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return schemathesis.openapi.from_asgi("/api/openapi.json", create_app(store))


def _operations(schema) -> list:
    return [result.ok() for result in schema.get_all_operations()]


def test_every_operation_is_fuzzed(api_schema):
    labels = {f"{op.method.upper()} {op.path}" for op in _operations(api_schema)}
    assert {"GET /api/overview", "GET /api/indicators", "GET /api/flows", "GET /api/target", "GET /api/potential",
            "GET /api/corridors", "GET /api/settlement",
            "GET /api/agenda", "POST /api/check"} <= labels


def test_no_server_error(api_schema):
    failures: list[str] = []
    for op in _operations(api_schema):

        @given(case=op.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case) -> None:
            response = case.call()
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} {case.query} {case.body!r}: "
                                f"{response.status_code} {response.text[:300]}")
            elif response.status_code >= 400:
                assert "detail" in response.json()

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            run()
    assert failures == []
