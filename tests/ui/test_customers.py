"""The Customers page: the lazy list model, search as you type, the record pane, the edit dialog, delete with
undo, duplicates, export, role limits and forgetting everything at lock time. Real vault files, real widgets."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QStyleOptionViewItem, QWidget

from app.access.roles import Role
from app.access.session import Session
from app.access.users import UserService
from app.crm import demo
from app.crm.activities import ActivityService
from app.crm.contacts import ContactInput, ContactPointInput, ContactService
from app.crm.deals import DealService
from app.store import audit
from tests.conftest import OWNER, OWNER_PASSWORD
from tests.ui.test_mnemonics import controls_of, mnemonics
from tests.ui_helpers import (
    add_user,
    choose_path,
    open_import,
    open_session_for_ui,
    press,
    shot,
    shutdown_session,
    type_into,
    wait_until,
)
from ui.customers.contact_dialog import ContactDialog
from ui.customers.duplicates_dialog import DuplicatesDialog
from ui.customers.import_dialog import ImportDialog
from ui.customers.page import OPEN_DELAY_MS, SEARCH_DELAY_MS, CustomersPage
from ui.main_window import MainWindow
from ui.models.contacts_model import BATCH, SEARCH_LIMIT, ContactListModel
from ui.session_context import SessionContext

STAFF, STAFF_TEMP, STAFF_PASSWORD = "Bea Staff", "temporary-1", "bea-own-pass-1"


def _person(given: str, family: str, email: str = "", phone: str = "", **more: object) -> ContactInput:
    points = [ContactPointInput("email", email, "work")] if email else []
    points += [ContactPointInput("phone", phone, "mobile")] if phone else []
    return ContactInput(given_name=given, family_name=family, points=points, **more)  # type: ignore[arg-type]


# People the tests look for, beside the generated crowd: CJK, Arabic, accents, and two duplicate pairs.
KNOWN = [
    (
        "Ana Lima",
        _person(
            "Ana",
            "Lima",
            "ana.lima@example.org",
            "+44 7700 900123",
            organisation="Corner Bakery",
            job_title="Buyer",
            tags=["vip", "wholesale"],
            language="es",
            note="Prefers calls after 10.",
        ),
    ),
    ("Ana Maria Lima", _person("Ana Maria", "Lima", "Ana.Lima@example.org", organisation="Corner Bakery")),
    ("王芳", _person("芳", "王", "wang.fang@example.org", "+86 139 1234 5678", language="zh_CN")),
    (
        "فاطمة حسن",
        _person(
            "فاطمة",
            "حسن",
            "fatima.hassan@example.org",
            "+971 50 123 4567",
            language="ar",
            organisation="Corner Bakery",
            tags=["online"],
        ),
    ),
    ("José Núñez", _person("José", "Núñez", "jose.nunez@example.org", "+34 612 345 678", language="es")),
    ("Lukas Weber", _person("Lukas", "Weber", "lukas@example.org", "+49 151 2345 6789", language="de")),
    ("Lukas Weber (2)", _person("Lukas", "Weber", "l.weber@example.org", "+49 151 2345 6789", language="de")),
]


def _fill(session: Session, crowd: int) -> dict[str, int]:
    """`crowd` generated customers plus KNOWN, and deals and activities for Ana Lima; returns KNOWN's ids."""
    contacts = ContactService(session)
    contacts.create_many(demo.generate(crowd), source="test")
    ids = contacts.create_many([person for _name, person in KNOWN], source="test")
    names = {name: contact_id for (name, _person), contact_id in zip(KNOWN, ids, strict=True)}
    ana = names["Ana Lima"]
    deals = DealService(session)
    stages = deals.pipelines()[0].stages
    now = datetime.now(UTC)
    deals.create(
        "Wedding flowers",
        value="1250.00",
        currency="EUR",
        contact_id=ana,
        stage_id=stages[1].id,
        expected_close=(now + timedelta(days=30)).date(),
    )
    deals.create("Weekly office bouquets", value="80", currency="GBP", contact_id=ana, stage_id=stages[0].id)
    deals.close(deals.create("Shop window display", value="300", currency="EUR", contact_id=ana), won=True)
    activities = ActivityService(session)
    activities.create("call", "Call about the wedding order", due_at=now + timedelta(days=2), contact_id=ana)
    activities.create("task", "Send the quote", due_at=now - timedelta(days=1), contact_id=ana)
    return names


def _window(qtbot, session: Session) -> tuple[MainWindow, CustomersPage]:
    """The real main window at its real size, showing the Customers page (swapped in until the lead wires it)."""
    context = SessionContext(session)
    main = MainWindow(context)
    # A signed-in window ignores close() (the controller decides about quitting): mark it discarded so the
    # cleanup really closes it, and no window from this test lingers into the next one.
    qtbot.addWidget(main, before_close_func=lambda window: setattr(window, "discarded", True))
    page = main.page("customers")
    if not isinstance(page, CustomersPage):
        old = page
        page = CustomersPage(context, main)
        main.stack.insertWidget(main.stack.indexOf(old), page)
        main.stack.removeWidget(old)
        main.clear = lambda: page.clear()  # type: ignore[method-assign]
    main.show()
    main.show_page("customers")
    main.stack.setCurrentWidget(page)
    main.activateWindow()
    qtbot.waitActive(main)
    wait_until(qtbot, lambda: page.model.rowCount() > 0 or not page.model.canFetchMore())
    return main, page


