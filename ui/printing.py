"""Printing the PDFs we make through Qt's print dialog, straight from memory.

Qt's own PDF module is not part of PySide6-Essentials, so PDFium (pypdfium2) draws each page at the printer's
resolution (capped at 300 dpi) and Qt sends it to the printer. A customer's data export can be handed over on
paper without a plaintext file ever touching the disk.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF
from PySide6.QtGui import QImage, QPainter
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QWidget

MAX_DPI = 300


def render_to_printer(pdf_bytes: bytes, printer: QPrinter) -> int:
    """Draw every page onto `printer`, each scaled to fit its page; returns the number of pages."""
    import pypdfium2 as pdfium  # loaded when something is first printed, not with every window

    document = pdfium.PdfDocument(pdf_bytes)
    pages = len(document)
    dpi = min(printer.resolution(), MAX_DPI)
    painter = QPainter()
    if not painter.begin(printer):
        raise OSError("the printer could not be started")
    try:
        for index in range(pages):
            if index:
                printer.newPage()
            picture = document[index].render(scale=dpi / 72).to_pil().convert("RGB")
            image = QImage(
                picture.tobytes("raw", "RGB"),
                picture.width,
                picture.height,
                3 * picture.width,
                QImage.Format.Format_RGB888,
            )
            area = QRectF(painter.viewport())
            scale = min(area.width() / image.width(), area.height() / image.height())
            target = QRectF(area.x(), area.y(), image.width() * scale, image.height() * scale)
            painter.drawImage(target, image)
    finally:
        painter.end()
        document.close()
    return pages


def print_pdf(pdf_bytes: bytes, parent: QWidget | None, title: str) -> bool:
    """Ask where to print, then print; False when the person cancelled."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName(title)
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(title)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return False
    render_to_printer(pdf_bytes, printer)
    return True
