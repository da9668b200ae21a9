"""Emails and phone numbers checked and normalised with the libraries that know the rules.

Phones are stored as typed (for display) and as E.164 (for matching, search and duplicate detection).

An import keeps a phone or an email that does not check out rather than lose it: stored as typed with an empty
normalised form (UNCHECKED). It is shown (marked unchecked) and found by search (the typed words, and a
phone's typed digits), but never matched as a duplicate, because nothing says what number or mailbox it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from email_validator.syntax import validate_email_local_part
from phonenumbers.phonemetadata import PhoneMetadata

from app.errors import InvalidInput
from app.locale import _

MEMO_SIZE = 1024
DOMAINS_SIZE = 100_000
UNCHECKED = ""  # the normalised form of an email or phone kept as typed because it did not check out
_memo: dict[tuple[str, str, str | None], str] | None = None
_domains: dict[str, str] | None = None  # email domain as typed -> as checked, within remembered()


@contextmanager
def remembered() -> Iterator[None]:
    """Within the block, each value is checked once: an import checks every row and then the service checks it
    again as it writes. The memo holds personal data, so it lives only as long as the block, in memory."""
    global _memo, _domains
    outer, _memo = _memo, (_memo if _memo is not None else {})
    outer_domains, _domains = _domains, (_domains if _domains is not None else {})
    try:
        yield
    finally:
        if outer is None:
            _memo.clear()
            _domains.clear()
        _memo, _domains = outer, outer_domains


def _remembered(kind: str, value: str, region: str | None, check: Callable[[], str]) -> str:
    if _memo is None:
        return check()
    key = (kind, value, region)
    if key not in _memo:
        if len(_memo) >= MEMO_SIZE:  # the second check follows the first within a few rows: keep memory flat
            _memo.clear()
        _memo[key] = check()
    return _memo[key]


def normalise_email(value: str) -> str:
    return _remembered("email", value, None, lambda: _email(value))


def normalise_phone(value: str, region: str | None) -> str:
    return _remembered("phone", value, region, lambda: _phone(value, region))


# Plain ASCII addresses (no display name, quoting, comments or spaces) are the ones whose full check is
# exactly "local part, domain, length"; for those the domain's result can be reused.
_PLAIN = re.compile(r"[!#-'*+\-./-9=?A-Z^-~]{1,64}@[A-Za-z0-9.\-]{1,180}")


def _email(value: str) -> str:
    """The address as a matching key, all lower-case: mail systems treat ANA@ and ana@ as one mailbox in
    practice, and duplicates must be found. The typed form is kept for display. No network lookups.

    Inside `remembered()` each domain is checked once: the domain check (IDNA) is ~60% of email-validator's
    time and an import has thousands of addresses at a few domains (kept apart from the per-value memo, which
    is emptied every MEMO_SIZE values: a shop's long tail of domains would be checked again and again). The
    local part is still checked by email-validator for every address."""
    text = value.strip()
    local, at, domain = text.rpartition("@")
    known = _domains.get(domain) if _domains is not None else None
    try:
        if known is not None and _PLAIN.fullmatch(text):
            validate_email_local_part(local)
            return f"{local}@{known}".lower()
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        raise InvalidInput(_email_problem(local, at, domain)) from None
    if _domains is not None and _PLAIN.fullmatch(text):
        if len(_domains) >= DOMAINS_SIZE:
            _domains.clear()
        _domains[domain] = str(result.domain)
    return str(result.normalized).lower()


def _email_problem(local: str, at: str, domain: str) -> str:
    """What is wrong, in the reader's language: email-validator explains only in English."""
    if not at:
        return _("That is not an email address: it needs an @, as in name@example.com.")
    if not local:
        return _("That is not an email address: something must come before the @.")
    if not domain:
        return _("That is not an email address: something must come after the @.")
    if "." not in domain:
        return _("That is not an email address: the part after the @ needs a dot, as in example.com.")
    return _("That is not an email address: check it for spaces, commas or other characters an address cannot have.")


# A number typed as "+country digits", with spaces, dots or hyphens at most between the digits.
_PLUS_FORM = re.compile(r"\+([0-9][0-9 .\-]*[0-9])")
_possible_lengths: dict[tuple[int, int], bool] = {}  # (country code, national digits) -> the parser agreed
_parsing_prefixes: dict[int, re.Pattern[str] | None] = {}


def _phone(value: str, region: str | None) -> str:
    """E.164 (+4915112345678). Numbers without a country code are read in the shop's region."""
    return _e164_directly(value, region) or _parsed(value, region)


def _e164_directly(value: str, region: str | None) -> str | None:
    """The E.164 form of a number typed as "+country digits", without the general parser (11x faster), or None
    to leave it to the parser.

    For such a number the parser takes the first 1 to 3 digits that are a country code, and the rest is the
    national number unless the country's national prefix can be stripped from it (then the parser decides);
    whether it is a possible number depends only on the country and the national number's length. So the parser
    checks the first number of each country code and length, and its verdict (the same "+digits" back, or not)
    is remembered for the others: the output is the parser's own."""
    match = _PLUS_FORM.fullmatch(value.strip())
    if match is None:
        return None
    digits = match.group(1).replace(" ", "").replace("-", "").replace(".", "")
    code = next(
        (int(digits[:size]) for size in (1, 2, 3) if int(digits[:size]) in phonenumbers.COUNTRY_CODE_TO_REGION_CODE), 0
    )
    national = digits[len(str(code)) :] if code else ""
    if not 2 <= len(national) <= 17 or digits[0] == "0":
        return None
    if code not in _parsing_prefixes:
        metadata = PhoneMetadata.metadata_for_region_or_calling_code(
            code, phonenumbers.region_code_for_country_code(code)
        )
        pattern = metadata.national_prefix_for_parsing if metadata is not None else None
        _parsing_prefixes[code] = re.compile(pattern) if pattern else None
    prefix = _parsing_prefixes[code]
    if prefix is not None and prefix.match(national):
        return None
    key, e164 = (code, len(national)), f"+{digits}"
    if key not in _possible_lengths:
        try:
            _possible_lengths[key] = _parsed(value, region) == e164
        except InvalidInput:
            _possible_lengths[key] = False
    return e164 if _possible_lengths[key] else None


def _parsed(value: str, region: str | None) -> str:
    """E.164 through phonenumbers' general parser."""
    try:
        number = phonenumbers.parse(value, region or None)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_possible_number(number):
        if region:
            raise InvalidInput(_("That is not a phone number."))
        raise InvalidInput(_("That is not a phone number. Add the country code, e.g. +44."))
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def country_of_phone(value: str) -> str:
    """The country (ISO code) of a valid number written with its country code ("+56 9 8765 4321" -> "CL");
    "" for a local number, a number that is not valid, or one of no single country (+800)."""
    text = value.strip()
    if not text.startswith("+"):
        return ""
    try:
        number = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_valid_number(number):
        return ""
    region = phonenumbers.region_code_for_number(number) or ""
    return region if region in phonenumbers.SUPPORTED_REGIONS else ""  # not 001 (+800…) nor ZZ (unknown)


def normalise_address(value: str) -> str:
    text = " ".join(value.split())
    if not text:
        raise InvalidInput(_("An address cannot be empty."))
    return text
