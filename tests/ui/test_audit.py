"""The audit log viewer: lazy paging, filters, and an audited CSV export."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt

from app.access.roles import Role
from app.access.session import Session
from app.store import audit
from tests.conftest import OWNER, OWNER_PASSWORD
from tests.ui_helpers import (
    add_user,
    make_controller,
    open_session_for_ui,
    shot,
    shutdown,
    shutdown_session,
    unlock_as,
    wait_until,
)
from ui.models.audit_model import BATCH, AuditTableModel
from ui.privacy.audit_log import local_midnight_utc
from ui.session_context import SessionContext


def _fill(session: Session, n: int) -> None:
    with session.change():
        for i in range(n):
            session.audit("test.entry", "contact", i, "no personal data")


def test_the_model_fetches_lazily_a_batch_at_a_time(qtbot, new_vault: tuple[Path, str]) -> None:
    session = open_session_for_ui(new_vault[0], OWNER, OWNER_PASSWORD)
    _fill(session, 600)
    context = SessionContext(session)
    model = AuditTableModel(context)
    assert model.rowCount() == 0 and model.canFetchMore()
    model.fetchMore()
    assert model.rowCount() == BATCH == 256 and model.canFetchMore()  # never the whole table at once
    model.fetchMore()
    model.fetchMore()
    total = model.rowCount()
    assert total > 600 and not model.canFetchMore()
    assert [model.entry(i).id for i in range(total)] == sorted(model.entry(i).id for i in range(total))
    session.record("audit.view")
    model.refresh()  # new entries append at the end
    assert model.rowCount() == total + 1 and model.entry(total).action == "audit.view"
    model.clear()
    assert model.rowCount() == 0 and not model.canFetchMore()
    shutdown_session(session)


def test_the_model_does_not_read_while_an_operation_holds_the_connection(qtbot, new_vault: tuple[Path, str]) -> None:
    import threading

    session = open_session_for_ui(new_vault[0], OWNER, OWNER_PASSWORD)
    context = SessionContext(session)
    model = AuditTableModel(context)
    release = threading.Event()
    context.run(lambda progress, cancelled: release.wait(5), description="busy")
    assert not model.canFetchMore()
    model.fetchMore()
    assert model.rowCount() == 0
    release.set()
    wait_until(qtbot, lambda: not context.busy)
    assert model.canFetchMore()
    shutdown_session(session)


def test_the_viewer_filters_and_records_that_it_was_opened(qtbot, tmp_path: Path, new_vault: tuple[Path, str]) -> None:
    session = open_session_for_ui(new_vault[0], OWNER, OWNER_PASSWORD)
    _fill(session, 300)
    add_user(session, "Bea Staff", Role.STAFF, "temporary-1")
    shutdown_session(session)
    controller = make_controller(tmp_path)
    unlock_as(qtbot, controller.show_unlock(new_vault[0]), OWNER, OWNER_PASSWORD)
    wait_until(qtbot, lambda: controller.main_window is not None)
    main = controller.main_window
    main.show_page("privacy")
    view = main.privacy.audit_view
    assert view is not None and view.model.rowCount() > 0
    assert view.model.rowCount() <= 2 * BATCH and view.model.canFetchMore()
    shot(main, "main-owner-audit-log")
    conn = controller.context.session.conn
    assert len(audit.entries(conn, audit.AuditFilter(action="audit.view"))) == 1  # opening it is logged too

    view.entity.setText("7")
    view.apply_filter()
    assert {view.model.entry(i).entity_id for i in range(view.model.rowCount())} == {"7"}
    view.clear_filters()
    view.action.setCurrentIndex(view.action.findData("user.add"))
    assert view.action.currentText() == "User added"  # chosen in words, filtered by the stored id
    view.apply_filter()
    assert view.model.rowCount() == 1
    index = view.model.index(0, 3)
    assert view.model.data(index) == "User added"
    assert view.model.data(index, Qt.ItemDataRole.ToolTipRole) == "user.add"
    view.action.setCurrentIndex(0)
    view.user.setCurrentIndex(view.user.findData(controller.context.session.user.id))
    view.use_until.setChecked(True)
    view.until.setDate(view.until.date().addDays(-1))  # yesterday: nothing is that old
    view.apply_filter()
    assert view.model.rowCount() == 0
    shutdown(controller)


def test_export_writes_the_filtered_rows_and_is_audited(qtbot, tmp_path: Path, new_vault: tuple[Path, str]) -> None:
    controller = make_controller(tmp_path)
    unlock_as(qtbot, controller.show_unlock(new_vault[0]), OWNER, OWNER_PASSWORD)
    wait_until(qtbot, lambda: controller.main_window is not None)
    main = controller.main_window
    main.show_page("privacy")
    view = main.privacy.audit_view
    view.action.setCurrentIndex(view.action.findData("session.login"))
    view.apply_filter()
    out = tmp_path / "audit.csv"
    view.export(out)
    assert controller.context.busy  # on a worker, with the window kept off the connection
    wait_until(qtbot, lambda: not controller.context.busy)
    with out.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(line for line in handle if line[0] != "#"))  # the last line: #17's head
    assert rows and {row["action"] for row in rows} == {"session.login"}
    last = audit.entries(controller.context.session.conn, audit.AuditFilter(action="audit.export"))
    assert last and last[-1].summary == f"{len(rows)} rows"
    shutdown(controller)


def test_day_bounds_are_local_midnight_in_utc() -> None:
    bound = local_midnight_utc(date(2024, 5, 1))
    assert bound.endswith("+00:00") and len(bound) == len("2024-05-01T00:00:00.000000+00:00")


def test_summaries_are_shown_in_words_not_keys(qtbot, new_vault: tuple[Path, str]) -> None:
    """The table said "stage 1->2" and "email_marketing via form"; the log and its CSV keep that form."""
    from app.access.users import UserService
    from app.consent.ledger import ConsentService
    from app.crm.contacts import ContactInput, ContactService
    from app.crm.deals import DealService

    session = open_session_for_ui(new_vault[0], OWNER, OWNER_PASSWORD)
    person = ContactService(session).create(ContactInput(given_name="Clara", family_name="Schmidt"))
    deals = DealService(session)
    lead, proposal = deals.pipelines()[0].stages[0], deals.pipelines()[0].stages[2]
    deal = deals.create("Wedding flowers", value="100", currency="EUR", contact_id=person, stage_id=lead.id)
    deals.move(deal, proposal.id)
    ConsentService(session).record(person, "email_marketing", True, "verbal")
    UserService(session).add("Sam", "staff", "temporary-1")
    model = AuditTableModel(SessionContext(session))
    while model.canFetchMore():
        model.fetchMore()
    shown = {model.entry(row).action: model.data(model.index(row, 5)) for row in range(model.rowCount())}
    assert shown["deal.move"] == "Lead → Proposal"
    assert shown["consent.grant"] == "Email marketing, told in person"
    assert shown["user.add"] == "Role: Staff"
    about = {model.entry(row).action: model.data(model.index(row, 4)) for row in range(model.rowCount())}
    assert about["deal.move"] == f"deal {deal}" and about["consent.grant"] == f"customer {person}"
    stored = {e.action: e.summary for e in audit.entries(session.conn)}
    assert stored["deal.move"] == f"stage {lead.id}->{proposal.id}"  # the log itself is unchanged
    shutdown_session(session)
