"""The pseudonymised export for analysis (issue #20): keyed pseudonyms (never the id), no contact details, dates
to the month, ages in bands; restricted people left out; managers and the owner only; audited with its count;
the CLI `export-pseudonymised` and the button on the Customers page."""

from __future__ import annotations

import csv
import hashlib
import hmac
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog, QMessageBox

from app.access.session import Session, open_session
from app.access.users import UserService
from app.consent.jurisdiction import set_birth_date
from app.consent.ledger import ConsentService
from app.consent.restriction import RestrictionService
from app.crm.contacts import ContactInput, ContactPointInput, ContactService
from app.crm.deals import DealService
from app.errors import PermissionDenied
from app.privacy.pseudonymise import age_band, analysis_key, export_pseudonymised, pseudonym
from app.store import audit
from tests.conftest import OWNER, OWNER_PASSWORD


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _people(session: Session) -> dict[str, int]:
    contacts = ContactService(session)
    lena = contacts.create(
        ContactInput(
            given_name="Lena",
            family_name="Vogel",
            language="de",
            points=[ContactPointInput("email", "lena.vogel@example.de"), ContactPointInput("phone", "+49 30 1234567")],
        )
    )
    chen = contacts.create(
        ContactInput(
            given_name="Chen", family_name="Li", points=[ContactPointInput("address", "1 Nanjing Road, Shanghai")]
        )
    )
    maja = contacts.create(ContactInput(given_name="Maja", family_name="Lindqvist"))
    set_birth_date(session, lena, date(1990, 6, 15))
    set_birth_date(session, chen, date(2012, 1, 2))
    deals = DealService(session)
    stage = deals.pipelines()[0].stages[0].id
    won = deals.create("Wedding flowers", value="1250.00", currency="EUR", contact_id=lena, stage_id=stage)
    deals.close(won, won=True)
    ConsentService(session).record_imported([(lena, "email_marketing", True, "test.csv")])
    RestrictionService(session).restrict(maja, "Contests the postal address we hold")
    return {"lena": lena, "chen": chen, "maja": maja}


def test_age_bands_and_the_keyed_pseudonym() -> None:
    today = date(2026, 6, 1)
    assert age_band("1990-06-15", today) == "35-44" and age_band("1990-05-31", today) == "35-44"
    assert age_band("2012-01-02", today) == "14-17" and age_band("2020-01-01", today) == "0-13"
    assert age_band("1950-01-01", today) == "65+" and age_band(None, today) == "" and age_band("soon", today) == ""
    key = bytes(32)
    assert pseudonym(key, 7) == hmac.new(key, b"analysis:7", hashlib.sha256).hexdigest()[:20]
    assert pseudonym(key, 7) != pseudonym(bytes([1]) * 32, 7) != pseudonym(key, 8)


def test_the_file_has_pseudonyms_and_coarse_facts_only(owner_session: Session, tmp_path: Path) -> None:
    ids = _people(owner_session)
    out = tmp_path / "analysis.csv"
    assert export_pseudonymised(owner_session, out, today=date(2026, 6, 1)) == 2  # Maja is restricted
    rows = _read(out)
    text = out.read_text(encoding="utf-8-sig")
    for secret in (
        "Lena",
        "Vogel",
        "Chen",
        "lena.vogel@example.de",
        "1234567",
        "Nanjing",
        "Maja",
        "1990-06-15",
        "2012-01-02",
    ):
        assert secret not in text
    key = analysis_key(owner_session.conn)
    by_person = {row["person"]: row for row in rows}
    assert set(by_person) == {pseudonym(key, ids["lena"]), pseudonym(key, ids["chen"])}
    assert str(ids["lena"]) not in by_person  # never the raw id
    lena = by_person[pseudonym(key, ids["lena"])]
    assert lena["language"] == "de" and lena["age_band"] == "35-44"
    assert len(lena["first_seen"]) == 7 and lena["first_seen"][4] == "-"  # YYYY-MM
    assert (lena["deals"], lena["deals_won"], lena["won_value"]) == ("1", "1", "125000")
    assert lena["consent_email_marketing"] == "granted" and lena["consent_sms_marketing"] == ""
    assert by_person[pseudonym(key, ids["chen"])]["age_band"] == "14-17"
    assert "email" not in rows[0] and "name" not in rows[0] and "phone" not in rows[0]
    again = tmp_path / "again.csv"
    export_pseudonymised(owner_session, again)
    assert {row["person"] for row in _read(again)} == set(by_person)  # the same pseudonyms next time
    entries = audit.entries(owner_session.conn, audit.AuditFilter(action="contact.export_pseudonymised"))
    assert [entry.summary for entry in entries] == ["2 rows", "2 rows"]


