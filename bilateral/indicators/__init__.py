"""Indicator formulas and their metadata (indicators.yml): trade, concentration, RCA, complementarity.

Below the models, beside the engine: every function computes over what the read layer returned
(rows, totals, or SQL relations over the stored matrix) and reads nothing itself; the reads happen
in the caller (:mod:`bilateral.models.indicators`).
"""
