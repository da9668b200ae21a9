"""The real main window's memory on a big vault (goal: under 150 MB), in a process of its own.

Run as `python -m bench.bench_window VAULT NAME PASSWORD` (bench_crm does, on its vault of N customers): offscreen
Qt started as ui/main.py starts it (fonts, translations, `AppController.start`), settings in a throwaway place,
signed in through the unlock window as a person would, five searches in the customer list (each waited for and
painted), then every page of the sidebar opened and painted; then the peak RSS of this process, which did nothing
else. The main window's modules load at unlock, as in the app: the RSS with the unlock window shown is the start's.
BENCH_WINDOW_SHOTS=FOLDER saves each page as a PNG, to see what was measured.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

SEARCHES = ["müller", "garc", "王", "0151", "example"]
GOAL_MB = 150


def _wait(condition, timeout: float = 120.0) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QApplication

    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError("the window did not get there in time")
        QApplication.processEvents()
        time.sleep(0.01)


def measure(path: Path, name: str, password: str) -> tuple[float, float, float, int]:
    """(peak RSS MB, RSS now MB, RSS MB with the unlock window shown, rows the last search showed)."""
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    import keyring
    import keyring.backends.fail
    from PySide6.QtCore import QSettings, Qt
    from PySide6.QtWidgets import QApplication

    from bench.report import peak_rss_mb
    from ui.controller import AppController
    from ui.startup import create_application

    keyring.set_keyring(keyring.backends.fail.Keyring())  # type: ignore[no-untyped-call]
    with tempfile.TemporaryDirectory() as folder:
        os.environ["XDG_CONFIG_HOME"] = folder  # Qt's own settings: a throwaway place, never the machine's
        app = QApplication.instance() or create_application(["counterpart"])  # as ui.main: fonts, translations
        settings = QSettings(str(Path(folder) / "settings.ini"), QSettings.Format.IniFormat)
        controller = AppController(settings, default_path=path)
        controller.start()  # as ui.main: the unlock window for the vault at `path`
        unlock = controller.unlock_window
        assert unlock is not None
        before_unlock = _rss_now_mb()
        unlock.names.setCurrentItem(unlock.names.findItems(name, Qt.MatchFlag.MatchExactly)[0])
        unlock.password.setText(password)
        unlock.unlock_button.click()
        _wait(lambda: controller.main_window is not None and not controller.context.busy)  # type: ignore[union-attr]
        window = controller.main_window
        assert window is not None
        from ui.main_window import PAGES  # loaded by the unlock, as in the app (not before it)

        window.show()
        window.show_page("customers")
        page = window.customers
        rows = 0
        for query in SEARCHES:
            page.search.setText(query)
            page.apply_search_as_typed()  # what typing does once it pauses
            _wait(lambda: not page.model.searching_in_background)
            window.grab()
            rows = page.model.rowCount()
        shots = os.environ.get("BENCH_WINDOW_SHOTS")  # a folder: each page saved there, to see what was measured
        for key in PAGES:
            window.show_page(key)
            app.processEvents()
            image = window.grab()
            if shots:
                image.save(str(Path(shots) / f"main-window-{key}.png"))
        _wait(lambda: controller.context is None or not controller.context.busy)
        now = _rss_now_mb()
        peak = peak_rss_mb()
        window.close()
        return peak, now, before_unlock, rows


def _rss_now_mb() -> float:
    status = Path("/proc/self/status").read_text() if Path("/proc/self/status").exists() else ""
    found = [line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")]
    return int(found[0]) / 1024 if found else 0.0


def main() -> None:
    from bench.report import figure

    path, name, password = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    peak, now, before_unlock, rows = measure(path, name, password)
    figure("main_window_max_rss", peak, "MB", digits=0, goal=f"< {GOAL_MB} MB")
    figure("main_window_rss_after_every_page", now, "MB", digits=0)
    figure("main_window_rss_before_unlock", before_unlock, "MB", digits=0)
    figure("main_window_last_search_rows", rows, "rows", digits=0)
    sys.stdout.flush()
    os._exit(0)  # the window's threads and Qt's teardown add nothing to measure


if __name__ == "__main__":
    main()
