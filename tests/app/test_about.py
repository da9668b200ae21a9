"""Help › About: every bundled component with a version and a licence (app/about.py), and the dialog that shows
them, reached from the main window's Help menu."""

from __future__ import annotations

import email.message
import re
import tomllib
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QAbstractItemView, QLineEdit

from app import __version__
from app.about import RUNTIME_PACKAGES, components, font_components, licence_of, marker_holds
from tests.conftest import OWNER, OWNER_PASSWORD
from tests.ui_helpers import open_session_for_ui, shot, shutdown_session, wait_until
from ui.about_dialog import AboutDialog
from ui.main_window import MainWindow
from ui.session_context import SessionContext

ROOT = Path(__file__).resolve().parents[2]


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pyproject_runtime_dependencies() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    return {_normalise(re.match(r"[A-Za-z0-9._-]+", spec).group(0)) for spec in project["dependencies"]}  # type: ignore[union-attr]


def test_the_list_of_runtime_packages_matches_pyproject() -> None:
    assert {_normalise(name) for name in RUNTIME_PACKAGES} == _pyproject_runtime_dependencies()


def test_every_runtime_dependency_is_listed_with_a_version_and_a_licence() -> None:
    listed = {_normalise(c.name): c for c in components()}
    for name in _pyproject_runtime_dependencies():
        assert name in listed, f"{name} is not in the About list"
        assert listed[name].version and listed[name].licence, listed[name]


def test_every_component_has_a_version_and_a_licence() -> None:
    everything = components(qt_version="6.8.0")
    assert [c for c in everything if not (c.version and c.licence)] == []
    by_name = {c.name: c for c in everything}
    assert by_name["Qt"].licence == by_name["PySide6-Essentials"].licence == "LGPL-3.0-only"
    assert by_name["Python"].licence == "PSF-2.0"
    assert by_name["SQLCipher"].licence == "BSD-3-Clause" and by_name["SQLCipher"].version.startswith("4.")
    assert by_name["SQLite"].version.startswith("3.")
    assert by_name["PDFium"].version and by_name["HarfBuzz"].version
    assert any(name.startswith("OpenSSL") for name in by_name)
    assert "cffi" in by_name  # packages the runtime ones pull in are bundled too, so they are listed


def test_every_bundled_font_family_is_listed_with_its_licence() -> None:
    fonts = {c.name: c for c in font_components()}
    assert fonts["Noto Sans"].licence == "OFL-1.1" and fonts["Droid Sans Fallback"].licence == "Apache-2.0"
    assert fonts["NanumGothic"].licence == "OFL-1.1"
    assert all(c.version and c.licence for c in fonts.values())
    assert len(fonts) == len({p.stem.split("-")[0] for p in (ROOT / "resources" / "fonts").glob("*.ttf")})


def _metadata(**fields: str | list[str]) -> email.message.Message:
    meta = email.message.Message()
    for key, value in fields.items():
        for one in value if isinstance(value, list) else [value]:
            meta[key.replace("_", "-")] = one
    return meta


def test_licences_come_from_the_metadata_then_the_table_then_the_classifiers() -> None:
    assert licence_of("x", _metadata(License_Expression="MIT OR Apache-2.0")) == "MIT OR Apache-2.0"  # type: ignore[arg-type]
    assert licence_of("x", _metadata(License="BSD-3-Clause")) == "BSD-3-Clause"  # type: ignore[arg-type]
    prose = _metadata(License="BSD license (see license.txt)", Classifier=["License :: OSI Approved :: BSD License"])
    assert licence_of("reportlab", prose) == "BSD-3-Clause"  # type: ignore[arg-type]
    assert licence_of("unknown-package", prose) == "BSD"  # type: ignore[arg-type]
    assert licence_of("unknown-package", _metadata()) == ""  # type: ignore[arg-type]


def test_requirement_markers_are_read_for_this_computer() -> None:
    assert marker_holds("") and marker_holds('python_version >= "3.11"')
    assert not marker_holds('python_version < "3.9"') and not marker_holds("python_full_version < '3.11'")
    assert marker_holds('sys_platform == "win32" or python_version >= "3"')
    assert not marker_holds('python_version >= "3.11" and python_version < "3.11"')


def _window(qtbot, path: Path):  # type: ignore[no-untyped-def]
    session = open_session_for_ui(path, OWNER, OWNER_PASSWORD)
    window = MainWindow(SessionContext(session))
    qtbot.addWidget(window, before_close_func=lambda w: setattr(w, "discarded", True))
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)  # shortcuts go to the active window
    return session, window


def _open_about(window: MainWindow) -> AboutDialog | None:
    return next((d for d in window.findChildren(AboutDialog) if d.isVisible()), None)


def test_help_about_shows_the_version_and_licences_and_esc_closes_it(qtbot, new_vault) -> None:  # type: ignore[no-untyped-def]
    session, window = _window(qtbot, new_vault[0])
    assert window.about_action.shortcut().isEmpty()  # F1 opens the user guide (tests/ui/test_help.py)
    help_menu = next(
        a.menu() for a in window.menuBar().actions() if a.menu() and window.about_action in a.menu().actions()
    )
    assert help_menu.title() == "&Help"
    window.about_action.trigger()  # the Help menu's item
    wait_until(qtbot, lambda: _open_about(window) is not None)
    dialog = _open_about(window)
    assert dialog is not None
    text = dialog.text()
    assert __version__ in text and "PySide6" in text and "LGPL" in text and "SQLCipher" in text
    assert dialog.table.rowCount() == len(dialog.components)
    assert dialog.table.editTriggers() == QAbstractItemView.EditTrigger.NoEditTriggers
    assert dialog.close_button.isDefault()
    shot(dialog, "about")
    window.about_action.trigger()  # the menu item brings the open window forward rather than a second one
    assert [d for d in window.findChildren(AboutDialog) if d.isVisible()] == [dialog]
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    window.clear()
    shutdown_session(session)


def test_the_about_window_is_named_for_screen_readers_and_enter_closes_it(qtbot, new_vault) -> None:  # type: ignore[no-untyped-def]
    session, window = _window(qtbot, new_vault[0])
    window.about_action.trigger()
    dialog = _open_about(window)
    assert dialog is not None
    widgets = [*dialog.findChildren(QAbstractButton), *dialog.findChildren(QLineEdit), dialog.table]
    unnamed = [
        w
        for w in widgets
        if w.isVisible()
        and not w.objectName().startswith("qt_")
        and not w.accessibleName()
        and not getattr(w, "text", lambda: "")()
    ]
    assert unnamed == []
    qtbot.keyClick(dialog.close_button, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    window.clear()
    shutdown_session(session)


def test_licence_texts_ship_for_components_whose_packages_have_none() -> None:
    from app.about import licences_folder

    folder = licences_folder()
    lgpl = (folder / "LGPL-3.0.txt").read_text("utf-8")
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in lgpl and "Version 3" in lgpl
    assert "GNU GENERAL PUBLIC LICENSE" in (folder / "GPL-3.0.txt").read_text("utf-8")
    assert "PYTHON SOFTWARE FOUNDATION LICENSE" in (folder / "Python-PSF-2.0.txt").read_text("utf-8")
    assert "ZETETIC LLC" in (folder / "SQLCipher-BSD-3-Clause.txt").read_text("utf-8")
    assert "Apache License" in (folder / "Apache-2.0.txt").read_text("utf-8")
    harfbuzz = (folder / "HarfBuzz-MIT.txt").read_text("utf-8")
    assert "Behdad Esfahbod" in harfbuzz and "Permission is hereby granted" in harfbuzz
