"""Keyboard-only use and accessible names across the main screens (for screen readers)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible, QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from tests.ui_helpers import open_session_for_ui, shutdown_session
from ui.main_window import PAGES, MainWindow
from ui.session_context import SessionContext

INTERACTIVE = (QAbstractButton, QLineEdit, QComboBox, QAbstractSpinBox, QAbstractItemView, QPlainTextEdit, QTextEdit)


def _qt_internal(widget: QWidget) -> bool:
    """Parts Qt builds inside its own widgets (table corners, headers, spin-box editors, pop-up lists)."""
    parent = widget.parent()
    grandparent = parent.parent() if parent is not None else None
    return (
        widget.objectName().startswith("qt_")
        or isinstance(widget, QHeaderView)
        or isinstance(parent, (QLineEdit, QAbstractSpinBox, QComboBox))
        or isinstance(grandparent, QComboBox)
    )  # a combo box's pop-up list


def _named(widget: QWidget, buddies: set[int]) -> bool:
    interface = QAccessible.queryAccessibleInterface(widget)
    spoken = interface.text(QAccessible.Text.Name) if interface is not None else ""
    return bool(widget.accessibleName() or spoken or id(widget) in buddies)


def test_every_interactive_widget_has_an_accessible_name(qtbot, new_vault) -> None:  # type: ignore[no-untyped-def]
    session = open_session_for_ui(new_vault[0], "Ana Owner", "owner-pass-1")
    window = MainWindow(SessionContext(session))
    qtbot.addWidget(window, before_close_func=lambda w: setattr(w, "discarded", True))
    window.show()
    for key in PAGES:
        window.show_page(key)
        QApplication.processEvents()
    buddies = {id(label.buddy()) for label in window.findChildren(QLabel) if label.buddy() is not None}
    unnamed = [
        f"{type(w).__name__} in {type(w.parent()).__name__}"
        for kind in INTERACTIVE
        for w in window.findChildren(kind)
        if not _qt_internal(w) and not _named(w, buddies)
    ]
    assert unnamed == []
    window.clear()
    shutdown_session(session)


def test_the_keyboard_alone_reaches_every_page_and_moves_focus(qtbot, new_vault) -> None:  # type: ignore[no-untyped-def]
    session = open_session_for_ui(new_vault[0], "Ana Owner", "owner-pass-1")
    window = MainWindow(SessionContext(session))
    qtbot.addWidget(window, before_close_func=lambda w: setattr(w, "discarded", True))
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)  # shortcuts go to the active window
    for number, key in enumerate(PAGES, start=1):  # Ctrl+1 … Ctrl+6 reach every page
        QTest.keySequence(window, QKeySequence(f"Ctrl+{number}"))
        assert window.current_page() == key
    for key in PAGES:  # and Tab moves through each page's controls
        window.show_page(key)
        window.sidebar.setFocus()
        focused: list[QWidget] = []
        for _ in range(12):  # follow the window's own focus widget (offscreen windows may lose activation)
            qtbot.keyClick(window.focusWidget() or window, Qt.Key.Key_Tab)
            widget = window.focusWidget()
            if widget is not None and widget not in focused:
                focused.append(widget)
        assert len(focused) >= 2, f"Tab does not move through the {key} page"
    window.clear()
    shutdown_session(session)
