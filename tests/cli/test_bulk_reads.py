"""Reads that amount to an export: one call hands staff and auditors at most a page of customers (more needs
the export permission), and a CLI list longer than a screenful is audited with its count, never its names or its
query. The customer list, which reads a page at a time as it scrolls, keeps working for staff."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.access.roles import PAGE_ROWS, SCREENFUL, Role
from app.access.session import Session, open_session
from app.access.users import UserService
from app.crm import demo
from app.crm.contacts import ContactInput, ContactService
from app.errors import PermissionDenied
from app.privacy.audit_actions import SummaryNames, action_text, summary_text
from app.vault import kdf
from tests.conftest import OWNER, OWNER_PASSWORD

STAFF, AUDITOR, MANAGER = "Bea Staff", "Carl Auditor", "Dora Manager"
PASSWORD = "own-password-1"
CROWD = 600  # more than two pages
NO_NAMES = SummaryNames({}, {})


@pytest.fixture
def shop(new_vault: tuple[Path, str]) -> Path:
    """A vault with CROWD customers (one called Zelda Quinn) and a staff member, an auditor and a manager
    who have chosen their own passwords."""
    path = new_vault[0]
    owner = open_session(path, OWNER, OWNER_PASSWORD)
    contacts = ContactService(owner)
    contacts.create_many(demo.generate(CROWD - 1), source="test")
    contacts.create(ContactInput(given_name="Zelda", family_name="Quinn"))
    users = UserService(owner, kdf.CHEAP)
    for name, role in ((STAFF, Role.STAFF), (AUDITOR, Role.AUDITOR), (MANAGER, Role.MANAGER)):
        users.add(name, role, "temporary-1")
    owner.lock("logout")
    for name in (STAFF, AUDITOR, MANAGER):
        session = open_session(path, name, "temporary-1")
        UserService(session, kdf.CHEAP).change_own_password("temporary-1", PASSWORD)
        session.lock("logout")
    return path


@pytest.fixture
def staff(shop: Path) -> Iterator[Session]:
    session = open_session(shop, STAFF, PASSWORD)
    yield session
    session.vault.close()


def _audit(path: Path) -> list[tuple[str, str, str]]:
    """(user name, action, summary) of every audit entry, read as the owner."""
    owner = open_session(path, OWNER, OWNER_PASSWORD)
    try:
        return [
            (str(r[0] or ""), str(r[1]), str(r[2]))
            for r in owner.conn.execute(
                "SELECT u.name, a.action, a.summary FROM audit_event a LEFT JOIN user u ON u.id = a.user_id "
                "ORDER BY a.id"
            )
        ]
    finally:
        owner.vault.close()


def _search(run_cli, path: Path, user: str, *args: str):  # type: ignore[no-untyped-def]
    return run_cli(
        "search",
        path,
        "--user",
        user,
        "--password-stdin",
        *args,
        stdin=(OWNER_PASSWORD if user == OWNER else PASSWORD) + "\n",
    )


# --- the CLI -------------------------------------------------------------------------------------------------


def test_staff_cannot_list_every_customer_and_are_told_why_and_how(run_cli, shop: Path) -> None:
    result = _search(run_cli, shop, STAFF, "", "--limit", "1000000", "--json")
    assert result.code == 4
    assert result.out == ""  # not one customer
    assert f"at most {PAGE_ROWS} customers at a time" in result.err
    assert "Ask the owner for the permission to export customer lists" in result.err
    refused = [(who, summary) for who, action, summary in _audit(shop) if action == "access.refused"]
    assert refused == [(STAFF, "export_bulk: 1000000 rows")]


@pytest.mark.parametrize("user", [STAFF, AUDITOR])
def test_staff_and_auditors_may_read_a_page_which_is_audited_with_its_count_only(
    run_cli, shop: Path, user: str
) -> None:
    result = _search(run_cli, shop, user, "", "--limit", str(PAGE_ROWS), "--json")
    assert result.code == 0, result.err
    assert len(json.loads(result.out)) == PAGE_ROWS
    bulk = [(who, summary) for who, action, summary in _audit(shop) if action == "contact.bulk_read"]
    assert bulk == [(user, f"{PAGE_ROWS} rows by search")]


def test_a_negative_limit_is_not_a_way_round_the_page(run_cli, shop: Path) -> None:
    """SQLite reads LIMIT -1 as no limit at all: a limit below 1 is a usage error, before anything is read
    (it was a refusal for staff, and every customer for an owner)."""
    for user in (STAFF, OWNER):
        result = _search(run_cli, shop, user, "", "--limit", "-1")
        assert result.code == 2 and result.out == "" and "--limit must be 1 or more" in result.err


def test_the_query_text_never_reaches_the_audit_log(run_cli, shop: Path) -> None:
    result = _search(run_cli, shop, MANAGER, "Zelda", "--limit", "1000")
    assert result.code == 0 and "Zelda Quinn" in result.out
    result = _search(run_cli, shop, MANAGER, "", "--limit", "1000000")
    assert result.code == 0 and len(result.out.splitlines()) == CROWD  # the export permission: everyone
    entries = _audit(shop)
    assert not [entry for entry in entries if "Zelda" in entry[2] or "Quinn" in entry[2]]
    bulk = [(who, summary) for who, action, summary in entries if action == "contact.bulk_read"]
    assert bulk == [(MANAGER, f"{CROWD} rows by search")]  # one Zelda is no bulk read


def test_a_screenful_is_not_recorded_as_a_bulk_read(run_cli, shop: Path) -> None:
    result = _search(run_cli, shop, STAFF, "")  # the default limit: one screenful
    assert result.code == 0 and len(result.out.splitlines()) == SCREENFUL
    assert "contact.bulk_read" not in [action for _who, action, _summary in _audit(shop)]


def test_the_audit_table_says_it_in_words() -> None:
    assert action_text("contact.bulk_read") == "Many customers listed at once"
    assert summary_text("contact.bulk_read", "600 rows by search", NO_NAMES) == "600 customers, by 'search'"
    assert action_text("access.refused") == "Refused: not permitted"
    assert (
        summary_text("access.refused", "export_bulk: 1000000 rows", NO_NAMES)
        == "export customer lists: 1000000 customers at once"
    )


# --- the services, called directly ---------------------------------------------------------------------------


def test_the_services_refuse_staff_more_than_a_page_in_one_call(staff: Session) -> None:
    contacts = ContactService(staff)
    with pytest.raises(PermissionDenied, match="export"):
        contacts.search("", limit=1_000_000)
    with pytest.raises(PermissionDenied):
        contacts.page(limit=PAGE_ROWS + 1)
    with pytest.raises(PermissionDenied):
        contacts.search("example", limit=PAGE_ROWS + 1)  # every demo email is at example.*
    everyone = [row[0] for row in staff.conn.execute("SELECT id FROM contact")]
    with pytest.raises(PermissionDenied):
        contacts.summaries(everyone)
    with pytest.raises(PermissionDenied):
        contacts.display_names(everyone)
    assert len(contacts.page(limit=PAGE_ROWS)) == PAGE_ROWS
    assert len(contacts.summaries(everyone[:PAGE_ROWS])) == PAGE_ROWS
    # Ids alone say nothing about anyone: the list holds a search's best 500 and reads them a page at a time.
    assert len(contacts.search_ids("example", limit=501)) > PAGE_ROWS
    refused = staff.conn.execute("SELECT count(*) FROM audit_event WHERE action = 'access.refused'").fetchone()[0]
    assert refused == 5


def test_walking_page_by_page_reaches_everyone(staff: Session) -> None:
    """The limit is per call: the customer list (and anyone) can still walk the list a page at a time."""
    contacts = ContactService(staff)
    seen: list[int] = []
    after = None
    while page := contacts.page(after=after, limit=PAGE_ROWS):
        seen += [row.id for row in page]
        after = contacts.sort_position(page[-1].id)
    assert len(seen) == len(set(seen)) == CROWD


# --- the customer list, as staff ------------------------------------------------------------------------------


def test_staff_scroll_through_the_whole_customer_list(qtbot, shop: Path) -> None:
    from tests.ui.test_customers import _window
    from tests.ui_helpers import open_session_for_ui, shutdown_session, wait_until
    from ui.models.contacts_model import BATCH

    assert BATCH <= PAGE_ROWS  # the list's page is one the services hand staff
    session = open_session_for_ui(shop, STAFF, PASSWORD)
    _main, page = _window(qtbot, session)
    table = page.table
    bar = table.verticalScrollBar()
    for _turn in range(20):  # scroll to the bottom as a person drags the bar, until nothing more comes
        bar.setValue(bar.maximum())
        qtbot.wait(20)
        if not page.model.canFetchMore():
            break
    wait_until(qtbot, lambda: page.model.rowCount() == CROWD)
    last = page.model.index(CROWD - 1, 0)
    table.scrollTo(last)
    assert table.visualRect(last).isValid()  # the last customer is on screen
    assert page.model.data(last)  # with a name, read as it scrolled into view
    shutdown_session(session)
    refused = [entry for entry in _audit(shop) if entry[1] == "access.refused"]
    assert refused == []  # nothing the list asked for was refused
