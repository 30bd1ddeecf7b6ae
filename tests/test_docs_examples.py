"""Every `bilateral …` example in README.md and docs/**/*.md runs without an error.

The examples are the lines of fenced code blocks that start with `bilateral` (or `.venv/bin/bilateral`,
or `VAR=value bilateral`), joined across `\\` continuations. Synopses (with `[--option]`, `A|B` or
upper-case placeholders such as PATH) are not examples and are left out. Each example runs
through CliRunner in a temporary folder, on a private copy of the test store (`--store` is added),
with the network shut off; file arguments that exist relative to the repository are made absolute.

Skipped, each with its reason (SKIPS below): examples that need the network and an API key, files
that are not in the repository, or that would rewrite the package's own data.
"""

from __future__ import annotations

import re
import shlex
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bilateral.cli import app

REPO = Path(__file__).resolve().parents[1]
DOC_FILES = [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]
FENCE = re.compile(r"^\s*(```|~~~)")
PROGRAM = re.compile(r"^(?:[A-Z_][A-Z0-9_]*=\S*\s+)*(?:\S*/)?bilateral(?:\s|$)")
PLACEHOLDER = re.compile(r"\b(PATH|FILE|DIR|TABLE|ID|NAME|YYYY-MM-DD|REJECTED\.csv)\b|\.\.\.|…|<[^>]+>")

#: (first words of the command, reason). Every skip is listed here, none is silent.
SKIPS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("ingest", "comtrade"), "needs the network and a UN Comtrade API key ($COMTRADE_API_KEY)"),
    (("embedded", "build"), "rewrites the package's embedded data from ../shared/data (tested in test_embedded)"),
    (("serve",), "starts a server that runs until stopped (tested against a real server in tests/test_web.py)"),
)


@dataclass(frozen=True)
class Example:
    where: str  # file:line
    text: str  # the command as written
    argv: tuple[str, ...]  # the arguments after `bilateral`


def _blocks(path: Path) -> list[tuple[int, str]]:
    """(line number, line) of every line inside a fenced code block, continuations joined."""
    out: list[tuple[int, str]] = []
    inside = False
    pending: tuple[int, str] | None = None
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if FENCE.match(line):
            inside = not inside
            continue
        if not inside:
            continue
        if pending is not None:
            start, text = pending
            text = text + " " + line.strip()
        else:
            start, text = n, line.strip()
        if text.endswith("\\"):
            pending = (start, text[:-1].rstrip())
            continue
        pending = None
        out.append((start, text))
    return out


def is_synopsis(text: str) -> bool:
    """A usage line, not a runnable example: optional parts in brackets, alternatives, placeholders."""
    bare = re.sub(r"#.*$", "", text)
    return "[" in bare or bool(re.search(r"\s\S+\|\S+", bare))


def examples() -> list[Example]:
    found: dict[str, Example] = {}
    for path in DOC_FILES:
        for n, text in _blocks(path):
            if not PROGRAM.match(text) or is_synopsis(text):
                continue
            words = shlex.split(text, comments=True)
            while words and re.match(r"^[A-Z_][A-Z0-9_]*=", words[0]):
                words.pop(0)
            argv = tuple(words[1:])
            key = " ".join(argv)
            if key not in found:
                found[key] = Example(f"{path.relative_to(REPO)}:{n}", text, argv)
    return list(found.values())


def skip_reason(ex: Example) -> str | None:
    for prefix, reason in SKIPS:
        if ex.argv[:len(prefix)] == prefix:
            return reason
    if any(PLACEHOLDER.search(a) for a in ex.argv):
        return "has a placeholder to fill in"
    if ex.argv[:1] == ("ingest",):
        inputs = [a for a in ex.argv[2:] if not a.startswith("-")]
        if inputs and not (REPO / inputs[0]).exists():
            return f"the input {inputs[0]} is a download the repository does not hold"
    return None


EXAMPLES = examples()


def test_examples_are_found():
    """The extraction itself works: the README's and the docs' examples are there."""
    wheres = {e.where.split(":")[0] for e in EXAMPLES}
    assert "README.md" in wheres and any(w.startswith("docs/commands/") for w in wheres)
    texts = {" ".join(e.argv) for e in EXAMPLES}
    assert "releases --format json" in texts and "export flows --format parquet --out flows.parquet" in texts
    assert not any(is_synopsis(e.text) for e in EXAMPLES)


def test_synopsis_and_continuations_are_recognised(tmp_path):
    doc = tmp_path / "x.md"
    doc.write_text("text\n```\nbilateral flows [--pair IND-RUS]\nbilateral agenda update a --status done \\\n"
                   "    --date 2026-01-01\n.venv/bin/bilateral releases   # provenance\n```\nbilateral outside\n")
    lines = [t for _, t in _blocks(doc)]
    assert lines == ["bilateral flows [--pair IND-RUS]", "bilateral agenda update a --status done --date 2026-01-01",
                     ".venv/bin/bilateral releases   # provenance"]
    assert is_synopsis(lines[0]) and not is_synopsis(lines[1]) and not is_synopsis(lines[2])


@pytest.fixture(scope="module")
def docs_store(store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    dst = tmp_path_factory.mktemp("docs") / "bilateral.duckdb"
    shutil.copyfile(store_path, dst)
    return dst


@pytest.mark.parametrize("ex", EXAMPLES, ids=[f"{e.where} {' '.join(e.argv)}"[:120] for e in EXAMPLES])
def test_example_runs(ex: Example, docs_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    reason = skip_reason(ex)
    if reason:
        pytest.skip(f"{ex.where}: {reason}")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("COMTRADE_API_KEY", raising=False)
    monkeypatch.setenv("BILATERAL_COMTRADE_URL", "http://127.0.0.1:9/")  # nothing listens: no network
    monkeypatch.setenv("BILATERAL_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("BILATERAL_STORE", str(docs_store))
    monkeypatch.setenv("BILATERAL_AGENDA", str(tmp_path / "agenda-updates.yml"))
    argv = [str(REPO / a) if not a.startswith("-") and "/" in a and (REPO / a).exists() else a for a in ex.argv]
    if not {"--help", "--version"} & set(argv):
        argv += ["--store", str(docs_store)]
    r = CliRunner().invoke(app, argv)
    assert r.exit_code == 0 and (r.exception is None or isinstance(r.exception, SystemExit)), (
        f"{ex.where}: `{ex.text}` exited {r.exit_code} ({r.exception!r}):\n{r.output[-2000:]}")
