"""Render the app icon (resources/icons/counterpart.svg) to the formats installers want: a multi-size .ico for
Windows and an .icns for macOS, written to build/icons/. Run by `make package` before PyInstaller.

Qt renders the SVG (QtSvg is part of PySide6-Essentials) and Pillow, already present through reportlab, writes
both formats, so one script serves every OS and is tested on Linux.
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "resources" / "icons" / "counterpart.svg"
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICNS_SIZES = (16, 32, 64, 128, 256, 512, 1024)


def render_png(size: int) -> bytes:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    QSvgRenderer(str(SOURCE)).render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data.data())


def build(folder: Path) -> tuple[Path, Path]:
    from PIL import Image
    from PySide6.QtGui import QGuiApplication

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    folder.mkdir(parents=True, exist_ok=True)
    largest = Image.open(io.BytesIO(render_png(1024))).convert("RGBA")
    ico, icns = folder / "counterpart.ico", folder / "counterpart.icns"
    largest.save(ico, format="ICO", sizes=[(s, s) for s in ICO_SIZES])
    largest.save(icns, format="ICNS", append_images=[
        Image.open(io.BytesIO(render_png(s))).convert("RGBA") for s in ICNS_SIZES if s != 1024])
    return ico, icns


if __name__ == "__main__":
    for path in build(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "build" / "icons"):
        print(path)
