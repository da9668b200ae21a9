"""Realistic synthetic customers for demos and benchmarks: many scripts, valid-looking but fictional details.

Phone numbers come from ranges reserved for fiction or drama (UK 07700 900xxx, US 555-01xx) or random mobile
numbers; emails use example domains (RFC 2606), so demo data can never reach a real person.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timedelta

from app.crm.contacts import ContactInput, ContactPointInput

# (given names, family names, language, phone pattern)
_CULTURES: list[tuple[list[str], list[str], str, str]] = [
    (
        ["Oliver", "Amelia", "Harry", "Isla", "Jack", "Ava", "Noah", "Emily"],
        ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Evans", "Thomas"],
        "en",
        "+44 7700 900{n3}",
    ),
    (
        ["Lukas", "Mia", "Jonas", "Emma", "Leon", "Hannah", "Felix", "Lea"],
        ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker"],
        "de",
        "+49 151 {n8}",
    ),
    (
        ["Léa", "Hugo", "Chloé", "Louis", "Inès", "Gabriel", "Manon", "Raphaël"],
        ["Martin", "Bernard", "Dubois", "Lefèvre", "Moreau", "Laurent", "Girard", "Rousseau"],
        "fr",
        "+33 6 {n8}",
    ),
    (
        ["José", "Lucía", "Martín", "Sofía", "Mateo", "Valentina", "Álvaro", "Carmen"],
        ["García", "Núñez", "Rodríguez", "López", "Martínez", "Sánchez", "Pérez", "Gómez"],
        "es",
        "+34 6{n8}",
    ),
    (
        ["芳", "伟", "娜", "敏", "静", "磊", "军", "洋"],
        ["王", "李", "张", "刘", "陈", "杨", "黄", "赵"],
        "zh_CN",
        "+86 139 {n8}",
    ),
    (
        ["Γιώργος", "Μαρία", "Νίκος", "Ελένη"],
        ["Παπαδόπουλος", "Οικονόμου", "Γεωργίου", "Δημητρίου"],
        "el",
        "+30 69{n8}",
    ),
    (["Иван", "Ольга", "Дмитрий", "Анна"], ["Иванов", "Смирнова", "Кузнецов", "Попова"], "ru", "+7 916 {n7}"),
    (["محمد", "فاطمة", "أحمد", "مريم"], ["العلي", "حسن", "الخطيب", "منصور"], "ar", "+971 50 {n7}"),
    (["David", "Noa", "Yosef", "Tamar"], ["Cohen", "Levi", "Mizrahi", "Peretz"], "he", "+1 202 555 01{n2}"),
]
_COMPANIES = [
    "Corner Bakery",
    "Blue Door Florist",
    "Hill & Sons",
    "Atelier Rose",
    "Café Central",
    "北京花店",
    "Nordlicht GmbH",
    "La Tienda Verde",
    "",
]
_TAGS = ["vip", "wholesale", "newsletter", "walk-in", "online", "repeat"]
_ASCII = str.maketrans("üöäéèêëáàâíóúñçÁÉÍÓÚÑ", "uoaeeeeaaaiounçAEIOUN")


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def _email_local(given: str, family: str, index: int) -> str:
    local = f"{given}.{family}".lower().translate(_ASCII)
    if not local.replace(".", "").isascii() or not local.replace(".", "").isalnum():
        local = "customer"
    return f"{local}{index}"


def generate(count: int, seed: int = 7) -> Iterator[ContactInput]:
    rng = random.Random(seed)
    for index in range(count):
        given_names, family_names, language, phone_pattern = rng.choice(_CULTURES)
        given, family = rng.choice(given_names), rng.choice(family_names)
        phone = phone_pattern.format(n2=_digits(rng, 2), n3=_digits(rng, 3), n7=_digits(rng, 7), n8=_digits(rng, 8))
        points = [
            ContactPointInput("email", f"{_email_local(given, family, index)}@example.org", "work"),
            ContactPointInput("phone", phone, "mobile"),
        ]
        if rng.random() < 0.3:
            points.append(ContactPointInput("address", f"{rng.randint(1, 200)} High Street, Example Town", "home"))
        yield ContactInput(
            given_name=given,
            family_name=family,
            points=points,
            organisation=rng.choice(_COMPANIES),
            tags=rng.sample(_TAGS, rng.randint(0, 2)),
            language=language,
            note="Prefers morning visits." if rng.random() < 0.1 else "",
        )


_DEALS = [
    "Wedding flowers",
    "Weekly office bouquets",
    "Shop window display",
    "Corporate gifts",
    "Birthday order",
    "Event catering",
    "Seasonal wreaths",
    "Bulk order",
]
_ACTIVITIES = [
    ("call", "Call about the order"),
    ("meeting", "Tasting at the shop"),
    ("email", "Send the quote"),
    ("task", "Prepare the samples"),
]
_CURRENCY = {
    "en": "GBP",
    "de": "EUR",
    "fr": "EUR",
    "es": "EUR",
    "zh_CN": "CNY",
    "el": "EUR",
    "ru": "EUR",
    "ar": "AED",
    "he": "USD",
}


def deals_for(
    contacts: list[tuple[int, str | None]], stage_ids: list[int], seed: int = 7
) -> list[tuple[str, int, int, str, int]]:
    """About a third of the customers get a deal, in the currency of their country, spread over the stages."""
    rng = random.Random(seed)
    return [
        (
            rng.choice(_DEALS),
            contact_id,
            rng.choice(stage_ids),
            _CURRENCY.get(language or "en", "EUR"),
            rng.randint(20, 5000) * 100,
        )
        for contact_id, language in contacts
        if rng.random() < 0.33
    ]


def activities_for(contact_ids: list[int], now: datetime, seed: int = 7) -> list[tuple[str, str, int | None, datetime]]:
    """About a fifth of the customers get a follow-up, some overdue, some today, most upcoming."""
    rng = random.Random(seed)
    rows: list[tuple[str, str, int | None, datetime]] = []
    for contact_id in contact_ids:
        if rng.random() < 0.2:
            kind, subject = rng.choice(_ACTIVITIES)
            rows.append((kind, subject, contact_id, now + timedelta(hours=rng.randint(-72, 24 * 21))))
    return rows