def _open(qtbot, page: CustomersPage, name: str) -> int:
    """Search for someone like a person would, select them (or the first match) and wait for the record."""
    page.search.setText(name)
    wait_until(qtbot, lambda: page.model.query == name and page.model.rowCount() > 0)
    names = _names(page.model)
    row = names.index(name) if name in names else 0
    page.table.selectRow(row)
    contact_id = page.model.contact_id(row)
    wait_until(qtbot, lambda: page.detail.contact_id == contact_id)
    return contact_id


W = TypeVar("W", bound=QWidget)


def _shown(parent: QWidget, kind: type[W]) -> W:
    """The one `kind` window open on screen over `parent`, as a person would find it."""
    found = [w for w in parent.findChildren(kind) if w.isVisible()]
    assert len(found) == 1, f"{len(found)} {kind.__name__} on screen"
    return found[0]


def _edit(qtbot, page: CustomersPage) -> ContactDialog:
    """Press Edit on the record shown and return the editor it opens."""
    press(qtbot, page.detail.edit_button)
    return _shown(page.window(), ContactDialog)


def _shot(qtbot, widget: QWidget, name: str) -> None:
    qtbot.wait(50)  # let queued shows and layouts settle, as they would on screen
    shot(widget, name)


def _names(model: ContactListModel) -> list[str]:
    return [model.data(model.index(row, 0)) for row in range(model.rowCount())]


# --- the model ---------------------------------------------------------------------------------------------


def test_the_model_passes_the_qt_model_tester_and_pages_lazily(qtbot, qtmodeltester, qtlog, owner) -> None:
    _fill(owner, 600 - len(KNOWN))
    context = SessionContext(owner)
    model = ContactListModel(context)
    assert model.rowCount() == 0 and model.canFetchMore()  # nothing is read until a view asks
    model.fetchMore()
    assert model.rowCount() == BATCH == 256 and model.canFetchMore()
    model.fetchMore()
    assert model.rowCount() == 2 * BATCH and model.canFetchMore()
    model.fetchMore()
    assert model.rowCount() == 600 and not model.canFetchMore()
    names = _names(model)
    assert names.index("Ana Lima") < names.index("José Núñez") < names.index("Lukas Weber")  # name order
    assert len(set(model.contact_id(row) for row in range(600))) == 600

    tested = ContactListModel(context)
    qtmodeltester.check(tested)  # it fetches as it likes, and checks every signal the model sends from now on
    tested.fetchMore()
    tested.set_query("王")
    assert tested.rowCount() > 0 and all("王" in name for name in _names(tested))
    tested.set_query("")
    assert tested.rowCount() == BATCH and tested.canFetchMore()
    tested.fetchMore()
    tested.refresh()
    assert tested.rowCount() == 2 * BATCH
    tested.clear()
    failures = [record.message for record in qtlog.records if "FAIL" in record.message]
    assert failures == []


def test_a_page_let_go_is_read_again_by_its_cursor(qtbot, owner, monkeypatch: pytest.MonkeyPatch) -> None:
    from ui.models import contacts_model

    monkeypatch.setattr(contacts_model, "CACHE_BLOCKS", 2)
    _fill(owner, (contacts_model.CACHE_BLOCKS + 1) * BATCH)
    model = ContactListModel(SessionContext(owner))
    while model.canFetchMore():
        model.fetchMore()
    assert model.rowCount() == (contacts_model.CACHE_BLOCKS + 1) * BATCH + len(KNOWN)
    assert len(model._cache) == contacts_model.CACHE_BLOCKS and 0 not in model._cache  # text of a few pages only
    first = ContactService(owner).page(limit=BATCH)
    assert _names(model)[:BATCH] == [summary.name for summary in first]  # read again by the page's cursor
    assert len(model._cache) == contacts_model.CACHE_BLOCKS  # still only a few pages, whatever was read


def test_search_results_are_capped_and_say_so(qtbot, owner) -> None:
    _fill(owner, SEARCH_LIMIT + 20)
    model = ContactListModel(SessionContext(owner))
    model.set_query("example")  # every generated email is at example.org
    assert model.rowCount() == SEARCH_LIMIT and model.capped and not model.canFetchMore()


def test_the_model_does_not_read_while_an_operation_holds_the_connection(qtbot, owner) -> None:
    import threading

    _fill(owner, 10)
    context = SessionContext(owner)
    model = ContactListModel(context)
    release = threading.Event()
    context.run(lambda progress, cancelled: release.wait(5), description="busy")
    assert not model.canFetchMore()
    model.fetchMore()
    model.refresh()
    assert model.rowCount() == 0
    release.set()
    wait_until(qtbot, lambda: not context.busy)
    model.fetchMore()
    assert model.rowCount() == 10 + len(KNOWN)


# --- the page ----------------------------------------------------------------------------------------------