def test_staff_may_not_export(owner_session: Session, tmp_path: Path) -> None:
    UserService(owner_session).add("Sam", "staff", "temporary-1")
    path = owner_session.vault.paths.database
    owner_session.lock()
    sam = open_session(path, "Sam", "temporary-1")
    UserService(sam).change_own_password("temporary-1", "sams-password")
    with pytest.raises(PermissionDenied):
        export_pseudonymised(sam, tmp_path / "no.csv")
    assert not (tmp_path / "no.csv").exists()
    sam.lock("logout")


def test_the_cli(run_cli, new_vault: tuple[Path, str], tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    session = open_session(new_vault[0], OWNER, OWNER_PASSWORD)
    _people(session)
    session.lock("logout")
    out = tmp_path / "cli.csv"
    result = run_cli(
        "export-pseudonymised",
        new_vault[0],
        "--user",
        OWNER,
        "--password-stdin",
        "--csv",
        out,
        stdin=OWNER_PASSWORD + "\n",
    )
    assert result.code == 0, result.err
    assert result.out.strip() == f"Wrote 2 pseudonymised people to {out}."
    assert len(_read(out)) == 2
    missing = run_cli(
        "export-pseudonymised", new_vault[0], "--user", OWNER, "--password-stdin", stdin=OWNER_PASSWORD + "\n"
    )
    assert missing.code == 2


def test_the_button_on_the_customers_page(
    qtbot,
    new_vault: tuple[Path, str],  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    from tests.ui import test_customers as customers
    from tests.ui_helpers import open_session_for_ui, press, shutdown_session, wait_until

    session = open_session_for_ui(new_vault[0], OWNER, OWNER_PASSWORD)
    try:
        _people(session)
        main, page = customers._window(qtbot, session)
        wait_until(qtbot, lambda: page.model.rowCount() == 3)
        assert page.pseudonymised_button.isEnabled()
        press(qtbot, page.pseudonymised_button)
        chooser = next(d for d in main.findChildren(QFileDialog) if d.isVisible())
        out = tmp_path / "from-the-button.csv"
        chooser.setDirectory(str(tmp_path))
        chooser.selectFile(str(out))
        press(qtbot, chooser.findChild(QDialogButtonBox).buttons()[0])
        wait_until(qtbot, lambda: any(box.isVisible() for box in main.findChildren(QMessageBox)))
        box = next(box for box in main.findChildren(QMessageBox) if box.isVisible())
        assert box.text() == f"Wrote 2 pseudonymised customers to {out}."
        box.grab().save(str(tmp_path / "pseudonymised-done.png"))
        customers._shot(qtbot, main, "pseudonymised-export")
        assert len(_read(out)) == 2
        box.accept()
    finally:
        shutdown_session(session)


def test_a_stopped_analysis_export_leaves_no_file(owner_session: Session, tmp_path: Path) -> None:
    ContactService(owner_session).create_many(
        (ContactInput(given_name=f"K{n}", family_name="Liste") for n in range(1200)), source="test"
    )
    folder = tmp_path / "analysis"
    folder.mkdir()

    def stop(rows: int) -> None:
        raise InterruptedError(f"stopped at {rows}")

    with pytest.raises(InterruptedError, match="stopped at 1000"):
        export_pseudonymised(owner_session, folder / "a.csv", progress=stop)
    assert list(folder.iterdir()) == []
    exported = "SELECT count(*) FROM audit_event WHERE action = 'contact.export_pseudonymised'"
    assert owner_session.conn.execute(exported).fetchone()[0] == 0
