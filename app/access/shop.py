"""The shop profile: who the shop is and where. Asked for when the vault is made, edited in Settings › Shop and
by `counterpart-admin shop`.

It is the one source for what depends on the shop's place: a local phone number ("030 1234567") is read in the
shop's country, a new deal is in the shop's currency, and every document's letterhead names the shop, not the
person who printed it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace

import phonenumbers
from babel import Locale, UnknownLocaleError
from babel.numbers import get_territory_currencies

from app.access.roles import Permission
from app.access.session import Session
from app.access.settings import SettingsService
from app.errors import InvalidInput
from app.locale import _
from app.locale.formatting import check_currency
from app.locale.i18n import SUPPORTED_LANGUAGES, supported
from app.store import settings
from app.store.database import Connection


@dataclass(frozen=True)
class ShopProfile:
    name: str = ""
    address: str = ""
    country: str = ""  # ISO 3166 alpha-2 ("DE"); local phone numbers are read in it
    currency: str = ""  # ISO 4217 ("EUR"); new deals start in it
    language: str = ""  # the shop's own language, for documents nobody chose another for
    privacy_contact: str = ""  # where customers ask about their data (an email address or a phone number)
    dpo: str = ""  # the data protection officer, where the shop has named one


PROFILE_SETTINGS = {
    "name": settings.SHOP_NAME,
    "address": settings.SHOP_ADDRESS,
    "country": settings.SHOP_COUNTRY,
    "currency": settings.SHOP_CURRENCY,
    "language": settings.SHOP_LANGUAGE,
    "privacy_contact": settings.SHOP_CONTACT,
    "dpo": settings.SHOP_DPO,
}
FIELDS = tuple(f.name for f in fields(ShopProfile))


def read_profile(conn: Connection) -> ShopProfile:
    """The profile as stored (empty where never set); for services that need one fact, such as the country."""
    return ShopProfile(
        **dict(zip(PROFILE_SETTINGS, settings.read_all(conn, list(PROFILE_SETTINGS.values())), strict=True))
    )


def countries() -> list[str]:
    """Every country a phone number can belong to (phonenumbers' regions), as ISO codes."""
    return sorted(code for code in phonenumbers.SUPPORTED_REGIONS if len(code) == 2 and code.isalpha())


def country_name(code: str, language: str) -> str:
    try:
        locale = Locale.parse(language)
    except (UnknownLocaleError, ValueError):
        locale = Locale.parse("en")
    return str(locale.territories.get(code, code))


def currency_of(country: str) -> str:
    """The currency a country pays in today ("DE" -> "EUR"), or "" when babel does not know one."""
    current = get_territory_currencies(country, tender=True) if country else []
    return str(current[0]) if current else ""


def suggested_profile(environment: os._Environ[str] | dict[str, str] | None = None) -> ShopProfile:
    """What the wizard offers before the owner types anything: country, currency and language from this
    computer's locale ("de_AT.UTF-8" -> AT, EUR, de). The C/POSIX locales suggest nothing."""
    environment = os.environ if environment is None else environment
    for variable in ("LC_ALL", "LC_MONETARY", "LANG"):
        value = environment.get(variable, "")
        name = value.split(".")[0].split("@")[0]
        if name and name not in ("C", "POSIX"):
            try:
                locale = Locale.parse(name)
            except (UnknownLocaleError, ValueError):
                continue
            country = locale.territory or ""
            language = supported(str(locale)) or ""
            return ShopProfile(
                country=country if country in countries() else "", currency=currency_of(country), language=language
            )
    return ShopProfile()


def check_profile(profile: ShopProfile) -> ShopProfile:
    """The profile cleaned (trimmed, codes upper-cased), or InvalidInput saying which field is wrong and why."""
    cleaned = ShopProfile(**{name: str(getattr(profile, name)).strip() for name in FIELDS})
    country = cleaned.country.upper()
    if country and country not in countries():
        raise InvalidInput(
            _("{code} is not a country code. Use the two letters of ISO 3166, such as DE, GB, US or CN.").format(
                code=cleaned.country
            )
        )
    currency = check_currency(cleaned.currency) if cleaned.currency else ""
    language = cleaned.language.replace("-", "_")
    if language and language not in SUPPORTED_LANGUAGES:
        raise InvalidInput(
            _("{language} is not a language Counterpart speaks. Choose one of: {choices}.").format(
                language=cleaned.language, choices=", ".join(SUPPORTED_LANGUAGES)
            )
        )
    if len(cleaned.name) > 200 or len(cleaned.address) > 1000:
        raise InvalidInput(_("The shop's name or address is too long."))
    return replace(cleaned, country=country, currency=currency, language=language)


class ShopService:
    """Everyone signed in reads the profile (it is on every document); only the owner changes it."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def profile(self) -> ShopProfile:
        return read_profile(self.session.conn)

    def update(self, **changes: str) -> ShopProfile:
        """Set the named fields; the audit entry names the fields that changed (the values are the shop's,
        but a DPO or contact may be a person's name, so they stay out of the log)."""
        self.session.require(Permission.MANAGE_SETTINGS)
        unknown = set(changes) - set(FIELDS)
        if unknown:
            raise InvalidInput(_("The shop profile has no field {name}.").format(name=", ".join(sorted(unknown))))
        current = self.profile()
        wanted = check_profile(replace(current, **changes))
        changed = [name for name in FIELDS if getattr(wanted, name) != getattr(current, name)]
        if not changed:
            return current
        SettingsService(self.session).set_many(
            [(PROFILE_SETTINGS[name], getattr(wanted, name), "") for name in changed],
            action="shop.change",
            entity_id="shop",
            summary=", ".join(changed),
        )
        return wanted
