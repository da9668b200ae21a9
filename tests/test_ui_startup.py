"""Application start: Qt's own translations, the icon, and which screen comes first."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication

from tests.ui_helpers import make_controller, shutdown
from ui.controller import free_vault_path
from ui.resources import app_icon
from ui.startup import install_qt_translations


def test_qt_texts_follow_the_language(qapp) -> None:
    translator = install_qt_translations(qapp, "de")
    try:
        assert translator is not None
        assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "Abbrechen"
    finally:
        qapp.removeTranslator(translator)
    assert install_qt_translations(qapp, "en") is None  # English is Qt's own language


def test_the_icon_is_drawn(qapp) -> None:
    assert not app_icon().pixmap(64, 64).isNull()


def test_the_default_vault_opens_the_unlock_screen(qtbot, tmp_path: Path, new_vault: tuple[Path, str]) -> None:
    controller = make_controller(tmp_path, default_path=new_vault[0])
    controller.start()
    assert controller.wizard is None and controller.unlock_window.isVisible()
    shutdown(controller)


def test_a_missing_remembered_vault_falls_back_to_the_wizard(qtbot, tmp_path: Path) -> None:
    controller = make_controller(tmp_path)
    controller.settings.setValue("vault/last_path", str(tmp_path / "gone.vault"))
    controller.start()
    assert controller.wizard is not None and controller.wizard.isVisible()
    shutdown(controller)


def test_a_new_vault_never_suggests_a_taken_name(new_vault: tuple[Path, str]) -> None:
    taken = new_vault[0]
    assert free_vault_path(taken) == taken.with_name("shop-2.vault")
    assert free_vault_path(taken.with_name("other.vault")) == taken.with_name("other.vault")
