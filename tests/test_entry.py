"""The console script's entry (``bilateral.entry``): read-only commands skip the interpreter's teardown.

The skip must change nothing a user or a script sees: the same bytes on stdout and stderr and the same
exit code as the ordinary exit of :func:`bilateral.cli.main`, for a result, an error, a usage error
and a closed pipe. Each case runs both ways in a fresh process.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from bilateral import entry

ENTRY = [sys.executable, "-c", "from bilateral.entry import main; main()"]
ORDINARY = [sys.executable, "-m", "bilateral.cli"]


def test_read_only_commands_are_named_by_their_first_word():
    assert entry._read_only(["overview", "--period", "2024-25"])
    assert entry._read_only(["--store", "x", "flows"]) is False  # an option's value is not skipped: ordinary exit
    assert entry._read_only(["-h"]) is False
    assert entry._read_only([]) is False
    assert entry._read_only(["ingest", "baci", "x.csv"]) is False
    assert entry.READ_ONLY_COMMANDS == {"overview", "flows", "indicators", "releases"}


@pytest.mark.parametrize(("args", "code"), [
    (["overview", "--period", "2024-25"], 0),
    (["overview", "--period", "2024-25", "--format", "json"], 0),
    (["overview", "--period", "CY2099"], 1),       # an error: one line on stderr
    (["overview", "--format", "yaml"], 2),         # a usage error
    (["flows", "--level", "2", "--format", "csv"], 0),
])
def test_the_fast_exit_prints_and_exits_as_the_ordinary_one(store_path, args, code):
    runs = [subprocess.run([*cmd, *args, "--store", str(store_path)], capture_output=True, timeout=120)
            for cmd in (ENTRY, ORDINARY)]
    fast, ordinary = runs
    assert (fast.returncode, ordinary.returncode) == (code, code)
    assert fast.stdout == ordinary.stdout
    assert fast.stderr == ordinary.stderr
    assert (fast.stdout if code == 0 else fast.stderr)  # something was printed, and flushed before the exit


def test_a_file_written_by_a_read_only_command_is_whole(store_path, tmp_path):
    out = tmp_path / "ov.json"
    proc = subprocess.run([*ENTRY, "overview", "--period", "2024-25", "--format", "json", "--out", str(out),
                           "--store", str(store_path)], capture_output=True, timeout=120)
    assert proc.returncode == 0
    assert proc.stderr == f"wrote {out}\n".encode()
    assert out.read_text(encoding="utf-8").rstrip().endswith("}")


def test_exit_now_flushes_both_streams_before_it_ends(monkeypatch):
    events: list[str] = []

    class Stream:
        def __init__(self, name: str, fail: bool = False):
            self.name, self.fail = name, fail

        def flush(self):
            if self.fail:
                raise BrokenPipeError(32, "Broken pipe")
            events.append(f"flush {self.name}")

    monkeypatch.setattr(entry.os, "_exit", lambda code: events.append(f"exit {code}"))
    monkeypatch.setattr(sys, "stdout", Stream("stdout"))
    monkeypatch.setattr(sys, "stderr", Stream("stderr"))
    entry._exit_now(3)
    assert events == ["flush stdout", "flush stderr", "exit 3"]
    events.clear()
    monkeypatch.setattr(sys, "stdout", Stream("stdout", fail=True))
    entry._exit_now(0)  # a stream that cannot be flushed: no fast exit, the caller exits the ordinary way
    assert events == []
