"""The first-run wizard: where the vault lives, the owner's login, keychain binding, then the recovery key.

Creating the vault calibrates argon2 (about a second), so it runs on a worker thread behind a busy bar.
The wizard cannot be cancelled once the vault exists: the recovery key must be seen and saved first.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from app.access.session import Session
from app.access.shop import ShopProfile, check_profile, country_name, suggested_profile
from app.errors import InvalidInput
from app.locale import _, current_language
from app.vault import keychain
from app.vault.vault import Vault
from ui.dialogs import ask_save_path, vault_filter
from ui.operation import Operation, message_for
from ui.operations.vault import create
from ui.password_fields import NewPasswordFields
from ui.recovery_key_panel import RecoveryKeyPanel
from ui.resources import app_icon
from ui.shop_profile_form import ShopProfileForm
from ui.widgets import MessageLine, busy_bar, paragraph, path_field, show_path


def _existing_file(path: Path) -> Path | None:
    paths = Vault.paths_of(path)
    return next((p for p in (paths.database, paths.keyfile) if p.exists()), None)


class LocationPage(QWizardPage):
    """Welcome, and where the vault file goes (the default is the per-user data folder)."""

    def __init__(self, default_path: Path) -> None:
        super().__init__()
        self.setTitle(_("Welcome to Counterpart"))
        self.setSubTitle(
            _("Your customer records stay on this computer, in an encrypted vault. Nothing is sent anywhere.")
        )
        self.path = QLineEdit(str(default_path), self)
        self.path.setAccessibleName(_("Vault file"))
        self.path.setMinimumWidth(380)
        choose = QPushButton(_("C&hoose…"), self)
        choose.setAccessibleName(_("Choose where to keep the vault"))
        choose.clicked.connect(self._choose)
        self.message = MessageLine(self)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(choose)
        label = QLabel(_("&Keep the vault in:"), self)
        label.setBuddy(self.path)
        layout = QVBoxLayout(self)
        layout.addWidget(
            paragraph(
                _(
                    "This assistant sets up a new vault in four short steps: your shop, your "
                    "login, how the vault is protected, and a recovery key for emergencies."
                ),
                self,
            )
        )
        layout.addSpacing(12)
        layout.addWidget(label)
        layout.addLayout(row)
        layout.addWidget(
            paragraph(
                _(
                    "Back this file up like any other important file: without a password or "
                    "the recovery key, a copy cannot be read by anyone."
                ),
                self,
            )
        )
        layout.addWidget(self.message)
        layout.addStretch(1)
        # Not a mandatory field ("path*"): Qt counts a mandatory field as filled only once its value differs
        # from the one it had when registered, so the suggested path kept Next disabled. isComplete says it.
        self.registerField("path", self.path)
        self.path.textChanged.connect(self.message.clear)
        self.path.textChanged.connect(self.completeChanged)

    def chosen_path(self) -> Path:
        return Path(self.path.text().strip()).expanduser()

    def isComplete(self) -> bool:  # noqa: N802 - Qt override
        return bool(self.path.text().strip())

    def _choose(self) -> None:
        ask_save_path(
            self,
            _("Where should the vault be kept?"),
            self.chosen_path(),
            vault_filter(),
            lambda path: self.path.setText(str(path)),
            default_suffix="vault",
        )

    def validatePage(self) -> bool:  # noqa: N802 - Qt override
        path = self.chosen_path()
        existing = _existing_file(path)
        if existing is not None:
            self.message.show_error(
                _(
                    "There is already a file at {path}. Choose another name, or open that "
                    "vault from the unlock screen instead."
                ).format(path=existing)
            )
            return False
        if path.is_dir():
            self.message.show_error(_("{path} is a folder. Add a file name such as shop.vault.").format(path=path))
            return False
        return True


class ShopPage(QWizardPage):
    """Who the shop is and where: local phone numbers are read in its country, deals start in its currency,
    and every document's letterhead names it."""

    def __init__(self) -> None:
        super().__init__()
        self.setTitle(_("Your shop"))
        # The header holds two lines at most: in German and French the second sentence was cut off there.
        self.setSubTitle(_("Printed on every letter and data export, and used to read local phone numbers."))
        self.form = ShopProfileForm(self)
        self.form.show_profile(suggested_profile())
        self.later = QLabel(_("You can change all of this later in Settings › Shop."), self)
        self.later.setWordWrap(True)
        self.message = MessageLine(self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.form)
        layout.addWidget(self.later)
        layout.addWidget(self.message)
        layout.addStretch(1)
        self.form.changed.connect(self.completeChanged)
        self.form.changed.connect(self.message.clear)
        self.checked = ShopProfile()  # the profile as validatePage cleaned it, saved with the new vault

    def isComplete(self) -> bool:  # noqa: N802 - Qt override
        profile = self.form.profile()
        return bool(profile.name.strip() and profile.country)

    def validatePage(self) -> bool:  # noqa: N802 - Qt override
        try:
            self.checked = check_profile(self.form.profile())
        except InvalidInput as exc:
            self.message.show_error(str(exc))
            return False
        return True


