"""bilateral: a monitor of a bilateral economic partnership built from official trade statistics.

Its packages stand in layers; a layer imports only the layers below it (``:`` joins siblings that
may import each other), checked by import-linter in ``scripts/check`` (contracts in pyproject.toml)::

    interfaces   __main__ : cli : cli_common : commands : web : api
    build        the reproducible build of the embedded data
    report       rendering: terminal tables, PNG charts, the brief
    views        one view per dashboard page / brief section: figures, JSON twin, charts
    models       models : agenda : corridors (capabilities, typed results)
    indicators   indicators : engine (formulas over relations; where the SQL runs)
    store        store : sources (the store and its one read layer; the readers)
    harmonise    vocabulary and rules, pure
    output       safe writes and output formats
    errors       errors a user can act on

Besides: report never imports web (the brief needs no web server), harmonise never imports store,
the engine never imports a model.
"""

from bilateral.errors import BilateralError

__version__ = "0.2.0"
__all__ = ["BilateralError", "__version__"]
