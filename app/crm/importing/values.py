"""Birthdays, amounts spent and order counts as export files write them, read without guessing.

A birthday is kept only when it is a whole date: Mailchimp's "07/14" and vCard's "--0714" have no year, so no
age can be worked out from them (the birthday decides whether a parent must consent). Numeric dates are read in
the row's country (the day-month order its locale writes), else the shop's; "03/04/1990" with neither is not
guessed. Amounts are read as Decimal, never float: "1.234,50" (German), "1,234.50", "1'234.50", "$ 312.40";
a lone separator before exactly three digits ("1.234") means thousands only where the country writes it so.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache

from babel import Locale, UnknownLocaleError
from babel.numbers import get_decimal_symbol

from app.locale import _

_ISO = re.compile(r"^(\d{4})-?(\d{2})-?(\d{2})(?:[T ].*)?$")  # 1990-07-14, 19900714, 1990-07-14T00:00:00
_NUMERIC = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$")  # 07/14/1990, 14.07.1990
_YEAR_FIRST = re.compile(r"^(\d{4})[./](\d{1,2})[./](\d{1,2})$")  # 1990/07/14
_NO_YEAR = re.compile(r"^(?:--\d{2}-?\d{2}|\d{1,2}[-/.]\d{1,2}\.?)$")  # 07/14, 14.07., --07-14, --0714
_MONEY_NOISE = re.compile(r"[^\d.,'\u2019-]")  # currency signs and codes, spaces, no-break spaces


_GROUPED = re.compile(r"^\d{1,3}(?:([.,' \u00a0])\d{3})(?:\1\d{3})*$")  # 1,204 / 1.204 / 1 204


class Unreadable(ValueError):
    """The cell has a value that cannot be kept; the message says why (it never repeats the value)."""


@cache
def _locale(country: str) -> Locale | None:
    try:
        return Locale.parse(f"und_{country}")
    except (UnknownLocaleError, ValueError):
        return None


@cache
def month_first(country: str) -> bool | None:
    """Whether the country writes numeric dates month first (US: 7/14/90); None when it is not known."""
    locale = _locale(country.upper()) if country else None
    if locale is None:
        return None
    pattern = locale.date_formats["short"].pattern
    return bool(pattern.find("M") < pattern.find("d"))


@cache
def decimal_comma(country: str) -> bool | None:
    locale = _locale(country.upper()) if country else None
    return None if locale is None else bool(get_decimal_symbol(locale) == ",")


def _whole(year: int, month: int, day: int) -> date:
    try:
        found = date(year, month, day)
    except ValueError:
        raise Unreadable(_("not a date")) from None
    if not date(1900, 1, 1) <= found <= datetime.now(UTC).date():
        raise Unreadable(_("not a birthday between 1900 and today"))
    return found


def birthday(text: str, country: str = "") -> date:
    """The date a cell gives, or Unreadable (a day and month without a year; "03/04/1990" where no country says
    which comes first)."""
    value = text.strip()
    found = _ISO.match(value) or _YEAR_FIRST.match(value)
    if found and int(found.group(1)) > 0:
        return _whole(int(found.group(1)), int(found.group(2)), int(found.group(3)))
    if _NO_YEAR.match(value) or (found and int(found.group(1)) == 0):
        raise Unreadable(_("a day and month without a year: no age can be worked out from it"))
    found = _NUMERIC.match(value)
    if found is None:
        raise Unreadable(_("not a date"))
    first, second, year = int(found.group(1)), int(found.group(2)), int(found.group(3))
    order = month_first(country)
    if first > 12 and second <= 12:
        order = False
    elif second > 12 and first <= 12:
        order = True
    elif first != second and order is None:
        raise Unreadable(_("it cannot be told which is the day and which the month (the country is not known)"))
    return _whole(year, first, second) if order else _whole(year, second, first)


_PLAIN_AMOUNT = re.compile(r"\d+(?:\.\d{1,2})?")  # "152900.00", "45": what shop exports write, read as it is


def amount(text: str, country: str = "") -> Decimal:
    """An amount of money as Decimal (zero or more), or Unreadable."""
    if _PLAIN_AMOUNT.fullmatch(text):  # one or two decimals after a dot: never a thousands separator
        return Decimal(text)
    value = _MONEY_NOISE.sub("", text.strip()).replace("\u2019", "'").replace("'", "")
    if not any(c.isdigit() for c in value) or value.count("-") > 0:
        raise Unreadable(_("not an amount of money"))
    dots, commas = value.count("."), value.count(",")
    if dots and commas:  # the last separator is the decimal one
        decimal = "." if value.rfind(".") > value.rfind(",") else ","
    elif dots + commas == 1:
        separator = "." if dots else ","
        tail = value.rsplit(separator, 1)[1]
        if len(tail) != 3:
            decimal = separator
        else:  # "1.234": thousands where the country's decimal sign is the other one
            comma = decimal_comma(country)
            if comma is None:
                raise Unreadable(_("it cannot be told whether the separator marks thousands or decimals"))
            decimal = "," if comma else "."
    else:
        decimal = "." if commas else ","  # several of one sign: they group thousands
    grouping = "," if decimal == "." else "."
    whole, _sep, fraction = value.replace(grouping, "").partition(decimal)
    if not whole.isdigit() and whole or fraction and not fraction.isdigit():
        raise Unreadable(_("not an amount of money"))
    try:
        return Decimal(f"{whole or 0}.{fraction}" if fraction else whole)
    except InvalidOperation:
        raise Unreadable(_("not an amount of money")) from None


def count(text: str) -> int:
    """A whole number of orders or visits ("14", "1,204", "3.0"), or Unreadable."""
    if text.isdigit() and text.isascii():
        return int(text)
    value = text.strip()
    if _GROUPED.match(value):
        value = re.sub(r"\D", "", value)
    elif value.endswith(".0"):
        value = value[:-2]
    if not value.isdigit():
        raise Unreadable(_("not a whole number"))
    return int(value)
