"""Issue #16: a country column written as a three-letter ISO 3166 alpha-3 code (CHL, PAK, tha), as marketplaces
and ERPs export it, is understood when reading the row's local phone number, like CL or a name (Deutschland).

Fixture: marketplace_orders_alpha3.csv (tests/fixtures/import/README.md).
"""

from __future__ import annotations

from app.access.session import Session
from app.crm.contacts import ContactService
from app.crm.importing.countries import country_code
from app.crm.importing.service import ImportService
from tests.app import test_import as shared
from tests.app.test_import import FIXTURES

template_vault, vault, session = shared.template_vault, shared.vault, shared.session  # the same fast fixtures


def test_alpha3_codes_name_their_country() -> None:
    assert [country_code(cell) for cell in ("CHL", "pak", " THA ", "GBR", "DEU", "USA")] == [
        "CL",
        "PK",
        "TH",
        "GB",
        "DE",
        "US",
    ]
    assert country_code("ANT") == "" and country_code("XYZ") == "" and country_code("AAA") == ""  # none, or several


def test_local_numbers_are_read_in_the_rows_alpha3_country(session: Session) -> None:
    report = ImportService(session).run(FIXTURES / "marketplace_orders_alpha3.csv")
    assert report.imported == 5
    phones = {}
    for contact_id in report.contact_ids:
        record = ContactService(session).get(contact_id)
        phones[record.display_name] = next(p.normalized for p in record.points if p.kind == "phone")
    assert phones == {
        "Valentina Rojas": "+56987654321",
        "Ayesha Khan": "+923001234567",
        "Somchai Wongsakul": "+66812345678",
        "Jonas Becker": "+493023125678",
        "Liam Walsh": "",
    }  # XYZ names no country (and the shop has none): kept as typed, unchecked
    assert [line for line, _reason in report.unchecked] == [6]
