"""The read-only web dashboard (``bilateral serve``): FastAPI app, JSON API, pages, static assets."""
