"""The import's checks made fast (issue #16, "Speed of the import"): numbers typed as "+country digits" are
normalised without the general parser, and the output must be the parser's own, for every country code, length,
national prefix and separator; email domains stay checked for the whole import."""

from __future__ import annotations

import random

import phonenumbers
import pytest

from app.crm import contact_points
from app.crm.contact_points import _e164_directly, _parsed
from app.errors import InvalidInput


def _sample(seed: int = 16) -> list[str]:
    """~55k numbers: each region's example numbers written the ways people write them, and random digits of
    every length after every country code (leading zeros and national prefixes included)."""
    rng = random.Random(seed)
    numbers: list[str] = []
    for region in phonenumbers.SUPPORTED_REGIONS:
        for kind in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE):
            example = phonenumbers.example_number_for_type(region, kind)
            if example is None:
                continue
            spaced = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
            plain = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
            numbers += [
                spaced,
                plain,
                spaced.replace(" ", "-"),
                spaced.replace(" ", "."),
                f" {plain} ",
                f"+{example.country_code} 0{phonenumbers.national_significant_number(example)}",
            ]
    for code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
        for length in range(1, 19):
            for _ in range(13):
                digits = "".join(rng.choice("0123456789") for _ in range(length))
                if rng.random() < 0.2:
                    digits = "0" + digits[1:]
                text = f"+{code}{digits}"
                if rng.random() < 0.5:
                    cut = rng.randint(1, len(text) - 1)
                    text = text[:cut] + rng.choice(" -.") + text[cut:]
                numbers.append(text)
    numbers += [
        "+",
        "+0 123 456",
        "+1",
        "+12",
        "+44 (0)20 7946 0000",
        "+44 20 7946 0000 ext. 12",
        "+٤٤٢٠٧٩٤٦٠٠٠٠",
        "++44 20 7946 0000",
        "+44 20 7946 0000-",
        "+999 1234 5678",
    ]
    return numbers


@pytest.mark.parametrize("region", [None, "GB", "CL"])
def test_the_direct_reading_gives_the_parsers_answer(region: str | None) -> None:
    contact_points._possible_lengths.clear()
    sample = _sample()
    assert len(sample) > 50_000
    direct = 0
    for text in sample:
        fast = _e164_directly(text, region)
        try:
            expected: str | None = _parsed(text, region)
        except InvalidInput:
            expected = None
        if fast is not None:
            direct += 1
            assert fast == expected, text
        if expected is not None:
            assert contact_points._phone(text, region) == expected, text
        else:
            with pytest.raises(InvalidInput):
                contact_points._phone(text, region)
    assert direct > 8_000  # every possible number without a national prefix to strip


def test_a_number_that_is_not_possible_is_still_refused() -> None:
    contact_points._possible_lengths.clear()
    for _ in range(2):  # the second time from what the first remembered
        with pytest.raises(InvalidInput):
            contact_points._phone("+44 12", "GB")
        with pytest.raises(InvalidInput):
            contact_points._phone("+56 9 1234 5678 9012 3456", None)
    assert contact_points._phone("+56 9 8765 4321", None) == "+56987654321"


def test_an_email_domain_stays_checked_past_the_memo_size() -> None:
    """A shop's long tail of domains: the per-value memo is emptied every MEMO_SIZE values, the domains are not,
    so a domain seen early is not checked again by email-validator later in the file."""
    with contact_points.remembered():
        assert contact_points.normalise_email("Ana@Tienda-Sol.cl") == "ana@tienda-sol.cl"
        for n in range(contact_points.MEMO_SIZE + 10):
            contact_points.normalise_email(f"kunde{n}@example.de")
        assert contact_points._domains is not None and contact_points._domains.get("Tienda-Sol.cl") == "tienda-sol.cl"
        assert contact_points.normalise_email("Bea@Tienda-Sol.cl") == "bea@tienda-sol.cl"
