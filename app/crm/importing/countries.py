"""A country cell read as an ISO 3166 code, so that a local phone number on the same row is read in that country.

Exports write the country as a code (Shopify's "Default Address Country Code": CL), or as a name in the
language of whoever typed it (Outlook's "Home Country/Region": Spain, España, Espagne). Names are matched
case- and accent-insensitively against what babel (CLDR) calls each country in the languages shops write in,
plus a few everyday forms CLDR does not list (USA, UK, Holland). A cell none of these match gives no country.
"""

from __future__ import annotations

from functools import cache

from babel import Locale

from app.access.shop import countries
from app.crm.search_index import fold

# The languages whose country names are recognised; English first, so it wins the rare clash.
LANGUAGES = ("en", "es", "pt", "fr", "de", "it", "nl", "sv", "da", "nb", "fi", "pl", "cs", "tr", "ru", "el", "ar",
             "he", "hi", "th", "vi", "id", "ms", "tl", "zh", "zh_Hant", "ja", "ko")
_EVERYDAY = {"usa": "US", "u.s.a": "US", "u.s": "US", "united states of america": "US", "america": "US",
             "uk": "GB", "u.k": "GB", "great britain": "GB", "britain": "GB", "england": "GB", "scotland": "GB",
             "wales": "GB", "northern ireland": "GB", "holland": "NL", "the netherlands": "NL", "korea": "KR",
             "south korea": "KR", "russia": "RU", "vietnam": "VN", "czech republic": "CZ", "turkey": "TR",
             "uae": "AE", "hong kong": "HK", "macau": "MO", "taiwan": "TW", "brasil": "BR", "méxico": "MX",
             "perú": "PE", "chine": "CN", "prc": "CN", "ivory coast": "CI"}


@cache
def _phone_countries() -> frozenset[str]:
    """Every country a phone number can belong to (the shop profile's list), once: a 1M-row file asks per row."""
    return frozenset(countries())


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
    """The ISO code of a country cell ("CL", "cl", "Chile", "España", "ไทย"), or "" when it names none."""
    cell = " ".join(text.split()).strip(" .,")
    if not cell:
        return ""
    if len(cell) == 2 and cell.isascii() and cell.isalpha():
        code = cell.upper()
        code = "GB" if code == "UK" else code
        return code if code in _phone_countries() else ""
    return _names().get(fold(cell), "")
