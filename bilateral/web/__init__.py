"""The read-only web dashboard (``bilateral serve``): FastAPI routes, JSON API, page templates, request checks.

An interface (the top layer): every page and API route renders a view of :mod:`bilateral.views`;
the static files it serves live there too (the brief inlines them). Nothing below imports this package.
"""
