"""Rendering: terminal tables, PNG and HTML charts for the CLI, and the brief (one self-contained HTML file).

Above the views (the brief renders :mod:`bilateral.views`, as the dashboard does) and below the
interfaces; it never imports :mod:`bilateral.web`, FastAPI or Starlette, and holds no SQL.
"""