class OwnerPage(QWizardPage):
    """The owner's name and password: the first login, with every permission."""

    def __init__(self) -> None:
        super().__init__()
        self.setTitle(_("Your login"))
        self.setSubTitle(_("You will be the vault's owner. You can add staff logins later."))
        self.name = QLineEdit(self)
        self.name.setAccessibleName(_("Your name"))
        self.name.setMaxLength(80)
        self.passwords = NewPasswordFields(self)
        self.passwords.add_row_above(0, _("&Your name:"), self.name)
        layout = QVBoxLayout(self)
        layout.addWidget(self.passwords)
        layout.addStretch(1)
        layout.addWidget(
            paragraph(
                _(
                    "The password is never stored. If it is forgotten, only the recovery key "
                    "(next steps) can open the vault."
                ),
                self,
            )
        )
        self.registerField("owner*", self.name)
        self.passwords.changed.connect(self.completeChanged)

    def isComplete(self) -> bool:  # noqa: N802 - Qt override
        return bool(self.name.text().strip()) and self.passwords.is_acceptable()

    def validatePage(self) -> bool:  # noqa: N802 - Qt override
        return bool(self.name.text().strip()) and self.passwords.show_problem()


class ProtectionPage(QWizardPage):
    """Keychain binding: what it protects against, what it costs, and plainly when it is not possible."""

    def __init__(self) -> None:
        super().__init__()
        self.setTitle(_("Tie the vault to this computer?"))
        self.setSubTitle(_("A second lock, kept in this computer's keychain."))
        self.use_keychain = QCheckBox(_("&Tie the vault to this computer's keychain (recommended)"), self)
        self.use_keychain.setAccessibleName(_("Tie the vault to this computer's keychain"))
        self.use_keychain.setChecked(True)
        self.unavailable = MessageLine(self)
        layout = QVBoxLayout(self)
        layout.addWidget(
            paragraph(
                _(
                    "What it protects against: someone who copies the vault file and also learns "
                    "a password still cannot open it on another computer. Opening it needs this "
                    "computer's keychain too."
                ),
                self,
            )
        )
        layout.addWidget(
            paragraph(
                _(
                    "What it costs: when you move to a new computer, or this computer's keychain "
                    "is reset, you open the vault once with the recovery key and set a new "
                    "password. Staff then need their passwords reset."
                ),
                self,
            )
        )
        layout.addSpacing(8)
        layout.addWidget(self.use_keychain)
        layout.addWidget(self.unavailable)
        layout.addStretch(1)
        self.registerField("use_keychain", self.use_keychain)
        self.keychain_available = True

    def initializePage(self) -> None:  # noqa: N802 - Qt override
        self.keychain_available = keychain.is_available()
        self.use_keychain.setEnabled(self.keychain_available)
        if not self.keychain_available:
            self.use_keychain.setChecked(False)
            self.unavailable.show_warning(
                _(
                    "This computer has no usable keychain, so the vault will be protected by "
                    "its password only: anyone who has a copy of the vault file and a "
                    "password can open it on any computer. Choose a long password."
                )
            )
        else:
            self.unavailable.clear()