def test_typing_filters_the_list_cjk_and_without_accents(qtbot, owner) -> None:
    _fill(owner, 300)
    main, page = _window(qtbot, owner)
    assert page.model.rowCount() == BATCH and "scroll down for more" in page.count_label.text()
    page.search.setFocus()
    typed = QInputMethodEvent()  # how a Chinese input method delivers a character
    typed.setCommitString("王")
    QApplication.sendEvent(page.search, typed)
    assert page.search.text() == "王"
    assert page.model.query == ""  # not on every key: after a pause
    wait_until(qtbot, lambda: page.model.query == "王", timeout=SEARCH_DELAY_MS * 10)
    assert 0 < page.model.rowCount() < BATCH and all("王" in name for name in _names(page.model))
    assert "王芳" in _names(page.model)
    page.table.selectRow(_names(page.model).index("王芳"))
    wait_until(qtbot, lambda: page.detail.name.text() == "王芳")
    _shot(qtbot, main, "customers-search-cjk")
    page.search.clear()
    qtbot.keyClicks(page.search, "nunez")
    wait_until(qtbot, lambda: page.model.query == "nunez")
    assert "José Núñez" in _names(page.model)
    assert all("Núñez" in name for name in _names(page.model))
    assert "match" in page.count_label.text()
    qtbot.keyClick(page.search, Qt.Key.Key_Escape)
    assert page.model.query == "" and page.model.rowCount() == BATCH


def test_opening_a_record_shows_it_and_is_audited(qtbot, owner) -> None:
    names = _fill(owner, 300)
    main, page = _window(qtbot, owner)
    before = len(audit.entries(owner.conn, audit.AuditFilter(action="contact.read"), limit=1000))
    contact_id = _open(qtbot, page, "Ana Lima")
    assert page.detail.name.text() == "Ana Lima"
    reads = audit.entries(owner.conn, audit.AuditFilter(action="contact.read", entity_id=str(contact_id)))
    assert (
        len(reads) == 1
        and len(audit.entries(owner.conn, audit.AuditFilter(action="contact.read"), limit=1000)) == before + 1
    )  # only the one opened
    overview = page.detail.overview
    texts = [overview.form.itemAt(i).widget().text() for i in range(overview.form.count())]
    assert "ana.lima@example.org" in texts and "Email (work):" in texts and "vip, wholesale" in texts
    assert "Corner Bakery, Buyer" in texts and "Spanish" in texts
    deals = page.detail.deals.rows()
    assert {row[0]: row[1] for row in deals} == {
        "Wedding flowers": "Qualified",
        "Weekly office bouquets": "Lead",
        "Shop window display": "Won",
    }
    assert any("1,250.00" in row[2] and row[3] for row in deals)  # with the day it should close
    states = {row[1]: row[3] for row in page.detail.activities.rows()}
    assert states["Send the quote"] == "Overdue" and states["Call about the wedding order"] == "To do"
    assert any("Prefers calls after 10." in text for text in page.detail.notes.texts())
    history = page.detail.history.rows()
    assert [row[2] for row in history][:1] == ["Opened"] and OWNER in history[0][1]
    page.detail.tabs.setCurrentWidget(page.detail.deals)
    _shot(qtbot, main, "customers-detail-deals")
    page.detail.tabs.setCurrentWidget(page.detail.history)
    _shot(qtbot, main, "customers-detail-history")

    page.detail.tabs.setCurrentWidget(page.detail.notes)
    page.detail.notes.editor.setPlainText("Wants the ribbons in blue.")
    press(qtbot, page.detail.notes.add_button)
    assert "Wants the ribbons in blue." in page.detail.notes.texts()[0]  # newest first
    assert ContactService(owner).search("ribbons", 5)[0].id == contact_id
    assert len(audit.entries(owner.conn, audit.AuditFilter(action="contact.read", entity_id=str(contact_id)))) == 1

    page.search.setText("corner")  # an organisation: people of every script work there
    wait_until(qtbot, lambda: page.model.query == "corner")
    page.table.selectRow(page.model.row_of(names["فاطمة حسن"]))
    wait_until(qtbot, lambda: page.detail.contact_id == names["فاطمة حسن"])
    assert page.detail.name.text() == "فاطمة حسن" and page.detail.name.alignment() & Qt.AlignmentFlag.AlignLeft
    page.detail.tabs.setCurrentWidget(page.detail.overview)
    _shot(qtbot, main, "customers-list-and-detail")


def test_arrowing_through_the_list_opens_only_where_it_rests(qtbot, owner) -> None:
    _fill(owner, 50)
    main, page = _window(qtbot, owner)
    page.table.setFocus()
    page.table.selectRow(0)
    for _ in range(5):
        qtbot.keyClick(page.table, Qt.Key.Key_Down)
    wait_until(qtbot, lambda: page.detail.contact_id is not None)
    qtbot.wait(OPEN_DELAY_MS * 2)
    assert page.detail.contact_id == page.model.contact_id(5)
    assert len(audit.entries(owner.conn, audit.AuditFilter(action="contact.read"))) == 1


