"""Fuzz the dashboard's JSON API from its OpenAPI schema with schemathesis and every check it has.

Bounded and deterministic: a fixed number of examples per operation, seeded, so the run takes about
a minute and fails the same way every time.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import warnings
from pathlib import Path

import pytest

schemathesis = pytest.importorskip("schemathesis", reason="the schemathesis package is not installed")
from bilateral.web.app import LOOPBACK_HOSTS, create_app  # noqa: E402

REPO = Path(__file__).resolve().parents[1]



@pytest.fixture(scope="module")
def api_schema(store_path: Path, tmp_path_factory: pytest.TempPathFactory):
    store = tmp_path_factory.mktemp("fuzz") / "fuzz.duckdb"
    shutil.copyfile(store_path, store)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # schemathesis' ASGI client calls itself "testserver": allowed here, not in the app's defaults
        return schemathesis.openapi.from_asgi("/api/openapi.json",
                                              create_app(store, allowed_hosts=(*LOOPBACK_HOSTS, "testserver")))


def _operations(schema) -> list:
    return [result.ok() for result in schema.get_all_operations()]


def test_every_operation_is_fuzzed(api_schema):
    labels = {f"{op.method.upper()} {op.path}" for op in _operations(api_schema)}
    assert {"GET /api/overview", "GET /api/indicators", "GET /api/flows", "GET /api/target", "GET /api/potential",
            "GET /api/corridors", "GET /api/settlement",
            "GET /api/agenda", "POST /api/check"} <= labels


#: seconds schemathesis waits for one answer (a conformance check, not a timing: the page-load bench times pages)
REQUEST_TIMEOUT = 120
#: examples per API operation in the schemathesis run (deterministic, seeded)
CLI_EXAMPLES = 30
CLI_SEED = 24


def _serve(store: Path, port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen([sys.executable, "-m", "bilateral.cli", "serve", "--port", str(port), "--store", str(store)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "NO_COLOR": "1"})
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2):
                return proc
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail("bilateral serve did not start")
            time.sleep(0.2)


@pytest.mark.slow
def test_schemathesis_checks_all(store_path: Path, tmp_path: Path):
    """`schemathesis run … --checks all` against a real `bilateral serve`: no 5xx, every answer as the schema says
    (status, content type, headers, body), schema-valid requests accepted and schema-violating ones refused
    (the exceptions the schema cannot state are listed, with reasons, in schemathesis.toml)."""
    exe = shutil.which("schemathesis", path=str(Path(sys.executable).parent)) or shutil.which("schemathesis")
    if exe is None:
        pytest.skip("the schemathesis command is not installed")
    store = tmp_path / "st.duckdb"
    shutil.copyfile(store_path, store)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = _serve(store, port)
    try:
        r = subprocess.run([exe, "--config-file", str(REPO / "schemathesis.toml"), "run",
                            f"http://127.0.0.1:{port}/api/openapi.json", "--checks", "all",
                            "--max-examples", str(CLI_EXAMPLES), "--seed", str(CLI_SEED), "--generation-deterministic",
                            # the first potential request builds the product space (seconds on a loaded machine)
                            "--request-timeout", str(REQUEST_TIMEOUT), "--max-response-time", str(REQUEST_TIMEOUT),
                            "--no-color"], capture_output=True, text=True, timeout=900, check=False, cwd=tmp_path)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    tail = "\n".join((r.stdout + r.stderr).splitlines()[-60:])
    assert r.returncode == 0, tail[-6000:]
    assert "12 passed" in r.stdout or "Tested: 12" in r.stdout, tail[-3000:]
