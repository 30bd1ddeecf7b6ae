"""A pause point for the kill test: lets a test stop a load half-way, deterministically.

When ``$BILATERAL_FAULT_PAUSE`` names a point, the process announces it on stderr and sleeps there,
so the test can kill it mid-transaction. Unset (always, outside tests), it does nothing.
"""

from __future__ import annotations

import os
import sys
import time

FAULT_ENV = "BILATERAL_FAULT_PAUSE"
PAUSE_SECONDS = 600


def pause_point(name: str) -> None:
    """Pause here if the test asked for it (see module docstring)."""
    if os.environ.get(FAULT_ENV) == name:
        sys.stderr.write(f"paused at {name}\n")
        sys.stderr.flush()
        time.sleep(PAUSE_SECONDS)
