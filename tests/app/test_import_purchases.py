"""Issue #16: birthday, total spent and order count are kept where an export has them.

Real vaults and the fixture files of tests/fixtures/import (README.md there) and tests/fixtures/vcard.
"""

from __future__ import annotations

import json
import re
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import jsonschema
from pypdf import PdfReader

from app.access.session import Session
from app.access.shop import ShopService
from app.consent.jurisdiction import birth_date
from app.crm.importing.purchases import purchases_of, summary
from app.crm.importing.service import ImportService
from app.documents.access_export import export_subject
from app.privacy import erasure
from app.privacy.datamap import unlisted_columns
from app.privacy.pseudonymise import export_pseudonymised
from app.store import audit
from tests.app import test_import as shared
from tests.app.test_import import FIXTURES, by_email

template_vault, vault, session = shared.template_vault, shared.vault, shared.session  # the same fast fixtures

SHOPIFY = FIXTURES / "shopify_customers_export.csv"
REEXPORT = FIXTURES / "shopify_customers_reexport_2026.csv"
SQUARE = FIXTURES / "square_customers_birthdays.csv"
GERMAN = FIXTURES / "excel_de_birthdays_totals_cp1252.csv"
VCARDS = Path(__file__).parents[1] / "fixtures" / "vcard"


def totals(session: Session, email: str) -> tuple[str | None, int | None, str | None, str]:
    row = session.conn.execute(
        "SELECT total_spent, order_count, currency, source FROM contact_purchases WHERE contact_id = ?",
        (by_email(session, email).id,),
    ).fetchone()
    assert row is not None, f"no totals for {email}"
    return row[0], row[1], row[2], row[3]


def born(session: Session, email: str) -> date | None:
    return birth_date(session.conn, by_email(session, email).id)


def test_shopify_totals_and_order_counts_are_kept_per_person_in_the_shops_currency(session: Session) -> None:
    ShopService(session).update(currency="EUR")
    report = ImportService(session).run(SHOPIFY)
    assert report.purchases == 6 and report.unused_columns == ["Tax Exempt"]  # no longer "fill nothing"
    assert totals(session, "jose.nunez@example.es") == ("312.40", 5, "EUR", "import:shopify")
    assert totals(session, "aiyana@example.com") == ("1520.75", 14, "EUR", "import:shopify")
    assert totals(session, "zoe.mueller@example.de") == ("0.00", 0, "EUR", "import:shopify")
    bought = purchases_of(session.conn, by_email(session, "aiyana@example.com").id)
    assert bought is not None and bought.total_spent == Decimal("1520.75")
    assert summary(bought, "de") == "14 orders, 1.520,75\u00a0€ spent"


def test_without_a_shop_currency_the_amount_is_kept_and_shown_without_one(session: Session) -> None:
    ImportService(session).run(SHOPIFY)
    assert totals(session, "jose.nunez@example.es") == ("312.40", 5, None, "import:shopify")
    bought = purchases_of(session.conn, by_email(session, "jose.nunez@example.es").id)
    assert bought is not None and summary(bought, "en") == "5 orders, 312.40 spent"


def test_a_reexport_replaces_the_totals_and_the_audit_says_so(session: Session) -> None:
    ImportService(session).run(SHOPIFY)
    preview = ImportService(session).preview(REEXPORT)
    jose = next(m for m in preview.report.matched if m.line == 2)
    assert [(c.field, c.action, c.old, c.new) for c in jose.totals] == [
        ("total_spent", "replace", "312.40", "398.10"),
        ("order_count", "replace", "5", "6"),
    ]
    assert jose.changes == []  # the totals are no conflict and no change to his record
    assert preview.report.totals_replaced == 3  # José, Olivia, Aiyana; the others' are the same
    assert totals(session, "jose.nunez@example.es")[:2] == ("312.40", 5)  # the preview wrote nothing
    report = ImportService(session).run(REEXPORT)
    assert report.totals_replaced == 3
    assert totals(session, "jose.nunez@example.es")[:2] == ("398.10", 6)
    assert totals(session, "aiyana@example.com")[:2] == ("1702.75", 16)
    assert totals(session, "marcus.lee@example.com")[:2] == ("55.00", 1)  # new in this export
    jose_id = by_email(session, "jose.nunez@example.es").id
    said = [
        e.summary for e in audit.entries(session.conn) if e.action == "contact.update" and e.entity_id == str(jose_id)
    ]
    assert said == ["total_spent replaced, order_count replaced from import:shopify"]