class CreatePage(QWizardPage):
    """A summary, then the vault is made on a worker thread (the commit point: no going back after it)."""

    created = Signal(object, str)  # session, recovery key

    def __init__(self) -> None:
        super().__init__()
        self.setTitle(_("Ready to create the vault"))
        self.setSubTitle(_("Check the details, then create it."))
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, _("&Create vault"))
        self.where = path_field(_("Vault file"), self)
        self.shop = QLabel(self)
        self.shop.setWordWrap(True)
        self.who = QLabel(self)
        self.how = QLabel(self)
        self.how.setWordWrap(True)
        summary = QFormLayout()
        summary.addRow(_("Vault file:"), self.where)
        summary.addRow(_("Shop:"), self.shop)
        summary.addRow(_("Owner:"), self.who)
        summary.addRow(_("Protection:"), self.how)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.busy = busy_bar(self)
        self.message = MessageLine(self)
        layout = QVBoxLayout(self)
        layout.addLayout(summary)
        layout.addSpacing(12)
        layout.addWidget(self.status)
        layout.addWidget(self.busy)
        layout.addWidget(self.message)
        layout.addStretch(1)
        self.session: Session | None = None
        self.recovery_key = ""
        self.operation: Operation[tuple[Session, str]] | None = None

    def initializePage(self) -> None:  # noqa: N802 - Qt override
        wizard = self._wizard()
        protection = _("password plus this computer's keychain") if self.field("use_keychain") else _("password only")
        show_path(self.where, str(wizard.location.chosen_path()))
        shop = wizard.shop.checked
        self.shop.setText(
            ", ".join(
                part for part in (shop.name, country_name(shop.country, current_language()), shop.currency) if part
            )
        )
        self.who.setText(self.field("owner").strip())
        self.how.setText(protection)
        self.status.setText(
            _(
                "Press Create vault to make it. This takes a few seconds while the password is "
                "strengthened against guessing."
            )
        )
        self.message.clear()

    def _wizard(self) -> WelcomeWizard:
        wizard = self.wizard()
        assert isinstance(wizard, WelcomeWizard)
        return wizard

    @property
    def running(self) -> bool:
        return self.operation is not None

    def isComplete(self) -> bool:  # noqa: N802 - Qt override
        return not self.running

    def validatePage(self) -> bool:  # noqa: N802 - Qt override
        if self.session is not None:
            return True
        if not self.running:
            self._start()
        return False

    def _start(self) -> None:
        wizard = self._wizard()
        path = wizard.location.chosen_path()
        owner = self.field("owner").strip()
        password = wizard.owner.passwords.password()
        use_keychain = bool(self.field("use_keychain"))
        profile = wizard.shop.checked
        self.operation = Operation(create(path, owner, password, use_keychain=use_keychain, profile=profile), self)
        self.operation.finished.connect(self._done)
        self.operation.failed.connect(self._failed)
        self.status.setText(_("Creating the vault…"))
        self.busy.show()
        self.message.clear()
        self.completeChanged.emit()
        wizard.set_buttons_enabled(False)
        self.operation.start()

    def _done(self, result: tuple[Session, str]) -> None:
        self.operation = None
        self.session, self.recovery_key = result
        self.busy.hide()
        self.status.setText(_("The vault is ready."))
        self._wizard().owner.passwords.clear()
        self._wizard().set_buttons_enabled(True)
        self.completeChanged.emit()
        self.created.emit(self.session, self.recovery_key)
        self._wizard().next()

    def _failed(self, exc: object) -> None:
        self.operation = None
        self.busy.hide()
        self.status.setText("")
        self.message.show_error(message_for(exc))
        self._wizard().set_buttons_enabled(True)
        self.completeChanged.emit()


class RecoveryPage(QWizardPage):
    """The recovery key, once, with the printable kit; Finish waits until the owner says it is kept safe."""

    def __init__(self) -> None:
        super().__init__()
        self.setTitle(_("Your recovery key"))
        self.setSubTitle(_("Shown only this once. Keep it somewhere safe, away from this computer."))
        self.panel = RecoveryKeyPanel(self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.panel)
        self.registerField("key_saved*", self.panel.confirmed)

    def initializePage(self) -> None:  # noqa: N802 - Qt override
        wizard = self.wizard()
        assert isinstance(wizard, WelcomeWizard)
        if wizard.session is not None:
            self.panel.show_key(wizard.session, wizard.create_page.recovery_key)


class WelcomeWizard(QWizard):
    """Emits `vault_created(session)` when finished; the session is signed in as the owner."""

    vault_created = Signal(object)

    def __init__(self, default_path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Create a Counterpart vault"))
        self.setWindowIcon(app_icon())
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setPixmap(QWizard.WizardPixmap.LogoPixmap, app_icon().pixmap(48, 48))
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setButtonText(QWizard.WizardButton.FinishButton, _("&Start using Counterpart"))
        self.location = LocationPage(default_path)
        self.shop = ShopPage()
        self.owner = OwnerPage()
        self.protection = ProtectionPage()
        self.create_page = CreatePage()
        self.recovery = RecoveryPage()
        for page in (self.location, self.shop, self.owner, self.protection, self.create_page, self.recovery):
            self.addPage(page)
        self.setMinimumSize(640, 520)

    @property
    def session(self) -> Session | None:
        return self.create_page.session

    def set_buttons_enabled(self, enabled: bool) -> None:
        for which in (QWizard.WizardButton.BackButton, QWizard.WizardButton.CancelButton):
            self.button(which).setEnabled(enabled)
        self.currentPage().setEnabled(enabled)

    def accept(self) -> None:
        if self.session is None:
            return
        super().accept()
        self.vault_created.emit(self.session)

    def reject(self) -> None:
        """Cancel is refused while the vault is being made, and after: the key must be seen first."""
        if self.create_page.running or self.session is not None:
            return
        super().reject()
