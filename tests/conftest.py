from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from bilateral.api import open_store

REPO = Path(__file__).resolve().parents[1]


def shared_data_dir() -> Path | None:
    env = os.environ.get("BILATERAL_SHARED_DATA")
    candidates = [Path(env)] if env else []
    candidates += [REPO.parent / "shared" / "data", REPO.parent.parent / "shared" / "data"]
    for c in candidates:
        if (c / "PROVENANCE.md").exists():
            return c
    return None


@pytest.fixture(scope="session")
def shared() -> Path:
    path = shared_data_dir()
    if path is None:
        pytest.skip("shared data folder not found (set BILATERAL_SHARED_DATA)")
    return path


@pytest.fixture(scope="session")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with the embedded release loaded, shared by read-only tests."""
    path = tmp_path_factory.mktemp("store") / "bilateral.duckdb"
    open_store(path).close()
    return path


@pytest.fixture()
def store(store_path: Path):
    with open_store(store_path) as s:
        yield s


@pytest.fixture()
def fresh_store_path(tmp_path: Path, store_path: Path) -> Path:
    """A private copy of the loaded store, for tests that write."""
    dst = tmp_path / "copy.duckdb"
    shutil.copyfile(store_path, dst)
    return dst


#: the base URL of in-process dashboard clients: a loopback name the app's Host allow-list answers
LOCAL_URL = "http://127.0.0.1"


@pytest.fixture(scope="session")
def post_form():
    """Post the claim-check form as a browser does: fetch the page (CSRF cookie and token), then submit it."""
    import re

    def post(client, data: dict, path: str = "/check"):
        page = client.get(path)
        token = re.search(r'name="csrftoken" value="([^"]+)"', page.text)
        assert token is not None, "the form carries no CSRF token"
        return client.post(path, data={"csrftoken": token.group(1), **data})

    return post
