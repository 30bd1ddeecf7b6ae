"""Source readers: each turns one provider's files into the canonical tables (the store layer's writers).

Beside the store: readers load through :mod:`bilateral.store.db`; :mod:`bilateral.sources.mirror`
writes the mirror estimates whose rule is :mod:`bilateral.harmonise.mirror`.
"""
