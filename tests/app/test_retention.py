"""Retention policies and the sweeper, with a frozen clock: `now` is passed in, years ahead of the data."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.access.session import Session, create_vault, open_session
from app.admin import security
from app.consent.ledger import ConsentService
from app.crm.activities import ActivityService
from app.crm.contacts import ContactInput, ContactService
from app.crm.deals import DealService
from app.errors import InvalidInput
from app.privacy import retention
from app.privacy.retention import TEMPLATES, RetentionService
from app.store import audit
from app.vault import kdf
from tests.conftest import OWNER, OWNER_PASSWORD

TODAY = datetime.now(UTC)
BATCH = 300  # the sweep's batch size in these tests (monkeypatched): small enough to make several quickly


def years(n: float) -> datetime:
    return TODAY + timedelta(days=round(365.25 * n))


@pytest.fixture
def shop(owner_session: Session) -> dict[str, int]:
    contacts, deals = ContactService(owner_session), DealService(owner_session)
    people = {
        name: contacts.create(ContactInput(given_name=name, family_name="Test"))
        for name in ("lead", "customer", "withdrawn", "held", "binned")
    }
    won = deals.create("Order", value=10, currency="EUR", contact_id=people["customer"])
    deals.close(won, won=True)
    consent = ConsentService(owner_session)
    consent.record(people["withdrawn"], "email_marketing", True, "verbal")
    consent.record(people["withdrawn"], "email_marketing", False, "verbal")
    RetentionService(owner_session).hold(people["held"], "Tax audit")
    contacts.delete(people["binned"])
    return people


def _due(session: Session, now: datetime) -> dict[int | None, tuple[str, str]]:
    return {i.contact_id: (i.category, i.action) for i in RetentionService(session).preview(now)}


def test_gdpr_template_on_fixture_data(owner_session: Session, shop: dict[str, int]) -> None:
    assert {(p.category, p.period_days, p.action) for p in RetentionService(owner_session).policies()} == set(
        TEMPLATES["gdpr"]
    )
    assert _due(owner_session, years(0)) == {}
    one_month = _due(owner_session, TODAY + timedelta(days=31))
    assert one_month == {
        shop["binned"]: ("deleted_contact", "delete"),
        shop["withdrawn"]: ("withdrawn_marketing", "delete"),
    }
    after_2y = _due(owner_session, years(2.1))
    assert after_2y[shop["lead"]] == ("lead", "delete")
    assert shop["customer"] not in after_2y and shop["held"] not in after_2y  # customers: 6 years; holds: never
    after_6y = _due(owner_session, years(6.1))
    assert after_6y[shop["customer"]] == ("customer", "anonymise")
    assert shop["held"] not in after_6y


@pytest.mark.parametrize("template", ["ccpa", "pipl"])
def test_other_templates(owner_session: Session, shop: dict[str, int], template: str) -> None:
    service = RetentionService(owner_session)
    service.apply_template(template)
    lead_days = dict((c, d) for c, d, _a in TEMPLATES[template])["lead"]
    assert shop["lead"] not in _due(owner_session, TODAY + timedelta(days=lead_days - 2))
    assert _due(owner_session, TODAY + timedelta(days=lead_days + 2))[shop["lead"]] == ("lead", "delete")
    changes = owner_session.conn.execute("SELECT count(*) FROM audit_event WHERE action = 'retention.policy'")
    assert changes.fetchone()[0] == len(TEMPLATES[template])


def test_recent_activity_keeps_a_lead(owner_session: Session, shop: dict[str, int]) -> None:
    ActivityService(owner_session).create("call", "Follow up", contact_id=shop["lead"])
    assert shop["lead"] not in _due(owner_session, years(1.9))


def test_dry_run_changes_nothing(owner_session: Session, shop: dict[str, int]) -> None:
    before = owner_session.conn.execute("SELECT count(*) FROM contact").fetchone()[0]
    assert RetentionService(owner_session).preview(years(7))
    assert owner_session.conn.execute("SELECT count(*) FROM contact").fetchone()[0] == before


def test_apply_then_legal_hold_release(owner_session: Session, shop: dict[str, int]) -> None:
    service = RetentionService(owner_session)
    result = service.apply(years(7))
    assert result.counts["lead"] == 1 and result.counts["customer"] == 1 and not result.cancelled
    remaining = {int(r[0]) for r in owner_session.conn.execute("SELECT id FROM contact WHERE anonymised_at IS NULL")}
    assert remaining == {shop["held"]}
    assert service.last_run() is not None
    assert not service.due(datetime.now(UTC) + timedelta(hours=1))  # it just ran: not due again today
    hold_id = owner_session.conn.execute("SELECT id FROM legal_hold").fetchone()[0]
    service.release(hold_id)
    assert shop["held"] in _due(owner_session, years(7))
    assert service.due(years(7) + timedelta(days=2))  # now someone would be removed
    assert security.verify(owner_session).ok


def test_holds_list_and_release(owner_session: Session, shop: dict[str, int]) -> None:
    service = RetentionService(owner_session)
    lapsing = service.hold(shop["customer"], "Warranty claim", until=datetime.now(UTC) + timedelta(days=10))
    holds = service.holds()
    assert [(h.contact_id, h.reason) for h in holds] == [
        (shop["customer"], "Warranty claim"),
        (shop["held"], "Tax audit"),
    ]
    assert holds[0].person and holds[0].placed_by == "Ana Owner" and holds[0].until is not None
    assert not holds[0].lapsed(datetime.now(UTC)) and holds[0].lapsed(datetime.now(UTC) + timedelta(days=11))
    service.release(lapsing)
    assert [h.id for h in service.holds()] == [holds[1].id]
    assert [h.id for h in service.holds(include_released=True)][0] == lapsing
    with pytest.raises(InvalidInput, match="no legal hold"):
        service.release(lapsing)  # twice: nothing in force to release
    actions = [
        r[0] for r in owner_session.conn.execute("SELECT action FROM audit_event WHERE action LIKE 'legal_hold%'")
    ]
    assert actions.count("legal_hold.release") == 1


def test_policy_validation(owner_session: Session) -> None:
    service = RetentionService(owner_session)
    with pytest.raises(InvalidInput):
        service.set_policy("audit", 365, "anonymise")
    with pytest.raises(InvalidInput):
        service.set_policy("lead", 0, "delete")


def test_old_audit_entries_are_trimmed_and_the_chain_still_verifies(
    owner_session: Session, shop: dict[str, int]
) -> None:
    service = RetentionService(owner_session)
    service.set_policy("audit", 30, "delete")
    before = owner_session.conn.execute("SELECT count(*) FROM audit_event").fetchone()[0]
    result = service.apply(TODAY + timedelta(days=31))
    assert result.counts["audit"] >= before  # everything older than the cutoff, i.e. the whole fixture history
    report = audit.verify_chain(owner_session.conn)
    assert report.ok and report.entries >= 1


def test_cancelled_sweep_processes_whole_batches_only(owner_session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(retention, "BATCH", BATCH)
    ContactService(owner_session).create_many(
        (ContactInput(given_name=f"Lead{i}", family_name="X") for i in range(BATCH + 50)), source="test"
    )
    calls = []
    result = RetentionService(owner_session).apply(
        years(3), progress=lambda done, total: calls.append(done), cancelled=lambda: len(calls) >= 1
    )
    assert result.cancelled and result.counts == {"lead": BATCH}
    assert owner_session.conn.execute("SELECT count(*) FROM contact").fetchone()[0] == 50
    again = RetentionService(owner_session).apply(years(3))
    assert again.counts == {"lead": 50}


SWEEP_AND_HANG = """
import sys, time
from datetime import UTC, datetime, timedelta
from app.access.session import open_session
from app.privacy import retention
from app.privacy.retention import RetentionService
retention.BATCH = int(sys.argv[4])
session = open_session(sys.argv[1], sys.argv[2], sys.argv[3])
def progress(done, total):
    print("batch", done, total, flush=True)
    time.sleep(60)
