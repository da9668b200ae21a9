"""The recovery key shown once: large, monospace, selectable, with the printable kit and a confirmation box.

Used by the first-run wizard and after a rekey. The kit is written on a worker thread (reportlab).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QCheckBox, QFrame, QLabel, QPushButton, QVBoxLayout, QWidget

from app.access.session import Session
from app.locale import _
from app.vault.location import documents_folder
from ui.dialogs import ask_save_path
from ui.operation import Operation, Work, message_for
from ui.operations.security import write_recovery_kit
from ui.widgets import MessageLine, busy_bar, paragraph

# How the panel runs its work: (work, on_done, on_error). Inside the main window this is SessionContext.run,
# so the kit never touches the connection while something else does.
Runner = Callable[[Work[None], Callable[[None], None], Callable[[object], None]], None]


def format_for_display(recovery_key: str) -> str:
    """Two lines of four groups, the way the printed kit shows it."""
    groups = recovery_key.split("-")
    return "-".join(groups[:4]) + "-\n" + "-".join(groups[4:])


class RecoveryKeyPanel(QWidget):
    def __init__(self, parent: QWidget | None = None, runner: Runner | None = None) -> None:
        super().__init__(parent)
        self._runner = runner or self._run_alone
        self._session: Session | None = None
        self._operation: Operation[None] | None = None
        self.explanation = paragraph(
            _(
                "If the password is forgotten, or this computer breaks, this key is the only "
                "way back into the vault. Nobody else can recover it for you. Anyone who "
                "has it and the vault file can read everything, so keep it like cash."
            ),
            self,
        )
        self.key_label = QLabel(self)
        self.key_label.setObjectName("recoveryKey")
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setPointSizeF(max(font.pointSizeF(), 10) * 1.6)
        self.key_label.setFont(font)
        self.key_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.key_label.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.key_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.key_label.setFrameShape(QFrame.Shape.StyledPanel)
        self.key_label.setMargin(12)
        self.key_label.setAccessibleName(_("Recovery key"))
        self.save_button = QPushButton(_("&Save recovery kit PDF…"), self)
        self.save_button.setAccessibleName(_("Save the recovery kit as a PDF"))
        self.save_button.clicked.connect(self._ask_path)
        self.busy = busy_bar(self)
        self.message = MessageLine(self)
        self.confirmed = QCheckBox(
            _("I have &printed or saved the recovery kit (or written the key down) and will keep it safe"), self
        )
        self.confirmed.setAccessibleName(_("I have printed or saved the recovery key"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.explanation)
        layout.addSpacing(6)
        layout.addWidget(self.key_label)
        layout.addSpacing(6)
        layout.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.busy)
        layout.addWidget(self.message)
        layout.addStretch(1)
        layout.addWidget(self.confirmed)

    def show_key(self, session: Session, recovery_key: str) -> None:
        self._session = session
        self.key_label.setText(format_for_display(recovery_key))
        self.confirmed.setChecked(False)
        self.message.clear()

    def shown_key(self) -> str:
        """The key as displayed, without the line break (what a person would type back)."""
        return self.key_label.text().replace("\n", "")

    def forget(self) -> None:
        """Take the key off the screen once it has served its purpose."""
        self.key_label.clear()

    def _ask_path(self) -> None:
        folder = documents_folder()
        suggested = folder / _("Counterpart recovery kit.pdf")
        ask_save_path(
            self, _("Save the recovery kit"), suggested, _("PDF documents (*.pdf)"), self.save_kit, default_suffix="pdf"
        )

    def save_kit(self, path: Path) -> None:
        """Write the kit to `path` off the UI thread (the button stays disabled meanwhile)."""
        session = self._session
        if session is None:
            return
        self.save_button.setEnabled(False)
        self.busy.show()
        self.message.clear()
        self._runner(write_recovery_kit(session, path), lambda _result: self._saved(path), self._failed)

    def _run_alone(self, work: Work[None], on_done: Callable[[None], None], on_error: Callable[[object], None]) -> None:
        self._operation = Operation(work, self)
        self._operation.finished.connect(on_done)
        self._operation.failed.connect(on_error)
        self._operation.start()

    def _saved(self, path: Path) -> None:
        self.busy.hide()
        self.save_button.setEnabled(True)
        self.message.show_info(
            _("Saved to {path}. Print it, keep it somewhere safe, then delete the file.").format(path=path)
        )

    def _failed(self, exc: object) -> None:
        self.busy.hide()
        self.save_button.setEnabled(True)
        self.message.show_error(message_for(exc))
