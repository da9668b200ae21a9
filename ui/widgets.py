"""Small widgets used across screens: a message line with an icon (cleared when the person edits), a
dismissible bar, headings, a busy bar."""

from __future__ import annotations

from collections.abc import Iterator

from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible, QAccessibleEvent, QFont
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QScrollArea,
    QStyle,
    QToolButton,
    QWidget,
)

from app.locale import _


class MessageLine(QWidget):
    """An error or notice under a field: an icon plus words, so nothing is said by colour alone."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self._icon = QLabel(self)
        self._icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        self._text = QLabel(self)
        self._text.setWordWrap(True)
        self._text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._text.setObjectName("messageText")
        layout.addWidget(self._icon)
        layout.addWidget(self._text, 1)
        self.hide()

    def text(self) -> str:
        return "" if self.isHidden() else self._text.text()

    def show_error(self, text: str) -> None:
        self._show(QStyle.StandardPixmap.SP_MessageBoxWarning, text)

    def show_warning(self, text: str) -> None:
        self._show(QStyle.StandardPixmap.SP_MessageBoxWarning, text)

    def show_info(self, text: str) -> None:
        self._show(QStyle.StandardPixmap.SP_MessageBoxInformation, text)

    def _show(self, pixmap: QStyle.StandardPixmap, text: str) -> None:
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize)
        self._icon.setPixmap(self.style().standardIcon(pixmap).pixmap(size, size))
        changed = text != self._text.text() or self.isHidden()
        self._text.setText(text)
        self.setAccessibleName(text)
        self.show()
        if changed:
            QAccessible.updateAccessibility(QAccessibleEvent(self._text, QAccessible.Event.Alert))

    def clear(self) -> None:
        self._text.clear()
        self.hide()


class DismissibleBar(QFrame):
    """A bar across the top of a page: an icon, what it says (subclasses fill `body`), and a ✕ that calls
    the subclass's `dismiss()`. Hidden until the subclass shows it."""

    def __init__(
        self, name: str, pixmap: QStyle.StandardPixmap, parent: QWidget | None = None, *, lines: bool = False
    ) -> None:
        """`lines`: the body may wrap over several lines; the icon and the ✕ then stay by the first."""
        super().__init__(parent)
        self.setObjectName(name)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(self.palette().ColorRole.AlternateBase)
        self.icon = QLabel(self)
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize)
        self.icon.setPixmap(self.style().standardIcon(pixmap).pixmap(size, size))
        self.body = QHBoxLayout()
        self.dismiss_button = QToolButton(self)
        self.dismiss_button.setText("✕")
        self.dismiss_button.setAccessibleName(_("Dismiss"))
        self.dismiss_button.setToolTip(_("Dismiss"))
        self.dismiss_button.setAutoRaise(True)
        self.dismiss_button.clicked.connect(self.dismiss)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        side = Qt.AlignmentFlag.AlignTop if lines else Qt.AlignmentFlag.AlignVCenter
        layout.addWidget(self.icon, 0, side)
        layout.addLayout(self.body, 1)
        layout.addWidget(self.dismiss_button, 0, side)
        self.hide()

    def dismiss(self) -> None:
        raise NotImplementedError


def clear_on_user_edit(form: QWidget, message: MessageLine) -> None:
    """Clear `message` when the person changes any field of `form`: an error about what they typed is stale
    once they start fixing it. Only signals people cause (typing, choosing, clicking), never the form's own
    setText calls, so a message the form shows right after filling a field stays."""
    for edit in form.findChildren(QLineEdit):  # editable combo boxes type into one of these too
        edit.textEdited.connect(message.clear)
    for box in form.findChildren(QComboBox):
        box.activated.connect(message.clear)
    for button in form.findChildren(QAbstractButton):
        if button.isCheckable():
            button.clicked.connect(message.clear)


def tab_stops(container: QWidget, *, every: bool = False) -> Iterator[QWidget]:
    """The controls inside `container` in the order Tab visits them: those a person can reach now (shown and
    enabled), or with `every` the hidden and disabled ones too; never a scroll area (an empty stop)."""
    seen: set[int] = set()
    widget = container.nextInFocusChain()
    while widget is not None and widget is not container and id(widget) not in seen:
        seen.add(id(widget))
        if (
            container.isAncestorOf(widget)
            and widget.focusPolicy() & Qt.FocusPolicy.TabFocus
            and not isinstance(widget, QScrollArea)
            and (every or (widget.isVisibleTo(container) and widget.isEnabled()))
        ):
            yield widget
        widget = widget.nextInFocusChain()


def focus_first_control(container: QWidget) -> bool:
    """Give the focus to the first control Tab would reach inside `container`; False if it has none."""
    first = next(tab_stops(container), None)
    if first is not None:
        first.setFocus(Qt.FocusReason.ShortcutFocusReason)
    return first is not None


def heading(text: str, parent: QWidget | None = None, scale: float = 1.3) -> QLabel:
    label = QLabel(text, parent)
    font = QFont(label.font())
    font.setPointSizeF(font.pointSizeF() * scale)
    font.setBold(True)
    label.setFont(font)
    label.setWordWrap(True)
    return label


def paragraph(text: str, parent: QWidget | None = None) -> QLabel:
    label = QLabel(text, parent)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def path_field(accessible_name: str, parent: QWidget | None = None) -> QLineEdit:
    """A file path shown read-only: selectable, scrolls instead of stretching the window when it is long."""
    field = QLineEdit(parent)
    field.setReadOnly(True)
    field.setFrame(False)
    field.setAccessibleName(accessible_name)
    field.setStyleSheet("QLineEdit { background: transparent; }")
    return field


def show_path(field: QLineEdit, text: str) -> None:
    field.setText(text)
    field.setToolTip(text)
    field.setCursorPosition(0)


def busy_bar(parent: QWidget | None = None) -> QProgressBar:
    """An indeterminate progress bar: something is happening, we cannot say how far along it is."""
    bar = QProgressBar(parent)
    bar.setRange(0, 0)
    bar.setTextVisible(False)
    bar.setMaximumHeight(14)
    bar.hide()
    return bar
