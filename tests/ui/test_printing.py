"""Printing from memory: every page of our PDFs reaches the printer."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader
from PySide6.QtPrintSupport import QPrinter

from app.documents.consent_form import FormPurpose, write_consent_form
from ui.printing import render_to_printer


def test_every_page_is_printed(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    form = tmp_path / "form.pdf"
    write_consent_form(
        form,
        language="zh_CN",
        shop_name="花店",
        notice_title="我们如何使用您的个人信息",
        notice_body="第一段。\n\n" + "很长的说明。" * 400,
        notice_version=1,
        notice_id=1,
        purposes=[FormPurpose("email_marketing", "Email marketing", False)],
    )
    pages = len(PdfReader(form).pages)
    assert pages >= 2
    printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)  # a file stands in for the paper
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    assert render_to_printer(form.read_bytes(), printer) == pages
    assert len(PdfReader(tmp_path / "printed.pdf").pages) == pages


def test_consent_form_prints_without_a_file(qtbot, owner_session, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from tests.ui_helpers import wait_until
    from ui.consent import print_dialog
    from ui.session_context import SessionContext

    printed: list[bytes] = []
    monkeypatch.setattr(print_dialog, "print_pdf", lambda pdf, parent, title: printed.append(pdf) or True)
    dialog = print_dialog.PrintFormDialog(SessionContext(owner_session), None)
    qtbot.addWidget(dialog)
    dialog.print_now()
    wait_until(qtbot, lambda: bool(printed))
    assert printed[0].startswith(b"%PDF") and dialog.last_code.startswith("CF-")
    assert not list(tmp_path.rglob("*.pdf"))  # printed from memory: no PDF file anywhere
    last = owner_session.conn.execute("SELECT action FROM audit_event ORDER BY id DESC LIMIT 1").fetchone()[0]
    assert last == "consent.form_printed"
