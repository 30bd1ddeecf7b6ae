"""Capabilities with typed results: overview, target (forecast, backtest), potential, settlement, indicators.

The models layer (with agenda and corridors): models read through the read layer
(:mod:`bilateral.store.queries`, :mod:`bilateral.store.matrix`), compute with
:mod:`bilateral.indicators` and run their SQL on an engine (:mod:`bilateral.engine`).
"""
