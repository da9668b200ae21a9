"""Issue #18 in the app: a rekey killed halfway is finished by the next sign-in, which shows the new recovery
key once (it was never shown, and the old key then said 'damaged')."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from app.access.session import create_vault
from app.vault import kdf
from app.vault.vault import Vault
from tests.app.test_commit_marks import ENV, REKEY_AND_DIE
from tests.conftest import OWNER, OWNER_PASSWORD
from tests.ui_helpers import make_controller, press, shot, shutdown, unlock_as, wait_until
from ui.rekey import NewRecoveryKeyDialog


def test_the_next_sign_in_shows_the_finished_rekeys_key_once(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "shop.vault"
    session, old_key = create_vault(path, OWNER, OWNER_PASSWORD, use_keychain=False, kdf_params=kdf.CHEAP)
    session.vault.close()
    child = subprocess.run(
        [sys.executable, "-c", REKEY_AND_DIE, str(path), OWNER_PASSWORD], env=ENV, capture_output=True, timeout=120
    )
    assert child.returncode == -signal.SIGKILL

    controller = make_controller(tmp_path)
    unlock_as(qtbot, controller.show_unlock(path), OWNER, OWNER_PASSWORD)
    wait_until(qtbot, lambda: controller.main_window is not None)
    main = controller.main_window
    wait_until(qtbot, lambda: any(d.isVisible() for d in main.findChildren(NewRecoveryKeyDialog)))
    dialog = next(d for d in main.findChildren(NewRecoveryKeyDialog) if d.isVisible())
    assert "interrupted has now finished" in dialog.panel.explanation.text()
    new_key = dialog.panel.shown_key()
    assert new_key != old_key
    shot(dialog, "finished-rekey-key")
    assert not dialog.close_button.isEnabled()
    press(qtbot, dialog.panel.confirmed)
    press(qtbot, dialog.close_button)
    assert not dialog.isVisible()
    shutdown(controller)
    with Vault.open_with_recovery_key(path, new_key) as vault:  # the key shown is the vault's key
        assert vault.recovery_key() == new_key

    controller = make_controller(tmp_path)
    unlock_as(qtbot, controller.show_unlock(path), OWNER, OWNER_PASSWORD)
    wait_until(qtbot, lambda: controller.main_window is not None)
    assert not any(d.isVisible() for d in controller.main_window.findChildren(NewRecoveryKeyDialog))  # once
    shutdown(controller)
