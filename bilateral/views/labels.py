"""Names a reader sees instead of ids: sectors, sanction categories, pillars, products without a description.

Every name comes from a data file: ``harmonise/data/sector_names.csv``, ``harmonise/data/
sanction_categories.csv``, ``agenda/data/pillars.csv``, ``corridors/data/corridor_names.csv`` (short
names that fit a chart's axis; the long description is the corridor's ``label``), and the English HS nomenclature shipped with
the package (``store.matrix.hs_descriptions``). An id with no name on file is shown as it is.
"""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources

__all__ = ["corridor_title", "named_categories", "pillar_title", "product_description", "sanction_category_title", "sector_title"]


def _table(package: str, path: str, key: str) -> dict[str, str]:
    text = resources.files(package).joinpath(path).read_text(encoding="utf-8")
    return {r[key]: r["title"] for r in csv.DictReader(text.splitlines())}


@cache
def _sanction_titles() -> dict[str, str]:
    return _table("bilateral.harmonise", "data/sanction_categories.csv", "category")


@cache
def _pillar_titles() -> dict[str, str]:
    return _table("bilateral.agenda", "data/pillars.csv", "pillar")


def sector_title(sector: str | None) -> str:
    """A summit sector's title (``agriculture_food`` → Agriculture and food)."""
    from bilateral.harmonise.sectors import titles

    if not sector:
        return ""
    return titles().get(sector, sector)


def sanction_category_title(category: str | None) -> str:
    """An EU sanction category's name (``industrial_cap`` → Goods for industrial capacity)."""
    if not category:
        return ""
    return _sanction_titles().get(category, category)


def named_categories(text: str) -> str:
    """``text`` with each EU sanction category id written as its name (``dual_use`` → Dual-use goods)."""
    import re

    titles = _sanction_titles()
    if not titles:
        return text
    pattern = r"(?<![\w-])(" + "|".join(re.escape(k) for k in sorted(titles, key=len, reverse=True)) + r")(?![\w-])"
    return re.sub(pattern, lambda m: titles[m.group(1)].lower() if m.start() else titles[m.group(1)], text)


@cache
def _corridor_titles() -> dict[str, str]:
    return _table("bilateral.corridors", "data/corridor_names.csv", "corridor")


def corridor_title(corridor: str) -> str:
    """A corridor's short name for a chart (``suez-novorossiysk-rail`` → Suez – Novorossiysk + rail)."""
    return _corridor_titles().get(corridor, corridor)


def pillar_title(pillar: str) -> str:
    """An agenda pillar's name (``education-culture`` → Education and culture)."""
    return _pillar_titles().get(pillar, pillar)


def product_description(hs6: str, description: str | None) -> str:
    """The product's description; for an HS2017 subheading HS2022 deleted, its heading's text, labelled as such."""
    if description:
        return description
    from bilateral.store.matrix import hs_descriptions

    heading = hs_descriptions().get(hs6[:4])
    if heading:
        return f"{heading} (heading {hs6[:4]}: HS2017 subheading {hs6} was deleted by HS2022, which has no text for it)"
    return f"HS2017 subheading {hs6}, deleted by HS2022: no description in the shipped nomenclature"
