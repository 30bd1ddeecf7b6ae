"""bilateral: a monitor of a bilateral economic partnership built from official trade statistics."""

from bilateral.errors import BilateralError

__version__ = "0.2.0"
__all__ = ["BilateralError", "__version__"]
