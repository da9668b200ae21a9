"""A file cannot show that a parent consented (GDPR Art. 8, PIPL Art. 31): when the birthday a file gives makes a
customer younger than their law's age of consent, the file's "subscribed" is reported and not recorded, in the
preview and in the import alike; their "unsubscribed" is recorded, and adults' consents as before.

The export is shaped as Square writes one: its own column names, birthdays in two formats, a dollar total, a +86
number (PIPL's 14 applies to that customer even though the shop is in Germany, where GDPR's age is 16).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from app.access.session import Session
from app.access.shop import ShopService
from app.consent.jurisdiction import age_on, set_birth_date
from app.crm.contacts import ContactService
from app.crm.importing.service import ImportService

TODAY = datetime.now(UTC).date()
HEADERS = (
    "Reference ID,First Name,Surname,Email Address,Phone Number,Birthday,Square Customer ID,Transaction Count,"
    "Total Spend,Email Subscription Status"
)


def years_ago(years: int, days: int = 0) -> date:
    """A birthday that makes someone exactly `years` old today (`days` later: still `years - 1`)."""
    try:
        born = TODAY.replace(year=TODAY.year - years)
    except ValueError:  # 29 February
        born = TODAY.replace(year=TODAY.year - years, day=28)
    return date.fromordinal(born.toordinal() + days)


@pytest.fixture
def export(tmp_path: Path) -> Path:
    teen, sixteen, pipl_teen = years_ago(13), years_ago(16), years_ago(15)
    rows = [
        HEADERS,
        f",Mia,Becker,mia.becker@example.de,0151 2345678,{teen.isoformat()},SQ1,3,$45.00,subscribed",
        f",Lena,Schulz,lena.schulz@example.de,,{sixteen.strftime('%m/%d/%Y')},SQ2,1,$12.00,subscribed",
        f",Noah,Weber,noah.weber@example.de,,{years_ago(15).isoformat()},SQ3,0,$0.00,unsubscribed",
        f",Wei,Chen,wei.chen@example.cn,+86 139 1234 5678,{pipl_teen.isoformat()},SQ4,2,$30.00,subscribed",
        ',Jonas,Fischer,jonas.fischer@example.de,,,SQ5,9,"$1,204.50",subscribed',  # no birthday: as before
    ]
    path = tmp_path / "export.csv"
    path.write_text("\r\n".join(rows) + "\r\n", encoding="utf-8")
    return path


def granted(session: Session, email: str) -> list[str]:
    [summary] = ContactService(session).search(email, 5)
    return [
        str(row[0])
        for row in session.conn.execute(
            "SELECT action FROM consent_event WHERE contact_id = ? AND purpose_key = 'email_marketing' ORDER BY id",
            (summary.id,),
        )
    ]


def test_a_childs_yes_from_a_file_is_reported_not_recorded(owner_session: Session, export: Path) -> None:
    ShopService(owner_session).update(country="DE")  # GDPR Art. 8 as Germany sets it: 16
    preview = ImportService(owner_session).preview(export).report
    [(line, reason)] = preview.consent_conflicts
    assert line == 2 and "email_marketing" in reason and "13, under 16" in reason
    assert preview.consents_to_record == 4  # of 5 stated: Mia's yes is left out

    report = ImportService(owner_session).run(export)

    assert report.imported == 5 and report.consent_conflicts == preview.consent_conflicts
    assert granted(owner_session, "mia.becker@example.de") == []  # 13: a parent must consent
    assert granted(owner_session, "lena.schulz@example.de") == ["grant"]  # 16 today: her own
    assert granted(owner_session, "noah.weber@example.de") == ["withdraw"]  # a child's no still counts
    assert granted(owner_session, "wei.chen@example.cn") == ["grant"]  # PIPL: 14, and he is 15
    assert granted(owner_session, "jonas.fischer@example.de") == ["grant"]  # no birthday: nothing to weigh
    assert age_on(years_ago(16, days=1), TODAY) == 15  # the boundary the fixture stands on is the law's


def test_where_no_age_of_consent_applies_the_files_yes_is_recorded(owner_session: Session, export: Path) -> None:
    ShopService(owner_session).update(country="US")  # no GDPR age for the shop; PIPL's 14 only for +86 numbers
    report = ImportService(owner_session).run(export)
    assert report.consent_conflicts == []
    assert granted(owner_session, "mia.becker@example.de") == ["grant"]
    assert granted(owner_session, "wei.chen@example.cn") == ["grant"]  # 15: over PIPL's 14


def test_pipls_age_follows_a_chinese_number_whatever_the_shops_country(owner_session: Session, tmp_path: Path) -> None:
    ShopService(owner_session).update(country="US")
    path = tmp_path / "export.csv"
    row = f",Hao,Li,hao.li@example.cn,'+8613912345679,{years_ago(13).isoformat()},SQ9,1,$8.00,subscribed"
    path.write_text(HEADERS + "\n" + row + "\n", encoding="utf-8")
    report = ImportService(owner_session).run(path)
    [(line, reason)] = report.consent_conflicts
    assert line == 2 and "13, under 14" in reason
    assert granted(owner_session, "hao.li@example.cn") == []


def test_a_customers_stored_birthday_keeps_a_reexports_yes_out(owner_session: Session, tmp_path: Path) -> None:
    """The file need not give the birthday: the ledger weighs the one the shop recorded at the counter."""
    ShopService(owner_session).update(country="DE")
    first = tmp_path / "export.csv"
    first.write_text(HEADERS + "\n,Emil,Vogel,emil.vogel@example.de,,,SQ7,0,$0.00,\n", encoding="utf-8")
    ImportService(owner_session).run(first)
    [emil] = ContactService(owner_session).search("emil.vogel@example.de", 5)
    set_birth_date(owner_session, emil.id, years_ago(12))
    later = tmp_path / "export_later.csv"
    later.write_text(HEADERS + "\n,Emil,Vogel,emil.vogel@example.de,,,SQ7,1,$9.00,subscribed\n", encoding="utf-8")
    ImportService(owner_session).run(later)
    assert granted(owner_session, "emil.vogel@example.de") == []
