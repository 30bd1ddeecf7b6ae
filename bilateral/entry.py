"""The console script's first module: nothing heavy is imported before Ctrl-C is handled.

``bilateral`` starts here so that a Ctrl-C while Python is still importing the CLI (typer, click,
rich) ends like any other: one line, exit 130, no traceback.
"""

from __future__ import annotations

import sys

INTERRUPTED_EXIT = 130  # 128 + SIGINT (bilateral.cli_common.INTERRUPTED_EXIT, not imported: it is heavy)


def main() -> None:
    """Run ``bilateral`` (:func:`bilateral.cli.main`)."""
    try:
        from bilateral.cli import main as cli_main

        cli_main()
    except KeyboardInterrupt:
        loading = sys.argv[1:2] == ["ingest"]
        sys.stderr.write("interrupted: nothing was loaded\n" if loading else "interrupted\n")
        sys.exit(INTERRUPTED_EXIT)
