"""The summit agenda (commitments as data, with evidence) and the claim checker.

For notebooks and the dashboard::

    from bilateral.agenda import load_registry, check_text
    registry = load_registry()                     # packaged commitments + the user's updates
    checks = check_text(store, article_text)       # list[ClaimCheck], each with .to_dict()
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bilateral.agenda.claims import Claim, ClaimCheck, check_text, extract_claims
    from bilateral.agenda.registry import Registry, linked_figure, load_registry, record_update

__all__ = ["Claim", "ClaimCheck", "Registry", "check_text", "extract_claims", "linked_figure", "load_registry",
           "record_update"]

_HOME = {"Claim": "claims", "ClaimCheck": "claims", "check_text": "claims", "extract_claims": "claims",
         "Registry": "registry", "linked_figure": "registry", "load_registry": "registry", "record_update": "registry"}


def __getattr__(name: str) -> Any:
    """Import on first use, so that ``import bilateral.agenda`` stays cheap."""
    if name in _HOME:
        from importlib import import_module

        return getattr(import_module(f"bilateral.agenda.{_HOME[name]}"), name)
    raise AttributeError(name)
