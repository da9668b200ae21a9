"""The shop profile: one source for the country (local phone numbers), the currency, and the letterhead."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.access.session import Session, open_session
from app.access.shop import ShopService, read_profile, suggested_profile
from app.access.users import UserService
from app.crm.contacts import ContactInput, ContactPointInput, ContactService
from app.documents.subject_export import write_subject_export
from app.errors import InvalidInput, PermissionDenied
from app.privacy.subject_data import gather
from app.store import audit
from app.store.migrations import migrate
from tests.conftest import OWNER, OWNER_PASSWORD


def _phone_of(session: Session, typed: str) -> str:
    contact_id = ContactService(session).create(
        ContactInput(given_name="Lucía", family_name="Pérez", points=[ContactPointInput("phone", typed)])
    )
    return ContactService(session).get(contact_id).points[0].normalized


@pytest.mark.parametrize(
    ("country", "typed", "stored"),
    [
        ("DE", "030 1234567", "+49301234567"),
        ("ES", "954 123 456", "+34954123456"),
        ("GB", "020 7946 0018", "+442079460018"),
        ("CN", "010 6552 9988", "+861065529988"),
    ],
)
def test_a_local_phone_number_is_read_in_the_shops_country(
    owner_session: Session, country: str, typed: str, stored: str
) -> None:
    with pytest.raises(InvalidInput, match="country code"):  # no country yet: it cannot be read
        _phone_of(owner_session, typed)
    ShopService(owner_session).update(country=country)
    assert _phone_of(owner_session, typed) == stored


def test_the_owner_sets_the_profile_and_the_change_is_audited(owner_session: Session) -> None:
    shop = ShopService(owner_session)
    saved = shop.update(
        name="  Blumen Müller ",
        country="de",
        currency="eur",
        language="de",
        privacy_contact="datenschutz@blumen.example",
    )
    assert (saved.name, saved.country, saved.currency, saved.language) == ("Blumen Müller", "DE", "EUR", "de")
    assert shop.profile() == saved == read_profile(owner_session.conn)
    last = audit.entries(owner_session.conn)[-1]
    assert last.action == "shop.change"
    assert "datenschutz" not in (last.summary or "")  # field names, not values
    assert shop.update(name="Blumen Müller") == saved  # nothing changed: nothing written
    assert audit.entries(owner_session.conn)[-1].id == last.id


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("country", "Germany", "not a country code"),
        ("currency", "Euro", "not a currency code"),
        ("language", "klingon", "not a language Counterpart speaks"),
    ],
)
def test_a_wrong_value_is_refused_in_words(owner_session: Session, field: str, value: str, problem: str) -> None:
    with pytest.raises(InvalidInput, match=problem):
        ShopService(owner_session).update(**{field: value})
    assert getattr(ShopService(owner_session).profile(), field) == ""


def test_staff_read_the_profile_but_cannot_change_it(new_vault: tuple[Path, str]) -> None:
    owner = open_session(new_vault[0], OWNER, OWNER_PASSWORD)
    ShopService(owner).update(name="Blumen Müller", country="DE")
    UserService(owner).add("Sam", "staff", "temporary-1")
    owner.vault.close()
    staff = open_session(new_vault[0], "Sam", "temporary-1")
    try:
        assert ShopService(staff).profile().name == "Blumen Müller"
        with pytest.raises(PermissionDenied):
            ShopService(staff).update(country="FR")
        assert ShopService(staff).profile().country == "DE"
    finally:
        staff.vault.close()


def test_the_subject_export_is_headed_by_the_shop_not_the_owner(owner_session: Session, tmp_path: Path) -> None:
    ShopService(owner_session).update(
        name="Blumen Müller", address="Hauptstraße 5\n10115 Berlin", privacy_contact="datenschutz@blumen.example"
    )
    contact_id = ContactService(owner_session).create(ContactInput(given_name="Clara", family_name="Schmidt"))
    out = tmp_path / "clara.pdf"
    write_subject_export(out, gather(owner_session, contact_id, "en"))
    text = unicodedata.normalize("NFKC", "".join(page.extract_text() for page in PdfReader(out).pages))
    assert "data Blumen Müller holds about you" in re.sub(r"\s+", " ", text)
    assert "Hauptstraße 5" in text and "10115 Berlin" in text and "datenschutz@blumen.example" in text
    assert OWNER not in text


def test_an_old_vaults_hand_set_region_becomes_the_country(owner_session: Session) -> None:
    conn = owner_session.conn
    conn.execute("DELETE FROM setting WHERE key LIKE 'shop.%'")
    conn.execute("INSERT INTO setting(key, value) VALUES ('shop_region', 'es')")
    conn.execute("PRAGMA user_version = 12")
    assert migrate(conn, target=13) == [13]
    assert read_profile(conn).country == "ES"
    assert conn.execute("SELECT count(*) FROM setting WHERE key = 'shop_region'").fetchone()[0] == 0


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("de_AT.UTF-8", ("AT", "EUR", "de")),
        ("zh_CN.UTF-8", ("CN", "CNY", "zh_CN")),
        ("en_GB.UTF-8", ("GB", "GBP", "en")),
        ("C.UTF-8", ("", "", "")),
    ],
)
def test_the_suggestion_follows_the_computers_locale(lang: str, expected: tuple[str, str, str]) -> None:
    suggestion = suggested_profile({"LANG": lang})
    assert (suggestion.country, suggestion.currency, suggestion.language) == expected


def test_cli_shows_and_sets_the_profile_owner_only(new_vault: tuple[Path, str], run_cli) -> None:  # type: ignore[no-untyped-def]
    path = new_vault[0]
    result = run_cli(
        "shop",
        path,
        "--user",
        OWNER,
        "--password-stdin",
        "--name",
        "Blumen Müller",
        "--country",
        "de",
        "--currency",
        "EUR",
        "--privacy-contact",
        "datenschutz@blumen.example",
        stdin=OWNER_PASSWORD + "\n",
    )
    assert result.code == 0, result.err
    assert "Name: Blumen Müller" in result.out and "Country: DE" in result.out and "Currency: EUR" in result.out
    shown = run_cli("shop", path, "--user", OWNER, "--password-stdin", stdin=OWNER_PASSWORD + "\n")
    assert shown.code == 0 and "Privacy contact: datenschutz@blumen.example" in shown.out
    assert (
        run_cli(
            "user",
            "add",
            path,
            "--user",
            OWNER,
            "--name",
            "Sam",
            "--role",
            "staff",
            "--password-stdin",
            stdin=f"{OWNER_PASSWORD}\ntemporary-1\n",
        ).code
        == 0
    )
    refused = run_cli("shop", path, "--user", "Sam", "--password-stdin", "--country", "FR", stdin="temporary-1\n")
    assert refused.code == PermissionDenied.exit_code and "Country" not in refused.out
    bad = run_cli(
        "shop", path, "--user", OWNER, "--password-stdin", "--country", "Germany", stdin=OWNER_PASSWORD + "\n"
    )
    assert bad.code == InvalidInput.exit_code and "not a country code" in bad.err
