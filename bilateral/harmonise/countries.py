"""Country names and codes.

National sources spell partners their own way ("RUSSIA", "U S A", "CHINA P RP"). A spelling is
resolved first through the package's alias table (``data/country_aliases.csv``: one row per
spelling, with ISO3 code, kind and a note), then through ``country_converter``. Codes starting
with ``_`` are non-country groups (unspecified, installations in international waters, a region).
"""

from __future__ import annotations

import csv
import logging
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

from bilateral.errors import BilateralError

CountryKind = Literal["country", "historical", "group"]


@dataclass(frozen=True)
class Resolved:
    spelling: str
    iso3: str
    kind: CountryKind
    method: Literal["alias", "country_converter"]
    note: str


class UnmappedCountryError(BilateralError):
    """A partner spelling that neither the alias table nor country_converter knows."""


@cache
def aliases() -> dict[str, Resolved]:
    """The alias table, keyed on the upper-cased spelling."""
    text = resources.files("bilateral.harmonise").joinpath("data/country_aliases.csv").read_text(
        encoding="utf-8"
    )
    out: dict[str, Resolved] = {}
    for row in csv.DictReader(text.splitlines()):
        key = row["spelling"].strip().upper()
        if key in out:
            raise BilateralError(f"country_aliases.csv: spelling {key!r} listed twice")
        kind = row["kind"]
        if kind not in ("country", "historical", "group"):
            raise BilateralError(f"country_aliases.csv: unknown kind {kind!r} for {key!r}")
        out[key] = Resolved(row["spelling"], row["iso3"], kind, "alias", row["note"])  # type: ignore[arg-type]
    return out


@cache
def _converter() -> object:
    import country_converter as coco

    logging.getLogger("country_converter").setLevel(logging.ERROR)
    return coco.CountryConverter()


def resolve(spelling: str) -> Resolved:
    """Resolve one spelling to an ISO3 code; raise UnmappedCountryError if nothing matches."""
    return _resolve_cached(str(spelling))


@cache
def _resolve_cached(spelling: str) -> Resolved:
    key = " ".join(str(spelling).split()).upper()
    hit = aliases().get(key)
    if hit is not None:
        return hit
    cc = _converter()
    code = cc.convert(key, to="ISO3", not_found=None)  # type: ignore[attr-defined]
    if isinstance(code, str) and len(code) == 3 and code.isalpha() and code.isupper():
        return Resolved(spelling, code, "country", "country_converter", "")
    raise UnmappedCountryError(
        f"partner spelling {spelling!r} is not mapped to a country; add a row to "
        "bilateral/harmonise/data/country_aliases.csv (spelling,iso3,kind,note)"
    )


def resolve_many(spellings: list[str]) -> dict[str, Resolved]:
    """Resolve a list of spellings; report every unmapped one at once."""
    out: dict[str, Resolved] = {}
    missing: list[str] = []
    for s in sorted(set(spellings)):
        try:
            out[s] = resolve(s)
        except UnmappedCountryError:
            missing.append(s)
    if missing:
        raise UnmappedCountryError(
            f"{len(missing)} partner spelling(s) not mapped: {', '.join(map(repr, missing))}; add "
            "them to bilateral/harmonise/data/country_aliases.csv"
        )
    return out


@cache
def group_members() -> dict[str, frozenset[str]]:
    """Group code (``_CIS``) → member ISO3 codes, from ``data/country_groups.csv``."""
    text = resources.files("bilateral.harmonise").joinpath("data/country_groups.csv").read_text(
        encoding="utf-8"
    )
    out: dict[str, set[str]] = {}
    for row in csv.DictReader(text.splitlines()):
        out.setdefault(row["group"], set()).add(row["member"])
    return {k: frozenset(v) for k, v in out.items()}


def groups_containing(iso3: str) -> list[str]:
    """Group codes whose members include ``iso3``."""
    return sorted(g for g, members in group_members().items() if iso3 in members)


def group_label(code: str) -> str:
    """A readable name for a group code (``_CIS`` → 'Other CIS countries'); codes pass through."""
    for r in aliases().values():
        if r.iso3 == code and r.kind == "group":
            return r.spelling.title().replace("Cis", "CIS")
    return code


#: codes that are not ISO3 countries but stand for a partner in the data: the world, BACI's
#: "Other Asia, n.e.s." (in effect Taiwan), and the group codes of ``country_groups.csv``
NON_ISO_CODES = frozenset({"WLD", "S19"})


@cache
def iso3_codes() -> frozenset[str]:
    """Every ISO3 code country_converter knows (read from its data file; no pandas import)."""
    from importlib.util import find_spec

    spec = find_spec("country_converter")  # its data file, without importing it (and pandas)
    folder = next(iter(spec.submodule_search_locations or [])) if spec else None
    if folder is None:
        raise BilateralError("country_converter is not installed; reinstall bilateral")
    text = (Path(folder) / "country_data.tsv").read_text(encoding="utf-8")
    reader = csv.DictReader(text.splitlines(), delimiter="\t")
    return frozenset(r["ISO3"] for r in reader if r.get("ISO3"))


#: names of the codes that are not ISO3 countries (groups are named by :func:`group_label`)
NON_ISO_NAMES: dict[str, str] = {"WLD": "World", "S19": "Other Asia, n.e.s."}


@cache
def _short_names() -> dict[str, str]:
    from importlib.util import find_spec

    spec = find_spec("country_converter")
    folder = next(iter(spec.submodule_search_locations or [])) if spec else None
    if folder is None:
        raise BilateralError("country_converter is not installed; reinstall bilateral")
    text = (Path(folder) / "country_data.tsv").read_text(encoding="utf-8")
    return {r["ISO3"]: r["name_short"] for r in csv.DictReader(text.splitlines(), delimiter="\t")
            if r.get("ISO3") and r.get("name_short")}


def country_name(code: str) -> str:
    """A readable name for a code: country_converter's short name (``CHN`` → 'China'), the world, a group; else the code."""
    if code in NON_ISO_NAMES:
        return NON_ISO_NAMES[code]
    if code.startswith("_"):
        return group_label(code)
    return _short_names().get(code, code)


def is_known_code(code: str) -> bool:
    """Whether ``code`` names a country (ISO3), the world, or a group in ``country_groups.csv``."""
    return code in iso3_codes() or code in NON_ISO_CODES or code in group_members() or code.startswith("_B")


@cache
def known_codes() -> frozenset[str]:
    """Every code :func:`is_known_code` accepts except BACI's numbered placeholders (``_B490``)."""
    return iso3_codes() | NON_ISO_CODES | frozenset(group_members())
