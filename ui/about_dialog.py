"""Help › About (F1): the app's name and version, what it is, and every bundled component with its version and
licence. The list comes from app/about.py; this only shows it. Licence identifiers are shown as they are (SPDX
names are not translated)."""

from __future__ import annotations

from PySide6.QtCore import Qt, qVersion
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app import APP_NAME, __version__
from app.about import Component, components, fonts_folder, licences_folder, packages_folder
from app.locale import _
from ui.resources import app_icon
from ui.widgets import heading, paragraph, path_field, show_path


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("About {app}").format(app=APP_NAME))
        self.components = components(qt_version=qVersion())
        logo = QLabel(self)
        logo.setPixmap(app_icon().pixmap(64, 64))
        logo.setAccessibleName(_("{app} logo").format(app=APP_NAME))
        self.title = heading(_("{app} {version}").format(app=APP_NAME, version=__version__), self, 1.5)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary = paragraph(
            _(
                "A customer database for small shops that keeps every customer's data encrypted "
                "on this computer and helps the shop keep privacy law."
            ),
            self,
        )
        intro = QVBoxLayout()
        intro.addWidget(self.title)
        intro.addWidget(self.summary)
        intro.addStretch(1)
        top = QHBoxLayout()
        top.addWidget(logo, 0, Qt.AlignmentFlag.AlignTop)
        top.addLayout(intro, 1)

        table_label = QLabel(_("&Built with these open-source components:"), self)
        self.table = self._component_table(self.components)
        table_label.setBuddy(self.table)

        self.licence_note = paragraph(
            _(
                "The full licence texts are in these folders (a package's in its own "
                "“.dist-info” folder, where the package includes one):"
            ),
            self,
        )
        self.fonts_path = path_field(_("Folder with the fonts' licence texts"), self)
        show_path(self.fonts_path, str(fonts_folder()))
        self.libraries_path = path_field(_("Folder with the libraries' licence texts"), self)
        show_path(self.libraries_path, str(licences_folder()))
        folders = QFormLayout()
        folders.addRow(_("Libraries:"), self.libraries_path)
        folders.addRow(_("Fonts:"), self.fonts_path)
        packages = packages_folder()
        self.packages_path = path_field(_("Folder with the packages' licence texts"), self)
        show_path(self.packages_path, str(packages) if packages else "")
        if packages is not None:
            folders.addRow(_("Packages:"), self.packages_path)
        else:
            self.packages_path.hide()

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.close_button = self.buttons.button(QDialogButtonBox.StandardButton.Close)
        self.close_button.setDefault(True)
        self.close_button.setAutoDefault(True)
        self.close_button.setAccessibleName(_("Close the About window"))
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addSpacing(6)
        layout.addWidget(table_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.licence_note)
        layout.addLayout(folders)
        layout.addWidget(self.buttons)
        self.resize(660, 600)
        self.close_button.setFocus()

    def _component_table(self, rows: list[Component]) -> QTableWidget:
        table = QTableWidget(len(rows), 3, self)
        table.setHorizontalHeaderLabels([_("Component"), _("Version"), _("Licence")])
        table.setAccessibleName(_("Components, their versions and licences"))
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setTabKeyNavigation(False)  # Tab leaves the table for the Close button
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.verticalHeader().hide()
        for row, component in enumerate(rows):
            for column, text in enumerate((component.name, component.version, component.licence)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                table.setItem(row, column, item)
        header = table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
        return table

    def text(self) -> str:
        """Everything the dialog says, as one string (tests, and copying into a support message)."""
        lines = [self.title.text(), self.summary.text()]
        lines += ["\t".join((c.name, c.version, c.licence)) for c in self.components]
        lines += [self.licence_note.text(), self.fonts_path.text(), self.packages_path.text()]
        return "\n".join(lines)


def show_about(parent: QWidget) -> AboutDialog:
    """Open the About window over `parent` (the one already open, if there is one)."""
    for dialog in parent.findChildren(AboutDialog):
        if dialog.isVisible():
            dialog.raise_()
            dialog.activateWindow()
            return dialog
    dialog = AboutDialog(parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
