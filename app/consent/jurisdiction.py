"""Which privacy law covers a person, the lawful bases it offers, and the age below which a parent consents.

A person's country, as far as the vault can tell, is their primary phone number's (+86 is China), else the
shop's. PIPL (China mainland) has no "legitimate interests" (PIPL Art. 13 lists its bases): a purpose the shop
runs on legitimate interests needs consent from a person PIPL covers. A child needs a parent's consent: under 14
under PIPL (Art. 31), and under GDPR Art. 8 below the age the shop's country sets between 13 and 16 (16 where it
set none).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import phonenumbers

from app.access.roles import Permission
from app.access.session import Session
from app.access.shop import read_profile
from app.errors import InvalidInput
from app.locale import _
from app.store.database import Connection

LAWFUL_BASES = ("consent", "contract", "legal_obligation", "vital_interests", "public_task", "legitimate_interests")
# PIPL Art. 13: consent; a contract or HR management; a legal duty; a public-health emergency or protecting life,
# health and property; news reporting in the public interest. Nothing like GDPR's legitimate interests.
PIPL_BASES = ("consent", "contract", "legal_obligation", "vital_interests", "public_task")
PIPL_CONSENT_AGE = 14  # PIPL Art. 28 and 31: under 14, a parent or guardian consents
GDPR_DEFAULT_AGE = 16  # GDPR Art. 8(1), where the member state set no lower age

# GDPR Art. 8(1) lets each member state set the age between 13 and 16 (national laws as in force in 2024);
# the EEA states and the UK (UK GDPR Art. 8, DPA 2018 s. 9) likewise.
GDPR_CONSENT_AGE = {
    "AT": 14,
    "BE": 13,
    "BG": 14,
    "HR": 16,
    "CY": 14,
    "CZ": 15,
    "DK": 13,
    "EE": 13,
    "FI": 13,
    "FR": 15,
    "DE": 16,
    "GR": 15,
    "HU": 16,
    "IE": 16,
    "IT": 14,
    "LV": 13,
    "LT": 14,
    "LU": 16,
    "MT": 13,
    "NL": 16,
    "PL": 16,
    "PT": 13,
    "RO": 16,
    "SK": 16,
    "SI": 15,
    "ES": 14,
    "SE": 13,
    "IS": 13,
    "LI": 16,
    "NO": 13,
    "GB": 13,
}

# A Chinese mainland mobile or landline number: a range on the contact_point (kind, normalized) index.
PIPL_PHONE = "kind = 'phone' AND normalized >= '+86' AND normalized < '+87'"
PIPL_PHONES = f"SELECT contact_id FROM contact_point WHERE {PIPL_PHONE}"  # the people who have one


def is_pipl_phone(normalized: str) -> bool:
    """`PIPL_PHONE` for a number not written yet (an import's row)."""
    return "+86" <= normalized < "+87"


def country_of_e164(normalized: str) -> str:
    """The country a stored E.164 number belongs to ("+56987654321" -> "CL"), so that the number as typed can be
    read again the same way; "" when no single country has it."""
    try:
        number = phonenumbers.parse(normalized, None)
    except phonenumbers.NumberParseException:
        return ""
    region = phonenumbers.region_code_for_number(number) or phonenumbers.region_code_for_country_code(
        number.country_code or 0
    )
    return region if region in phonenumbers.SUPPORTED_REGIONS else ""  # not 001 (+800…) nor ZZ (unknown)


def shop_country(conn: Connection) -> str:
    return read_profile(conn).country.upper()


def person_country(conn: Connection, contact_id: int) -> str:
    """The person's primary phone's country, else the shop's ("" when neither is known)."""
    row = conn.execute(
        "SELECT normalized FROM contact_point WHERE contact_id = ? AND kind = 'phone' "
        "AND normalized LIKE '+%' ORDER BY is_primary DESC, id LIMIT 1",
        (contact_id,),
    ).fetchone()
    return (country_of_e164(str(row[0])) if row else "") or shop_country(conn)


def law_of(country: str) -> str:
    """gdpr, uk_gdpr, pipl, ccpa or "" (none the app knows) for an ISO country code."""
    country = country.upper()
    if country == "CN":
        return "pipl"
    if country == "GB":
        return "uk_gdpr"
    if country in GDPR_CONSENT_AGE:
        return "gdpr"
    return "ccpa" if country == "US" else ""


def bases_for(law: str) -> tuple[str, ...]:
    """The lawful bases a law offers (what a basis may be chosen from)."""
    return PIPL_BASES if law == "pipl" else LAWFUL_BASES


# --- who is under PIPL: one rule for lists, the ledger's bases, the kiosk and the health page ----------------
#
# PIPL covers processing in China (Art. 3(1)) and, from outside it, of people in China (Art. 3(2)): so everyone
# when the shop is in China, else the people with a Chinese (+86) phone number, the vault's one sign of where a
# person lives.

EVERYONE = "SELECT id FROM contact"


def pipl_people_sql(conn: Connection) -> str:
    """SQL selecting the ids of the people PIPL covers (for `IN (...)`)."""
    return EVERYONE if shop_country(conn) == "CN" else PIPL_PHONES


def under_pipl(conn: Connection, contact_id: int) -> bool:
    return conn.execute(f"SELECT 1 WHERE ? IN ({pipl_people_sql(conn)})", (contact_id,)).fetchone() is not None


def anyone_under_pipl(conn: Connection) -> bool:
    """Whether PIPL covers anyone here (not how many: the first +86 number is a lookup on its index, counting
    them took 4.3 s at 1M people)."""
    return (
        conn.execute(
            f"SELECT 1 FROM contact c WHERE c.deleted_at IS NULL AND c.anonymised_at IS NULL AND "
            f"c.id IN ({pipl_people_sql(conn)}) LIMIT 1"
        ).fetchone()
        is not None
    )


def person_law(conn: Connection, contact_id: int) -> str:
    """The law the person's consent follows: PIPL by the rule above, else their phone's country's, else the
    shop's."""
    return "pipl" if under_pipl(conn, contact_id) else law_of(person_country(conn, contact_id))


def asks_consent(basis: str, law: str) -> bool:
    """Whether processing on `basis` needs the person's consent under `law`: consent itself, or a basis the law
    does not offer (legitimate interests under PIPL)."""
    return basis == "consent" or basis not in bases_for(law)


def consent_age(conn: Connection, contact_id: int) -> int | None:
    """Below this age a parent consents for the person: PIPL's 14 for people PIPL covers, else the GDPR age the
    shop's country sets; None where neither law applies."""
    return consent_age_for(shop_country(conn), person_law(conn, contact_id) == "pipl")


def consent_age_for(shop: str, pipl: bool) -> int | None:
    """`consent_age` for someone not written yet (an import's row): `pipl` as `under_pipl` decides it, the shop
    in China or a +86 phone."""
    return PIPL_CONSENT_AGE if pipl or shop == "CN" else GDPR_CONSENT_AGE.get(shop)


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def birth_date(conn: Connection, contact_id: int) -> date | None:
    row = conn.execute("SELECT birth_date FROM contact WHERE id = ?", (contact_id,)).fetchone()
    return date.fromisoformat(str(row[0])) if row and row[0] else None


def needs_parent(conn: Connection, contact_id: int, today: date) -> int | None:
    """The consent age when the person's birthday is known and they are younger; None otherwise."""
    born, limit = birth_date(conn, contact_id), consent_age(conn, contact_id)
    if born is None or limit is None:
        return None
    return limit if age_on(born, today) < limit else None


def children_among(conn: Connection, contact_ids: list[int], today: date) -> set[int]:
    """Of `contact_ids`, those whose stored birthday makes them younger than their law's age of consent
    (`needs_parent` for many): one query, the shop read once, for an import's batch of a thousand."""
    if not contact_ids:
        return set()
    shop = shop_country(conn)
    rows = conn.execute(
        f"SELECT c.id, c.birth_date, c.id IN ({PIPL_PHONES if shop != 'CN' else EVERYONE}) FROM contact c "
        "JOIN json_each(?) j ON c.id = j.value WHERE c.birth_date IS NOT NULL",
        (json.dumps(contact_ids),),
    )
    return {
        int(contact_id)
        for contact_id, born, pipl in rows
        if (limit := consent_age_for(shop, bool(pipl))) is not None
        and age_on(date.fromisoformat(str(born)), today) < limit
    }


def set_birth_date(session: Session, contact_id: int, born: date | None) -> None:
    """Record (or forget, with None) a person's birthday: it decides whether a parent must consent for them."""
    session.require(Permission.EDIT_CUSTOMERS)
    if born is not None and not date(1900, 1, 1) <= born <= datetime.now(UTC).date():
        raise InvalidInput(_("A birthday is a date between 1900 and today."))
    with session.change() as conn:
        changed = conn.execute(
            "UPDATE contact SET birth_date = ? WHERE id = ? AND deleted_at IS NULL",
            (born.isoformat() if born else None, contact_id),
        ).rowcount
        if not changed:
            raise InvalidInput(_("There is no customer with id {id}.").format(id=contact_id))
        session.audit("contact.birth_date", "contact", contact_id, "set" if born else "cleared")
