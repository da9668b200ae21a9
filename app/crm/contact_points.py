"""Emails and phone numbers checked and normalised with the libraries that know the rules.

Phones are stored as typed (for display) and as E.164 (for matching, search and duplicate detection).
"""

from __future__ import annotations

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from app.errors import InvalidInput
from app.locale import _


def normalise_email(value: str) -> str:
    """The address as a matching key, all lower-case: mail systems treat ANA@ and ana@ as one mailbox in
    practice, and duplicates must be found. The typed form is kept for display. No network lookups."""
    try:
        result = validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidInput(_("That is not an email address: {reason}").format(reason=exc)) from None
    return str(result.normalized).lower()


def normalise_phone(value: str, region: str | None) -> str:
    """E.164 (+4915112345678). Numbers without a country code are read in the shop's region."""
    try:
        number = phonenumbers.parse(value, region or None)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_possible_number(number):
        if region:
            raise InvalidInput(_("That is not a phone number."))
        raise InvalidInput(_("That is not a phone number. Add the country code, e.g. +44."))
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def normalise_address(value: str) -> str:
    text = " ".join(value.split())
    if not text:
        raise InvalidInput(_("An address cannot be empty."))
    return text
