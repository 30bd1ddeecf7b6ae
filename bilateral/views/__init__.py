"""The view layer: what each dashboard page, its JSON twin and each brief section show, gathered once.

Layers, top to bottom (checked by import-linter, ``[tool.importlinter]`` in pyproject.toml)::

    interfaces   cli, commands, web (routes, templates, request checks), api
    rendering    report (terminal tables, the brief)
    views        this package: one view function per page or section, its charts, shared assets
    models       models, agenda, corridors
    indicators   indicators, engine
    data         store (the read layer), sources
    vocabulary   harmonise

A view function takes validated arguments and the open store, calls the models and the read layer,
and returns a typed :class:`bilateral.views.base.View`: the model's result, its JSON (what the API
route answers, ``to_dict()``) and the charts drawn from it. The dashboard page, the API route and the
brief's section all render that one result; nothing here imports FastAPI, Starlette or
``bilateral.web``. Page modules: :mod:`~bilateral.views.overview` (overview, totals, indicators,
flows), :mod:`~bilateral.views.target`, :mod:`~bilateral.views.potential`,
:mod:`~bilateral.views.corridors`, :mod:`~bilateral.views.settlement`, :mod:`~bilateral.views.agenda`
(agenda and the claim check). :mod:`~bilateral.views.charts` draws, :mod:`~bilateral.views.formats`
formats numbers, :mod:`~bilateral.views.assets` reads plotly.js and the static files both renderings
embed or serve.
"""
