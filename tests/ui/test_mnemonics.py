"""Alt+letter mnemonics: no two visible controls of one window share a letter, in English and every catalog.

When two controls in a window have the same `&` letter, Alt+letter only moves between them instead of acting, so
each window state (page, tab, dialog) is checked as a person sees it: the buttons, check boxes, buddied labels,
tabs, group boxes and menu bar titles that are shown (enabled or not). Menu items are checked within their menu.
The catalogs are compiled from the .po files for the test, so it judges what translators wrote, not a stale .mo.
A failure names the language, the window and its state, the letter and the texts (with their msgids).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from PySide6.QtCore import QLocale
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QDialog,
    QGroupBox,
    QLabel,
    QMenu,
    QMenuBar,
    QPushButton,
    QTabBar,
    QTabWidget,
    QToolButton,
    QWidget,
)

from app.access import settings
from app.access.roles import Role
from app.access.session import Session
from app.access.users import UserService
from app.admin import security
from app.crm.activities import ActivityService
from app.crm.contacts import ContactInput, ContactPointInput, ContactService
from app.crm.deals import DealService
from app.locale import _, i18n, set_language
from app.privacy.breach import BreachService
from app.privacy.requests import RequestService
from app.privacy.retention import RetentionService
from app.vault import kdf
from tests.conftest import OWNER, OWNER_PASSWORD
from tests.ui_helpers import add_user, make_controller, open_session_for_ui, shutdown, shutdown_session, wait_until
from ui.consent.kiosk import KioskWindow
from ui.customers.import_dialog import ImportDialog
from ui.main_window import PAGES, MainWindow
from ui.rekey import NewRecoveryKeyDialog
from ui.session_context import SessionContext
from ui.startup import install_qt_translations

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ("en", "de", "fr", "es", "zh_CN")
IMPORT_FILE = ROOT / "tests" / "fixtures" / "import" / "duplicates.csv"
STAFF, FORMER = "Ben Staff", "Cleo Former"

# Clashes the catalogs cannot fix, as (window, msgid, msgid). The test fails when one is gone, so this only shrinks.
# English has none: a new one is fixed in the source strings in ui/ (move the `&` of one of the pair), then the
# catalogs are updated. Translations: the customers page with a customer's Consent tab open (and Undo offered) shows
# 23 controls with a mnemonic, more than the distinct letters their French or Spanish words (or, for zh_CN, whose
# convention is the English letter, the English words) offer: no letter of these texts is free there. (English
# dropped the `&` of "Overview" and "Print consent form…" to fit, and so do the translations of the latter.) They go
# when that window shows fewer mnemonics.
KNOWN_CLASHES: dict[str, list[tuple[str, ...]]] = {
    "fr": [
        ("main window › customers page", "History (ne&west first)", "Hi&story"),
    ],
    "es": [
        ("main window › customers page", "Do not sell or share &my personal information", "&Undo"),
    ],
}


# --- reading mnemonics ---------------------------------------------------------------------------------------


def mnemonics(text: str) -> list[str]:
    """Every mnemonic letter in `text`, upper-cased, as QKeySequence::mnemonic reads it ("&&" is a literal &)."""
    letters = []
    at = 0
    while (at := text.find("&", at) + 1) > 0 and at < len(text):
        if text[at] != "&" and text[at].isprintable():
            letters.append(text[at].upper())
        at += 1
    return letters


BUTTON_KINDS = {"QCheckBox": "check box", "QRadioButton": "radio button", "QToolButton": "tool button"}


@dataclass(frozen=True)
class Control:
    kind: str  # button, label, tab, group box, menu
    text: str


def controls_of(window: QWidget) -> list[Control]:
    """The controls of `window` (not of windows it owns) that are on screen and can carry a mnemonic."""
    found: list[Control] = []
    for widget in window.findChildren(QWidget):
        if widget.window() is not window or not widget.isVisible():
            continue
        if isinstance(widget, QAbstractButton):
            found.append(Control(BUTTON_KINDS.get(type(widget).__name__, "button"), widget.text()))
        elif isinstance(widget, QLabel) and widget.buddy() is not None:
            found.append(Control("label", widget.text()))
        elif isinstance(widget, QTabBar):
            found += [Control("tab", widget.tabText(i)) for i in range(widget.count()) if widget.isTabVisible(i)]
        elif isinstance(widget, QGroupBox):
            found.append(Control("group box", widget.title()))
        elif isinstance(widget, QMenuBar):
            found += [Control("menu", action.text()) for action in widget.actions() if action.isVisible()]
    return found


def menus_of(window: QWidget) -> list[tuple[str, list[Control]]]:
    """Each menu the window shows (menu bar menus, button menus, their submenus) with its visible items."""
    menus: list[tuple[str, list[Control]]] = []

    def add(menu: QMenu) -> None:
        actions = [action for action in menu.actions() if action.isVisible() and not action.isSeparator()]
        menus.append((menu.title(), [Control("menu item", action.text()) for action in actions]))
        for action in actions:
            if action.menu() is not None:
                add(action.menu())

    for widget in window.findChildren(QWidget):
        if widget.window() is not window or not widget.isVisible():
            continue
        if isinstance(widget, QMenuBar):
            for action in widget.actions():
                if action.isVisible() and action.menu() is not None:
                    add(action.menu())
        elif isinstance(widget, QPushButton | QToolButton) and widget.menu() is not None:
            add(widget.menu())
    return menus


# --- the audit ------------------------------------------------------------------------------------------------


@dataclass
class Audit:
    """The clashes found in one language: each pair of controls of one window that share a letter, once, named by
    the window state it was first seen in."""

    language: str
    msgids: Msgids  # to say which catalog entry to fix
    problems: dict[tuple[str, frozenset[str]], str] = field(default_factory=dict)
    checked: list[str] = field(default_factory=list)  # every window state looked at
    windows: set[str] = field(default_factory=set)

    def source(self, control: Control) -> str:
        """What to fix: the msgid the text comes from, or the text itself (English, Qt's own, or made up)."""
        return self.msgids.of(control.text) or control.text

    def describe(self, control: Control) -> str:
        msgid = self.msgids.of(control.text)
        source = f", msgid {msgid!r}" if msgid is not None and msgid != control.text else ""
        return f"{control.text!r} ({control.kind}{source})"

    def judge(self, window: str, state: str, controls: list[Control]) -> None:
        self.checked.append(f"{window} [{state}]" if state else window)
        self.windows.add(window)
        where = f"[{self.language}] {window}" + (f" [{state}]" if state else "")
        seen: dict[str, list[Control]] = {}
        for control in controls:
            letters = mnemonics(control.text)
            if len(letters) > 1:
                self._problem(
                    window,
                    {self.source(control)},
                    f"{where}: {self.describe(control)} has more than one "
                    f"mnemonic ({', '.join(letters)}): Qt uses the first",
                )
            if not letters:
                continue
            for other in seen.setdefault(letters[0], []):
                self._problem(
                    window,
                    {self.source(other), self.source(control)},
                    f"{where}: Alt+{letters[0]} is used by {self.describe(other)} and {self.describe(control)}",
                )
            seen[letters[0]].append(control)

    def _problem(self, window: str, sources: set[str], text: str) -> None:
        key = (window, frozenset(sources))
        if key not in self.problems:  # the same clash in several tab states is one thing to fix
            self.problems[key] = text

    def window(self, qtbot: object, window: QWidget, name: str, state: str = "", menus_of_window: str = "") -> None:
        """Judge `window` in each combination of the tabs it shows (tabs inside tabs too), then each of its menus
        (once: named after `menus_of_window`, the same menus on every page)."""
        QApplication.processEvents()
        for tabs in tab_states(window):
            self.judge(name, " › ".join(part for part in (state, *tabs) if part), controls_of(window))
        for title, items in menus_of(window):
            menu = f"{menus_of_window or name} › menu {title}"
            if menu not in self.checked:
                self.judge(menu, "", items)

    def verdict(self) -> None:
        """Fail on every clash not on the known list, and on every known clash that is gone (so the list shrinks)."""
        known = {
            (window, frozenset(sources))
            for window, *sources in KNOWN_CLASHES.get(self.language, ())
            if window in self.windows
        }
        new = sorted(text for key, text in self.problems.items() if key not in known)
        gone = sorted(
            f"[{self.language}] {window}: {' / '.join(sorted(sources))}"
            for window, sources in known
            if (window, sources) not in self.problems
        )
        message = ""
        if new:
            message += f"{len(new)} mnemonic clash(es): give one of each pair another letter\n" + "\n".join(new)
        if gone:
            message += "\nFixed, so take them off KNOWN_CLASHES in tests/ui/test_mnemonics.py:\n" + "\n".join(gone)
        if message:
            pytest.fail(message.strip(), pytrace=False)


def tab_states(window: QWidget, done: tuple[QTabWidget, ...] = ()) -> Iterator[list[str]]:
    """Show each enabled tab of each visible tab widget in turn (depth first); yield the tab titles shown."""
    pending = [
        tabs
        for tabs in window.findChildren(QTabWidget)
        if tabs.window() is window and tabs.isVisible() and tabs not in done
    ]
    if not pending:
        yield []
        return
    tabs = pending[0]
    before = tabs.currentIndex()
    for index in range(tabs.count()):
        if not (tabs.isTabEnabled(index) and tabs.isTabVisible(index)):
            continue
        tabs.setCurrentIndex(index)
        QApplication.processEvents()
        title = tabs.tabText(index).replace("&&", "\0").replace("&", "").replace("\0", "&")
        for rest in tab_states(window, (*done, tabs)):
            yield [f"{title} tab", *rest]
    tabs.setCurrentIndex(before)


# --- languages ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compiled_catalogs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The .po files as they are now, compiled where set_language looks for them."""
    folder = tmp_path_factory.mktemp("translations")
    for language in LANGUAGES[1:]:
        with (ROOT / "translations" / language / "LC_MESSAGES" / "counterpart.po").open("rb") as handle:
            catalog = read_po(handle)
        target = folder / language / "LC_MESSAGES"
        target.mkdir(parents=True)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        (target / "counterpart.mo").write_bytes(buffer.getvalue())
    return folder


class Msgids:
    """Which msgid a text on screen was translated from (texts with placeholders filled in too)."""

    def __init__(self, language: str) -> None:
        self.exact: dict[str, str] = {}
        self.patterns: list[tuple[re.Pattern[str], str]] = []
        catalog_path = (
            ROOT
            / "translations"
            / (f"{language}/LC_MESSAGES/counterpart.po" if language != "en" else "counterpart.pot")
        )
        with catalog_path.open("rb") as handle:
            catalog = read_po(handle)
        for message in catalog:
            if not (message.id and isinstance(message.id, str)):
                continue
            shown = message.id if language == "en" else message.string
            if isinstance(shown, str) and shown:
                self.exact[shown] = message.id
                if "{" in shown and mnemonics(shown):
                    parts = re.split(r"\{\w*\}", shown)
                    self.patterns.append((re.compile(".+".join(re.escape(p) for p in parts), re.S), message.id))

    def of(self, text: str) -> str | None:
        if text in self.exact:
            return self.exact[text]
        return next((msgid for pattern, msgid in self.patterns if pattern.fullmatch(text)), None)


@pytest.fixture(params=LANGUAGES)
def audit(
    request: pytest.FixtureRequest, qapp: QApplication, compiled_catalogs: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Audit]:
    """The program in one language (its own strings and Qt's), as ui.startup sets it up; English again after."""
    language = str(request.param)
    monkeypatch.setattr(i18n, "_translation", i18n._translation)  # put back when the test ends
    monkeypatch.setattr(i18n, "_language", i18n._language)
    monkeypatch.setattr(i18n, "translations_dir", lambda: compiled_catalogs)
    assert set_language(language) == language
    assert (_("&File") != "&File") == (language != "en"), f"the {language} catalog is not in use"
    locale = QLocale()
    QLocale.setDefault(QLocale(language))
    qt_translator = install_qt_translations(qapp, language)
    yield Audit(language, Msgids(language))
    if qt_translator is not None:
        qapp.removeTranslator(qt_translator)
    QLocale.setDefault(locale)


# --- a vault with something on every page -------------------------------------------------------------------


def seed(session: Session, backups: Path) -> dict[str, int]:
    """One of everything the pages list and the dialogs act on, so every button has something to be about."""
    contacts = ContactService(session)
    lena = contacts.create(
        ContactInput(
            given_name="Lena",
            family_name="Fischer",
            tags=["vip"],
            organisations=[("Fischer GmbH", "Buyer")],
            points=[
                ContactPointInput("email", "lena@example.com"),
                ContactPointInput("phone", "+49 30 1234567"),
                ContactPointInput("address", "Hauptstraße 1, 10115 Berlin"),
            ],
            note="Met at the fair.",
        )
    )
    contacts.create(
        ContactInput(given_name="Lena", family_name="Fisher", points=[ContactPointInput("email", "lena@example.com")])
    )  # a possible duplicate
    deals = DealService(session)
    deals.create_pipeline("Wholesale", [("Enquiry", 20), ("Offer", 60)])  # two: the dashboard offers a choice
    deal = deals.create(
        "Spring order", value="1200", currency="EUR", contact_id=lena, expected_close=date.today() + timedelta(days=30)
    )
    now = datetime.now(UTC)
    activity = ActivityService(session).create(
        "call", "Call about the order", due_at=now + timedelta(hours=1), contact_id=lena, deal_id=deal
    )
    request = RequestService(session).create("access", "gdpr", contact_id=lena, channel="email")
    breach = BreachService(session).record(discovered_at=now - timedelta(hours=2), nature="Lost USB stick")
    RetentionService(session).hold(lena, "Dispute about an invoice")
    add_user(session, STAFF, Role.STAFF, "temporary-1")
    add_user(session, FORMER, Role.STAFF, "temporary-2")
    UserService(session, kdf.CHEAP).set_active(FORMER, False)
    backups.mkdir()
    settings.set_backup_folder(session, backups)
    security.backup_now(session, None, "manual")
    return {"customer": lena, "deal": deal, "activity": activity, "request": request, "breach": breach}


# --- opening dialogs ------------------------------------------------------------------------------------------


def open_windows() -> set[QWidget]:
    return {w for w in QApplication.topLevelWidgets() if w.isVisible()}


def check_dialog(
    qtbot: object,
    audit: Audit,
    context: SessionContext,
    name: str,
    opener: Callable[[], object],
    states: Callable[[QWidget], Iterator[str]] | None = None,
) -> None:
    """Open a dialog the way the program does, judge it (in each of its states), and close it."""
    before = open_windows()
    opener()
    wait_until(qtbot, lambda: not context.busy)
    QApplication.processEvents()
    new = [w for w in open_windows() - before if isinstance(w, QDialog)]
    assert len(new) == 1, f"{name}: expected one new dialog, found {[type(w).__name__ for w in new]}"
    dialog = new[0]
    for state in (states or (lambda _d: iter([""])))(dialog):
        audit.window(qtbot, dialog, name, state)
    wait_until(qtbot, lambda: not context.busy)
    dialog.reject()
    dialog.deleteLater()
    QApplication.processEvents()


def main_window(qtbot: object, session: Session) -> tuple[MainWindow, SessionContext]:
    context = SessionContext(session)
    window = MainWindow(context)
    qtbot.addWidget(window, before_close_func=lambda w: setattr(w, "discarded", True))  # type: ignore[attr-defined]
    window.show()
    qtbot.waitExposed(window)  # type: ignore[attr-defined]
    return window, context


# --- the tests ------------------------------------------------------------------------------------------------


def test_no_two_controls_of_a_window_share_a_mnemonic(qtbot, audit: Audit, new_vault, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    session = open_session_for_ui(new_vault[0], OWNER, OWNER_PASSWORD)
    ids = seed(session, tmp_path / "backups")
    window, context = main_window(qtbot, session)
    customers, pipeline, activities = window.customers, window.pipeline, window.activities

    # Every page, in each of the states that show or hide controls.
    for key in PAGES:
        window.show_page(key)
        wait_until(qtbot, lambda: not context.busy)
        page = f"main window › {key} page"

        def look(state: str = "", page: str = page) -> None:
            audit.window(qtbot, window, page, state, menus_of_window="main window")

        if key == "customers":
            look("nobody selected")
            assert customers.detail.show_contact(ids["customer"])
            look("a customer open")
            customers.undo_bar.offer(ids["customer"], "Lena Fischer")
            look("a customer open, Undo offered")
            customers.undo_bar.dismiss()
        elif key == "pipeline":
            for number, view in ((0, "board"), (1, "table")):
                pipeline.show_view(number)
                look(f"{view} view")
            pipeline.show_view(0)
        elif key == "activities":
            look()
            activities.banner.add("Call about the order")
            assert activities.set_done(ids["activity"], True)
            look("a reminder shown, Undo offered")
            activities.set_done(ids["activity"], False)
            activities.banner.clear()
        elif key == "settings":
            assert window.settings.users is not None
            for name, state in ((STAFF, "an active user selected"), (FORMER, "a disabled user selected")):
                window.settings.users.select(name)
                look(state)
        else:
            look()

    # The dialogs each page opens.
    def dialog(
        name: str, opener: Callable[[], object], states: Callable[[QWidget], Iterator[str]] | None = None
    ) -> None:
        check_dialog(qtbot, audit, context, name, opener, states)

    def import_states(dialog: QWidget) -> Iterator[str]:
        assert isinstance(dialog, ImportDialog)
        yield "no file yet"
        dialog.set_file(IMPORT_FILE)
        wait_until(qtbot, lambda: not context.busy and dialog.last_preview is not None)
        assert dialog.keep_duplicates.isVisible()
        yield "a file read, with duplicates"

    window.show_page("customers")
    dialog("New customer dialog", customers.new_customer)
    dialog("Edit customer dialog", lambda: customers.edit_customer(ids["customer"]))
    dialog("Find duplicates dialog", customers.find_duplicates)
    dialog("Import dialog", lambda: ImportDialog(context, window).open(), import_states)
    customers.detail.show_contact(ids["customer"])
    dialog("Record consent dialog", window.consent_panel.record_consent)
    dialog("Print consent form dialog", window.consent_panel.print_form)
    dialog("Edit deal dialog (from a customer)", lambda: customers.detail.edit_deal(ids["deal"]))
    dialog("Edit activity dialog (from a customer)", lambda: customers.detail.edit_activity(ids["activity"]))

    window.show_page("pipeline")
    dialog("New deal dialog", pipeline.new_deal)
    dialog("Edit deal dialog", lambda: pipeline.edit_deal(ids["deal"]))
    assert pipeline.select(ids["deal"], focus=False)
    dialog("Lost deal dialog", pipeline.mark_lost)

    window.show_page("activities")
    dialog("New activity dialog", activities.new_activity)
    dialog("Edit activity dialog", lambda: activities.edit_activity(ids["activity"]))

    privacy = window.privacy
    window.show_page("privacy")
    if privacy.consent_view is not None:
        dialog("Publish privacy notice dialog", privacy.consent_view.publish)
    dialog("New request dialog", privacy.requests.ask_new)
    privacy.requests.table.selectRow(0)
    for name, ask in (
        ("Identity check dialog", privacy.requests.ask_identity),
        ("Extend request dialog", privacy.requests.ask_extend),
        ("Refuse request dialog", privacy.requests.ask_refuse),
        ("Complete request dialog", privacy.requests.ask_complete),
        ("Export data dialog", privacy.requests.ask_export),
    ):
        dialog(name, ask)
    privacy.retention.policy_table.selectRow(0)
    dialog("Retention policy dialog", privacy.retention.ask_edit)
    dialog("Apply retention template box", privacy.retention.ask_template)
    dialog("Legal hold dialog", privacy.holds.ask_place)
    privacy.holds.table.selectRow(0)
    dialog("Release legal hold box", privacy.holds.ask_release)
    dialog("Record breach dialog", privacy.breaches.ask_record)
    privacy.breaches.table.selectRow(0)
    dialog("Select affected people dialog", privacy.breaches.ask_select)
    dialog("Authority notified dialog", privacy.breaches.ask_authority)

    settings = window.settings
    window.show_page("settings")
    dialog("Change password dialog", settings.account.change_password)
    assert settings.users is not None
    dialog("Add user dialog", settings.users.add_user)
    settings.users.select(STAFF)
    dialog("Reset password dialog", settings.users.reset_password)
    dialog("Change role dialog", settings.users.change_role)
    dialog("Remove user box", settings.users.remove_user)
    assert settings.security is not None
    dialog("Rekey box", settings.security.rekey_button.click)
    dialog("New recovery key dialog", lambda: NewRecoveryKeyDialog(context, session, new_vault[1], window).open())
    assert settings.backups is not None
    settings.backups.table.selectRow(0)
    dialog("Backup drill dialog", settings.backups.ask_drill)
    dialog("Restore backup dialog", settings.backups.ask_restore)
    dialog("About dialog", window.about_action.trigger)

    # Customer mode (the kiosk), in the language being checked, and the staff password that leaves it.
    kiosk = KioskWindow(context, ids["customer"], language=audit.language)
    qtbot.addWidget(kiosk)
    kiosk.start(full_screen=False)
    audit.window(qtbot, kiosk, "customer mode", "the form")
    kiosk.pages.setCurrentIndex(1)
    audit.window(qtbot, kiosk, "customer mode", "thank you")
    check_dialog(qtbot, audit, context, "Staff password dialog (leaving customer mode)", kiosk.request_leave)
    kiosk.discard()

    window.clear()
    shutdown_session(session)
    assert len(audit.checked) >= 70, audit.checked  # every page, tab and dialog above was looked at
    audit.verdict()


def test_no_two_controls_share_a_mnemonic_before_signing_in(
    qtbot,
    audit: Audit,
    new_vault,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    controller = make_controller(tmp_path / "unlock")
    unlock = controller.show_unlock(new_vault[0])
    qtbot.waitExposed(unlock)
    audit.window(qtbot, unlock, "unlock window")
    recovery = unlock.open_recovery()
    audit.window(qtbot, recovery, "recovery key dialog")
    recovery.reject()
    shutdown(controller)

    controller = make_controller(tmp_path / "first-run")
    controller.start()  # no vault yet: the welcome wizard
    wizard = controller.wizard
    assert wizard is not None
    wizard.location.path.setText(str(tmp_path / "shop" / "shop.vault"))
    for step in ("location", "owner", "protection", "create"):
        audit.window(qtbot, wizard, "welcome wizard", f"{step} page")
        if step == "owner":
            wizard.owner.name.setText(OWNER)
            wizard.owner.passwords.first.setText(OWNER_PASSWORD)
            wizard.owner.passwords.again.setText(OWNER_PASSWORD)
        if step != "create":
            wizard.next()
    shutdown(controller)
    assert len(audit.checked) >= 6, audit.checked
    audit.verdict()
