"""The README's list of system packages covers every X11 library Qt's window plugin needs on Linux.

A fresh Ubuntu desktop aborted `make run` with "xcb-cursor0 is needed" while the real gaps were libxcb-icccm4
and libxcb-keysyms1: the list is checked against what the installed plugin links, by Debian's naming rule
(libxcb-icccm.so.4 comes in libxcb-icccm4, libxkbcommon-x11.so.0 in libxkbcommon-x11-0)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1].parent
X11_LIBRARY = re.compile(r"^\s*(lib(?:xcb[\w-]*|xkbcommon[\w-]*|X11-xcb))\.so\.(\d+)")


def debian_package(library: str, soversion: str) -> str:
    name = library.lower()
    return f"{name}-{soversion}" if name[-1].isdigit() else f"{name}{soversion}"


def debian_line() -> set[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    line = next(line for line in readme.splitlines() if line.startswith("| Debian, Ubuntu |"))
    return set(line.split("`")[1].split())


@pytest.mark.skipif(not sys.platform.startswith("linux") or shutil.which("ldd") is None, reason="Linux only")
def test_the_readme_names_every_x11_library_the_qt_window_plugin_links() -> None:
    import PySide6

    qt = Path(PySide6.__file__).parent / "Qt"
    plugin = qt / "plugins" / "platforms" / "libqxcb.so"
    linked: set[str] = set()
    for binary in (plugin, *sorted((qt / "lib").glob("libQt6XcbQpa.so*"))[:1]):
        output = subprocess.run(["ldd", str(binary)], capture_output=True, text=True, check=True).stdout
        linked |= {debian_package(*m.groups()) for m in map(X11_LIBRARY.match, output.splitlines()) if m}
    assert {"libxcb-icccm4", "libxcb-keysyms1", "libxcb-cursor0"} <= linked  # the ones seen missing
    assert linked <= debian_line(), f"missing from README: {sorted(linked - debian_line())}"
