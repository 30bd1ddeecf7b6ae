"""The console script's first module: nothing heavy is imported before Ctrl-C is handled.

``bilateral`` starts here so that a Ctrl-C while Python is still importing the CLI (typer, click,
rich) ends like any other: one line, exit 130, no traceback.

A command that only reads the store (:data:`READ_ONLY_COMMANDS`) ends without the interpreter's
teardown once its output is flushed: it has closed its store (read-only) and written any file
atomically before it returns, so freeing every module and object one by one would only delay the
shell prompt (about 40 ms of CPU for ``overview``, ``bench/startup.py``). Every other command, and any
run whose output cannot be flushed, exits the ordinary way.
"""

from __future__ import annotations

import os
import sys

INTERRUPTED_EXIT = 130  # 128 + SIGINT (bilateral.cli_common.INTERRUPTED_EXIT, not imported: it is heavy)
# commands that open the store read-only and write files only through output.write_atomic
READ_ONLY_COMMANDS = frozenset({"overview", "flows", "indicators", "releases"})


def main() -> None:
    """Run ``bilateral`` (:func:`bilateral.cli.main`)."""
    try:
        from bilateral.cli import main as cli_main

        cli_main()
    except KeyboardInterrupt:
        loading = sys.argv[1:2] == ["ingest"]
        sys.stderr.write("interrupted: nothing was loaded\n" if loading else "interrupted\n")
        sys.exit(INTERRUPTED_EXIT)
    except SystemExit as exc:
        if isinstance(exc.code, int) and _read_only(sys.argv[1:]):
            _exit_now(exc.code)
        raise


def _read_only(args: list[str]) -> bool:
    """Whether the run is one of :data:`READ_ONLY_COMMANDS` (its first word that is not an option)."""
    words = [a for a in args if not a.startswith("-")]
    return bool(words) and words[0] in READ_ONLY_COMMANDS


def _exit_now(code: int) -> None:
    """Flush both streams and end the process with ``code``, skipping the interpreter's teardown.

    Returns (and the caller exits the ordinary way) when a stream cannot be flushed, e.g. a closed pipe.
    """
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return
    os._exit(code)