def test_creating_a_customer_through_the_dialog(qtbot, owner) -> None:
    _fill(owner, 100)
    main, page = _window(qtbot, owner)
    count = ContactService(owner).search("Zoë", 10)
    qtbot.keyClick(page.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = next(d for d in page._dialogs if isinstance(d, ContactDialog))
    assert dialog.isVisible() and dialog.windowTitle() == "New customer"
    qtbot.keyClicks(dialog.given, "Zo")  # QTest types ASCII only
    dialog.given.insert("ë")
    dialog.family.setText("Ng")
    dialog.emails.rows[0].value.setText("zoe.ng@example.org")
    second = dialog.emails.add_row("home", "zoe at home")
    dialog.phones.rows[0].value.setText("+44 7700 900456")
    dialog.addresses.rows[0].value.setText("12 High Street, Example Town")
    dialog.tags.setText("online, repeat")
    press(qtbot, dialog.ok_button)
    assert dialog.isVisible() and "is not an email address" in second.message.text()
    assert dialog.focusWidget() is second.value  # the cursor is in the wrong field
    assert not dialog.message.text()
    assert ContactService(owner).search("Zoë", 10) == count  # nothing saved
    _shot(qtbot, dialog, "customers-edit-dialog-error")

    second.value.selectAll()
    qtbot.keyClicks(second.value, "zoe@home.example.org")
    assert not second.message.text()  # the message goes once the person corrects the field
    press(qtbot, dialog.ok_button)
    assert not dialog.isVisible()
    found = ContactService(owner).search("Zoë Ng", 10)
    assert [c.name for c in found] == ["Zoë Ng"]
    zoe = found[0].id
    assert page.detail.contact_id == zoe and page.selected_id() == zoe  # the list shows and selects her
    assert page.model.summary(page.model.row_of(zoe)).email == "zoe.ng@example.org"
    record = page.detail.record
    assert [(p.kind, p.label, p.value) for p in record.points if p.kind == "email"] == [
        ("email", "work", "zoe.ng@example.org"),
        ("email", "home", "zoe@home.example.org"),
    ]
    assert record.tags == ["online", "repeat"]


def test_a_nameless_customer_is_refused_under_the_form(qtbot, owner) -> None:
    _fill(owner, 5)
    main, page = _window(qtbot, owner)
    dialog = page.new_customer()
    dialog.emails.rows[0].value.setText("someone@example.org")
    press(qtbot, dialog.ok_button)
    assert dialog.isVisible() and "needs a name" in dialog.message.text()
    assert dialog.focusWidget() is dialog.given
    dialog.reject()


def test_editing_keeps_the_details_and_saves_changes(qtbot, owner) -> None:
    _fill(owner, 20)
    main, page = _window(qtbot, owner)
    contact_id = _open(qtbot, page, "王芳")
    dialog = _edit(qtbot, page)
    assert dialog.given.text() == "芳" and dialog.family.text() == "王" and dialog.display.text() == ""
    assert [row.value.text() for row in dialog.phones.rows] == ["+86 139 1234 5678"]
    assert dialog.language.currentData() == "zh_CN"
    press(qtbot, dialog.phones.rows[0].remove_button)
    dialog.organisation.setText("北京花店")
    press(qtbot, dialog.ok_button)
    assert not dialog.isVisible()
    record = page.detail.record
    assert record.id == contact_id and [p.kind for p in record.points] == ["email"]
    assert record.organisations[0][1] == "北京花店"


def test_delete_and_undo_brings_the_person_back(qtbot, owner) -> None:
    names = _fill(owner, 200)
    main, page = _window(qtbot, owner)
    ana = _open(qtbot, page, "Ana Lima")
    page.search.clear()
    page.apply_search()
    page.table.setFocus()
    assert page.selected_id() == ana
    qtbot.keyClick(page.table, Qt.Key.Key_Delete)
    assert page.undo_bar.isVisible() and page.undo_bar.text.text() == "Deleted Ana Lima."
    assert page.model.row_of(ana) is None and page.detail.contact_id is None
    assert ContactService(owner).search("Ana Lima", 5)[0].id != ana  # only Ana Maria is left
    _shot(qtbot, main, "customers-undo-bar")
    qtbot.keyClick(page.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert not page.undo_bar.isVisible()
    assert page.model.row_of(ana) is not None and page.detail.contact_id == ana and page.selected_id() == ana
    actions = [e.action for e in audit.entries(owner.conn, audit.AuditFilter(entity_id=str(ana)))]
    assert actions[-2:] == ["contact.restore", "contact.read"] and "contact.delete" in actions
    assert names["Ana Lima"] == ana


def test_export_writes_what_is_shown_and_warns_it_is_plaintext(qtbot, tmp_path: Path, owner) -> None:
    _fill(owner, 40)
    main, page = _window(qtbot, owner)
    assert page.export_button.isEnabled()
    page.search.setText("lima")
    page.apply_search()
    out = tmp_path / "customers.csv"
    press(qtbot, page.export_button)
    choose_path(main, out)  # where to save; the person picks a path and saves
    assert page.context.busy
    wait_until(qtbot, lambda: not page.context.busy)
    with out.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert sorted(row["name"] for row in rows) == ["Ana Lima", "Ana Maria Lima"]
    box = next(w for w in main.findChildren(QMessageBox) if w.isVisible())
    assert "Wrote 2 customers" in box.text() and "not encrypted" in box.informativeText()
    box.close()


def test_a_long_export_shows_how_far_it_is_and_cancel_leaves_no_file(qtbot, tmp_path: Path, owner) -> None:  # type: ignore[no-untyped-def]
    """Exporting a big list takes a while: the status bar counts the rows and offers Cancel (the only thing
    enabled then); a cancelled export leaves no half-written file and no audit entry claiming an export."""
    ContactService(owner).create_many(demo.generate(60_000), source="test")
    main, page = _window(qtbot, owner)
    out = tmp_path / "customers.csv"
    press(qtbot, page.export_button)
    choose_path(main, out)
    assert main.cancel_button.isVisible() and not main.centralWidget().isEnabled()
    wait_until(
        qtbot, lambda: main.busy_text.text().startswith("Exporting customers… ") and "000" in main.busy_text.text()
    )
    _shot(qtbot, main, "customers-export-progress")
    press(qtbot, main.cancel_button)
    wait_until(qtbot, lambda: not page.context.busy, 30_000)

    assert not out.exists() and not list(tmp_path.glob("*.tmp*"))  # nothing half-written left behind
    box = next(w for w in main.findChildren(QMessageBox) if w.isVisible())
    assert box.text() == "The export was stopped; no file was written."
    box.close()
    assert not main.cancel_button.isVisible() and main.centralWidget().isEnabled()
    exports = owner.conn.execute("SELECT count(*) FROM audit_event WHERE action = 'contact.export'").fetchone()[0]
    assert exports == 0


def test_duplicates_are_listed_and_merged_into_the_one_kept(qtbot, owner) -> None:
    names = _fill(owner, 60)
    main, page = _window(qtbot, owner)
    press(qtbot, page.duplicates_button)
    dialog = _shown(main, DuplicatesDialog)
    wait_until(qtbot, lambda: not page.context.busy and bool(dialog.groups))
    groups = [{m.name for m in group} for group in dialog.groups]
    assert {"Ana Lima", "Ana Maria Lima"} in groups and {"Lukas Weber"} in groups
    _shot(qtbot, dialog, "customers-duplicates")
    ana_group = next(i for i, g in enumerate(groups) if "Ana Lima" in g)
    top = dialog.tree.topLevelItem(ana_group)
    keep = next(top.child(i) for i in range(top.childCount()) if top.child(i).text(0) == "Ana Lima")
    dialog.tree.setCurrentItem(keep)
    other = next(m.id for m in dialog.groups[ana_group] if m.name == "Ana Maria Lima")
    press(qtbot, dialog.merge_button)
    box = _shown(dialog, QMessageBox)
    assert f"Ana Maria Lima (no. {other}) into Ana Lima (no. {names['Ana Lima']})" in box.text()
    press(qtbot, next(b for b in box.buttons() if b.text() == "&Merge"))
    wait_until(qtbot, lambda: not page.context.busy and "Merged 1 record" in dialog.message.text())
    wait_until(qtbot, lambda: not page.context.busy and len(dialog.groups) == len(groups) - 1)
    assert [c.name for c in ContactService(owner).search("Lima", 10)] == ["Ana Lima"]
    wait_until(qtbot, lambda: "Ana Maria Lima" not in _names(page.model))
    dialog.close()


def test_staff_see_no_export_or_merge(qtbot, new_vault: tuple[Path, str]) -> None:
    session = open_session_for_ui(new_vault[0], OWNER, OWNER_PASSWORD)
    _fill(session, 10)
    add_user(session, STAFF, Role.STAFF, STAFF_TEMP)
    shutdown_session(session)
    staff = open_session_for_ui(new_vault[0], STAFF, STAFF_TEMP)
    UserService(staff).change_own_password(STAFF_TEMP, STAFF_PASSWORD)
    main, page = _window(qtbot, staff)
    for button in (page.export_button, page.duplicates_button):
        assert not button.isEnabled() and "Staff" in button.toolTip()
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)  # a click on the disabled button
    kinds = (QFileDialog, QMessageBox, DuplicatesDialog)
    opened = [w for kind in kinds for w in main.findChildren(kind) if w.isVisible()]
    assert not opened  # opens nothing
    assert page.new_button.isEnabled()  # staff do customer work
    ana = _open(qtbot, page, "Ana Lima")
    assert page.detail.contact_id == ana
    assert "may not read the audit log" in page.detail.history.note.text()
    _shot(qtbot, main, "customers-staff")
    shutdown_session(staff)


def test_clear_forgets_every_customer(qtbot, owner) -> None:
    _fill(owner, 300)
    main, page = _window(qtbot, owner)
    _open(qtbot, page, "Ana Lima")
    page.delete_customer(page.detail.contact_id)
    _open(qtbot, page, "Lukas")
    dialog = _edit(qtbot, page)
    assert dialog.isVisible()
    main.clear()
    assert page.model.rowCount() == 0 and not page.model.canFetchMore()
    assert page.search.text() == "" and page.detail.contact_id is None and page.detail.name.text() == ""
    assert page.detail.overview.form.rowCount() == 0 and page.detail.notes.list.count() == 0
    assert page.detail.deals.table.rowCount() == 0 and page.detail.history.table.rowCount() == 0
    assert not page.undo_bar.isVisible() and "Ana" not in page.undo_bar.text.text()
    assert not dialog.isVisible() and not page._dialogs
    qtbot.wait(SEARCH_DELAY_MS + OPEN_DELAY_MS)  # no timer brings anything back
    assert page.model.rowCount() == 0 and page.detail.contact_id is None


def test_importing_a_file_previews_then_adds_the_people(qtbot, owner) -> None:
    from app.crm.importing.model import ImportReport
    from ui.customers.import_dialog import ImportDialog

    fixtures = Path(__file__).parents[1] / "fixtures" / "import"
    _fill(owner, 30)
    main, page = _window(qtbot, owner)
    dialog = open_import(qtbot, page, fixtures / "shopify_customers_export.csv")
    assert isinstance(dialog, ImportDialog)
    wait_until(qtbot, lambda: not page.context.busy and dialog.last_preview is not None)
    assert not ContactService(owner).search("wang.fang@example.cn", 5)  # a preview writes nothing
    assert "Shopify" in dialog.detected.text()
    names = [dialog.rows.item(r, 1).text() for r in range(dialog.rows.rowCount())]
    assert "José Núñez" in names and "王芳" in names
    fills = {
        dialog.columns.item(r, 0).text(): dialog.columns.cellWidget(r, 1).currentText()
        for r in range(dialog.columns.rowCount())
    }
    assert fills["First Name"] == "Given name" and fills["Total Spent"] == "Total spent"
    assert fills["Tax Exempt"] == "(not imported)"
    report = dialog.last_preview.report
    assert f"{report.imported} customers will be imported" in dialog.summary.text()
    assert dialog.keep_duplicates.isVisible() and report.duplicates  # José and 王芳 are already customers
    assert dialog.consent_note.isVisible() and "consent history" in dialog.consent_note.text()
    assert dialog.import_button.isEnabled()
    _shot(qtbot, dialog, "customers-import")
    reports: list[ImportReport] = []
    dialog.imported.connect(reports.append)
    press(qtbot, dialog.import_button)
    wait_until(qtbot, lambda: bool(reports) and not page.context.busy)
    assert dialog not in page._dialogs and len(reports[0].contact_ids) == report.imported  # closed
    assert [c.name for c in ContactService(owner).search("Ngozi Okafor", 5)] == ["Ngozi Okafor"]
    assert not ContactService(owner).search("wang.fang@example.cn", 5)  # same phone as our 王芳: left out
    assert f"Imported {report.imported} customers" in page.message.text()
    wait_until(qtbot, lambda: page.model.rowCount() == 30 + len(KNOWN) + report.imported)


def test_import_offers_to_keep_duplicates(qtbot, owner) -> None:
    fixtures = Path(__file__).parents[1] / "fixtures" / "import"
    main, page = _window(qtbot, owner)
    dialog = open_import(qtbot, page, fixtures / "duplicates.csv")
    wait_until(qtbot, lambda: not page.context.busy and dialog.last_preview is not None)
    duplicates = dialog.last_preview.report.duplicates
    assert duplicates and dialog.keep_duplicates.isVisible()
    assert any(
        text.startswith("Line ") and "skipped" in text
        for text in (dialog.messages.item(i).text() for i in range(dialog.messages.count()))
    )
    dialog.keep_duplicates.setChecked(True)
    dialog.start_import()
    wait_until(qtbot, lambda: not page.context.busy and dialog not in page._dialogs)
    assert len(ContactService(owner).search("example.com", 50)) == 5  # every row, duplicates kept


def test_keyboard_shortcuts_reach_search_and_new(qtbot, owner) -> None:
    _fill(owner, 20)
    main, page = _window(qtbot, owner)
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is page.search
    qtbot.keyClicks(page.search, "weber")
    qtbot.keyClick(page.search, Qt.Key.Key_Return)  # no need to wait for the pause
    assert page.model.query == "weber" and page.model.rowCount() == 2
    qtbot.keyClick(page.search, Qt.Key.Key_Down)
    assert QApplication.focusWidget() is page.table and page.selected_id() == page.model.contact_id(0)
    qtbot.keyClick(page.table, Qt.Key.Key_Return)  # Enter edits the selected customer
    dialog = next(d for d in page._dialogs if isinstance(d, ContactDialog))
    assert dialog.record is not None and dialog.record.display_name == "Lukas Weber"
    dialog.reject()
    main.show_page("privacy")
    qtbot.keyClick(main.sidebar, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)  # another page is showing
    assert not [d for d in page._dialogs if isinstance(d, ContactDialog) and d.isVisible()]


def test_an_auditor_may_look_but_not_change(qtbot, new_vault: tuple[Path, str]) -> None:
    session = open_session_for_ui(new_vault[0], OWNER, OWNER_PASSWORD)
    _fill(session, 10)
    add_user(session, "Aud Itor", Role.AUDITOR, "temporary-2")
    shutdown_session(session)
    auditor = open_session_for_ui(new_vault[0], "Aud Itor", "temporary-2")
    UserService(auditor).change_own_password("temporary-2", "auditor-own-pass-2")
    main, page = _window(qtbot, auditor)
    for button in (
        page.new_button,
        page.import_button,
        page.detail.edit_button,
        page.detail.delete_button,
        page.detail.notes.add_button,
    ):
        assert not button.isEnabled() and "Auditor" in button.toolTip()
    assert page.new_customer() is None and not page.new_action.isEnabled()
    ana = _open(qtbot, page, "Ana Lima")
    page.delete_customer(ana)
    assert not page.undo_bar.isVisible() and page.detail.contact_id == ana
    assert page.detail.history.rows()[0][2] == "Opened"  # auditors read the log
    shutdown_session(auditor)


def test_a_tab_added_by_the_main_window_follows_the_shown_person(qtbot, owner) -> None:
    class ConsentStandIn(QWidget):
        """Shaped like the ConsentPanel the main window adds: show_contact(id | None) and clear()."""

        def __init__(self) -> None:
            super().__init__()
            self.shown: list[int | None] = []
            self.cleared = 0

        def show_contact(self, contact_id: int | None) -> None:
            self.shown.append(contact_id)

        def clear(self) -> None:
            self.cleared += 1

    names = _fill(owner, 10)
    main, page = _window(qtbot, owner)
    panel = ConsentStandIn()
    index = page.detail.add_tab(panel, "&Consent")
    assert page.detail.tabs.widget(index) is panel and page.detail.tabs.tabText(index) == "&Consent"
    assert panel.shown == [None]
    ana = _open(qtbot, page, "Ana Lima")
    assert panel.shown[-1] == ana == names["Ana Lima"]
    page.delete_customer(ana)
    assert panel.shown[-1] is None
    page.clear()
    assert panel.cleared == 1


def test_showing_a_customer_never_widens_the_main_window(qtbot, owner) -> None:
    """Issue #15: the first customer shown widened the window (1100 → 1173 px): the Consent tab's buttons, side by
    side, made the record pane's minimum wider than its share of the window."""
    names = _fill(owner, 30)
    main, page = _window(qtbot, owner)
    main.resize(main.minimumSizeHint().width(), main.height())  # as narrow as the person can make it
    qtbot.wait(20)
    width = main.width()
    type_into(qtbot, page.search, "Ana Lima")
    wait_until(qtbot, lambda: page.model.query == "Ana Lima" and page.model.rowCount() > 0)
    row = _names(page.model).index("Ana Lima")
    qtbot.mouseClick(
        page.table.viewport(), Qt.MouseButton.LeftButton, pos=page.table.visualRect(page.model.index(row, 0)).center()
    )
    wait_until(qtbot, lambda: page.detail.contact_id == names["Ana Lima"])
    qtbot.wait(20)
    assert page.detail.name.isVisible() and page.detail.name.text() == "Ana Lima"
    assert main.width() == width
    tabs = page.detail.tabs
    for index in range(tabs.count()):  # every tab, the Consent one the main window adds included
        qtbot.mouseClick(tabs.tabBar(), Qt.MouseButton.LeftButton, pos=tabs.tabBar().tabRect(index).center())
        qtbot.wait(10)
        assert tabs.currentIndex() == index and main.width() == width, tabs.tabText(index)
    consent = main.consent_panel
    assert tabs.currentWidget() is consent
    main.resize(1024, main.height())  # a small laptop's screen, the window filling it
    qtbot.wait(20)
    for button in (consent.record_button, consent.print_button, consent.kiosk_button):  # wrapped, not cut off
        assert button.isVisible() and button.visibleRegion().boundingRect().size() == button.size(), button.text()
    _shot(qtbot, main, "customers-1024-consent")
    main.resize(width, main.height())
    step = Qt.Key.Key_Down if row + 1 < page.model.rowCount() else Qt.Key.Key_Up
    qtbot.keyClick(page.table, step)  # the other match (Ana Maria Lima), by keyboard
    wait_until(qtbot, lambda: page.detail.contact_id not in (None, names["Ana Lima"]))
    assert main.width() == width


# --- preferred language ------------------------------------------------------------------------------------


def _overview_value(page: CustomersPage, title: str) -> str:
    form = page.detail.overview.form
    for row in range(form.rowCount()):
        label = form.itemAt(row, form.ItemRole.LabelRole)
        field = form.itemAt(row, form.ItemRole.FieldRole)
        if label is not None and field is not None and label.widget().text() == title + ":":
            return str(field.widget().text())
    raise AssertionError(f"no {title!r} row in the overview")


def test_the_preferred_language_is_chosen_saved_shown_and_cleared(qtbot, owner) -> None:
    from app.locale.i18n import SUPPORTED_LANGUAGES

    _fill(owner, 5)
    main, page = _window(qtbot, owner)
    dialog = page.new_customer()
    combo = dialog.language
    assert combo.currentIndex() == 0 and combo.currentData() is None  # not set unless someone chooses
    assert combo.itemText(0) == "Not set (use the shop's language)"
    assert [combo.itemData(i) for i in range(1, combo.count())] == list(SUPPORTED_LANGUAGES)
    assert "consent forms" in combo.toolTip() and "exports" in combo.toolTip()
    dialog.given.setText("Greta")
    dialog.family.setText("Becker")
    combo.setCurrentIndex(combo.findText("Deutsch"))
    press(qtbot, dialog.ok_button)
    assert not dialog.isVisible()
    greta = ContactService(owner).search("Greta Becker", 10)[0].id
    assert ContactService(owner).get(greta).language == "de"
    wait_until(qtbot, lambda: page.detail.contact_id == greta)
    assert _overview_value(page, "Preferred language") == "German"
    _shot(qtbot, page.detail, "customers-overview-language")

    dialog = _edit(qtbot, page)
    assert dialog.language.currentData() == "de"  # loading selects the stored language
    _shot(qtbot, dialog, "customers-edit-dialog-language")
    dialog.language.setCurrentIndex(0)
    press(qtbot, dialog.ok_button)
    assert not dialog.isVisible()
    assert ContactService(owner).get(greta).language is None
    wait_until(qtbot, lambda: page.detail.record is not None and page.detail.record.language is None)
    assert _overview_value(page, "Preferred language") == "Not set (the shop's language is used)"


def test_a_language_outside_the_shipped_ones_is_kept_when_editing(qtbot, owner) -> None:
    names = _fill(owner, 5)
    main, page = _window(qtbot, owner)
    fatima = _open(qtbot, page, "فاطمة حسن")
    assert fatima == names["فاطمة حسن"]
    dialog = _edit(qtbot, page)
    assert dialog.language.currentData() == "ar"  # shown, though only five languages are offered to choose
    press(qtbot, dialog.ok_button)
    assert not dialog.isVisible()
    assert ContactService(owner).get(fatima).language == "ar"


def test_an_empty_vault_leads_to_a_first_customer_or_an_import(qtbot, owner) -> None:
    """A new owner's first screen: not an empty table, but the two ways to get customers, as buttons."""
    main, page = _window(qtbot, owner)
    empty = page.empty_state
    assert page.list_area.currentWidget() is empty and empty.isVisible() and not page.table.isVisible()
    assert page.count_label.text() == ""  # said "0 customers shown, in name order; scroll down for more."
    letters = [m for control in controls_of(main) for m in mnemonics(control.text)[:1]]
    assert len(letters) == len(set(letters)), f"two controls share an Alt letter: {sorted(letters)}"
    shot(main, "customers-empty")
    press(qtbot, empty.import_button)
    importer = next(d for d in page._dialogs if isinstance(d, ImportDialog))
    wait_until(qtbot, importer.isVisible)
    importer.reject()
    press(qtbot, empty.add_button)
    dialog = next(d for d in page._dialogs if isinstance(d, ContactDialog))
    assert dialog.isVisible() and dialog.windowTitle() == "New customer"
    type_into(qtbot, dialog.given, "Zoë")
    type_into(qtbot, dialog.family, "Ng")
    press(qtbot, dialog.ok_button)
    wait_until(qtbot, lambda: page.model.rowCount() == 1)
    assert page.list_area.currentWidget() is page.table and page.table.isVisible() and not empty.isVisible()
    type_into(qtbot, page.search, "nobody-by-this-name")  # no match is not an empty vault
    wait_until(qtbot, lambda: "No customer matches" in page.count_label.text())
    assert page.list_area.currentWidget() is page.table


def test_phone_numbers_show_whole_and_emails_keep_their_domain(qtbot, owner) -> None:
    ContactService(owner).create(_person("Fatima", "Hassan", "fatima.hassan.alnuaimi@example.org", "+971 50 123 4567"))
    main, page = _window(qtbot, owner)
    wait_until(qtbot, lambda: page.model.rowCount() == 1)
    phone = page.model.index(0, 2).data()
    metrics = page.table.fontMetrics()
    assert metrics.horizontalAdvance(phone) + 8 <= page.table.columnWidth(2), phone  # "+971 50 123 45…" before
    email = page.model.index(0, 1).data()
    delegate = page.table.itemDelegateForColumn(1)
    option = QStyleOptionViewItem()
    delegate.initStyleOption(option, page.model.index(0, 1))
    shown = metrics.elidedText(email, option.textElideMode, page.table.columnWidth(1) - 8)
    assert shown.startswith("fatima") and shown.endswith(".org")  # both ends, not "fatima.hassan.al…"


def test_a_first_note_with_a_card_number_is_refused_until_it_is_taken_out(qtbot, owner: Session) -> None:  # type: ignore[no-untyped-def]
    """#20: the New customer form has no place for a reason, so a note that looks sensitive stops the save and
    says where it can be kept with one (the Notes tab); nothing is written until it is taken out."""
    main, page = _window(qtbot, owner)
    press(qtbot, page.new_button)
    dialog = next(d for d in page._dialogs if isinstance(d, ContactDialog))
    type_into(qtbot, dialog.given, "Jana")
    type_into(qtbot, dialog.family, "Nováková")
    dialog.note.setPlainText("Pays with card 4111 1111 1111 1111, keep it for next time")
    press(qtbot, dialog.ok_button)
    assert dialog.isVisible() and "Notes tab" in dialog.message.text() and "card" in dialog.message.text()
    assert owner.conn.execute("SELECT count(*) FROM contact").fetchone()[0] == 0
    dialog.note.setPlainText("Pays by card; prefers paper receipts")
    press(qtbot, dialog.ok_button)
    wait_until(qtbot, lambda: not dialog.isVisible())
    assert owner.conn.execute("SELECT count(*) FROM note").fetchone()[0] == 1
