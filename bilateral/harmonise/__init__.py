"""Harmonisation: countries, HS levels and sections, summit sectors, fiscal-year periods."""
