"""Harmonisation: countries, HS levels and sections, summit sectors, fiscal-year periods, mirror rules.

The bottom layer of the domain: vocabulary and rules as data files and pure functions; it imports
no store, source or model (import-linter checks it).
"""