def test_square_birthdays_spend_and_transactions(session: Session) -> None:
    report = ImportService(session).run(SQUARE)
    assert report.imported == 4 and report.bad_count == 0
    assert born(session, "lucia.serrano@example.es") == date(1990, 7, 14)
    assert born(session, "dmitri.volkov@example.com") == date(1988, 9, 21)  # 21 can only be the day
    assert born(session, "hana.k@example.jp") is None  # Square's 0000: no year
    assert born(session, "kwame.b@example.com") is None  # 03/04: no country says which is the day
    assert totals(session, "lucia.serrano@example.es")[:2] == ("1204.50", 23)
    assert totals(session, "kwame.b@example.com")[:2] == ("1019.95", 7)
    assert (report.birthdays, report.purchases) == (2, 4)
    assert report.warnings == [
        (4, 'column "Birthday": a day and month without a year: no age can be worked out from it; not kept'),
        (
            5,
            'column "Birthday": it cannot be told which is the day and which the month (the country is not '
            "known); not kept",
        ),
    ]
    assert "First Visit" in report.unused_columns  # left unmapped


def test_a_re_export_reports_the_birthdays_it_cannot_keep_too(session: Session) -> None:
    """The rows of a second import all name customers already there: what is left out of them is still listed
    by line, as for new customers (a person importing must not think the year-less birthday was kept)."""
    first = ImportService(session).run(SQUARE)
    again = ImportService(session).run(SQUARE)
    assert again.imported == 0 and again.matched_count == 4
    assert again.warnings == first.warnings and again.warning_count == 2


def test_the_shops_country_settles_the_order_of_day_and_month(session: Session) -> None:
    ShopService(session).update(country="US")
    ImportService(session).run(SQUARE)
    assert born(session, "kwame.b@example.com") == date(1985, 3, 4)


def test_google_birthday(session: Session) -> None:
    ImportService(session).run(FIXTURES / "google_contacts.csv")
    assert born(session, "taro.yamada@example.jp") == date(1985, 4, 12)
    assert born(session, "chloe.lefevre@example.fr") is None


def test_a_mailchimp_birthday_without_a_year_is_reported_and_not_kept(session: Session) -> None:
    report = ImportService(session).run(FIXTURES / "mailchimp_subscribed_members.csv")
    assert born(session, "li.na@example.cn") is None  # "05/12"
    assert (2, 'column "Birthday": a day and month without a year: no age can be worked out from it; not kept') in (
        report.warnings
    )
    assert report.birthdays == 0 and report.imported == 3


def test_vcard_bday(session: Session) -> None:
    ImportService(session).run(VCARDS / "gmail-v30-multi-email-tel.vcf")
    ImportService(session).run(VCARDS / "outlook-v21-photo.vcf")
    assert born(session, "email@example.com") == date(1912, 6, 23)
    assert born(session, "john.doe@ibm.cm") == date(1980, 3, 22)  # 19800322
    report = ImportService(session).run(VCARDS / "rfc6350-v40-example.vcf")
    assert born(session, "simon.perreault@viagenie.ca") is None  # --0203
    assert any("BDAY: a day and month without a year" in text for _line, text in report.warnings)


