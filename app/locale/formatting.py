"""Dates, numbers and money for people, in the user's language, through babel."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from babel import Locale, UnknownLocaleError
from babel.dates import format_date as _format_date
from babel.dates import format_datetime as _format_datetime
from babel.numbers import format_currency, get_currency_precision, get_currency_symbol, is_currency
from babel.numbers import format_decimal as _format_decimal
from babel.numbers import format_percent as _format_percent

from app.errors import InvalidInput
from app.locale.i18n import _, current_language


def babel_locale(language: str | None = None) -> Locale:
    try:
        return Locale.parse(language or current_language())
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


def check_currency(code: str) -> str:
    code = code.strip().upper()
    if not is_currency(code):
        raise InvalidInput(_("{code} is not a currency code (e.g. EUR, GBP, USD, CNY).").format(code=code))
    return code


def to_minor_units(amount: Decimal | str | int, currency: str) -> int:
    """Money is stored as an integer count of the currency's smallest unit (cents, pence, yen)."""
    try:
        value = Decimal(str(amount).replace(",", ".").strip())
    except InvalidOperation:
        raise InvalidInput(_("{amount} is not an amount of money.").format(amount=amount)) from None
    if not value.is_finite() or value < 0:
        raise InvalidInput(_("An amount must be zero or more."))
    digits = get_currency_precision(check_currency(currency))
    return int((value * (10**digits)).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def from_minor_units(minor: int, currency: str) -> Decimal:
    digits: int = get_currency_precision(currency)
    return Decimal(minor).scaleb(-digits)


def money(minor: int, currency: str, language: str | None = None) -> str:
    locale = babel_locale(language)
    text = str(format_currency(from_minor_units(minor, currency), currency, locale=locale))
    return _currency_spacing(text, str(get_currency_symbol(currency, locale=locale)))


def _currency_spacing(text: str, symbol: str) -> str:
    """CLDR's currency spacing, which babel leaves out: a symbol that is letters at its digit side ("AED",
    "CHF") is kept apart from the digits by a no-break space ("AED 34,467.00"); "$", "US$", "€" stay close."""
    if symbol[-1:].isalpha():
        text = re.sub(rf"{re.escape(symbol)}(?=\d)", symbol + "\u00a0", text)
    if symbol[:1].isalpha():
        text = re.sub(rf"(?<=\d){re.escape(symbol)}", "\u00a0" + symbol, text)
    return text


def count(value: int, language: str | None = None) -> str:
    """A whole number as the reader writes it (12,000; 12.000; 12 000)."""
    return str(_format_decimal(value, locale=babel_locale(language)))


def percent(value: int, language: str | None = None) -> str:
    """A whole percentage as the reader writes it (10%, 10 %, 10 %)."""
    return str(_format_percent(value / 100, locale=babel_locale(language)))


def day(value: date, language: str | None = None, length: str = "medium") -> str:
    return str(_format_date(value, format=length, locale=babel_locale(language)))


def moment(value: datetime, language: str | None = None, length: str = "medium") -> str:
    return str(_format_datetime(value, format=length, locale=babel_locale(language)))


def local_time(value: datetime | str | None) -> datetime | None:
    """A stored time (ISO, UTC) in this computer's time zone, for showing; None when unset or unreadable. A time
    stored without a zone is shown as it is."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    return value.astimezone() if value.tzinfo else value


def clock_time(value: datetime | str) -> str:
    """A stored UTC moment in this computer's time zone, to the second: the audit log's form, shown as stored
    when it cannot be read."""
    shown = local_time(value)
    return shown.strftime("%Y-%m-%d %H:%M:%S") if shown is not None else str(value)
