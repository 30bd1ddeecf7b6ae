"""Capability commands, one module each, registered on the ``bilateral`` app (interface layer).

Each module defines ``register(app: typer.Typer) -> None`` and keeps heavy imports inside the
command bodies, so ``bilateral --help`` and the fast commands stay fast.
"""

from __future__ import annotations

from importlib import import_module

import typer

#: modules under bilateral.commands, in the order their commands appear in ``bilateral --help``
MODULES: tuple[str, ...] = (
    "target",
    "agenda",
    "settlement",
    "potential",
    "corridors",
    "web",
)


def register_all(app: typer.Typer) -> None:
    """Register every capability command on ``app``."""
    for name in MODULES:
        import_module(f"bilateral.commands.{name}").register(app)