def test_bad_dates_and_amounts_are_reported_by_line_and_the_row_is_still_imported(session: Session) -> None:
    dry = ImportService(session).run(GERMAN, dry_run=True)
    assert (dry.imported, dry.birthdays, dry.purchases) == (3, 2, 3)
    report = ImportService(session).run(GERMAN)
    assert report.imported == 3
    assert born(session, "juergen.weiss@example.de") == date(1981, 7, 14)
    assert totals(session, "juergen.weiss@example.de")[:2] == ("1234.50", 12)  # "1.234,50 €" read the German way
    assert born(session, "kaethe@example.at") is None
    assert totals(session, "kaethe@example.at")[:2] == (None, 3)
    assert totals(session, "renee@example.dk")[:2] == ("89.90", None)
    assert report.warnings == [
        (3, 'column "Geburtstag": not a date; not kept'),
        (3, 'column "Gesamtumsatz": not an amount of money; not kept'),
        (4, 'column "Bestellungen": not a whole number; not kept'),
    ]


def test_the_art_15_export_shows_the_birthday_and_the_totals(session: Session, tmp_path: Path) -> None:
    ShopService(session).update(currency="EUR")
    ImportService(session).run(SQUARE)
    lucia = by_email(session, "lucia.serrano@example.es").id
    pdf, archive_path = tmp_path / "lucia.pdf", tmp_path / "lucia.zip"
    export_subject(session, lucia, pdf=pdf, zip_path=archive_path, language="en")
    text = re.sub(r"\s+", " ", "".join(page.extract_text() for page in PdfReader(pdf).pages))
    assert "Birthday July 14, 1990" in text
    assert "Total spent €1,204.50" in text
    assert "Number of orders 23" in text
    deals = text[text.rindex("2. Deals and purchases") : text.rindex("3. Calls")]  # the section, not the list
    assert "Total spent €1,204.50" in deals and "Total spent" not in text[: text.rindex("2. Deals and purchases")]
    assert "We hold no deals or purchases" not in text  # 23 orders are held: never "no purchases"
    with zipfile.ZipFile(archive_path) as archive:
        data, schema = json.loads(archive.read("data.json")), json.loads(archive.read("schema.json"))
    jsonschema.validate(data, schema)
    assert data["birth_date"] == "1990-07-14"
    assert {k: data["purchases"][k] for k in ("total_spent", "order_count", "currency", "source")} == {
        "total_spent": "1204.50",
        "order_count": 23,
        "currency": "EUR",
        "source": "import:square",
    }


def test_erasure_and_anonymisation_clear_them(session: Session) -> None:
    ImportService(session).run(SQUARE)
    lucia, dmitri = by_email(session, "lucia.serrano@example.es").id, by_email(session, "dmitri.volkov@example.com").id
    erasure.erase(session, lucia)
    erasure.erase(session, dmitri, anonymise=True)
    kept = session.conn.execute(
        "SELECT count(*) FROM contact_purchases WHERE contact_id IN (?, ?)", (lucia, dmitri)
    ).fetchone()[0]
    assert kept == 0
    assert birth_date(session.conn, dmitri) is None  # anonymised: the record stays, the birthday does not
    assert unlisted_columns(session.conn) == []  # the data map names every column of the new table


def test_the_pseudonymised_export_has_bands_not_totals(session: Session, tmp_path: Path) -> None:
    ImportService(session).run(SQUARE)
    out = tmp_path / "analysis.csv"
    export_pseudonymised(session, out, today=date(2026, 12, 1))
    text = out.read_text(encoding="utf-8-sig")
    header, *rows = [line.split(",") for line in text.splitlines()]
    orders, spent = header.index("orders_band"), header.index("spent_band")
    assert sorted((row[orders], row[spent]) for row in rows) == [
        ("1", "1-99"),
        ("10+", "1000+"),
        ("2-4", "1-99"),
        ("5-9", "1000+"),
    ]
    assert "1204" not in text and "1019" not in text
