"""A country cell read as an ISO 3166 code, so that a local phone number on the same row is read in that country.

Exports write the country as a code (Shopify's "Default Address Country Code": CL; some tools and ERPs the
three-letter ISO 3166 alpha-3 code: CHL), or as a name in the
language of whoever typed it (Outlook's "Home Country/Region": Spain, España, Espagne). Names are matched
case- and accent-insensitively against what babel (CLDR) calls each country in the languages shops write in,
plus a few everyday forms CLDR does not list (USA, UK, Holland). A cell none of these match gives no country.
"""

from __future__ import annotations

from functools import cache

from babel import Locale
from babel.core import get_global

from app.access.shop import countries
from app.store.search_index import fold

# The languages whose country names are recognised; English first, so it wins the rare clash.
LANGUAGES = (
    "en",
    "es",
    "pt",
    "fr",
    "de",
    "it",
    "nl",
    "sv",
    "da",
    "nb",
    "fi",
    "pl",
    "cs",
    "tr",
    "ru",
    "el",
    "ar",
    "he",
    "hi",
    "th",
    "vi",
    "id",
    "ms",
    "tl",
    "zh",
    "zh_Hant",
    "ja",
    "ko",
)
_EVERYDAY = {
    "usa": "US",
    "u.s.a": "US",
    "u.s": "US",
    "united states of america": "US",
    "america": "US",
    "uk": "GB",
    "u.k": "GB",
    "great britain": "GB",
    "britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "holland": "NL",
    "the netherlands": "NL",
    "korea": "KR",
    "south korea": "KR",
    "russia": "RU",
    "vietnam": "VN",
    "czech republic": "CZ",
    "turkey": "TR",
    "uae": "AE",
    "hong kong": "HK",
    "macau": "MO",
    "taiwan": "TW",
    "brasil": "BR",
    "méxico": "MX",
    "perú": "PE",
    "chine": "CN",
    "prc": "CN",
    "ivory coast": "CI",
}


@cache
def _phone_countries() -> frozenset[str]:
    """Every country a phone number can belong to (the shop profile's list), once: a 1M-row file asks per row."""
    return frozenset(countries())


@cache
def _alpha3() -> dict[str, str]:
    """ISO 3166 alpha-3 code -> alpha-2 ("CHL" -> "CL"), from CLDR's territory aliases (babel's data); an alias
    that stands for several countries (the former Netherlands Antilles) names none."""
    known = _phone_countries()
    return {
        alias: codes[0]
        for alias, codes in get_global("territory_aliases").items()
        if len(alias) == 3 and alias.isalpha() and len(codes) == 1 and codes[0] in known
    }


@cache
def _names() -> dict[str, str]:
    """Folded country name -> ISO code, over every language in LANGUAGES (built once, on first need)."""
    known = _phone_countries()
    names: dict[str, str] = {}
    for language in LANGUAGES:
        for code, name in Locale.parse(language).territories.items():
            if code in known:
                names.setdefault(fold(str(name)), code)
    for name, code in _EVERYDAY.items():
        names.setdefault(fold(name), code)
    return names


def country_code(text: str) -> str:
    """The ISO code of a country cell ("CL", "cl", "CHL", "Chile", "España", "ไทย"), or "" when it names none."""
    cell = " ".join(text.split()).strip(" .,")
    if not cell:
        return ""
    if len(cell) == 2 and cell.isascii() and cell.isalpha():
        code = cell.upper()
        code = "GB" if code == "UK" else code
        return code if code in _phone_countries() else ""
    if len(cell) == 3 and cell.isascii() and cell.isalpha() and cell.upper() in _alpha3():
        return _alpha3()[cell.upper()]
    return _names().get(fold(cell), "")