RetentionService(session).apply(datetime.now(UTC) + timedelta(days=1200), progress=progress)
"""


def test_sigkill_mid_sweep_leaves_people_whole(vault_path: Path) -> None:
    session, _ = create_vault(vault_path, OWNER, OWNER_PASSWORD, use_keychain=False, kdf_params=kdf.CHEAP)
    from app.crm.contacts import ContactPointInput

    ContactService(session).create_many(
        (
            ContactInput(
                given_name=f"Lead{i}", family_name="X", points=[ContactPointInput("email", f"l{i}@example.org")]
            )
            for i in range(BATCH * 2 + 10)
        ),
        source="test",
    )
    session.lock()
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    proc = subprocess.Popen(
        [sys.executable, "-c", SWEEP_AND_HANG, str(vault_path), OWNER, OWNER_PASSWORD, str(BATCH)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stdout is not None and proc.stdout.readline().startswith("batch")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    session = open_session(vault_path, OWNER, OWNER_PASSWORD)
    people = session.conn.execute("SELECT count(*) FROM contact").fetchone()[0]
    assert people == BATCH * 2 + 10  # the people go in one transaction: nobody erased, nobody half-erased
    orphans = session.conn.execute(
        "SELECT count(*) FROM contact c WHERE NOT EXISTS (SELECT 1 FROM contact_point p WHERE p.contact_id = c.id)"
    ).fetchone()[0]
    assert orphans == 0
    assert security.verify(session).ok
    stale = session.conn.execute("SELECT status FROM sweep_run").fetchall()
    assert stale == [("running",)]
    assert _deletemerge(session) == [10, 10]  # the killed sweep's deferred merging went back with its transaction
    assert RetentionService(session).traces_pending() == []  # nobody erased, nothing owed
    assert RetentionService(session).apply(datetime.now(UTC) + timedelta(days=1200)).counts == {"lead": BATCH * 2 + 10}
    assert _deletemerge(session) == [10, 10]
    session.vault.close()


def _deletemerge(session: Session) -> list[int]:
    """Each search index's 'deletemerge' (FTS5's default, 10, when never set)."""
    rows = [
        session.conn.execute(f"SELECT v FROM {index}_config WHERE k = 'deletemerge'").fetchone()
        for index in ("contact_search", "contact_phone_search")
    ]
    return [int(row[0]) if row else 10 for row in rows]


def test_index_merges_wait_for_the_trace_removal_during_a_sweep(
    owner_session: Session, shop: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.privacy import erasure

    seen = []
    erase_many = erasure.erase_many

    def watching(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(_deletemerge(owner_session))
        return erase_many(*args, **kwargs)

    monkeypatch.setattr(erasure, "erase_many", watching)
    RetentionService(owner_session).apply(years(7))
    assert seen and all(value == [0, 0] for value in seen)
    assert _deletemerge(owner_session) == [10, 10]
    assert ContactService(owner_session).search("lead") == []


def test_cli_sweep_dry_run_json_and_apply(new_vault: tuple[Path, str], run_cli) -> None:  # type: ignore[no-untyped-def]
    path, login = new_vault[0], OWNER_PASSWORD + "\n"
    session = open_session(path, OWNER, OWNER_PASSWORD)
    binned = ContactService(session).create(ContactInput(given_name="Old", family_name="Binned"))
    ContactService(session).delete(binned)
    session.conn.execute("UPDATE contact SET deleted_at = '2000-01-01T00:00:00+00:00' WHERE id = ?", (binned,))
    session.lock()
    dry = run_cli("sweep", path, "--user", OWNER, "--dry-run", "--json", "--password-stdin", stdin=login)
    assert dry.code == 0, dry.err
    report = json.loads(dry.out)
    assert report["applied"] is False
    assert [(i["contact_id"], i["policy"], i["action"]) for i in report["items"]] == [
        (binned, "deleted_contact", "delete")
    ]
    applied = run_cli("sweep", path, "--user", OWNER, "--apply", "--password-stdin", stdin=login)
    assert applied.code == 0 and "deleted_contact=1" in applied.out
    held = run_cli("hold", path, "--user", OWNER, "--contact", binned, "--reason", "x", "--password-stdin", stdin=login)
    assert held.code == 5  # gone now


def test_cli_hold(new_vault: tuple[Path, str], run_cli) -> None:  # type: ignore[no-untyped-def]
    path, login = new_vault[0], OWNER_PASSWORD + "\n"
    session = open_session(path, OWNER, OWNER_PASSWORD)
    person = ContactService(session).create(ContactInput(given_name="Kept", family_name="Person"))
    session.lock()
    result = run_cli(
        "hold",
        path,
        "--user",
        OWNER,
        "--contact",
        person,
        "--reason",
        "Court order 12/2026",
        "--until",
        "2030-01-01",
        "--password-stdin",
        stdin=login,
    )
    assert result.code == 0, result.err
    assert run_cli("erase", path, "--user", OWNER, "--contact", person, "--password-stdin", stdin=login).code == 4


def test_a_new_vault_has_no_sweep_due(owner_session: Session) -> None:
    """Nothing to remove or anonymise: the unlock notice must not send a new owner to an empty preview."""
    service = RetentionService(owner_session)
    assert service.last_run() is None and service.preview() == []
    assert not service.due()
    assert not service.due(datetime.now(UTC) + timedelta(days=30))
    assert service.due(years(7)) == bool(service.preview(years(7)))  # by then the audit log has entries to trim
