"""Cold start to the unlock screen against a bare PySide6 window of the same kind (issue #15; goal: at most 2x).

Every run is a fresh process with QT_QPA_PLATFORM=offscreen and a throwaway HOME and XDG folders, so the
machine's own settings and vaults are never touched (where the app's default vault place does not follow them,
as on Windows, the benchmark says so on stderr and measures nothing). Both sides are timed the same way: from
just before the parent starts the child to the moment the child's first window has been painted, which the
child prints as a wall-clock time.
- bare: QApplication and one QWidget with a QLineEdit and a QPushButton, shown;
- app: the real entry point (ui.main:main) with COUNTERPART_EXIT_WHEN_SHOWN=1, on the unlock screen of a vault
  made beforehand (cheap key derivation, no keychain) in the default place.
The two alternate, after one warm-up run each; the ratio is taken pair by pair. BENCH_STARTUP_RUNS=N (default 9).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.report import figure

GOAL = 2.0
RUNS = int(os.environ.get("BENCH_STARTUP_RUNS", "9"))
SHOWN = "first_window_shown"

# The same first-paint hook as ui/main.py's COUNTERPART_EXIT_WHEN_SHOWN, around the smallest window of the kind
BARE = f"""
import sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QHBoxLayout, QLineEdit, QPushButton, QWidget

class QuitWhenShown(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint and isinstance(watched, QWidget) and watched.isWindow():
            QApplication.instance().removeEventFilter(self)
            name = type(watched).__name__
            QTimer.singleShot(0, lambda: self.shown(name))
        return False

    @staticmethod
    def shown(window):
        print(f"{SHOWN} {{time.time():.6f}} {{window}}", flush=True)
        QApplication.exit(0)

app = QApplication(sys.argv)
app.installEventFilter(QuitWhenShown(app))
window = QWidget()
row = QHBoxLayout(window)
row.addWidget(QLineEdit(window))
row.addWidget(QPushButton("Unlock", window))
window.show()
sys.exit(app.exec())
"""

# What the `counterpart` launcher runs
APP = "import sys\nfrom ui.main import main\nsys.exit(main())"

MAKE_VAULT = """
import sys
from pathlib import Path
from app.access.session import create_vault
from app.vault import kdf
from app.vault.location import default_vault_path
path = default_vault_path()
if not path.resolve().is_relative_to(Path(sys.argv[1]).resolve()):
    sys.exit(f"the default vault path {path} is outside the throwaway HOME; nothing measured")
session, _key = create_vault(path, "Bench Owner", "bench-password", use_keychain=False, kdf_params=kdf.CHEAP)
session.vault.close()
"""


def _environment(home: Path) -> dict[str, str]:
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        HOME=str(home),
        USERPROFILE=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_RUNTIME_DIR=str(home / "runtime"),
    )
    env.pop("COUNTERPART_EXIT_WHEN_SHOWN", None)
    (home / "runtime").mkdir(mode=0o700, exist_ok=True)
    return env


class NotMeasured(Exception):
    pass


def _make_vault(home: Path, env: dict[str, str]) -> None:
    """A vault in the app's default place under `home` (refused where that place does not follow HOME)."""
    done = subprocess.run([sys.executable, "-c", MAKE_VAULT, str(home)], env=env, capture_output=True, text=True)
    if done.returncode:
        raise NotMeasured((done.stderr.strip().splitlines() or ["no vault was made"])[-1])


def _time_to_window(code: str, env: dict[str, str], window: str) -> float:
    """Seconds from starting a fresh interpreter on `code` to its first painted window, which must be `window`."""
    started = time.time()
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    for line in done.stdout.splitlines():
        fields = line.split()
        if fields[:1] == [SHOWN]:
            if fields[2:] != [window]:
                raise RuntimeError(f"the first window was {' '.join(fields[2:])}, not {window}")
            return float(fields[1]) - started
    raise RuntimeError(f"no window was shown (exit {done.returncode}): {done.stderr.strip()[-2000:]}")


def measure(runs: int = RUNS) -> tuple[list[float], list[float]]:
    """(bare, app) seconds, `runs` of each, alternating, after one warm-up of each."""
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder)
        env = _environment(home)
        _make_vault(home, env)
        app_env = dict(env, COUNTERPART_EXIT_WHEN_SHOWN="1")
        bare: list[float] = []
        app: list[float] = []
        for index in range(runs + 1):
            b, a = _time_to_window(BARE, env, "QWidget"), _time_to_window(APP, app_env, "UnlockWindow")
            if index:
                bare.append(b)
                app.append(a)
    return bare, app


def main() -> None:
    try:
        bare, app = measure()
    except NotMeasured as exc:
        print(f"bench_startup: {exc}", file=sys.stderr)
        return
    ratios = [a / b for a, b in zip(app, bare, strict=True)]
    figure("startup_runs", len(ratios), "pairs", digits=0)
    for name, values in (("startup_bare_ms", bare), ("startup_to_unlock_ms", app)):
        ms = [v * 1000 for v in values]
        figure(name, statistics.median(ms), "ms", digits=0)
        figure(f"{name}_min", min(ms), "ms", digits=0)
        figure(f"{name}_max", max(ms), "ms", digits=0)
    figure(
        "startup_to_unlock_ratio",
        statistics.median(ratios),
        "x",
        digits=2,
        goal=f"<= {GOAL:.0f} x",
        floor="startup_bare_ms",
        ratios=ratios,
    )


if __name__ == "__main__":
    main()
